"""The beat schedule: entries only find due work and fan it out."""
