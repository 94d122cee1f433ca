"""``/api/config``: configuration as code over HTTP (docs/config-as-code.md). Admin only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses, invalid
from kairos.config.errors import ConfigError
from kairos.config.export import export_config, to_yaml
from kairos.config.service import import_text, notify

router = APIRouter(prefix="/api/config", tags=["configuration"])

MAX_BODY = 5 * 1024 * 1024
_YAML = {"application/yaml": {"schema": {"type": "string"}}}


@router.get(
    "/export",
    summary="Export the configuration",
    description="Needs an admin. The whole configuration as a `kairos/v1` YAML document, in a stable order. "
    "Secrets are never exported: credentials and discovery passwords become `${KAIROS_...}` references.",
    response_class=Response,
    responses={200: {"content": _YAML}, **error_responses(401, 403)},
)
async def export(session: SessionDep, _: RequireAdmin) -> Response:
    text = to_yaml(await export_config(session))
    return Response(
        text, media_type="application/yaml", headers={"Content-Disposition": "inline; filename=kairos.yaml"}
    )


@router.post(
    "/import",
    summary="Import a configuration",
    description="Needs an admin. The body is a `kairos/v1` YAML document (or a Java Kairos export). Answers "
    "the diff (`changes`: section, name, action create/update/delete, changed fields). With `dryRun=true` "
    "(the default) nothing changes; otherwise everything is applied in one transaction and checks use it at "
    "once. `prune=true` also deletes what the document does not name. An invalid item changes nothing: the "
    "422 names its line and field.",
    openapi_extra={"requestBody": {"required": True, "content": _YAML}},
    responses=error_responses(401, 403, 413, 422),
)
async def import_config(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    _: RequireAdmin,
    dry_run: bool = Query(True, alias="dryRun", description="Only compute the diff."),
    prune: bool = Query(False, description="Delete objects of the listed sections that the document omits."),
) -> dict[str, Any]:
    body = await request.body()
    if len(body) > MAX_BODY:
        raise invalid("body", "the document is larger than 5 MiB", status=413)
    try:
        text = body.decode("utf-8")
        plan = await import_text(session, text, runtime.box, source="body", dry_run=dry_run, prune=prune)
    except UnicodeDecodeError:
        raise invalid("body", "the document must be UTF-8") from None
    except ConfigError as exc:
        raise invalid(exc.field or "body", str(exc)) from None
    if not dry_run:
        await notify(runtime, plan)
    return {"dryRun": dry_run, "prune": prune, "counts": plan.counts(), "changes": [c.as_json() for c in plan.changes]}
