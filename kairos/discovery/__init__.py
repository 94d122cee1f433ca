"""Registry discovery: sources synced into DOCKER resources, on demand and by a periodic loop."""
