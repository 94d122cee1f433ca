"""Rollups: per-bucket counts and latency sums that make uptime and timelines cheap to read."""
