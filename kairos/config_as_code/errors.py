"""One error type for every refusal of a configuration document: it names the file, the line and the field."""

from __future__ import annotations


class ConfigError(Exception):
    """``kairos.yaml:14: resources[2].target: must be an http(s) URL`` — always one line."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        line: int | None = None,
        field: str | None = None,
        code: str = "validation_error",
    ) -> None:
        self.source = source
        self.code = code  # the API's error code: validation_error, secret_unavailable or yaml_refused
        self.line = line
        self.field = field
        self.reason = message
        where = source + (f":{line}" if line is not None else "")
        text = f"{field}: {message}" if field else message
        super().__init__(f"{where}: {text}" if where else text)
