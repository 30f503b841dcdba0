"""The address ranges the server never fetches: a fixed table, the same on every Python.

Written on 2026-12-07 from IANA's IPv4 and IPv6 Special-Purpose Address Registries
(RFC 6890 and its updates; https://www.iana.org/assignments/iana-ipv4-special-registry/,
https://www.iana.org/assignments/iana-ipv6-special-registry/), plus the ranges those
registries leave to others: IPv4 multicast, and IPv6 multicast, site-local and everything
outside global unicast (the IPv6 Address Space registry). `ipaddress`'s `is_private` and
`is_global` are not used: their tables differ between Python patch releases (3.10.13 and
3.11.7 call 192.0.0.192, Oracle Cloud's metadata address, and fec0::/10 global).

Every range of the table is refused, including the few that IANA marks globally reachable
(anycast services: PCP, TURN, AS112 DNS, AMT relays): none of them serves a web page. Three
ranges carry an IPv4 address and are judged by it instead (IPv4-mapped, the well-known NAT64
prefix, 6to4). An address outside every range is public.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

REGISTRY_DATE = "2026-12-07"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class SpecialRange:
    network: ipaddress.IPv4Network | ipaddress.IPv6Network
    kind: str  # the phrase a refusal uses: "a loopback address (this machine)"
    source: str  # where the range is defined
    iana_global: bool | None  # IANA's "Globally Reachable" (None: not applicable or not in the registry)
    embeds_ipv4: bool = False  # judged by the IPv4 address it carries


# prefix | IANA's "globally reachable" (-: N/A or not listed) | E: judged by the IPv4 address it carries |
# source (*: not in the special-purpose registry) | what it is, as a refusal names it
_IPV4 = """
0.0.0.0/8          | no  | - | RFC 791, RFC 1122   | a "this network" address (this machine)
0.0.0.0/32         | no  | - | RFC 1122            | the "this host" address (this machine)
10.0.0.0/8         | no  | - | RFC 1918            | a private address
100.64.0.0/10      | no  | - | RFC 6598            | a carrier-grade NAT address (a provider's private network)
127.0.0.0/8        | no  | - | RFC 1122            | a loopback address (this machine)
169.254.0.0/16     | no  | - | RFC 3927            | a link-local address (where cloud metadata services answer)
172.16.0.0/12      | no  | - | RFC 1918            | a private address
192.0.0.0/24       | no  | - | RFC 6890            | an IETF protocol address (where Oracle Cloud metadata answers)
192.0.0.0/29       | no  | - | RFC 7335            | an IPv4 service continuity address
192.0.0.8/32       | no  | - | RFC 7600            | the IPv4 dummy address
192.0.0.9/32       | yes | - | RFC 7723            | the PCP anycast address (a service, not a web site)
192.0.0.10/32      | yes | - | RFC 8155            | the TURN anycast address (a service, not a web site)
192.0.0.170/31     | no  | - | RFC 7050, RFC 8880  | a NAT64/DNS64 discovery address
192.0.2.0/24       | no  | - | RFC 5737            | a documentation address (TEST-NET-1)
192.31.196.0/24    | yes | - | RFC 7535            | an AS112 DNS address (a service, not a web site)
192.52.193.0/24    | yes | - | RFC 7450            | an AMT relay address (a service, not a web site)
192.88.99.0/24     | -   | - | RFC 7526            | a 6to4 relay anycast address (deprecated)
192.168.0.0/16     | no  | - | RFC 1918            | a private address
192.175.48.0/24    | yes | - | RFC 7534            | an AS112 DNS address (a service, not a web site)
198.18.0.0/15      | no  | - | RFC 2544            | a benchmarking address
198.51.100.0/24    | no  | - | RFC 5737            | a documentation address (TEST-NET-2)
203.0.113.0/24     | no  | - | RFC 5737            | a documentation address (TEST-NET-3)
224.0.0.0/4        | -   | - | RFC 5771*           | a multicast address
240.0.0.0/4        | no  | - | RFC 1112            | a reserved address
255.255.255.255/32 | no  | - | RFC 919, RFC 8190   | the limited broadcast address
"""

_IPV6 = """
::/128             | no  | - | RFC 4291            | the unspecified address (this machine)
::1/128            | no  | - | RFC 4291            | a loopback address (this machine)
::/96              | -   | - | RFC 4291*           | an IPv4-compatible address (deprecated)
::ffff:0:0/96      | no  | E | RFC 4291            | an IPv4-mapped address
64:ff9b::/96       | yes | E | RFC 6052            | a NAT64 address
64:ff9b:1::/48     | no  | - | RFC 8215            | a local-use NAT64 address
100::/64           | no  | - | RFC 6666            | a discard-only address
100:0:0:1::/64     | no  | - | RFC 9780            | the dummy IPv6 prefix
2001::/23          | no  | - | RFC 2928            | an IETF protocol address
2001::/32          | -   | - | RFC 4380, RFC 8190  | a Teredo address
2001:1::1/128      | yes | - | RFC 7723            | the PCP anycast address (a service, not a web site)
2001:1::2/128      | yes | - | RFC 8155            | the TURN anycast address (a service, not a web site)
2001:1::3/128      | yes | - | RFC 9665            | the DNS-SD SRP anycast address (a service, not a web site)
2001:2::/48        | no  | - | RFC 5180, erratum 1752| a benchmarking address
2001:3::/32        | yes | - | RFC 7450            | an AMT address (a service, not a web site)
2001:4:112::/48    | yes | - | RFC 7535            | an AS112 DNS address (a service, not a web site)
2001:10::/28       | -   | - | RFC 4843            | a deprecated ORCHID address
2001:20::/28       | yes | - | RFC 7343            | an ORCHIDv2 address (an overlay identifier, not a host)
2001:30::/28       | yes | - | RFC 9374            | a drone remote ID address (an identifier, not a host)
2001:db8::/32      | no  | - | RFC 3849            | a documentation address
2002::/16          | -   | E | RFC 3056            | a 6to4 address
2620:4f:8000::/48  | yes | - | RFC 7534            | an AS112 DNS address (a service, not a web site)
3fff::/20          | no  | - | RFC 9637            | a documentation address
5f00::/16          | no  | - | RFC 9602            | a segment routing (SRv6) identifier
fc00::/7           | no  | - | RFC 4193, RFC 8190  | a unique-local address (a private network)
fe80::/10          | no  | - | RFC 4291            | a link-local address (where cloud metadata services answer)
fec0::/10          | -   | - | RFC 3879*           | a site-local address (deprecated; a private network)
ff00::/8           | -   | - | RFC 4291*           | a multicast address
"""

GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
OUTSIDE_GLOBAL_UNICAST = "an address outside IPv6 global unicast (2000::/3: the rest is reserved)"


def _table(text: str) -> tuple[SpecialRange, ...]:
    rows = []
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split("|")]
        prefix, reachable, embeds, source, kind = cells
        rows.append(SpecialRange(ipaddress.ip_network(prefix), kind, source.rstrip("*"),
                                 {"yes": True, "no": False}.get(reachable), embeds == "E"))
    # longest prefix first: an address takes the name of the most specific range holding it
    return tuple(sorted(rows, key=lambda r: -r.network.prefixlen))


IPV4_RANGES = _table(_IPV4)
IPV6_RANGES = _table(_IPV6)


def special_range(ip: IPAddress) -> SpecialRange | None:
    """The most specific range of the table that holds `ip`, or None."""
    for row in IPV4_RANGES if ip.version == 4 else IPV6_RANGES:
        if ip in row.network:
            return row
    return None


def embedded_ipv4(ip: ipaddress.IPv6Address, row: SpecialRange) -> ipaddress.IPv4Address:
    """The IPv4 address an IPv4-mapped, NAT64 (/96) or 6to4 address carries."""
    if row.network.prefixlen == 16:  # 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
        return ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


def refused_kind(ip: IPAddress) -> str | None:
    """Why `ip` must not be fetched (a phrase naming its range), or None for a public address."""
    row = special_range(ip)
    if row is not None and row.embeds_ipv4:
        carried = embedded_ipv4(ip, row)
        kind = refused_kind(carried)
        return f"{kind}, written as IPv6 ({row.kind} of {carried})" if kind else None
    if row is not None:
        return f"{row.kind}, in {row.network} ({row.source})"
    if ip.version == 6 and ip not in GLOBAL_UNICAST:
        return OUTSIDE_GLOBAL_UNICAST
    return None
