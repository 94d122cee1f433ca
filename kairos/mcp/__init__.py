"""The MCP server (Model Context Protocol, on the official ``mcp`` SDK): Kairos' tools and resources for AI
assistants, served at ``/mcp`` (Streamable HTTP) and ``/sse`` + ``/mcp/message`` (the Java Kairos' legacy SSE
pair), and bridged to stdio by ``kairos mcp``. An adapter like the API: tools call the same services, with the
same visibility rules and error codes (docs/mcp.md)."""
