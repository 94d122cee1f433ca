"""Authentication: password hashing, API keys."""
