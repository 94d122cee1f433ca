from tests.housekeeping.support import db

__all__ = ["db"]
