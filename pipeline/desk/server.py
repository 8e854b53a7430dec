"""`newsdesk serve`: Datasette on the database with newsdesk's plugin, for editors and researchers."""

from __future__ import annotations

import asyncio
import ipaddress
import os
from pathlib import Path

from datasette.app import Datasette
from datasette.plugins import pm

from pipeline.desk import plugin
from pipeline.desk.auth import ENV_VAR as EDITORS_ENV
from pipeline.desk.auth import load_editors
from pipeline.desk.metadata import archive_metadata

HERE = Path(__file__).parent
SECRET_ENV = "NEWSDESK_SECRET"  # signs the editors' session cookies; random (sessions end) when unset


class ServeRefused(ValueError):
    """The server would be open to others without credentials."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def build(db_file: Path, *, host: str = "127.0.0.1", read_only: bool = False, editors_file: str | None = None,
          local_editor: str = "editor", allow_sql: bool = False) -> Datasette:
    """The Datasette instance. On a non-loopback address, writes need signed-in editors."""
    public = not is_loopback(host)
    editors_file = editors_file or os.environ.get(EDITORS_ENV)
    editors = load_editors(editors_file)
    if public and not editors and not read_only:
        raise ServeRefused(f"refusing to serve the desk on {host} without editors' credentials: give "
                           f"--editors FILE (or {EDITORS_ENV}), or serve researchers only with --read-only")
    name = db_file.stem
    metadata = archive_metadata(name, public)
    metadata["plugins"] = {plugin.PLUGIN: {
        "database": name, "public": public, "read_only": read_only, "editors": sorted(editors),
        "editors_file": editors_file, "allow_sql": allow_sql,
        "local_editor": None if (public or editors or read_only) else local_editor,
    }}
    settings = {"truncate_cells_html": 160, "allow_download": not public, "allow_csv_stream": True,
                "default_allow_sql": allow_sql or not public, "sql_time_limit_ms": 3000}
    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsdesk-desk")
    return Datasette([str(db_file)], metadata=metadata, settings=settings, template_dir=str(HERE / "templates"),
                     static_mounts=[("desk-static", str(HERE / "static"))], secret=os.environ.get(SECRET_ENV))


def serve(datasette: Datasette, host: str, port: int) -> None:
    import uvicorn

    loop = asyncio.new_event_loop()  # as `datasette serve` does: start-up hooks on their own loop
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(datasette.invoke_startup())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
