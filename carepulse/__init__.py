"""The `carepulse` command: runs, migrates and administers the system."""
