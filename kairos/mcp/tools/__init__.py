"""The tools, by area; each module has ``register(server, runtime)``."""
