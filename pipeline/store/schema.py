"""The schema: the only module that writes DDL.

Migrations are small numbered functions applied once, in order, each in its own transaction and
recorded in ``schema_migrations``. Released migrations are never edited; changes come as new ones.
docs/schema.md documents every table and column (a test checks it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pipeline.store.transactions import transaction

if TYPE_CHECKING:
    import sqlite3

    import sqlite_utils


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _m001_core(db: sqlite_utils.Database) -> None:
    for statement in CORE_SCHEMA:
        db.execute(statement)


CORE_SCHEMA = [
    """CREATE TABLE sources (
        key TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        lang TEXT NOT NULL,
        registry TEXT NOT NULL,           -- the registry entry as JSON, as last crawled
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,             -- one per command invocation, shared by its sources
        source TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',  -- running | finished | failed
        finish_reason TEXT,
        since TEXT,
        mirror TEXT,
        pages_fetched INTEGER NOT NULL DEFAULT 0,
        articles_new INTEGER NOT NULL DEFAULT 0,
        articles_changed INTEGER NOT NULL DEFAULT 0,
        articles_unchanged INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX crawl_runs_source ON crawl_runs(source, started_at)",
    """CREATE TABLE crawl_errors (
        id INTEGER PRIMARY KEY,
        crawl_run_id INTEGER REFERENCES crawl_runs(id),
        source TEXT NOT NULL,
        url TEXT NOT NULL,
        reason TEXT NOT NULL,             -- short class: http-404, timeout, dns, decode, extract, feed, ...
        detail TEXT,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX crawl_errors_run ON crawl_errors(crawl_run_id)",
    """CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        url TEXT NOT NULL UNIQUE,         -- canonical URL of the real site (never the mirror)
        title TEXT NOT NULL,
        published_at TEXT,                -- ISO 8601 with offset
        modified_at TEXT,
        author TEXT,
        lang TEXT,
        lead TEXT,
        text TEXT NOT NULL,
        highlights TEXT,                  -- JSON list: the publisher's own summary bullets
        feed_summary TEXT,
        body_status TEXT NOT NULL CHECK (body_status IN ('full', 'partial')),
        content_hash TEXT NOT NULL,
        version INTEGER NOT NULL DEFAULT 1,
        first_seen_at TEXT NOT NULL,
        last_fetched_at TEXT NOT NULL,
        last_checked_at TEXT NOT NULL
    )""",
    "CREATE INDEX articles_source_published ON articles(source, published_at)",
    """CREATE TABLE article_versions (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id),
        version INTEGER NOT NULL,
        title TEXT NOT NULL,
        lead TEXT,
        text TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        fetched_at TEXT NOT NULL,         -- when this version was fetched
        superseded_at TEXT NOT NULL,      -- when a newer version replaced it
        UNIQUE (article_id, version)
    )""",
    """CREATE TABLE raw_pages (
        url TEXT PRIMARY KEY,             -- real URL of the fetched page (an article may span pages)
        article_id INTEGER NOT NULL REFERENCES articles(id),
        page INTEGER NOT NULL DEFAULT 1,
        fetched_at TEXT NOT NULL,
        status INTEGER NOT NULL,
        headers TEXT NOT NULL,            -- JSON object of response headers
        body_zlib BLOB NOT NULL,          -- response body, zlib-compressed
        context TEXT                      -- JSON: what the crawler knew besides the page (feed entry)
    )""",
    "CREATE INDEX raw_pages_article ON raw_pages(article_id)",
    """CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, lead, text, content='articles', content_rowid='id', tokenize='trigram'
    )""",
    """CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, lead, text) VALUES (new.id, new.title, new.lead, new.text);
    END""",
    """CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, lead, text)
        VALUES ('delete', old.id, old.title, old.lead, old.text);
    END""",
    """CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, lead, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, lead, text)
        VALUES ('delete', old.id, old.title, old.lead, old.text);
        INSERT INTO articles_fts(rowid, title, lead, text) VALUES (new.id, new.title, new.lead, new.text);
    END""",
]

def _m002_sources_and_incremental(db: sqlite_utils.Database) -> None:
    for statement in INCREMENTAL_SCHEMA:
        db.execute(statement)


INCREMENTAL_SCHEMA = [
    "ALTER TABLE articles ADD COLUMN kind TEXT NOT NULL DEFAULT 'news'",  # news | primary | release
    "ALTER TABLE crawl_runs ADD COLUMN articles_skipped INTEGER NOT NULL DEFAULT 0",  # known, not yet due
    """CREATE TABLE http_validators (
        url TEXT PRIMARY KEY,             -- real URL of a feed, listing or API list
        etag TEXT,
        last_modified TEXT,
        status INTEGER,
        checked_at TEXT NOT NULL
    )""",
    """CREATE TABLE article_links (
        news_article_id INTEGER NOT NULL REFERENCES articles(id),
        cited_url TEXT NOT NULL,          -- canonical URL of the cited page
        cited_article_id INTEGER REFERENCES articles(id),  -- set once the cited page is stored
        link_text TEXT,
        signals TEXT NOT NULL,            -- JSON list: why it counts as a primary source
        found_at TEXT NOT NULL,
        PRIMARY KEY (news_article_id, cited_url)
    )""",
    "CREATE INDEX article_links_cited ON article_links(cited_url)",
    """CREATE TABLE vulnerabilities (
        id INTEGER PRIMARY KEY,
        release_id TEXT NOT NULL,         -- MSRC release, e.g. 2020-Feb
        article_id INTEGER NOT NULL REFERENCES articles(id),
        cve TEXT NOT NULL,
        title TEXT,
        severity TEXT,                    -- highest across products: Critical, Important, Moderate, Low
        impact TEXT,
        exploited INTEGER NOT NULL,       -- 1 = exploitation detected
        publicly_disclosed INTEGER NOT NULL,
        products TEXT NOT NULL,           -- JSON list of affected product names
        kb_numbers TEXT NOT NULL,         -- JSON list of KB numbers
        cvss_base_score REAL,
        last_revision_date TEXT,
        UNIQUE (release_id, cve)
    )""",
    "CREATE INDEX vulnerabilities_cve ON vulnerabilities(cve)",
]

def _m003_stories_and_candidates(db: sqlite_utils.Database) -> None:
    for statement in STORY_SCHEMA:
        db.execute(statement)


STORY_SCHEMA = [
    """CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL DEFAULT 'news',      -- news | release
        title TEXT NOT NULL,
        first_published_at TEXT,
        last_published_at TEXT,
        facts TEXT NOT NULL DEFAULT '[]',       -- JSON list of key facts (kind, text, value)
        merged_into INTEGER REFERENCES stories(id),  -- set when an editor merged it into another story
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE story_articles (
        story_id INTEGER NOT NULL REFERENCES stories(id),
        article_id INTEGER NOT NULL UNIQUE REFERENCES articles(id),  -- an article belongs to one story
        role TEXT NOT NULL CHECK (role IN ('news', 'primary', 'duplicate', 'release')),
        article_version INTEGER NOT NULL,       -- the article version the pipeline last processed
        added_at TEXT NOT NULL,
        PRIMARY KEY (story_id, article_id)
    )""",
    """CREATE TABLE article_signatures (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        version INTEGER NOT NULL,
        minhash BLOB NOT NULL                   -- MinHash of character shingles (near-duplicate detection)
    )""",
    """CREATE TABLE lsh_buckets (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, bucket, article_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id)",
    """CREATE TABLE candidates (
        id INTEGER PRIMARY KEY,
        story_id INTEGER NOT NULL UNIQUE REFERENCES stories(id),
        headline TEXT NOT NULL,
        news_url TEXT,
        primary_url TEXT,
        links TEXT NOT NULL DEFAULT '[]',       -- JSON: [{url, role, title}], news first, then primary
        bullets TEXT NOT NULL,                  -- JSON: [{text, article_id, sentence_index, source_sentence}]
        related TEXT NOT NULL DEFAULT '[]',     -- JSON: earlier related stories for the commentary
        excerpt TEXT,
        excerpt_title TEXT,
        score REAL NOT NULL DEFAULT 0,
        explanation TEXT NOT NULL DEFAULT '[]', -- JSON: [{signal, weight}] that made the score
        facts TEXT NOT NULL DEFAULT '[]',
        summariser TEXT NOT NULL DEFAULT 'extractive',
        status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'picked', 'rejected')),
        edited INTEGER NOT NULL DEFAULT 0,      -- 1 once an editor changed it: software never overwrites it
        needs_review INTEGER NOT NULL DEFAULT 0,  -- 1 when new articles joined the story of an edited draft
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX candidates_status_score ON candidates(status, score)",
    """CREATE TABLE candidate_history (
        id INTEGER PRIMARY KEY,
        candidate_id INTEGER NOT NULL REFERENCES candidates(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,                    -- 'editor' or 'software'
        action TEXT NOT NULL,                   -- drafted, redrafted, edited, picked, rejected, flagged, ...
        changes TEXT NOT NULL DEFAULT '{}'      -- JSON: field -> [old, new]
    )""",
    "CREATE INDEX candidate_history_candidate ON candidate_history(candidate_id)",
]

def _m004_story_revisions(db: sqlite_utils.Database) -> None:
    # A story counts its changes; a candidate remembers the revision it was drafted from, so a story
    # changed after its draft (or a draft killed midway) is drafted by the next run.
    db.execute("ALTER TABLE stories ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE candidates ADD COLUMN drafted_revision INTEGER")
    db.execute("UPDATE candidates SET drafted_revision = 0")
    db.execute("CREATE INDEX crawl_errors_url ON crawl_errors(url)")  # has this URL failed for good?


def _m005_rebuild_keeps_ids(db: sqlite_utils.Database) -> None:
    db.execute("""CREATE TABLE story_rebuild (
        story_id INTEGER NOT NULL,               -- a story as it was when `draft --rebuild` started
        article_id INTEGER NOT NULL,
        PRIMARY KEY (story_id, article_id)
    ) WITHOUT ROWID""")
    db.execute("""CREATE TABLE retired_candidates (
        id INTEGER PRIMARY KEY,                  -- a candidate id a rebuild retired; never given out again
        article_ids TEXT NOT NULL,               -- JSON list: the articles its story had
        retired_at TEXT NOT NULL
    )""")


def _m006_desk(db: sqlite_utils.Database) -> None:
    from pipeline.store.words import WORDS_SCHEMA, article_words, index_article  # fugashi loads only when migrating

    db.execute(WORDS_SCHEMA)
    for article_id, title, lead, text in db.execute("SELECT id, title, lead, text FROM articles").fetchall():
        index_article(db, article_id, *article_words(title, lead, text))
    db.execute("ALTER TABLE candidates ADD COLUMN commentary TEXT")      # the editor's 所感
    db.execute("ALTER TABLE candidates ADD COLUMN position INTEGER")     # order among picked items
    db.execute("ALTER TABLE candidate_history ADD COLUMN editor TEXT")   # who, when actor = 'editor'
    db.execute("""CREATE TABLE editions (
        id INTEGER PRIMARY KEY,
        issue_date TEXT NOT NULL,                -- the newsletter's date (YYYY-MM-DD)
        title TEXT NOT NULL,
        candidate_ids TEXT NOT NULL,             -- JSON list, in the published order
        markdown TEXT NOT NULL,                  -- the edition as published
        editor TEXT,
        created_at TEXT NOT NULL
    )""")
    db.execute("CREATE INDEX editions_date ON editions(issue_date)")


def _m007_join_evidence(db: sqlite_utils.Database) -> None:
    # Why each article is in its story: {"by": "citation" | "release" | "near-duplicate" | "new" | "editor", ...}
    db.execute("ALTER TABLE story_articles ADD COLUMN evidence TEXT")


def _m008_notifications(db: sqlite_utils.Database) -> None:
    db.execute("""CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,                -- the event, once: candidate:ID, health:SOURCE:STATUS:…
        kind TEXT NOT NULL,                      -- candidate | degraded | failing | recovered
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,                            -- NULL until a service accepted it
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
    )""")
    db.execute("""CREATE TABLE source_status (
        source TEXT PRIMARY KEY,
        status TEXT NOT NULL,                    -- the health last notified: ok | degraded | failing
        changed_at TEXT NOT NULL
    )""")


GROUPING_SCHEMA = [
    """CREATE TABLE article_profiles (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        version INTEGER NOT NULL,                -- the article version profiled
        published_at TEXT,
        terms TEXT NOT NULL,                     -- JSON {"title": {term: count}, "body": {term: count}}
        facts TEXT NOT NULL,                     -- JSON {"id": [CVE/KB], "org": [...], "count": [...]}
        keys TEXT NOT NULL                       -- JSON list: the look-up keys posted in term_postings
    )""",
    """CREATE TABLE term_postings (
        term TEXT NOT NULL,                      -- a rare term or fact (org:…, id:…) of an article
        published_at TEXT NOT NULL,              -- the article's date ('' when unknown): look-ups are bounded by time
        article_id INTEGER NOT NULL,
        PRIMARY KEY (term, published_at, article_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE term_stats (
        term TEXT PRIMARY KEY,                   -- '' holds the number of articles profiled
        df INTEGER NOT NULL                      -- articles whose profile has the term (for IDF)
    ) WITHOUT ROWID""",
    """CREATE TABLE story_centroids (
        story_id INTEGER PRIMARY KEY REFERENCES stories(id),
        articles INTEGER NOT NULL,
        title TEXT NOT NULL,                     -- JSON {term: summed count} of its articles' titles
        body TEXT NOT NULL,                      -- JSON {term: summed count} of their bodies (the top terms)
        facts TEXT NOT NULL,                     -- JSON: the union of their facts
        title_norm REAL NOT NULL,                -- TF-IDF vector lengths when last saved (cosine)
        body_norm REAL NOT NULL,
        first_published_at TEXT,
        last_published_at TEXT
    )""",
]


def _m009_centroid_grouping(db: sqlite_utils.Database) -> None:
    # Stories grouped against centroids: article profiles, time-bounded postings of rare terms and
    # facts, document frequencies kept incrementally. Existing stories are profiled by the next draft.
    for statement in GROUPING_SCHEMA:
        db.execute(statement)
    # LSH buckets carry the article's date, so a look-up reads only the weeks around an article
    # instead of every article that ever shared a bucket.
    db.execute("""CREATE TABLE lsh_buckets_dated (
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        published_at TEXT NOT NULL,              -- the article's date ('' when unknown)
        article_id INTEGER NOT NULL,
        PRIMARY KEY (band, bucket, published_at, article_id)
    ) WITHOUT ROWID""")
    db.execute("INSERT INTO lsh_buckets_dated SELECT b.band, b.bucket, coalesce(a.published_at, ''), b.article_id "
               "FROM lsh_buckets b JOIN articles a ON a.id = b.article_id")
    db.execute("DROP TABLE lsh_buckets")
    db.execute("ALTER TABLE lsh_buckets_dated RENAME TO lsh_buckets")
    db.execute("CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id)")
    # The revision a story was last checked at for fragments of the same event (the repair pass).
    db.execute("ALTER TABLE stories ADD COLUMN repaired_revision INTEGER")
    db.execute("UPDATE stories SET repaired_revision = revision")


def _m010_story_indexes(db: sqlite_utils.Database) -> None:
    # Retiring a story (a repair or editor's merge) looks up the stories merged into it, and the
    # foreign key from stories.merged_into is checked on every delete: without an index both scan
    # every story. Partial: a full index would tempt the planner to answer "merged_into IS NULL"
    # (nearly every story) through it.
    db.execute("CREATE INDEX stories_merged_into ON stories(merged_into) WHERE merged_into IS NOT NULL")


def _m011_job_cursors(db: sqlite_utils.Database) -> None:
    # How far a long job that commits as it goes (`newsdesk reextract`) got: a killed run resumes
    # after the last article it stored; a finished run removes its row and the next starts over.
    db.execute("""CREATE TABLE job_cursors (
        job TEXT PRIMARY KEY,                    -- reextract, or reextract:SOURCE for one source
        last_id INTEGER NOT NULL,                -- the last article id done (articles are done in id order)
        fingerprint TEXT NOT NULL,               -- of the registry the job ran with: another registry starts over
        started_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""")


# Work queues: what the next draft has to look at, kept by triggers whatever writes the tables (the
# crawl, reextract, an editor, another program), so that a scheduled draft reads only what changed
# instead of scanning the archive. An entry only says "look again": the draft decides from the
# tables themselves, and removes an entry only by a statement that checks it needs nothing.
QUEUE_SCHEMA = [
    "CREATE TABLE grouping_queue (article_id INTEGER PRIMARY KEY)  -- new or changed articles, lost stories",
    "CREATE TABLE drafting_queue (story_id INTEGER PRIMARY KEY)    -- stories whose content or candidate changed",
    """CREATE TRIGGER grouping_queue_new AFTER INSERT ON articles BEGIN
        INSERT OR IGNORE INTO grouping_queue VALUES (new.id); END""",
    """CREATE TRIGGER grouping_queue_changed AFTER UPDATE OF version ON articles WHEN new.version IS NOT old.version
        BEGIN INSERT OR IGNORE INTO grouping_queue VALUES (new.id); END""",
    """CREATE TRIGGER grouping_queue_gone AFTER DELETE ON articles BEGIN
        DELETE FROM grouping_queue WHERE article_id = old.id; END""",
    """CREATE TRIGGER grouping_queue_ungrouped AFTER DELETE ON story_articles BEGIN
        INSERT OR IGNORE INTO grouping_queue VALUES (old.article_id);
        INSERT OR IGNORE INTO drafting_queue VALUES (old.story_id); END""",
    """CREATE TRIGGER grouping_queue_unprofiled AFTER DELETE ON article_profiles BEGIN
        INSERT OR IGNORE INTO grouping_queue VALUES (old.article_id); END""",
    """CREATE TRIGGER drafting_queue_joined AFTER INSERT ON story_articles BEGIN
        INSERT OR IGNORE INTO drafting_queue VALUES (new.story_id); END""",
    """CREATE TRIGGER drafting_queue_moved AFTER UPDATE OF story_id ON story_articles BEGIN
        INSERT OR IGNORE INTO drafting_queue VALUES (new.story_id);
        INSERT OR IGNORE INTO drafting_queue VALUES (old.story_id); END""",
    """CREATE TRIGGER drafting_queue_new AFTER INSERT ON stories BEGIN
        INSERT OR IGNORE INTO drafting_queue VALUES (new.id); END""",
    """CREATE TRIGGER drafting_queue_revised AFTER UPDATE OF revision, merged_into ON stories BEGIN
        INSERT OR IGNORE INTO drafting_queue VALUES (new.id); END""",
    """CREATE TRIGGER drafting_queue_gone AFTER DELETE ON stories BEGIN
        DELETE FROM drafting_queue WHERE story_id = old.id; END""",
    """CREATE TRIGGER drafting_queue_undrafted AFTER DELETE ON candidates BEGIN
        INSERT OR IGNORE INTO drafting_queue VALUES (old.story_id); END""",
]


def _m012_work_queues(db: sqlite_utils.Database) -> None:
    for statement in QUEUE_SCHEMA:
        db.execute(statement)
    # What the scans this replaces would find now: ungrouped, changed or unprofiled articles ...
    db.execute("INSERT INTO grouping_queue SELECT a.id FROM articles a "
               "LEFT JOIN story_articles sa ON sa.article_id = a.id "
               "LEFT JOIN article_profiles p ON p.article_id = a.id "
               "WHERE sa.story_id IS NULL OR sa.article_version < a.version OR p.article_id IS NULL")
    # ... and stories with articles and no candidate, or changed since it was drafted.
    db.execute("INSERT INTO drafting_queue SELECT st.id FROM stories st LEFT JOIN candidates c ON c.story_id = st.id "
               "WHERE st.merged_into IS NULL AND (c.id IS NULL OR c.drafted_revision IS NULL "
               "OR c.drafted_revision < st.revision)")


# Each posting carries its article's story, so a look-up of candidate stories reads the postings
# alone instead of finding each posting's story (two index searches a posting). Triggers keep it
# true whatever moves an article (grouping, a repair, an editor's split, a rebuild); store_profile
# writes it with the postings. The postings of one article are found through its profile's keys.
_ARTICLE_POSTINGS = ("article_id = {side}.article_id AND term IN (SELECT value FROM json_each((SELECT keys FROM "
                     "article_profiles WHERE article_id = {side}.article_id))) AND published_at = (SELECT "
                     "coalesce(published_at, '') FROM article_profiles WHERE article_id = {side}.article_id)")
POSTING_STORY_SCHEMA = [
    f"""CREATE TRIGGER term_postings_joined AFTER INSERT ON story_articles BEGIN
        UPDATE term_postings SET story_id = new.story_id WHERE {_ARTICLE_POSTINGS.format(side="new")}; END""",
    f"""CREATE TRIGGER term_postings_moved AFTER UPDATE OF story_id ON story_articles
        WHEN new.story_id IS NOT old.story_id BEGIN
        UPDATE term_postings SET story_id = new.story_id WHERE {_ARTICLE_POSTINGS.format(side="new")}; END""",
    f"""CREATE TRIGGER term_postings_left AFTER DELETE ON story_articles BEGIN
        UPDATE term_postings SET story_id = NULL WHERE {_ARTICLE_POSTINGS.format(side="old")}; END""",
]


def _m013_posting_stories(db: sqlite_utils.Database) -> None:
    db.execute("ALTER TABLE term_postings ADD COLUMN story_id INTEGER")  # the article's story (NULL: in none)
    db.execute("UPDATE term_postings SET story_id = (SELECT story_id FROM story_articles sa "
               "WHERE sa.article_id = term_postings.article_id)")
    for statement in POSTING_STORY_SCHEMA:
        db.execute(statement)


UNREPAIRED = "kind = 'news' AND merged_into IS NULL AND repaired_revision IS NOT revision"


def _m014_unrepaired_index(db: sqlite_utils.Database) -> None:
    # The repair pass reads the news stories changed since it last checked them: through this
    # index, a pass after a few new articles reads those few stories, not every story of the archive.
    # (revision only grows and the pass sets repaired_revision to it, so IS NOT means "is behind".)
    db.execute(f"CREATE INDEX stories_unrepaired ON stories(id) WHERE {UNREPAIRED}")


def _m015_lsh_buckets_by_month(db: sqlite_utils.Database) -> None:
    # LSH buckets led by the article's month: a look-up of the weeks around an article, and the
    # buckets a new article adds, touch that month's part of the table only, so their cost follows
    # how many articles a few months hold, not how many the archive holds (random bucket keys spread
    # over the whole table otherwise, and a 100k archive's outgrow the page cache).
    db.execute("""CREATE TABLE lsh_buckets_by_month (
        month TEXT NOT NULL,                     -- the first 7 characters of published_at (2026-11; '' when unknown)
        band INTEGER NOT NULL,
        bucket INTEGER NOT NULL,
        published_at TEXT NOT NULL,              -- the article's date ('' when unknown)
        article_id INTEGER NOT NULL,
        PRIMARY KEY (month, band, bucket, published_at, article_id)
    ) WITHOUT ROWID""")
    db.execute("INSERT INTO lsh_buckets_by_month SELECT substr(published_at, 1, 7), band, bucket, published_at, "
               "article_id FROM lsh_buckets ORDER BY 1, 2, 3, 4, 5")
    db.execute("DROP TABLE lsh_buckets")
    db.execute("ALTER TABLE lsh_buckets_by_month RENAME TO lsh_buckets")
    db.execute("CREATE INDEX lsh_buckets_article ON lsh_buckets(article_id)")


MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "core schema", _m001_core),
    (2, "vulnerabilities, citations, conditional requests", _m002_sources_and_incremental),
    (3, "stories and story-level candidates", _m003_stories_and_candidates),
    (4, "story revisions, drafted revision of candidates, crawl errors by URL", _m004_story_revisions),
    (5, "rebuilds keep the ids of stories that survive", _m005_rebuild_keeps_ids),
    (6, "word index, commentary, picked order, editor names, editions", _m006_desk),
    (7, "why each article is in its story", _m007_join_evidence),
    (8, "notifications sent once", _m008_notifications),
    (9, "centroid grouping: article profiles, term postings and statistics, story centroids",
     _m009_centroid_grouping),
    (10, "index of merged stories", _m010_story_indexes),
    (11, "resumable jobs: job cursors", _m011_job_cursors),
    (12, "work queues of grouping and drafting", _m012_work_queues),
    (13, "the story of each term posting", _m013_posting_stories),
    (14, "index of the stories the repair pass has to check", _m014_unrepaired_index),
    (15, "LSH buckets led by the article's month", _m015_lsh_buckets_by_month),
]
LATEST_VERSION = MIGRATIONS[-1][0]
MIGRATIONS_TABLE = ("CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
# Every table newsdesk creates (FTS shadow tables included): another program's database holding one
# of these names is refused rather than migrated.
TABLES = frozenset(
    {"schema_migrations"}
    | {m.group(1) for m in re.finditer(r"CREATE (?:VIRTUAL )?TABLE (\w+)", "\n".join(
        CORE_SCHEMA + INCREMENTAL_SCHEMA + STORY_SCHEMA + GROUPING_SCHEMA + QUEUE_SCHEMA))}
    | {"story_rebuild", "retired_candidates", "editions", "articles_words", "notifications", "source_status",
       "job_cursors"}
    | {f"articles_words_{part}" for part in ("data", "idx", "docsize", "config", "content")}
    | {f"articles_fts_{part}" for part in ("data", "idx", "docsize", "config", "content")}
)


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply every migration not yet applied, each in its own write transaction with its record in
    schema_migrations, so a failure leaves the file as it was. Returns those applied."""
    if "schema_migrations" in db.table_names() and schema_version(db) >= LATEST_VERSION:
        return []
    done = []
    for version, name, apply in MIGRATIONS:
        with transaction(db):  # re-checked under the write lock: two processes never apply one twice
            db.execute(MIGRATIONS_TABLE)
            if db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", [version]).fetchone():
                continue
            apply(db)
            db["schema_migrations"].insert({"version": version, "name": name, "applied_at": now_iso()})
        done.append(version)
    return done


def schema_version(db: sqlite_utils.Database | sqlite3.Connection) -> int:
    return db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
