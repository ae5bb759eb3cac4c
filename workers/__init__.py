"""Celery glue: the app, thin tasks per stage, the canvas and signals."""
