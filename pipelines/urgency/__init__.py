"""Urgency: red-flag rules that escalate feedback describing danger to a patient."""
