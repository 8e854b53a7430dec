"""Candidates as Markdown in the house format: one item (`show`) or one newsletter issue (`export`)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from pipeline.store import strip_controls

EDITOR_PLACEHOLDER = "(編集者が記入)"


def render_item(candidate: dict, with_notes: bool = False) -> str:
    links = [url for url in (candidate.get("news_url"), candidate.get("primary_url")) if is_web_link(url)]
    bullets = "\n".join(f"- {_one_line(b['text'])}" for b in candidate["bullets"])
    excerpt = "\n".join(f"> {_inert(line)}" if line else ">"
                        for line in (candidate.get("excerpt") or "").splitlines())
    written = [line.strip().removeprefix("- ") for line in (candidate.get("commentary") or "").splitlines()]
    commentary = "\n".join(f"- {_inert(line)}" for line in written if line) or f"- {EDITOR_PLACEHOLDER}"
    if with_notes and candidate.get("related"):
        commentary += "\n" + "\n".join(f"  - 参考: {_one_line(r['date'])} {_one_line(r['title'])} {r['url']}"
                                       for r in candidate["related"] if is_web_link(r["url"]))
    parts = [
        f"## ●{_one_line(candidate['headline'])}",
        "\n".join(links),
        f"### このニュースをザックリ言うと…\n\n{bullets}",
        f"### 所感\n\n{commentary}",
        f"### {_one_line(candidate.get('excerpt_title') or candidate['headline'])}\n\n{excerpt}".rstrip(),
    ]
    return "\n\n".join(parts) + "\n"


def render_notes(candidate: dict, members: list[dict] = ()) -> str:
    """What the editor sees besides the item: score and why, facts, where each bullet came from."""
    lines = [f"score {candidate['score']:g}: " + ", ".join(
        f"{_one_line(e['signal'])} ({e['weight']:+g})" for e in candidate["explanation"])]
    if candidate.get("needs_review"):
        lines.append("needs review: new articles joined this story after it was edited")
    lines.append("facts: " + ", ".join(_one_line(f["text"]) for f in candidate["facts"][:12]))
    for number, bullet in enumerate(candidate["bullets"], start=1):
        source = bullet.get("source_sentence") or "edited by an editor"
        lines.append(f"bullet {number} from article {bullet.get('article_id')}: {_one_line(source)[:80]}")
    lines.append(f"summariser: {candidate.get('summariser')}")
    for member in members:
        lines.append(f"article {member['article_id']} ({member['role']}): {_one_line(member['why'])}")
    return "\n".join(f"<!-- {_comment_safe(line)} -->" for line in lines) + "\n"


def render_issue(candidates: list[dict], issue_date: date | None = None, title: str | None = None) -> str:
    issue_date = issue_date or date.today()
    header = f"# {_one_line(title or f'セキュリティニュース {issue_date.isoformat()}')}\n"
    return "\n".join([header] + [render_item(c) for c in candidates])


def _one_line(text: str) -> str:
    return _inert(" ".join(str(text).split()))


_MARKDOWN = re.compile(r"([\\`*_\[\]!~|])")   # what can make links, images, emphasis, code, tables
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")  # what makes headings, quotes, lists at a line start


def _inert(text: str) -> str:
    """Crawled (and editors') text renders as the literal text: no HTML, links, images or emphasis."""
    text = strip_controls(text).replace("<", "&lt;")
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _MARKDOWN.sub(r"\\\1", text))


def is_web_link(url: str | None) -> bool:
    """Only http(s) links written by the software itself become links in the export."""
    return bool(url) and urlsplit(url).scheme in ("http", "https") and not any(c.isspace() for c in url)


def _comment_safe(text: str) -> str:
    return text.replace("--", "- -")
