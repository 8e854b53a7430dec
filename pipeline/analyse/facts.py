"""Key-fact extraction (dates, times, counts, CVE/KB ids, organisations).

Regex-based and pure. Every Fact keeps the exact source substring in ``text``
(figures are never rewritten) and a normalised ``value`` for comparison.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

KINDS = ("date", "time", "count", "cve", "kb", "org")
# Kinds whose text counts as a "figure" that summaries must copy verbatim.
FIGURE_KINDS = ("count", "cve", "kb")


@dataclass(frozen=True)
class Fact:
    kind: str  # one of KINDS
    text: str  # exact substring of the source text
    value: str  # normalised form (ISO date, HH:MM, "66482 件", "CVE-…", KB digits, org name)
    start: int  # offset of ``text`` in the source text


def _starting_with(first: str, pattern: str, flags: int = 0) -> re.Pattern:
    """``pattern``, told the characters its matches can start with (``first``, a character class).

    Python's re scans a text quickly for a pattern that opens with known characters; one that opens
    with an optional part or a look-behind is tried at every position instead. The look-ahead
    changes no match (every match starts with one of them) and makes the scan 1.5 to 4 times faster.
    """
    return re.compile(rf"(?=[{first}])(?:{pattern})", flags)


# --- numbers -----------------------------------------------------------------

_D = "0-9０-９"
_DIGIT = re.compile(r"\d")  # any decimal digit: every identifier, date, time and count holds one
_NUM = rf"[{_D}]{{1,3}}(?:[,，][{_D}]{{3}})+(?:[.．][{_D}]+)?|[{_D}]+(?:[.．][{_D}]+)?"
_MULTIPLIERS = {"兆": 10**12, "億": 10**8, "万": 10**4, "千": 10**3}
_AMOUNT = rf"(?:{_NUM})(?:[兆億万千](?:{_NUM})?)*"

_UNITS = sorted(
    [
        "件", "個", "倍", "円", "ドル", "米ドル", "ユーロ", "台", "人", "名", "社", "通", "回",
        "校", "団体", "組織", "機関", "店舗", "世帯", "口座", "枚", "本", "点", "種類", "項目",
        "箇所", "カ所", "か所", "ヶ所", "ページ", "アカウント", "ユーザー", "ドメイン", "サイト",
        "ファイル", "%", "％", "パーセント", "ポイント", "GB", "TB", "MB", "ギガバイト",
        "テラバイト", "時間", "日間", "週間", "カ月", "か月", "ヶ月", "ケ月", "年間", "分間", "秒",
        "歳", "ビット", "割",
    ],
    key=len,
    reverse=True,
)
_PRE_QUALIFIERS = ("少なくとも", "およそ", "最大", "合計", "累計", "延べ", "約", "計")
# Words ending in a one-character qualifier (約, 計) that are not qualifiers.
_NOT_QUALIFIERS = frozenset(
    "契約 予約 規約 条約 制約 集約 要約 節約 公約 誓約 解約 成約 特約 確約 倹約 "
    "設計 会計 時計 統計 集計 推計 家計 小計 余計 生計 早計 主計 見積計".split()
)
_POST_QUALIFIERS = ("あまり", "余り", "以上", "以下", "未満", "超")

_COUNT_RE = _starting_with(
    _D + "".join(q[0] for q in _PRE_QUALIFIERS),
    rf"(?P<pre>{'|'.join(_PRE_QUALIFIERS)})?"
    rf"(?<![{_D},，.．\-_/])"
    rf"(?P<amt>{_AMOUNT})"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})?"
    rf"(?P<post>{'|'.join(_POST_QUALIFIERS)})?",
)


def _to_decimal(num: str) -> Decimal:
    return Decimal(unicodedata.normalize("NFKC", num).replace(",", ""))


def amount_value(amount: str) -> Decimal:
    """Numeric value of an amount such as "3,279億" or "1万2,000" (multipliers applied)."""
    total, current = Decimal(0), Decimal(0)
    for part in re.findall(rf"{_NUM}|[兆億万千]", amount):
        if part in _MULTIPLIERS:
            total += (current or Decimal(1)) * _MULTIPLIERS[part]
            current = Decimal(0)
        else:
            current = _to_decimal(part)
    return total + current


def _format_number(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value.normalize(), "f")
    return text


def _counts(text: str) -> list[Fact]:
    found = []
    for m in _COUNT_RE.finditer(text):
        amount, unit = m.group("amt"), m.group("unit") or ""
        if not unit and not re.search("[兆億万千]", amount):
            continue  # a bare number is not a figure
        start = m.start()
        pre = m.group("pre") or ""
        if pre and len(pre) == 1 and text[max(0, start - 1) : start + 1] in _NOT_QUALIFIERS:
            start += 1  # 契約3件: the 約 belongs to 契約, it is not "approximately"
        unit_norm = unicodedata.normalize("NFKC", unit)
        if unit_norm == "パーセント":
            unit_norm = "%"
        value = f"{_format_number(amount_value(amount))} {unit_norm}".strip()
        found.append(Fact("count", text[start : m.end()], value, start))
    return found


# --- dates and times -------------------------------------------------------------

_ERA_BASE = {"令和": 2018, "平成": 1988}
_DATE_JA_RE = _starting_with(
    _D + "".join(era[0] for era in _ERA_BASE),
    rf"(?:(?P<era>{'|'.join(_ERA_BASE)})(?P<ey>元|[{_D}]{{1,2}})年|(?<![{_D}])(?P<y>[{_D}]{{4}})年)?"
    rf"(?<![{_D}])(?P<m>[{_D}]{{1,2}})月(?P<d>[{_D}]{{1,2}})日"
    r"(?:[（(][月火水木金土日](?:・祝)?[)）])?",
)
_DATE_NUM_RE = _starting_with(
    _D,
    rf"(?<![{_D}A-Za-z\-/])(?P<y>[{_D}]{{4}})(?P<sep>[/\-])(?P<m>[{_D}]{{1,2}})(?P=sep)(?P<d>[{_D}]{{1,2}})(?![{_D}])",
)
_TIME_JA_RE = _starting_with(
    _D + "午",
    rf"(?P<ampm>午前|午後)?(?<![{_D}])(?P<h>[{_D}]{{1,2}})時(?!間)(?:(?P<min>[{_D}]{{1,2}})分|(?P<half>半))?",
)
_TIME_COLON_RE = _starting_with(_D, rf"(?<![{_D}:：])(?P<h>[{_D}]{{1,2}})[:：](?P<min>[{_D}]{{2}})(?![{_D}:：])")
_JST = _dt.timezone(_dt.timedelta(hours=9))


def _int(s: str) -> int:
    return int(unicodedata.normalize("NFKC", s))


def publication_date(published_at: str | None) -> _dt.date | None:
    """The Japan-time calendar date of an ISO-like timestamp.

    "2026-03-01", "2026-03-01T10:00:00+09:00" and "2026-02-28T23:30:00Z" (→ 2026-03-01
    in Japan) are accepted; timestamps without a zone are taken as already local.
    """
    if not published_at:
        return None
    raw = unicodedata.normalize("NFKC", published_at).strip()
    try:
        stamp = _dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        stamp = None
    if stamp is not None:
        if stamp.tzinfo is not None:
            stamp = stamp.astimezone(_JST)
        return stamp.date()
    m = re.search(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", raw)
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _iso(year: int | None, month: int, day: int) -> str | None:
    try:
        _dt.date(year or 2000, month, day)  # 2000 is a leap year: 2月29日 is valid
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}" if year else f"--{month:02d}-{day:02d}"


def _dates(text: str, published: _dt.date | None) -> list[Fact]:
    found = []
    for m in _DATE_JA_RE.finditer(text):
        month, day = _int(m.group("m")), _int(m.group("d"))
        if m.group("y"):
            year = _int(m.group("y"))
        elif m.group("era"):
            era_year = 1 if m.group("ey") == "元" else _int(m.group("ey"))
            year = _ERA_BASE[m.group("era")] + era_year
        elif published:
            year = published.year - 1 if month > published.month else published.year
        else:
            year = None
        value = _iso(year, month, day)
        if value:
            found.append(Fact("date", m.group(0), value, m.start()))
    for m in _DATE_NUM_RE.finditer(text):
        value = _iso(_int(m.group("y")), _int(m.group("m")), _int(m.group("d")))
        if value:
            found.append(Fact("date", m.group(0), value, m.start()))
    return found


def _times(text: str) -> list[Fact]:
    found = []
    for m in _TIME_JA_RE.finditer(text):
        hour = _int(m.group("h"))
        minute = _int(m.group("min")) if m.group("min") else (30 if m.group("half") else 0)
        ampm = m.group("ampm")
        if ampm == "午後" and hour < 12:
            hour += 12
        elif ampm == "午前" and hour == 12:
            hour = 0
        if hour > 24 or minute > 59:
            continue
        found.append(Fact("time", m.group(0), f"{hour:02d}:{minute:02d}", m.start()))
    for m in _TIME_COLON_RE.finditer(text):
        hour, minute = _int(m.group("h")), _int(m.group("min"))
        if hour <= 24 and minute <= 59:
            found.append(Fact("time", m.group(0), f"{hour:02d}:{minute:02d}", m.start()))
    return found


# --- identifiers -------------------------------------------------------------------

_CVE_RE = _starting_with("Cc", r"(?<![A-Za-z0-9])CVE-\d{4}-\d{4,7}(?!\d)", re.IGNORECASE)
_KB_RE = _starting_with("K", r"(?<![A-Za-z0-9])KB ?(\d{6,8})(?!\d)")


def _identifiers(text: str) -> list[Fact]:
    found = [Fact("cve", m.group(0), m.group(0).upper(), m.start()) for m in _CVE_RE.finditer(text)]
    found += [Fact("kb", m.group(0), m.group(1), m.start()) for m in _KB_RE.finditer(text)]
    return found


# --- organisations ------------------------------------------------------------------

_NAME = r"\u4e00-\u9fff\u3400-\u4dbf々〆\u30a1-\u30ffA-Za-zＡ-Ｚａ-ｚ&＆"
_ORG_SUFFIXES = (
    "大学院", "大学", "高等学校", "中学校", "小学校", "学園", "病院", "機構", "研究所", "協会", "センター", "株式会社",
    "省", "庁", "県", "市", "町", "村"
)
_ORG_PREFIXES = (
    "株式会社", "独立行政法人", "国立研究開発法人", "一般社団法人", "公益社団法人", "一般財団法人",
    "公益財団法人", "国立大学法人", "学校法人",
)
_ORG_SUFFIX_RE = re.compile(rf"[{_NAME}]{{1,30}}?(?:{'|'.join(_ORG_SUFFIXES)})(?![{_NAME}])")
# After a legal-form prefix a name may open with a short hiragana run (株式会社ひかりリテール,
# 株式会社ゆうちょ銀行) when a katakana/kanji/Latin part follows; a run that starts like a
# particle (株式会社は…, 株式会社ではなく…) is not a name.
_HIRAGANA_LEAD = rf"(?:(?![はがのにとをもでへやよ])[\u3041-\u3096]{{2,6}}(?=[{_NAME}]))?"
_ORG_PREFIX_RE = re.compile(rf"(?:{'|'.join(_ORG_PREFIXES)}){_HIRAGANA_LEAD}[{_NAME}]{{1,30}}")
# A company name may end in a hiragana run before 株式会社 (ソラひかり株式会社: a
# kanji or katakana part, then hiragana); a run ending like a particle (…などの株式会社) is not part of a name.
_ORG_KANA_COMPANY_RE = re.compile(
    rf"[{_NAME}]{{1,30}}?[\u3041-\u3096]{{2,6}}(?<![のはがをにでともやへ])株式会社(?![{_NAME}])")
_ORG_EN_RE = _starting_with(
    "A-Z", r"(?<![A-Za-z0-9])(?:[A-Z][A-Za-z0-9&\-]*\s+){1,3}(?:Inc\.|Corporation|Corp\.|Ltd\.|LLC(?![A-Za-z]))"
)
_ORG_KNOWN_RE = _starting_with("Mマ", r"(?<![A-Za-z])Microsoft(?![A-Za-z])|マイクロソフト")
# Leading words glued to an organisation name that are not part of it.
_ORG_NOISE_PREFIX_RE = re.compile(
    r"^(?:同日|本日|昨日|当日|前日|翌日|今回|昨年|今年|本年|先月|今月|同月|同年|日本時間|米国時間|現地時間)+"
)
_ORG_SELF_REF = frozenset("同当本各全他両某諸")
# Common nouns that look like organisation names (suffix match) but are not.
_ORG_NOT_NAMES = frozenset(
    {
        "都市", "大都市", "地方都市", "主要都市", "政令指定都市", "都道府県", "各都道府県", "市町村",
        "各市町村", "官公庁", "省庁", "各省庁", "反省", "自省", "農村", "漁村", "山村", "国立大学",
        "私立大学", "公立大学", "国公立大学", "県立大学", "市立大学", "各大学", "県立高等学校", "市立中学校",
        "市立小学校", "公立学校", "総合病院", "市民病院", "大学病院", "中核病院", "各病院", "動物病院",
    }
)


def _clean_org(text: str, start: int, source: str) -> tuple[str, int] | None:
    if start > 0 and source[start - 1].isdigit():
        stripped = re.sub(r"^[年月日時分頃]+", "", text)
        start += len(text) - len(stripped)
        text = stripped
    noise = _ORG_NOISE_PREFIX_RE.match(text)
    if noise:
        start += noise.end()
        text = text[noise.end() :]
    the = re.match(r"The\s+", text)
    if the:
        start += the.end()
        text = text[the.end() :]
    suffix = next((s for s in _ORG_SUFFIXES if text.endswith(s)), None)
    if suffix and not text.startswith(_ORG_PREFIXES):
        name = text[: -len(suffix)]
        if not name or name in _ORG_SELF_REF or text in _ORG_NOT_NAMES:
            return None
        if suffix == "センター" and re.fullmatch(r"[\u30a1-\u30ff]+", name):
            return None  # データセンター, サポートセンター: generic nouns
    if not text:
        return None
    return text, start


def _any_of(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(map(re.escape, words)))


# Each organisation pattern with the words every match of it contains (None: no such words), so a
# text holding none of them is not scanned: most sentences name no legal form and no suffix.
_ORG_PATTERNS = (
    (_ORG_PREFIX_RE, _ORG_PREFIXES),
    (_ORG_SUFFIX_RE, _ORG_SUFFIXES),
    (_ORG_KANA_COMPANY_RE, ("株式会社",)),
    (_ORG_EN_RE, None),
    (_ORG_KNOWN_RE, None),
)
_ORG_SCANS = tuple((regex, _any_of(words) if words else None) for regex, words in _ORG_PATTERNS)


def _orgs(text: str) -> list[Fact]:
    candidates = []
    for regex, words in _ORG_SCANS:
        if words is not None and not words.search(text):
            continue
        for m in regex.finditer(text):
            cleaned = _clean_org(m.group(0), m.start(), text)
            if cleaned:
                candidates.append(cleaned)
    return [
        Fact("org", name, unicodedata.normalize("NFKC", name), start) for name, start in candidates
    ]


# --- public API ----------------------------------------------------------------------

_PRIORITY = {"cve": 0, "kb": 0, "date": 1, "time": 2, "count": 3, "org": 4}


def _non_overlapping(facts: list[Fact]) -> list[Fact]:
    """Keep higher-priority, then longer, facts; drop anything overlapping a kept one."""
    kept: list[Fact] = []
    taken: list[tuple[int, int]] = []
    ordered = sorted(facts, key=lambda f: (_PRIORITY[f.kind], -len(f.text), f.start))
    for fact in ordered:
        end = fact.start + len(fact.text)
        if any(fact.start < t_end and t_start < end for t_start, t_end in taken):
            continue
        kept.append(fact)
        taken.append((fact.start, end))
    return kept


def extract_facts(text: str, published_at: str | None = None) -> list[Fact]:
    """All key facts in ``text`` in order of appearance.

    ``published_at`` (ISO date/timestamp) supplies the year for dates written
    without one: a month later than the publication month means the previous year.
    Organisation facts are deduplicated by name (first occurrence kept).
    """
    if not text:
        return []
    return list(_facts_of(text, publication_date(published_at)))


@lru_cache(maxsize=1024)
def _facts_of(text: str, published: _dt.date | None) -> tuple[Fact, ...]:
    """extract_facts, remembered: a summary asks for the facts of the same sentences many times
    (each candidate bullet against each chosen one), and the facts are immutable."""
    numbers = (_identifiers(text) + _dates(text, published) + _times(text) + _counts(text)
               if _DIGIT.search(text) else [])  # four in ten sentences have no digit
    facts = _non_overlapping(numbers + _orgs(text))
    seen_orgs: set[str] = set()
    result = []
    for fact in sorted(facts, key=lambda f: (f.start, _PRIORITY[f.kind])):
        if fact.kind == "org":
            if fact.value in seen_orgs:
                continue
            seen_orgs.add(fact.value)
        result.append(fact)
    return tuple(result)


def facts_in(text: str) -> set[str]:
    """The figure strings (counts with units and qualifiers, CVE and KB ids) in ``text``."""
    return {f.text for f in extract_facts(text) if f.kind in FIGURE_KINDS}
