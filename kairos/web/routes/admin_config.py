"""``/admin/config``: the configuration as code in the console: download the export, paste or upload a
document, see what it would change, then apply it (docs/config-as-code.md). Admins only."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from kairos.api.deps import RuntimeDep, SessionDep
from kairos.config_as_code.errors import ConfigError
from kairos.config_as_code.secrets import SecretPolicy
from kairos.config_as_code.service import import_text, notify
from kairos.web.deps import AdminPage, CheckedForm
from kairos.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_DOCUMENT = 1024 * 1024  # as the API: a larger document takes seconds to parse


@router.get("/admin/config")
async def config_page(request: Request, _: AdminPage) -> Response:
    return render(request, "admin/config.html", document="", prune=False, plan=None, error=None, applied=False)


async def _document(form: CheckedForm) -> str:
    """The uploaded file when one was chosen, else the text area."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        raw = await upload.read(MAX_DOCUMENT + 1)
        if len(raw) > MAX_DOCUMENT:
            raise ConfigError("the document is larger than 1 MiB")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError("the document must be UTF-8") from None
    text = str(form.get("document", ""))
    if len(text.encode("utf-8")) > MAX_DOCUMENT:
        raise ConfigError("the document is larger than 1 MiB")  # cut short, it would only fail further on
    return text


@router.post("/admin/config")
async def preview_or_apply(
    request: Request, _: AdminPage, form: CheckedForm, session: SessionDep, runtime: RuntimeDep
) -> Response:
    apply = form.get("action") == "apply"
    prune = form.get("prune") == "on"
    document = ""
    try:
        document = await _document(form)
        if not document.strip():
            raise ConfigError("paste a document or choose a file")
        policy = SecretPolicy.http(runtime.settings)
        plan = await import_text(
            session, document, runtime.box, source="document", dry_run=not apply, prune=prune, secrets=policy
        )
    except ConfigError as exc:
        return render(request, "admin/config.html", 422, document=document, prune=prune, plan=None, error=str(exc))
    if apply:
        await notify(runtime, plan)
    return render(request, "admin/config.html", document=document, prune=prune, plan=plan, error=None, applied=apply)
