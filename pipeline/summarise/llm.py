"""Optional summaries by a language model (the `llm` library), checked before they are used.

The prompt carries the house format; the answer must be 3–4 bullets, each short enough, and every
figure in it must appear in the sources. Anything else returns None and the caller falls back to
the extractive summariser. Each bullet records the source sentence it is closest to.
"""

from __future__ import annotations

import re

from pipeline.analyse.facts import facts_in
from pipeline.summarise.texts import Bullet, SourceText
from pipeline.text.japanese import char_shingles, jaccard, split_sentences

SOURCE_CHARS = 4000
PROMPT = """あなたは日本の情報セキュリティニュースレターの編集者です。
次の記事を、IT担当者向けに3〜4個の箇条書きで要約してください。
規則:
- 各項目は「です・ます」調の一文で、{max_chars}文字以内。
- 1項目目は「<M月D日>(日本時間)、<組織名>より、<発表内容>と発表されました。」の形。
- 件数・金額・倍率・日付などの数字は原文どおりに書き写すこと。原文にない数字は書かないこと。
- 一次情報(組織の発表)がある場合、事実はそこから取ること。
- 箇条書きだけを「- 」で始めて出力すること。
"""
PROMPT_EN = """Summarise the articles below for IT staff in 3 or 4 bullet points, each one sentence of at most
{max_chars} characters. The first bullet says when and by whom it was announced. Copy figures exactly;
never write a figure that is not in the sources. Output only the bullets, each starting with "- ".
"""


def get_model(name: str):
    """The llm library's model by name (e.g. from profile.toml [summariser] model)."""
    import llm

    return llm.get_model(name)


def llm_bullets(model, sources: list[SourceText], max_chars: int = 120) -> list[Bullet] | None:
    english = all(s.lang == "en" for s in sources)
    prompt = (PROMPT_EN if english else PROMPT).format(max_chars=max_chars) + "\n\n" + _material(sources)
    try:
        answer = model.prompt(prompt).text()
    except Exception:  # noqa: BLE001 - any model failure means: use the extractive summariser
        return None
    return checked_bullets(answer, sources, max_chars)


def checked_bullets(answer: str, sources: list[SourceText], max_chars: int) -> list[Bullet] | None:
    lines = [re.sub(r"^\s*[-・*•]\s*", "", line).strip() for line in answer.splitlines()
             if re.match(r"^\s*[-・*•]\s*\S", line)]
    if not 3 <= len(lines) <= 4 or any(len(line) > max_chars for line in lines):
        return None
    material = "\n".join(s.text for s in sources)
    if any(figure not in material for line in lines for figure in facts_in(line)):
        return None
    return [_with_provenance(line, sources) for line in lines]


def _material(sources: list[SourceText]) -> str:
    parts = []
    for source in sorted(sources, key=lambda s: s.role != "primary"):
        label = "一次情報" if source.role == "primary" else "ニュース記事"
        parts.append(f"## {label}: {source.title} ({source.published_at or ''})\n{source.text[:SOURCE_CHARS]}")
    return "\n\n".join(parts)


def _with_provenance(line: str, sources: list[SourceText]) -> Bullet:
    shingles = char_shingles(line)
    best = (-1.0, sources[0].article_id, 0, "")
    for source in sources:
        for index, sentence in enumerate(split_sentences(source.text)):
            score = jaccard(shingles, char_shingles(sentence))
            if score > best[0]:
                best = (score, source.article_id, index, sentence)
    return Bullet(text=line, article_id=best[1], sentence_index=best[2], source_sentence=best[3])
