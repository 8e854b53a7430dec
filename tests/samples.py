"""Sample articles and a fake language model shared by the pipeline tests (made-up text)."""

from __future__ import annotations

from pipeline import store
from pipeline.summarise.extractive import SourceText

BASE = {"lang": "ja", "body_status": "full", "lead": None}
UNIVERSITY = ("東都工科大学は18日、教職員向けメールサーバーが第三者による不正アクセスを受け、メールアドレス66,482件が"
              "外部に流出した可能性があると発表した。2026年11月12日午後9時8分に通信監視システムが大量の通信を検知した。"
              "同大学では直ちに当該サーバをネットワークから隔離し、外部の専門機関と連携して調査を開始した。")
OTHER_SITE = ("東都工科大学は11月18日、教職員用メールサーバが不正アクセスを受け、メールアドレス66,482件が外部に流出した"
              "可能性があると発表した。2026年11月12日午後9時8分に通信監視システムが大量の通信を検知した。"
              "同大学では当該サーバをネットワークから隔離し、調査を進めている。")
UNRELATED = ("みなと県は、職員のメールアカウントが乗っ取られ、約1万2,000通のフィッシングメールが送信されたと発表した。"
             "県は多要素認証の導入を前倒しするとしている。")


def add(db, url, text, title=None, kind="news", source="scannetsecurity", published="2026-11-18T08:00:00+09:00",
        cites=()):
    """Store a made-up article (titled by its opening words unless given a title, citing the URLs
    ``cites``); its id."""
    title = title or text[:24]
    store.save_article(db, {**BASE, "source": source, "url": url, "title": title, "text": text, "kind": kind,
                            "published_at": published}, [],
                       citations=[{"url": cited, "link_text": "発表", "signals": ["official-domain"]}
                                  for cited in cites])
    return db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()[0]


SOURCES = [SourceText(article_id=7, role="primary", url="https://u.example.ac.jp/n", title="お知らせ",
                      text="本学は11月18日、メールアドレス66,482件が流出した可能性があると発表しました。"
                           "サーバはネットワークから隔離しました。", lang="ja",
                      published_at="2026-11-18T10:00:00+09:00")]
GOOD = ("- 11月18日(日本時間)、東都工科大学より、メールアドレス66,482件が流出した可能性があると発表されました。\n"
        "- サーバはネットワークから隔離されました。\n- 調査は続いています。\n")


class FakeModel:
    model_id = "fake"

    def __init__(self, answer=None, error=None):
        self.answer, self.error, self.prompts = answer, error, []

    def prompt(self, text):
        self.prompts.append(text)
        if self.error:
            raise self.error
        return type("Response", (), {"text": lambda _self: self.answer})()
