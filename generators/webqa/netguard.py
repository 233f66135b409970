"""Which addresses the crawler may connect to: an allow-rule, not a block list.

An address is fetched only when Python's ``ipaddress`` calls it global (``is_global``, and not multicast:
Python counts 224.0.0.0/4 as global), or when it is listed
exactly in ``allow_addresses`` (tests list ``127.0.0.1``). A block list always misses a range (the shared
100.64.0.0/10 space holds a cloud metadata address; 6to4 wraps any IPv4 address); asking "is this one of the
addresses the whole internet can route to" does not.

IPv6 addresses that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``, Teredo
``2001::/32``, NAT64 ``64:ff9b::/96`` and ``64:ff9b:1::/48``) are judged by the IPv4 address inside as well:
both must pass. The check runs on the resolved addresses, and the connection then goes to the address that
was checked, so a second DNS answer cannot swap in another one (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    pass


def embedded_ipv4(ip: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo server and client, NAT64)."""
    if ip.version != 6:
        return []
    out = []
    if ip.ipv4_mapped is not None:
        out.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        out.append(ip.sixtofour)
    if ip.teredo is not None:
        out.extend(ip.teredo)  # (server, client): the client address is the one traffic goes to
    for net in _NAT64:
        if ip in net:
            out.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return out


def _listed(ip: IPAddress, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        try:
            if ip == ipaddress.ip_address(entry):
                return True
        except ValueError:
            # a CIDR entry: the whole network is allowed explicitly
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
    return False


def check_address(address: str, allowed: tuple[str, ...] = ()) -> str | None:
    """None when ``address`` may be fetched, else why not. Pure: it never touches the network."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"{address!r} is not an IP address"
    if _listed(ip, allowed):
        return None
    if not ip.is_global or ip.is_multicast:
        return f"{ip} is not a global unicast address"
    for inner in embedded_ipv4(ip):
        if (not inner.is_global or inner.is_multicast) and not _listed(inner, allowed):
            return f"{ip} wraps {inner}, which is not a global unicast address"
    return None


def resolve_allowed(host: str, port: int, allowed: tuple[str, ...]) -> str:
    """An address of ``host`` we may connect to; raises ``AddressRefused`` otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"cannot resolve {host!r}: {exc}") from None
    refused = []
    for info in infos:
        address = str(info[4][0])
        why = check_address(address, allowed)
        if why is None:
            return address.split("%", 1)[0]
        refused.append(why)
    raise AddressRefused(f"{host} resolves only to refused addresses ({'; '.join(sorted(set(refused)))}); "
                         f"allow one exactly with crawl.allow_addresses")
