"""MinHash signatures of articles and their LSH buckets, kept in SQLite (near-duplicate look-ups)."""

from __future__ import annotations

import hashlib
import re
import zlib
from datetime import datetime
from functools import lru_cache

import numpy as np
import sqlite_utils
from datasketch import LeanMinHash, MinHash

from pipeline.text.japanese import normalize

NUM_PERM = 128
BANDS, ROWS = 32, 4                 # LSH finds pairs from a Jaccard of about 0.4 up
SHINGLE = 3
SIGNATURE_CHARS = 2000              # the opening of an article identifies its story
SCHEME = "affine32"                 # datasketch >= 2: 32-bit hash values
DTYPE = np.uint32


@lru_cache(maxsize=1)
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32, scheme=SCHEME)


def signature(text: str) -> LeanMinHash:
    """MinHash of the character shingles of an article's opening (whitespace-free, NFKC)."""
    chars = re.sub(r"\s+", "", normalize(text))[:SIGNATURE_CHARS]
    shingles = {chars[i:i + SHINGLE].encode("utf-8") for i in range(max(len(chars) - SHINGLE + 1, 1))}
    template = _template()
    minhash = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32, permutations=template.permutations,
                      scheme=SCHEME)
    minhash.update_batch(list(shingles))
    return LeanMinHash(minhash)


def article_signature(article: dict) -> LeanMinHash:
    return signature(f"{article['title']}\n{article['lead'] or ''}\n{article['text']}")


def band_keys(minhash: LeanMinHash) -> list[int]:
    """One signed 64-bit bucket key per band."""
    values = np.asarray(minhash.hashvalues, dtype=DTYPE)
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS:(band + 1) * ROWS].tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def load_signature(blob: bytes) -> LeanMinHash:
    return LeanMinHash(seed=1, hashvalues=np.frombuffer(blob, dtype=DTYPE), scheme=SCHEME)


def store_signature(db: sqlite_utils.Database, article: dict, minhash: LeanMinHash,
                    bands: list[int] | None = None) -> None:
    """The article's signature and its LSH buckets (``bands``: its band keys, when computed already)."""
    db.execute("DELETE FROM lsh_buckets WHERE article_id = ?", [article["id"]])
    db.execute("INSERT OR REPLACE INTO article_signatures (article_id, version, minhash) VALUES (?, ?, ?)",
               [article["id"], article["version"], np.asarray(minhash.hashvalues, dtype=DTYPE).tobytes()])
    published = article.get("published_at") or ""
    bands = band_keys(minhash) if bands is None else bands
    db.conn.executemany("INSERT OR IGNORE INTO lsh_buckets (month, band, bucket, published_at, article_id) "
                        "VALUES (?, ?, ?, ?, ?)", [(published[:7], band, key, published, article["id"])
                                                   for band, key in enumerate(bands)])


def bucket_months(db: sqlite_utils.Database, bounds: tuple[str, str]) -> list[str]:
    """The months (lsh_buckets.month) whose buckets can hold articles dated within ``bounds`` (ISO
    dates, as the store writes them): each calendar month from the first bound's to the second's.
    Unbounded below (an article of unknown date): every month the table holds, '' included."""
    low, high = bounds
    if not low:
        first, last = db.execute("SELECT (SELECT min(month) FROM lsh_buckets WHERE month > ''), "  # two look-ups:
                                 "(SELECT max(month) FROM lsh_buckets)").fetchone()  # min and max together scan
        try:
            return ["", *(_calendar_months(first, last) if first else [])]
        except ValueError:  # a date stored in another form: the months as they are, read from the whole table
            return [row[0] for row in db.execute("SELECT DISTINCT month FROM lsh_buckets ORDER BY 1")]
    return _calendar_months(low[:7], high[:7])


def _calendar_months(first: str, last: str) -> list[str]:
    """Each month from ``first`` to ``last`` (YYYY-MM; ValueError for another form)."""
    start, _end = datetime.strptime(first, "%Y-%m"), datetime.strptime(last, "%Y-%m")
    year, month = start.year, start.month
    found = []
    while (label := f"{year:04d}-{month:02d}") <= last:
        found.append(label)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found
