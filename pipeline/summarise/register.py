"""Japanese register rewriting for bullets: plain → polite, humble → neutral, polite → plain.

The house form is neutral です・ます: news sentences in plain form become polite (polite), a
notice's humble wording becomes neutral (neutral_register), and a notice speaks of itself in the
third person (third_person: 当社 → 同社). The announcement bullet quotes what was announced in
plain form (plain). Only endings and self-references change; figures are never touched.
"""

from __future__ import annotations

import re

from pipeline.text.japanese import tagger

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


def _conjugation(word) -> tuple[str, str]:
    """(conjugation type, dictionary form) of a fugashi token; "" where unknown."""
    return word.feature.cType or "", word.feature.orthBase or ""


def _masu_stem(word) -> str | None:
    """連用形 (the stem before ます) of a fugashi verb token."""
    ctype, base = _conjugation(word)
    if (word.feature.cForm or "").startswith("連用形-一般"):
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


def _polite_past(body: str, prev, last) -> str | None:
    """…述べた → …述べました, …高かった → …高かったです."""
    tail = prev.surface + last.surface
    if not body.endswith(tail):
        return None
    if prev.feature.pos1 == "動詞":
        stem = _masu_stem(prev)
        return body[: -len(tail)] + stem + "ました" if stem else None
    if prev.feature.pos1 == "形容詞":
        return body + "です"
    return None


def _polite_by_morphology(body: str) -> str | None:
    """Fallback for endings the rule table does not cover (述べた, 行った, 体言止め…)."""
    words = list(tagger()(body))
    if not words:
        return None
    last, prev = words[-1], words[-2] if len(words) > 1 else None
    pos_last = last.feature.pos1
    if pos_last == "助動詞" and last.feature.lemma == "た" and prev is not None:
        return _polite_past(body, prev, last)
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


# Reference notes and requests: 「詳細は同大学の発表を参照。」 tells the reader what to do, it reports
# nothing; 「参照しました」 would turn it into a claim. Such sentences are never bullet material.
_DIRECTIVE_JA_RE = re.compile(
    r"^(?:詳細|詳しく|くわしく)は"
    r"|(?:参照|参考に|ご覧|ご確認|確認|注意|お問い合わせ)(?:ください|下さい|されたい|のこと|を)?[。！]?$"
    r"|(?:ください|下さい|されたい|のこと|願います|しましょう)[。！]?$"
)
_DIRECTIVE_EN_RE = re.compile(r"^(?:See|Please|Refer to|For (?:more )?(?:details|information))\b", re.IGNORECASE)


def is_directive(sentence: str, lang: str = "ja") -> bool:
    """A reference note or a request to the reader (see…, please…), not a statement of fact."""
    return bool((_DIRECTIVE_JA_RE if lang == "ja" else _DIRECTIVE_EN_RE).search(sentence.strip()))


def polite(sentence: str) -> str:
    """Convert a plain-form Japanese sentence ending in 。 to です・ます form.

    An ordered rule table handles common endings; a small morphological fallback
    handles other past-tense verbs and noun endings. Sentences that are already
    polite, end with something else than 。, or are reference notes and requests
    (``is_directive``: 「…を参照。」 never becomes 「…を参照しました。」) are returned unchanged.
    """
    text = sentence.strip()
    if _ALREADY_POLITE_RE.search(text) or not text.endswith("。") or is_directive(text):
        return text
    for plain_form, polite_form in _POLITE_RULES:
        if text.endswith(plain_form):
            if plain_form == "だ。" and text[:-2].endswith(("ん", "い")):
                break  # 選んだ / 泳いだ are past-tense verbs, not the copula
            return text[: -len(plain_form)] + polite_form
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
    """た-form of a fugashi verb token (受けます → 受けた, 行います → 行った)."""
    ctype, base = _conjugation(word)
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


def _plain_by_morphology(text: str) -> str | None:
    """…ました / …ます after a verb the rule table does not cover, by the verb's conjugation."""
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
    return None


def plain(text: str) -> str:
    """Turn a polite (です・ます) ending into plain form; other text is unchanged."""
    text = text.strip()
    for polite_form, plain_form in _PLAIN_RULES:
        if text.endswith(polite_form):
            return text[: -len(polite_form)] + plain_form
    if text.endswith("です"):
        return text[:-2] if text[:-2].endswith("い") else text[:-2] + "だ"
    return _plain_by_morphology(text) or text


# --- the newsletter's voice --------------------------------------------------------------------

_SELF_REFERENCES = (
    ("弊社", "同社"), ("当社", "同社"), ("本学", "同大学"), ("当大学", "同大学"), ("当機構", "同機構"),
    ("本機構", "同機構"), ("当市", "同市"), ("本市", "同市"), ("当協会", "同協会"), ("本協会", "同協会"),
)
_LEADING_CONNECTIVES_RE = re.compile(
    r"^(?:また|なお|さらに|このほか|加えて|このたび|この度|今般|こうした中|こうしたなか|そうした中|そうしたなか)[、，]"
)
_ALIAS_RE = re.compile(r"[（(]以下[、，]?[^（）()]{1,20}[）)]")  # (以下、当機構) / （以下「当社」）


def third_person(text: str) -> str:
    """An organisation's words about itself, as a newsletter reports them: 当社 → 同社, 本学 → 同大学."""
    for own, third in _SELF_REFERENCES:
        text = text.replace(own, third)
    return text


def refers_in_third_person(text: str) -> bool:
    """Whether ``text`` names an organisation as 同社, 同大学, 同機構…"""
    return any(third in text for _, third in _SELF_REFERENCES)


def drop_alias(text: str) -> str:
    """Remove alias definitions such as "(以下、当機構)" or "（以下「当社」）"."""
    return _ALIAS_RE.sub("", text)


def house_voice(sentence: str) -> str:
    """A Japanese source sentence in the newsletter's voice: without a leading connective
    (また、なお、…) or alias definition, in the third person, in neutral です・ます form."""
    text = _LEADING_CONNECTIVES_RE.sub("", sentence.strip())
    return polite(neutral_register(third_person(drop_alias(text))))
