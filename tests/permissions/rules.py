"""Who may call each API route: one rule per (METHOD, path template) of the OpenAPI document.

The matrix test (test_matrix.py) reads the routes from the running app's ``/v3/api-docs`` and fails when a route
has no rule here or a rule names a route that is gone, so a new route cannot ship without deciding its access.

A rule is one access class; the status each caller gets follows from it (``expected``):

| class     | scope needed        | anonymous | USER session | ADMIN session | revoked key |
| --------- | ------------------- | --------- | ------------ | ------------- | ----------- |
| OPEN      | none, no credentials read | allowed | allowed | allowed     | allowed     |
| PUBLIC    | none                | allowed   | allowed      | allowed       | 401         |
| STATUS    | STATUS_READ         | 401       | allowed      | allowed       | 401         |
| CHECK     | CHECK_EXECUTE       | 401       | 403          | allowed       | 401         |
| MANAGE    | RESOURCE_MANAGE     | 401       | 403          | allowed       | 401         |
| ANNOUNCE  | ANNOUNCEMENT_MANAGE | 401       | 403          | allowed       | 401         |
| ADMIN     | ADMIN               | 401       | 403          | allowed       | 401         |
| OPERATOR  | STATUS_READ, keys only (or an admin) | 401 | 403   | allowed       | 401         |
| SELF      | a user, not a key   | 401       | allowed      | allowed       | 401         |

API keys (kairos.auth.scopes): a key gets "allowed" on a class exactly when it holds the class's scope (ADMIN holds
every scope), else 403; PUBLIC is allowed to every valid key, SELF refuses every key (see SELF_FOR_KEYS). The keys:
``read_key`` (the READ preset: STATUS_READ), ``admin_key`` (ADMIN), and one key per other scope holding only it
(``check_key``, ``manage_key``, ``announce_key``, ``mcp_key``).

Four more callers: USER and ADMIN through HTTP Basic (as their sessions), and an account that must change its
password, through its session (403 everywhere but SELF and OPEN) and through Basic (403 everywhere but OPEN).

"allowed" means neither 401 nor 403 nor 5xx: the answer may still be 404, 409 or 422 (the matrix sends `{}` as a
write body and nonexistent ids to DELETE). OPEN routes read no credentials at all (health and metrics, like
Spring's actuator); every other route refuses credentials that are sent but wrong, so a revoked key never
silently reads as anonymous.
"""

from __future__ import annotations

from enum import Enum

KEY_SCOPES: dict[str, tuple[str, ...]] = {
    "read_key": ("STATUS_READ",),
    "admin_key": ("ADMIN",),
    "check_key": ("CHECK_EXECUTE",),
    "manage_key": ("RESOURCE_MANAGE",),
    "announce_key": ("ANNOUNCEMENT_MANAGE",),
    "mcp_key": ("MCP_ACCESS",),
}
CALLERS = (
    "anonymous",
    "user_session",
    "admin_session",
    *KEY_SCOPES,
    "revoked_key",
    "user_basic",
    "admin_basic",
    "must_change_session",
    "must_change_basic",
)
ALLOWED = "allowed"  # not 401, not 403, not 5xx


class Access(Enum):
    OPEN = "open"
    PUBLIC = "public"
    STATUS = "STATUS_READ"
    CHECK = "CHECK_EXECUTE"
    MANAGE = "RESOURCE_MANAGE"
    ANNOUNCE = "ANNOUNCEMENT_MANAGE"
    ADMIN = "ADMIN"
    OPERATOR = "operator"  # admins and API keys with STATUS_READ: operators' tools, not signed-in users
    SELF = "self"


# The scope each class needs, as the OpenAPI document's ``x-required-scope`` must say (None: no scope).
SCOPE_OF: dict[Access, str | None] = {
    Access.OPEN: None,
    Access.PUBLIC: None,
    Access.STATUS: "STATUS_READ",
    Access.CHECK: "CHECK_EXECUTE",
    Access.MANAGE: "RESOURCE_MANAGE",
    Access.ANNOUNCE: "ANNOUNCEMENT_MANAGE",
    Access.ADMIN: "ADMIN",
    Access.OPERATOR: "STATUS_READ",
    Access.SELF: None,
}


Route = tuple[str, str]  # (METHOD, OpenAPI path template)

# What an API key gets on a SELF route (/api/users/me…): 403 `not_a_user`, a key belongs to no user
# (kairos/api/routes/users.py). Basic credentials of a user count as that user.
SELF_FOR_KEYS: dict[str, int | str] = dict.fromkeys(KEY_SCOPES, 403)

# Write bodies: `{}` unless `{}` would stop at validation (422) before the access check the matrix is after.
# The password change's current password is wrong, so a session caller gets 422 and keeps its password.
BODIES: dict[Route, object] = {
    ("PUT", "/api/users/me/password"): {"currentPassword": "not-the-password", "newPassword": "matrix-new-pass-9"},
}

_O, _P, _A, _ADM, _S = Access.OPEN, Access.PUBLIC, Access.STATUS, Access.ADMIN, Access.SELF
_CHK, _MAN, _ANN = Access.CHECK, Access.MANAGE, Access.ANNOUNCE

RULES: dict[Route, Access] = {
    # Monitoring reads: anyone (anonymous callers see only PUBLIC groups and their resources; visibility is the
    # business of kairos.access.visibility, not of this matrix: a hidden resource answers 404, still "allowed").
    ("GET", "/api/resources"): _P,
    ("GET", "/api/resources/{resource_id}"): _P,
    ("GET", "/api/resources/{resource_id}/history"): _P,
    ("GET", "/api/resources/{resource_id}/status-update"): _P,
    ("GET", "/api/resources/{resource_id}/recent"): _P,  # the heartbeat bar: public like the status
    ("GET", "/api/resources/{resource_id}/uptime"): _P,
    ("GET", "/api/resources/{resource_id}/latency-samples"): _P,
    ("GET", "/api/resources/status-updates"): _P,
    # Server-sent events: public, but the answer never ends; the matrix reads only its status line.
    ("GET", "/api/resources/stream"): _P,
    ("GET", "/api/groups"): _P,
    ("GET", "/api/resource-types"): _P,
    ("GET", "/api/announcements"): _P,
    ("GET", "/api/announcements/{announcement_id}"): _P,
    ("GET", "/api/maintenance-windows"): _P,
    ("GET", "/api/maintenance-windows/{window_id}"): _P,
    ("GET", "/api/settings"): _P,
    # Health and info read no credentials: load balancers and orchestrators probe them, in every access mode.
    ("GET", "/actuator/health"): _O,
    ("GET", "/actuator/info"): _O,
    # Metrics: public by default (operators' scrapers); KAIROS_METRICS_REQUIRE_KEY=true makes them need a key or
    # an admin, which the matrix (default settings) does not cover: tests/api/test_actuator.py does.
    ("GET", "/actuator/prometheus"): _P,
    ("GET", "/metrics"): _P,
    # Signed-in users and keys with STATUS_READ.
    ("GET", "/api/outages"): _A,
    ("GET", "/api/resources/{resource_id}/outages"): _A,
    ("GET", "/api/groups/{group_id}/resources"): _A,
    # The fleet's workers and locations (host names, process ids): operators and their tools' keys.
    ("GET", "/api/fleet"): Access.OPERATOR,
    # Runs a probe now against any target: CHECK_EXECUTE (issue 11: never read-only callers, SSRF).
    ("POST", "/api/instant-check"): _CHK,
    # Renders Markdown for the announcement form's live preview; stores nothing.
    ("POST", "/api/announcements/preview"): _A,
    # Resources and groups: RESOURCE_MANAGE; checking one now: CHECK_EXECUTE.
    ("POST", "/api/resources"): _MAN,
    ("PUT", "/api/resources/{resource_id}"): _MAN,
    ("DELETE", "/api/resources/{resource_id}"): _MAN,
    ("POST", "/api/resources/{resource_id}/check"): _CHK,
    # PUSH resources (docs/push.md): pings read no credentials (the token is the secret; unknown ones are 404)
    ("GET", "/api/push/{token}"): _O,
    ("POST", "/api/push/{token}"): _O,
    ("GET", "/api/push/{token}/start"): _O,
    ("POST", "/api/push/{token}/start"): _O,
    ("GET", "/api/push/{token}/fail"): _O,
    ("POST", "/api/push/{token}/fail"): _O,
    ("GET", "/api/resources/{resource_id}/push"): _P,
    ("POST", "/api/resources/{resource_id}/push-token"): _MAN,
    ("POST", "/api/resources/bulk"): _MAN,
    ("POST", "/api/resources/{resource_id}/clone"): _MAN,
    ("POST", "/api/groups"): _MAN,
    ("PUT", "/api/groups/order"): _MAN,
    ("PUT", "/api/groups/{group_id}"): _MAN,
    ("DELETE", "/api/groups/{group_id}"): _MAN,
    ("PUT", "/api/groups/{group_id}/order"): _MAN,
    # Resource types.
    ("PUT", "/api/resource-types"): _ADM,
    ("PUT", "/api/resource-types/{kind}"): _ADM,
    # Configuration as code (docs/config-as-code.md): the whole configuration, admin only.
    ("GET", "/api/config/export"): _ADM,
    ("POST", "/api/config/import"): _ADM,
    # Stored credentials: even listing them is admin's (patterns and usernames are sensitive).
    ("GET", "/api/credentials"): _ADM,
    ("POST", "/api/credentials"): _ADM,
    ("GET", "/api/credentials/{credential_id}"): _ADM,
    ("PUT", "/api/credentials/{credential_id}"): _ADM,
    ("DELETE", "/api/credentials/{credential_id}"): _ADM,
    # Outbound proxies (docs/proxy.md): URLs and user names are internal details; passwords are never returned.
    ("GET", "/api/proxies"): _ADM,
    ("POST", "/api/proxies"): _ADM,
    ("PUT", "/api/proxies/default"): _ADM,
    ("GET", "/api/proxies/{name}"): _ADM,
    ("PUT", "/api/proxies/{name}"): _ADM,
    ("DELETE", "/api/proxies/{name}"): _ADM,
    # Discovery sources.
    ("GET", "/api/discovery-sources"): _ADM,
    ("POST", "/api/discovery-sources"): _ADM,
    ("GET", "/api/discovery-sources/{source_id}"): _ADM,
    ("PUT", "/api/discovery-sources/{source_id}"): _ADM,
    ("DELETE", "/api/discovery-sources/{source_id}"): _ADM,
    ("POST", "/api/discovery-sources/{source_id}/sync"): _ADM,
    ("GET", "/api/discovery-sources/{source_id}/resources"): _ADM,
    # Notifications (docs/notifications.md): channel URLs carry secrets; everything is admin-only.
    ("GET", "/api/notifications/channels"): _ADM,
    ("POST", "/api/notifications/channels"): _ADM,
    ("GET", "/api/notifications/channels/{channel_id}"): _ADM,
    ("PUT", "/api/notifications/channels/{channel_id}"): _ADM,
    ("DELETE", "/api/notifications/channels/{channel_id}"): _ADM,
    ("POST", "/api/notifications/channels/{channel_id}/test"): _ADM,
    ("GET", "/api/notifications/policies"): _ADM,
    ("POST", "/api/notifications/policies"): _ADM,
    ("GET", "/api/notifications/policies/{policy_id}"): _ADM,
    ("PUT", "/api/notifications/policies/{policy_id}"): _ADM,
    ("DELETE", "/api/notifications/policies/{policy_id}"): _ADM,
    ("GET", "/api/notifications/deliveries"): _ADM,
    ("POST", "/api/notifications/deliveries/{delivery_id}/retry"): _ADM,
    # API keys.
    ("GET", "/api/api-keys"): _ADM,
    ("POST", "/api/api-keys"): _ADM,
    ("DELETE", "/api/api-keys/{key_id}"): _ADM,
    # Announcements: reading is public, writing is ANNOUNCEMENT_MANAGE.
    ("POST", "/api/announcements"): _ANN,
    ("PUT", "/api/announcements/{announcement_id}"): _ANN,
    ("DELETE", "/api/announcements/{announcement_id}"): _ANN,
    # Maintenance windows: reading is public (for what the caller may see), writing is RESOURCE_MANAGE.
    ("POST", "/api/maintenance-windows"): _MAN,
    ("PUT", "/api/maintenance-windows/{window_id}"): _MAN,
    ("POST", "/api/maintenance-windows/{window_id}/end"): _MAN,
    ("DELETE", "/api/maintenance-windows/{window_id}"): _MAN,
    # Status pages: their configuration (groups, domains) is admins' only; the pages themselves are /status/{slug}.
    ("GET", "/api/status-pages"): _ADM,
    ("POST", "/api/status-pages"): _ADM,
    ("GET", "/api/status-pages/{page_id}"): _ADM,
    ("PUT", "/api/status-pages/{page_id}"): _ADM,
    ("DELETE", "/api/status-pages/{page_id}"): _ADM,
    ("PUT", "/api/status-pages/{page_id}/logo"): _ADM,
    ("DELETE", "/api/status-pages/{page_id}/logo"): _ADM,
    # Site settings.
    ("PUT", "/api/settings"): _ADM,
    # Deleting an outage rewrites history: admins only (audited in the log).
    ("DELETE", "/api/outages/{outage_id}"): _ADM,
    # Users: managing accounts is admin's; /me is the signed-in user's own account.
    ("GET", "/api/users"): _ADM,
    ("POST", "/api/users"): _ADM,
    ("GET", "/api/users/{user_id}"): _ADM,
    ("PUT", "/api/users/{user_id}"): _ADM,
    ("DELETE", "/api/users/{user_id}"): _ADM,
    ("GET", "/api/users/me"): _S,
    ("PUT", "/api/users/me/password"): _S,
}

# Known departures from the rules, each reported to the lead: the matrix expects them to still happen (and fails
# when one is fixed, so the entry gets removed). Keys: (METHOD, path, caller); "private:anonymous" is an
# anonymous caller of a Kairos in KAIROS_ACCESS_MODE=private.
# "openapi" is the route's `security` in the OpenAPI document.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {}


def _keys(scope: str | None) -> dict[str, int | str]:
    """What each key gets on a class needing ``scope``: allowed when it holds it (ADMIN holds all), else 403."""
    return {k: ALLOWED if scope is None or scope in held or "ADMIN" in held else 403 for k, held in KEY_SCOPES.items()}


def _scoped(scope: str, user: int | str) -> dict[str, int | str]:
    return {"anonymous": 401, "user_session": user, "admin_session": ALLOWED, **_keys(scope), "revoked_key": 401}


_TABLE: dict[Access, dict[str, int | str]] = {
    Access.OPEN: dict.fromkeys(CALLERS, ALLOWED),
    Access.PUBLIC: {**dict.fromkeys(CALLERS, ALLOWED), "revoked_key": 401},
    Access.STATUS: _scoped("STATUS_READ", ALLOWED),
    Access.CHECK: _scoped("CHECK_EXECUTE", 403),
    Access.MANAGE: _scoped("RESOURCE_MANAGE", 403),
    Access.ANNOUNCE: _scoped("ANNOUNCEMENT_MANAGE", 403),
    Access.ADMIN: _scoped("ADMIN", 403),
    Access.OPERATOR: _scoped("STATUS_READ", 403),
    Access.SELF: {
        "anonymous": 401,
        "user_session": ALLOWED,
        "admin_session": ALLOWED,
        **SELF_FOR_KEYS,
        "revoked_key": 401,
    },
}


# HTTP Basic with a user's email and password counts as that user, exactly like their session.
for _row in _TABLE.values():
    _row["user_basic"], _row["admin_basic"] = _row["user_session"], _row["admin_session"]
# An account that must change its password (the default admin, a reset password) may do nothing else: its
# session gets 403 `password_change_required` on every route but its own (SELF: the change itself and /me), and
# its Basic credentials are refused everywhere. OPEN routes read no credentials at all.
for _access, _row in _TABLE.items():
    _open = _access is Access.OPEN
    _row["must_change_session"] = ALLOWED if _open or _access is Access.SELF else 403
    _row["must_change_basic"] = ALLOWED if _open else 403


def expected(access: Access, caller: str) -> int | str:
    """``ALLOWED``, or the exact status (401 or 403) ``caller`` must get on a route of class ``access``."""
    return _TABLE[access][caller]


def security_matches(access: Access, security: list[dict[str, list[str]]] | None) -> bool:
    """Whether an operation's OpenAPI ``security`` tells clients the truth about its class: OPEN routes declare
    none, PUBLIC routes make credentials optional (an empty requirement ``{}``), the others require them."""
    if access is Access.OPEN:
        return security is None
    if security is None:
        return False
    return ({} in security) == (access is Access.PUBLIC)
