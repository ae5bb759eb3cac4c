"""The Celery app. Task modules are listed in `celeryconfig.imports`, never imported here."""

from celery import Celery

from workers.exit_watchdog import ExitWatchdog

app = Celery("carepulse")
app.config_from_object("celeryconfig")
app.steps["worker"].add(ExitWatchdog)
