"""The newsdesk command line: thin click commands over the stages, one module per audience.

app.py holds the group, the shared options and the exit statuses; jobs.py the scheduled work
(crawl, draft, run, reextract, demo); editing.py the editors' commands; archive.py the researchers'.
A command's module is imported when the command is looked up (app.COMMAND_MODULES says which), so
a command loads only what it needs; ``cli.load_all()`` imports every one.
"""

from pipeline.cli.app import cli, main

__all__ = ["cli", "main"]
