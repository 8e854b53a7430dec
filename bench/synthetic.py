"""A synthetic, deterministic archive of Japanese security news for the drafting benchmark.

Fictional organisations (〇〇大学, 〇〇市, 株式会社〇〇, …) suffer fictional incidents (不正アクセス,
ランサムウェア, フィッシング, 脆弱性, メール誤送信). Each incident is an *event* with its own facts
(dates, times, figures, people, services, CVE ids). It is covered by one news site, or (a fifth of
events) by two or three sites writing near-duplicate articles: the same facts, a random share of
the first site's sentences word for word (30–90% per site), the rest reworded or left out, and
different titles, openings and background asides. About 15% of events also have the
organisation's own notice (``kind = 'primary'``: formal wording, varied headings and sections,
some of the event's details; 90% of them stored), cited by 90% of the event's news articles
through ``article_links``; 3% of vulnerability news mentions a monthly security update (the
release look-up path). News articles are about 500–1,300 characters (mean ~920, in paragraphs),
notices 350–600; ``published_at`` (+09:00) spreads over three years. Rows go straight into a
real newsdesk database with ``insert_all`` (the FTS triggers index them).

Unrelated articles share the templates' phrasing (character-trigram Jaccard ~0.17 between two
news articles about the same kind of incident, ~0.15 between two notices), near-duplicates share
far more (~0.40, spread 0.28–0.59), so grouping quality can be checked against the truth as well
as its speed.

The ground truth (which event each article belongs to) is kept beside the database as JSON, with
the specifications of the most recent events so that a later step can add articles continuing
them (:func:`add_incremental`).

    from bench.synthetic import build_archive
    truth = build_archive("/tmp/archive.db", 10_000, seed=7)
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline import store

START = date(2023, 11, 1)
END = date(2026, 10, 31)            # the archive's last day; incremental articles come after it
MULTI_SITE_SHARE = 0.20             # events covered by 2–3 news sites
PRIMARY_SHARE = 0.15                # events with the organisation's own announcement
PRIMARY_FETCHED = 0.9               # of those, cited pages that were stored (else cited_article_id NULL)
CITE_SHARE = 0.9                    # news articles of such an event that link the announcement
RELEASE_MENTION_SHARE = 0.03        # vulnerability news mentioning a monthly security update
RECENT_DAYS = 12                    # events this close to END are kept for continuation
JST = "+09:00"

# --- news sites ------------------------------------------------------------------------------------

NEWS_SOURCES = {
    "scannetsecurity": ("https://scan.netsecurity.ne.jp/article/{y}/{m:02d}/{d:02d}/{n}.html", True),
    "internet_watch": ("https://internet.watch.impress.co.jp/docs/news/{n}.html", False),
    "zdnet_japan": ("https://japan.zdnet.com/article/{n}/", True),
    "security_next": ("https://www.security-next.example.jp/{n}", False),
    "cyber_daily": ("https://news.cyber-daily.example.jp/articles/{y}{m:02d}{d:02d}-{n}", True),
    "itpro_watch": ("https://itpro-watch.example.jp/security/{n}.html", False),
}
SOURCE_WEIGHTS = [30, 20, 15, 15, 10, 10]

# --- fictional organisations -----------------------------------------------------------------------

PLACE = [("北", "kita"), ("南", "minami"), ("東", "higashi"), ("西", "nishi"), ("青", "ao"), ("白", "shira"),
         ("桜", "sakura"), ("若", "waka"), ("星", "hoshi"), ("朝", "asa"), ("霧", "kiri"), ("松", "matsu"),
         ("竹", "take"), ("梅", "ume"), ("花", "hana"), ("水", "mizu"), ("森", "mori"), ("高", "taka"),
         ("大", "oo"), ("小", "ko"), ("山", "yama"), ("川", "kawa"), ("野", "no"), ("田", "ta"),
         ("原", "hara"), ("島", "shima"), ("崎", "saki"), ("浜", "hama"), ("岡", "oka"), ("谷", "tani"),
         ("沢", "sawa"), ("宮", "miya"), ("瀬", "se"), ("里", "sato"), ("坂", "saka"), ("丘", "oka"),
         ("見", "mi"), ("月", "tsuki"), ("風", "kaze"), ("緑", "midori")]
KATA = [("サクラ", "sakura"), ("ミライ", "mirai"), ("ネクスト", "next"), ("テック", "tech"), ("ソフト", "soft"),
        ("リンク", "link"), ("ネット", "net"), ("データ", "data"), ("クラウド", "cloud"), ("ロジ", "logi"),
        ("メディカ", "medica"), ("アルファ", "alpha"), ("ブルー", "blue"), ("スター", "star"), ("ライト", "light"),
        ("ウェーブ", "wave"), ("フォース", "force"), ("システムズ", "systems"), ("コム", "com"),
        ("ワークス", "works"), ("ひかり", "hikari"), ("ソラ", "sora"), ("エコー", "echo"), ("ノヴァ", "nova")]


def _place(rng: random.Random, parts: int = 2) -> tuple[str, str]:
    chosen = [rng.choice(PLACE) for _ in range(parts)]
    return "".join(c[0] for c in chosen), "".join(c[1] for c in chosen)


def _katakana(rng: random.Random) -> tuple[str, str]:
    chosen = rng.sample(KATA, 2)
    return "".join(c[0] for c in chosen), "".join(c[1] for c in chosen)


def make_org(rng: random.Random, incident: str) -> dict:
    if incident == "vuln":
        kind = "company"
    else:
        kind = rng.choices(["univ", "city", "pref", "company", "hospital", "school"], [25, 20, 8, 30, 9, 8])[0]
    place, roman = _place(rng, rng.choice((2, 2, 3)))
    org = _org_of_kind(rng, kind, place, roman)
    org["kind"] = kind
    return org


def _org_of_kind(rng: random.Random, kind: str, place: str, roman: str) -> dict:
    if kind == "univ":
        name = place + rng.choice(("大学", "工業大学", "医科大学", "学院大学"))
        return {"org": name, "short": "同大学", "own": "本学", "people": rng.choice(
            ("学生や教職員", "在学生と卒業生", "教職員", "受験生")), "domain": f"www.{roman}-u.ac.jp",
            "sector": "大学", "word": "大学"}
    if kind == "city":
        return {"org": place + "市", "short": "同市", "own": "本市", "people": rng.choice(
            ("市民", "市の職員", "事業者", "利用者")), "domain": f"www.city.{roman}.lg.jp", "sector": "自治体",
            "word": "市"}
    if kind == "pref":
        return {"org": place + "県", "short": "同県", "own": "本県", "people": rng.choice(
            ("県民", "県の職員", "関係事業者")), "domain": f"www.pref.{roman}.lg.jp", "sector": "自治体",
            "word": "県"}
    if kind == "hospital":
        return {"org": place + rng.choice(("総合病院", "市民病院", "医療センター")), "short": "同病院",
                "own": "当院", "people": rng.choice(("患者", "外来患者", "職員")), "domain": f"www.{roman}-hp.or.jp",
                "sector": "医療機関", "word": "病院"}
    if kind == "school":
        place2, roman2 = _place(rng)
        return {"org": f"{place}県立{place2}高等学校", "short": "同校", "own": "本校",
                "people": rng.choice(("生徒", "生徒と保護者", "卒業生")),
                "domain": f"www.{roman2}-h.{roman}.ed.jp", "sector": "学校", "word": "校"}
    kata, kroman = _katakana(rng)
    name = rng.choice((f"株式会社{kata}", f"{kata}株式会社", f"株式会社{place}{kata}"))
    return {"org": name, "short": "同社", "own": "当社", "people": rng.choice(
        ("顧客", "会員", "取引先", "従業員", "利用者")), "domain": f"www.{kroman}-{roman}.co.jp", "sector": "企業",
        "word": "社", "kata": kata}


# --- phrases ---------------------------------------------------------------------------------------

# All phrases, one per line under a [section] heading (parsed into PHRASES below).
PHRASE_TEXT = """
[unauth.title]
{org}に不正アクセス、{data}{count}が流出のおそれ
{org}の{system}に不正アクセス　{data}{count}が漏えいの可能性
{org}、{system}への不正アクセスを公表　最大{count}に影響
{org}で不正アクセス被害、{people}の{data}が流出した可能性
[unauth.announce]
{org}は{ann}、{system}が第三者による不正アクセスを受け、{data}{count}が外部に流出した可能性があると発表した。
{org}は{ann}、{system}に外部から不正アクセスがあり、{people}の{data}{count}が漏えいしたおそれがあることを明らかにした。
{org}が運営する{system}が不正アクセスを受け、{data}最大{count}が流出した可能性があることがわかった。{org}が{ann}に公表した。
[unauth.detect]
{short}によると、{det}{time}ごろ、{detector}が{anomaly}を検知した。
{det}{time}ごろ、{detector}が{anomaly}に気付き、調査を開始したという。
発端は{det}{time}ごろで、{detector}が{anomaly}を確認したことから発覚した。
[unauth.cause]
調査の結果、攻撃者は{cause}とみられる。
外部の専門機関による調査では、攻撃者が{cause}ことが判明している。
{short}は、第三者が{cause}可能性が高いとしている。
[unauth.respond]
{short}は{resp}に当該サーバをネットワークから切り離し、外部の専門機関とともに詳しい調査を進めている。
{short}は{resp}、問題のシステムを停止したうえで、セキュリティ専門会社に調査を依頼した。
{resp}には{system}の運用を停止し、被害範囲の特定を急いでいる。
[unauth.affected]
流出したおそれがあるのは、{people}の{data}で、一部には{data2}も含まれる可能性があるという。
対象となるのは{period}に登録された{people}の{data}だとしている。
影響を受けた可能性があるのは{count}で、このうち{count2}には{data2}が含まれていた。
[unauth.secondary]
現時点で、情報の悪用などの二次被害は確認されていない。
{ann2}時点で、不正利用などの被害の報告はないという。
今のところ二次被害は確認されていないが、{short}は不審なメールなどに注意するよう呼びかけている。
[unauth.measure]
{short}は{measure}としている。
再発防止策として、{measure}方針だ。
今後は{measure}という。
[unauth.report]
{authority}にもすでに報告したという。
{short}は{authority}に報告し、相談しながら対応を進めている。
本件は{authority}へ報告済みだとしている。
[ransom.title]
{org}がランサムウェア被害、{system}が停止
{org}でランサムウェア感染、{data}{count}流出の可能性も
{org}にサイバー攻撃、ランサムウェアで{system}に障害
ランサムウェア攻撃で{org}の業務に影響
[ransom.announce]
{org}は{ann}、{system}がランサムウェアに感染し、サーバ内のデータが暗号化される被害を受けたと発表した。
{org}は{ann}、ランサムウェアによるサイバー攻撃を受け、{system}が利用できない状態になっていることを明らかにした。
{org}の{system}がランサムウェアに感染したことがわかった。{org}が{ann}に明らかにした。
[ransom.detect]
{short}によると、{det}{time}ごろ、{system}で障害が発生し、画面上に身代金を要求するメッセージが表示された。
{det}{time}ごろ、職員が{system}にアクセスできないことに気付き、確認したところファイルが暗号化されていたという。
{det}{time}ごろ、{detector}が{anomaly}を検知し、その後{system}が停止した。
[ransom.cause]
侵入経路について{short}は、攻撃者が{cause}とみている。
調査の結果、攻撃者は{cause}とみられる。
専門会社の調査では、攻撃者が{cause}ことが確認された。
[ransom.respond]
{short}は影響を受けたサーバをネットワークから切り離し、{resp}から手作業での業務に切り替えている。
{resp}以降、{short}は外部の専門家の支援を受けながらシステムの復旧作業を進めている。
{short}は警察に被害を届け出たうえで、バックアップからの復旧を試みている。
[ransom.affected]
サーバには{people}の{data}など約{count}が保存されており、{short}は外部に流出した可能性も含めて調べている。
暗号化されたサーバには{data}{count}が含まれていたが、現時点で流出は確認されていないという。
攻撃者からは{data}を盗んだとする声明が出ており、{short}は事実関係を確認している。
[ransom.secondary]
現時点で、情報の悪用などの二次被害は確認されていない。
{ann2}時点で、データの公開などは確認されていないという。
復旧の見通しは立っておらず、{short}は利用者に不便をかけるとしている。
[ransom.measure]
{short}は{measure}としている。
再発防止策として、{measure}方針だ。
今後は{measure}という。
[ransom.report]
{authority}にもすでに報告したという。
{short}は{authority}に報告し、相談しながら対応を進めている。
本件は{authority}へ報告済みだとしている。
[phish.title]
{org}のメールアカウント乗っ取り、{mails}のフィッシングメール送信
{org}の職員アカウントが不正利用、約{mails}の迷惑メール
{org}、アカウント乗っ取りでフィッシングメール{mails}
{org}を装うフィッシングメールに注意
[phish.announce]
{org}は{ann}、職員のメールアカウントが第三者に乗っ取られ、約{mails}のフィッシングメールが外部に送信されたと発表した。
{org}は{ann}、メールアカウントが不正に利用され、{mails}の迷惑メールが送信されたことを明らかにした。
{org}のメールアカウントが乗っ取られ、フィッシングメール約{mails}が送信されていたことがわかった。
[phish.detect]
{det}{time}ごろ、メールサーバから大量のメールが送信されていることを{detector}が検知した。
{short}によると、{det}に外部から「不審なメールが届いた」との問い合わせがあり、調査したところ発覚したという。
{det}{time}ごろ、送信エラーのメールが大量に返送されていることに担当者が気付いた。
[phish.cause]
職員がフィッシングサイトに認証情報を入力してしまったことが原因とみられる。
何らかの方法でパスワードが第三者に知られ、不正にログインされたとみられる。
アカウントのパスワードが推測されやすいものだったことが原因の一つとしている。
[phish.respond]
{short}は{resp}に該当アカウントのパスワードを変更し、不正なログインを遮断した。
{short}は直ちにアカウントを停止し、送信されたメールの宛先を調べている。
{resp}にはアカウントを停止し、関係者への連絡を進めている。
[phish.affected]
送信されたメールには偽のログインページへのリンクが含まれており、{short}は受信した場合は開かずに削除するよう呼びかけている。
メールの宛先は{count}で、アカウント内の{data}が閲覧された可能性もあるという。
アカウントには{people}とやり取りしたメール{count}が保存されていた。
[phish.secondary]
現時点で、情報の悪用などの二次被害は確認されていない。
{ann2}時点で、不正利用などの被害の報告はないという。
{short}は、同様のメールを受け取った場合はリンクを開かないよう注意を呼びかけている。
[phish.measure]
{short}は{measure}としている。
再発防止策として、{measure}方針だ。
今後は{measure}という。
[phish.report]
{authority}にもすでに報告したという。
本件は{authority}へ報告済みだとしている。
{short}は{authority}に相談している。
[vuln.title]
{product}に深刻な脆弱性、{org}が修正版を公開
{org}の{product}に脆弱性、最新版への更新を
{product}の脆弱性（{cve}）、遠隔からコード実行のおそれ
{org}、{product}の脆弱性を修正
[vuln.announce]
{org}は{ann}、同社の{product}に脆弱性が見つかったとして、修正版となる{version}を公開した。
{org}は{ann}、{product}に複数の脆弱性があることを明らかにし、利用者に最新版への更新を呼びかけた。
{product}に深刻な脆弱性が見つかったことがわかった。{org}が{ann}にセキュリティ情報を公開した。
[vuln.detect]
脆弱性は{cve}として識別されており、共通脆弱性評価システム「CVSSv3」のベーススコアは{cvss}と評価されている。
識別番号は{cve}で、CVSSv3のスコアは{cvss}。
{cve}として採番された脆弱性の深刻度は「{severity}」とされている。
[vuln.cause]
細工したリクエストを送ることで、認証を経ずに遠隔から任意のコードを実行されるおそれがある。
悪用されると、管理画面に不正にログインされ、設定を書き換えられる可能性がある。
特定の条件下で認証を回避され、機器を乗っ取られるおそれがあるという。
[vuln.respond]
{org}は{ann}時点で、この脆弱性を悪用した攻撃を確認しているという。
現時点で悪用は確認されていないという。
{org}によれば、脆弱性を突いた攻撃の報告は{ann2}時点で寄せられていない。
[vuln.affected]
影響を受けるのは{version_old}以前のバージョンで、{version}で修正された。
国内では{count}が稼働しているとみられ、影響は広範囲に及ぶ可能性がある。
対象は{version_old}までの各バージョンで、国内で約{count}が利用されている。
[vuln.secondary]
{org}は利用者に対し、速やかに最新版へ更新するよう呼びかけている。
更新できない場合の回避策として、外部からの管理画面へのアクセスを制限するよう求めている。
サポートが終了した旧機種には修正版が提供されないため、買い替えを検討するよう求めている。
[vuln.measure]
あわせて、{measure2}よう推奨している。
{org}は、{measure2}よう求めている。
利用者には、{measure2}ことが推奨されている。
[vuln.report]
JPCERT/CCもこの脆弱性について注意喚起を出している。
情報処理推進機構（IPA）も注意を呼びかけている。
JVNにも脆弱性情報が掲載されている。
[misdeliver.title]
{org}でメール誤送信、{count}のメールアドレスが流出
{org}、メールアドレス{count}を誤って送信
{org}がメール誤送信、{people}のアドレスが閲覧可能に
{org}で誤送信、{people}{count}の情報が流出
[misdeliver.announce]
{org}は{ann}、メールの誤送信により、{people}のメールアドレス{count}が流出したと発表した。
{org}は{ann}、{people}に送ったメールで宛先を誤って「TO」に入力し、メールアドレス{count}が受信者間で閲覧できる状態になったと明らかにした。
{org}がメールを誤送信し、{people}のメールアドレス{count}が流出したことがわかった。{org}が{ann}に公表した。
[misdeliver.detect]
{det}{time}ごろ、担当職員が{people}宛てに案内メールを送信した際、本来「BCC」に入力すべきアドレスを「TO」に入力していた。
{short}によると、{det}{time}ごろに送信したお知らせメールで、宛先の設定を誤ったという。
{det}に送信したメールについて、受信者からの指摘で誤りが発覚した。
[misdeliver.cause]
送信前の確認が不十分だったことが原因としている。
複数人での確認を経ずに送信していたという。
一斉送信の手順が守られていなかったことが原因とみられる。
[misdeliver.respond]
{short}は{resp}、受信者にメールの削除を依頼した。
{short}は対象者に謝罪し、メールの削除を求めている。
{resp}には受信者への連絡を終え、削除を依頼したという。
[misdeliver.affected]
流出したのはメールアドレスのみで、氏名などは含まれていないという。
メールアドレスの中には氏名を推測できるものも含まれていた。
対象の{count}のうち、一部は{data2}も記載されていた。
[misdeliver.secondary]
現時点で、情報の悪用などの二次被害は確認されていない。
{ann2}時点で、不正利用などの被害の報告はないという。
今のところ二次被害は確認されていない。
[misdeliver.measure]
{short}は{measure}としている。
再発防止策として、{measure}方針だ。
今後は{measure}という。
[misdeliver.report]
{authority}にもすでに報告したという。
本件は{authority}へ報告済みだとしている。
{short}は{authority}に報告した。
[lead]
{org}は{ann}、{system}の{incident_word}について公表した。
{org}で{incident_word}が発生した。
{org}が{ann}、{incident_word}の被害を明らかにした。
[filler]
{sector}を狙ったサイバー攻撃が後を絶たない。
{year}年に入ってからも、国内の{sector}で{incident_generic}が相次いで報告されている。
専門家は、{advice}を呼びかけている。
{agency}によると、{year}年の{stat_thing}は前年比{pct}%増の{num}件に上った。
セキュリティ企業{kata2}の{role}は「{quote}」と話す。
{sector}では{reason}ことから、対策が遅れがちだとの指摘もある。
同様の被害は{place2}の{sector2}でも{month}月に確認されている。
{agency}は{month}月、{sector}向けに{guide}を改訂した。
{incident_generic}をめぐっては、{place2}の{sector2}が{month}月に被害を公表したばかりだ。
{role}は「{quote}」と指摘する。
こうした攻撃では、{tactic}手口が多く使われている。
{agency}は、{advice}を重ねて求めている。
{year}年度には、{sector}を対象とした{guide}の周知が進められてきた。
{agency}の調査では、被害の{pct}%がVPN機器などの脆弱性を突かれたものだった。
{sector}のシステムは{reason}ため、更新が後回しになりやすい。
攻撃者は{tactic}ことで、組織の内部に足場を築く。
{role}によれば、{incident_generic}の被害は公表されていないものも多いという。
{place2}では{month}月、{sector2}のサーバが{incident_generic}の被害を受け、業務が数日間停止した。
海外でも{sector}を狙った攻撃が目立っている。
{agency}は今年、{sector}向けの相談窓口を拡充した。
業界団体も{advice}を会員に呼びかけている。
{kata2}の調査によれば、{sector}の{pct}%が多要素認証を導入していない。
サプライチェーン全体での対策が課題となっている。
{year}年の{stat_thing}は{num}件で、過去最多を更新した。
[fill.incident_generic]
不正アクセス
ランサムウェア被害
情報漏えい
アカウントの乗っ取り
ウェブサイトの改ざん
メールの誤送信
標的型攻撃
[fill.advice]
ソフトウェアを最新の状態に保つこと
多要素認証を導入すること
不審なメールのリンクを開かないこと
バックアップをオフラインで保管すること
VPN機器の脆弱性対策を急ぐこと
アクセス権限を定期的に見直すこと
[fill.agency]
警察庁
情報処理推進機構（IPA）
JPCERT/CC
内閣サイバーセキュリティセンター
個人情報保護委員会
フィッシング対策協議会
[fill.stat_thing]
ランサムウェアの被害報告
フィッシングの報告件数
不正アクセスの認知件数
情報漏えいの報告件数
脆弱性の届出件数
[fill.role]
主任研究員
アナリスト
セキュリティ責任者
担当者
インシデント対応の専門家
研究者
[fill.quote]
基本的な対策の徹底が何より重要だ
侵入を前提とした備えが欠かせない
被害の公表が早いことは評価できる
攻撃の手口は年々巧妙になっている
委託先も含めた管理が問われている
古い機器の放置が狙われている
[fill.reason]
専任の担当者がいない
予算が限られている
古いシステムが使われ続けている
外部委託が多い
[fill.guide]
セキュリティ対策の手引き
インシデント対応のガイドライン
注意喚起
チェックリスト
[fill.tactic]
正規のサービスを装ったメールで認証情報を盗む
公開されたばかりの脆弱性を突く
盗んだデータの公開を脅しに使う
委託先を足掛かりに侵入する
使われていないアカウントを悪用する
[fill.sector2]
大学
自治体
病院
企業
学校
団体
[primary_title.unauth]
{system}への不正アクセスについて（お詫び）
不正アクセスによる個人情報漏えいの可能性について
{own}{system}に対する不正アクセス事案について
[primary_title.ransom]
ランサムウェア被害の発生について（第1報）
{system}の障害について（ランサムウェア感染）
サイバー攻撃による被害の発生について
[primary_title.phish]
{own}メールアカウントの不正利用について
迷惑メール送信に関するお詫び
フィッシングメールの送信について（お詫び）
[primary_title.vuln]
{product}における脆弱性について
{product}の脆弱性（{cve}）に関するお知らせ
セキュリティアップデートのお知らせ（{product}）
[primary_title.misdeliver]
メール誤送信に関するお詫び
個人情報を含むメールの誤送信について
電子メールの誤送信について（お詫び）
[primary_opening.unauth]
このたび、{own}が運用する{system}が第三者による不正アクセスを受け、{data}{count}が外部に流出した可能性があることが判明しました。
[primary_opening.ransom]
このたび、{own}の{system}がランサムウェアに感染し、データが暗号化される被害が発生しました。
[primary_opening.phish]
このたび、{own}職員のメールアカウントが第三者により不正に利用され、約{mails}のフィッシングメールが送信されたことが判明しました。
[primary_opening.vuln]
{product}において、遠隔から任意のコードが実行される脆弱性（{cve}）が確認されました。
[primary_opening.misdeliver]
このたび、{own}から{people}の皆様へお送りしたメールにおいて、メールアドレス{count}が他の受信者に表示される事案が発生しました。
[system.univ]
教職員用メールサーバ
学生向けポータルサイト
学務システム
研究室のファイルサーバ
図書館システム
[system.city]
住民情報システム
公式ウェブサイト
施設予約システム
職員用メールサーバ
電子申請システム
[system.company]
会員向けウェブサイト
オンラインショップ
顧客管理システム
業務用ファイルサーバ
採用管理システム
基幹システム
[system.hospital]
電子カルテシステム
医事会計システム
予約システム
院内ネットワーク
[system.school]
校務支援システム
学習用クラウドサービス
職員用メールアカウント
成績管理システム
[data]
個人情報
メールアドレス
氏名と住所
氏名と電話番号
会員情報
顧客情報
クレジットカード情報
ログインIDとパスワード
学籍番号と氏名
患者情報
[data2]
生年月日
電話番号
住所
購入履歴
メール本文
銀行口座情報
成績情報
[causes]
VPN機器の既知の脆弱性を悪用して侵入した
管理者アカウントの推測されやすいパスワードを突いてログインした
ウェブアプリケーションの脆弱性を突いて不正なプログラムを設置した
窃取した認証情報を使って管理画面にログインした
委託先のリモート保守用回線を経由して侵入した
公開サーバの設定不備を突いてデータベースにアクセスした
[detectors]
監視を委託している事業者
システム管理者
保守業者
セキュリティ監視サービス
担当職員
[anomalies]
海外のIPアドレスへの大量の通信
不審なログイン
サーバの異常な負荷
見慣れないファイルの作成
管理者アカウントによる深夜のアクセス
[measures]
全利用者にパスワードの変更を求めるとともに、多要素認証を導入する
VPN機器のファームウェアを最新版に更新し、監視体制を強化する
外部からの接続を制限し、アクセスログの監視を強化する
委託先を含めたセキュリティ対策を見直す
職員向けの情報セキュリティ研修を改めて実施する
バックアップの運用を見直し、復旧手順を整備する
[authorities]
個人情報保護委員会
警察
所管官庁
個人情報保護委員会と警察
文部科学省
総務省
[product_kinds]
ルーター
VPN装置
ファイアウォール
NAS
ネットワークカメラ
グループウェア
ファイル転送ソフト
ウェブ会議システム
[primary_heading]
{n}. {name}
■{name}
【{name}】
（{n}）{name}
[primary_name.history]
経緯
事案の概要
発生の経緯
[primary_name.scope]
影響の範囲
流出した可能性のある情報
対象となる情報
[primary_name.scope_vuln]
対象製品
影響を受ける製品とバージョン
[primary_name.measures]
対応と再発防止策
今後の対応
再発防止に向けた取り組み
[primary_name.contact]
お問い合わせ先
本件に関するお問い合わせ
[primary_text.history]
{det}{time}ごろ、{detector}が{anomaly}を検知しました。直ちに調査を開始し、{resp}に外部の専門機関へ詳細な調査を依頼しました。
{det}、{own}の{system}において{anomaly}が確認されました。{resp}に当該システムを停止し、調査を進めてまいりました。
{det}{time}ごろ、{detector}から{anomaly}について連絡があり、本件が判明しました。
[primary_text.scope]
対象となる情報は{people}の{data}および{data2}で、件数は{count}です。現時点で二次被害は確認されておりません。
{people}の{data}（{count}）が閲覧された可能性があります。なお、現在までに不正利用の報告は受けておりません。
現時点で判明している対象は、{people}の{data}、{count}です。
[primary_text.scope_vuln]
{product}の{version_old}以前のバージョンが対象です。本脆弱性を修正した{version}を公開しております。
{product}（{version_old}まで）が影響を受けます。修正版{version}へのアップデートをお願いいたします。
[primary_text.measures]
{own}では、{measure}とともに、{authority}へ報告いたしました。今後、同様の事案が発生しないよう、管理体制の強化に努めてまいります。
今回の事態を重く受け止め、{measure}ことといたしました。
{authority}に報告するとともに、{measure}など、再発防止に取り組んでまいります。
[primary_detail]
{d1}には{dept}に対策本部を設置し、{action}を実施しました。
調査の結果、{service}の{component}に{problem}があったことが判明しました。
{d1}から{d2}にかけて、{component}への不正なアクセスが{n4}回確認されています。
{service}は{d3}ごろの再開を予定しております。
{action}については{consultant}に依頼しております。
[primary_apology]
関係者の皆様に多大なるご心配とご迷惑をおかけしますことを、深くお詫び申し上げます。
皆様には大変なご迷惑とご心配をおかけし、心よりお詫び申し上げます。
このような事態となり、誠に申し訳ございません。
[primary_contact]
電話:0{month}-{num}（平日9時〜17時）
メール:security@{domain}
受付時間:平日9時〜17時
[about.univ]
{org}は学生約{size}人が在籍する{region}の大学。
{org}は{founded}年に創立された大学で、{faculties}学部を擁する。
{region}にある{org}は、約{size}人の学生が学ぶ。
[about.city]
{org}は人口約{size}人の{region}の市。
{org}は{region}に位置し、人口は約{size}人。
人口約{size}人の{org}は、{founded}年に市制を施行した。
[about.pref]
{org}の職員数は約{size}人。
{region}の{org}では、{founded}年から行政手続きのオンライン化を進めてきた。
[about.hospital]
{org}は病床数{faculties}00床の{region}の中核病院。
{org}は{founded}年に開院し、地域医療の拠点となっている。
[about.school]
{org}は生徒数約{faculties}00人の県立高校。
{org}は{founded}年創立の県立高校で、{region}にある。
[about.company]
{org}は{founded}年設立で、{business}を手がける。
{org}は従業員約{size}人の{business}企業。
{business}を主な事業とする{org}は、{region}に本社を置く。
[generic.quote]
{short}の担当者は「{official_quote}」と話している。
{short}は「{official_quote}」とコメントしている。
「{official_quote}」と{short}の担当者は話す。
[generic.followup]
{short}は{det}に第1報を公表しており、今回は調査結果を踏まえた続報となる。
詳しい調査結果は{month_next}月中にまとめる予定だという。
{short}は今後、新たな事実が判明した場合は速やかに公表するとしている。
[generic.contact]
{short}は専用の問い合わせ窓口を設置し、対応にあたっている。
対象者には個別にメールや郵送で連絡するとしている。
{short}はウェブサイトにお詫びと経緯を掲載した。
[official_quote]
関係者の皆様にご迷惑をおかけし、深くお詫び申し上げる
原因の究明と再発防止に全力で取り組む
調査結果がまとまり次第、改めて公表する
現在も全容の把握を急いでいる
二度とこのようなことが起きないよう、対策を徹底する
[region]
関東地方
東北地方
近畿地方
九州地方
中部地方
中国地方
北海道
四国地方
北陸地方
[business]
通信機器の開発・販売
ECサイトの運営
物流
人材派遣
ソフトウェア開発
食品の製造・販売
不動産管理
旅行予約サービス
[detail.0]
{dept}の{surname}{title}によると、{service}の{component}に{problem}があったという。
{service}の{component}には{problem}があったと、{dept}の{surname}{title}は説明する。
[detail.1]
{d1}までに{action}を終え、{d2}からは{action2}を進めている。
{short}は{d1}までに{action}を済ませ、現在は{action2}に取り組んでいる。
[detail.2]
被害を受けたサーバは{n1}台で、このうち{n2}台は{component}として使われていた。
{n1}台のサーバが被害を受け、{component}用の{n2}台も含まれていた。
[detail.3]
{service}は{year2}年に導入され、{people}約{n3}人が利用していた。
{people}約{n3}人が使う{service}は、{year2}年から運用されている。
[detail.4]
攻撃者は{d1}から{d2}にかけて、少なくとも{n4}回にわたって{component}にアクセスしていた。
{component}への不正なアクセスは、{d1}から{d2}までに{n4}回確認された。
[detail.5]
{short}は{d2}に{consultant}と契約し、{action}を委託した。
{action}は{consultant}に委託したという。
[detail.6]
{service}の利用再開は{d3}以降となる見込み。
{service}は{d3}ごろの再開を目指している。
[detail.7]
{short}では{year3}年にも{component}の{problem}を指摘されていた。
{year3}年の監査でも、{component}の{problem}が指摘されていたという。
[detail.8]
{dept}は{d1}夜、{surname}{title}を責任者とする対策本部を設置した。
{d1}夜には{surname}{title}をトップとする対策本部が立ち上がった。
[detail.9]
{short}によると、{component}のログは{n5}日分しか保存されておらず、侵入の時期は特定できていない。
{component}のログの保存期間が{n5}日と短く、いつ侵入されたかはわかっていない。
[detail.10]
{short}は{d2}、{people}向けの説明会を{n2}回開き、経緯を説明した。
{d2}には{people}向けの説明会が開かれ、{surname}{title}が経緯を説明した。
[detail.11]
{consultant}の分析では、攻撃に使われた通信は{n1}か国のサーバを経由していた。
攻撃の通信は{n1}か国のサーバを経由しており、{consultant}が発信元を調べている。
[detail.12]
{service}の停止により、{n3}件の手続きが{d3}まで延期された。
{d3}までに予定していた{n3}件の手続きは、{service}の停止で延期となった。
[detail.13]
{short}は{year2}年に情報セキュリティポリシーを策定し、{n5}日ごとのパスワード変更を求めていた。
{year2}年策定の情報セキュリティポリシーでは、{n5}日ごとにパスワードを変えるよう定めていた。
[surname]
佐藤
鈴木
高橋
田中
伊藤
渡辺
山本
中村
小林
加藤
吉田
山田
佐々木
山口
松本
井上
木村
斎藤
清水
山崎
池田
橋本
阿部
石川
前田
藤田
小川
岡田
後藤
長谷川
村上
近藤
石井
坂本
遠藤
青木
藤井
西村
[title]
課長
部長
室長
主査
理事
副学長
センター長
所長
係長
担当課長
[dept]
情報システム課
総務課
情報基盤センター
広報室
経営企画部
危機管理室
情報政策課
医療情報部
DX推進室
事務局
[component]
認証サーバ
管理画面
データベース
外部公開サーバ
バックアップ装置
ファイル共有機能
ログ管理システム
仮想化基盤
踏み台サーバ
検索機能
問い合わせフォーム
画像アップロード機能
[problem]
設定の誤り
古いバージョンのソフトウェア
初期設定のままのパスワード
不要な公開ポート
権限設定の不備
保守用アカウントの放置
入力値の検証漏れ
[action]
全端末のウイルス検査
ログの保全
影響範囲の調査
パスワードの一斉リセット
外部接続の遮断
関係機関への報告
利用者への個別連絡
代替システムへの切り替え
[service_suffix]
ポータル
ネット
メール
クラウド
ナビ
ステーション
プラス
ポケット
[release_mention]
マイクロソフトも{year}年{month}月の月例セキュリティ更新で関連する脆弱性を修正している。
"""


def _parse(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
        elif line.strip():
            current.append(line)
    return sections


PHRASES = _parse(PHRASE_TEXT)
SLOTS = ["announce", "about", "detect", "cause", "respond", "affected", "quote", "secondary", "measure", "report",
         "followup", "contact"]
GENERIC_SLOTS = ("quote", "followup", "contact")
INCIDENT_WORDS = {"unauth": "不正アクセス", "ransom": "ランサムウェア被害", "phish": "アカウント乗っ取り",
                  "vuln": "脆弱性", "misdeliver": "メール誤送信"}
INCIDENT_WEIGHTS = {"unauth": 35, "ransom": 20, "phish": 15, "vuln": 20, "misdeliver": 10}
TEMPLATES = {incident: {slot: PHRASES[f"generic.{slot}" if slot in GENERIC_SLOTS else f"{incident}.{slot}"]
                        for slot in ["title", *SLOTS] if slot != "about"}
             for incident in INCIDENT_WORDS}
LEADS = PHRASES["lead"]
FILLERS = PHRASES["filler"]              # asides and background: unrelated articles share phrasing
FILL = {name.split(".", 1)[1]: items for name, items in PHRASES.items() if name.startswith("fill.")}
SYSTEMS = {name.split(".", 1)[1]: items for name, items in PHRASES.items() if name.startswith("system.")}
SEVERITY = ["緊急", "重要", "警告"]


def _fmt_count(n: int, unit: str, style: int) -> str:
    if style == 1 and n >= 10000:
        man, rest = divmod(n, 10000)
        return f"{man}万{rest:,}{unit}" if rest else f"{man}万{unit}"
    return f"{n:,}{unit}"


def _time_ja(rng: random.Random) -> str:
    hour = rng.randrange(0, 24)
    minute = rng.randrange(0, 60)
    half = "午前" if hour < 12 else "午後"
    return f"{half}{hour % 12 or 12}時{minute}分" if minute else f"{half}{hour % 12 or 12}時"


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"


def make_event(rng: random.Random, event_id: int, day: date) -> dict:
    incident = rng.choices(list(INCIDENT_WEIGHTS), list(INCIDENT_WEIGHTS.values()))[0]
    org = make_org(rng, incident)
    kind = {"pref": "city"}.get(org["kind"], org["kind"])
    det = day - timedelta(days=rng.randrange(1, 15))
    count = int(rng.lognormvariate(8, 1.6)) + 12
    count2 = max(1, count // rng.randrange(2, 9))
    unit = {"misdeliver": "件", "vuln": "台"}.get(incident, rng.choice(("件", "件", "人", "名")))
    kata2, _ = _katakana(rng)
    place2, _ = _place(rng)
    fields = {
        **{k: v for k, v in org.items() if k != "kata"},
        "ann": _md(day), "ann2": _md(day + timedelta(days=rng.randrange(0, 3))), "det": _md(det),
        "resp": _md(det + timedelta(days=rng.randrange(0, 2))), "time": _time_ja(rng),
        "count_n": count, "unit": unit, "count2": _fmt_count(count2, unit, 0),
        "mails": _fmt_count(rng.randrange(300, 60000), "通", 0),
        "system": rng.choice(SYSTEMS.get(kind, SYSTEMS["company"])),
        **{field: rng.choice(PHRASES[section]) for field, section in (
            ("data", "data"), ("data2", "data2"), ("cause", "causes"), ("detector", "detectors"),
            ("anomaly", "anomalies"), ("measure", "measures"), ("authority", "authorities"))},
        "period": f"{day.year - rng.randrange(1, 6)}年{rng.randrange(1, 13)}月から{day.year}年{day.month}月まで",
        "incident_word": INCIDENT_WORDS[incident], "year": str(day.year), "kata2": kata2, "place2": place2,
        "size": f"{rng.randrange(8, 4000) * 10:,}", "founded": str(rng.randrange(1890, 2015)),
        "faculties": str(rng.randrange(2, 12)), "region": rng.choice(PHRASES["region"]),
        "business": rng.choice(PHRASES["business"]), "official_quote": rng.choice(PHRASES["official_quote"]),
        "month_next": str(day.month % 12 + 1),
        "month": str(rng.randrange(1, 13)), "pct": str(rng.randrange(3, 80)), "num": f"{rng.randrange(100, 30000):,}",
    }
    if incident == "vuln":
        vendor = org.get("kata", "ベンダー")
        fields.update(
            product=f"{vendor}製{rng.choice(PHRASES['product_kinds'])}「{vendor[:2]}-{rng.randrange(100, 9999)}」",
            cve=f"CVE-{day.year}-{rng.randrange(1000, 60000)}", cvss=f"{rng.choice((7.2, 7.5, 8.1, 8.8, 9.1, 9.8))}",
            severity=rng.choice(SEVERITY),
            version=f"{rng.randrange(1, 9)}.{rng.randrange(0, 20)}.{rng.randrange(1, 9)}",
            version_old=f"{rng.randrange(1, 9)}.{rng.randrange(0, 20)}.0",
            measure2=rng.choice(("管理画面をインターネットに公開しない", "不要なサービスを無効にする",
                                 "初期パスワードを変更する", "アクセス元を制限する")))
    sites = 1 if rng.random() >= MULTI_SITE_SHARE else rng.choice((2, 2, 3))
    slots = [s for s in SLOTS if s == "announce" or rng.random() < 0.7]
    return {
        "id": event_id, "incident": incident, "day": day.isoformat(), "fields": fields, "slots": slots,
        "variants": {s: rng.randrange(len(_templates(incident, org["kind"], s))) for s in SLOTS},
        "sites": sites, "primary": rng.random() < PRIMARY_SHARE,
        "release": incident == "vuln" and rng.random() < RELEASE_MENTION_SHARE,
        "sources": [], "primary_url": None, "details": _details(rng, day, det),
    }


def _details(rng: random.Random, day: date, det: date) -> list[list]:
    """Event-specific details (people, services, figures, dates): [frame, variant, values] each."""
    kata, _ = _katakana(rng)
    consultant, _ = _katakana(rng)
    service = kata + rng.choice(PHRASES["service_suffix"])
    d1 = det + timedelta(days=rng.randrange(0, 4))
    values = {
        "dept": rng.choice(PHRASES["dept"]), "surname": rng.choice(PHRASES["surname"]),
        "title": rng.choice(PHRASES["title"]), "service": f"「{service}」", "consultant": f"株式会社{consultant}",
        "action": rng.choice(PHRASES["action"]), "action2": rng.choice(PHRASES["action"]),
        "d1": _md(d1), "d2": _md(d1 + timedelta(days=rng.randrange(1, 6))),
        "d3": _md(day + timedelta(days=rng.randrange(3, 40))),
        "n1": str(rng.randrange(2, 40)), "n2": str(rng.randrange(1, 3)), "n3": f"{rng.randrange(50, 9000) * 10:,}",
        "n4": str(rng.randrange(3, 900)), "n5": str(rng.choice((7, 14, 30, 60, 90))),
        "year2": str(day.year - rng.randrange(1, 12)), "year3": str(day.year - rng.randrange(1, 4)),
    }
    frames = rng.sample(range(len([k for k in PHRASES if k.startswith("detail.")])), rng.randrange(5, 15))
    result = []
    for frame in frames:
        picked = dict(values, component=rng.choice(PHRASES["component"]), problem=rng.choice(PHRASES["problem"]))
        result.append([frame, rng.randrange(2), picked])
    return result


def _fill(template: str, fields: dict, rng: random.Random, count_style: int) -> str:
    values = dict(fields)
    values["count"] = _fmt_count(fields["count_n"], fields["unit"], count_style)
    for key, options in FILL.items():
        values.setdefault(key, rng.choice(options))
    return template.format(**values)


def _templates(incident: str, org_kind: str, slot: str) -> list[str]:
    return PHRASES[f"about.{org_kind}"] if slot == "about" else TEMPLATES[incident][slot]


def _sentence(event: dict, slot: str, variant: int, rng: random.Random, count_style: int) -> str:
    return _fill(_templates(event["incident"], event["fields"]["kind"], slot)[variant], event["fields"], rng,
                 count_style)


def _filler(fields: dict, rng: random.Random, exclude: set[str]) -> str:
    """A background sentence, filled afresh (another place, month, figure) each time."""
    template = rng.choice([f for f in FILLERS if f not in exclude])
    exclude.add(template)
    place, _ = _place(rng)
    kata, _ = _katakana(rng)
    values = {**fields, "place2": place, "kata2": kata, "month": str(rng.randrange(1, 13)),
              "pct": str(rng.randrange(3, 80)), "num": f"{rng.randrange(100, 30000):,}"}
    return _fill(template, values, rng, 0)


def news_article(event: dict, site_index: int, source: str, rng: random.Random) -> dict:
    """One site's article about an event: the first site writes the canonical wording, later sites
    share a random part of its sentences and reword the rest."""
    share = 1.0 if site_index == 0 else rng.uniform(0.3, 0.9)
    style = 0 if site_index == 0 else rng.randrange(2)
    fields = event["fields"]
    incident = event["incident"]
    body = []
    for slot in event["slots"]:
        variant = event["variants"][slot]
        options = len(_templates(incident, fields["kind"], slot))
        if site_index and rng.random() > share:
            variant = (variant + rng.randrange(1, options)) % options
            body.append(_sentence(event, slot, variant, rng, style))
        else:
            body.append(_sentence(event, slot, variant, random.Random(f"{event['id']}-{slot}"), 0))
    for frame, variant, values in event["details"]:
        if site_index and rng.random() > share + 0.1:
            continue                                 # this site leaves the detail out
        if site_index and rng.random() > share:
            variant = 1 - variant
        body.append(PHRASES[f"detail.{frame}"][variant].format(**fields, **values))
    if site_index and rng.random() < 0.3 and len(body) > 3:
        del body[rng.randrange(2, len(body))]
    if event["release"]:
        body.insert(1, _fill(PHRASES["release_mention"][0], fields, rng, 0))
    used: set[str] = set()
    opening = [_filler(fields, rng, used) for _ in range(rng.choice((0, 0, 0, 1)))]
    sentences = opening + body
    target = rng.randrange(600, 1501)
    while sum(map(len, sentences)) < target and len(used) < 7:
        sentences.append(_filler(fields, rng, used))
    while sum(map(len, sentences)) > 1500 and len(sentences) > len(opening) + 4:
        sentences.pop()
    paragraphs, i = [], 0
    while i < len(sentences):
        step = rng.choice((1, 2, 2, 3))
        paragraphs.append("".join(sentences[i:i + step]))
        i += step
    title_variant = (event["variants"]["announce"] + site_index) % len(TEMPLATES[incident]["title"])
    has_lead = NEWS_SOURCES[source][1]
    return {
        "title": _fill(TEMPLATES[incident]["title"][title_variant], fields, rng, style),
        "lead": _fill(rng.choice(LEADS), fields, rng, style) if has_lead else None,
        "text": "\n\n".join(paragraphs),
    }


def primary_article(event: dict, rng: random.Random) -> dict:
    """The organisation's own notice: formal wording, its own structure, some of the event's details."""
    fields = event["fields"]
    day = date.fromisoformat(event["day"])
    incident = event["incident"]
    heading = rng.choice(PHRASES["primary_heading"])
    sections = [f"{day.year}年{day.month}月{day.day}日\n{fields['org']}",
                _fill(PHRASES[f"primary_opening.{incident}"][0], fields, rng, 0)
                + rng.choice(PHRASES["primary_apology"])]
    parts = ["history", "scope_vuln" if incident == "vuln" else "scope", "measures"]
    for number, part in enumerate(parts, start=1):
        text = _fill(rng.choice(PHRASES[f"primary_text.{part}"]), fields, rng, 0)
        if part == "history" and incident != "vuln":
            values = event["details"][0][2]
            picked = rng.sample(PHRASES["primary_detail"], rng.randrange(1, 4))
            text += "".join(line.format(**fields, **values) for line in picked)
        name = rng.choice(PHRASES[f"primary_name.{part}"])
        sections.append(heading.format(n=number, name=name) + "\n" + text)
    contact = rng.choice(PHRASES["primary_name.contact"])
    office = event["details"][0][2]["dept"]
    sections.append(heading.format(n=len(parts) + 1, name=contact) + f"\n{fields['org']}{office}\n"
                    + _fill(rng.choice(PHRASES["primary_contact"]),
                            {**fields, "domain": fields["domain"].removeprefix("www.")}, rng, 0))
    slug = "{:%Y/%m%d}_{}".format(day, event["id"])
    return {"title": _fill(rng.choice(PHRASES[f"primary_title.{incident}"]), fields, rng, 0), "lead": None,
            "text": "\n\n".join(sections), "url": f"https://{fields['domain']}/news/{slug}.html"}


# --- rows ------------------------------------------------------------------------------------------

def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + JST


def _utc(moment: datetime) -> str:
    return (moment - timedelta(hours=9)).replace(tzinfo=UTC).isoformat(timespec="seconds")


class _Writer:
    """Collects article rows (with their event) and the citations between them, for one batch."""

    def __init__(self, next_number: dict[str, int]):
        self.articles: list[dict] = []
        self.links: list[tuple[dict, str, str]] = []     # (citing article, cited url, link text)
        self.next_number = next_number

    def news(self, event: dict, site_index: int, source: str, moment: datetime, rng: random.Random) -> None:
        content = news_article(event, site_index, source, rng)
        number = self.next_number[source] = self.next_number.get(source, 100000) + rng.randrange(1, 7)
        url = NEWS_SOURCES[source][0].format(y=moment.year, m=moment.month, d=moment.day, n=number)
        article = self._add(event, content, source, url, moment, "news")
        event["sources"].append(source)
        if event["primary_url"] and rng.random() < CITE_SHARE:
            self.links.append((article, event["primary_url"],
                               rng.choice(("発表", "お知らせ", f"{event['fields']['org']}の発表", "公式サイト"))))

    def primary(self, event: dict, moment: datetime, rng: random.Random, fetched: bool) -> None:
        content = primary_article(event, rng)
        event["primary_url"] = content.pop("url")
        if fetched:
            self._add(event, content, "primary", event["primary_url"], moment, "primary")

    def _add(self, event: dict, content: dict, source: str, url: str, moment: datetime, kind: str) -> dict:
        seen = _utc(moment + timedelta(minutes=random.Random(url).randrange(5, 600)))
        article = {
            "source": source, "url": url, "title": content["title"], "published_at": _stamp(moment),
            "lang": "ja", "lead": content["lead"], "text": content["text"], "highlights": "[]",
            "body_status": "full", "content_hash": store.content_hash(content["title"], content["lead"],
                                                                      content["text"]),
            "version": 1, "first_seen_at": seen, "last_fetched_at": seen, "last_checked_at": seen, "kind": kind,
            "_event": event["id"], "_incident": event["incident"], "_moment": moment,
        }
        self.articles.append(article)
        return article

    def cover(self, event: dict, rng: random.Random, sites: int, first_site: int = 0,
              after: datetime | None = None) -> None:
        """News articles of sites first_site..sites-1, and (first time) the primary announcement."""
        day = date.fromisoformat(event["day"])
        base = datetime(day.year, day.month, day.day)
        if first_site == 0 and event["primary"]:
            self.primary(event, base + timedelta(hours=rng.randrange(10, 18)), rng,
                         fetched=rng.random() < PRIMARY_FETCHED)
        used = set(event["sources"])
        names = list(NEWS_SOURCES)
        for site in range(first_site, sites):
            options = [s for s in names if s not in used]
            source = rng.choices(options, [SOURCE_WEIGHTS[names.index(s)] for s in options])[0]
            used.add(source)
            delay = timedelta(days=rng.choice((0, 0, 1, 1, 2, 3)) if site else rng.choice((0, 0, 0, 1)),
                              hours=rng.randrange(8, 21), minutes=rng.randrange(60))
            moment = max(base + delay, after) if after else base + delay
            self.news(event, site, source, moment, rng)

    def drop_events(self, event_ids: set[int]) -> None:
        self.articles = [a for a in self.articles if a["_event"] not in event_ids]
        self.links = [link for link in self.links if link[0]["_event"] not in event_ids]

    def keep_first(self, count: int) -> None:
        self.articles = self.articles[:count]
        kept = {id(a) for a in self.articles}
        self.links = [link for link in self.links if id(link[0]) in kept]

    def write(self, db, first_id: int) -> list[tuple[int, int, str, str]]:
        """Insert in publication order with ids from first_id; returns (id, event, kind, incident) rows."""
        self.articles.sort(key=lambda a: (a["_moment"], a["url"]))
        truth, rows = [], []
        for offset, article in enumerate(self.articles):
            article["id"] = first_id + offset
            truth.append((article["id"], article["_event"], article["kind"], article["_incident"]))
            rows.append({k: v for k, v in article.items() if not k.startswith("_")})
        with db.atomic():
            db["articles"].insert_all(rows, batch_size=200)
        link_rows = []
        for article, url, text in self.links:
            cited = db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
            domain = url.split("/")[2]
            suffix = next((s for s in (".ac.jp", ".lg.jp", ".ed.jp") if domain.endswith(s)), None)
            signals = [f"official-domain:{suffix}" if suffix else f"link-text:{text}", "context:発表"]
            link_rows.append({"news_article_id": article["id"], "cited_url": url,
                              "cited_article_id": cited[0] if cited else None, "link_text": text,
                              "signals": json.dumps(signals, ensure_ascii=False),
                              "found_at": article["first_seen_at"]})
        if link_rows:
            with db.atomic():
                db["article_links"].insert_all(link_rows, batch_size=500)
        return truth


def _recent(events: list[dict], last_day: date) -> list[dict]:
    cutoff = (last_day - timedelta(days=RECENT_DAYS)).isoformat()
    return [e for e in events if e["day"] >= cutoff and e["sources"]]


def truth_path(db_path: str | Path) -> Path:
    return Path(str(db_path) + ".truth.json")


def build_archive(db_path: str | Path, size: int, seed: int = 7) -> dict:
    """Write an archive of exactly `size` articles (news and primary) into a new database."""
    rng = random.Random(f"archive-{seed}-{size}")
    span = (END - START).days + 1
    expected_per_event = 1 + MULTI_SITE_SHARE * 4 / 3 + PRIMARY_SHARE * PRIMARY_FETCHED
    writer = _Writer({})
    events = []
    for _ in range(int(size / expected_per_event * 0.97)):
        events.append(make_event(rng, len(events) + 1, START + timedelta(days=rng.randrange(span))))
        writer.cover(events[-1], rng, events[-1]["sites"])
    while len(writer.articles) < size:                 # top up to the exact size
        events.append(make_event(rng, len(events) + 1, START + timedelta(days=rng.randrange(span))))
        writer.cover(events[-1], rng, events[-1]["sites"])
    surplus = len(writer.articles) - size
    if surplus:                                        # drop a few single-article events
        counts: dict[int, int] = {}
        for a in writer.articles:
            counts[a["_event"]] = counts.get(a["_event"], 0) + 1
        dropped = {e["id"] for e in events if counts.get(e["id"]) == 1 and not e["primary_url"]}
        dropped = set(sorted(dropped)[-surplus:])
        writer.drop_events(dropped)
        events = [e for e in events if e["id"] not in dropped]
    events.sort(key=lambda e: e["day"])
    db = store.open_db(db_path)
    truth = writer.write(db, first_id=1)
    db.conn.close()
    summary = {
        "size": size, "seed": seed, "events": len(events), "end": END.isoformat(),
        "articles": [list(t) for t in truth], "links": len(writer.links),
        "recent": _recent(events, END), "next_event": max(e["id"] for e in events) + 1,
        "next_number": writer.next_number,
    }
    truth_path(db_path).write_text(json.dumps(summary, ensure_ascii=False))
    return summary


def add_incremental(db_path: str | Path, count: int, seed: int = 7, continuing_share: float = 0.3) -> dict:
    """Add `count` new articles published after the archive's end: about `continuing_share` of them
    further coverage of the archive's most recent events (another site; citing the announcement
    where there is one), the rest new events (with their own multi-site coverage and primaries)."""
    summary = json.loads(truth_path(db_path).read_text())
    rng = random.Random(f"incremental-{seed}-{summary['size']}-{count}")
    end = date.fromisoformat(summary["end"])
    writer = _Writer(summary["next_number"])
    after = datetime(end.year, end.month, end.day) + timedelta(days=1)
    continuing = [e for e in summary["recent"] if len(e["sources"]) < len(NEWS_SOURCES)
                  and e["day"] >= (end - timedelta(days=7)).isoformat()]
    rng.shuffle(continuing)
    target = int(count * continuing_share)
    continued = 0
    for event in continuing:
        if continued >= target:
            break
        # the announcement (when there is one) was stored with the archive; cite it, don't re-add it
        event["primary"] = False
        writer.cover(event, rng, len(event["sources"]) + 1, first_site=len(event["sources"]),
                     after=after + timedelta(hours=rng.randrange(0, 48)))
        continued += 1
    events = []
    next_event = summary["next_event"]
    while len(writer.articles) < count:
        day = end + timedelta(days=rng.randrange(1, 4))
        event = make_event(rng, next_event, day)
        next_event += 1
        events.append(event)
        writer.cover(event, rng, event["sites"])
    writer.keep_first(count)
    db = store.open_db(db_path)
    first_id = db.execute("SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]
    truth = writer.write(db, first_id=first_id)
    db.conn.close()
    summary["articles"] += [list(t) for t in truth]
    summary["incremental"] = {"articles": len(truth), "continuing": sum(
        1 for t in truth if t[1] < summary["next_event"]), "new_events": len(events)}
    summary["next_event"] = next_event
    truth_path(db_path).write_text(json.dumps(summary, ensure_ascii=False))
    return summary
