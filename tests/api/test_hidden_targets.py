"""What anonymous callers may read of a resource: never header values, and no target when the site hides
targets."""

from __future__ import annotations

from kairos.secrets_mask import MASK
from kairos.services.site import SiteSettings
from tests.api.loopback import Target
from tests.api.support import create_resource, wait_for_status
from tests.harness import Running


async def test_anonymous_callers_never_see_header_values_of_a_check(kairos: Running, target: Target) -> None:
    created = await create_resource(kairos, target.url(), options={"headers": {"Authorization": "Bearer s3cret"}})
    anon = (await kairos.anon.get(f"/api/resources/{created['id']}")).json()
    assert anon["options"]["headers"] == {"Authorization": MASK}
    listed = (await kairos.anon.get("/api/resources")).json()
    assert "s3cret" not in str(listed)
    # Header values are write-only secrets: admins read the mask too (tests/api/test_header_secrets.py).
    admin = (await kairos.client.get(f"/api/resources/{created['id']}")).json()
    assert admin["options"]["headers"] == {"Authorization": MASK}


async def test_with_targets_hidden_anonymous_callers_get_no_target_and_a_message_without_it(
    kairos: Running, closed_port: int
) -> None:
    created = await create_resource(kairos, f"http://127.0.0.1:{closed_port}/private-path")
    await wait_for_status(kairos, created["id"], "not-available")
    kairos.runtime.site = SiteSettings(show_targets=False)
    anon = (await kairos.anon.get(f"/api/resources/{created['id']}")).json()
    assert anon["target"] is None and anon["options"] == {}
    assert anon["latestMessage"] == "Not available: connect_refused"
    assert str(closed_port) not in str((await kairos.anon.get("/api/resources")).json())
    admin = (await kairos.client.get(f"/api/resources/{created['id']}")).json()
    assert admin["target"].endswith("/private-path") and str(closed_port) in admin["latestMessage"]
