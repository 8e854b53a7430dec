"""The pure part of grouping an article, its profile and MinHash signature, computed ahead in
worker processes while the main process does the database work: the second core is busy and
the database keeps a single writer. Small runs compute in-process (starting workers costs more)."""

from __future__ import annotations

import multiprocessing
import os

from pipeline.stories.profiles import Profile, build_profile
from pipeline.stories.signatures import article_signature, load_signature

POOL_MIN_ARTICLES = 1000     # fewer pending articles than this are computed in-process


def computed(article: dict) -> tuple[Profile, bytes]:
    """An article's profile and its signature (as bytes: cheap to send between processes)."""
    return build_profile(article), article_signature(article).hashvalues.astype("uint32").tobytes()


def _batch(articles: list[dict]) -> list[tuple[Profile, bytes]]:
    return [computed(article) for article in articles]


class Ahead:
    """Submit batches of articles; get each batch's (profile, signature) pairs back, in order."""

    def __init__(self, pending: int, workers: int | None = None) -> None:
        workers = max(1, (os.cpu_count() or 1) - 1) if workers is None else workers
        use_pool = workers > 0 and pending >= POOL_MIN_ARTICLES
        # fork: workers inherit the loaded code (no re-import of the caller's script) and never touch
        # the parent's database connection, which only the parent uses
        self.pool = multiprocessing.get_context("fork").Pool(workers) if use_pool else None

    def submit(self, articles: list[dict]):
        if self.pool is None:
            return articles
        return self.pool.apply_async(_batch, (articles,))

    def result(self, handle) -> list[tuple[Profile, object]]:
        pairs = _batch(handle) if self.pool is None else handle.get()
        return [(profile, load_signature(signature)) for profile, signature in pairs]

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
