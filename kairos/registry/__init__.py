"""Our OCI Distribution client: image references, registry auth and the requests a pullability check needs."""

from kairos.registry.auth import Challenge, TokenCache, parse_www_authenticate
from kairos.registry.client import Descriptor, Manifest, RegistryClient, RegistryError
from kairos.registry.reference import Reference, parse

__all__ = [
    "Challenge",
    "Descriptor",
    "Manifest",
    "Reference",
    "RegistryClient",
    "RegistryError",
    "TokenCache",
    "parse",
    "parse_www_authenticate",
]
