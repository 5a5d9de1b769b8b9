"""Requests to addresses someone else chose (a partner's webhook): never to an internal service.

A target's host is resolved and every address it resolves to must be public: not loopback, private,
link-local, shared (CGNAT), multicast, reserved or unspecified, in IPv4 or IPv6, nor carry such an IPv4
address (mapped, 6to4, NAT64). An operator may allow named networks for a private deployment
(``MENTORNET_WEBHOOK_ALLOWED_NETWORKS``). The request then goes to the address that was checked — the
host only names it in ``Host`` and in TLS's server name — so a DNS answer that changes after the check
(rebinding) cannot move it; proxies from the environment are ignored and redirects are not followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolve = Callable[[str, int], Awaitable[list[str]]]
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The target may not be reached; the message says why without echoing any address."""


async def resolve(host: str, port: int) -> list[str]:
    answers = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(answer[4][0]) for answer in answers]


def carried(ip: IP) -> list[IP]:
    """The address and any IPv4 address inside it (mapped, 6to4, NAT64): each must pass."""
    found: list[IP] = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        found += [inner for inner in (ip.ipv4_mapped, ip.sixtofour) if inner is not None]
        if ip in NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def public(ip: IP) -> bool:
    return ip.is_global and not ip.is_multicast


@dataclass(frozen=True)
class Target:
    """A checked target: the URL to request (its host replaced by the checked address) and the headers and
    extensions that keep naming the original host."""

    url: str
    host: str
    address: str

    def headers(self) -> dict[str, str]:
        return {"host": self.host}

    def extensions(self) -> dict[str, str]:
        return {"sni_hostname": self.host.split(":")[0].strip("[]")}


class Egress:
    def __init__(self, allowed_networks: Sequence[str] = (), resolver: Resolve | None = None) -> None:
        self._allowed = [ipaddress.ip_network(n, strict=False) for n in allowed_networks]
        self._resolve = resolver

    def allows(self, ip: IP) -> bool:
        if any(ip in network for network in self._allowed if network.version == ip.version):
            return True
        return all(public(inner) for inner in carried(ip))

    async def check(self, url: str) -> Target:
        """The target ``url`` leads to, pinned to an address that may be reached; Refused otherwise."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused("only http and https URLs with a host")
        if parts.username or parts.password:
            raise Refused("no credentials in the URL")
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            literal: IP | None = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        try:
            lookup = self._resolve or resolve
            addresses = [str(literal)] if literal is not None else await lookup(host, port)
        except OSError as exc:
            raise Refused(f"{host} does not resolve") from exc
        if not addresses:
            raise Refused(f"{host} does not resolve")
        ips = [ipaddress.ip_address(a.split("%")[0]) for a in addresses]
        if not all(self.allows(ip) for ip in ips):
            raise Refused(f"{host} resolves to an address that is not public")
        chosen = ips[0]
        pinned = f"[{chosen}]" if chosen.version == 6 else str(chosen)
        netloc = f"{pinned}:{parts.port}" if parts.port else pinned
        host_header = parts.netloc.rsplit("@", 1)[-1]
        return Target(urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header,
                      str(chosen))  # fmt: skip
