"""Data layer: tables, sessions, migrations and settings. Imports nothing above it."""
