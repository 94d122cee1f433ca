"""Request and response bodies of the REST API (camelCase on the wire)."""
