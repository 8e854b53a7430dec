import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.text import japanese as textja
from pipeline.text.japanese import (
    char_shingles,
    jaccard,
    normalize,
    normalized_words,
    split_clauses,
    split_sentences,
    tokens,
)

# --- split_sentences -------------------------------------------------------------


def test_splits_after_japanese_terminators():
    text = "架空社は対策を発表した。原因は調査中ですか？調査は続く！"
    assert split_sentences(text) == ["架空社は対策を発表した。", "原因は調査中ですか？", "調査は続く！"]


def test_period_inside_kagikakko_does_not_end_sentence():
    text = "同社は「対策は完了した。監視も続ける。」と述べた。次の文です。"
    assert split_sentences(text) == ["同社は「対策は完了した。監視も続ける。」と述べた。", "次の文です。"]


def test_nested_brackets_are_tracked():
    text = "担当者は「件名は『至急。確認を。』だった。」と話した。以上。"
    assert split_sentences(text) == ["担当者は「件名は『至急。確認を。』だった。」と話した。", "以上。"]


def test_parentheses_full_and_half_width_suspend_splitting():
    text = "詳細（第2報。3月に公開）を参照した。別の資料(注意。重要)もある。"
    assert split_sentences(text) == ["詳細（第2報。3月に公開）を参照した。", "別の資料(注意。重要)もある。"]


def test_fullwidth_period_ends_sentences_but_not_numbers():
    text = "第1．概要は次のとおり．対応率は９９．５％である．"
    assert split_sentences(text) == ["第1．概要は次のとおり．", "対応率は９９．５％である．"]


def test_closing_bracket_right_after_terminator_stays_with_sentence():
    text = "情報が流出した可能性がある。」次の文。"
    assert split_sentences(text) == ["情報が流出した可能性がある。」", "次の文。"]


def test_unclosed_bracket_does_not_swallow_the_line():
    text = "「閉じない括弧の文。次の文。"
    assert split_sentences(text) == ["「閉じない括弧の文。", "次の文。"]


def test_newlines_and_paragraphs_split_and_whitespace_is_stripped():
    text = "  第1段落です。\n\n第2段落の見出し\r\n　第3段落です。  \n   \n"
    assert split_sentences(text) == ["第1段落です。", "第2段落の見出し", "第3段落です。"]


def test_empty_input():
    assert split_sentences("") == []
    assert split_sentences(" \n \n") == []


def test_english_sentences_split_on_period_space_capital():
    text = "The vendor fixed the bug. It shipped on Monday! Was it exploited? Nobody knows."
    assert split_sentences(text) == [
        "The vendor fixed the bug.",
        "It shipped on Monday!",
        "Was it exploited?",
        "Nobody knows.",
    ]


def test_english_abbreviations_do_not_split():
    text = "Some products, e.g. Widget Pro, are affected. Dr. Tanaka and the U.S. agency agreed. Done."
    assert split_sentences(text) == [
        "Some products, e.g. Widget Pro, are affected.",
        "Dr. Tanaka and the U.S. agency agreed.",
        "Done.",
    ]


def test_decimals_versions_and_urls_do_not_split():
    text = "Version 2.3.1 fixes 1.5% of crashes. See https://example.com/a.b?c=1 for details. Thanks."
    assert split_sentences(text) == [
        "Version 2.3.1 fixes 1.5% of crashes.",
        "See https://example.com/a.b?c=1 for details.",
        "Thanks.",
    ]


def test_lowercase_after_period_does_not_split():
    assert split_sentences("Example Corp. released a patch. Done.") == [
        "Example Corp. released a patch.",
        "Done.",
    ]


def test_brand_with_exclamation_mark_is_not_a_sentence_end():
    assert split_sentences("Yahoo!ニュースで報じられた。次の文。") == ["Yahoo!ニュースで報じられた。", "次の文。"]


# --- split_clauses -----------------------------------------------------------------


def test_split_clauses_top_level_only_and_lossless():
    text = "同社は、「AとB、C」について、66,482件を確認し、対策した"
    clauses = split_clauses(text)
    assert clauses == ["同社は、", "「AとB、C」について、", "66,482件を確認し、", "対策した"]
    assert "".join(clauses) == text


def test_split_clauses_does_not_split_between_digits():
    assert split_clauses("合計は１，２００件で、多い") == ["合計は１，２００件で、", "多い"]


# --- normalize / shingles ------------------------------------------------------------


def test_normalize_fullwidth_and_whitespace():
    assert normalize("６６，４８２件　ＡＢＣ\n  です") == "66,482件 ABC です"
    assert normalize("") == ""


def test_char_shingles_ignore_whitespace():
    assert char_shingles("ab c d", 3) == {"abc", "bcd"}
    assert char_shingles("ＡＢ", 3) == {"AB"}
    assert char_shingles("   ", 3) == set()
    assert char_shingles("東京都", 2) == {"東京", "京都"}


def test_jaccard():
    assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
    assert jaccard(set(), set()) == 0.0
    assert jaccard(char_shingles("同じ文です"), char_shingles("同じ文です")) == 1.0


# --- tokens ------------------------------------------------------------------------------


def test_tokens_are_fugashi_surfaces():
    words = tokens("東京大学は発表した。")
    assert words[:3] == ["東京", "大学", "は"]
    assert "".join(words) == "東京大学は発表した。"
    assert tokens("") == []


DEMO_SITE = Path(__file__).resolve().parents[1] / "pipeline" / "demo_site"
AWKWARD = ["", "   ", "\u3000全角\u3000空白\u3000", "タブ\tと\n改行\r\nと\x1c区切り\x1f", "ゼロ幅\u200bスペース",
           "ﾊﾝｶｸｶﾅとＡＢＣ１２３", "絵文字😀と記号①②", "CVE-2024-21412 と KB5034441（Windows 11 23H2）",
           "  前後に空白  ", "a  b", "不正アクセスにより個人情報312人分が流出した可能性", "x" * 5000 + " y"]


def test_normalized_words_are_the_taggers_words_of_the_normalized_text():
    """The word index and the story profiles read MeCab's word-split output; it must give the
    words the tagger gives, on real pages of every registry source and on awkward text."""
    from crawler.extract.tree import element_text, parse_html

    pages = [element_text(parse_html(path.read_text(encoding="utf-8", errors="replace")))
             for path in sorted(DEMO_SITE.rglob("*.html"))]
    assert len(pages) > 20
    for text in [*AWKWARD, *pages]:
        assert normalized_words(text) == tokens(normalize(text)), text[:80]
    assert normalized_words(None) == []


def test_tagger_is_created_once():
    tokens("一度目")
    assert textja.tagger() is textja.tagger()
    assert textja.tagger.cache_info().currsize == 1


def test_import_has_no_tagger_side_effect():
    code = "import sys, pipeline.text.japanese; print('fugashi' in sys.modules)"
    root = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root, env=env
    )
    assert result.stdout.strip() == "False"
