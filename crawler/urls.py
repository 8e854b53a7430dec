"""Canonical URLs and the address guard.

One row per canonical URL: fragments and tracking parameters go, scheme and host are normalised,
and a source's ``url_rewrites`` map mobile and AMP copies to the article.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

TRACKING_PARAMS = re.compile(r"^(utm_\w+|fbclid|gclid|yclid|mc_cid|mc_eid|ref|from|_ga|n_cid|cx_\w+)$", re.I)


def canonical_url(url: str, rewrites: tuple[tuple[str, str], ...] = ()) -> str:
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and not (scheme == "http" and port == 80 or scheme == "https" and port == 443):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    result = urlunsplit((scheme, host, parts.path or "/", query, ""))
    for pattern, replacement in rewrites:
        result = re.sub(pattern, replacement, result)
    return result


# Names that never belong to a public site: the local host, cloud metadata services, private zones.
INTERNAL_NAMES = ("localhost", "metadata.google.internal", "metadata")
INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa", ".lan", ".intranet")
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")


def host_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host name stands for when it is numeric in any form the resolver accepts:
    dotted, shortened (127.1), hexadecimal or octal parts (0x7f.0.0.1) or one integer (2130706433)."""
    host = host.strip("[]").lower().rstrip(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def is_public_address(host: str) -> bool:
    """False for loopback, private, link-local, reserved and unspecified addresses in any numeric
    spelling, and for internal names ('localhost', '*.internal', cloud metadata)."""
    name = host.strip("[]").lower().rstrip(".")
    if name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES) or not name:
        return False
    address = host_address(name)
    if address is None:
        return True  # a name: resolved and checked by the guard middleware
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast
