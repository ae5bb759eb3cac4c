"""The Celery app. Task modules are listed in `celeryconfig.imports`, never imported here."""

from celery import Celery

app = Celery("carepulse")
app.config_from_object("celeryconfig")
