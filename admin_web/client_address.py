"""The visitor's address, for rate limits and audit records: the one function every view uses.

Behind nginx every request comes from the proxy, so one address would share one limit and one
attacker could lock everyone out. ``X-Forwarded-For`` / ``X-Real-IP`` are believed only when the
direct peer is listed in ``PORUCHENO_TRUSTED_PROXIES``; anyone else could simply send the header.
In the chain, the rightmost address that is not a trusted proxy is the client: addresses to its
left were written by the client itself and prove nothing.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from admin_web.keys import SETTINGS_KEY

UNKNOWN = "unknown"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(raw: str) -> tuple[Network, ...]:
    """``PORUCHENO_TRUSTED_PROXIES``: addresses or CIDR networks, separated by commas or spaces."""
    return tuple(ipaddress.ip_network(part, strict=False) for part in raw.replace(",", " ").split())


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(
    remote: str | None, headers: CIMultiDictProxy[str] | CIMultiDict[str], networks: tuple[Network, ...]
) -> str:
    """The client's address given the direct peer ``remote`` and the request headers."""
    peer = _parse(remote or "")
    if peer is None:
        return remote or UNKNOWN
    if not networks or not _trusted(peer, networks):
        return str(peer)
    hops = [part for part in ",".join(headers.getall("X-Forwarded-For", [])).split(",") if part.strip()]
    if not hops:
        real = _parse(headers.get("X-Real-IP", ""))
        return str(real) if real is not None else str(peer)
    client = peer
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # garbage from beyond the last proxy we trust: stop at what we know
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


def client_ip(request: web.BaseRequest) -> str:
    settings = request.config_dict[SETTINGS_KEY]
    return client_address(request.remote, request.headers, trusted_networks(settings.trusted_proxies))
