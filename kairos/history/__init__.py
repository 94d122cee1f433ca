"""Raw check results: their compact encoding, the flush journal, closed blocks and per-resource reads."""
