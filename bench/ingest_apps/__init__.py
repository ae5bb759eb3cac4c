"""The apps bench/ingest.py serves beside CarePulse's own ingest, to compare it with."""
