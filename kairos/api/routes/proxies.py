"""``/api/proxies``: the default outbound proxy with its include/exclude rules, and named proxies a resource may
go through. Passwords are write-only and encrypted at rest.

The rules are :mod:`kairos.services.proxies`'s; this is the HTTP adapter."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from kairos.api.deps import RequireAdmin, RuntimeDep, SessionDep
from kairos.api.errors import error_responses
from kairos.api.schemas.proxies import (
    DefaultProxyPublic,
    DefaultProxyUpdate,
    NamedProxyCreate,
    NamedProxyPublic,
    NamedProxyUpdate,
    ProxiesPublic,
)
from kairos.services import proxies as svc

router = APIRouter(prefix="/api/proxies", tags=["proxies"])

_ADMIN = "Needs an admin. Passwords are never returned, in any form."
_WRITE = _ADMIN + " Checks use the change at once (a fleet's workers too)."
ProxyNameIn = Annotated[str, Path(max_length=64, description="The proxy's name.")]


@router.get(
    "",
    summary="The default proxy and the named proxies",
    response_model=ProxiesPublic,
    description=_ADMIN,
    responses=error_responses(401, 403),
)
async def list_proxies(session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> ProxiesPublic:
    return await svc.list_proxies(session, runtime)


@router.put(
    "/default",
    summary="Set the default proxy and its rules",
    response_model=DefaultProxyPublic,
    description=_WRITE + " 409 `proxy_from_environment` when KAIROS_PROXY_* set it. Leave out `password` to keep it.",
    responses=error_responses(400, 401, 403, 409, 422),
)
async def set_default(
    body: DefaultProxyUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> DefaultProxyPublic:
    return await svc.set_default(session, runtime, body)


@router.post(
    "",
    status_code=201,
    summary="Add a named proxy",
    response_model=NamedProxyPublic,
    description=_WRITE,
    responses=error_responses(400, 401, 403, 409, 422),
)
async def create_named(
    body: NamedProxyCreate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> NamedProxyPublic:
    return await svc.create_named(session, runtime, body)


@router.get(
    "/{name}",
    summary="Read a named proxy",
    response_model=NamedProxyPublic,
    description=_ADMIN,
    responses=error_responses(401, 403, 404, 422),
)
async def get_named(name: ProxyNameIn, session: SessionDep, _: RequireAdmin) -> NamedProxyPublic:
    return await svc.get_named(session, name)


@router.put(
    "/{name}",
    summary="Edit a named proxy",
    response_model=NamedProxyPublic,
    description=_WRITE + " Fields left out keep their value (leave out `password` to keep it).",
    responses=error_responses(400, 401, 403, 404, 422),
)
async def update_named(
    name: ProxyNameIn, body: NamedProxyUpdate, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin
) -> NamedProxyPublic:
    return await svc.update_named(session, runtime, name, body)


@router.delete(
    "/{name}",
    status_code=204,
    summary="Delete a named proxy",
    description=_WRITE + " 409 `proxy_in_use` while a resource goes through it.",
    responses=error_responses(401, 403, 404, 409, 422),
)
async def delete_named(name: ProxyNameIn, session: SessionDep, runtime: RuntimeDep, _: RequireAdmin) -> Response:
    await svc.delete_named(session, runtime, name)
    return Response(status_code=204)
