"""All tables; importing this package registers them on ``Base.metadata``."""

from kairos.db.models.access import ApiKey, AppUser, Setting
from kairos.db.models.discovery import DiscoverySource
from kairos.db.models.history import CheckResult, Outage, ResourceState, Rollup1d, Rollup15m
from kairos.db.models.resource import Credential, GroupMember, Resource, ResourceGroup, ResourceTypeSettings

__all__ = [
    "ApiKey",
    "AppUser",
    "CheckResult",
    "Credential",
    "DiscoverySource",
    "GroupMember",
    "Outage",
    "Resource",
    "ResourceGroup",
    "ResourceState",
    "ResourceTypeSettings",
    "Rollup1d",
    "Rollup15m",
    "Setting",
]
