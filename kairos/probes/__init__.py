"""Probes: one module per resource kind, each with a config model and ``probe(config, ctx)``."""
