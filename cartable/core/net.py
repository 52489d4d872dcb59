from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; ``X-Forwarded-For`` is believed only from a trusted proxy."""
    return forwarded_client(
        request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_X_FORWARDED_FOR", "")
    )


def forwarded_client(remote: str | None, forwarded: str) -> str | None:
    """``client_ip`` for what is not a Django request (the WebDAV app reads its ASGI scope)."""
    trusted = getattr(settings, "TRUSTED_PROXIES", [])
    if remote and forwarded and remote in trusted:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        # Walk from the nearest hop, skipping our own proxies.
        for hop in reversed(hops):
            if hop not in trusted:
                return hop
    return remote


def address_block(ip: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) network of an address: the unit of per-address limits.

    A school behind one NAT shows one address; a home ISP hands out addresses in one block.
    Limits on the block, set high, stop a flood without locking out a classroom.
    """
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    prefix = 24 if addr.version == 4 else 64
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


def block_address(ip: str) -> str:
    """The first address of the block of ``ip`` (``0.0.0.0`` if ``ip`` is not an address)."""
    block = address_block(ip)
    try:
        return str(ipaddress.ip_network(block, strict=False).network_address)
    except ValueError:
        return "0.0.0.0"  # noqa: S104  # nosec B104  # an address block for rate limits, not a bind
