"""External services, each behind a small interface with a real and an offline face."""
