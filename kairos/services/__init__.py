"""The rules the API, the console, the CLI and config-as-code share, one module per aggregate.

Services take a session and plain values (or the API's pydantic input models, for now), change and read the
database, and raise ``kairos.errors.*``; they know no web framework. Adapters check who may call and map
the errors (docs/architecture.md, "Services")."""
