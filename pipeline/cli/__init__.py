"""The newsdesk command line: thin click commands over the stages, one module per audience.

app.py holds the group, the shared options and the exit statuses; jobs.py the scheduled work
(crawl, draft, run, reextract, demo); editing.py the editors' commands; archive.py the researchers'.
"""

from pipeline.cli import archive, editing, jobs, operations, serving  # noqa: F401 - importing registers them
from pipeline.cli.app import cli, main

__all__ = ["cli", "main"]
