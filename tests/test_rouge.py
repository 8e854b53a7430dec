"""Unit tests of bench/rouge.py on tiny examples whose scores are computed by hand."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.rouge import (  # noqa: E402
    char_units,
    f_score,
    lcs_length,
    ngram_counts,
    rouge_all,
    rouge_l,
    rouge_n,
    summary_units,
    word_units,
)


def close(score, precision, recall, f1):
    return score.precision == pytest.approx(precision) and score.recall == pytest.approx(recall) and (
        score.f1 == pytest.approx(f1)
    )


# --- ROUGE-N -------------------------------------------------------------------------


def test_rouge1_partial_overlap():
    # cand {the, cat, sat}, ref {the, cat, ate}: 2 shared of 3 each → P = R = F = 2/3
    assert close(rouge_n("the cat sat".split(), "the cat ate".split(), 1), 2 / 3, 2 / 3, 2 / 3)


def test_rouge1_counts_are_clipped():
    # "the" ×3 in the candidate but ×1 in the reference: overlap 1 → P = 1/3, R = 1/2, F = 0.4
    assert close(rouge_n("the the the".split(), "the cat".split(), 1), 1 / 3, 1 / 2, 0.4)


def test_rouge2_bigrams():
    # cand bigrams ab bc cd, ref bigrams ab bd dc: only "ab" shared → P = R = F = 1/3
    assert close(rouge_n(list("abcd"), list("abdc"), 2), 1 / 3, 1 / 3, 1 / 3)


def test_rouge2_repeated_bigrams_clipped():
    # cand "aaa" → bigram aa ×2; ref "aab" → aa ×1, ab ×1: overlap 1 → P = 1/2, R = 1/2
    assert close(rouge_n(list("aaa"), list("aab"), 2), 0.5, 0.5, 0.5)


def test_rouge_n_on_japanese_characters():
    # 情報漏えい vs 情報流出: unigrams shared 情, 報 → P = 2/5, R = 2/4, F = 4/9
    assert close(rouge_n(list("情報漏えい"), list("情報流出"), 1), 2 / 5, 2 / 4, 4 / 9)
    # bigrams: 情報 shared of 4 and 3 → P = 1/4, R = 1/3, F = 2/7
    assert close(rouge_n(list("情報漏えい"), list("情報流出"), 2), 1 / 4, 1 / 3, 2 / 7)


def test_ngram_counts():
    assert ngram_counts(list("abab"), 2) == {("a", "b"): 2, ("b", "a"): 1}
    assert ngram_counts(list("a"), 2) == {}
    with pytest.raises(ValueError):
        ngram_counts(list("ab"), 0)


def test_too_short_for_bigrams_scores_zero():
    assert close(rouge_n(["a"], ["a"], 2), 0.0, 0.0, 0.0)


# --- ROUGE-L -------------------------------------------------------------------------


def test_lcs_classic_example():
    # ABCBDAB / BDCABA: the textbook LCS has length 4 (e.g. BCBA)
    assert lcs_length(list("ABCBDAB"), list("BDCABA")) == 4
    assert lcs_length(list("BDCABA"), list("ABCBDAB")) == 4


def test_lcs_edge_cases():
    assert lcs_length([], list("abc")) == 0
    assert lcs_length(list("abc"), []) == 0
    assert lcs_length(list("abc"), list("abc")) == 3
    assert lcs_length(list("abc"), list("xyz")) == 0


def test_rouge_l_uses_subsequence_not_substring():
    # cand ABCBDAB (7), ref BDCABA (6), LCS 4 → P = 4/7, R = 4/6, F = 2·(4/7)(4/6)/((4/7)+(4/6)) = 8/13
    assert close(rouge_l(list("ABCBDAB"), list("BDCABA")), 4 / 7, 4 / 6, 8 / 13)


def test_rouge_l_word_order_matters_unlike_rouge1():
    cand, ref = "police killed the gunman".split(), "the gunman killed police".split()
    assert rouge_n(cand, ref, 1).f1 == pytest.approx(1.0)
    # LCS is 2 ("the gunman" or "killed police"... any 2-long common subsequence) → F = 2/4
    assert close(rouge_l(cand, ref), 0.5, 0.5, 0.5)


def test_rouge_l_japanese_characters():
    # 不正アクセス vs 不正なアクセス: LCS 不正アクセス = 6; P = 6/6, R = 6/7, F = 12/13
    assert close(rouge_l(list("不正アクセス"), list("不正なアクセス")), 1.0, 6 / 7, 12 / 13)


# --- F1 and whole summaries --------------------------------------------------------------


def test_f_score_degenerate_cases():
    assert close(f_score(0, 0, 0), 0.0, 0.0, 0.0)
    assert close(f_score(0, 3, 4), 0.0, 0.0, 0.0)
    assert close(f_score(2, 2, 4), 1.0, 0.5, 2 / 3)


def test_identical_and_empty_summaries():
    scores = rouge_all(list("同一の文です。"), list("同一の文です。"))
    assert all(s.f1 == pytest.approx(1.0) for s in scores.values())
    empty = rouge_all([], list("参照"))
    assert all(s.f1 == 0.0 for s in empty.values())


def test_summary_units_concatenate_bullets_in_order():
    assert summary_units(["ab", "c d"], "char", "ja") == ["a", "b", "c", "d"]
    assert summary_units(["Fixed 74 flaws.", "Two exploited."], "token", "en") == [
        "fixed", "74", "flaws", "two", "exploited",
    ]


# --- units ---------------------------------------------------------------------------------


def test_char_units_nfkc_and_whitespace():
    # fullwidth letters/digits/parentheses become ASCII; spaces (incl. ideographic) are dropped
    assert char_units("ＣＶＥ　１２ (日本時間)") == list("CVE12(日本時間)")
    assert char_units("") == []


def test_word_units_english_split_on_whitespace_and_punctuation():
    assert word_units("CVE-2026-55210, fixed in 7.2.9!", "en") == ["cve", "2026", "55210", "fixed", "in", "7", "2", "9"]


def test_word_units_japanese_fugashi_drops_punctuation():
    text = "霧ヶ丘工業大学は、不正アクセスを受けたと発表した。"
    units = word_units(text, "ja")
    assert len(units) > 5  # several fugashi tokens, not one per sentence
    assert "、" not in units and "。" not in units
    assert "".join(units) == text.replace("、", "").replace("。", "")


def test_word_units_japanese_nfkc_first():
    assert word_units("ＣＶＥ", "ja") == word_units("cve", "ja")
