"""The fleet: web nodes and workers in several locations on one PostgreSQL (docs/fleet.md, DESIGN.md §6)."""
