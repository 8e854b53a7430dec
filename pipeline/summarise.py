"""Default summariser: offline, deterministic, extractive with light rewriting.

Given a story's sources (a news article and, where available, the organisation's
primary notice), pick 3–4 sentences and turn them into newsletter bullets in the
house format (see HOUSE-FORMAT.md). Every bullet records the article and the
sentence it came from; figures in a bullet are always copied verbatim from that
sentence (bullets are only ever shortened at clause boundaries or re-ended).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.facts import FIGURE_KINDS, Fact, extract_facts, publication_date
from pipeline.textja import char_shingles, jaccard, normalize, split_clauses, split_sentences, tagger


@dataclass(frozen=True)
class SourceText:
    article_id: int
    role: str  # "news" | "primary"
    url: str
    title: str
    text: str
    lang: str  # "ja" | "en"
    published_at: str | None
    org: str | None = None  # the announcing organisation, when known


@dataclass(frozen=True)
class Bullet:
    text: str
    article_id: int
    sentence_index: int  # index into split_sentences(source.text)
    source_sentence: str


@dataclass(frozen=True)
class _Candidate:
    order: int  # position of the source in the input list
    source: SourceText
    index: int
    sentence: str
    facts: tuple[Fact, ...]
    score: float

    @property
    def key_facts(self) -> frozenset[tuple[str, str]]:
        return _key_facts(self.facts)


def _key_facts(facts) -> frozenset[tuple[str, str]]:
    """Figures and dates (month-day) of a sentence, comparable across sources."""
    keys = {("figure", f.value) for f in facts if f.kind in FIGURE_KINDS}
    keys |= {("date", f.value[-5:]) for f in facts if f.kind == "date"}
    return frozenset(keys)


REDUNDANCY_THRESHOLD = 0.5  # character-trigram Jaccard above this = same content
LEAD_WINDOW = 6  # announcement sentences are looked for among the first sentences of a source
EXTRA_BULLET_RATIO = 0.5  # a bullet beyond min_bullets needs this share of the weakest chosen score

# --- sentence filters ----------------------------------------------------------------

_BOILERPLATE_RE = re.compile(
    r"お問い合わせ|お問合せ|問い合わせ先|問合せ先|電話番号|電話[:：]|(?<![A-Za-z])(?:TEL|FAX|Fax|Tel)(?![A-Za-z])"
    r"|ファクス|https?://|www\.|@|©|\([cC]\)|Copyright|copyright|All [Rr]ights [Rr]eserved"
    r"|無断転載|無断複製|関連記事|関連リンク|続きを読む|この記事を|シェアする|ツイートする|会員登録|ログインして"
    r"|Read more|Sign up|Subscribe|Share this|Click here|click here"
    # formulaic notice phrases with no facts of their own
    r"|お知らせ(?:いた)?します|お詫び申し上げ|ご迷惑をおかけ|ご心配をおかけ"
)
_JA_CHAR_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_TRAILING_CLOSERS = "」』）)】］]〉》”’\"'"


def _ending(sentence: str) -> str:
    """The last character before any trailing closing brackets/quotes ("" if none)."""
    return sentence.rstrip(_TRAILING_CLOSERS)[-1:]


def is_boilerplate(sentence: str) -> bool:
    """Contact details, URLs, copyright lines and page furniture."""
    return bool(_BOILERPLATE_RE.search(sentence))


def _usable(sentence: str, lang: str) -> bool:
    if is_boilerplate(sentence):
        return False
    compact = re.sub(r"\s+", "", sentence)
    if lang == "ja":
        return len(compact) >= 8 and _ending(sentence) in "。！？!?" and bool(_JA_CHAR_RE.search(sentence))
    return len(sentence.split()) >= 5 and _ending(sentence) in ".!?"


# --- polite form (です・ます) ----------------------------------------------------------

_POLITE_RULES = (
    ("と発表した。", "と発表しました。"),
    ("ていない。", "ていません。"),
    ("ではない。", "ではありません。"),
    ("された。", "されました。"),
    ("している。", "しています。"),
    ("ていた。", "ていました。"),
    ("という。", "とのことです。"),
    ("である。", "です。"),
    ("だった。", "でした。"),
    ("した。", "しました。"),
    ("できる。", "できます。"),
    ("する。", "します。"),
    ("なる。", "なります。"),
    ("ある。", "あります。"),
    ("いる。", "います。"),
    ("れる。", "れます。"),
    ("だ。", "です。"),
)
_ALREADY_POLITE_RE = re.compile(
    r"(?:ます|ました|です|でした|ません|ませんでした|ましょう|ください|ございます)[。！!]?[」』）)]*$"
)
_I_ROW = dict(zip("うくぐすつぬぶむる", "いきぎしちにびみり", strict=True))


def _masu_stem(word) -> str | None:
    """連用形 (the stem before ます) of a fugashi verb token."""
    feature = word.feature
    ctype, cform = feature.cType or "", feature.cForm or ""
    base = feature.orthBase or ""
    if cform.startswith("連用形-一般"):
        return word.surface
    if not base:
        return None
    if ctype.startswith("五段") and base[-1] in _I_ROW:
        return base[:-1] + _I_ROW[base[-1]]
    if ctype.startswith(("上一段", "下一段")):
        return base[:-1]
    if ctype.startswith("サ行変格"):
        return base[:-2] + "し"
    if ctype.startswith("カ行変格"):
        return base[:-1] if base.endswith("来る") else base[:-2] + "き"
    return None


def _polite_by_morphology(body: str) -> str | None:
    """Fallback for endings the rule table does not cover (述べた, 行った, 体言止め…)."""
    words = list(tagger()(body))
    if not words:
        return None
    last, prev = words[-1], words[-2] if len(words) > 1 else None
    pos_last = last.feature.pos1
    if pos_last == "助動詞" and last.feature.lemma == "た" and prev is not None:
        tail = prev.surface + last.surface
        if not body.endswith(tail):
            return None
        if prev.feature.pos1 == "動詞":
            stem = _masu_stem(prev)
            return body[: -len(tail)] + stem + "ました" if stem else None
        if prev.feature.pos1 == "形容詞":
            return body + "です"
        return None
    if pos_last == "動詞" and (last.feature.cForm or "").startswith("終止形"):
        stem = _masu_stem(last)
        if stem and body.endswith(last.surface):
            return body[: -len(last.surface)] + stem + "ます"
        return None
    if pos_last == "形容詞" or (pos_last == "助動詞" and last.surface == "ない"):
        return body + "です"
    if pos_last in ("名詞", "接尾辞"):
        if last.feature.pos3 == "サ変可能" and prev is not None and prev.surface in ("を", "に"):
            return body + "しました"  # コンソーシアムを設立。 → 設立しました
        return body + "です"
    return None


def polite(sentence: str) -> str:
    """Convert a plain-form Japanese sentence ending in 。 to です・ます form.

    An ordered rule table handles common endings; a small morphological fallback
    handles other past-tense verbs and noun endings. Sentences that are already
    polite, or end with something else than 。, are returned unchanged.
    """
    text = sentence.strip()
    if _ALREADY_POLITE_RE.search(text) or not text.endswith("。"):
        return text
    for plain, polite_form in _POLITE_RULES:
        if text.endswith(plain):
            if plain == "だ。" and text[:-2].endswith(("ん", "い")):
                break  # 選んだ / 泳いだ are past-tense verbs, not the copula
            return text[: -len(plain)] + polite_form
    converted = _polite_by_morphology(text[:-1])
    return converted + "。" if converted else text


# --- plain form (for the "what" inside the announcement bullet) -----------------------

_PLAIN_RULES = (
    ("いたしました", "した"),
    ("しておりました", "していた"),
    ("しております", "している"),
    ("ておりません", "ていない"),
    ("ております", "ている"),
    ("ていました", "ていた"),
    ("ていません", "ていない"),
    ("ています", "ている"),
    ("されました", "された"),
    ("しました", "した"),
    ("でした", "だった"),
    ("ございます", "ある"),
    ("ありません", "ない"),
    ("あります", "ある"),
    ("いたします", "する"),
    ("できます", "できる"),
    ("します", "する"),
)
_PAST_BY_ENDING = {
    "う": "った", "つ": "った", "る": "った", "む": "んだ", "ぶ": "んだ", "ぬ": "んだ",
    "く": "いた", "ぐ": "いだ", "す": "した",
}


def _plain_past(word) -> str | None:
    feature = word.feature
    ctype, base = feature.cType or "", feature.orthBase or ""
    if not base:
        return None
    if ctype.startswith(("上一段", "下一段")):
        return base[:-1] + "た"
    if ctype.startswith("サ行変格"):
        return base[:-2] + "した"
    if ctype.startswith("五段") and base[-1] in _PAST_BY_ENDING:
        if base.endswith(("行く", "いく")):
            return base[:-1] + "った"
        return base[:-1] + _PAST_BY_ENDING[base[-1]]
    return None


def plain(text: str) -> str:
    """Turn a polite (です・ます) ending into plain form; other text is unchanged."""
    text = text.strip()
    for polite_form, plain_form in _PLAIN_RULES:
        if text.endswith(polite_form):
            return text[: -len(polite_form)] + plain_form
    if text.endswith("です"):
        return text[:-2] if text[:-2].endswith("い") else text[:-2] + "だ"
    for ending, past in (("ました", True), ("ます", False)):
        if not text.endswith(ending):
            continue
        stem_text = text[: -len(ending)]
        words = list(tagger()(stem_text))
        if words and words[-1].feature.pos1 == "動詞" and stem_text.endswith(words[-1].surface):
            verb = words[-1]
            form = _plain_past(verb) if past else verb.feature.orthBase
            if form:
                return stem_text[: -len(verb.surface)] + form
    return text


# --- shortening ----------------------------------------------------------------------------


def _split_end(sentence: str) -> tuple[str, str]:
    m = re.search(rf"[。！？!?.．]+[{re.escape(_TRAILING_CLOSERS)}]*$", sentence)
    if not m:
        return sentence, ""
    return sentence[: m.start()], sentence[m.start() :]


def _fit_ja_clauses(body: str, budget: int) -> str | None:
    """Drop whole clauses (split at top-level 、) until ``body`` fits ``budget`` characters.

    The final clause (the predicate) is always kept; clauses holding figures are kept
    before others, then clauses closest to the predicate. Order is preserved.
    """
    if len(body) <= budget:
        return body
    clauses = split_clauses(body)
    if len(clauses) < 2 or len(clauses[-1]) > budget:
        return None
    keep = {len(clauses) - 1}
    used = len(clauses[-1])
    earlier = list(range(len(clauses) - 2, -1, -1))
    with_figures = [i for i in earlier if any(f.kind in FIGURE_KINDS for f in extract_facts(clauses[i]))]
    for i in with_figures + [i for i in earlier if i not in with_figures]:
        if used + len(clauses[i]) <= budget:
            keep.add(i)
            used += len(clauses[i])
    return "".join(clauses[i] for i in sorted(keep))


def shorten(sentence: str, max_chars: int = 120, lang: str = "ja") -> str | None:
    """Fit a sentence into ``max_chars`` by dropping clauses; None if impossible.

    Japanese keeps the predicate clause and re-ends with the original 。; English keeps
    a prefix of comma-separated clauses and ends with ".". Numbers and bracketed text are
    never cut (clauses are split only at top-level separators, not between digits).
    """
    sentence = sentence.strip()
    if len(sentence) <= max_chars:
        return sentence
    body, end = _split_end(sentence)
    if end.strip("。！？!?.．"):
        return None  # the sentence ends inside a quotation: dropping clauses could break it
    if lang == "ja":
        end = end if end.startswith(("。", "！", "？")) else "。"
        fitted = _fit_ja_clauses(body, max_chars - len(end))
        return fitted + end if fitted else None
    clauses = split_clauses(body, ",;")
    result = None
    for k in range(1, len(clauses) + 1):
        candidate = "".join(clauses[:k]).rstrip(" ,;:") + "."
        if len(candidate) > max_chars:
            break
        if candidate.count('"') % 2 == 0:  # never stop inside a "quotation"
            result = candidate
    return result


# --- scoring -------------------------------------------------------------------------------


def _term_score(sentence: str, terms: dict[str, float] | None) -> float:
    if not terms:
        return 0.0
    haystack = normalize(sentence).lower()
    total = sum(w for term, w in sorted(terms.items()) if normalize(term).lower() in haystack)
    return max(-2.0, min(2.0, total))


def _form_penalty(sentence: str, lang: str) -> float:
    size = len(re.sub(r"\s+", "", sentence))
    if _ending(sentence) in "？?":
        return -0.5  # questions are usually headlines or teasers, not facts
    short, long_ = (20, 150) if lang == "ja" else (40, 250)
    if size < short:
        return -0.5
    if size > long_:
        return -min(1.0, 0.3 * (size - long_) / 50)
    return 0.0


def score_sentence(
    sentence: str,
    index: int,
    title: str,
    role: str,
    lang: str = "ja",
    terms: dict[str, float] | None = None,
    facts: tuple[Fact, ...] | None = None,
) -> float:
    """Relevance of one sentence: position, title overlap, key facts, terms, length."""
    facts = tuple(extract_facts(sentence)) if facts is None else facts
    position = 1.0 / (1.0 + 0.25 * index)
    title_grams = char_shingles(title, 2)
    overlap = len(char_shingles(sentence, 2) & title_grams) / len(title_grams) if title_grams else 0.0
    n_figures = sum(1 for f in facts if f.kind in FIGURE_KINDS)
    n_other = sum(1 for f in facts if f.kind not in FIGURE_KINDS)
    fact_score = 0.6 * min(n_figures, 3) + 0.2 * min(n_other, 3)
    if role == "primary" and n_figures:
        fact_score = fact_score * 1.5 + 0.3
    return round(
        position + overlap + fact_score + _term_score(sentence, terms) + _form_penalty(sentence, lang), 6
    )


def _candidates(sources: list[SourceText], lang: str, terms: dict[str, float] | None) -> list[_Candidate]:
    found = []
    for order, source in enumerate(sources):
        if source.lang != lang:
            continue
        for index, sentence in enumerate(split_sentences(source.text)):
            if not _usable(sentence, lang):
                continue
            facts = tuple(extract_facts(sentence, source.published_at))
            score = score_sentence(sentence, index, source.title, source.role, lang, terms, facts)
            found.append(_Candidate(order, source, index, sentence, facts, score))
    return found


# --- bullet text ---------------------------------------------------------------------------

_SELF_REFERENCES = (
    ("弊社", "同社"), ("当社", "同社"), ("本学", "同大学"), ("当大学", "同大学"), ("当機構", "同機構"),
    ("本機構", "同機構"), ("当市", "同市"), ("本市", "同市"), ("当協会", "同協会"), ("本協会", "同協会"),
)
_LEADING_CONNECTIVES_RE = re.compile(r"^(?:また|なお|さらに|このほか|加えて|このたび|この度|今般)[、，]")


def _third_person(text: str) -> str:
    for own, third in _SELF_REFERENCES:
        text = text.replace(own, third)
    return text


def _bullet_text(candidate: _Candidate, lang: str, max_chars: int) -> str | None:
    if lang != "ja":
        return shorten(candidate.sentence, max_chars, lang)
    text = _LEADING_CONNECTIVES_RE.sub("", candidate.sentence.strip())
    text = polite(_third_person(text))
    return shorten(text, max_chars, "ja")


# --- the announcement bullet --------------------------------------------------------------

_ANNOUNCE_JA_RE = re.compile(r"発表|公表|明らかに|報告|公開|告知|お知らせ")
_FINDING_JA_RE = re.compile(r"判明|発覚|確認|発生")
_ANNOUNCE_EN_RE = re.compile(
    r"\b(?:announced|announces|said|says|disclosed|discloses|released|releases|reported|published|confirmed|warned|revealed)\b"
)
_VERB = r"(?:発表|公表|報告|告知|公開|明らかに)"
_TAIL = r"(?:した|しました|いたしました|している|しています|されました|された|なった|なりました)?"
_SPEECH_END_RE = re.compile(rf"(?:と|ことを|旨を|ことが)、?(?:[^、。]{{0,16}}?(?:に|で)、?)?{_VERB}{_TAIL}$")
_OBJECT_END_RE = re.compile(r"を(?:[^、。]{0,16}?(?:に|で)、?)?(?:発表|公表)(?:した|しました|いたしました)$")
_FILLER_RE = re.compile(r"^(?:このたび|この度|今般|本日|同日|今回|先般|なお|また)[、，]?")
_SELF_SUBJECTS = frozenset(
    {"弊社", "当社", "同社", "本学", "当大学", "同大学", "当機構", "同機構", "本機構", "当市", "本市", "同市",
     "同省", "同庁", "同県", "同協会", "同センター", "同研究所", "当法人", "同法人"}
)
_SUBJECT_RE = re.compile(r"^(?P<s>[^、。「」『』（）()]{1,30}?)(?:では|は|が)[、，]?")
_TOPIC_RE = re.compile(r"^(?P<s>[^、。「」『』（）()]{1,30}?)(?:では|は)[、，]?")  # "が" may open a relative clause
_NAME_ONLY_RE = re.compile(r"[\u4e00-\u9fff々\u30a1-\u30ffA-Za-zＡ-Ｚａ-ｚ&・ ]{2,30}")


def _announcement_candidates(cands: list[_Candidate], lang: str) -> list[tuple[_Candidate, bool]]:
    """Sentences to try for the first bullet, best first, each with whether the house
    form may be built from it (announcement/finding sentences and source leads only)."""

    def early(role_primary: bool) -> list[_Candidate]:
        return [c for c in cands if (c.source.role == "primary") == role_primary and c.index < LEAD_WINDOW]

    def best(group: list[_Candidate]) -> list[_Candidate]:
        return sorted(group, key=lambda c: (-c.score, c.order, c.index))

    news, primary = early(False), early(True)
    if lang == "ja":
        announcing = [c for c in news if _ANNOUNCE_JA_RE.search(c.sentence)]
        announcing += [
            c for c in primary if _ANNOUNCE_JA_RE.search(c.sentence) or _FINDING_JA_RE.search(c.sentence)
        ]
    else:
        announcing = [c for c in news if _ANNOUNCE_EN_RE.search(c.sentence)]
    announcing_keys = {(c.order, c.index) for c in announcing}
    lead_index: dict[int, int] = {}
    for c in cands:
        lead_index.setdefault(c.order, c.index)  # cands are in source/sentence order
    ranked, seen = [], set()
    for group in (announcing, best(news), best(primary), best(cands)):
        for c in group:
            if (c.order, c.index) not in seen:
                seen.add((c.order, c.index))
                ranked.append((c, (c.order, c.index) in announcing_keys or c.index == lead_index[c.order]))
    return ranked


def _announcement_date(ann: _Candidate, sources: list[SourceText]) -> tuple[int, int] | None:
    """(month, day) the announcement was made, in Japan time."""
    for fact in ann.facts:
        if fact.kind != "date":
            continue
        after = ann.sentence[fact.start + len(fact.text) :]
        if re.match(r"(?:付け?で?)?(?:[、，,]|に?(?:発表|公表|公開))", after):
            return int(fact.value[-5:-3]), int(fact.value[-2:])
    primaries = [s for s in sources if s.role == "primary"]
    for source in primaries:
        day = publication_date(source.published_at)
        if day:
            return day.month, day.day
    for source in primaries:
        for line in split_sentences(source.text)[:5]:
            dates = [f for f in extract_facts(line, source.published_at) if f.kind == "date"]
            if dates and len(line) - len(dates[0].text) <= 6:  # a dateline such as "2026年3月1日"
                return int(dates[0].value[-5:-3]), int(dates[0].value[-2:])
    day = publication_date(ann.source.published_at)
    if day:
        return day.month, day.day
    for source in sources:
        day = publication_date(source.published_at)
        if day:
            return day.month, day.day
    return None


def _subject(ann: _Candidate) -> str | None:
    """The topic of an announcement sentence ("A市は…と発表した" → "A市")."""
    body = _strip_leading_dates(ann.sentence)
    m = _SUBJECT_RE.match(body)
    if not m or m.group("s") in _SELF_SUBJECTS or not _NAME_ONLY_RE.fullmatch(m.group("s")):
        return None
    return m.group("s")


def _announcer(ann: _Candidate, sources: list[SourceText]) -> str | None:
    for source in sources:
        if source.role == "primary" and source.org:
            return source.org
    orgs = [f for f in ann.facts if f.kind == "org"]
    if _SPEECH_END_RE.search(_split_end(ann.sentence)[0]) or _ANNOUNCE_JA_RE.search(ann.sentence):
        for fact in orgs:
            if re.match(r"(?:では|は|が)", ann.sentence[fact.start + len(fact.text) :]):
                return fact.text
        subject = _subject(ann)
        if subject:
            return subject
    if orgs:
        return orgs[0].text
    for source in sources:
        if source.role != "primary" and source.org:
            return source.org
    for source in sources:
        if source.role == "primary":
            for fact in extract_facts(" ".join(split_sentences(source.text)[:3])):
                if fact.kind == "org":
                    return fact.text
    return None


def _strip_leading_dates(text: str) -> str:
    text = text.lstrip("、， ")
    facts = extract_facts(text)
    if facts and facts[0].kind == "date" and facts[0].start == 0:
        text = text[len(facts[0].text) :]
        text = re.sub(r"^(?:[（(][^）)]{1,8}[）)])?(?:付け?で|に)?[、，]?", "", text)
    return text


def _what(ann: _Candidate, org: str) -> tuple[str, str]:
    """What was announced (plain form, no subject/date) and the connector before 発表."""
    body = _split_end(ann.sentence.strip())[0]
    connector = "と"
    speech = _SPEECH_END_RE.search(body)
    obj = _OBJECT_END_RE.search(body)
    if speech:
        body = body[: speech.start()]
    elif obj:
        body, connector = body[: obj.start()], "が"
    else:
        body = plain(body)
    org_norm = normalize(org)
    for _ in range(6):
        before = body
        body = _strip_leading_dates(_FILLER_RE.sub("", body.lstrip("、， ")))
        m = _TOPIC_RE.match(body)
        if m:
            subject = normalize(m.group("s"))
            same_org = len(subject) >= 2 and (subject.endswith(org_norm) or org_norm.endswith(subject))
            if subject in _SELF_SUBJECTS or same_org:
                body = body[m.end() :]
        if body == before:
            break
    return _third_person(body.strip()), connector


def _first_bullet_ja(ann: _Candidate, sources: list[SourceText], max_chars: int) -> str | None:
    date, org = _announcement_date(ann, sources), _announcer(ann, sources)
    if not date or not org:
        return None
    what, connector = _what(ann, org)
    prefix = f"{date[0]}月{date[1]}日(日本時間)、{org}より、"
    suffix = f"{connector}発表されました。"
    fitted = _fit_ja_clauses(what, max_chars - len(prefix) - len(suffix))
    if not fitted or len(fitted) < 4:
        return None
    return prefix + fitted + suffix


def _first_bullet(
    cands: list[_Candidate], sources: list[SourceText], lang: str, max_chars: int
) -> tuple[_Candidate, str] | None:
    for ann, house_form in _announcement_candidates(cands, lang):
        text = _first_bullet_ja(ann, sources, max_chars) if lang == "ja" and house_form else None
        text = text or _bullet_text(ann, lang, max_chars)
        if text:
            return ann, text
    return None


# --- public API ----------------------------------------------------------------------------


def output_language(sources: list[SourceText]) -> str:
    """The bullets' language: that of the first news source, else of the first source."""
    for source in sources:
        if source.role != "primary":
            return source.lang
    return sources[0].lang if sources else "ja"


def _redundant(text: str, chosen: list[tuple[_Candidate, str]]) -> bool:
    grams = char_shingles(text)
    return any(
        jaccard(grams, char_shingles(other)) > REDUNDANCY_THRESHOLD
        or jaccard(grams, char_shingles(cand.sentence)) > REDUNDANCY_THRESHOLD
        for cand, other in chosen
    )


def _covered_facts(chosen: list[tuple[_Candidate, str]]) -> frozenset[tuple[str, str]]:
    covered: set[tuple[str, str]] = set()
    for _, text in chosen:
        covered |= _key_facts(extract_facts(text))
    return frozenset(covered)


def summarise(
    sources: list[SourceText],
    max_bullets: int = 4,
    min_bullets: int = 3,
    max_chars: int = 120,
    terms: dict[str, float] | None = None,
) -> list[Bullet]:
    """Draft 3–4 bullets for one story; the first announces who said what, when.

    Japanese output follows the house form 「M月D日(日本時間)、<org>より、<what>と発表されました。」
    when a date and organisation can be found; other bullets are the best-scoring,
    non-redundant sentences (primary-source sentences preferred for figures), in polite
    form, in their original order. English sources give English bullets.
    """
    if not sources or max_bullets < 1:
        return []
    lang = output_language(sources)
    cands = _candidates(sources, lang, terms)
    first = _first_bullet(cands, sources, lang, max_chars)
    if first is None:
        return []
    chosen = [first]
    pool = sorted(
        (c for c in cands if (c.order, c.index) != (first[0].order, first[0].index)),
        key=lambda c: (-c.score, c.source.role != "primary", c.order, c.index),
    )
    texts = {(c.order, c.index): _bullet_text(c, lang, max_chars) for c in pool}
    pool = [c for c in pool if texts[(c.order, c.index)]]
    for strict in (True, False):
        for cand in pool:
            if len(chosen) >= max_bullets or (not strict and len(chosen) >= min_bullets):
                break
            text = texts[(cand.order, cand.index)]
            if any(c is cand for c, _ in chosen) or _redundant(text, chosen):
                continue
            if strict and cand.key_facts and cand.key_facts <= _covered_facts(chosen):
                continue  # its figures and dates are already stated (by a better sentence)
            weakest = min((c.score for c, _ in chosen[1:]), default=cand.score)
            if len(chosen) >= min_bullets and cand.score < EXTRA_BULLET_RATIO * weakest:
                continue  # an optional extra bullet must be reasonably strong
            chosen.append((cand, text))
    rest = sorted(chosen[1:], key=lambda pair: (pair[0].order, pair[0].index))
    return [
        Bullet(text, cand.source.article_id, cand.index, cand.sentence) for cand, text in [first, *rest]
    ]


def lead_baseline(sources: list[SourceText], n: int = 3) -> list[Bullet]:
    """The first ``n`` sentences of the first news source, unchanged (benchmark baseline)."""
    source = next((s for s in sources if s.role == "news"), sources[0] if sources else None)
    if source is None:
        return []
    return [
        Bullet(sentence, source.article_id, index, sentence)
        for index, sentence in enumerate(split_sentences(source.text)[:n])
    ]
