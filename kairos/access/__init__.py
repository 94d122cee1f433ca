"""Who may see what: the access mode and group visibility."""
