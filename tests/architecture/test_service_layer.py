"""The layers' import rules (docs/architecture.md): adapters → services → db, probes, scheduler.

The console does not reach into the API's route functions, and services know no web framework (nor the API's
request plumbing: dependencies, HTTP errors, routes), so the CLI and config-as-code can use them as they are.
The same AST walk as the cycle test; an import under ``if TYPE_CHECKING:`` does not count."""

from __future__ import annotations

import ast

from tests.architecture.test_imports import _base, _imports, edges, module_names

# What a service may not import: web frameworks and the API's HTTP side (its pydantic schemas are allowed
# for now, until they move beside the services).
_NOT_IN_SERVICES = ("fastapi", "starlette", "kairos.api.deps", "kairos.api.errors", "kairos.api.routes")


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def imported_names(module: str) -> set[str]:
    """Every module name ``module`` imports, inside the package or not (``from a import b`` gives a and a.b)."""
    path = module_names()[module]
    names: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        else:
            base = _base(module, path, node)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_no_console_module_imports_the_api_routes() -> None:
    graph = edges(module_names())
    found = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if _under(module, "kairos.web")
        for target in targets
        if _under(target, "kairos.api.routes")
    )
    assert not found, "kairos.web imports kairos.api.routes:\n" + "\n".join(found)


def test_services_know_no_web_framework_nor_the_api_plumbing() -> None:
    services = [m for m in module_names() if _under(m, "kairos.services")]
    assert "kairos.services.resources" in services  # the walk sees the package
    found = sorted(
        f"{module} -> {name}"
        for module in services
        for name in imported_names(module)
        if any(_under(name, banned) for banned in _NOT_IN_SERVICES)
    )
    assert not found, "services importing the web or the API's HTTP side:\n" + "\n".join(found)


# The health check's whole job is to ask the database itself whether it reads and writes.
_SQL_ALLOWED = {"kairos.api.routes.actuator"}
_SQL_BUILDERS = {f"sqlalchemy.{name}" for name in ("select", "insert", "update", "delete", "text")}


def test_adapters_run_no_sql_of_their_own() -> None:
    adapters = [
        m
        for m in module_names()
        if any(_under(m, p) for p in ("kairos.api.routes", "kairos.web.routes", "kairos.cli")) and m not in _SQL_ALLOWED
    ]
    assert "kairos.web.routes.badges" in adapters  # the walk sees them
    found = sorted(f"{m} -> {name}" for m in adapters for name in imported_names(m) & _SQL_BUILDERS)
    assert not found, "routes and commands building SQL (it belongs in a service):\n" + "\n".join(found)
