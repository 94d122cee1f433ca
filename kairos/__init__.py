"""Kairos: a self-hosted uptime and availability monitor."""

__version__ = "0.1.0"
