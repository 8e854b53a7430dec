"""Canonical URLs and the address guard.

One row per canonical URL: fragments and tracking parameters go, scheme and host are normalised,
and a source's ``url_rewrites`` map mobile and AMP copies to the article.
"""

from __future__ import annotations

import ipaddress
import re
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


def is_public_address(host: str) -> bool:
    """False for loopback, private, link-local, reserved and unspecified addresses, and 'localhost'."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name: resolved and checked by the guard middleware
    return address.is_global and not address.is_multicast
