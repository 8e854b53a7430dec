"""Tests for the default summariser. All stories below are fictional."""

import dataclasses
import re

import pytest

from pipeline.facts import facts_in
from pipeline.summarise import (
    Bullet,
    SourceText,
    lead_baseline,
    plain,
    polite,
    shorten,
    summarise,
)
from pipeline.textja import char_shingles, jaccard, split_sentences

HOSPITAL_NEWS = SourceText(
    article_id=1,
    role="news",
    url="https://news.example.jp/article/2026/03/02/1.html",
    title="架空市の市立病院でランサムウェア被害、患者情報約1,200件が暗号化",
    text=(
        "架空市は3月1日、市立病院の業務用PC3台がランサムウェアに感染したと発表した。\n"
        "感染は2月27日朝、職員が画面に表示された脅迫文に気付いたことで発覚した。\n"
        "同市によると、暗号化されたファイルには患者約1,200件の氏名や生年月日が含まれていたという。\n"
        "現時点で外部への情報送信は確認されていない。\n"
        "病院は該当PCをネットワークから切り離し、警察に相談している。\n"
        "お問い合わせは架空市立病院総務課（電話：000-000-0000）まで。\n"
        "Copyright © Example News. All rights reserved."
    ),
    lang="ja",
    published_at="2026-03-02T09:00:00+09:00",
)
HOSPITAL_PRIMARY = SourceText(
    article_id=2,
    role="primary",
    url="https://www.city.example.lg.jp/hospital/notice/20260301.html",
    title="市立病院における業務用端末のランサムウェア感染について",
    text=(
        "2026年3月1日\n"
        "このたび、市立病院の業務用端末3台がランサムウェアに感染したことが判明しました。\n"
        "暗号化されたファイルには、患者約1,200件の氏名、生年月日が含まれております。\n"
        "2月27日午前8時30分頃、職員が端末画面上の脅迫文を発見し、直ちに当該端末をネットワークから遮断しました。\n"
        "現在、外部の専門事業者と連携して原因の調査を進めています。\n"
        "患者の皆様には多大なご心配をおかけし、深くお詫び申し上げます。"
    ),
    lang="ja",
    published_at="2026-03-01",
    org="架空市",
)
UNIVERSITY_NEWS = SourceText(
    article_id=20,
    role="news",
    url="https://news.example.jp/article/2026/12/27/2.html",
    title="架空大学で不正アクセス、約3万2,000人分の個人情報流出の可能性",
    text=(
        "架空大学は2026年12月26日、学内の学習管理システムが外部から不正アクセスを受け、"
        "学生や教職員など約3万2,000人分の氏名やメールアドレス、学籍番号などの個人情報が"
        "外部に流出した可能性があることを明らかにした。"
        "同大学によると、12月20日の深夜から翌21日の未明にかけて、海外のIPアドレスから"
        "管理者アカウントへのログイン試行が約4,800回にわたって繰り返され、そのうちの一部が"
        "成功していたことが、システムを運用する委託先の定期点検によって判明したという。"
        "同大学は該当アカウントのパスワードを変更し、多要素認証を導入した。"
        "現時点で情報の悪用は確認されていない。"
    ),
    lang="ja",
    published_at="2026-12-27",
)
UPDATE_NEWS = SourceText(
    article_id=30,
    role="news",
    url="https://news.example.jp/article/2026/11/12/3.html",
    title="架空ソフトの月例更新、脆弱性98件を修正",
    text=(
        "米Example Softwareは11月11日（米国時間）、月例のセキュリティ更新プログラムを公開した。"
        "今回修正された脆弱性は98件で、そのうち11件が最も深刻度の高い「緊急」に分類されている。"
        "CVE-2026-40001など2件はすでに悪用が確認されており、早急な適用が推奨される。"
        "同社は自動更新を有効にするよう呼びかけている。"
    ),
    lang="ja",
    published_at="2026-11-12T08:00:00+09:00",
)
UPDATE_PRIMARY_EN = SourceText(
    article_id=31,
    role="primary",
    url="https://vendor.example.com/security/2026-nov",
    title="November security release",
    text="Today we released security updates addressing 98 vulnerabilities. Eleven are rated Critical.",
    lang="en",
    published_at="2026-11-11T17:00:00Z",  # 2026-11-12 02:00 in Japan
    org="Example Software",
)
ENGLISH_NEWS = SourceText(
    article_id=40,
    role="news",
    url="https://news.example.com/vendor-fixes-98-flaws",
    title="Vendor fixes 98 flaws in monthly update",
    text=(
        "Example Software Inc. on Tuesday released security updates that fix 98 vulnerabilities "
        "across its products, including 11 rated critical.\n"
        "Two of the flaws, tracked as CVE-2026-40001 and CVE-2026-40002, are already being "
        "exploited, the company said.\n"
        "Customers running version 2.3.1 should update immediately, e.g. by enabling automatic updates.\n"
        "The company thanked 12 external researchers for reporting the issues.\n"
        "For more information visit https://example.com/advisory."
    ),
    lang="en",
    published_at="2026-11-11",
)

POLITE_END_RE = re.compile(r"(?:ます|ました|です|でした|ません|ませんでした)。$")
JAPANESE_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def assert_invariants(bullets, sources, max_chars=120, min_count=3, max_count=4):
    assert min_count <= len(bullets) <= max_count
    by_id = {s.article_id: s for s in sources}
    for bullet in bullets:
        assert len(bullet.text) <= max_chars, bullet.text
        source = by_id[bullet.article_id]
        # provenance: the recorded sentence really is that sentence of that article
        assert split_sentences(source.text)[bullet.sentence_index] == bullet.source_sentence
        # figures are copied verbatim from the source sentence
        for figure in facts_in(bullet.text):
            assert figure in bullet.source_sentence, (figure, bullet)


# --- dataclasses ---------------------------------------------------------------------------


def test_dataclasses_are_frozen_and_record_provenance():
    bullet = Bullet("本文です。", 7, 2, "本文だ。")
    assert (bullet.text, bullet.article_id, bullet.sentence_index, bullet.source_sentence) == (
        "本文です。", 7, 2, "本文だ。",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        bullet.text = "x"  # type: ignore[misc]
    assert HOSPITAL_NEWS.org is None  # org defaults to None
    with pytest.raises(dataclasses.FrozenInstanceError):
        HOSPITAL_NEWS.title = "x"  # type: ignore[misc]


# --- Japanese story with a primary source -------------------------------------------------------


def test_news_plus_primary_invariants():
    sources = [HOSPITAL_NEWS, HOSPITAL_PRIMARY]
    assert_invariants(summarise(sources), sources)


def test_first_bullet_is_in_house_form_with_japan_time():
    first = summarise([HOSPITAL_NEWS, HOSPITAL_PRIMARY])[0]
    assert first.text == (
        "3月1日(日本時間)、架空市より、市立病院の業務用PC3台がランサムウェアに感染したと発表されました。"
    )
    # framing comes from the news article's announcement sentence
    assert (first.article_id, first.sentence_index) == (1, 0)


def test_primary_source_figures_are_preferred():
    bullets = summarise([HOSPITAL_NEWS, HOSPITAL_PRIMARY])
    with_figure = [b for b in bullets if "約1,200件" in b.text]
    assert len(with_figure) == 1  # stated once, not once per source
    assert with_figure[0].article_id == HOSPITAL_PRIMARY.article_id


def test_bullets_are_polite_and_free_of_boilerplate():
    for bullet in summarise([HOSPITAL_NEWS, HOSPITAL_PRIMARY]):
        assert POLITE_END_RE.search(bullet.text), bullet.text
        assert "お問い合わせ" not in bullet.text and "Copyright" not in bullet.text
        assert "このたび" not in bullet.text


def test_bullets_are_not_redundant():
    bullets = summarise([HOSPITAL_NEWS, HOSPITAL_PRIMARY])
    for i, a in enumerate(bullets):
        for b in bullets[i + 1 :]:
            assert jaccard(char_shingles(a.text), char_shingles(b.text)) <= 0.5


def test_remaining_bullets_keep_order_of_appearance():
    bullets = summarise([HOSPITAL_NEWS, HOSPITAL_PRIMARY])
    sources = [HOSPITAL_NEWS, HOSPITAL_PRIMARY]
    position = {s.article_id: i for i, s in enumerate(sources)}
    keys = [(position[b.article_id], b.sentence_index) for b in bullets[1:]]
    assert keys == sorted(keys)


def test_news_only_story():
    bullets = summarise([HOSPITAL_NEWS])
    assert_invariants(bullets, [HOSPITAL_NEWS])
    assert bullets[0].text.startswith("3月1日(日本時間)、架空市より、")
    assert any("約1,200件" in b.text for b in bullets)


def test_primary_only_story_takes_date_from_publication_and_polite_text_becomes_plain():
    bullets = summarise([HOSPITAL_PRIMARY])
    assert_invariants(bullets, [HOSPITAL_PRIMARY])
    assert bullets[0].text == (
        "3月1日(日本時間)、架空市より、市立病院の業務用端末3台がランサムウェアに感染したことが判明したと発表されました。"
    )


def test_organisation_found_by_facts_when_not_given():
    first = summarise([UNIVERSITY_NEWS])[0]
    assert first.text.startswith("12月26日(日本時間)、架空大学より、")
    assert first.text.endswith("と発表されました。")
    assert "約3万2,000人" in first.text


def test_long_sentences_are_shortened_at_clause_boundaries():
    bullets = summarise([UNIVERSITY_NEWS])
    assert_invariants(bullets, [UNIVERSITY_NEWS])
    second = next(b for b in bullets if b.sentence_index == 1)
    assert len(second.source_sentence) > 120
    assert second.text.endswith("判明したとのことです。")
    assert "約4,800回" in second.text


def test_smaller_max_chars_is_respected():
    bullets = summarise([UNIVERSITY_NEWS], max_chars=60)
    assert_invariants(bullets, [UNIVERSITY_NEWS], max_chars=60)
    assert all(b.text.endswith("。") for b in bullets)


def test_japanese_news_with_english_primary():
    sources = [UPDATE_NEWS, UPDATE_PRIMARY_EN]
    bullets = summarise(sources)
    assert_invariants(bullets, sources)
    # date: the primary's timestamp in Japan time (the news date is US time); org: primary.org
    assert bullets[0].text == (
        "11月12日(日本時間)、Example Softwareより、月例のセキュリティ更新プログラムを公開したと発表されました。"
    )
    assert all(b.article_id == UPDATE_NEWS.article_id for b in bullets)  # Japanese bullets only
    assert any("98件" in b.text and "11件" in b.text for b in bullets)


def test_without_date_or_organisation_the_lead_sentence_is_used():
    source = SourceText(
        50, "news", "https://news.example.jp/d", "偽の請求メールに注意",
        "宅配業者を装った偽の請求メールが出回っている。\n"
        "メールのリンクを開くと認証情報を入力させる偽サイトに誘導される。\n"
        "受信者は添付ファイルを開かずに削除する必要がある。",
        "ja", None,
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source])
    assert "日本時間" not in bullets[0].text
    assert bullets[0].text == "宅配業者を装った偽の請求メールが出回っています。"


def test_house_form_is_not_forced_onto_a_sentence_that_is_neither_announcement_nor_lead():
    source = SourceText(
        52, "news", "https://news.example.jp/f", "架空県、中小企業120社にセキュリティ補助金",
        "サイバー攻撃への備えが課題となっている。\n"
        "架空県は県内の中小企業120社を対象に、約3,000万円の補助金を用意した。\n"
        "申請は6月末まで受け付ける。",
        "ja", "2026-05-20",
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source])
    assert bullets[0].text == "架空県は県内の中小企業120社を対象に、約3,000万円の補助金を用意しました。"
    assert bullets[0].sentence_index == 1


def test_announcing_a_noun_object_reads_as_ga_happyou():
    source = SourceText(
        60, "news", "https://news.example.jp/g", "架空セキュリティ協会、被害調査の結果を発表",
        "架空セキュリティ協会は4月10日、2025年度の情報漏えい被害調査の結果を発表した。\n"
        "調査対象となった事故は前年度の1.5倍の480件に増えた。\n"
        "原因の約4割は設定ミスだった。\n"
        "同協会は設定の定期点検を勧めている。",
        "ja", "2026-04-11",
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source])
    assert bullets[0].text == (
        "4月10日(日本時間)、架空セキュリティ協会より、2025年度の情報漏えい被害調査の結果が発表されました。"
    )
    assert "1.5倍の480件に増えました。" in bullets[1].text
    assert bullets[2].text == "原因の約4割は設定ミスでした。"


def test_primary_notice_self_references_and_formulaic_lines():
    source = SourceText(
        61, "primary", "https://corp.example.co.jp/news/1", "不正アクセスに関するお知らせ",
        "弊社サーバーへの不正アクセスについてお知らせいたします。\n"
        "弊社が運営する通販サイトにおいて、顧客情報最大2万1,500件が閲覧された可能性があることが判明しました。\n"
        "弊社では直ちに該当サーバーを停止いたしました。\n"
        "現時点で不正利用の報告はございません。\n"
        "お客様には多大なご迷惑をおかけし、深くお詫び申し上げます。",
        "ja", "2026-06-03", org="サンプル通販株式会社",
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source])
    assert bullets[0].text.startswith("6月3日(日本時間)、サンプル通販株式会社より、同社が運営する通販サイト")
    assert "最大2万1,500件" in bullets[0].text
    assert [b.sentence_index for b in bullets] == [1, 2, 3]  # notice greeting and apology left out
    assert not any("弊社" in b.text for b in bullets)


def test_fewer_bullets_only_when_material_is_short():
    source = SourceText(
        51, "news", "https://news.example.jp/e", "短い記事",
        "架空町は5月8日、町のウェブサイトが改ざんされたと発表した。\n現在は復旧している。",
        "ja", "2026-05-08",
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source], min_count=2, max_count=2)
    assert bullets[0].text == "5月8日(日本時間)、架空町より、町のウェブサイトが改ざんされたと発表されました。"


def test_terms_weight_sentence_selection():
    without = summarise([HOSPITAL_NEWS], max_bullets=3)
    boosted = summarise([HOSPITAL_NEWS], max_bullets=3, terms={"警察": 3.0})
    assert not any("警察" in b.text for b in without)
    assert any("警察" in b.text for b in boosted)


def test_output_is_deterministic():
    sources = [HOSPITAL_NEWS, HOSPITAL_PRIMARY]
    assert summarise(sources) == summarise(list(sources))
    assert summarise([UNIVERSITY_NEWS]) == summarise([UNIVERSITY_NEWS])


def test_no_sources_gives_no_bullets():
    assert summarise([]) == []


# --- English ------------------------------------------------------------------------------------


def test_english_input_gives_english_bullets():
    bullets = summarise([ENGLISH_NEWS])
    assert_invariants(bullets, [ENGLISH_NEWS])
    for bullet in bullets:
        assert not JAPANESE_RE.search(bullet.text)
        assert bullet.text.endswith((".", "!", "?"))
        assert "https://" not in bullet.text
    assert bullets[0].text == (
        "Example Software Inc. on Tuesday released security updates that fix 98 vulnerabilities across its products."
    )
    assert any("CVE-2026-40001" in b.text for b in bullets)


# --- polite / plain form ---------------------------------------------------------------------------


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


# --- shorten ------------------------------------------------------------------------------------------


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


# --- lead baseline ---------------------------------------------------------------------------------------


def test_lead_baseline_takes_first_sentences_of_first_news_source():
    bullets = lead_baseline([HOSPITAL_PRIMARY, HOSPITAL_NEWS], n=3)
    sentences = split_sentences(HOSPITAL_NEWS.text)
    assert [b.text for b in bullets] == sentences[:3]
    assert [(b.article_id, b.sentence_index) for b in bullets] == [(1, 0), (1, 1), (1, 2)]
    assert all(b.text == b.source_sentence for b in bullets)
    assert lead_baseline([]) == []
