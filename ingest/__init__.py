"""HTTP in: the Falcon app, one resource module per channel, auth, validation, errors."""
