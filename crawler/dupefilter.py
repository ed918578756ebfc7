"""Seen-request fingerprints on disk, so that a crawl's memory does not grow with its URLs.

Scrapy's own filter keeps every fingerprint of the run in a Python set (~100 bytes a URL, and
a 1M-URL frontier is not unusual for a news site's archive). This one keeps them in a SQLite
table in the job directory (so `--resume` knows them too), with only the most recent few
thousand in memory, which is where most duplicates are found: a link seen moments ago on
the page before.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from typing import TYPE_CHECKING, Any

from scrapy.dupefilters import BaseDupeFilter
from scrapy.utils.job import job_dir

from archive.writes import as_write_failure
from crawler.links import RecentMap

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SEEN_FILE = "seen.sqlite"
_SCRAPY_SEEN_FILE = "requests.seen"  # what RFPDupeFilter left in a job directory
RECENT = 8192  # fingerprints also held in memory
COMMIT_EVERY = 1000  # new fingerprints per transaction


class DiskDupeFilter(BaseDupeFilter):
    """DUPEFILTER_CLASS: request fingerprints in SQLite, in JOBDIR (else a temporary file)."""

    def __init__(self, directory: str | None, fingerprinter: Any, debug: bool = False,
                 stats: Any = None) -> None:
        self.fingerprinter = fingerprinter
        self.debug = debug
        self.stats = stats
        self._first_logged = False
        self._recent = RecentMap(RECENT)
        self.added = 0  # new fingerprints this run
        self._pending = 0
        if directory:
            self.path = os.path.join(directory, SEEN_FILE)
            try:
                os.makedirs(directory, exist_ok=True)
            except OSError as err:
                raise as_write_failure(err, directory) or err from None
            self._temporary = False
        else:
            handle, self.path = tempfile.mkstemp(prefix="newsarchive-seen-", suffix=".sqlite")
            os.close(handle)
            self._temporary = True
        fresh = not os.path.exists(self.path) or os.path.getsize(self.path) == 0
        try:
            self._db = sqlite3.connect(self.path)
            # a lost fingerprint only means a page fetched twice: no fsync per batch
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=OFF")
            self._db.execute("CREATE TABLE IF NOT EXISTS seen (fingerprint BLOB PRIMARY KEY) WITHOUT ROWID")
            self._db.commit()
        except sqlite3.DatabaseError as err:
            # a full or read-only disk is said as such, not as a store to delete
            failure = as_write_failure(err, self.path)
            if failure is not None:
                raise failure from None
            raise RuntimeError("the seen-requests store %s is unusable (%s); delete it to start the "
                               "crawl's frontier afresh" % (self.path, err)) from None
        if fresh and directory:
            self._adopt_scrapy_file(directory)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskDupeFilter:
        return cls(job_dir(crawler.settings), crawler.request_fingerprinter,
                   crawler.settings.getbool("DUPEFILTER_DEBUG"), crawler.stats)

    def request_seen(self, request: Request) -> bool:
        fingerprint = self.fingerprinter.fingerprint(request)
        if self._recent.get(fingerprint):
            return True
        self._recent[fingerprint] = True
        added = self._db.execute("INSERT OR IGNORE INTO seen VALUES (?)", (fingerprint,)).rowcount
        if not added:
            return True
        self.added += 1
        self._pending += 1
        if self._pending >= COMMIT_EVERY:
            self._db.commit()
            self._pending = 0
        return False

    def __len__(self) -> int:
        """Fingerprints stored (the run's and, on resume, the earlier runs')."""
        return int(self._db.execute("SELECT count(*) FROM seen").fetchone()[0])

    def close(self, reason: str) -> None:
        if self.stats is not None:
            self.stats.set_value("dupefilter/new", self.added)
        try:
            self._db.commit()
        except sqlite3.OperationalError as err:  # a full disk: at worst a page is fetched again
            logger.warning("the last seen requests could not be saved to %s: %s", self.path, err)
        self._db.close()
        if self._temporary:
            for suffix in ("", "-wal", "-shm"):
                try:
                    os.unlink(self.path + suffix)
                except FileNotFoundError:
                    pass

    def log(self, request: Request, spider: Spider) -> None:
        if self.debug:
            logger.debug("Filtered duplicate request: %s", request)
        elif not self._first_logged:
            logger.debug("Filtered duplicate request: %s - no more duplicates will be shown "
                         "(see DUPEFILTER_DEBUG to show all duplicates)", request)
            self._first_logged = True
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")

    def _adopt_scrapy_file(self, directory: str) -> None:
        """A job directory from before this filter: take over Scrapy's fingerprints (each a
        2-byte big-endian length and the bytes), so that resuming it fetches nothing twice."""
        path = os.path.join(directory, _SCRAPY_SEEN_FILE)
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except FileNotFoundError:
            return
        fingerprints, position = [], 0
        while position + 2 <= len(data):
            size = int.from_bytes(data[position:position + 2], "big")
            fingerprint = data[position + 2:position + 2 + size]
            if len(fingerprint) < size:
                break  # cut off by a crash mid-write
            fingerprints.append((fingerprint,))
            position += 2 + size
        self._db.executemany("INSERT OR IGNORE INTO seen VALUES (?)", fingerprints)
        self._db.commit()
        logger.info("took over %d seen requests from %s", len(fingerprints), path)
