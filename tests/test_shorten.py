"""Tests for fitting sentences into a bullet's budget."""

import pytest

from pipeline.analyse.facts import facts_in
from pipeline.summarise.shorten import bullet_budget, shorten


def test_shorten_keeps_predicate_and_figures_and_never_cuts_numbers_or_brackets():
    sentence = (
        "架空市によると、2月27日の朝に、職員が「身代金を要求する、不審な画面」に気付き、"
        "約1,200件の患者情報を含むファイルが暗号化されていたことが、その後の内部調査によって"
        "初めて明らかになったという。"
    )
    short = shorten(sentence, 80)
    assert short is not None and len(short) <= 80
    assert short.endswith("明らかになったという。")
    assert "約1,200件" in short
    assert short.count("「") == short.count("」")
    for figure in facts_in(short):
        assert figure in sentence


def test_shorten_returns_sentence_unchanged_when_it_fits():
    assert shorten("短い文です。", 120) == "短い文です。"


def test_shorten_gives_up_rather_than_cutting_inside_a_clause():
    assert shorten("区切りのない長い文" * 20 + "。", 50) is None


def test_shorten_english_keeps_leading_clauses():
    sentence = "The vendor released 98 fixes on Tuesday, including 11 critical ones, according to its advisory."
    assert shorten(sentence, 60, "en") == "The vendor released 98 fixes on Tuesday."


def test_english_budget_is_looser_than_the_japanese_one():
    assert bullet_budget(120, "ja") == 120
    assert bullet_budget(120, "en") == 200
    assert bullet_budget(60, "en") == 100


@pytest.mark.parametrize(
    "sentence",
    [
        "On April 9, 2026, our security team detected unauthorized access to a database that stores tickets.",
        "The flaw, tracked as CVE-2026-50001, is an authentication bypass that could allow an unauthenticated, "
        "remote attacker to run commands.",
        "A second vulnerability, CVE-2026-50002, is a cross-site scripting flaw that was fixed in the same release.",
    ],
)
def test_shorten_english_keeps_the_whole_sentence_or_nothing(sentence):
    assert shorten(sentence, 200, "en") == sentence  # fits the English budget: kept whole
    # no cut would leave a sentence ("On April 9.", "…an unauthenticated.", "A second vulnerability,
    # CVE-2026-50002."): give up instead of producing a fragment
    assert shorten(sentence, 60, "en") is None


def test_shorten_english_cuts_only_before_a_dependent_clause_or_attribution():
    said = "Five of the flaws are rated critical, and two are already being exploited in the wild, the company said."
    assert shorten(said, 100, "en") == (
        "Five of the flaws are rated critical, and two are already being exploited in the wild."
    )
    when = "The intrusion was spotted on April 9, when the security team saw unusual exports from a reporting account."
    assert shorten(when, 60, "en") == "The intrusion was spotted on April 9."
