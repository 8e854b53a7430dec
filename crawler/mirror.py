"""The local mirror: how a real URL maps to a mirror URL, and a small server for a mirror directory.

``https://HOST/PATH?QUERY`` is fetched as ``MIRROR/HOST/PATH?QUERY``. A ``file:///DIR`` mirror is a
directory laid out as ``wget --mirror`` writes it: ``index.html`` for paths ending in ``/`` and the
query string kept in the file name (``article/index.html?page=2``). The server below serves such a
directory over HTTP; a sidecar file ``NAME.headers`` (``Header: value`` lines) overrides headers.
The body is sent as stored, so a pre-compressed file with ``Content-Encoding: gzip`` in its sidecar
is served as-is. In the sidecar, ``Status: NNN`` sets the status (with ``Location:`` for a redirect),
and these pseudo-headers, never sent to the client, simulate a misbehaving server (fault tests):

- ``X-Mirror-Delay: SECONDS`` sleeps before answering;
- ``X-Mirror-Reset: 1`` closes the connection abruptly (TCP RST) without any response;
- ``X-Mirror-Fail-Times: N`` answers the first N requests for the path with the sidecar's Status
  (503 when none) and headers such as ``Retry-After``, then serves the file with 200;
- ``X-Mirror-Truncate: BYTES`` sends only the first BYTES of the body (Content-Length promises all
  of it), then closes the connection.

Each request is logged once answered: ``{"path", "status"`` (a number, or ``"reset"``), ``"at"`` (when it
arrived, epoch seconds), ``"headers"``, ``"client_port"}`` (the client's end of the connection: one
port per connection); a delayed request appears in the log only after its delay.

Run it alone: ``python -m crawler.mirror DIR [--port N] [--log FILE]`` prints ``PORT <n>``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import socket
import struct
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

MIRROR_META = "newsdesk_real_url"


def mirror_url(real_url: str, mirror: str) -> str:
    """The URL to fetch from the mirror for a real URL."""
    parts = urlsplit(real_url)
    host = parts.netloc.lower()
    path = parts.path or "/"
    base = mirror.rstrip("/")
    if base.startswith("file://"):
        name = path + ("index.html" if path.endswith("/") else "")
        if parts.query:
            name += "?" + parts.query
        return f"{base}/{host}{quote(name, safe='/')}"
    return f"{base}/{host}{path}" + (f"?{parts.query}" if parts.query else "")


def real_url_from_mirror(url: str, mirror: str) -> str | None:
    """The real URL a mirror URL stands for (https assumed), or None when url is not in the mirror."""
    base = mirror.rstrip("/") + "/"
    if not url.startswith(base):
        return None
    rest = unquote(url[len(base):]) if base.startswith("file://") else url[len(base):]
    host, _, path = rest.partition("/")
    path = "/" + path
    if base.startswith("file://"):
        path, _, query = path.partition("?")
        path = path.removesuffix("index.html") if path.endswith("/index.html") else path
        return f"https://{host}{path}" + (f"?{query}" if query else "")
    return f"https://{host}{path}"


def file_for(root: Path, request_path: str) -> Path | None:
    """The file in a wget-layout directory that answers /HOST/PATH?QUERY, or None (404)."""
    parts = urlsplit(request_path)
    relative = unquote(parts.path).lstrip("/")
    if relative.endswith("/") or not relative:
        relative += "index.html"
    if parts.query:
        relative += "?" + parts.query
    candidate = (root / relative).resolve()
    if root.resolve() not in candidate.parents or not candidate.is_file():
        return None
    return candidate


class MirrorHandler(BaseHTTPRequestHandler):
    server_version = "newsdesk-mirror"
    protocol_version = "HTTP/1.1"  # connections stay open between requests, as a real site's do
    root: Path
    log: list
    counts: dict  # requests seen per path, for X-Mirror-Fail-Times
    lock: threading.Lock

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.arrived = time.time()
        target = file_for(self.root, self.path)
        if target is None:
            self._send(404, {"Content-Type": "text/plain"}, b"not in mirror\n")
            return
        body = target.read_bytes()
        headers = {"Content-Type": _content_type(target, body), **_sidecar_headers(target)}
        fault = {name.lower().removeprefix("x-mirror-"): headers.pop(name)
                 for name in list(headers) if name.lower().startswith("x-mirror-")}
        status = int(headers.pop("Status", 200))
        with self.lock:
            self.counts[self.path] = seen = self.counts.get(self.path, 0) + 1
        time.sleep(float(fault.get("delay", 0)))
        if fault.get("reset"):
            self._reset()
        elif "fail-times" in fault and seen <= int(fault["fail-times"]):
            self._send(status if status >= 400 else 503, headers, b"try again later\n")
        elif "fail-times" in fault:
            self._send(200, headers, body)
        elif status == 200 and self._not_modified(target, body, headers):
            self._send(304, headers, b"")
        else:
            self._send(status, headers, body, int(fault.get("truncate", len(body))))

    def _not_modified(self, target: Path, body: bytes, headers: dict) -> bool:
        """Validators like a static web server's: ETag from the content, Last-Modified from the file."""
        headers.setdefault("ETag", '"' + hashlib.sha1(body).hexdigest()[:16] + '"')
        headers.setdefault("Last-Modified", formatdate(target.stat().st_mtime, usegmt=True))
        if "If-None-Match" in self.headers:
            return self.headers["If-None-Match"] == headers["ETag"]
        since = self.headers.get("If-Modified-Since")
        try:
            return since is not None and parsedate_to_datetime(since) >= parsedate_to_datetime(
                headers["Last-Modified"])
        except (TypeError, ValueError):
            return False

    def _send(self, status: int, headers: dict, body: bytes, length: int | None = None) -> None:
        """Answer; with length shorter than the body, promise the whole body but send only length bytes."""
        self._log(status)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[:length])
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout, its size limit)
            self.close_connection = True
        if length is not None and length < len(body):
            self.close_connection = True  # the client sees the body cut short

    def _reset(self) -> None:
        """Drop the connection with a TCP RST (linger on, timeout 0, close) instead of answering."""
        self._log("reset")
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _log(self, status: int | str) -> None:
        self.log.append({"path": self.path, "status": status, "at": self.arrived, "headers": dict(self.headers),
                         "client_port": self.client_address[1]})

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


def _content_type(target: Path, body: bytes) -> str:
    name = target.name.split("?", 1)[0]
    if name.endswith((".rdf", ".xml", ".rss")):
        return "application/xml"
    guessed, _ = mimetypes.guess_type(name)
    if guessed:
        return guessed
    head = body.lstrip(b"\xef\xbb\xbf \r\n\t")[:1]
    return {b"{": "application/json", b"[": "application/json", b"<": "application/xml"}.get(head, "text/plain")


def _sidecar_headers(target: Path) -> dict[str, str]:
    sidecar = target.with_name(target.name + ".headers")
    if not sidecar.is_file():
        return {}
    pairs = (line.split(":", 1) for line in sidecar.read_text().splitlines() if ":" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def serve(root: Path, port: int = 0, log: list | None = None) -> ThreadingHTTPServer:
    """Start serving ``root`` on 127.0.0.1 in a background thread; returns the server."""
    handler = type("Handler", (MirrorHandler,), {"root": Path(root), "log": log if log is not None else [],
                                                 "counts": {}, "lock": threading.Lock()})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a wget-layout mirror directory on 127.0.0.1.")
    parser.add_argument("root", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", type=Path, help="append one JSON line per request to this file")
    args = parser.parse_args()
    log = _FileLog(args.log) if args.log else []
    server = serve(args.root, args.port, log)
    print(f"PORT {server.server_address[1]}", flush=True)
    threading.Event().wait()


class _FileLog(list):
    """A request log that also appends each entry to a JSON-lines file (read by tests)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def append(self, entry: dict) -> None:
        super().append(entry)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(entry) + "\n")


if __name__ == "__main__":
    main()
