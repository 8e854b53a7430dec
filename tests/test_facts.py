import dataclasses
import re

import pytest

from pipeline.analyse import facts
from pipeline.analyse.facts import Fact, extract_facts, facts_in, publication_date


def only(kind, text, published_at=None):
    return [f for f in extract_facts(text, published_at) if f.kind == kind]


def one(kind, text, published_at=None):
    found = only(kind, text, published_at)
    assert len(found) == 1, found
    return found[0]


# --- Fact ------------------------------------------------------------------------------


def test_fact_is_frozen_with_fields():
    fact = Fact("count", "63件", "63 件", 4)
    assert (fact.kind, fact.text, fact.value, fact.start) == ("count", "63件", "63 件", 4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.text = "64件"  # type: ignore[misc]


def test_every_fact_text_is_the_exact_source_substring():
    text = "架空大学は2026年3月1日午後9時8分、約1万2,000通のメールとCVE-2026-40001を確認したと発表した。"
    facts = extract_facts(text)
    assert {f.kind for f in facts} == {"org", "date", "time", "count", "cve"}
    for fact in facts:
        assert text[fact.start : fact.start + len(fact.text)] == fact.text
    assert [f.start for f in facts] == sorted(f.start for f in facts)


def test_empty_text_has_no_facts():
    assert extract_facts("") == []


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected_text, expected_value",
    [
        ("同社は2019年10月17日に公表した。", "2019年10月17日", "2019-10-17"),
        ("令和元年10月17日に公表した。", "令和元年10月17日", "2019-10-17"),
        ("令和8年3月1日付の通知。", "令和8年3月1日", "2026-03-01"),
        ("平成31年4月30日まで。", "平成31年4月30日", "2019-04-30"),
        ("更新日 2026/11/18 です。", "2026/11/18", "2026-11-18"),
        ("更新日 2026-11-18 です。", "2026-11-18", "2026-11-18"),
        ("２０２６年１１月１８日に更新。", "２０２６年１１月１８日", "2026-11-18"),
    ],
)
def test_dates_with_year(text, expected_text, expected_value):
    fact = one("date", text)
    assert (fact.text, fact.value) == (expected_text, expected_value)
    assert text.index(expected_text) == fact.start


def test_weekday_in_brackets_is_kept_in_text():
    fact = one("date", "11月18日（水）に公開された。", "2026-11-20")
    assert fact.text == "11月18日（水）"
    assert fact.value == "2026-11-18"


def test_year_inferred_from_publication_in_same_year():
    assert one("date", "同社は2月7日に発表した。", "2026-03-01").value == "2026-02-07"


def test_year_inferred_across_year_boundary():
    # Published in January: a December date belongs to the previous year.
    assert one("date", "12月25日に不正アクセスを受けた。", "2026-01-10").value == "2025-12-25"
    assert one("date", "1月5日に公表した。", "2026-01-10").value == "2026-01-05"


def test_publication_timestamp_is_read_in_japan_time():
    # 2025-12-31T16:00Z is 2026-01-01 01:00 in Japan.
    assert publication_date("2025-12-31T16:00:00Z").isoformat() == "2026-01-01"
    assert one("date", "1月1日に公表した。", "2025-12-31T16:00:00Z").value == "2026-01-01"
    assert publication_date("2026/03/01 10:00").isoformat() == "2026-03-01"
    assert publication_date("not a date") is None
    assert publication_date(None) is None


def test_date_without_year_or_publication_uses_iso_month_day():
    assert one("date", "2月7日に発表した。").value == "--02-07"


def test_invalid_dates_are_dropped():
    assert only("date", "2月30日と2026/13/01は存在しない。") == []


# --- times -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected_text, expected_value",
    [
        ("午後9時8分ごろ発生した。", "午後9時8分", "21:08"),
        ("午前0時に停止した。", "午前0時", "00:00"),
        ("16時30分に復旧した。", "16時30分", "16:30"),
        ("16:00から再開した。", "16:00", "16:00"),
        ("午前10時半に通知した。", "午前10時半", "10:30"),
    ],
)
def test_times(text, expected_text, expected_value):
    fact = one("time", text)
    assert (fact.text, fact.value) == (expected_text, expected_value)


def test_duration_in_hours_is_a_count_not_a_time():
    assert only("time", "24時間以内に対応した。") == []
    assert one("count", "24時間以内に対応した。").text == "24時間"


# --- counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected_text, expected_value",
    [
        ("不正ログインは66,482件に上る。", "66,482件", "66482 件"),
        ("3,279億個の鍵を試行した。", "3,279億個", "327900000000 個"),
        ("前年の1.5倍に増えた。", "1.5倍", "1.5 倍"),
        ("約120万個のファイルが暗号化された。", "約120万個", "1200000 個"),
        ("約1万2,000通のメールが送信された。", "約1万2,000通", "12000 通"),
        ("被害額は2億円に上る。", "2億円", "200000000 円"),
        ("端末3,100台を交換した。", "3,100台", "3100 台"),
        ("職員120人が対象。", "120人", "120 人"),
        ("取引先5社に通知した。", "5社", "5 社"),
        ("問い合わせは63件あった。", "63件", "63 件"),
        ("全体の12.5%が該当した。", "12.5%", "12.5 %"),
        ("全体の１２．５％が該当した。", "１２．５％", "12.5 %"),
        ("およそ800名が受講した。", "およそ800名", "800 名"),
        ("利用者は120万件超に達する。", "120万件超", "1200000 件"),
        ("登録者は3億4,500万人に上る。", "3億4,500万人", "345000000 人"),
        ("業務用PC3台が感染した。", "3台", "3 台"),
        ("原因の約4割は設定ミスだった。", "約4割", "4 割"),
    ],
)
def test_counts_keep_text_verbatim_and_normalise_value(text, expected_text, expected_value):
    fact = one("count", text)
    assert (fact.text, fact.value) == (expected_text, expected_value)
    assert text[fact.start : fact.start + len(fact.text)] == expected_text


def test_bare_numbers_and_ids_are_not_counts():
    text = "バージョン2.3.1の2026年版とCVE-2026-40001、KB5031234を確認。"
    assert only("count", text) == []


def test_kanji_before_single_char_qualifier_is_not_a_qualifier():
    # 契約 ends in 約 but is not "approximately".
    assert one("count", "契約3件を解除した。").text == "3件"


# --- CVE / KB ------------------------------------------------------------------------------------


def test_cve_ids():
    facts = only("cve", "CVE-2026-40001とcve-2026-1234567が悪用された。")
    assert [(f.text, f.value) for f in facts] == [
        ("CVE-2026-40001", "CVE-2026-40001"),
        ("cve-2026-1234567", "CVE-2026-1234567"),
    ]


def test_kb_numbers_with_and_without_space():
    facts = only("kb", "KB5031234 と KB 5031235 を適用する。")
    assert [(f.text, f.value) for f in facts] == [("KB5031234", "5031234"), ("KB 5031235", "5031235")]


# --- organisations -------------------------------------------------------------------------------


def orgs(text):
    return [f.text for f in only("org", text)]


def test_organisation_suffixes_stop_at_particles():
    text = "架空大学と文部科学省は、警察庁が架空県の架空市、架空町、架空村に通知したと発表した。"
    assert orgs(text) == ["架空大学", "文部科学省", "警察庁", "架空県", "架空市", "架空町", "架空村"]


def test_organisation_prefixes_and_compound_names():
    text = (
        "独立行政法人架空推進機構と国立研究開発法人架空研究所、株式会社サンプルが、"
        "サンプル株式会社や架空セキュリティ協会、架空情報センター、架空大学大学院に協力した。"
    )
    assert orgs(text) == [
        "独立行政法人架空推進機構",
        "国立研究開発法人架空研究所",
        "株式会社サンプル",
        "サンプル株式会社",
        "架空セキュリティ協会",
        "架空情報センター",
        "架空大学大学院",
    ]


def test_english_organisations():
    text = "Example Widgets Inc. and Sample Systems Corporation joined Microsoft in the review."
    assert orgs(text) == ["Example Widgets Inc.", "Sample Systems Corporation", "Microsoft"]


def test_company_names_may_open_with_hiragana_after_the_legal_form():
    text = "株式会社ひかりリテールは4月8日、株式会社ゆうちょサンプル銀行と協議した。"
    assert orgs(text) == ["株式会社ひかりリテール", "株式会社ゆうちょサンプル銀行"]
    # a particle right after the legal form is not the start of a name
    assert orgs("株式会社は発表した。株式会社ではなく個人が対応した。") == []


def test_schools_and_hospitals_are_organisations_but_their_common_nouns_are_not():
    assert orgs("島瀬県立朝花高等学校と竹風総合病院、桜ヶ丘学園が発表した。") == [
        "島瀬県立朝花高等学校", "竹風総合病院", "桜ヶ丘学園"]
    assert orgs("地域の中核病院と市立小学校に通知した。") == []


def test_company_names_may_end_in_hiragana_before_the_legal_form():
    assert orgs("ソラひかり株式会社のメールアカウントが乗っ取られた。") == ["ソラひかり株式会社"]
    assert orgs("竹風市のソラひかり株式会社は発表した。") == ["竹風市", "ソラひかり株式会社"]
    # a run ending like a particle is not the end of a name
    assert orgs("同社などの株式会社に連絡した。") == []


def test_organisations_are_deduplicated():
    assert orgs("架空市は発表した。架空市によると、架空市の職員が対応した。") == ["架空市"]


def test_common_nouns_are_not_organisations():
    text = "同市は国内市場とデータセンター、各都道府県と市町村、都市部について説明した。"
    assert orgs(text) == []


def test_leading_date_and_time_words_are_not_part_of_the_name():
    assert orgs("2026年3月1日文部科学省は発表した。") == ["文部科学省"]
    assert orgs("同日文部科学省は発表した。") == ["文部科学省"]


# --- facts_in ---------------------------------------------------------------------------------------


def test_facts_in_returns_figure_strings_only():
    text = "架空市は3月1日、約1,200件とCVE-2026-40001、KB 5031234について1.5倍と発表した。"
    assert facts_in(text) == {"約1,200件", "CVE-2026-40001", "KB 5031234", "1.5倍"}


def test_facts_in_detects_changed_figures():
    source = "患者約1,200件の情報が含まれていた。"
    assert facts_in(source) == {"約1,200件"}
    polite_copy = "患者約1,200件の情報が含まれていました。"
    assert all(f in source for f in facts_in(polite_copy))
    dropped_qualifier = "患者1,200件の情報が含まれていました。"
    assert not facts_in(dropped_qualifier) <= facts_in(source)


# --- the scan's look-ahead -------------------------------------------------------------

EDGE_CASES = [
    "合計約3件、計12万件、契約3件、少なくとも1,200人以上、およそ5割、延べ30万人超、最大2億円",
    "令和元年5月1日、平成31年4月30日（火）、2026年12月31日(木・祝)、12026年3月1日、2026/3/1、2026-03-01",
    "午前9時、午後12時半、23時59分、9時間、10:30、１２：００、1:2:3、24:00",
    "cve-2026-1234、CVE-2026-1234567、xCVE-2026-0001、KB5031234、KB 5031234、MyKB5031234",
    "Microsoft、マイクロソフト、MicrosoftEdge、Acme Widgets Inc. と Foo Bar Corp. と Baz LLC",
]


def _edge_cases_and_labelled_articles() -> list[str]:
    from bench.story_eval import articles

    return EDGE_CASES + [f"{row['title']}\n{row['lead'] or ''}\n{row['text']}" for row in articles()]


def _unprefixed(regex):
    inner = regex.pattern.split("(?:", 1)[1][:-1]  # (?=[first])(?:pattern) -> pattern
    return re.compile(inner, regex.flags)


def test_the_look_ahead_changes_no_match():
    texts = _edge_cases_and_labelled_articles()
    prefixed = [value for value in vars(facts).values()
                if isinstance(value, re.Pattern) and value.pattern.startswith("(?=[")]
    assert len(prefixed) >= 9
    matched = 0
    for regex in prefixed:
        plain = _unprefixed(regex)
        for text in texts:
            found = [(m.span(), m.groupdict()) for m in regex.finditer(text)]
            assert found == [(m.span(), m.groupdict()) for m in plain.finditer(text)], (regex.pattern, text)
            matched += len(found)
    assert matched > 1000


def test_the_organisation_scan_skips_only_texts_no_match_could_come_from():
    """A pattern is not run on a text lacking all of its words: every match it finds contains one."""
    texts = _edge_cases_and_labelled_articles()
    texts += ["国立大学法人東京大学", "ソラひかり株式会社", "株式会社ゆうちょ銀行", "横浜市", "文部科学省と警察庁"]
    guarded = [(regex, words) for regex, words in facts._ORG_PATTERNS if words]
    assert len(guarded) == 3
    matched = 0
    for regex, words in guarded:
        for text in texts:
            for m in regex.finditer(text):
                assert any(word in m.group(0) for word in words), (regex.pattern, m.group(0))
                matched += 1
    assert matched > 300


def test_a_text_without_digits_has_no_identifier_date_time_or_count():
    """The number patterns are not run on a text without a digit: every match of each holds one."""
    texts = _edge_cases_and_labelled_articles()
    patterns = [facts._CVE_RE, facts._KB_RE, facts._DATE_JA_RE, facts._DATE_NUM_RE, facts._TIME_JA_RE,
                facts._TIME_COLON_RE, facts._COUNT_RE]
    matches = [m.group(0) for regex in patterns for text in texts for m in regex.finditer(text)]
    assert len(matches) > 1000
    assert all(facts._DIGIT.search(match) for match in matches)
    assert [(f.kind, f.value) for f in extract_facts("令和元年の春、株式会社ゆうちょ銀行が発表した", "2026-01-01")] \
        == [("org", "株式会社ゆうちょ銀行")]
