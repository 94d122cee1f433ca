"""All tables; importing this package registers them on ``Base.metadata``."""

from kairos.db.models.access import ApiKey, AppUser, Setting
from kairos.db.models.certs import CertNotice
from kairos.db.models.discovery import DiscoverySource
from kairos.db.models.fleet import CheckSchedule, FleetLocation, FleetWorker, LocationState
from kairos.db.models.history import Outage, ResourceState, ResultBlock, ResultJournal, Rollup1d, Rollup15m
from kairos.db.models.maintenance import MaintenanceWindow
from kairos.db.models.notify import NotificationChannel, NotificationOutbox, NotificationPolicy
from kairos.db.models.proxy import NamedProxy
from kairos.db.models.push import PushHeartbeat
from kairos.db.models.resource import Credential, GroupMember, Resource, ResourceGroup, ResourceTypeSettings
from kairos.db.models.status_page import StatusPage, StatusPageAnnouncement, StatusPageGroup
from kairos.db.models.tags import ResourceTag, Tag
from kairos.db.models.web import Announcement, UserSession

__all__ = [
    "Announcement",
    "ApiKey",
    "AppUser",
    "CertNotice",
    "CheckSchedule",
    "Credential",
    "DiscoverySource",
    "FleetLocation",
    "FleetWorker",
    "GroupMember",
    "LocationState",
    "MaintenanceWindow",
    "NamedProxy",
    "NotificationChannel",
    "NotificationOutbox",
    "NotificationPolicy",
    "Outage",
    "PushHeartbeat",
    "Resource",
    "ResourceGroup",
    "ResourceState",
    "ResourceTag",
    "ResourceTypeSettings",
    "ResultBlock",
    "ResultJournal",
    "Rollup1d",
    "Rollup15m",
    "Setting",
    "StatusPage",
    "StatusPageAnnouncement",
    "StatusPageGroup",
    "Tag",
    "UserSession",
]
