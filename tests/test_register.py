"""Tests for the Japanese register rewriting: polite, plain and neutral wording."""

import pytest

from pipeline.analyse.facts import facts_in
from pipeline.summarise.register import is_directive, neutral_register, plain, polite


@pytest.mark.parametrize(
    "plain_sentence, expected",
    [
        ("架空社は対策を発表した。", "架空社は対策を発表しました。"),
        ("原因を調査している。", "原因を調査しています。"),
        ("攻撃は確認された。", "攻撃は確認されました。"),
        ("当初は停止していた。", "当初は停止していました。"),
        ("被害は限定的という。", "被害は限定的とのことです。"),
        ("原因は設定ミスである。", "原因は設定ミスです。"),
        ("復旧は来週の見込みだ。", "復旧は来週の見込みです。"),
        ("対策が必要となる。", "対策が必要となります。"),
        ("流出の可能性がある。", "流出の可能性があります。"),
        ("職員が対応にあたっている。", "職員が対応にあたっています。"),
        ("外部送信は確認されていない。", "外部送信は確認されていません。"),
        ("同社は「問題ない」と述べた。", "同社は「問題ない」と述べました。"),
        ("新たな担当者を選んだ。", "新たな担当者を選びました。"),
        ("被害額は約2億円に上る。", "被害額は約2億円に上ります。"),
        ("対策を実施する方針。", "対策を実施する方針です。"),
    ],
)
def test_polite_conversion(plain_sentence, expected):
    assert polite(plain_sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    ["すでに対策済みです。", "不正アクセスを受けました。", "影響はありません。", "見出しだけ"],
)
def test_polite_leaves_polite_or_unfinished_sentences_alone(sentence):
    assert polite(sentence) == sentence


@pytest.mark.parametrize(
    "polite_text, expected",
    [
        ("不正アクセスを受けたことが判明いたしました", "不正アクセスを受けたことが判明した"),
        ("患者情報が含まれております", "患者情報が含まれている"),
        ("ファイルが暗号化されました", "ファイルが暗号化された"),
        ("通知を行いました", "通知を行った"),
        ("影響はありません", "影響はない"),
        ("対象は3件です", "対象は3件だ"),
        ("調査を進めます", "調査を進める"),
    ],
)
def test_plain_conversion(polite_text, expected):
    assert plain(polite_text) == expected


@pytest.mark.parametrize(
    "humble, neutral",
    [
        ("感染したことを確認いたしました。", "感染したことを確認しました。"),
        ("配送に遅れが生じております。", "配送に遅れが生じています。"),
        ("情報が保存されておりました。", "情報が保存されていました。"),
        ("二次被害は確認されておりませんが、調査を進めます。", "二次被害は確認されていませんが、調査を進めます。"),
        ("調査を継続いたします。", "調査を継続します。"),
        ("不正利用の報告はございません。", "不正利用の報告はありません。"),
        ("対象は約3万件でございます。", "対象は約3万件です。"),
        ("通販サイトにおきまして、不正アクセスを受けました。", "通販サイトにおいて、不正アクセスを受けました。"),
        ("お客様の氏名1,208件が含まれます。", "顧客の氏名1,208件が含まれます。"),
    ],
)
def test_neutral_register(humble, neutral):
    assert neutral_register(humble) == neutral
    assert facts_in(neutral) == facts_in(humble)


@pytest.mark.parametrize("sentence", ["詳細は同大学の発表を参照。", "詳しくは同社のサイトを参照のこと。",
                                      "対象の利用者はパスワードを変更してください。",
                                      "最新版への更新をご確認ください。"])
def test_reference_notes_and_requests_are_never_turned_into_claims(sentence):
    assert polite(sentence) == sentence  # never 「…を参照しました。」
    assert is_directive(sentence)


@pytest.mark.parametrize("sentence", ["コンソーシアムを設立。", "同社は速やかな更新を呼びかけている。",
                                      "66,482件が流出した可能性がある。"])
def test_statements_are_not_directives(sentence):
    assert not is_directive(sentence)
