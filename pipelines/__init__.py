"""Domain steps as plain functions over a session and clients. Imports no Celery."""
