"""The first bullet: who announced what, and when (see HOUSE-FORMAT.md).

Japanese: 「M月D日(日本時間)、<org>より、<what>と発表されました。」, built from the sentence whose
predicate is the announcement (…と発表した, …を公開した, …として注意を呼びかけた).
English: "On <Month> <D> (JST), <Org> announced/released/said …", built from an
"<Org> announced …" sentence. Background and notice sentences never qualify.
"""

from __future__ import annotations

import re

from pipeline.analyse.facts import Fact, extract_facts, publication_date
from pipeline.summarise.register import drop_alias, neutral_register, plain, third_person
from pipeline.summarise.sentences import Candidate, is_background
from pipeline.summarise.shorten import bullet_budget, fit_ja_clauses, shorten, split_end
from pipeline.summarise.texts import SourceText
from pipeline.text.japanese import normalize, split_sentences

LEAD_WINDOW = 6  # announcement sentences are looked for among the first sentences of a source

# --- Japanese announcement sentences ------------------------------------------------------

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
# A notice's meta-sentences: what the notice is about, greetings, apologies.
_NOTICE_JA_RE = re.compile(
    r"お知らせ(?:いた)?し(?:ます|ました)|ご報告(?:いたし|申し上げ|し)ま|お詫び申し上げ|御礼申し上げ|ご高配"
)
_FILLER_RE = re.compile(
    r"^(?:このたび|この度|今般|本日|同日|今回|先般|なお|また|こうした中|こうしたなか|そうした中|そうしたなか)[、，]?"
)
_SELF_SUBJECTS = frozenset(
    {"弊社", "当社", "同社", "本学", "当大学", "同大学", "当機構", "同機構", "本機構", "当市", "本市", "同市",
     "同省", "同庁", "同県", "同協会", "同センター", "同研究所", "当法人", "同法人"}
)
_NAME = r"^(?P<s>[^、。「」『』（）()]{1,30}?)"
_SUBJECT_RE = re.compile(rf"{_NAME}(?:では|は|が)[、，]?")
_TOPIC_RE = re.compile(rf"{_NAME}(?:では|は)[、，]?")  # "が" may open a relative clause
_GA_SUBJECT_RE = re.compile(rf"{_NAME}が[、，]?")
_NAME_ONLY_RE = re.compile(r"[\u4e00-\u9fff々\u30a1-\u30ffA-Za-zＡ-Ｚａ-ｚ&・ ]{2,30}")

# --- English announcement sentences ---------------------------------------------------------

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
_ARTICLES = ("The", "A", "An")


def known_orgs(sources: list[SourceText]) -> list[str]:
    """The announcing organisations the sources name, in source order."""
    return [s.org for s in sources if s.org]


def _en_announcement(sentence: str, orgs: list[str]) -> re.Match | None:
    """The subject/verb split of an English "<Org> announced/released/said …" sentence."""
    m = _EN_ANNOUNCEMENT_RE.match(sentence.strip())
    if not m:
        return None
    subject = m.group("subject").strip()
    words = subject.split()
    named = [w for i, w in enumerate(words) if w[:1].isupper() and not (i == 0 and w in _ARTICLES)]
    if _EN_NOT_SUBJECT_RE.search(subject) or not named:
        return None
    if orgs and not any(org.lower() in subject.lower() or subject.lower() in org.lower() for org in orgs):
        return None
    return m


# --- which sentence announces -----------------------------------------------------------------


def _ja_strength(cand: Candidate) -> int | None:
    sentence = cand.sentence
    if is_background(sentence, "ja") or _NOTICE_JA_RE.search(sentence):
        return None
    body = split_end(sentence)[0]
    if any(r.search(body) for r in (_SPEECH_END_RE, _OBJECT_END_RE, _CALL_END_RE, _ANNOUNCE_PREDICATE_RE)):
        return 0
    if _ANNOUNCE_JA_RE.search(sentence) or (cand.source.role == "primary" and _FINDING_JA_RE.search(sentence)):
        return 1
    return None


def _en_strength(cand: Candidate, orgs: list[str]) -> int | None:
    if is_background(cand.sentence, "en"):
        return None
    if _en_announcement(cand.sentence, orgs):
        return 0
    return 1 if _ANNOUNCE_EN_RE.search(cand.sentence) else None


def announcement_strength(cand: Candidate, lang: str, orgs: list[str]) -> int | None:
    """0 when the sentence's predicate announces (…と発表した, …を公開した, …として注意を
    呼びかけた, "<Org> announced …"), 1 when it only mentions an announcement (or, in a Japanese
    primary source, a finding), None otherwise. Background and notice sentences never qualify."""
    return _ja_strength(cand) if lang == "ja" else _en_strength(cand, orgs)


def _best_first(group: list[Candidate]) -> list[Candidate]:
    return sorted(group, key=lambda c: (-c.score, c.order, c.index))


def announcement_candidates(
    cands: list[Candidate], lang: str, sources: list[SourceText]
) -> list[tuple[Candidate, bool]]:
    """Sentences to try for the first bullet, best first, each with whether the house
    form may be built from it (announcement/finding sentences and source leads only).

    Sentences whose predicate is the announcement come first (news before primary), then
    sentences that only mention one; background and notice sentences are never used.
    """
    orgs = known_orgs(sources)
    early = [c for c in cands if c.index < LEAD_WINDOW]
    news = [c for c in early if c.source.role != "primary"]
    primary = [c for c in early if c.source.role == "primary"]
    graded = {c.key: announcement_strength(c, lang, orgs) for c in news + primary}
    announcing = [c for level in (0, 1) for group in (news, primary) for c in group if graded[c.key] == level]
    house_keys = {c.key for c in announcing if lang == "ja" or graded[c.key] == 0}
    lead_index: dict[int, int] = {}
    for c in cands:
        lead_index.setdefault(c.order, c.index)  # cands are in source/sentence order
    ranked, seen = [], set()
    for group in (announcing, _best_first(news), _best_first(primary), _best_first(cands)):
        for c in group:
            if c.key not in seen:
                seen.add(c.key)
                is_lead = c.index == lead_index[c.order] and lang == "ja" and not is_background(c.sentence)
                ranked.append((c, c.key in house_keys or is_lead))
    return ranked


# --- when ---------------------------------------------------------------------------------------


def _month_day(date: Fact) -> tuple[int, int]:
    """(month, day) of a date fact (its value is YYYY-MM-DD)."""
    return int(date.value[-5:-3]), int(date.value[-2:])


def _published_on(source: SourceText) -> tuple[int, int] | None:
    day = publication_date(source.published_at)
    return (day.month, day.day) if day else None


def _stated_date(ann: Candidate) -> tuple[int, int] | None:
    """A date the sentence gives for the announcement itself ("3月1日付で、…", "3月1日に発表した")."""
    for fact in ann.facts:
        if fact.kind != "date":
            continue
        after = ann.sentence[fact.start + len(fact.text) :]
        if re.match(r"(?:付け?で?)?(?:[、，,]|に?(?:発表|公表|公開))", after):
            return _month_day(fact)
    return None


def _dateline(source: SourceText) -> tuple[int, int] | None:
    """The date of a line such as "2026年3月1日" among a source's first lines."""
    for line in split_sentences(source.text)[:5]:
        dates = [f for f in extract_facts(line, source.published_at) if f.kind == "date"]
        if dates and len(line) - len(dates[0].text) <= 6:
            return _month_day(dates[0])
    return None


def _announcement_date(ann: Candidate, sources: list[SourceText]) -> tuple[int, int] | None:
    """(month, day) the announcement was made, in Japan time: stated in the sentence, else the
    primary source's publication date or dateline, else the sentence's or any source's date."""
    primaries = [s for s in sources if s.role == "primary"]

    def found():
        yield _stated_date(ann)
        yield from (_published_on(s) for s in primaries)
        yield from (_dateline(s) for s in primaries)
        yield _published_on(ann.source)
        yield from (_published_on(s) for s in sources)

    return next((day for day in found() if day), None)


# --- who ----------------------------------------------------------------------------------------


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
        if only is not None and _month_day(facts[0]) != only:
            return text
        text = re.sub(r"^(?:[（(][^）)]{1,8}[）)])?(?:付け?で|に)?[、，]?", "", rest)
    return text


def _subject(ann: Candidate) -> str | None:
    """The topic of an announcement sentence ("A市は…と発表した" → "A市")."""
    m = _SUBJECT_RE.match(_strip_leading_dates(ann.sentence))
    if not m or m.group("s") in _SELF_SUBJECTS or not _NAME_ONLY_RE.fullmatch(m.group("s")):
        return None
    return m.group("s")


def _named_announcer(ann: Candidate) -> str | None:
    """The organisation an announcement sentence names as the announcer ("A社は…と発表した")."""
    for fact in ann.facts:
        if fact.kind == "org" and re.match(r"(?:では|は|が)", ann.sentence[fact.start + len(fact.text) :]):
            return fact.text
    return _subject(ann)


def _org_in_lead(source: SourceText) -> str | None:
    for fact in extract_facts(" ".join(split_sentences(source.text)[:3])):
        if fact.kind == "org":
            return fact.text
    return None


def announcer(ann: Candidate, sources: list[SourceText]) -> str | None:
    """Who made the announcement: the primary source's organisation, else the one the sentence
    names, else any organisation in the sentence, a news source's organisation, or one in the
    first lines of a primary source."""
    for source in sources:
        if source.role == "primary" and source.org:
            return source.org
    if _SPEECH_END_RE.search(split_end(ann.sentence)[0]) or _ANNOUNCE_JA_RE.search(ann.sentence):
        named = _named_announcer(ann)
        if named:
            return named
    orgs = [f for f in ann.facts if f.kind == "org"]
    if orgs:
        return orgs[0].text
    for source in sources:
        if source.role != "primary" and source.org:
            return source.org
    for source in sources:
        if source.role == "primary":
            org = _org_in_lead(source)
            if org:
                return org
    return None


# --- what ---------------------------------------------------------------------------------------


def _same_org(subject: str, org: str) -> bool:
    subject, org = normalize(subject), normalize(org)
    return subject in _SELF_SUBJECTS or (len(subject) >= 2 and (subject.endswith(org) or org.endswith(subject)))


def _announced_content(ann: Candidate) -> tuple[str, str, bool]:
    """The sentence without its announcing predicate, in plain form; the connector before 発表
    ("と", or "が" for "…を発表した"); and whether the predicate announced."""
    body = neutral_register(drop_alias(split_end(ann.sentence.strip())[0]))
    speech, obj, call = (r.search(body) for r in (_SPEECH_END_RE, _OBJECT_END_RE, _CALL_END_RE))
    predicate_announces = bool(speech or obj or call or _ANNOUNCE_PREDICATE_RE.search(split_end(ann.sentence)[0]))
    if speech:
        return body[: speech.start()], "と", predicate_announces
    if obj:
        return body[: obj.start()], "が", predicate_announces
    if call:
        return body[: call.start()], "と", predicate_announces
    return plain(body), "と", predicate_announces


def _after_announcer(body: str, org: str, predicate_announces: bool) -> str | None:
    """``body`` without a leading "<org>は" / "<org>が、" naming the announcer; None if it has none."""
    m = _TOPIC_RE.match(body)
    if m and _same_org(m.group("s"), org):
        return body[m.end() :]
    if predicate_announces:
        # "<org>が、…と発表した" / "<org>が3月1日、…": が marks the announcer here, not a
        # relative clause ("同社が運営するサイト" is left alone)
        m = _GA_SUBJECT_RE.match(body)
        if m and m.group("s") not in _SELF_SUBJECTS and _same_org(m.group("s"), org):
            rest = body[m.end() :]
            if m.group(0).endswith(("、", "，")) or _strip_leading_dates(rest) != rest:
                return rest
    return None


def _what(ann: Candidate, org: str, date: tuple[int, int] | None) -> tuple[str, str]:
    """What was announced (plain form, no subject/date) and the connector before 発表."""
    body, connector, predicate_announces = _announced_content(ann)
    after_subject = False
    for _ in range(6):
        before = body
        # right after the announcer ("X社は3月1日（米国時間）、…") a date is when it was announced
        body = _strip_leading_dates(_FILLER_RE.sub("", body.lstrip("、， ")), None if after_subject else date)
        rest = _after_announcer(body, org, predicate_announces)
        after_subject = rest is not None
        body = body if rest is None else rest
        if body == before:
            break
    return third_person(body.strip()), connector


# --- the bullet ---------------------------------------------------------------------------------


def _house_form_ja(ann: Candidate, sources: list[SourceText], max_chars: int) -> str | None:
    date, org = _announcement_date(ann, sources), announcer(ann, sources)
    if not date or not org:
        return None
    what, connector = _what(ann, org, date)
    if normalize(what).startswith(normalize(org)):
        return None  # "<org>より、<org>が…": the sentence is not the organisation's own announcement
    prefix = f"{date[0]}月{date[1]}日(日本時間)、{org}より、"
    suffix = f"{connector}発表されました。"
    fitted = fit_ja_clauses(what, max_chars - len(prefix) - len(suffix))
    if not fitted or len(fitted) < 4:
        return None
    return prefix + fitted + suffix


def _house_form_en(ann: Candidate, sources: list[SourceText], max_chars: int) -> str | None:
    m = _en_announcement(ann.sentence, known_orgs(sources))
    date = _announcement_date(ann, sources)
    if not m or not date:
        return None
    subject = m.group("subject").strip()
    if subject.split()[0] in _ARTICLES:
        subject = subject[0].lower() + subject[1:]
    text = f"On {_MONTHS[date[0] - 1]} {date[1]} (JST), {subject} {m.group('verb')}{m.group('rest').rstrip()}"
    return shorten(text, bullet_budget(max_chars, "en"), "en")


def house_form(ann: Candidate, sources: list[SourceText], lang: str, max_chars: int) -> str | None:
    """The first bullet in the house form, built from announcement sentence ``ann``; None when
    no date or announcer is found or the announced content does not fit."""
    return (_house_form_ja if lang == "ja" else _house_form_en)(ann, sources, max_chars)
