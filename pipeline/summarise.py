"""Default summariser: offline, deterministic, extractive with light rewriting.

Given a story's sources (a news article and, where available, the organisation's
primary notice), pick 3–4 sentences and turn them into newsletter bullets in the
house format (see HOUSE-FORMAT.md). Every bullet records the article and the
sentence it came from; figures in a bullet are always copied verbatim from that
sentence (bullets are only ever shortened at clause boundaries or re-ended).
"""

from __future__ import annotations

import dataclasses
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
    """Figures and dates (month-day) of a sentence, comparable across sources (small counts
    such as 1件 are left out: they recur in unrelated sentences)."""
    keys = {("figure", f.value) for f in facts if f.kind in FIGURE_KINDS and _distinctive(f)}
    keys |= {("date", f.value[-5:]) for f in facts if f.kind == "date"}
    return frozenset(keys)


def _distinctive(fact: Fact) -> bool:
    """Whether a figure can identify one statement: identifiers, and counts of 10 or more."""
    return fact.kind != "count" or float(fact.value.split(" ")[0]) >= 10


REDUNDANCY_THRESHOLD = 0.5  # character-trigram Jaccard above this = same content
SAME_ORG_REDUNDANCY_THRESHOLD = 0.3  # …or above this when both sentences mention the same organisation
BACKGROUND_PENALTY = 1.0  # score lost by a background sentence without the story's figures
LEAD_IN_PENALTY = 1.0  # score lost by a news sentence before the article's announcement sentence
LEAD_WINDOW = 6  # announcement sentences are looked for among the first sentences of a source
EXTRA_BULLET_RATIO = 0.5  # a bullet beyond min_bullets needs this share of the weakest chosen score

# --- sentence filters ----------------------------------------------------------------

_BOILERPLATE_RE = re.compile(
    r"お問い合わせ|お問合せ|問い合わせ先|問合せ先|電話(?:番号)?\s*[:：]?\s*[0-9０-９(（]|電話[:：]|(?<![A-Za-z])(?:TEL|FAX|Fax|Tel)(?![A-Za-z])"
    r"|ファクス|https?://|www\.|@|©|\([cC]\)|Copyright|copyright|All [Rr]ights [Rr]eserved"
    r"|無断転載|無断複製|関連記事|関連リンク|続きを読む|この記事を|シェアする|ツイートする|会員登録|ログインして"
    r"|Read more|Sign up|Subscribe|Share this|Click here|click here"
    # formulaic notice phrases and greetings with no facts of their own
    r"|お知らせ(?:いた)?します|お詫び申し上げ|ご迷惑をおかけ|ご心配をおかけ"
    r"|ご報告(?:いたし|申し上げ|し)ます|御礼申し上げ|お礼申し上げ|ご高配|ご愛顧"
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


# --- register: humble/notice wording → neutral polite ----------------------------------------

_REGISTER_RULES = (
    (re.compile(r"(?<=[てで])おりませんでした"), "いませんでした"),
    (re.compile(r"(?<=[てで])おりません"), "いません"),
    (re.compile(r"(?<=[てで])おりました"), "いました"),
    (re.compile(r"(?<=[てで])おります"), "います"),
    (re.compile(r"でございます"), "です"),
    (re.compile(r"ございませんでした"), "ありませんでした"),
    (re.compile(r"ございません"), "ありません"),
    (re.compile(r"ございました"), "ありました"),
    (re.compile(r"ございます"), "あります"),
    (re.compile(r"いたしました"), "しました"),
    (re.compile(r"いたしません"), "しません"),
    (re.compile(r"いたします"), "します"),
    (re.compile(r"におきまして"), "において"),
    (re.compile(r"おきまして"), "おいて"),
    (re.compile(r"お客様|お客さま"), "顧客"),
)


def neutral_register(text: str) -> str:
    """Rewrite a notice's humble wording in neutral です・ます form.

    確認いたしました → 確認しました, 生じております → 生じています, 含まれておりました →
    含まれていました, ございます → あります, におきまして → において, お客様 → 顧客.
    Only inflections and the customer noun change; figures are never touched.
    """
    for pattern, replacement in _REGISTER_RULES:
        text = pattern.sub(replacement, text)
    return text


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


# An English cut must leave a whole sentence: only drop a trailing clause that starts with one of
# these words (", including …", ", which …", ", according to …"), a trailing attribution
# (", the company said") or anything after a ";".
_EN_CUT_BEFORE_RE = re.compile(
    r"\s*(?:including|according to|which|who|whose|when|where|while|whereas|but|although|though|because|after|"
    r"before|as well as|following|citing|fixing|affecting|leaving|making|bringing|adding|prompting|"
    r"based on|such as)\b"
)
_EN_ATTRIBUTION_RE = re.compile(
    r"\s*(?:the\s+[a-z]+(?:\s+[a-z]+)?|it|he|she|they|[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,3})\s+"
    r"(?:said|says|added|noted|wrote|reported|announced|confirmed|warned)(?:\s+(?:on|in|last)\s+\w+)?\s*"
)
_EN_FINITE_RE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|does|do|did|"
    r"grew|fell|rose|made|found|said|says|took|gave|began|saw|left|led|sent|told|put|set|got|came|went|"
    r"became|broke|stole|wrote|won|lost|paid|sold|built|held|kept|brought|spent|ran|hit)\b|\b[a-z]{2,}ed\b"
)
# English has about 5/3 as many characters per unit of content as Japanese: a 120-character
# Japanese bullet corresponds to about 200 English characters.
EN_CHARS_PER_JA_CHAR = 5 / 3


def bullet_budget(max_chars: int, lang: str) -> int:
    """The character budget of one bullet: ``max_chars`` for Japanese, 5/3 of it for English."""
    return max_chars if lang == "ja" else int(max_chars * EN_CHARS_PER_JA_CHAR)


def _english_clause(text: str) -> bool:
    """A kept English prefix must read as a sentence: several words and a finite verb."""
    return len(text.split()) >= 4 and bool(_EN_FINITE_RE.search(text))


def _shorten_english(body: str, max_chars: int) -> str | None:
    clauses = split_clauses(body, ",;")
    result = None
    for k in range(1, len(clauses)):
        rest = "".join(clauses[k:])
        boundary = (
            clauses[k - 1].endswith(";")
            or _EN_CUT_BEFORE_RE.match(rest)
            or _EN_ATTRIBUTION_RE.fullmatch(rest)
        )
        if not boundary:
            continue
        candidate = "".join(clauses[:k]).rstrip(" ,;:")
        if len(candidate) + 1 > max_chars:
            break
        if candidate.count('"') % 2 == 0 and _english_clause(candidate):  # never stop inside a "quotation"
            result = candidate + "."
    return result


def shorten(sentence: str, max_chars: int = 120, lang: str = "ja") -> str | None:
    """Fit a sentence into ``max_chars`` by dropping clauses; None if impossible.

    Japanese keeps the predicate clause and re-ends with the original 。. English keeps the
    whole sentence when it fits; otherwise it drops trailing clauses only where what is left is
    itself a sentence (before ", including …", ", which …", a trailing ", the company said", or
    after ";") and ends with "." — never a fragment such as "On March 11, 2026.". Numbers and
    bracketed text are never cut (clauses are split only at top-level separators).
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
    return _shorten_english(body, max_chars)


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
_LEADING_CONNECTIVES_RE = re.compile(
    r"^(?:また|なお|さらに|このほか|加えて|このたび|この度|今般|こうした中|こうしたなか|そうした中|そうしたなか)[、，]"
)
_ALIAS_RE = re.compile(r"[（(]以下[、，]?[^（）()]{1,20}[）)]")  # (以下、当機構) / （以下「当社」）


def _third_person(text: str) -> str:
    for own, third in _SELF_REFERENCES:
        text = text.replace(own, third)
    return text


def _bullet_text(candidate: _Candidate, lang: str, max_chars: int) -> str | None:
    if lang != "ja":
        return shorten(candidate.sentence, bullet_budget(max_chars, lang), lang)
    text = _LEADING_CONNECTIVES_RE.sub("", candidate.sentence.strip())
    text = polite(neutral_register(_third_person(_ALIAS_RE.sub("", text))))
    return shorten(text, max_chars, "ja")


# --- background and notice sentences ---------------------------------------------------------

# Context about the field in general rather than the story itself.
_BACKGROUND_JA_RE = re.compile(
    r"今年に入って|これまでに|近年|昨年|ここ数年|年々|後を絶たない|相次いで|相次ぐ|依然として|増えている"
    r"|増加傾向|一般に|一般的に|専門家は|ある調査|国の調査"
)
_BACKGROUND_EN_RE = re.compile(
    r"\b(?:last year|in recent years|recent years|similar incidents|have become|has become|"
    r"a growing number|experts?|security researchers)\b|^(?:Several|Many|Some|Other)\b",
    re.IGNORECASE,
)
# A notice's meta-sentences: what the notice is about, greetings, apologies.
_NOTICE_JA_RE = re.compile(
    r"お知らせ(?:いた)?し(?:ます|ました)|ご報告(?:いたし|申し上げ|し)ま|お詫び申し上げ|御礼申し上げ|ご高配"
)


def is_background(sentence: str, lang: str = "ja") -> bool:
    """Whether a sentence gives general context (industry trends, earlier years) rather than news."""
    return bool((_BACKGROUND_JA_RE if lang == "ja" else _BACKGROUND_EN_RE).search(sentence))


def _story_figures(sources: list[SourceText], anchor: _Candidate | None) -> frozenset[str]:
    """Figure values that belong to the story: in a title, in the announcement sentence,
    or stated by more than one source."""
    values: set[str] = set()
    for source in sources:
        values |= _figure_values(extract_facts(source.title))
    if anchor is not None:
        values |= _figure_values(anchor.facts)
    per_source = [_figure_values(extract_facts(source.text)) for source in sources]
    for i, own in enumerate(per_source):
        for other in per_source[i + 1 :]:
            values |= own & other
    return frozenset(values)


def _figure_values(facts) -> frozenset[str]:
    return frozenset(f.value for f in facts if f.kind in FIGURE_KINDS)


def _event_values(facts) -> frozenset[str]:
    """Values that pin down one event: identifiers, clock times (午後3時42分 is 15:42 either way)
    and counts of 10 or more (12万4,513件 and 124,513件 are both "124513 件"); small counts such
    as 1件 or 2台 recur in unrelated sentences and are left out."""
    values = {"time " + f.value for f in facts if f.kind == "time"}
    values |= {f.value for f in facts if f.kind in FIGURE_KINDS and _distinctive(f)}
    return frozenset(values)


# --- the announcement bullet --------------------------------------------------------------

_ANNOUNCE_JA_RE = re.compile(r"(?:発表|公表|明らかに|報告|公開|告知|お知らせ|呼びかけ)(?!され)")
_FINDING_JA_RE = re.compile(r"判明|発覚|確認|発生")
_VERB = r"(?:発表|公表|報告|告知|公開|明らかに)"
_TAIL = r"(?:した|しました|いたしました|している|しています|されました|された|なった|なりました)?"
_SPEECH_END_RE = re.compile(rf"(?:と|ことを|旨を|ことが)、?(?:[^、。]{{0,16}}?(?:に|で)、?)?{_VERB}{_TAIL}$")
_OBJECT_END_RE = re.compile(r"を(?:[^、。]{0,16}?(?:に|で)、?)?(?:発表|公表)(?:した|しました|いたしました)$")
# "…として、注意を呼びかけた": what was found, and a warning about it.
_CALL_END_RE = re.compile(r"として[、，]?(?:[^、。]{0,12}?を)?呼びかけ(?:た|ました|ている|ています)$")
# The predicate itself announces something (…を公開した, …を発表しました).
_ANNOUNCE_PREDICATE_RE = re.compile(
    r"(?:発表|公表|公開|告知)(?:した|しました|いたしました|している|しています)$"
)
_FILLER_RE = re.compile(
    r"^(?:このたび|この度|今般|本日|同日|今回|先般|なお|また|こうした中|こうしたなか|そうした中|そうしたなか)[、，]?"
)
_SELF_SUBJECTS = frozenset(
    {"弊社", "当社", "同社", "本学", "当大学", "同大学", "当機構", "同機構", "本機構", "当市", "本市", "同市",
     "同省", "同庁", "同県", "同協会", "同センター", "同研究所", "当法人", "同法人"}
)
_SUBJECT_RE = re.compile(r"^(?P<s>[^、。「」『』（）()]{1,30}?)(?:では|は|が)[、，]?")
_TOPIC_RE = re.compile(r"^(?P<s>[^、。「」『』（）()]{1,30}?)(?:では|は)[、，]?")  # "が" may open a relative clause
_GA_SUBJECT_RE = re.compile(r"^(?P<s>[^、。「」『』（）()]{1,30}?)が[、，]?")
_NAME_ONLY_RE = re.compile(r"[\u4e00-\u9fff々\u30a1-\u30ffA-Za-zＡ-Ｚａ-ｚ&・ ]{2,30}")

_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_EN_DAY = rf"(?:{_WEEKDAYS}|(?:{'|'.join(_MONTHS)})\s+\d{{1,2}}(?:,\s*\d{{4}})?)"
_EN_ANNOUNCE_VERB = r"(?:announced|disclosed|reported|released|published|warned|confirmed|revealed|said|issued)"
_ANNOUNCE_EN_RE = re.compile(
    r"\b(?:announced|announces|said|says|disclosed|discloses|released|releases|reported|published|confirmed|warned|revealed)\b"
)
# "[On Tuesday,] <Org> [on Tuesday|today] [has] <announced|released|said…> …"
_EN_ANNOUNCEMENT_RE = re.compile(
    rf"^(?:On\s+{_EN_DAY},?\s+|(?:Today|Yesterday),\s+)?"
    rf"(?P<subject>[A-Za-z][\w&.'\- ]{{0,60}}?)\s+"
    rf"(?:(?:on\s+{_EN_DAY}|today|yesterday|this week|earlier this week),?\s+)?"
    rf"(?:(?:has|have)\s+)?(?P<verb>{_EN_ANNOUNCE_VERB})\b(?P<rest>.*)$",
    re.DOTALL,
)
_EN_NOT_SUBJECT_RE = re.compile(
    r"^(?:it|this|that|these|those|they|we|our|several|many|some|other|others|most|few|both|all|no|a|an)\b"
    r"|\b(?:is|are|was|were|be|been|being)\b",
    re.IGNORECASE,
)


def _en_announcement(sentence: str, orgs: list[str]) -> re.Match | None:
    """The subject/verb split of an English "<Org> announced/released/said …" sentence."""
    m = _EN_ANNOUNCEMENT_RE.match(sentence.strip())
    if not m:
        return None
    subject = m.group("subject").strip()
    words = subject.split()
    named = [w for i, w in enumerate(words) if w[:1].isupper() and not (i == 0 and w in ("The", "A", "An"))]
    if _EN_NOT_SUBJECT_RE.search(subject) or not named:
        return None
    if orgs and not any(org.lower() in subject.lower() or subject.lower() in org.lower() for org in orgs):
        return None
    return m


def _ja_announcement_strength(cand: _Candidate) -> int | None:
    """0 for a sentence whose predicate announces (…と発表した, …を公開した, …として注意を
    呼びかけた), 1 for one that mentions an announcement or (primary) a finding, None otherwise.
    Background and notice sentences never qualify."""
    sentence = cand.sentence
    if is_background(sentence, "ja") or _NOTICE_JA_RE.search(sentence):
        return None
    body = _split_end(sentence)[0]
    if any(r.search(body) for r in (_SPEECH_END_RE, _OBJECT_END_RE, _CALL_END_RE, _ANNOUNCE_PREDICATE_RE)):
        return 0
    if _ANNOUNCE_JA_RE.search(sentence) or (cand.source.role == "primary" and _FINDING_JA_RE.search(sentence)):
        return 1
    return None


def _en_announcement_strength(cand: _Candidate, orgs: list[str]) -> int | None:
    """0 for "<Org> announced/released/said …", 1 for any other announcement wording."""
    if is_background(cand.sentence, "en"):
        return None
    if _en_announcement(cand.sentence, orgs):
        return 0
    return 1 if _ANNOUNCE_EN_RE.search(cand.sentence) else None


def _known_orgs(sources: list[SourceText]) -> list[str]:
    return [s.org for s in sources if s.org]


def _announcement_candidates(
    cands: list[_Candidate], lang: str, sources: list[SourceText] | None = None
) -> list[tuple[_Candidate, bool]]:
    """Sentences to try for the first bullet, best first, each with whether the house
    form may be built from it (announcement/finding sentences and source leads only).

    Sentences whose predicate is the announcement come first (news before primary), then
    sentences that only mention one; background and notice sentences are never used.
    """

    def early(role_primary: bool) -> list[_Candidate]:
        return [c for c in cands if (c.source.role == "primary") == role_primary and c.index < LEAD_WINDOW]

    def best(group: list[_Candidate]) -> list[_Candidate]:
        return sorted(group, key=lambda c: (-c.score, c.order, c.index))

    orgs = _known_orgs(sources or [])
    if lang == "ja":
        strength = _ja_announcement_strength
    else:
        def strength(c: _Candidate) -> int | None:
            return _en_announcement_strength(c, orgs)

    news, primary = early(False), early(True)
    graded = {(c.order, c.index): strength(c) for c in news + primary}
    announcing = [
        c for level in (0, 1) for group in (news, primary) for c in group if graded[(c.order, c.index)] == level
    ]
    house_keys = {(c.order, c.index) for c in announcing if lang == "ja" or graded[(c.order, c.index)] == 0}
    lead_index: dict[int, int] = {}
    for c in cands:
        lead_index.setdefault(c.order, c.index)  # cands are in source/sentence order
    ranked, seen = [], set()
    for group in (announcing, best(news), best(primary), best(cands)):
        for c in group:
            key = (c.order, c.index)
            if key not in seen:
                seen.add(key)
                is_lead = c.index == lead_index[c.order] and lang == "ja" and not is_background(c.sentence)
                ranked.append((c, key in house_keys or is_lead))
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


def _strip_leading_dates(text: str, only: tuple[int, int] | None = None) -> str:
    """Drop a leading date (and "(日本時間)", "付で", "、" after it).

    A date followed by a clock time ("8月17日午前3時ごろ、") says when something happened and
    stays; with ``only``, so does any date other than that month-day.
    """
    text = text.lstrip("、， ")
    facts = extract_facts(text)
    if facts and facts[0].kind == "date" and facts[0].start == 0:
        rest = text[len(facts[0].text) :]
        if re.match(r"午前|午後|未明|早朝|深夜|夕方|朝|昼|夜|ごろ|頃|[0-9０-９]{1,2}[時:：]", rest):
            return text
        if only is not None and (int(facts[0].value[-5:-3]), int(facts[0].value[-2:])) != only:
            return text
        text = re.sub(r"^(?:[（(][^）)]{1,8}[）)])?(?:付け?で|に)?[、，]?", "", rest)
    return text


def _same_org(subject: str, org: str) -> bool:
    subject, org = normalize(subject), normalize(org)
    return subject in _SELF_SUBJECTS or (len(subject) >= 2 and (subject.endswith(org) or org.endswith(subject)))


def _what(ann: _Candidate, org: str, date: tuple[int, int] | None = None) -> tuple[str, str]:
    """What was announced (plain form, no subject/date) and the connector before 発表."""
    body = neutral_register(_ALIAS_RE.sub("", _split_end(ann.sentence.strip())[0]))
    connector = "と"
    speech = _SPEECH_END_RE.search(body)
    obj = _OBJECT_END_RE.search(body)
    call = _CALL_END_RE.search(body)
    if speech:
        body = body[: speech.start()]
    elif obj:
        body, connector = body[: obj.start()], "が"
    elif call:
        body = body[: call.start()]
    else:
        body = plain(body)
    predicate_announces = bool(speech or obj or call or _ANNOUNCE_PREDICATE_RE.search(_split_end(ann.sentence)[0]))
    after_subject = False
    for _ in range(6):
        before = body
        # right after the announcer ("X社は3月1日（米国時間）、…") a date is when it was announced
        body = _strip_leading_dates(_FILLER_RE.sub("", body.lstrip("、， ")), None if after_subject else date)
        after_subject = False
        m = _TOPIC_RE.match(body)
        if m and _same_org(m.group("s"), org):
            body, after_subject = body[m.end() :], True
        elif predicate_announces:
            # "<org>が、…と発表した" / "<org>が3月1日、…": が marks the announcer here, not a
            # relative clause ("同社が運営するサイト" is left alone)
            m = _GA_SUBJECT_RE.match(body)
            if m and m.group("s") not in _SELF_SUBJECTS and _same_org(m.group("s"), org):
                rest = body[m.end() :]
                if m.group(0).endswith(("、", "，")) or _strip_leading_dates(rest) != rest:
                    body, after_subject = rest, True
        if body == before:
            break
    return _third_person(body.strip()), connector


def _first_bullet_ja(ann: _Candidate, sources: list[SourceText], max_chars: int) -> str | None:
    date, org = _announcement_date(ann, sources), _announcer(ann, sources)
    if not date or not org:
        return None
    what, connector = _what(ann, org, date)
    if normalize(what).startswith(normalize(org)):
        return None  # "<org>より、<org>が…": the sentence is not the organisation's own announcement
    prefix = f"{date[0]}月{date[1]}日(日本時間)、{org}より、"
    suffix = f"{connector}発表されました。"
    fitted = _fit_ja_clauses(what, max_chars - len(prefix) - len(suffix))
    if not fitted or len(fitted) < 4:
        return None
    return prefix + fitted + suffix


def _first_bullet_en(ann: _Candidate, sources: list[SourceText], max_chars: int) -> str | None:
    """"On <Month> <D> (JST), <Org> <announced/released…> …" from an announcement sentence."""
    m = _en_announcement(ann.sentence, _known_orgs(sources))
    date = _announcement_date(ann, sources)
    if not m or not date:
        return None
    subject = m.group("subject").strip()
    if subject.split()[0] in ("The", "A", "An"):
        subject = subject[0].lower() + subject[1:]
    text = f"On {_MONTHS[date[0] - 1]} {date[1]} (JST), {subject} {m.group('verb')}{m.group('rest').rstrip()}"
    return shorten(text, bullet_budget(max_chars, "en"), "en")


def _first_bullet(
    cands: list[_Candidate], sources: list[SourceText], lang: str, max_chars: int
) -> tuple[_Candidate, str] | None:
    for ann, house_form in _announcement_candidates(cands, lang, sources):
        text = None
        if house_form:
            text = (_first_bullet_ja if lang == "ja" else _first_bullet_en)(ann, sources, max_chars)
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


def _orgs_in(text: str, announcer: str | None) -> set[str]:
    """Organisations a text mentions; "同社", "同大学"… and the announcer's name count as the announcer."""
    names = {f.value for f in extract_facts(text) if f.kind == "org"}
    if announcer:
        own = normalize(announcer)
        if own in normalize(text) or any(third in text for _, third in _SELF_REFERENCES):
            names.add(own)
    return names


def _redundant(text: str, chosen: list[tuple[_Candidate, str]], announcer: str | None = None) -> bool:
    """Whether ``text`` restates a chosen bullet.

    Redundant when the character-trigram Jaccard with a chosen bullet (or its source sentence)
    is above REDUNDANCY_THRESHOLD; when at least half of its figures are the same values as a
    chosen bullet's (12万4,513件 and 124,513件 are one figure); or when both mention the same
    organisation and the Jaccard is above SAME_ORG_REDUNDANCY_THRESHOLD.
    """
    grams = char_shingles(text)
    figures = _event_values(extract_facts(text))
    orgs = _orgs_in(text, announcer)
    for cand, other in chosen:
        similarity = max(jaccard(grams, char_shingles(other)), jaccard(grams, char_shingles(cand.sentence)))
        if similarity > REDUNDANCY_THRESHOLD:
            return True
        shared = figures & _event_values(extract_facts(other))
        if shared and 2 * len(shared) >= len(figures):
            return True
        if similarity > SAME_ORG_REDUNDANCY_THRESHOLD and orgs & _orgs_in(other, announcer):
            return True
    return False


def _rescored(
    cands: list[_Candidate], anchor: _Candidate, sources: list[SourceText], lang: str
) -> list[_Candidate]:
    """Lower the scores of context sentences once the announcement is known.

    Background sentences (industry trends, earlier years) lose BACKGROUND_PENALTY unless they
    carry one of the story's own figures; news sentences before the article's announcement
    sentence (the lead-in of "…が相次いでいる。こうした中、X社は…と発表した。") lose
    LEAD_IN_PENALTY.
    """
    story = _story_figures(sources, anchor)
    orgs = _known_orgs(sources)

    def announces(c: _Candidate) -> bool:
        strength = _ja_announcement_strength(c) if lang == "ja" else _en_announcement_strength(c, orgs)
        return strength is not None

    lead_in: dict[int, int] = {}
    if anchor.source.role != "primary" and announces(anchor):
        lead_in[anchor.order] = anchor.index
    for c in cands:
        if c.source.role == "primary" or c.order in lead_in or c.index >= LEAD_WINDOW:
            continue
        if announces(c):
            lead_in[c.order] = c.index
    adjusted = []
    for c in cands:
        penalty = 0.0
        if is_background(c.sentence, lang) and not (_figure_values(c.facts) & story):
            penalty += BACKGROUND_PENALTY
        if c.index < lead_in.get(c.order, 0):
            penalty += LEAD_IN_PENALTY
        adjusted.append(dataclasses.replace(c, score=round(c.score - penalty, 6)) if penalty else c)
    return adjusted


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
    when a date and organisation can be found, built from the sentence whose predicate is the
    announcement (not from background or notice sentences). English sources give English
    bullets, the first "On <Month> <D> (JST), <Org> announced/released/said …" when an
    "<Org> announced …" sentence is found; an English bullet may use 5/3 of ``max_chars``
    (200 for 120) and is never cut into a fragment. Other bullets are the best-scoring,
    non-redundant sentences (primary-source sentences preferred for figures; background and
    lead-in sentences scored down), in neutral polite form, in their original order.
    """
    if not sources or max_bullets < 1:
        return []
    lang = output_language(sources)
    cands = _candidates(sources, lang, terms)
    first = _first_bullet(cands, sources, lang, max_chars)
    if first is None:
        return []
    chosen = [first]
    announcer = _announcer(first[0], sources) if lang == "ja" else next(iter(_known_orgs(sources)), None)
    cands = _rescored(cands, first[0], sources, lang)
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
            if any(c is cand for c, _ in chosen) or _redundant(text, chosen, announcer):
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
