"""`newsdesk serve`: the desk and the archive in a browser (Datasette with newsdesk's plugin)."""

from __future__ import annotations

import click

from pipeline.cli.app import Context, cli, pass_ctx
from pipeline.cli.output import echo


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback needs --editors or --read-only.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535))
@click.option("--read-only", is_flag=True, help="Researchers only: no desk actions.")
@click.option("--editors", "editors_file", type=click.Path(dir_okay=False, exists=True),
              help="TOML file of editors' password hashes (env NEWSDESK_EDITORS_FILE).")
@click.option("--editor", "local_editor", default="editor", show_default=True,
              help="The name recorded for the one local editor on loopback without --editors.")
@click.option("--allow-sql", is_flag=True, help="Let anonymous users run SQL on a non-loopback server.")
@pass_ctx
def serve(ctx: Context, host, port, read_only, editors_file, local_editor, allow_sql):
    """Serve the desk (/-/desk) and the archive with Datasette.

    \b
    Example:
        newsdesk serve
        newsdesk serve --host 0.0.0.0 --editors editors.toml
        newsdesk serve --host 0.0.0.0 --read-only
    """
    from pipeline.desk.auth import CredentialsError
    from pipeline.desk.server import ServeRefused, build
    from pipeline.desk.server import serve as run_server

    ctx.open(create=False).close()  # exists, is newsdesk's, is migrated
    try:
        datasette = build(ctx.db_file, host=host, read_only=read_only, editors_file=editors_file,
                          local_editor=local_editor, allow_sql=allow_sql)
    except (ServeRefused, CredentialsError) as exc:
        raise click.ClickException(str(exc)) from None
    echo(f"The desk: http://{host}:{port}/-/desk   the archive: http://{host}:{port}/   database {ctx.db_file}")
    run_server(datasette, host, port)


@cli.command("editor-password")
@click.argument("name")
@click.password_option()
def editor_password(name, password):
    """Print an editors-file line for NAME (a PBKDF2 hash of the password asked for).

    \b
    Example:
        newsdesk editor-password alice >> editors.toml
    """
    from pipeline.desk.auth import hash_password

    click.echo(f'{name} = "{hash_password(password)}"')
