"""Shared fixtures: a real SQLite file, the fixture mirror server in a subprocess, CLI runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import store

ROOT = Path(__file__).resolve().parents[1]
DEMO_SITE = ROOT / "pipeline" / "demo_site"
FAULT_SITE = ROOT / "tests" / "fixtures" / "faults"
REAL_SAMPLES = ROOT.parent / "shared" / "real-samples"


@pytest.fixture
def db(tmp_path):
    database = store.open_db(tmp_path / "test.db")
    yield database
    database.close()


class MirrorServer:
    """`python -m crawler.mirror ROOT` in a subprocess; reads its port from stdout."""

    def __init__(self, root: Path, log: Path):
        self.log_file = log
        self.process = subprocess.Popen([sys.executable, "-m", "crawler.mirror", str(root), "--log", str(log)],
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.process.stdout.readline()
        assert line.startswith("PORT "), f"mirror server did not start: {line!r}"
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def requests(self) -> list[dict]:
        if not self.log_file.exists():
            return []
        return [json.loads(line) for line in self.log_file.read_text().splitlines()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def mirror_server(tmp_path):
    server = MirrorServer(DEMO_SITE, tmp_path / "requests.jsonl")
    yield server
    server.stop()


def run_newsdesk(*args: str, db: Path | None = None, timeout: int = 300, env: dict | None = None):
    """Run the CLI in a subprocess (the Twisted reactor starts once per process)."""
    environment = {**os.environ, **(env or {})}
    if db is not None:
        environment["NEWSDESK_DB"] = str(db)
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
                          cwd=ROOT, env=environment, timeout=timeout)


def pytest_collection_modifyitems(config, items):
    """Browser tests last: a running Playwright loop breaks asyncio tests that come after it."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium through Playwright (runs last)")


def kill_when(process: subprocess.Popen, ready, what: str, within: float) -> None:
    """SIGKILL the process as soon as ``ready()`` is true (it must not end first, and must get
    there within ``within`` seconds)."""
    deadline = time.monotonic() + within
    while not ready():
        assert process.poll() is None, "the crawl ended before it could be killed"
        assert time.monotonic() < deadline, f"{what} within {within:g} s"
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=10) == -signal.SIGKILL
