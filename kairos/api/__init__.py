"""The REST API, metrics and health endpoints; :mod:`kairos.api.router` mounts them on the app."""
