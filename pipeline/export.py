"""Export candidates as one newsletter issue in Markdown, in the house format."""

from __future__ import annotations

from datetime import date

EDITOR_PLACEHOLDER = "(編集者が記入)"


def render_item(candidate: dict) -> str:
    links = [candidate["news_url"]] + ([candidate["primary_url"]] if candidate.get("primary_url") else [])
    bullets = "\n".join(f"- {_one_line(b)}" for b in candidate["bullets"])
    excerpt = "\n".join(f"> {_inert(line)}" if line else ">"
                        for line in (candidate.get("excerpt") or "").splitlines())
    parts = [
        f"## ●{_one_line(candidate['headline'])}",
        "\n".join(links),
        f"### このニュースをザックリ言うと…\n\n{bullets}",
        f"### 所感\n\n- {EDITOR_PLACEHOLDER}",
        f"### {_one_line(candidate.get('article_title') or candidate['headline'])}\n\n{excerpt}".rstrip(),
    ]
    return "\n\n".join(parts) + "\n"


def render_issue(candidates: list[dict], issue_date: date | None = None) -> str:
    issue_date = issue_date or date.today()
    header = f"# セキュリティニュース {issue_date.isoformat()}\n"
    return "\n".join([header] + [render_item(c) for c in candidates])


def _one_line(text: str) -> str:
    return _inert(" ".join(str(text).split()))


def _inert(text: str) -> str:
    """Crawled text must not become markup where the Markdown is rendered: escape HTML tags."""
    return text.replace("<", "&lt;")
