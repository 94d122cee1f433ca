"""Configuration as code: the ``kairos/v1`` YAML format, its export, and its import as one transaction.

``source`` reads a document (any supported version, or the Java Kairos export) into ``v1.KairosConfig``;
``export`` writes the database as a document; ``plan`` compares a document with the database and applies it."""
