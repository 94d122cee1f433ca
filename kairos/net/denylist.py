"""The target policy: addresses Kairos refuses to connect to (``KAIROS_DENIED_NETWORKS``).

The policy is checked on IP addresses, never on names: after DNS resolution, for every resolved address
(one denied address denies the name, so a rebinding resolver cannot slip one in among public ones), and on
every redirect hop, because each hop opens its own connection through :func:`kairos.net.connect.resolve`.
The connection then goes to the very address that was checked, so there is no second lookup to rebind.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """Denied networks; the empty policy (the default) allows every address. ``proxy`` is a resource's own
    route (None: the default proxy rules; ``"direct"``; or a named proxy, see :mod:`kairos.net.proxy`): it
    travels here because the policy already reaches every connection a check opens."""

    denied: tuple[IpNetwork, ...] = ()
    proxy: str | None = None

    def with_proxy(self, proxy: str | None) -> TargetPolicy:
        return self if proxy == self.proxy else TargetPolicy(self.denied, proxy)

    def denied_network(self, address: str) -> IpNetwork | None:
        """The denied network ``address`` falls in, or None when it may be contacted."""
        if not self.denied:
            return None
        ip = _normalise(address)
        return next((net for net in self.denied if ip.version == net.version and ip in net), None)


OPEN = TargetPolicy()


@functools.lru_cache(maxsize=8)
def parse_networks(text: str) -> TargetPolicy:
    """``"127.0.0.0/8, ::1/128"`` → a policy; raises ``ValueError`` naming the bad entry (Settings adds the
    variable's name, ``KAIROS_DENIED_NETWORKS``, to make it a start-up error).

    A bare address is a /32 (or /128); host bits set are refused, since ``10.0.0.1/8`` is most likely a typo."""
    networks: list[IpNetwork] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=True))
        except ValueError as exc:
            raise ValueError(f"'{item[:60]}' is not a network in CIDR notation ({exc})") from None
    return TargetPolicy(tuple(networks))


def address_class(address: str) -> str:
    """Words for the kind of address that was refused (shown to users instead of the exact network)."""
    ip = _normalise(address)
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip in _SHARED or ip.is_private:
        return "a private network address"
    return "an address"


_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT; not is_private in Python


def _normalise(address: str) -> IpAddress:
    """An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is the IPv4 address it carries: the kernel
    connects to that one, so the policy must judge that one too. A zone id (``fe80::1%eth0``) is dropped."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip
