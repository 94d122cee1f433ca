from tests.api.loopback import closed_port, target

__all__ = ["closed_port", "target"]
