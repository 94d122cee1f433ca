"""Per-kind settings: defaults, validated edits that take effect without a restart."""

from __future__ import annotations

from tests.api.support import assert_error
from tests.harness import Running


async def test_every_kind_is_listed_with_its_defaults(kairos: Running) -> None:
    types = {t["resourceType"]: t for t in (await kairos.anon.get("/api/resource-types")).json()}
    assert {"HTTP", "TCP", "DOCKER", "DNS"} <= set(types)
    assert types["HTTP"]["intervalSeconds"] == 60 and types["DOCKER"]["intervalSeconds"] == 300
    assert types["HTTP"]["parallelism"] == 5 and types["DOCKER"]["parallelism"] == 2
    assert (types["TCP"]["outageThreshold"], types["TCP"]["recoveryThreshold"]) == (3, 2)


async def test_editing_one_kind_reaches_the_scheduler(kairos: Running) -> None:
    response = await kairos.client.put(
        "/api/resource-types/http", json={"intervalSeconds": 30, "parallelism": 8, "outageThreshold": 5}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["intervalSeconds"], response.json()["timeoutSeconds"]) == (30, 10.0)
    settings = kairos.runtime.scheduler.types
    http = next(v for k, v in settings.items() if k == "HTTP")
    assert (http.interval_s, http.parallelism, http.outage_threshold) == (30, 8, 5)
    listed = {t["resourceType"]: t for t in (await kairos.anon.get("/api/resource-types")).json()}
    assert listed["HTTP"]["parallelism"] == 8


async def test_several_kinds_can_be_edited_at_once(kairos: Running) -> None:
    body = [{"resourceType": "TCP", "timeoutSeconds": 3}, {"resourceType": "DOCKER", "recoveryThreshold": 4}]
    response = await kairos.client.put("/api/resource-types", json=body)
    assert response.status_code == 200, response.text
    listed = {t["resourceType"]: t for t in response.json()}
    assert listed["TCP"]["timeoutSeconds"] == 3 and listed["DOCKER"]["recoveryThreshold"] == 4


async def test_out_of_range_settings_are_refused(kairos: Running) -> None:
    for body, field in (
        ({"intervalSeconds": 4}, "intervalSeconds"),
        ({"parallelism": 0}, "parallelism"),
        ({"parallelism": 101}, "parallelism"),
        ({"timeoutSeconds": 0.5}, "timeoutSeconds"),
        ({"outageThreshold": 0}, "outageThreshold"),
        ({"recoveryThreshold": 101}, "recoveryThreshold"),
        ({"speed": 1}, "speed"),
    ):
        response = await kairos.client.put("/api/resource-types/TCP", json=body)
        assert_error(response, 422, "validation_error", field)
    missing = await kairos.client.put("/api/resource-types", json=[{"parallelism": 2}])
    assert_error(missing, 422, "validation_error", "[0].resourceType")
    assert_error(await kairos.client.put("/api/resource-types/FTP", json={}), 404, "not_found")


async def test_a_kinds_quorum_defaults_to_majority_and_is_edited_canonical(kairos: Running) -> None:
    listed = {t["resourceType"]: t for t in (await kairos.anon.get("/api/resource-types")).json()}
    assert {t["quorum"] for t in listed.values()} == {"majority"}
    response = await kairos.client.put("/api/resource-types/tcp", json={"quorum": " All "})
    assert response.status_code == 200, response.text
    assert response.json()["quorum"] == "all"
    assert kairos.runtime.scheduler.types["TCP"].quorum == "all"
    response = await kairos.client.put("/api/resource-types", json=[{"resourceType": "HTTP", "quorum": 2}])
    listed = {t["resourceType"]: t for t in response.json()}
    assert (listed["HTTP"]["quorum"], listed["TCP"]["quorum"], listed["DOCKER"]["quorum"]) == ("2", "all", "majority")
    # Another field's edit keeps it.
    response = await kairos.client.put("/api/resource-types/tcp", json={"parallelism": 3})
    assert response.json()["quorum"] == "all"


async def test_a_bad_kind_quorum_is_named(kairos: Running) -> None:
    for quorum in ("most", 0, 65, None, ""):
        response = await kairos.client.put("/api/resource-types/http", json={"quorum": quorum})
        assert_error(response, 422, "validation_error", "quorum")
    response = await kairos.client.put("/api/resource-types", json=[{"resourceType": "HTTP", "quorum": "x"}])
    assert_error(response, 422, "validation_error", "[0].quorum")
