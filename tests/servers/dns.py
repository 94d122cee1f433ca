"""A small authoritative DNS server on loopback for the DNS kind's tests: dnslib's ``DNSServer`` answering
from a zone text over UDP and TCP on one free port, plus a silent one that never answers (timeouts).

Names under ``servfail.``/``refused.`` answer with that rcode; names under ``secure.`` carry the AD flag (as a
validating resolver would set it); any other unknown name is NXDOMAIN, and a known name without the asked
type is an empty NOERROR answer. Every query is logged with its transport, so a test can tell UDP from TCP."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from dnslib import QTYPE, RCODE, RR, DNSRecord  # type: ignore[import-untyped]
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer  # type: ignore[import-untyped]

from tests.servers.ports import free_port

ZONE = """
example.test.          60 IN A     192.0.2.1
example.test.          60 IN A     192.0.2.2
example.test.          60 IN AAAA  2001:db8::1
example.test.          60 IN MX    10 mail.example.test.
example.test.          60 IN MX    20 Backup.Example.Test.
example.test.          60 IN TXT   "v=spf1 -all"
example.test.          60 IN TXT   "part one " "part two"
example.test.          60 IN NS    ns1.example.test.
example.test.          60 IN SOA   ns1.example.test. hostmaster.example.test. 2026120501 3600 600 86400 60
example.test.          60 IN CAA   0 issue "letsencrypt.org"
www.example.test.      60 IN CNAME example.test.
_sip._tcp.example.test. 60 IN SRV  10 5 5060 sip.example.test.
mail.example.test.     60 IN A     192.0.2.25
secure.example.test.   60 IN A     192.0.2.53
"""


@dataclass(frozen=True, slots=True)
class Query:
    name: str  # without the trailing dot, lower case
    qtype: str
    transport: str  # "udp" or "tcp"
    ad_asked: bool


@dataclass
class ZoneResolver(BaseResolver):  # type: ignore[misc]
    records: list[RR] = field(default_factory=lambda: RR.fromZone(ZONE))
    queries: list[Query] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        qname = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        with self.lock:
            self.queries.append(Query(qname, qtype, handler.protocol, bool(request.header.ad)))
        reply = request.reply()
        reply.header.ra = 1
        if qname.startswith("servfail."):
            reply.header.rcode = RCODE.SERVFAIL
            return reply
        if qname.startswith("refused."):
            reply.header.rcode = RCODE.REFUSED
            return reply
        owned = [rr for rr in self.records if str(rr.rname).rstrip(".").lower() == qname]
        if not owned:
            reply.header.rcode = RCODE.NXDOMAIN
            return reply
        reply.header.aa = 1
        reply.header.ad = int(qname.startswith("secure."))
        for rr in self._answers(owned, qtype):
            reply.add_answer(rr)
        return reply

    def _answers(self, owned: list[RR], qtype: str) -> list[RR]:
        cname = [rr for rr in owned if QTYPE[rr.rtype] == "CNAME"]
        if cname and qtype != "CNAME":  # follow the alias inside the zone, as an authoritative server does
            target = str(cname[0].rdata.label).rstrip(".").lower()
            chased = [rr for rr in self.records if str(rr.rname).rstrip(".").lower() == target]
            return cname + [rr for rr in chased if QTYPE[rr.rtype] == qtype]
        return [rr for rr in owned if QTYPE[rr.rtype] == qtype]


@dataclass
class DnsServers:
    port: int  # the zone, over UDP and TCP
    silent_port: int  # a UDP socket and a TCP listener that never answer
    zone: ZoneResolver

    @property
    def resolver(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def silent(self) -> str:
        return f"127.0.0.1:{self.silent_port}"

    def queries_for(self, name: str) -> list[Query]:
        with self.zone.lock:
            return [q for q in self.zone.queries if q.name == name]


def _silent_pair() -> tuple[socket.socket, socket.socket]:
    """A UDP socket that never reads and a TCP listener that never accepts, on one port."""
    for _ in range(20):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        tcp.listen(8)
        return udp, tcp
    raise RuntimeError("no free port for the silent DNS server")


@contextlib.contextmanager
def dns_servers() -> Iterator[DnsServers]:
    zone = ZoneResolver()
    quiet = DNSLogger(log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False)
    for _ in range(20):  # a free TCP port whose UDP twin may be taken: try another
        port = free_port()
        try:
            udp = DNSServer(zone, address="127.0.0.1", port=port, logger=quiet)
        except OSError:
            continue
        try:
            tcp = DNSServer(zone, address="127.0.0.1", port=port, tcp=True, logger=quiet)
            break
        except OSError:
            udp.server.server_close()
    else:
        raise RuntimeError("no free port for the DNS server")
    silent_udp, silent_tcp = _silent_pair()
    silent_port = silent_udp.getsockname()[1]
    udp.start_thread()
    tcp.start_thread()
    try:
        yield DnsServers(port, silent_port, zone)
    finally:
        udp.stop()
        tcp.stop()
        silent_udp.close()
        silent_tcp.close()
