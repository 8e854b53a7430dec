"""The store: the SQLite schema and its migrations, and every read and write other stages share.

The floor everything stands on: the crawler, stories, drafting and the desk all go through it, and
it imports no other part of newsdesk. ``pipeline.store.schema`` is the only module with SQL DDL.
"""

from pipeline.store.articles import (
    ARTICLE_FIELDS,
    MSRC_RELEASE_URL,
    article_detail,
    article_urls,
    compress_body,
    content_hash,
    decompress_page,
    known_articles,
    mark_checked,
    msrc_release_url,
    raw_pages,
    save_article,
    save_validators,
    stored_pages,
    strip_controls,
    validators,
)
from pipeline.store.cursors import clear_cursor, job_cursor, save_cursor
from pipeline.store.db import (
    BUSY_ENV_VAR,
    BUSY_TIMEOUT_MS,
    DEFAULT_DB,
    ENV_VAR,
    WRITER_CACHE_KIB,
    DatabaseUnusable,
    busy_timeout_ms,
    db_path,
    open_db,
    open_reader,
)
from pipeline.store.runs import (
    TRANSIENT_REASONS,
    finish_run,
    last_finished_run,
    last_finished_starts,
    record_error,
    run_summary,
    save_source,
    start_run,
    unresolved_citations,
    urls_to_retry,
)
from pipeline.store.schema import now_iso, schema_version
from pipeline.store.search import QueryError, search
from pipeline.store.transactions import transaction

__all__ = [
    "article_detail", "ARTICLE_FIELDS", "article_urls", "BUSY_ENV_VAR", "BUSY_TIMEOUT_MS", "busy_timeout_ms",
    "clear_cursor", "compress_body", "content_hash", "DatabaseUnusable", "db_path", "decompress_page",
    "DEFAULT_DB", "ENV_VAR", "WRITER_CACHE_KIB", "finish_run", "job_cursor", "known_articles",
    "last_finished_run", "last_finished_starts", "mark_checked", "MSRC_RELEASE_URL", "msrc_release_url",
    "now_iso", "open_db", "open_reader", "QueryError", "raw_pages", "record_error", "run_summary", "save_article",
    "save_cursor", "save_source", "save_validators", "schema_version", "search", "start_run", "stored_pages",
    "strip_controls", "transaction", "TRANSIENT_REASONS", "unresolved_citations", "urls_to_retry", "validators",
]
