"""What people read for each event kind: one table used by the policy form, the notifications page and
docs/notifications.md (a test keeps the docs in step), so no page shows ``outage_opened``."""

from __future__ import annotations

from dataclasses import dataclass

from kairos.notify import events as ev


@dataclass(frozen=True, slots=True)
class EventLabel:
    label: str  # short, for checkboxes and table cells
    hint: str  # one line under the checkbox: when exactly it is sent


EVENT_LABELS: dict[str, EventLabel] = {
    ev.OUTAGE_OPENED: EventLabel("An outage starts", "A resource failed enough checks in a row to be down."),
    ev.OUTAGE_RESOLVED: EventLabel("An outage ends", "The resource passed enough checks in a row to be up again."),
    ev.DIGEST_CHANGED: EventLabel("Image re-pushed", "An image tag now points to another digest."),
    ev.CERT_EXPIRING: EventLabel(
        "Certificate expiring", "A TLS certificate is within 21, 14, 7 or 1 days of expiry (once each)."
    ),
    ev.DISCOVERY_FOUND: EventLabel("Resource discovered", "A discovery source added or re-enabled a resource."),
    ev.DISCOVERY_LOST: EventLabel("Discovered image gone", "A discovered image is no longer listed."),
    ev.LOCATION_DOWN: EventLabel(
        "Location down", "A location of the fleet lost its last live worker (policies for all resources only)."
    ),
    ev.LOCATION_UP: EventLabel(
        "Location up", "A location of the fleet checks again (policies for all resources only)."
    ),
}
# Kinds a delivery can carry besides the selectable ones.
OTHER_LABELS = {ev.OUTAGE_REMINDER: "Outage reminder", "test": "Test message"}


def event_label(kind: str) -> str:
    """The readable name of an event kind; an unknown kind shows as itself."""
    known = EVENT_LABELS.get(kind)
    return known.label if known else OTHER_LABELS.get(kind, kind)
