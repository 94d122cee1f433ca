"""``kairos mcp``: Kairos' MCP tools on stdio for a local AI assistant, bridged to a running Kairos with an API
key (kairos/mcp/bridge.py). The SDK is imported only when the command runs, so ``kairos --help`` stays fast."""

from __future__ import annotations

from typing import Annotated

import typer

from kairos.cli.common import fail, first_line

DEFAULT_URL = "http://127.0.0.1:8080"


def mcp_command(
    url: Annotated[
        str, typer.Option("--url", envvar="KAIROS_URL", help="The Kairos server (its base URL or its /mcp URL).")
    ] = DEFAULT_URL,
    api_key: Annotated[
        str | None,
        typer.Option(
            "--api-key", envvar="KAIROS_API_KEY", help="An API key with the MCP_ACCESS scope.", show_default=False
        ),
    ] = None,
) -> None:
    """Serve the MCP tools on stdio for a local AI assistant, bridged to a running Kairos.

    For Claude Desktop, VS Code, Cursor, …: talks to the Kairos at --url with --api-key (a key with MCP_ACCESS),
    so the tools, scopes and visibility are the server's (docs/mcp.md)."""
    if not api_key or not api_key.strip():
        fail("an API key is needed: --api-key or KAIROS_API_KEY (a key with the MCP_ACCESS scope)")
    import asyncio

    from kairos.mcp.bridge import BridgeError, endpoint, run_bridge

    try:
        target = endpoint(url)
    except BridgeError as exc:
        fail(str(exc))
    try:
        asyncio.run(run_bridge(target, api_key.strip()))
    except BridgeError as exc:
        fail(str(exc), code=1)
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except Exception as exc:  # the server went away mid-session, or answered something unexpected
        fail(f"the MCP bridge stopped: {first_line(_innermost(exc))}", code=1)


def _innermost(exc: BaseException) -> BaseException:
    """The SDK's task groups wrap the error that ended the bridge in exception groups: the first leaf is it."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
