"""Tests for the default summariser. All stories below are fictional."""

import dataclasses
import re

import pytest

from pipeline.analyse.facts import extract_facts, facts_in
from pipeline.summarise.extractive import Bullet, SourceText, lead_baseline, summarise
from pipeline.summarise.shorten import bullet_budget
from pipeline.text.japanese import char_shingles, jaccard, split_sentences

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
        budget = max_chars if JAPANESE_RE.search(bullet.text) else bullet_budget(max_chars, "en")
        assert len(bullet.text) <= budget, bullet.text
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
    # the whole sentence fits the English budget, so nothing is cut; the first bullet is dated
    assert bullets[0].text == (
        "On November 11 (JST), Example Software Inc. released security updates that fix 98 vulnerabilities "
        "across its products, including 11 rated critical."
    )
    assert any("CVE-2026-40001" in b.text for b in bullets)


# --- lead baseline ---------------------------------------------------------------------------------------


def test_lead_baseline_takes_first_sentences_of_first_news_source():
    bullets = lead_baseline([HOSPITAL_PRIMARY, HOSPITAL_NEWS], n=3)
    sentences = split_sentences(HOSPITAL_NEWS.text)
    assert [b.text for b in bullets] == sentences[:3]
    assert [(b.article_id, b.sentence_index) for b in bullets] == [(1, 0), (1, 1), (1, 2)]
    assert all(b.text == b.source_sentence for b in bullets)
    assert lead_baseline([]) == []


# --- evaluator findings: English bullets are whole sentences -----------------------------------------

HELPDESK_NEWS = SourceText(
    article_id=70,
    role="news",
    url="https://news.example.com/deskly-breach",
    title="Deskly says intruder copied support tickets",
    text=(
        "Help desks have become a popular target for data thieves, because tickets often hold passwords.\n"
        "Several ticketing vendors disclosed similar incidents last year.\n"
        "On Wednesday, ticketing vendor Deskly said an intruder had used a stolen staff password to reach "
        "a database of support tickets from about 2,400 business customers.\n"
        "The intrusion started on April 2 and was spotted on April 9, when the security team saw unusual "
        "exports from an internal reporting account.\n"
        "Deskly said card numbers and customer passwords were not kept in that database.\n"
        "The company has reset API keys for the affected customers."
    ),
    lang="en",
    published_at="2026-04-16T06:00:00+09:00",
)
HELPDESK_PRIMARY = SourceText(
    article_id=71,
    role="primary",
    url="https://deskly.example.com/security/incident-2026-04",
    title="Security incident update",
    text=(
        "On April 9, 2026, our security team detected unauthorized access to a Deskly database that stores tickets.\n"
        "An unauthorized party used the password of a Deskly employee, obtained through a phishing message, "
        "to access the database between April 2 and April 9.\n"
        "We revoked the compromised password and reset API keys for all affected customers.\n"
        "We sincerely apologize for this incident."
    ),
    lang="en",
    published_at="2026-04-16T04:30:00+09:00",
    org="Deskly",
)


def test_english_bullets_are_whole_sentences_and_the_first_is_the_dated_announcement():
    sources = [HELPDESK_NEWS, HELPDESK_PRIMARY]
    bullets = summarise(sources)
    assert_invariants(bullets, sources)
    assert bullets[0].text == (
        "On April 16 (JST), ticketing vendor Deskly said an intruder had used a stolen staff password to reach "
        "a database of support tickets from about 2,400 business customers."
    )
    assert (bullets[0].article_id, bullets[0].sentence_index) == (70, 2)
    for bullet in bullets[1:]:
        assert bullet.text == bullet.source_sentence  # each fits within 200 characters: never cut
    texts = " ".join(b.text for b in bullets)
    assert "last year" not in texts and "have become" not in texts  # background is left out


@pytest.mark.parametrize(
    "sentence, published_at, expected",
    [
        (
            "Nimbus Networks has released fixed software for a critical flaw in its VPN gateways.",
            "2026-10-08T02:00:00+09:00",
            "On October 8 (JST), Nimbus Networks released fixed software for a critical flaw in its VPN gateways.",
        ),
        (
            "Nimbus Networks today published its 2026 Threat Report, based on 2.1 billion scanned emails.",
            "2026-05-14T22:00:00+09:00",
            "On May 14 (JST), Nimbus Networks published its 2026 Threat Report, based on 2.1 billion scanned emails.",
        ),
    ],
)
def test_english_first_bullet_dates_the_announcement_in_japan_time(sentence, published_at, expected):
    source = SourceText(
        72, "primary", "https://nimbus.example.com/news", "Nimbus news",
        sentence + "\nThe flaw has a base score of 9.8 and affects versions 3.1 to 3.4.\n"
        "Customers should upgrade to version 3.5 as soon as possible.\n"
        "Administrators can restrict access to the management interface meanwhile.",
        "en", published_at, org="Nimbus Networks",
    )
    assert summarise([source])[0].text == expected


# --- evaluator findings: the Japanese announcement bullet ----------------------------------------------

LEAD_IN_NEWS = SourceText(
    article_id=80,
    role="news",
    url="https://news.example.jp/article/2026/11/13/80.html",
    title="架空工業大学のメールサーバーに不正アクセス、アドレス1万2,345件流出のおそれ",
    text=(
        "大学を狙ったサイバー攻撃が後を絶たない。\n"
        "今年に入ってからも、国内の複数の大学でメールアカウントの乗っ取りが相次いで報告されている。\n"
        "こうした中、架空工業大学は11月12日、学内のメールサーバーが不正アクセスを受け、"
        "メールアドレス1万2,345件が流出した可能性があると発表した。\n"
        "同大学によると、11月8日夜、メールサーバーから海外に向けた大量の通信を委託先の事業者が検知した。\n"
        "同大学は翌9日にサーバーをネットワークから切り離し、詳しい調査を進めている。\n"
        "現時点で二次被害は確認されていない。"
    ),
    lang="ja",
    published_at="2026-11-13T17:40:00+09:00",
)
NOTICE_PRIMARY = SourceText(
    article_id=81,
    role="primary",
    url="https://www.kakuu-unyu.example.co.jp/news/0820.html",
    title="ランサムウェア被害に関する調査結果について(第2報)",
    text=(
        "平素は格別のご高配を賜り、厚く御礼申し上げます。\n"
        "2026年8月18日にお知らせいたしました、弊社サーバーへの不正アクセスについて、これまでの調査結果をご報告いたします。\n"
        "8月17日午前3時ごろ、弊社の配送管理システムのサーバーがランサムウェアに感染したことを確認いたしました。\n"
        "この影響により、物流センター2か所で出荷業務が停止し、約1万2,000個の荷物の配送に遅れが生じております。\n"
        "暗号化されたサーバーには、お客様の氏名・住所など約3万件の情報が保存されておりました。\n"
        "お客様ならびに関係者の皆様には多大なるご迷惑をおかけしておりますことを、深くお詫び申し上げます。"
    ),
    lang="ja",
    published_at="2026-08-20T18:00:00+09:00",
    org="架空運輸株式会社",
)
REPORT_NEWS = SourceText(
    article_id=82,
    role="news",
    url="https://news.example.jp/article/2026/02/13/82.html",
    title="2025年の攻撃関連通信は3,279億個",
    text=(
        "IoT機器を狙った探索活動が、攻撃関連通信の大きな割合を占めていることが分かった。\n"
        "架空研究機構が2月12日に公開した「観測レポート2025」によると、2025年に観測された攻撃関連通信は3,279億個だった。\n"
        "前年の2,884億個から約1.1倍に増えた。"
    ),
    lang="ja",
    published_at="2026-02-13T09:30:00+09:00",
)
REPORT_PRIMARY = SourceText(
    article_id=83,
    role="primary",
    url="https://www.kakuu-lab.example.go.jp/press/20260212.html",
    title="「観測レポート2025」の公開",
    text=(
        "国立研究開発法人架空研究機構(以下、当機構)は、2025年の観測結果を取りまとめた「観測レポート2025」を公開しました。\n"
        "2025年に観測された攻撃関連通信は合計3,279億個で、2024年の2,884億個から約1.1倍に増加しました。\n"
        "調査目的のスキャンが全体の約58.3%を占め、前年から増加しました。"
    ),
    lang="ja",
    published_at="2026-02-12T14:00:00+09:00",
    org="架空研究機構",
)


def test_first_bullet_comes_from_the_announcement_not_the_background_lead_in():
    bullets = summarise([LEAD_IN_NEWS])
    assert_invariants(bullets, [LEAD_IN_NEWS])
    assert bullets[0].text == (
        "11月12日(日本時間)、架空工業大学より、学内のメールサーバーが不正アクセスを受け、"
        "メールアドレス1万2,345件が流出した可能性があると発表されました。"
    )
    texts = "".join(b.text for b in bullets)
    assert "後を絶たない" not in texts and "今年に入って" not in texts and "こうした中" not in texts


def test_first_bullet_skips_notice_greetings_and_keeps_the_incident_time():
    bullets = summarise([NOTICE_PRIMARY])
    assert_invariants(bullets, [NOTICE_PRIMARY])
    assert bullets[0].text == (
        "8月20日(日本時間)、架空運輸株式会社より、8月17日午前3時ごろ、同社の配送管理システムのサーバーが"
        "ランサムウェアに感染したことを確認したと発表されました。"
    )
    for bullet in bullets:
        for word in ("ご報告", "御礼", "お知らせ", "お詫び", "弊社", "お客様", "おります", "いたしました"):
            assert word not in bullet.text, (word, bullet.text)


def test_first_bullet_does_not_repeat_the_organisation():
    sources = [REPORT_NEWS, REPORT_PRIMARY]
    bullets = summarise(sources)
    assert_invariants(bullets, sources)
    # the news sentence "架空研究機構が…公開した「…」によると" would give "架空研究機構より、架空研究機構が…"
    assert bullets[0].text == (
        "2月12日(日本時間)、架空研究機構より、2025年の観測結果を取りまとめた「観測レポート2025」を公開したと発表されました。"
    )
    assert bullets[0].text.count("架空研究機構") == 1
    assert not any("以下、当機構" in b.text for b in bullets)


def test_a_warning_about_a_finding_is_an_announcement():
    source = SourceText(
        84, "news", "https://news.example.jp/h", "架空電機のルーターに脆弱性",
        "家庭用ルーターの脆弱性は、ボットネットの踏み台として悪用されやすい。\n"
        "架空調整センターは12月3日、株式会社架空電機の無線LANルーター「XR-100」に2件の脆弱性が見つかったとして、"
        "注意を呼びかけた。\n"
        "このうち1件はCVSS基本値が9.8と最も深刻な評価となっている。\n"
        "もう1件は管理画面の認証を回避できる脆弱性で、基本値は8.1だ。\n"
        "修正版のファームウェア2.4.12が公開されている。",
        "ja", "2026-12-03T19:10:00+09:00",
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source])
    assert bullets[0].text == (
        "12月3日(日本時間)、架空調整センターより、株式会社架空電機の無線LANルーター「XR-100」に"
        "2件の脆弱性が見つかったと発表されました。"
    )
    assert not any("ボットネット" in b.text for b in bullets)


# --- evaluator findings: neutral register -----------------------------------------------------------


def test_bullets_from_a_notice_are_in_neutral_register():
    bullets = summarise([NOTICE_PRIMARY])
    texts = [b.text for b in bullets]
    assert (
        "この影響により、物流センター2か所で出荷業務が停止し、約1万2,000個の荷物の配送に遅れが生じています。" in texts
    )
    assert "暗号化されたサーバーには、顧客の氏名・住所など約3万件の情報が保存されていました。" in texts


# --- evaluator findings: redundancy -------------------------------------------------------------------


def _values(text):
    return {f.value for f in extract_facts(text) if f.kind in ("count", "cve", "kb")}


def test_the_same_figure_in_two_styles_is_stated_once():
    news = SourceText(
        90, "news", "https://news.example.jp/p", "10月のフィッシング報告は12万4,513件",
        "架空推進会議は11月5日、10月に寄せられたフィッシングの報告件数が12万4,513件だったと発表した。\n"
        "9月の8万3,102件から約1.5倍に増えた。\n"
        "悪用されたブランドは92ブランドで、通販事業者をかたるものが多かった。",
        "ja", "2026-11-06T10:00:00+09:00",
    )
    primary = SourceText(
        91, "primary", "https://www.kakuu-council.example.jp/report/202610.html", "2026/10 報告状況",
        "2026年10月に寄せられたフィッシング報告件数(海外含む)は124,513件となり、41,411件増加しました。\n"
        "フィッシングサイトのURL件数(海外含む)は42,806件となり、6,211件増加しました。\n"
        "通販事業者をかたるフィッシングが全体の約36.4%を占めました。",
        "ja", "2026-11-05T14:00:00+09:00", org="架空推進会議",
    )
    sources = [news, primary]
    bullets = summarise(sources)
    assert_invariants(bullets, sources)
    assert "12万4,513件" in bullets[0].text
    assert sum("124513 件" in _values(b.text) for b in bullets) == 1  # 124,513件 is the same figure


def test_the_same_clock_time_is_the_same_event():
    news = SourceText(
        92, "news", "https://news.example.jp/m", "架空県がメール誤送信、アドレス1,348件流出",
        "架空県は6月10日、補助金の申請事業者に送ったメールで宛先を誤り、メールアドレス1,348件が流出したと発表した。\n"
        "メールは6月9日午後3時42分に送信され、約20分後に受信者からの指摘で発覚した。\n"
        "流出したアドレスのうち412件には個人名が含まれていたという。",
        "ja", "2026-06-11T08:00:00+09:00",
    )
    primary = SourceText(
        93, "primary", "https://www.pref.kakuu.example.lg.jp/0610.html", "メールの誤送信について",
        "同日午後3時42分に送信し、午後4時5分に受信者からの電話による指摘で誤送信が判明しました。\n"
        "県では、同日中に受信者全員に当該メールの削除を依頼しました。\n"
        "今後は一斉送信にはメール配信システムを使用します。",
        "ja", "2026-06-10T17:00:00+09:00", org="架空県",
    )
    sources = [news, primary]
    bullets = summarise(sources)
    assert_invariants(bullets, sources)
    assert sum("3時42分" in b.text for b in bullets) == 1


def test_a_restatement_about_the_same_organisation_is_redundant_at_a_lower_similarity():
    news = SourceText(
        94, "news", "https://news.example.jp/r", "架空電機のルーターに脆弱性",
        "架空電機株式会社は12月3日、同社製の無線LANルーター「XR-100」に2件の脆弱性があると発表した。\n"
        "このうち1件は認証を回避できる脆弱性で、CVSS基本値は9.8だ。\n"
        "修正版のファームウェアが公開されている。",
        "ja", "2026-12-03T19:10:00+09:00",
    )
    primary = SourceText(
        95, "primary", "https://www.kakuu-denki.example.co.jp/security/0188.html", "XR-100の脆弱性",
        "架空電機株式会社が提供する無線LANルーター「XR-100」には、複数の脆弱性が存在します。\n"
        "影響を受けるのは、ファームウェアのバージョン2.4.10およびそれ以前です。\n"
        "ファームウェアをバージョン2.4.12以降へアップデートしてください。",
        "ja", "2026-12-03T11:00:00+09:00", org="架空電機株式会社",
    )
    restatement = split_sentences(primary.text)[0]
    first = summarise([news, primary])[0].text
    similarity = jaccard(char_shingles(first), char_shingles(restatement))
    assert 0.3 < similarity <= 0.5  # below the general threshold, above the same-organisation one
    bullets = summarise([news, primary])
    assert_invariants(bullets, [news, primary], min_count=2)
    assert restatement not in [b.source_sentence for b in bullets]


# --- evaluator findings: background sentences ------------------------------------------------------------

POINTS_NEWS = SourceText(
    article_id=96,
    role="news",
    url="https://news.example.jp/article/2026/04/09/96.html",
    title="架空ポイントクラブに不正ログイン、2万3,114アカウント",
    text=(
        "架空リテール株式会社は4月8日、ポイントサービスの会員アカウント2万3,114件に不正ログインがあったと発表した。\n"
        "ある調査会社によると、2025年に国内で確認されたリスト型攻撃の件数は前年の1.5倍に達した。\n"
        "4月3日夜から4月5日にかけて、約1,900のIPアドレスからログインの試行が約410万回繰り返された。\n"
        "このうち312アカウントでは、ポイント計約186万円分が電子ギフト券に交換されていた。\n"
        "同社は該当アカウントのパスワードを初期化した。"
    ),
    lang="ja",
    published_at="2026-04-09T15:45:00+09:00",
)


def test_background_sentences_are_scored_down_unless_they_carry_the_story_figures(monkeypatch):
    import pipeline.summarise.extractive as module

    background = split_sentences(POINTS_NEWS.text)[1]
    bullets = summarise([POINTS_NEWS])
    assert_invariants(bullets, [POINTS_NEWS])
    assert background not in [b.source_sentence for b in bullets]
    monkeypatch.setattr(module, "BACKGROUND_PENALTY", 0.0)
    assert background in [b.source_sentence for b in summarise([POINTS_NEWS])]
    # the same marker on a sentence with the story's own figure (here: in the title) is kept
    monkeypatch.setattr(module, "BACKGROUND_PENALTY", 1.0)
    own = POINTS_NEWS.text.replace(
        "2025年に国内で確認されたリスト型攻撃の件数は前年の1.5倍に達した", "ログインの試行は約410万回に達した"
    ).replace("ログインの試行が約410万回繰り返された", "ログインの試行が繰り返された")
    source = dataclasses.replace(POINTS_NEWS, text=own, title="架空ポイントクラブに不正ログイン、試行約410万回")
    assert split_sentences(own)[1] in [b.source_sentence for b in summarise([source])]


def test_news_lead_in_before_the_announcement_is_scored_down(monkeypatch):
    import pipeline.summarise.extractive as module

    source = SourceText(
        97, "news", "https://news.example.jp/article/2026/07/15/97.html", "架空総合病院でランサムウェア被害",
        "医療機関を狙ったランサムウェア攻撃は、診療の停止に直結するため社会的な影響が大きい。\n"
        "架空会は7月14日、運営する架空総合病院がランサムウェアの被害を受け、電子カルテが使えなくなっていると発表した。\n"
        "約320台の端末でファイルが暗号化されていたという。\n"
        "病院は新規の外来患者の受け入れを停止している。\n"
        "電子カルテの復旧には1カ月程度かかる見込みだ。",
        "ja", "2026-07-15T20:00:00+09:00",
    )
    lead_in = split_sentences(source.text)[0]
    bullets = summarise([source], max_bullets=3)
    assert_invariants(bullets, [source])
    assert lead_in not in [b.source_sentence for b in bullets]
    monkeypatch.setattr(module, "LEAD_IN_PENALTY", 0.0)
    assert lead_in in [b.source_sentence for b in summarise([source], max_bullets=3)]


def test_a_reference_note_is_not_bullet_material():
    source = SourceText(
        98, "news", "https://news.example.jp/article/2026/11/18/98.html", "架空大学に不正アクセス",
        "架空大学は11月18日、学内サーバが不正アクセスを受けたと発表した。\n"
        "学生など約1万2,000人の個人情報が流出した可能性がある。\n"
        "詳細は同大学の発表を参照。\n"
        "大学は警察に相談している。",
        "ja", "2026-11-18T20:00:00+09:00",
    )
    bullets = summarise([source])
    assert_invariants(bullets, [source])
    assert "詳細は同大学の発表を参照。" not in [b.source_sentence for b in bullets]
    assert not any("参照" in b.text for b in bullets)
