"""Scrapy settings for newsdesk: polite defaults, each with one documented value.

Override any of them the Scrapy way (``-s NAME=VALUE``, a spider's custom_settings) or through
the newsdesk CLI options, which set the NEWSDESK_* settings below.
"""

import os

from crawler.workers import available_cores

BOT_NAME = "newsdesk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
SPIDER_LOADER_CLASS = "crawler.spiderloader.RegistrySpiderLoader"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` checks its -a/-s values before starting

# --- newsdesk's own settings ---------------------------------------------------------------
NEWSDESK_DB = os.environ.get("NEWSDESK_DB", "data/newsdesk.db")   # SQLite file the crawl writes
NEWSDESK_SOURCES = os.environ.get("NEWSDESK_SOURCES")              # registry file (None: bundled)
NEWSDESK_MIRROR = os.environ.get("NEWSDESK_MIRROR")                # http://127.0.0.1:PORT or file:///DIR
NEWSDESK_CONTACT_URL = os.environ.get("NEWSDESK_CONTACT_URL", "https://github.com/newsdesk-jp/newsdesk")
NEWSDESK_SINCE = None                                              # ISO date: how far back listings reach
NEWSDESK_RUN_ID = None                                             # set by `newsdesk crawl`
NEWSDESK_PROGRESS = False                                          # a progress line per source now and then
# Throughput: extraction and compression of pages run in this many worker processes (0: in the
# crawl's own process); a page whose extraction takes longer than NEWSDESK_EXTRACT_TIMEOUT seconds
# is given up and recorded as an `extract` failure. The store writes items in batches of
# NEWSDESK_STORE_BATCH, or what arrived in NEWSDESK_STORE_BATCH_SECONDS, one transaction each.
NEWSDESK_EXTRACT_WORKERS = available_cores()
NEWSDESK_EXTRACT_TIMEOUT = 60.0
NEWSDESK_STORE_BATCH = 100
NEWSDESK_STORE_BATCH_SECONDS = 2.0
# Vendor sites whose pages count as primary sources when a news article links them.
NEWSDESK_VENDOR_DOMAINS = ["microsoft.com", "apple.com", "adobe.com", "cisco.com", "fortinet.com",
                           "paloaltonetworks.com", "ivanti.com", "vmware.com", "oracle.com", "jpcert.or.jp",
                           "ipa.go.jp", "jvn.jp", "nisc.go.jp"]

# --- politeness ----------------------------------------------------------------------------
# USER_AGENT unset: crawler.middlewares.ContactUserAgentMiddleware sends
# "newsdesk/VERSION (+NEWSDESK_CONTACT_URL)". Set USER_AGENT to replace it entirely.
ROBOTSTXT_USER_AGENT = "newsdesk"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Items are stored synchronously (batched by StorePipeline): nothing to overlap. Scrapy starts this
# many tasks for every response's output, 100 by default: a tenth of a mirror crawl's main thread.
CONCURRENT_ITEMS = 1
# Responses waiting for their extraction (Scrapy's default: 5 MB). A crawl of a local mirror fetches
# faster than it extracts; while the store commits a batch (up to 0.4 s on the reactor thread), the
# workers go on with what waits: 5 MB (about 30 pages of 170 KB) left them idle 1.3-1.6 s of a
# 30 s crawl of the suite's 2,000 pages, 12 MB 0.01 s. A polite crawl of a real site never fills it.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 12_000_000
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024       # also caps the decompressed size of gzip/br bodies
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
DOWNLOAD_HANDLERS = {"http": "crawler.download.KeepAliveHTTP11DownloadHandler",
                     "https": "crawler.download.KeepAliveHTTP11DownloadHandler"}
TELNETCONSOLE_ENABLED = False
EXTENSIONS = {"crawler.progress.CrawlProgress": 500}
# Scrapy 2.19 turns on an HTTP control server that runs Python code (RemoteControl): an unattended
# crawler of untrusted sites opens no port. For debugging: --set REMOTE_CONTROL_ENABLED=True.
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.HeadMetaRefreshMiddleware": 580,
    "crawler.middlewares.RetryAfterMiddleware": 550,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    "crawler.middlewares.ConditionalRequestMiddleware": 800,
    "crawler.middlewares.AddressGuardMiddleware": 900,
    "crawler.middlewares.MirrorMiddleware": 950,
}
# After HttpErrorMiddleware (50): only responses that reach a callback are counted as read.
# No DepthMiddleware: nothing reads a request's depth (the spiders bound their own crawl: the window,
# max_listing_pages, cited pages one step from an article), and it wraps every callback's output.
# No MetaCopyDetectionMiddleware either: a warning for spider authors who copy response.meta (these
# spiders never do), at the cost of wrapping every callback's output too.
SPIDER_MIDDLEWARES = {"crawler.middlewares.ReadCounterMiddleware": 60,
                      "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                      "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None}
ITEM_PIPELINES = {"crawler.pipelines.StorePipeline": 300}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
