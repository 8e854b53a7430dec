"""The desk's speed on a big archive: the queue page and an action round trip, server-side.

Builds (once, cached in --work) a synthetic newsdesk database of --articles articles (default
100,000) in --stories stories of which --candidates (default 1,000) have a new candidate, then
times, in process through Datasette's own ASGI client (what the server runs, without the network):

- the desk page (`/-/desk`, the default 200 candidates, and `?limit=1000`: all of them);
- Datasette's own table page of the same candidates (`/DB/candidates?status=new`), the baseline;
- an action round trip: POST pick with its CSRF token, then the redirected desk page.

Medians and minimums over --rounds, the ratio to the baseline, and the goals (desk page under
300 ms, action under 100 ms). `--json` prints the figures; `--check` exits 1 when a goal is missed.

    .venv/bin/python bench/bench_desk.py [--articles 100000] [--candidates 1000] [--json] [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pipeline import store  # noqa: E402
from pipeline.desk.server import build  # noqa: E402

GOALS_MS = {"desk page": 300, "action round trip": 100}
WORDS = ["不正アクセス", "個人情報", "流出", "ランサムウェア", "脆弱性", "攻撃", "大学", "病院", "自治体", "VPN",
         "フィッシング", "メールアドレス", "サーバ", "調査", "発表", "可能性", "被害", "更新", "悪用", "暗号"]


def build_archive(path: Path, articles: int, stories: int, candidates: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    db = store.open_db(path)
    now = store.now_iso()
    conn = db.conn
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO articles (id, source, url, title, published_at, lang, lead, text, body_status, content_hash, "
        "version, first_seen_at, last_fetched_at, last_checked_at, kind, highlights) "
        "VALUES (?, ?, ?, ?, ?, 'ja', NULL, ?, 'full', ?, 1, ?, ?, ?, 'news', '[]')",
        ((n, rng.choice(["scannetsecurity", "internet_watch", "zdnet_japan", "nict"]),
          f"https://news.example.jp/{n}.html", "".join(rng.choices(WORDS, k=5)),
          f"20{20 + n * 6 // articles:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}T09:00:00+09:00",
          "。".join("".join(rng.choices(WORDS, k=8)) for _ in range(6)) + "。", f"h{n}", now, now, now)
         for n in range(1, articles + 1)))
    conn.executemany("INSERT INTO stories (id, kind, title, first_published_at, last_published_at, created_at, "
                     "updated_at, revision) VALUES (?, 'news', ?, ?, ?, ?, ?, 1)",
                     ((s, f"story {s}", f"2026-{1 + s % 12:02d}-{1 + s % 28:02d}T09:00:00+09:00",
                       f"2026-{1 + s % 12:02d}-{1 + s % 28:02d}T09:00:00+09:00", now, now)
                      for s in range(1, stories + 1)))
    conn.executemany("INSERT INTO story_articles (story_id, article_id, role, article_version, added_at) "
                     "VALUES (?, ?, ?, 1, ?)",
                     ((1 + (n - 1) % stories, n, "news" if n <= stories else "duplicate", now)
                      for n in range(1, articles + 1)))
    bullets = json.dumps([{"text": "".join(rng.choices(WORDS, k=10)) + "。", "article_id": 1, "sentence_index": i,
                           "source_sentence": "…"} for i in range(4)], ensure_ascii=False)
    explanation = json.dumps([{"signal": "term:不正アクセス", "weight": 3.0}, {"signal": "primary source found",
                                                                              "weight": 2.0}], ensure_ascii=False)
    conn.executemany(
        "INSERT INTO candidates (id, story_id, headline, news_url, links, bullets, related, score, explanation, "
        "facts, status, created_at, updated_at, drafted_revision) VALUES (?, ?, ?, ?, '[]', ?, '[]', ?, ?, '[]', "
        "'new', ?, ?, 1)",
        ((c, c, "".join(rng.choices(WORDS, k=6)), f"https://news.example.jp/{c}.html", bullets,
          round(rng.uniform(0, 20), 1), explanation, now, now) for c in range(1, candidates + 1)))
    conn.executemany("INSERT INTO candidate_history (candidate_id, at, actor, action, changes) "
                     "VALUES (?, ?, 'software', 'drafted', '{}')", ((c, now) for c in range(1, candidates + 1)))
    conn.execute("COMMIT")
    db.close()


async def measure(db_file: Path, rounds: int) -> dict:
    datasette = build(db_file)
    await datasette.invoke_startup()
    client = datasette.client
    timings: dict[str, list[float]] = {"desk page": [], "desk page, all 1000": [], "baseline: Datasette table page": [],
                                       "action round trip": []}

    async def timed(name, call):
        start = time.perf_counter()
        response = await call()
        timings[name].append((time.perf_counter() - start) * 1000)
        assert response.status_code in (200, 302), (name, response.status_code)
        return response

    for _ in range(rounds):
        page = await timed("desk page", lambda: client.get("/-/desk"))
        await timed("desk page, all 1000", lambda: client.get("/-/desk?limit=1000"))
        await timed("baseline: Datasette table page", lambda: client.get(f"/{db_file.stem}/candidates?status=new"))
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
        seen = re.search(r'name="seen" value="(\d+)"', page.text).group(1)
        candidate = re.search(r'action="/-/desk/candidates/(\d+)/pick"', page.text).group(1)
        cookies = {"ds_csrftoken": page.cookies.get("ds_csrftoken") or token}

        await timed("action round trip", lambda c=candidate, k=cookies, t=token, s=seen: pick(client, c, k, t, s))
    return {name: {"median_ms": statistics.median(values), "min_ms": min(values)} for name, values in timings.items()}


async def pick(client, candidate: str, cookies: dict, token: str, seen: str):
    response = await client.post(f"/-/desk/candidates/{candidate}/pick", cookies=cookies,
                                 data={"csrftoken": token, "seen": seen, "next": "/-/desk"})
    await client.get("/-/desk")  # where the redirect leads
    return response


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=20_000)
    parser.add_argument("--candidates", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/newsdesk-bench-desk"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    db_file = args.work / f"desk-{args.articles}-{args.candidates}.db"
    if not db_file.exists():
        started = time.perf_counter()
        build_archive(db_file, args.articles, args.stories, args.candidates)
        print(f"built {db_file} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    figures = asyncio.run(measure(db_file, args.rounds))
    baseline = figures["baseline: Datasette table page"]["median_ms"]
    for row in figures.values():
        row["ratio_to_baseline"] = row["median_ms"] / baseline
    missed = [name for name, goal in GOALS_MS.items() if figures[name]["median_ms"] > goal]
    if args.json:
        print(json.dumps({"articles": args.articles, "candidates": args.candidates, "figures": figures,
                          "goals_ms": GOALS_MS, "missed": missed}, indent=2, ensure_ascii=False))
    else:
        print(f"{args.articles:,} articles, {args.candidates:,} new candidates, {args.rounds} rounds (in process)")
        print(f"{'what':<34} {'median ms':>10} {'min ms':>8} {'ratio':>6} {'goal':>6}")
        for name, row in figures.items():
            goal = GOALS_MS.get(name)
            print(f"{name:<34} {row['median_ms']:>10.1f} {row['min_ms']:>8.1f} {row['ratio_to_baseline']:>6.2f} "
                  f"{(str(goal) + ' ms') if goal else '':>6}")
        print("goals met" if not missed else f"goals missed: {', '.join(missed)}")
    for check in sqlite3.connect(db_file).execute("PRAGMA quick_check"):
        assert check[0] == "ok"
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
