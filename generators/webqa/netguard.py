"""Which addresses the crawler may connect to.

Private, loopback, link-local, multicast, reserved and unspecified addresses are refused unless the config
lists them: a crawler that follows links can otherwise be steered at a cloud metadata endpoint or at services
on the machine it runs on. The check is made on the resolved addresses, and the connection then goes to the
address that was checked (so a second DNS answer cannot swap in another one).
"""

from __future__ import annotations

import ipaddress
import socket


class AddressRefused(Exception):
    pass


def _networks(allowed: tuple[str, ...]):
    return [ipaddress.ip_network(a, strict=False) for a in allowed]


def is_public(ip: ipaddress._BaseAddress) -> bool:
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or getattr(ip, "is_site_local", False))


def resolve_allowed(host: str, port: int, allowed: tuple[str, ...]) -> str:
    """An address of ``host`` we may connect to; raises ``AddressRefused`` otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"cannot resolve {host!r}: {exc}") from None
    networks = _networks(allowed)
    refused = []
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if is_public(ip) or any(ip in net for net in networks):
            return str(ip)
        refused.append(str(ip))
    raise AddressRefused(f"{host} resolves only to non-public addresses {sorted(set(refused))} "
                         f"(allow them with crawl.allow_addresses)")
