"""The command group, the options every command shares, and what each exit status means."""

from __future__ import annotations

import getpass
import importlib
import os
import sqlite3
import sys
from contextlib import contextmanager

import click

from pipeline import store

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANNOT_RUN = 0, 1, 2, 3
EXIT_CODES = f"""\b
Exit status:
  {EXIT_OK}  all fine
  {EXIT_FAILED}  bad input (unknown source or candidate, bad value), or some sources failed
  {EXIT_USAGE}  usage error (unknown command or option, missing argument)
  {EXIT_CANNOT_RUN}  could not run at all (no source reachable, database unusable)"""


class CannotRun(click.ClickException):
    """Nothing could be done: no source was reachable, or the database cannot be used."""

    exit_code = EXIT_CANNOT_RUN


class SomeFailed(click.ClickException):
    """The command ran, but part of the work failed (already reported); exits 1 with a one-line reason."""

    exit_code = EXIT_FAILED


EDITOR_ENV = "NEWSDESK_EDITOR"
SOURCES_ENV = "NEWSDESK_SOURCES"  # crawler.sources.ENV_VAR: the registry module loads only when a command needs it


class Context:
    def __init__(self, db: str | None, sources: str | None):
        self.db_file = store.db_path(db)
        self.sources_file = sources
        # The name an editor's decisions are recorded under ($NEWSDESK_EDITOR, else the login name).
        self.editor = os.environ.get(EDITOR_ENV) or getpass.getuser()
        self.quiet = self.verbose = False  # set by a command's --quiet / --verbose

    def sources(self):
        from crawler.sources import RegistryError, load_sources

        try:
            return load_sources(self.sources_file)
        except RegistryError as exc:
            raise click.ClickException(str(exc)) from None

    def open(self, create: bool = False, write: bool = True):
        """The database; ``write=False`` for commands that only read (they never migrate it)."""
        try:
            return store.open_db(self.db_file, create=create, migrate=write)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None

    def reader(self) -> sqlite3.Connection:
        """The database as a plain read-only sqlite3 connection, for a command that must start fast."""
        try:
            return store.open_reader(self.db_file)
        except FileNotFoundError as exc:
            raise click.ClickException(str(exc)) from None


pass_ctx = click.make_pass_decorator(Context)


@contextmanager
def not_found():
    """An unknown candidate or article id is one sentence for the user, not a traceback."""
    try:
        yield
    except LookupError as exc:
        raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None


DB_HELP = f"SQLite database (default {store.DEFAULT_DB}; env {store.ENV_VAR})."
SOURCES_HELP = f"Source registry replacing the bundled one (env {SOURCES_ENV})."


def _set_db(ctx: click.Context, _param, value):
    if value is not None:
        ctx.ensure_object(Context).db_file = store.db_path(value)


def _set_sources(ctx: click.Context, _param, value):
    if value is not None:
        ctx.ensure_object(Context).sources_file = value


def shared_options(func):
    """--db and --sources after the command name too (`newsdesk crawl --db X`), shown in its --help."""
    func = click.option("--sources", type=click.Path(dir_okay=False, exists=True), expose_value=False,
                        callback=_set_sources, help=SOURCES_HELP)(func)
    return click.option("--db", type=click.Path(dir_okay=False), expose_value=False, callback=_set_db,
                        help=DB_HELP)(func)


def json_option(func):
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")(func)


# The module (in pipeline.cli) that defines each command. Only the one invoked is imported, so
# `newsdesk search` starts without what drafting, crawling or the desk load; --help imports them all.
COMMAND_MODULES = {
    "archive": ["search", "article"],
    "editing": ["candidates", "show", "edit", "pick", "reject", "export", "merge", "split", "undo", "commentary",
                "edition"],
    "jobs": ["sources", "crawl", "draft", "run", "reextract", "demo"],
    "operations": ["health", "check"],
    "serving": ["serve", "editor-password"],
}
MODULE_OF = {command: module for module, commands in COMMAND_MODULES.items() for command in commands}


class Group(click.Group):
    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        shared_options(cmd)  # every command takes the shared options, wherever they are written
        super().add_command(cmd, name)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in MODULE_OF:
            importlib.import_module(f"pipeline.cli.{MODULE_OF[cmd_name]}")  # registers its commands
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(MODULE_OF))

    def load_all(self) -> dict[str, click.Command]:
        """Every command, each module imported (``commands`` holds only those loaded so far)."""
        for module in COMMAND_MODULES:
            importlib.import_module(f"pipeline.cli.{module}")
        return self.commands

    def invoke(self, ctx: click.Context):
        """A database that cannot be used, or stays locked past the busy timeout, is one sentence."""
        try:
            return super().invoke(ctx)
        except store.DatabaseUnusable as exc:
            raise CannotRun(str(exc)) from None
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            waited = store.busy_timeout_ms() / 1000
            raise CannotRun(f"the database is locked by another process; gave up after waiting {waited:g} s "
                            f"(set {store.BUSY_ENV_VAR} to wait longer)") from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.option("--db", envvar=store.ENV_VAR, type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--sources", "sources_file", envvar=SOURCES_ENV, type=click.Path(dir_okay=False, exists=True),
              help=SOURCES_HELP)
@click.version_option(package_name="newsdesk")
@click.pass_context
def cli(ctx, db, sources_file):
    """Watch security-news sources, store their articles in SQLite, draft newsletter items.

    \b
    Example:
        newsdesk run                 # crawl every source, then draft candidates
        newsdesk candidates --status new
        newsdesk crawl nict --db /tmp/test.db
    """
    ctx.obj = Context(db, sources_file)


def main() -> None:
    try:
        cli(prog_name="newsdesk")
    except KeyboardInterrupt:
        sys.exit(130)
