"""Download failures as a short reason and a sentence, for crawl_errors."""

from __future__ import annotations

_REASONS = [("dns", "dns"), ("timeout", "timeout"), ("timedout", "timeout"), ("refused", "connection-refused"),
            ("cancel", "too-large"), ("maxsize", "too-large"), ("filenotfound", "not-found"),
            ("ignorerequest", "ignored"), ("connection", "connection-lost"), ("responsefailed", "connection-lost"),
            ("neverreceived", "connection-lost"), ("connectiondone", "connection-lost")]


def classify(failure) -> tuple[str, str]:
    """A short reason and a sentence for a download failure."""
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        return f"http-{response.status}", f"server answered HTTP {response.status}"
    name = type(exc).__name__
    lowered = name.lower()
    reason = next((label for marker, label in _REASONS if marker in lowered), lowered)
    if "robots.txt" in str(exc).lower():
        reason = "robots"
    return reason, f"{name}: {exc}"[:500]
