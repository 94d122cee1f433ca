from tests.api.loopback import target

__all__ = ["target"]
