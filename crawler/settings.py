"""Scrapy settings of the newsarchive project, with every component's defaults."""
from __future__ import annotations

from crawler.encodings import accept_encoding

BOT_NAME = "newsarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# `scrapy crawl` checks seeds and settings first (exit 2) and exits 1 when nothing was fetched
COMMANDS_MODULE = "crawler.scrapy_commands"

# Politeness: obey robots.txt, identify ourselves, adapt to the server.
ROBOTSTXT_OBEY = True
USER_AGENT = "newsarchive/0.1 (+https://example.org/newsarchive; set USER_AGENT to your contact)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
# Scrapy starts this many asyncio tasks for every response's output (default 100: ~200k tasks per
# 2,000 pages); a page yields one item and some requests, handled in a few microseconds each.
# 8 cut the crawl process's CPU by ~8% against the workers' in the same runs (bench site).
CONCURRENT_ITEMS = 8
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024
RETRY_TIMES = 2
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": accept_encoding(),
}
COOKIES_ENABLED = False  # news pages do not need sessions; cookies would make captures differ
# A crawler of untrusted pages needs no way in: no telnet console, no remote-execution HTTP
# server (Scrapy's RemoteControl: runs posted Python code, writes its port and token to a job
# file), no memory debugger. The spider keeps no `state`, so nothing is pickled into JOBDIR.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
MEMDEBUG_ENABLED = False
EXTENSIONS = {"scrapy.extensions.spiderstate.SpiderState": None,
              "crawler.progress_crawl.CrawlProgress": 0}
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"  # non-articles and duplicates are expected, not warnings
LOG_LEVEL = "INFO"

# PROGRESS_*: the crawl's progress on stderr (crawler/progress_crawl.py); `newsarchive crawl` sets
# the mode from its stderr (a terminal: live; else plain lines every PROGRESS_EVERY seconds; -q: off)
PROGRESS_MODE = "off"  # "live", "plain" or "off"
PROGRESS_EVERY = 30.0
PROGRESS_FORMAT = "text"  # "json": plain lines as JSON objects, as --log-format json

# the archive's download handler, middlewares, item pipeline, run extension and dupefilter,
# and the ARCHIVE_*... defaults below: the same add-on another Scrapy project would use
ADDONS = {"crawler.addon.NewsArchiveAddon": 0}

# ARCHIVE_*: where and how captures are written.
ARCHIVE_ROOT = "collections"
ARCHIVE_COLLECTION = "default"
ARCHIVE_RUN_ID = ""  # empty: a new one from the clock
ARCHIVE_MAX_SIZE = 1_000_000_000  # rotate WARC files at this size
ARCHIVE_GZIP = True
ARCHIVE_COMPRESS_LEVEL = 6  # measured: level 9 costs ~6 ms a page for the same size as 6
ARCHIVE_PREFIX = "newsarchive"
ARCHIVE_WARC_VERSION = "1.1"
ARCHIVE_KEEP_CREDENTIALS = False  # True: request records keep Authorization, Cookie (archive/redact.py)

# FETCH_*: what may be fetched.
FETCH_ALLOW_PRIVATE = False  # loopback, private and link-local addresses are refused
# how a refused private address says to allow it ("" for `scrapy crawl`: -s FETCH_ALLOW_PRIVATE=1);
# `newsarchive crawl` and the scheduler set their own spelling
FETCH_PRIVATE_HINT = ""
# If-None-Match / If-Modified-Since from the last capture (--conditional; on for scheduled jobs).
# Off by default: pywb replays a 304 revisit as an empty 304, so an archive replays best when an
# unchanged page is fetched whole and stored as an identical-payload revisit.
FETCH_CONDITIONAL = False
FETCH_RECRAWL_DAYS = 0.0  # fetch articles published in the last N days again (updates); 0: never
FETCH_RETRY_AFTER_MAX = 300.0  # seconds of Retry-After (429/503) waited out; past it the host is skipped for the run

# EXTRACT_* / DEDUPE_*
EXTRACT_WORKERS = "auto"  # extraction processes: one per core; 0 extracts in the crawl process
EXTRACT_MIN_TEXT_LENGTH = 200
DEDUPE_NEAR_DISTANCE = 3  # SimHash bits; 0 turns near-duplicate detection off

# DISCOVERY_*: what the news spider follows (the crawl command's options set these).
DISCOVERY_SCOPE = "domain"  # "domain": the seeds' registered domains; "host": the seeds' hosts
DISCOVERY_ALLOW: list[str] = []  # regular expressions; when set, a URL must match one
DISCOVERY_DENY: list[str] = []  # regular expressions; a URL matching one is never followed
DISCOVERY_MAX_DEPTH = 0  # link hops from a seed; 0: no limit
DISCOVERY_SINCE_HOURS = 0.0  # feed / news-sitemap entries older than this are skipped; 0: all
DISCOVERY_PROBE = True  # also fetch /sitemap.xml, /sitemap_news.xml, /feed of each seed site, once a run
DISCOVERY_TRAP_LIMIT = 100  # URLs per trap shape (calendar, pagination, session ids, loops); 0: no bound
DISCOVERY_MAX_LINKS_PER_PAGE = 5000  # links read of one page, the rest ignored (counted); 0: no bound
DISCOVERY_MAX_ENTRIES = 50_000  # entries read of one feed or sitemap (the sitemap protocol's limit); 0: no bound

# REQUISITES_*: what a browser needs to render each archived page (crawler/requisites.py)
REQUISITES_ENABLED = True  # --no-requisites turns it off
REQUISITES_MAX_HOPS = 3  # embed hops: page -> CSS = 1, CSS -> font = 2, @import CSS -> font = 3
REQUISITES_PER_PAGE = 150  # requisites one page or stylesheet adds, the rest counted; 0: no bound
REQUISITES_MAX_SIZE = 16 * 1024 * 1024  # bytes of one requisite (what came is archived, truncated); 0: DOWNLOAD_MAXSIZE
