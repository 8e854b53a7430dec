"""A labelled evaluation set for story grouping: realistic Japanese security news, written to be hard.

Made-up organisations and products, but the shapes of the real sites (ScanNetSecurity, INTERNET
Watch, ZDNet Japan, the victims' own notices, MSRC releases) and the cases that break grouping:

- ``incident``: one incident reported by three sites plus the victim's notice (cited by some);
- ``vendor``: the same vendor's advisories, weeks apart, about different CVEs (hard negatives);
- ``patch``: monthly MSRC releases of consecutive months with the news about each;
- ``victims``: breach reports of the same kind from different victims in the same week;
- ``followup``: an incident and, weeks later, its investigation results (a story of its own);
- ``twice``: one organisation hit by two unrelated incidents months apart;
- ``press``: a press release and its near-verbatim rewrites;
- ``single``: one-article news on other subjects.

Every article has an ``event`` label (which story it belongs to) and a ``group`` (its scenario);
groups with ``group % 4 == 0`` are held out: never used by ``bench/fit_join_model.py``.

    from bench.story_eval import articles, load_into
    rows = articles()               # 300+ dicts with url, title, text, ..., event, group
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from pipeline import store

JST = "+09:00"
SEED = 2026

ORGS = [  # (name, short, kind, domain)
    ("株式会社ミナトロジスティクス", "ミナトロジスティクス", "company", "minato-logi.co.jp"),
    ("北陸総合大学", "北陸総合大学", "university", "hokuriku-u.ac.jp"),
    ("東川市", "東川市", "city", "city.higashikawa.lg.jp"),
    ("株式会社サンライズ食品", "サンライズ食品", "company", "sunrise-foods.co.jp"),
    ("医療法人青葉会", "青葉会", "hospital", "aobakai.or.jp"),
    ("株式会社ホクセイ電機", "ホクセイ電機", "company", "hokusei-denki.co.jp"),
    ("西浜町", "西浜町", "city", "town.nishihama.lg.jp"),
    ("株式会社グリーンリーフ", "グリーンリーフ", "company", "greenleaf.co.jp"),
    ("南央大学", "南央大学", "university", "nanou-u.ac.jp"),
    ("株式会社アサヒナ書房", "アサヒナ書房", "company", "asahina-shobo.co.jp"),
    ("一般財団法人みどり振興協会", "みどり振興協会", "foundation", "midori-shinko.or.jp"),
    ("株式会社テクノブリッジ", "テクノブリッジ", "company", "technobridge.co.jp"),
    ("株式会社カネマル商事", "カネマル商事", "company", "kanemaru.co.jp"),
    ("北湊病院", "北湊病院", "hospital", "kitaminato-hp.jp"),
    ("株式会社ユニバースホーム", "ユニバースホーム", "company", "universe-home.co.jp"),
    ("桜台市", "桜台市", "city", "city.sakuradai.lg.jp"),
    ("株式会社ヤマシナ精工", "ヤマシナ精工", "company", "yamashina-seiko.co.jp"),
    ("株式会社ブルーウェーブ", "ブルーウェーブ", "company", "bluewave.co.jp"),
    ("東邦情報専門学校", "東邦情報専門学校", "school", "toho-it.ac.jp"),
    ("株式会社コトブキ観光", "コトブキ観光", "company", "kotobuki-kanko.co.jp"),
    ("株式会社ミヤビ化粧品", "ミヤビ化粧品", "company", "miyabi-cosme.co.jp"),
    ("株式会社オオツカ製作所", "オオツカ製作所", "company", "otsuka-ss.co.jp"),
    ("川北町", "川北町", "city", "town.kawakita.lg.jp"),
    ("株式会社スカイネット通販", "スカイネット通販", "company", "skynet-tsuhan.co.jp"),
    ("株式会社ナカノ運輸", "ナカノ運輸", "company", "nakano-unyu.co.jp"),
    ("中部学院大学", "中部学院大学", "university", "chubu-gakuin.ac.jp"),
    ("株式会社フジミ印刷", "フジミ印刷", "company", "fujimi-print.co.jp"),
    ("株式会社エムケイシステム", "エムケイシステム", "company", "mk-system.co.jp"),
    ("株式会社ハルカゼ", "ハルカゼ", "company", "harukaze.co.jp"),
    ("北辰信用金庫", "北辰信用金庫", "bank", "hokushin-shinkin.jp"),
    ("株式会社トウカイ物産", "トウカイ物産", "company", "tokai-bussan.co.jp"),
    ("株式会社メディカルリンク", "メディカルリンク", "company", "medical-link.co.jp"),
    ("白浜市", "白浜市", "city", "city.shirahama.lg.jp"),
    ("株式会社ソラノ出版", "ソラノ出版", "company", "sorano.co.jp"),
    ("株式会社イワタ工業", "イワタ工業", "company", "iwata-kogyo.co.jp"),
    ("株式会社リンクス教育", "リンクス教育", "company", "links-edu.co.jp"),
    ("株式会社マルヤマ不動産", "マルヤマ不動産", "company", "maruyama-fudosan.co.jp"),
    ("株式会社ヒカリ通信", "ヒカリ通信", "company", "hikari-tsushin.co.jp"),
    ("青森中央医療センター", "青森中央医療センター", "hospital", "aomori-cmc.jp"),
    ("株式会社タカミ楽器", "タカミ楽器", "company", "takami-gakki.co.jp"),
    ("株式会社キタガワ製菓", "キタガワ製菓", "company", "kitagawa-seika.co.jp"),
    ("港南女子大学", "港南女子大学", "university", "konan-wu.ac.jp"),
    ("株式会社ミツボシ建設", "ミツボシ建設", "company", "mitsuboshi-kensetsu.co.jp"),
    ("大川村", "大川村", "city", "vill.okawa.lg.jp"),
    ("株式会社ワカバ薬局", "ワカバ薬局", "company", "wakaba-ph.co.jp"),
    ("株式会社シンセイ物流", "シンセイ物流", "company", "shinsei-butsuryu.co.jp"),
]
VENDORS = [  # (vendor, product)
    ("アークゲート", "ArcGate VPN"), ("ネクサスウォール", "NexusWall Firewall"), ("クラウドベイ", "CloudBay Storage"),
    ("ゼファーソフト", "Zephyr Mail Server"), ("ティタン", "Titan Remote Access"), ("オルカシステムズ", "Orca Backup"),
    ("ブライトン", "Brighton CMS"), ("ミラージュ", "Mirage SSL-VPN"),
]
INCIDENTS = {
    "ransom": ("ランサムウェア", "ランサムウェア攻撃", "サーバ内のファイルが暗号化され", "システム障害"),
    "unauth": ("不正アクセス", "第三者による不正アクセス", "外部から不正にログインされ", "不審な通信"),
    "phish": ("フィッシング", "職員のメールアカウントの乗っ取り", "フィッシングメールが大量に送信され", "不審なメールの送信"),
    "misdeliver": ("メール誤送信", "メールの誤送信", "宛先を誤って送信され", "誤送信"),
    "skimming": ("カード情報流出", "決済画面の改ざん", "決済画面が改ざんされ", "カード情報の不正利用"),
}
DATA = ["氏名、住所、電話番号", "氏名とメールアドレス", "顧客の氏名、生年月日、購入履歴", "学生の氏名と成績情報",
        "患者の氏名、診療科、受診日", "取引先担当者の氏名と連絡先", "会員ID、氏名、メールアドレス",
        "クレジットカード番号と有効期限", "職員の氏名と所属"]
CAUSES = ["VPN機器の脆弱性", "保守用アカウントの推測されやすいパスワード", "委託先のリモート接続環境", "未修正のWebアプリケーション",
          "フィッシングで窃取された認証情報", "公開サーバの設定不備"]
FIRMS = ["株式会社セキュアリサーチ", "サイバーフォレンジック株式会社", "株式会社デジタルガード", "株式会社ネットディフェンス"]
PRODUCTS_MS = ["Windows", "Microsoft Office", "Exchange Server", "SharePoint Server", "Azure", ".NET", "Visual Studio",
               "SQL Server", "Microsoft Edge", "Hyper-V"]
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Writer:
    def __init__(self, rng: random.Random) -> None:
        self.rng, self.rows, self.event, self.serial = rng, [], 0, 1000

    def new_event(self) -> int:
        self.event += 1
        return self.event

    def url(self, source: str, when: datetime, domain: str | None = None) -> str:
        self.serial += 1
        n = self.serial
        return {
            "scannetsecurity": f"https://scan.netsecurity.ne.jp/article/{when:%Y/%m/%d}/{50000 + n}.html",
            "internet_watch": f"https://internet.watch.impress.co.jp/docs/news/{2000000 + n}.html",
            "zdnet_japan": f"https://japan.zdnet.com/article/{35200000 + n}/",
            "nict": f"https://www.nict.go.jp/press/{when:%Y/%m/%d}-{n}.html",
            "primary": f"https://www.{domain}/news/{when:%Y%m%d}-{n}.html",
        }[source]

    def add(self, event: int, group: int, case: str, source: str, when: datetime, title: str, text: str, *,
            kind: str = "news", lead: str | None = None, url: str | None = None, cites: list[str] = ()) -> str:
        url = url or self.url(source, when)
        self.rows.append({"event": event, "group": group, "case": case, "source": source, "kind": kind, "url": url,
                          "title": title, "lead": lead, "text": text, "published_at": when.isoformat(),
                          "cites": list(cites)})
        return url


def _when(day: datetime, rng: random.Random, hours: tuple[int, int] = (8, 20)) -> datetime:
    return day.replace(hour=rng.randrange(*hours), minute=rng.randrange(60))


def _md(day: datetime) -> str:
    return f"{day.month}月{day.day}日"


def _count(rng: random.Random) -> int:
    return int(rng.lognormvariate(7.5, 1.5)) + 20


# --- one incident, three sites and the victim's notice ---------------------------------------------

def _incident_texts(rng: random.Random, org: tuple, incident: str, day: datetime, count: int, data: str,
                    cause: str) -> dict[str, tuple[str, str, str | None]]:
    name, short, _, _ = org
    word, attack, effect, symptom = INCIDENTS[incident]
    det = day - timedelta(days=rng.randrange(3, 12))
    return {
        "scannetsecurity": (
            f"{short}に{word}、{data.split('、')[0]}など{count:,}件流出の可能性",
            f"{name}は{_md(day)}、同社（同法人）のサーバが{attack}を受け、{data}{count:,}件が外部に流出した可能性が"
            f"あると発表した。\n\n同社によると{_md(det)}、{symptom}を検知し、調査したところ{effect}ていたことが判明した。"
            f"原因は{cause}とみられる。\n\n同社は外部の専門機関の協力を得て調査を進めており、影響を受けた可能性のある"
            f"{count:,}件の対象者には個別に連絡するとしている。現時点で情報の悪用は確認されていないという。",
            f"{name}は{_md(day)}、{word}による情報流出の可能性について発表した。"),
        "internet_watch": (
            f"{short}、{attack}で最大{count:,}件の情報が漏えいした可能性",
            f"{name}は、{_md(det)}に発生した{attack}により、{data}最大{count:,}件が漏えいした可能性があると"
            f"{_md(day)}に公表した。\n\n{symptom}をきっかけに社内調査を実施し、{effect}たことを確認した。侵入経路は"
            f"{cause}と推定している。\n\n個人情報保護委員会へは報告済みで、警察にも相談している。不審な連絡に注意するよう"
            f"呼びかけている。", None),
        "zdnet_japan": (
            f"{short}が{word}被害を公表--{count:,}件の{data.split('、')[0]}が流出のおそれ",
            f"{name}は{_md(day)}、{word}の被害を受け、{count:,}件の{data}が流出したおそれがあると明らかにした。"
            f"\n\n発表によれば、{_md(det)}に{symptom}が見つかり、{effect}ていた。{cause}が悪用されたとみて対策を進めて"
            f"いる。\n\n同社は再発防止策として多要素認証の導入と監視体制の強化を挙げた。",
            f"{name}が{word}の被害を公表した。"),
        "primary": (
            f"{attack}による個人情報流出の可能性に関するお知らせとお詫び",
            f"{day.year}年{day.month}月{day.day}日\n{name}\n\nこのたび、当社（当法人）が管理するサーバが{attack}を受け、"
            f"{data}が流出した可能性があることが判明いたしました。関係者の皆様に多大なるご心配とご迷惑をおかけし、"
            f"深くお詫び申し上げます。\n\n1. 経緯\n{det.month}月{det.day}日、{symptom}を確認し、直ちに当該サーバを"
            f"ネットワークから遮断いたしました。\n\n2. 流出した可能性のある情報\n{data}（{count:,}件）\n\n3. 今後の対応\n"
            f"外部専門家の協力のもと原因の究明と再発防止に努めてまいります。", None),
    }


def incident_group(w: Writer, group: int, org: tuple, incident: str, day: datetime, sites: int = 3) -> int:
    rng = w.rng
    event = w.new_event()
    count, data, cause = _count(rng), rng.choice(DATA), rng.choice(CAUSES)
    texts = _incident_texts(rng, org, incident, day, count, data, cause)
    notice = w.url("primary", day, org[3])
    w.add(event, group, "incident", "primary", _when(day, rng, (9, 11)), *texts["primary"][:2], kind="primary",
          url=notice)
    for offset, source in enumerate(["scannetsecurity", "internet_watch", "zdnet_japan"][:sites]):
        title, text, lead = texts[source]
        cites = [notice] if rng.random() < 0.5 else []
        w.add(event, group, "incident", source, _when(day + timedelta(days=offset // 2), rng, (12, 20)), title,
              text, lead=lead, cites=cites)
    return event


# --- the same vendor, different CVEs ---------------------------------------------------------------

def vendor_group(w: Writer, group: int, vendor: tuple, start: datetime) -> None:
    rng = w.rng
    name, product = vendor
    day = start
    for advisory in range(3):
        event = w.new_event()
        cve = f"CVE-{day.year}-{rng.randrange(20000, 59999)}"
        cvss = rng.choice(("9.8", "8.8", "9.1", "7.5", "8.1"))
        versions = f"{rng.randrange(6, 12)}.{rng.randrange(0, 9)}"
        fixed = f"{versions}.{rng.randrange(1, 20)}"
        kind = rng.choice(("認証回避", "リモートコード実行", "権限昇格", "情報漏えい", "バッファオーバーフロー"))
        exploited = advisory == 0 or rng.random() < 0.3
        w.add(event, group, "vendor", "scannetsecurity", _when(day, rng),
              f"{name}の{product}に{kind}の脆弱性（{cve}）",
              f"{name}は{_md(day)}、同社の{product}に{kind}の脆弱性{cve}が存在すると発表した。CVSS v3の基本値は"
              f"{cvss}。\n\n影響を受けるのはバージョン{versions}系で、修正版{fixed}が公開されている。"
              + ("同社は既に悪用を確認しているとして、速やかな更新を呼びかけている。" if exploited else
                 "現時点で悪用は確認されていないが、早期の適用を推奨している。")
              + f"\n\n{product}はVPNやリモート接続に広く使われており、過去にも脆弱性が悪用された例がある。",
              lead=f"{name}は、{product}に{kind}の脆弱性があると公表した。")
        w.add(event, group, "vendor", "internet_watch", _when(day + timedelta(days=1), rng),
              f"「{product}」に深刻な脆弱性、{fixed}へのアップデートを",
              f"{name}は、「{product}」のバージョン{versions}系に{kind}の脆弱性（{cve}）があることを明らかにした。"
              f"\n\n深刻度はCVSS {cvss}で、攻撃者に悪用されると" + {"認証回避": "認証を経ずに管理機能へアクセスされる",
                                                          "リモートコード実行": "任意のコードを実行される",
                                                          "権限昇格": "管理者権限を奪われる",
                                                          "情報漏えい": "設定情報を窃取される",
                                                          "バッファオーバーフロー": "サービスを停止させられる"}[kind]
              + f"おそれがある。\n\n同社は修正版{fixed}の適用を推奨しており、適用できない場合の回避策も案内している。")
        day += timedelta(days=rng.randrange(9, 40))


# --- monthly releases of consecutive months --------------------------------------------------------

def _second_tuesday(year: int, month: int) -> datetime:
    first = datetime.fromisoformat(f"{year}-{month:02d}-01T00:00:00{JST}")
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def patch_group(w: Writer, group: int, year: int, month: int) -> None:
    rng = w.rng
    event = w.new_event()
    released = _second_tuesday(year, month) + timedelta(days=1, hours=rng.randrange(2, 6))
    total, critical = rng.randrange(48, 130), rng.randrange(3, 12)
    zero = f"CVE-{year}-{rng.randrange(21000, 49999)}"
    products = rng.sample(PRODUCTS_MS, 4)
    release_id = f"{year}-{MONTHS[month - 1]}"
    release_url = f"https://msrc.microsoft.com/update-guide/releaseNote/{release_id}"
    w.add(event, group, "patch", "msrc", released, f"{year} 年 {month} 月のセキュリティ更新プログラム",
          f"{year}年{month}月のセキュリティ更新プログラムでは{total}件の脆弱性に対処しています。"
          f"{'、'.join(products)}などが対象です。", kind="release", url=release_url)
    ja_month = f"{month}月"
    w.add(event, group, "patch", "internet_watch", released + timedelta(hours=3),
          f"マイクロソフト、{ja_month}の月例パッチを公開　{total}件の脆弱性を修正",
          f"米Microsoftは、{ja_month}のセキュリティ更新プログラム（月例パッチ）を公開した。修正された脆弱性は{total}件で、"
          f"うち{critical}件が「緊急」と評価されている。\n\n{zero}は既に悪用が確認されているゼロデイ脆弱性で、"
          f"{products[0]}が影響を受ける。対象は{'、'.join(products)}など。早期の適用が推奨される。",
          cites=[release_url] if rng.random() < 0.5 else [])
    w.add(event, group, "patch", "zdnet_japan", released + timedelta(hours=rng.randrange(5, 30)),
          f"{ja_month}のPatch Tuesday、ゼロデイ{zero}を含む{total}件に対処",
          f"Microsoftは{ja_month}の定例セキュリティ更新で{total}件の脆弱性を修正した。{zero}については悪用が確認されて"
          f"おり、{products[0]}の利用者は優先して適用すべきだ。\n\n深刻度「緊急」は{critical}件。{products[1]}と"
          f"{products[2]}にもリモートコード実行の脆弱性が含まれる。")


# --- different victims, the same week --------------------------------------------------------------

def victims_group(w: Writer, group: int, orgs: list[tuple], incident: str, day: datetime) -> None:
    for i, org in enumerate(orgs):
        incident_group(w, group, org, incident, day + timedelta(days=i % 3), sites=2)


# --- an incident and its investigation results weeks later -----------------------------------------

def followup_group(w: Writer, group: int, org: tuple, incident: str, day: datetime) -> None:
    rng = w.rng
    incident_group(w, group, org, incident, day, sites=2)
    later = day + timedelta(days=rng.randrange(21, 45))
    event = w.new_event()
    name, short = org[0], org[1]
    word = INCIDENTS[incident][0]
    firm, final = rng.choice(FIRMS), _count(rng)
    w.add(event, group, "followup", "scannetsecurity", _when(later, rng),
          f"{short}、{word}被害の調査結果を公表　流出は{final:,}件と確定",
          f"{name}は{_md(later)}、先に公表した{word}被害について、{firm}による調査が完了したと発表した。\n\n"
          f"調査の結果、実際に外部へ送信された情報は{final:,}件であることが確定した。攻撃者は約2週間にわたり社内ネットワークに"
          f"潜伏していたという。\n\n同社は全従業員のパスワードを変更し、EDRを全端末に導入した。",
          lead=f"{name}は、{word}被害の最終報告を公表した。")
    w.add(event, group, "followup", "internet_watch", _when(later + timedelta(days=1), rng),
          f"{short}の{word}被害、第三者調査で{final:,}件の流出を確認",
          f"{name}は、{word}被害に関する第三者機関の調査報告を公表した。{firm}のフォレンジック調査により、"
          f"{final:,}件の情報流出が確認された。\n\n同社は再発防止策として、ネットワーク分離とログ監視の強化を進めるとしている。")


# --- one organisation, two unrelated incidents months apart ----------------------------------------

def twice_group(w: Writer, group: int, org: tuple, day: datetime) -> None:
    first, second = w.rng.sample(list(INCIDENTS), 2)
    incident_group(w, group, org, first, day, sites=2)
    incident_group(w, group, org, second, day + timedelta(days=w.rng.randrange(70, 200)), sites=2)


# --- a press release and its rewrites --------------------------------------------------------------

PRESS = [
    ("量子暗号ネットワークの長距離実証に成功", "量子鍵配送", "600km"),
    ("サイバー攻撃観測レポート2026を公開", "ダークネット観測", "2,300億パケット"),
    ("IoT機器の脆弱性調査で約6万台に注意喚起", "NOTICE", "6万台"),
    ("耐量子計算機暗号の移行ガイドラインを公開", "耐量子計算機暗号", "2030年"),
    ("大規模サイバー演習に過去最多の組織が参加", "サイバー演習", "3,100人"),
    ("AIを用いたフィッシングサイト検知技術を開発", "フィッシング検知", "98.7%"),
    ("光ファイバ無線の通信速度で世界記録を達成", "光ファイバ無線", "毎秒1.2テラビット"),
    ("セキュリティ人材育成プログラムの受講者を募集", "人材育成", "200人"),
    ("サイバーセキュリティ情報の共有基盤を公開", "情報共有基盤", "1,000組織"),
    ("標準電波の送信所を更新", "標準電波", "2027年"),
]


def press_group(w: Writer, group: int, item: tuple, day: datetime) -> None:
    rng = w.rng
    title, topic, figure = item
    event = w.new_event()
    body = (f"国立研究開発法人情報通信研究機構（NICT）は、{title.replace('を', 'を', 1)}と発表した。{topic}に関する"
            f"取り組みで、{figure}という成果（規模）を示した。\n\n今回の成果は、今後の{topic}の社会実装に向けた重要な一歩と"
            f"なる。NICTは引き続き産学官の連携を進めるとしている。")
    w.add(event, group, "press", "nict", _when(day, rng, (10, 15)), f"{title}", body, kind="primary")
    w.add(event, group, "press", rng.choice(("internet_watch", "zdnet_japan")), _when(day + timedelta(days=1), rng),
          f"NICT、{title}",
          body.replace("国立研究開発法人情報通信研究機構（NICT）", "情報通信研究機構（NICT）").replace(
              "と発表した。", "と明らかにした。") + "\n\n詳細はNICTのWebサイトで公開されている。")


SINGLES = [
    ("警察庁、サイバー犯罪の検挙件数が過去最多と発表", "警察庁は上半期のサイバー犯罪の検挙件数が過去最多になったと発表した。"
     "ランサムウェアの被害報告は前年同期比で増加し、中小企業の被害が目立つという。"),
    ("IPA、情報セキュリティ10大脅威の順位を公開", "情報処理推進機構（IPA）は、組織向けの脅威としてランサムウェアによる被害が"
     "引き続き1位になったと公表した。サプライチェーンの弱点を悪用した攻撃が2位だった。"),
    ("JPCERT/CC、Emotetの感染再拡大に注意喚起", "JPCERT/CCは、マルウェアEmotetの感染を狙うメールが再び増えているとして注意を"
     "呼びかけた。添付ファイルのマクロを有効にしないよう求めている。"),
    ("総務省、通信事業者向けのセキュリティ指針を改定", "総務省は通信事業者向けの情報セキュリティ指針を改定した。クラウドサービス"
     "の利用に関する項目が追加された。"),
    ("経済産業省、中小企業向けセキュリティ対策の補助金を拡充", "経済産業省は中小企業のセキュリティ対策を支援する補助金を拡充"
     "すると発表した。UTM導入費用の一部が補助対象になる。"),
    ("NISC、政府機関の情報システムに関する統一基準を改定", "内閣サイバーセキュリティセンター（NISC）は、政府機関等の"
     "サイバーセキュリティ対策のための統一基準を改定した。"),
    ("金融庁、金融機関のサイバー演習の結果を公表", "金融庁は金融業界横断的なサイバー演習の結果を公表した。約150の金融機関が"
     "参加し、初動対応の課題が明らかになった。"),
    ("米CISA、既知の悪用された脆弱性カタログに5件追加", "米サイバーセキュリティ・インフラセキュリティ庁（CISA）は、既知の"
     "悪用された脆弱性カタログに5件を追加した。連邦機関には3週間以内の対応を求めている。"),
    ("Google、Chromeの緊急アップデートを公開", "GoogleはChromeの安定版を更新し、悪用が確認されたV8エンジンの脆弱性を"
     "修正した。自動更新で適用される。"),
    ("Apple、iOSの脆弱性を修正するアップデートを配信", "AppleはiOSとiPadOSのアップデートを配信し、WebKitの脆弱性を"
     "修正した。悪用された可能性があるという。"),
    ("トレンドマイクロ、国内の標的型攻撃の動向を解説", "トレンドマイクロは、国内組織を狙う標的型攻撃の動向をまとめた"
     "レポートを公開した。"),
    ("ラック、インシデント対応の相談件数を公表", "ラックは緊急対応サービスへの相談件数を公表した。ランサムウェアに関する相談が"
     "全体の4割を占めた。"),
    ("パスワード管理サービスの利用が拡大、調査で判明", "民間調査会社の調べで、パスワード管理サービスを利用する個人が前年より"
     "増えたことが分かった。"),
    ("サイバー保険の加入率、中小企業で2割にとどまる", "損害保険会社の調査で、中小企業のサイバー保険加入率は約2割にとどまる"
     "ことが分かった。"),
    ("量子コンピュータ時代の暗号移行、企業の準備は遅れ", "調査会社によると、耐量子計算機暗号への移行計画を持つ企業は"
     "1割に満たない。"),
    ("生成AIを悪用したフィッシングが増加、セキュリティ企業が警告", "セキュリティ企業は、生成AIで作成された自然な日本語の"
     "フィッシングメールが増えていると警告した。"),
    ("SBOMの導入手引きを公開、経産省", "経済産業省はソフトウェア部品表（SBOM）の導入に関する手引きの改訂版を公開した。"),
    ("偽のセキュリティ警告でサポート詐欺、消費者庁が注意喚起", "消費者庁は、偽のウイルス感染警告を表示して電話をかけさせる"
     "サポート詐欺の相談が増えているとして注意を呼びかけた。"),
    ("大手通信会社、DDoS攻撃の観測件数を公表", "大手通信会社は、上半期に観測したDDoS攻撃の件数と規模を公表した。"
     "最大で毎秒1テラビットを超える攻撃があった。"),
    ("セキュリティ・キャンプ全国大会の参加者を募集", "セキュリティ・キャンプ協議会は、若手人材を育成する全国大会の参加者"
     "募集を始めた。"),
]


def single_group(w: Writer, group: int, item: tuple, day: datetime) -> None:
    title, text = item
    w.add(w.new_event(), group, "single", w.rng.choice(("scannetsecurity", "internet_watch", "zdnet_japan")),
          _when(day, w.rng), title, text + "\n\n同様の取り組みは今後も続く見通しだ。")


def articles(seed: int = SEED) -> list[dict]:
    """The whole labelled set, deterministic for a seed."""
    rng = random.Random(seed)
    w = Writer(rng)
    base = datetime.fromisoformat(f"2025-04-01T00:00:00{JST}")
    orgs = list(ORGS)
    rng.shuffle(orgs)
    group = 0
    kinds = list(INCIDENTS)

    def next_group() -> int:
        nonlocal group
        group += 1
        return group

    for i in range(16):                                   # 16 incidents x (3 news + notice) = 64
        incident_group(w, next_group(), orgs[i], kinds[i % len(kinds)], base + timedelta(days=11 * i))
    for i, vendor in enumerate(VENDORS):                  # 8 vendors x 3 advisories x 2 = 48
        vendor_group(w, next_group(), vendor, base + timedelta(days=5 + 17 * i))
    for i in range(10):                                   # 10 consecutive months x 3 = 30
        patch_group(w, next_group(), 2025 + (3 + i) // 12, (3 + i) % 12 + 1)
    for i in range(6):                                    # 6 weeks x 3 victims x (2 news + notice) = 54
        victims = [orgs[16 + 3 * i + j] if i < 5 else orgs[j] for j in range(3)]  # the last week: earlier victims
        victims_group(w, next_group(), victims, kinds[i % 2], base + timedelta(days=30 + 40 * i))
    for i in range(8):                                    # 8 x (2 news + notice, then 2 follow-ups) = 40
        followup_group(w, next_group(), orgs[31 + i], kinds[i % 3], base + timedelta(days=20 + 37 * i))
    for i in range(4):                                    # 4 x 2 incidents x 3 = 24
        twice_group(w, next_group(), orgs[39 + i], base + timedelta(days=60 * i))
    for i, item in enumerate(PRESS):                      # 10 x 2 = 20
        press_group(w, next_group(), item, base + timedelta(days=13 + 29 * i))
    for i, item in enumerate(SINGLES):                    # 20
        single_group(w, next_group(), item, base + timedelta(days=3 + 16 * i))
    return w.rows


def held_out(row: dict) -> bool:
    return row["group"] % 4 == 0


def load_into(db, rows: list[dict]) -> dict[int, int]:
    """Store the rows as crawled articles (with their citations); article id -> event label."""
    event_of = {}
    for row in rows:
        citations = [{"url": url, "link_text": "発表", "signals": ["official-domain"]} for url in row["cites"]]
        store.save_article(db, {"source": row["source"], "url": row["url"], "title": row["title"], "lead": row["lead"],
                                "text": row["text"], "kind": row["kind"], "published_at": row["published_at"],
                                "lang": "ja", "body_status": "full"}, [], citations=citations)
        event_of[db.execute("SELECT id FROM articles WHERE url = ?", [row["url"]]).fetchone()[0]] = row["event"]
    return event_of
