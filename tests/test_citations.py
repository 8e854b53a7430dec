from crawler.extract.article import Link
from crawler.extract.citations import MAX_CITATIONS, find_citations

NEWS = ("scan.netsecurity.ne.jp",)


def urls(links, vendors=()):
    return [c.url for c in find_citations(links, NEWS, vendors)]


def test_official_domains_count_as_primary_sources():
    links = [Link("https://www.toto-tech.ac.jp/news/1.html", "お詫び"),
             Link("https://www.city.example.lg.jp/a.html", "市のページ"),
             Link("https://www.soumu.go.jp/menu_news/x.html", "総務省")]
    found = find_citations(links, NEWS)
    assert [c.url for c in found] == [link.url for link in links]
    assert all(any(s.startswith("official-domain:") for s in c.signals) for c in found)


def test_links_within_the_news_site_and_social_media_are_never_primary():
    links = [Link("https://scan.netsecurity.ne.jp/article/2026/11/18/1.html", "発表"),
             Link("https://twitter.com/share?text=発表", "発表をシェア"),
             Link("http://127.0.0.1/admin", "発表"), Link("http://10.0.0.1/", "お知らせ")]
    assert urls(links) == []


def test_plain_company_domain_needs_a_signal():
    assert urls([Link("https://www.example-corp.co.jp/news/1.html", "同社サイト")]) == []
    assert urls([Link("https://www.example-corp.co.jp/news/1.html", "ニュースリリース")]) == \
        ["https://www.example-corp.co.jp/news/1.html"]
    with_context = Link("https://www.example-corp.co.jp/n/2.html", "こちら", context="同社は11月16日に発表した。")
    assert find_citations([with_context], NEWS)[0].signals == ("context:発表",)


def test_vendor_domains_are_configurable():
    link = Link("https://msrc.microsoft.com/update-guide/releaseNote/2026-Nov", "リリースノート")
    assert urls([link]) == []
    assert urls([link], vendors=("microsoft.com",)) == [link.url]


def test_tracking_parameters_dropped_duplicates_merged_and_capped():
    links = [Link(f"https://www{i}.example.ac.jp/n.html?utm_source=x#top", "お知らせ") for i in range(8)]
    links.append(Link("https://www0.example.ac.jp/n.html", "お知らせ"))
    found = urls(links)
    assert len(found) == MAX_CITATIONS and found[0] == "https://www0.example.ac.jp/n.html"


def test_publisher_source_list_is_a_signal():
    link = Link("https://www.vendor-example.co.jp/support/1.html", "脆弱性について", listed=True)
    [citation] = find_citations([link], NEWS)
    assert citation.signals == ("publisher-source-list",)


DISGUISED = ["http://2130706433/発表.html", "http://0x7f.0.0.1/news/1.html", "http://127.1/お知らせ.html",
             "http://0177.0.0.1/a.html", "http://0x7f000001/a.html", "http://[::ffff:127.0.0.1]/a.html",
             "http://metadata.google.internal/computeMetadata/v1/", "http://169.254.169.254/latest/meta-data/",
             "http://intranet.corp.internal/発表.html", "http://printer.local/お知らせ.html", "http://10.1/a.html"]


def test_disguised_loopback_and_internal_hosts_are_never_cited():
    links = [Link(url, "発表") for url in DISGUISED]
    assert urls(links) == []
