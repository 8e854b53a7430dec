"""Tests for the sentence filters of the summariser."""

import pytest

from pipeline.summarise.sentences import is_background, is_boilerplate


@pytest.mark.parametrize(
    "sentence, lang, expected",
    [
        ("近年、教育機関を狙った攻撃が増えている。", "ja", True),
        ("今年に入ってからも、各地で被害が相次いで報告されている。", "ja", True),
        ("ある調査会社によると、リスト型攻撃の件数は前年の1.5倍に達した。", "ja", True),
        ("同社は該当アカウントのパスワードを初期化した。", "ja", False),
        ("Several vendors disclosed similar incidents last year.", "en", True),
        ("The company reset API keys for the affected customers.", "en", False),
    ],
)
def test_is_background(sentence, lang, expected):
    assert is_background(sentence, lang) is expected


def test_a_leaked_phone_number_field_is_not_a_contact_line():
    assert not is_boilerplate("氏名、住所、電話番号、メールアドレスなど8万4,119件も漏えいした可能性があります。")
    assert not is_boilerplate("受信者からの電話による指摘で判明しました。")
    assert is_boilerplate("お客様相談室 電話番号:0120-000-456")
    assert is_boilerplate("産業振興課 電話 0990-00-0000")
