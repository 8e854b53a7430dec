"""The sentences of an MSRC release digest, in Japanese (JA) and English (EN), most informative first."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

SEVERITIES = ("Critical", "Important", "Moderate", "Low")
SEVERITY_JA = {"Critical": "緊急", "Important": "重要", "Moderate": "警告", "Low": "注意"}

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")

# Impact phrases at the end of MSRC titles ("… Elevation of Privilege Vulnerability"), in Japanese.
IMPACT_JA = {
    "remote code execution": "リモートコード実行",
    "elevation of privilege": "特権昇格",
    "information disclosure": "情報漏えい",
    "denial of service": "サービス拒否",
    "security feature bypass": "セキュリティ機能のバイパス",
    "spoofing": "なりすまし",
    "tampering": "改ざん",
    "memory corruption": "メモリ破損",
    "cross-site scripting": "クロスサイトスクリプティング",
    "xss": "クロスサイトスクリプティング",
}
_TRAILING_VULNERABILITY = re.compile(r"\s+vulnerability\s*$", re.IGNORECASE)
_IMPACT_SUFFIX = re.compile(
    r"^(?P<component>.*?)\s*\b(?P<impact>" + "|".join(re.escape(k) for k in IMPACT_JA) + r")$", re.IGNORECASE,
)


@dataclass(frozen=True)
class Vuln:
    cve: str
    title: str
    severity: str | None
    exploited: bool
    disclosed: bool
    products: tuple[str, ...]


def short_title(title: str, lang: str = "ja") -> str:
    """A CVE title without the trailing "Vulnerability"; in Japanese the impact is translated:
    "Windows Kernel Elevation of Privilege Vulnerability" -> "Windows Kernel の特権昇格"."""
    text = _TRAILING_VULNERABILITY.sub("", " ".join(title.split()))
    if lang != "ja":
        return text
    m = _IMPACT_SUFFIX.match(text)
    if not m:
        return text
    impact = IMPACT_JA[m.group("impact").lower()]
    component = m.group("component").strip()
    return f"{component} の{impact}" if component else impact


# --- listing helpers ---------------------------------------------------------------------------------


_Listing = tuple[str, int]  # ("titles" | "ids" | "first" | "none", how many ids for "first")


def _listings(n: int) -> list[_Listing]:
    """Ways to list n CVEs, most informative first."""
    if n == 0:
        return [("none", 0)]
    return [("titles", n), ("ids", n), *(("first", k) for k in range(n - 1, 0, -1)), ("none", 0)]


def _flag_listings(exploited: int, disclosed: int) -> Iterator[tuple[_Listing, _Listing]]:
    """Listing pairs: titles for both, titles for the exploited only, then ids, then fewer ids."""
    e_all, d_all = _listings(exploited), _listings(disclosed)
    yield e_all[0], d_all[0]
    if disclosed:
        yield e_all[0], d_all[1] if len(d_all) > 1 else d_all[0]
    for e in e_all[1:] or e_all:
        for d in d_all[1:] or d_all:
            yield e, d


# --- Japanese ------------------------------------------------------------------------------------------


class JA:
    @staticmethod
    def _opening(shown: date | None, year: int, month: int, count: int) -> str:
        when = f"{shown.month}月{shown.day}日(日本時間)、" if shown else ""
        return (f"{when}Microsoftより、{year}年{month}月のセキュリティ更新プログラムが公開され、"
                f"{count}件の脆弱性が修正され")

    @staticmethod
    def intro(shown: date | None, year: int, month: int, count: int) -> list[str]:
        return [JA._opening(shown, year, month, count) + "ました。"]

    @staticmethod
    def _severity_clause(severity: Counter[str], levels: Sequence[str]) -> str:
        parts = [f"「{SEVERITY_JA[s]}」は{severity[s]}件" for s in levels if severity[s]]
        if severity["Critical"]:
            return "このうち深刻度" + "、".join(parts)
        if parts:
            return "このうち深刻度「緊急」の脆弱性はなく、" + "、".join(parts)
        return "このうち深刻度「緊急」と評価された脆弱性はありません"

    @staticmethod
    def _severity_levels() -> list[Sequence[str]]:
        return [SEVERITIES, SEVERITIES[:2], SEVERITIES[:1]]

    @staticmethod
    def severity(severity: Counter[str]) -> list[str]:
        out = []
        for levels in JA._severity_levels():
            clause = JA._severity_clause(severity, levels)
            out.append(clause + ("。" if clause.endswith("ません") else "です。"))
        return out

    @staticmethod
    def intro_severity(shown: date | None, year: int, month: int, count: int, severity: Counter[str]) -> list[str]:
        out = []
        for levels in JA._severity_levels():
            clause = JA._severity_clause(severity, levels)
            out.append(f"{JA._opening(shown, year, month, count)}、{clause}"
                       + ("。" if clause.endswith("ません") else "です。"))
        return out

    @staticmethod
    def _list(vulns: list[Vuln], listing: _Listing) -> str:
        mode, k = listing
        if mode == "none":
            return ""
        if mode == "titles":
            items = [f"{v.cve}「{short_title(v.title)}」" if v.title else v.cve for v in vulns]
        else:
            items = [v.cve for v in vulns[:k]]
        return "(" + "、".join(items) + ("など" if mode == "first" else "") + ")"

    @staticmethod
    def flags(exploited: list[Vuln], disclosed: list[Vuln]) -> list[str]:
        if not exploited and not disclosed:
            return ["悪用や一般公開が確認された脆弱性はありません。"]
        out = []
        for e, d in _flag_listings(len(exploited), len(disclosed)):
            exp = f"悪用が確認されている脆弱性は{len(exploited)}件{JA._list(exploited, e)}"
            dis = f"一般に公開済みの脆弱性は{len(disclosed)}件{JA._list(disclosed, d)}"
            if exploited and disclosed:
                out.append(f"{exp}、{dis}です。")
            elif exploited:
                out.append(f"{exp}で、一般に公開済みの脆弱性はありません。")
            else:
                out.append(f"悪用が確認されている脆弱性はありませんが、{dis}です。")
        return out

    @staticmethod
    def _families(families: list[str], n: int) -> str:
        total = len(families)
        if n == 0:
            return f"計{total}製品ファミリー"
        shown = "、".join(families[:n])
        if n < total:
            return f"{shown}など計{total}製品ファミリー"
        return shown if total == 1 else f"{shown}の{total}製品ファミリー"

    @staticmethod
    def _esu(esu: list[str], m: int, long: bool) -> str:
        what = "ESU(拡張セキュリティ更新)" if long else "ESU"
        if m == 0:
            return f"サポートが終了した{len(esu)}製品は{what}契約者のみ修正を受けられます。"
        names = "、".join(esu[:m]) + ("など" if m < len(esu) else "")
        return f"サポートが終了した{names}は{what}契約者のみ修正を受けられます。"

    @staticmethod
    def products(families: list[str], esu: list[str]) -> Iterator[tuple[str, ...]]:
        return _product_layouts(families, esu, JA._families, JA._esu,
                                lambda fam, tail: f"{fam}が対象で、{tail}", lambda fam: f"{fam}が対象です。")


# --- English -------------------------------------------------------------------------------------------


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class EN:
    @staticmethod
    def _opening(shown: date | None, year: int, month: int, count: int, short: bool) -> str:
        month_name = MONTHS_EN[month - 1][:3] if short else MONTHS_EN[month - 1]
        when = ""
        if shown:
            shown_month = MONTHS_EN[shown.month - 1][:3] if short else MONTHS_EN[shown.month - 1]
            when = f"On {shown_month} {shown.day} ({'JST' if short else 'Japan time'}), "
        return (f"{when}Microsoft released its {month_name} {year} security updates, "
                f"fixing {_n(count, 'vulnerability', 'vulnerabilities')}")

    @staticmethod
    def intro(shown: date | None, year: int, month: int, count: int) -> list[str]:
        return [EN._opening(shown, year, month, count, short) + "." for short in (False, True)]

    @staticmethod
    def _severity_parts(severity: Counter[str], levels: Sequence[str]) -> list[str]:
        return [f"{severity[s]} {s}" for s in levels if severity[s] and s != "Critical"]

    @staticmethod
    def severity(severity: Counter[str]) -> list[str]:
        out = []
        for levels in JA._severity_levels():
            others = EN._severity_parts(severity, levels)
            critical = severity["Critical"]
            if critical:
                verb = "is" if critical == 1 else "are"
                out.append(f"Of these, {critical} {verb} rated Critical"
                           + (f", with {_and(others)}." if others else "."))
            elif others:
                out.append(f"None of them is rated Critical; {_and(others)}.")
            else:
                out.append("None of them is rated Critical.")
        return out

    @staticmethod
    def intro_severity(shown: date | None, year: int, month: int, count: int, severity: Counter[str]) -> list[str]:
        out = []
        for short in (False, True):
            for levels in JA._severity_levels():
                others = EN._severity_parts(severity, levels)
                critical = severity["Critical"]
                head = EN._opening(shown, year, month, count, short)
                tail = f"{critical} rated Critical" if critical else "none rated Critical"
                out.append(f"{head}, {tail}" + (f" ({_and(others)})." if others else "."))
        return out

    @staticmethod
    def _list(vulns: list[Vuln], listing: _Listing) -> str:
        mode, k = listing
        if mode == "none":
            return ""
        if mode == "titles":
            return " (" + "; ".join(f"{v.cve}: {short_title(v.title, 'en')}" if v.title else v.cve
                                    for v in vulns) + ")"
        return " (" + ", ".join(v.cve for v in vulns[:k]) + (", etc." if mode == "first" else "") + ")"

    @staticmethod
    def flags(exploited: list[Vuln], disclosed: list[Vuln]) -> list[str]:
        if not exploited and not disclosed:
            return ["No vulnerability is known to be exploited or to have been publicly disclosed."]
        out = []
        for e, d in _flag_listings(len(exploited), len(disclosed)):
            ne, nd = len(exploited), len(disclosed)
            exp = f"{ne} {'is' if ne == 1 else 'are'} known to be exploited{EN._list(exploited, e)}"
            dis = f"{nd} {'was' if nd == 1 else 'were'} publicly disclosed{EN._list(disclosed, d)}"
            if exploited and disclosed:
                out.append(f"{exp} and {dis}.")
            elif exploited:
                out.append(f"{exp}; none was publicly disclosed.")
            else:
                out.append(f"None is known to be exploited, but {dis}.")
        return out

    @staticmethod
    def _families(families: list[str], n: int) -> str:
        total = len(families)
        if n == 0:
            return _n(total, "product family", "product families")
        if n < total:
            return ", ".join(families[:n]) + f" and {_n(total - n, 'other family', 'other families')}"
        return _and(families)

    @staticmethod
    def _esu(esu: list[str], m: int, long: bool) -> str:
        what = "paying Extended Security Update (ESU) customers" if long else "paying ESU customers"
        if m == 0:
            names = _n(len(esu), "product past end of support", "products past end of support")
            return f"for {names}, only {what} get the fixes."
        names = (", ".join(esu[:m]) + ", etc.") if m < len(esu) else _and(esu)
        verb = "are" if m > 1 or m < len(esu) else "is"
        return f"{names} {verb} past end of support, so only {what} get the fixes."

    @staticmethod
    def products(families: list[str], esu: list[str]) -> Iterator[tuple[str, ...]]:
        return _product_layouts(families, esu, EN._families, EN._esu,
                                lambda fam, tail: f"The updates cover {fam}; {tail}",
                                lambda fam: f"The updates cover {fam}.")


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _product_layouts(families: list[str], esu: list[str], fam: Callable[[list[str], int], str],
                     esu_text: Callable[[list[str], int, bool], str],
                     combined: Callable[[str, str], str], alone: Callable[[str], str]) -> Iterator[tuple[str, ...]]:
    """Products bullet layouts, most informative first: one bullet, or two (families | ESU) when the
    caller can merge the first two bullets to stay within four."""
    fam_levels = [n for n in (3, 2, 1) if n <= len(families)] + [0]
    if not esu:
        for n in fam_levels:
            yield (alone(fam(families, n)),)
        return
    esu_levels = [len(esu), *range(len(esu) - 1, -1, -1)]  # all names, then fewer, then a count
    named = fam_levels[:-1]
    for n in named:  # every ESU name, full wording: one bullet with fewer family names, then two bullets
        yield (combined(fam(families, n), esu_text(esu, len(esu), True)),)
    for n in named:
        yield (alone(fam(families, n)), _capitalise(esu_text(esu, len(esu), True)))
    for m in esu_levels:
        for long in (True, False):
            for n in fam_levels:
                yield (combined(fam(families, n), esu_text(esu, m, long)),)
            for n in fam_levels:
                yield (alone(fam(families, n)), _capitalise(esu_text(esu, m, long)))
