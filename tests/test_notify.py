"""Notifications through Apprise to a local receiver: each event once, failed sends tried again,
never failing the run (issue 12)."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import DEMO_SITE, run_newsdesk
from pipeline import store
from pipeline.ops.notify import record_events, send_pending


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what Apprise's json:// posts to it."""

    def __init__(self, port: int = 0):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_run_announces_new_candidates_once_and_retries_failed_sends(tmp_path):
    port = free_port()
    env = {"NEWSDESK_NOTIFY": f"json://127.0.0.1:{port}/hook", "NEWSDESK_NOTIFY_SCORE": "15"}
    db_file = tmp_path / "notify.db"
    first = run_newsdesk("run", "--mirror", DEMO_SITE.as_uri(), "--since", "2000-01-01", db=db_file, env=env)
    assert first.returncode == 0, first.stderr  # the receiver is down: the run still succeeds
    assert "notifications: 0 sent" in first.stderr and "tried again next run" in first.stderr
    db = store.open_db(db_file)
    high = db.execute("SELECT count(*) FROM candidates WHERE score >= 15").fetchone()[0]
    assert high >= 1 and db.execute("SELECT count(*) FROM notifications WHERE sent_at IS NULL").fetchone()[0] == high
    receiver = Receiver(port)
    try:
        second = run_newsdesk("run", "--mirror", DEMO_SITE.as_uri(), db=db_file, env=env)
        assert second.returncode == 0 and f"notifications: {high} sent" in second.stderr
        assert len(receiver.received) == high
        assert all(message["title"].startswith("newsdesk: ") for message in receiver.received)
        third = run_newsdesk("run", "--mirror", DEMO_SITE.as_uri(), db=db_file, env=env)
        assert third.returncode == 0 and len(receiver.received) == high  # each event is sent once
    finally:
        receiver.stop()


def test_a_source_turning_failing_and_recovering_is_announced(db, monkeypatch):
    receiver = Receiver()
    urls = [f"json://127.0.0.1:{receiver.port}/"]
    monkeypatch.setenv("NEWSDESK_NOTIFY", urls[0])
    try:
        for day in (2, 1):
            db["crawl_runs"].insert({"run_id": "r", "source": "nict", "started_at": f"2026-11-2{day}T00:00:00+00:00",
                                     "status": "failed", "finish_reason": "nothing-read"})
        assert record_events(db, ["nict"]) == 1
        assert record_events(db, ["nict"]) == 0  # still failing: not announced again
        assert send_pending(db, urls)["sent"] == 1
        db["crawl_runs"].insert({"run_id": "r", "source": "nict", "started_at": "2026-11-29T00:00:00+00:00",
                                 "status": "finished", "finish_reason": "finished"})
        assert record_events(db, ["nict"]) == 1
        send_pending(db, urls)
        titles = [message["title"] for message in receiver.received]
        assert titles == ["newsdesk: nict is failing", "newsdesk: nict recovered"]
        assert "could not read anything" in receiver.received[0]["message"]
    finally:
        receiver.stop()
