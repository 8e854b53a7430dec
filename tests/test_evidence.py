"""Hard evidence for grouping: every way news names an MSRC release joins its story, and hub pages
cited by many unrelated stories are no evidence (issue 10, first part)."""

from __future__ import annotations

import pytest

from pipeline import store, stories
from pipeline.stories.evidence import latest_release, release_ids

RELEASE = "https://msrc.microsoft.com/update-guide/releaseNote/{}"
TEXTS = ["東都工科大学に不正アクセス、教職員のメールアドレスが流出した可能性。",
         "架空市の給付金システムで障害、住民の申請に遅れ。", "県警がフィッシングサイトの摘発を発表した。",
         "量子暗号の実証実験に成功、伝送距離は約400km。", "病院がランサムウェア被害、電子カルテが停止。",
         "大手通販サイトでクレジットカード情報が漏洩。"]


def save(db, url, title, text, published, citations=(), kind="news", source="scannetsecurity"):
    return store.save_article(db, {"source": source, "url": url, "title": title, "text": text, "lang": "ja",
                                   "lead": None, "body_status": "full", "published_at": published, "kind": kind},
                              [], citations=[{"url": c, "link_text": "発表", "signals": ["official-domain"]}
                                             for c in citations])


def story_of(db, url) -> int:
    return db.execute("SELECT sa.story_id FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
                      "WHERE a.url = ?", [url]).fetchone()[0]


@pytest.mark.parametrize("title, citations, published, release", [
    ("月例パッチで修正", ["https://portal.msrc.microsoft.com/ja-jp/security-guidance/releasenotedetail/2020-Feb"],
     "2020-02-13T10:00:00+09:00", "2020-Feb"),
    ("月例パッチで修正", ["https://portal.msrc.microsoft.com/en-us/security-guidance/releasenotedetail/"
                   "bc0a3b1b-7d1b-ea11-a811-000d3a33a34d"], "2020-02-13T10:00:00+09:00", "2020-Feb"),
    ("更新を公開", ["https://msrc.microsoft.com/update-guide/releaseNote/2026-Feb"], "2026-02-12T10:00:00+09:00",
     "2026-Feb"),
    ("更新を公開", ["https://msrc.microsoft.com/update-guide/ja-jp/releaseNote/2026-Feb"],
     "2026-02-12T10:00:00+09:00", "2026-Feb"),
    ("2月の月例パッチで56件の脆弱性を修正", [], "2026-02-12T10:00:00+09:00", "2026-Feb"),
    ("2月のセキュリティ更新プログラム、悪用を確認", [], "2026-02-20T10:00:00+09:00", "2026-Feb"),
    ("12月の月例パッチを振り返る", [], "2027-01-06T10:00:00+09:00", "2026-Dec"),
    ("2020年2月に公開されたセキュリティ更新の不具合", [], "2020-03-02T10:00:00+09:00", "2020-Feb"),
])
def test_every_way_of_naming_a_release_joins_its_story(db, title, citations, published, release):
    save(db, RELEASE.format(release), f"{release} Security Updates", "Microsoft released updates.",
         published[:10] + "T07:00:00+00:00", kind="release", source="msrc")
    save(db, RELEASE.format("2026-Jan"), "2026-Jan Security Updates", "Microsoft released updates.",
         "2026-01-13T08:00:00+00:00", kind="release", source="msrc")
    save(db, NEWS := "https://scan.netsecurity.ne.jp/article/2026/02/12/1.html", title, title + "詳細は後述。",
         published, citations)
    stories.update_stories(db)
    assert story_of(db, NEWS) == story_of(db, RELEASE.format(release))


def test_release_names_without_a_year_or_month():
    article = {"title": "2月18日、同社はセキュリティ更新を公開した", "lead": None, "text": "",
               "published_at": "2026-02-18T10:00:00+09:00"}
    assert release_ids(article, []) == []  # a dated sentence, not a release name
    assert latest_release("2026-02-10T12:00:00+09:00") == "2026-Jan"  # before Patch Tuesday reaches Japan
    assert latest_release("2026-02-11T12:00:00+09:00") == "2026-Feb"


def test_a_page_many_unrelated_stories_cite_is_a_hub_not_evidence(db):
    listing = "https://www.city.example.lg.jp/news/list.html"
    top = "https://www.pref.example.lg.jp/"
    for number, text in enumerate(TEXTS[:5], start=1):
        save(db, f"https://scan.netsecurity.ne.jp/article/2026/0{number}/1{number}/{number}.html", text[:20], text,
             f"2026-0{number}-1{number}T10:00:00+09:00", [listing, top])
    stories.update_stories(db)
    assert db.execute("SELECT count(DISTINCT story_id) FROM story_articles").fetchone()[0] == 5


def test_two_sites_citing_the_same_notice_still_join(db):
    notice = "https://www.toto-tech.ac.jp/news/2026/1118.html"
    save(db, "https://scan.netsecurity.ne.jp/article/2026/11/18/1.html", "東都工科大学に不正アクセス", TEXTS[0],
         "2026-11-18T10:00:00+09:00", [notice, "https://www.toto-tech.ac.jp/"])
    save(db, "https://internet.watch.impress.co.jp/docs/news/2061834.html", "大学のメールサーバに侵入", TEXTS[5],
         "2026-11-19T10:00:00+09:00", [notice], source="internet_watch")
    stories.update_stories(db)
    assert story_of(db, "https://scan.netsecurity.ne.jp/article/2026/11/18/1.html") == \
        story_of(db, "https://internet.watch.impress.co.jp/docs/news/2061834.html")


ADVISORY = ("架空ソフトウェア社は、同社のVPN製品「ArcGate」に深刻な脆弱性が見つかったと発表した。脆弱性は{cve}として"
            "追跡されており、認証を回避して任意のコードを実行される恐れがある。同社は修正版を公開し、利用者に速やかな"
            "更新を呼びかけている。影響を受けるのはバージョン9.1から9.4で、回避策も案内している。")


@pytest.mark.parametrize("second, joined", [("CVE-2026-1111", True), ("CVE-2026-2222", False)])
def test_the_same_wording_about_other_cves_is_another_story(db, second, joined):
    first_url, second_url = ("https://scan.netsecurity.ne.jp/article/2026/11/18/1.html",
                             "https://internet.watch.impress.co.jp/docs/news/2061834.html")
    save(db, first_url, "ArcGateに深刻な脆弱性", ADVISORY.format(cve="CVE-2026-1111"), "2026-11-18T10:00:00+09:00")
    save(db, second_url, "ArcGateに深刻な脆弱性", ADVISORY.format(cve=second), "2026-11-25T10:00:00+09:00",
         source="internet_watch")
    stories.update_stories(db)
    assert (story_of(db, first_url) == story_of(db, second_url)) is joined
    evidence = db.execute("SELECT sa.evidence FROM story_articles sa JOIN articles a ON a.id = sa.article_id "
                          "WHERE a.url = ?", [second_url]).fetchone()[0]
    assert ('"similar"' in evidence) is joined and ('"new"' in evidence) is not joined


def test_each_article_records_why_it_is_in_its_story_and_show_says_it(db, tmp_path):
    import json

    from click.testing import CliRunner

    from pipeline.analyse.relevance import load_profile
    from pipeline.cli import cli
    from pipeline.drafts import draft

    notice = "https://www.toto-tech.ac.jp/news/2026/1118.html"
    save(db, "https://scan.netsecurity.ne.jp/article/2026/11/18/1.html", "東都工科大学に不正アクセス", TEXTS[0],
         "2026-11-18T10:00:00+09:00", [notice])
    save(db, notice, "不正アクセスに関するお詫び", "本学のメールサーバが不正アクセスを受けました。",
         "2026-11-18T11:00:00+09:00", kind="primary", source="primary")
    draft(db, load_profile())
    whys = {row[0]: json.loads(row[1]) for row in db.execute(
        "SELECT a.kind, sa.evidence FROM story_articles sa JOIN articles a ON a.id = sa.article_id")}
    assert whys["news"] == {"by": "new"}
    assert whys["primary"] == {"by": "citation", "relation": "cited by", "url": notice}
    path = db.execute("PRAGMA database_list").fetchone()[2]
    shown = CliRunner().invoke(cli, ["--db", path, "show", "1"]).output
    assert f"(primary): cited by {notice}" in shown and "(news): started the story" in shown
    article = CliRunner().invoke(cli, ["--db", path, "article", "2"]).output
    assert f"cited by {notice}" in article
