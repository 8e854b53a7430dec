"""newsdesk's Datasette plugin: the desk's routes, the editors' sign-in, and connection set-up.

Routes only parse the request, call the desk functions (pipeline.desk.*) inside ``execute_write_fn``
(each a transaction) and render templates that extend Datasette's base.html. Plain forms work
without JavaScript; desk.js adds keyboard triage.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import sqlite_utils
from datasette import hookimpl
from datasette.utils.asgi import Forbidden, Response

from pipeline.analyse.health import source_health
from pipeline.desk import actions, candidates, editions, queue
from pipeline.desk.auth import check_password, load_editors
from pipeline.store import QueryError, busy_timeout_ms
from pipeline.store.search import parse_query
from pipeline.store.words import words_query

PLUGIN = "newsdesk"
STATUS_ACTIONS = {"pick": "picked", "reject": "rejected", "reopen": "new"}


def config(datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


@hookimpl(trylast=True)  # after Datasette's own escape_fts, which this replaces
def prepare_connection(conn: sqlite3.Connection):
    conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")  # as the pipeline's own connections
    # Datasette's ?_search= hands the query to escape_fts(); for the word index it must be segmented
    # the way the index is (「不正アクセス」 -> "不正 アクセス"), so two-character words are found too.
    conn.create_function("escape_fts", 1, _escape_fts, deterministic=True)


def _escape_fts(query: str | None) -> str:
    try:
        return words_query(parse_query(query or "")) or '""'
    except QueryError:
        return '""'


@hookimpl
def actor_from_request(datasette, request):
    local = config(datasette).get("local_editor")
    return {"id": local, "local": True} if local else None


@hookimpl
def permission_allowed(datasette, actor, action, resource):
    settings = config(datasette)
    if action in ("view-table", "view-query") and settings.get("public") and isinstance(resource, tuple) \
            and resource[1] == "raw_pages":
        return False  # fetched bodies stay on the server
    if action == "execute-sql" and settings.get("public") and not settings.get("allow_sql"):
        return False
    return None


@hookimpl
def menu_links(datasette, actor):
    return [{"href": datasette.urls.path("/-/desk"), "label": "The desk"},
            {"href": datasette.urls.path("/-/desk/editions"), "label": "Editions"}]


@hookimpl
def register_routes():
    return [
        (r"^/-/desk$", desk_page),
        (r"^/-/desk/candidates/(?P<id>\d+)$", candidate_page),
        (r"^/-/desk/candidates/(?P<id>\d+)/(?P<action>pick|reject|reopen|undo|edit|commentary|position|split)$",
         candidate_action),
        (r"^/-/desk/merge$", merge_action),
        (r"^/-/desk/undo$", undo_action),
        (r"^/-/desk/editions$", editions_page),
        (r"^/-/desk/editions/(?P<id>\d+)\.md$", edition_download),
        (r"^/-/desk/login$", login_page),
        (r"^/-/desk/health$", health_page),
    ]


# --- reading ---------------------------------------------------------------------------------------

def _database(datasette):
    return datasette.get_database(config(datasette).get("database"))


async def _read(datasette, fn):
    return await _database(datasette).execute_fn(lambda conn: fn(sqlite_utils.Database(conn)))


def _filters(request) -> queue.Filters:
    args = request.args
    return queue.Filters(status=args.get("status", "new") or None, source=args.get("source") or None,
                         date_from=args.get("from") or None, date_to=args.get("to") or None,
                         since_last_edition=args.get("since_edition") == "1", sort=args.get("sort", "rank"),
                         limit=min(int(args["limit"]), 1000) if args.get("limit", "").isdigit() else 200)


async def desk_page(datasette, request):
    filters = _filters(request)
    def read(db):
        sources = queue.sources(db)
        return queue.queue(db, filters), sources, source_health(db, sources)

    rows, sources, health = await _read(datasette, read)
    return Response.html(await datasette.render_template("desk.html", {
        "candidates": rows, "filters": filters, "sources": sources, "query": request.query_string, "health": health,
        "statuses": candidates.STATUSES, "sorts": list(queue.SORTS), "editor": _editor(datasette, request),
    }, request=request))


async def health_page(datasette, request):
    report = await _read(datasette, lambda db: source_health(db, queue.sources(db)))
    return Response.html(await datasette.render_template("health.html", {"health": report}, request=request))


async def candidate_page(datasette, request):
    candidate_id = int(request.url_vars["id"])
    try:
        candidate = await _read(datasette, lambda db: queue.detail(db, candidate_id))
    except LookupError as exc:
        return Response.html(await datasette.render_template("desk_message.html", {
            "title": "Not found", "message": str(exc)}, request=request), status=404)
    return Response.html(await datasette.render_template("candidate.html", {
        "c": candidate, "editor": _editor(datasette, request), "back": request.args.get("back", "")},
        request=request))


async def editions_page(datasette, request):
    if request.method == "POST":
        form = await request.post_vars()
        editor = _require_editor(datasette, request)
        issue_date = date.fromisoformat(form["issue_date"]) if form.get("issue_date") else None
        try:
            edition = await _write(datasette, lambda db: editions.create_edition(
                db, issue_date=issue_date, title=form.get("title") or None, editor=editor))
        except editions.NothingPicked as exc:
            datasette.add_message(request, str(exc), datasette.WARNING)
            return Response.redirect("/-/desk/editions")
        datasette.add_message(request, f"edition {edition['id']} made with {len(edition['candidate_ids'])} items")
        return Response.redirect(f"/-/desk/editions#e{edition['id']}")
    listed, waiting = await _read(datasette, lambda db: (editions.list_editions(db), editions.next_items(db)))
    return Response.html(await datasette.render_template("editions.html", {
        "editions": listed, "waiting": waiting, "today": date.today().isoformat(),
        "editor": _editor(datasette, request)}, request=request))


async def edition_download(datasette, request):
    edition_id = int(request.url_vars["id"])
    try:
        edition = await _read(datasette, lambda db: editions.get_edition(db, edition_id))
    except LookupError as exc:
        return Response.text(str(exc), status=404)
    return Response(edition["markdown"], content_type="text/markdown; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="newsdesk-{edition["issue_date"]}-{edition_id}.md"'})


# --- writing ---------------------------------------------------------------------------------------

def _editor(datasette, request) -> str | None:
    settings = config(datasette)
    if settings.get("read_only"):
        return None
    actor = request.actor or {}
    return actor.get("id") if actor.get("id") in settings.get("editors", []) or actor.get("local") else None


def _require_editor(datasette, request) -> str:
    editor = _editor(datasette, request)
    if editor is None:
        raise Forbidden("sign in as an editor to change candidates" if not config(datasette).get("read_only")
                        else "this desk is read-only")
    return editor


def posted(view):
    """A desk action: a POST by a signed-in editor; the view gets the editor's name and the form."""
    async def action(datasette, request):
        if request.method != "POST":
            return Response.text("use the desk's forms (POST)", status=405)
        editor = _require_editor(datasette, request)
        return await view(datasette, request, editor, await request.post_vars())

    return action


async def _write(datasette, fn):
    return await _database(datasette).execute_write_fn(lambda conn: fn(sqlite_utils.Database(conn)), block=True)


def _back(form: dict, candidate_id: int | None = None) -> str:
    target = form.get("next") or "/-/desk"
    if not target.startswith("/-/desk"):  # never redirect off the desk
        target = "/-/desk"
    return target + (f"#c{candidate_id}" if candidate_id and "#" not in target else "")


@posted
async def candidate_action(datasette, request, editor: str, form: dict):
    candidate_id, action = int(request.url_vars["id"]), request.url_vars["action"]
    seen = int(form["seen"]) if form.get("seen", "").isdigit() else None

    def act(db):
        if action in STATUS_ACTIONS:
            return candidates.set_status(db, candidate_id, STATUS_ACTIONS[action], editor=editor, seen=seen)
        if action == "undo":
            return actions.undo(db, candidate_id, editor=editor, seen=seen)
        if action == "edit":
            bullets = [line.strip() for line in form.get("bullets", "").splitlines() if line.strip()]
            return candidates.edit(db, candidate_id, headline=form.get("headline"), bullets=bullets or None,
                                   editor=editor, seen=seen)
        if action == "commentary":
            return actions.set_commentary(db, candidate_id, form.get("commentary", ""), editor=editor, seen=seen)
        if action == "position":
            position = int(form["position"]) if form.get("position", "").isdigit() else None
            return actions.set_position(db, candidate_id, position, editor=editor, seen=seen)
        return actions.split(db, candidate_id, int(form.get("article_id", "0")), editor=editor)

    try:
        result = await _write(datasette, act)
    except candidates.Conflict as exc:
        datasette.add_message(request, str(exc), datasette.ERROR)
        return Response.redirect(f"/-/desk/candidates/{candidate_id}?conflict=1")
    except (LookupError, ValueError) as exc:
        datasette.add_message(request, str(exc.args[0] if exc.args else exc), datasette.ERROR)
        return Response.redirect(_back(form, candidate_id))
    datasette.add_message(request, f"candidate {result['id']}: {_done(action, result)}")
    return Response.redirect(_back(form, candidate_id))


def _done(action: str, result: dict) -> str:
    return {"split": "drafted from the split article", "undo": f"undone (now {result['status']})",
            "edit": "edited", "commentary": "commentary saved", "position": "order saved"}.get(action, result["status"])


@posted
async def merge_action(datasette, request, editor: str, form: dict):
    try:
        keep, absorb = int(form["keep"]), int(form["absorb"])
        result = await _write(datasette, lambda db: actions.merge(db, keep, absorb, editor=editor))
    except (KeyError, ValueError, LookupError) as exc:
        datasette.add_message(request, f"merge refused: {exc.args[0] if exc.args else exc}", datasette.ERROR)
        return Response.redirect(_back(form))
    datasette.add_message(request, f"candidate {absorb} merged into candidate {result['id']}")
    return Response.redirect(_back(form, result["id"]))


@posted
async def undo_action(datasette, request, editor: str, form: dict):
    try:
        result = await _write(datasette, lambda db: actions.undo_last(db, editor=editor))
    except LookupError as exc:
        datasette.add_message(request, str(exc.args[0]), datasette.WARNING)
        return Response.redirect(_back(form))
    datasette.add_message(request, f"candidate {result['id']}: undone (now {result['status']})")
    return Response.redirect(_back(form, result["id"]))


async def login_page(datasette, request):
    editors = load_editors(config(datasette).get("editors_file"))
    if request.method == "POST":
        form = await request.post_vars()
        name = form.get("editor", "")
        if name in editors and check_password(form.get("password", ""), editors[name]):
            response = Response.redirect("/-/desk")
            response.set_cookie("ds_actor", datasette.sign({"a": {"id": name}}, "actor"), httponly=True,
                                samesite="lax")
            return response
        datasette.add_message(request, "unknown editor or wrong password", datasette.ERROR)
        return Response.redirect("/-/desk/login")
    return Response.html(await datasette.render_template("login.html", {"editors": sorted(editors)},
                                                         request=request))
