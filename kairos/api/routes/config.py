"""``/api/config``: configuration as code over HTTP (docs/config-as-code.md). Admin only."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import ApiError, error_responses, invalid
from kairos.config_as_code.errors import ConfigError
from kairos.config_as_code.export import export_config, to_yaml
from kairos.config_as_code.secrets import SecretPolicy
from kairos.config_as_code.service import import_text, notify

router = APIRouter(prefix="/api/config", tags=["configuration"])

# A document this large already takes seconds to parse; the console uses the same bound.
MAX_BODY = 1024 * 1024
_YAML = {"application/yaml": {"schema": {"type": "string"}}}


@router.get(
    "/export",
    summary="Export the configuration",
    description="Needs an admin. The whole configuration as a `kairos/v1` YAML document, in a stable order. "
    "Secrets are never exported: credentials, discovery passwords, notification URLs and HTTP header values "
    "become `${KAIROS_SECRET_...}` references.",
    response_class=Response,
    responses={200: {"content": _YAML}, **error_responses(401, 403)},
)
async def export(session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> Response:
    text = to_yaml(await export_config(session, SecretPolicy.http(runtime.settings)))
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
    "422 names its line and field. Anchors, aliases and duplicate keys are refused; the body is at most 1 MiB. "
    "Secret references are refused unless the server sets `KAIROS_CONFIG_API_SECRETS=true` (docs/security.md), "
    "except the export's own placeholders, which keep the stored secret (listed in `kept`: section, name, field).",
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
    body = await _bounded_body(request)
    policy = SecretPolicy.http(runtime.settings)
    try:
        text = body.decode("utf-8")
        plan = await import_text(
            session, text, runtime.box, source="body", dry_run=dry_run, prune=prune, secrets=policy
        )
    except UnicodeDecodeError:
        raise invalid("body", "the document must be UTF-8") from None
    except ConfigError as exc:
        raise ApiError(422, exc.code, str(exc), exc.field or "body") from None
    if not dry_run:
        await notify(runtime, plan)
    changes = [c.as_json() for c in plan.changes]
    kept = [k.as_json() for k in plan.kept]  # unchanged: the export's placeholder kept the stored secret
    return {"dryRun": dry_run, "prune": prune, "counts": plan.counts(), "changes": changes, "kept": kept}


async def _bounded_body(request: Request) -> bytes:
    """The body, refused (413) as soon as it passes ``MAX_BODY``: never held in memory whole when too large."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise invalid("body", "the document is larger than 1 MiB", status=413)
        chunks.append(chunk)
    return b"".join(chunks)
