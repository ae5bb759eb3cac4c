"""Appointment reminders and survey invitations: planning, wording, dispatch, consent."""
