"""The collection's persistent state in SQLite: archived articles, hashes, aliases, runs."""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from archive.exceptions import StoreError
from archive.outcome import Outcome
from archive.writes import DISK_FULL, READ_ONLY, WriteFailed, as_write_failure

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: outcomes (a store of version 1 gains the table, empty: earlier runs' are not known)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    simhash TEXT NOT NULL,
    run TEXT NOT NULL,
    fetched_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    published TEXT
);
CREATE INDEX IF NOT EXISTS articles_by_hash ON articles (content_hash);
CREATE TABLE IF NOT EXISTS simhash_bands (
    band INTEGER NOT NULL, value INTEGER NOT NULL, url TEXT NOT NULL,
    PRIMARY KEY (band, value, url)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    reason TEXT NOT NULL,
    run TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aliases_by_url ON aliases (url);
CREATE TABLE IF NOT EXISTS payloads (
    digest TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    date TEXT NOT NULL,
    record_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS validators (
    url TEXT PRIMARY KEY,
    etag TEXT,
    last_modified TEXT,
    digest TEXT NOT NULL,
    record_id TEXT NOT NULL,
    date TEXT NOT NULL,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS job_runs (
    run_id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    slot TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT,
    pid INTEGER,
    counts TEXT
);
CREATE INDEX IF NOT EXISTS job_runs_by_job ON job_runs (job, slot);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    started TEXT NOT NULL,
    ended TEXT,
    outcome TEXT,
    stats TEXT
);
CREATE TABLE IF NOT EXISTS outcomes (
    url TEXT NOT NULL,
    run TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    duplicate_of TEXT,
    fetched_at TEXT,
    warc TEXT
);
CREATE INDEX IF NOT EXISTS outcomes_by_url ON outcomes (url);
CREATE INDEX IF NOT EXISTS outcomes_by_run ON outcomes (run);
"""
OUTCOME_BATCH = 500  # outcomes kept in memory before they are written in one transaction of their own
BANDS = 4  # 64-bit SimHash in four 16-bit bands: any two within Hamming distance 3 share one


class StoreDamaged(StoreError):
    """The store's file is damaged: refused, to be rebuilt from the WARCs and item files."""

    def __init__(self, path: str, damage: str) -> None:
        super().__init__("%s is damaged (%s); rebuild it from the archive with `newsarchive repair %s "
                         "--rebuild-store`" % (path, damage, _collection_of(path)))
        self.path = path
        self.damage = damage


_SQLITE_MAGIC = b"SQLite format 3\x00"
_WAL_MAGICS = (0x377F0682, 0x377F0683)  # checksums in little- / big-endian words
_WAL_VERSION = 3007000


def file_damage(path: str) -> str | None:
    """What is wrong with the store's file or its write-ahead log, as far as their headers
    tell, or None. SQLite itself ignores a WAL with a bad header: everything written since the
    last checkpoint would be silently gone."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        size, head = 0, b""
    except OSError as err:
        return "cannot read it: %s" % err.strerror
    if size and (len(head) < 100 or not head.startswith(_SQLITE_MAGIC)):
        return "no SQLite database header"
    wal = path + "-wal"
    try:
        with open(wal, "rb") as fh:
            wal_head = fh.read(32)
    except FileNotFoundError:
        return None
    except OSError as err:
        return "cannot read %s: %s" % (os.path.basename(wal), err.strerror)
    if not wal_head:
        # SQLite makes an empty WAL when it opens a database; with the database itself empty
        # too, whatever the store held was in a WAL that has been cut to nothing
        return "its write-ahead log is empty and so is the database" if not size and _run_reports_beside(path) \
            else None
    if len(wal_head) < 32:
        return "%s is shorter than its header" % os.path.basename(wal)
    magic, version = struct.unpack(">II", wal_head[:8])
    if magic not in _WAL_MAGICS or version != _WAL_VERSION:
        return "%s has no write-ahead log header" % os.path.basename(wal)
    if _wal_checksum(wal_head[:24], big_endian=bool(magic & 1)) != struct.unpack(">II", wal_head[24:32]):
        return "%s has a header whose checksum does not match" % os.path.basename(wal)
    return None


def _full_or_read_only(path: str, error: sqlite3.Error) -> WriteFailed | None:
    """The error as a WriteFailed if SQLite met a full or read-only disk (SQLite may call that a
    "disk I/O error": the device says which), else None: then it is the store's own."""
    failure = as_write_failure(error, path)
    return failure if failure is not None and failure.reason in (DISK_FULL, READ_ONLY) else None


def _wal_checksum(data: bytes, big_endian: bool) -> tuple[int, int]:
    """SQLite's WAL checksum (https://www.sqlite.org/fileformat.html#checksum_algorithm)."""
    words = struct.unpack((">" if big_endian else "<") + "%dI" % (len(data) // 4), data)
    s0 = s1 = 0
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


def _collection_dir(path: str) -> str | None:
    """The collection a store at `path` belongs to (collections keep it in state/), else None."""
    state = os.path.dirname(os.path.abspath(path))
    return os.path.dirname(state) if os.path.basename(state) == "state" else None


def _collection_of(path: str) -> str:
    return _collection_dir(path) or "COLLECTION"


def _run_reports_beside(path: str) -> int:
    """How many run reports (runs/*.json) the collection of the store at `path` holds."""
    collection = _collection_dir(path)
    if collection is None:
        return 0
    try:
        return sum(1 for name in os.listdir(os.path.join(collection, "runs")) if name.endswith(".json"))
    except OSError:
        return 0


@dataclass(frozen=True)
class KnownArticle:
    url: str
    content_hash: str
    simhash: str
    run: str
    version: int = 1


@dataclass(frozen=True)
class KnownPayload:
    digest: str
    url: str
    date: str
    record_id: str
    filename: str
    offset: int


@dataclass(frozen=True)
class Validator:
    """What the last 200 of a URL said about itself, and where its body is archived."""

    url: str
    etag: str | None
    last_modified: str | None
    digest: str
    record_id: str  # the full response record holding the body (not a revisit)
    date: str
    filename: str
    offset: int


class Store:
    """One collection's SQLite store (WAL mode; one writer process at a time)."""

    def __init__(self, path: str, recrawl_since: str | None = None, *, check: bool = True) -> None:
        """Open (or make) the store at `path`; StoreDamaged if it is damaged (`check`: look first,
        with an integrity check: ~1 s per 100 MB of store), WriteFailed if its disk is full or
        read-only (not damage: nothing to rebuild)."""
        self.path = path
        self.recrawl_since = recrawl_since  # the default for is_known_article_url
        # outcomes wait here and are written with the next transaction (an article's), or in
        # one of their own every OUTCOME_BATCH: one commit per page would slow a crawl down
        self._outcomes: list[tuple[str, str, str, str, str | None, str | None, str | None]] = []
        damage = file_damage(path) if check else None
        if damage:
            raise StoreDamaged(path, damage)
        try:
            self._db = sqlite3.connect(path, isolation_level=None, timeout=30)
        except sqlite3.DatabaseError as err:
            raise _full_or_read_only(path, err) or StoreError(
                "%s: not a usable SQLite store (%s)" % (path, err)) from err
        try:
            damage = self._damage() if check else None
        except sqlite3.DatabaseError as err:  # "file is not a database", "disk image is malformed"
            failure = _full_or_read_only(path, err)  # a healthy store on a disk that takes no writes
            if failure is not None:
                self._db.close()
                raise failure from err
            damage = str(err)
        if damage:
            self._db.close()
            raise StoreDamaged(path, damage)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
            self._db.execute(  # the tables above made an older store this version's
                "UPDATE meta SET value = ? WHERE key = 'schema_version' AND CAST(value AS INTEGER) < ?",
                (str(SCHEMA_VERSION), SCHEMA_VERSION),
            )
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise _full_or_read_only(path, err) or StoreError(
                "%s: not a usable SQLite store (%s)" % (path, err)) from err

    def _damage(self) -> str | None:
        """What is wrong inside the database (b-tree damage, a memory lost with its WAL), or None."""
        rows = self._db.execute("PRAGMA quick_check").fetchall()
        if [r[0] for r in rows] != ["ok"]:
            return "integrity check: %s%s" % (rows[0][0], " and %d more" % (len(rows) - 1) if len(rows) > 1 else "")
        reports = _run_reports_beside(self.path)
        has_runs = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'runs'").fetchone()
        remembered = self._db.execute("SELECT count(*) FROM runs").fetchone()[0] if has_runs else 0
        if reports and not remembered:
            return "it remembers none of the %d runs the collection's reports name (its WAL was lost?)" % reports
        return None

    def close(self) -> None:
        try:
            self.flush_outcomes()
        except sqlite3.Error as err:  # diagnostics only: the store's own state is written already
            logger.warning("%s: %d page outcomes not recorded: %s", self.path, len(self._outcomes), err)
        finally:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """What is written inside is written all or nothing (and at once: one commit)."""
        if self._db.in_transaction:  # inside another: that one commits
            yield
            return
        with self._db:
            self._db.execute("BEGIN")
            self._write_outcomes()
            yield

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- articles -----------------------------------------------------------------------
    def article(self, url: str) -> KnownArticle | None:
        row = self._db.execute(
            "SELECT url, content_hash, simhash, run, version FROM articles WHERE url = ?", (url,)
        ).fetchone()
        return KnownArticle(*row) if row else None

    def article_by_hash(self, content_hash: str) -> KnownArticle | None:
        row = self._db.execute(
            "SELECT url, content_hash, simhash, run, version FROM articles WHERE content_hash = ? LIMIT 1",
            (content_hash,),
        ).fetchone()
        return KnownArticle(*row) if row else None

    def near_candidates(self, simhash: str) -> list[KnownArticle]:
        """Articles sharing at least one 16-bit band with `simhash` (the caller checks distance)."""
        value = int(simhash, 16)
        clauses = " OR ".join("(band = ? AND value = ?)" for _ in range(BANDS))
        params: list[int] = []
        for band in range(BANDS):
            params += [band, (value >> (16 * band)) & 0xFFFF]
        rows = self._db.execute(
            "SELECT DISTINCT a.url, a.content_hash, a.simhash, a.run, a.version FROM simhash_bands b "
            "JOIN articles a ON a.url = b.url WHERE " + clauses,
            params,
        ).fetchall()
        return [KnownArticle(*row) for row in rows]

    def add_article(self, url: str, content_hash: str, simhash: str, run: str, fetched_at: str,
                    version: int = 1, published: str | None = None) -> None:
        """Record an article (or a newer version of one: the same url replaces the old row)."""
        value = int(simhash, 16)
        with self.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                (url, content_hash, simhash, run, fetched_at, version, published),
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO simhash_bands VALUES (?, ?, ?)",
                [(band, (value >> (16 * band)) & 0xFFFF, url) for band in range(BANDS)],
            )

    def article_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    # -- aliases ------------------------------------------------------------------------
    def add_alias(self, alias: str, url: str, reason: str, run: str) -> bool:
        """Record `alias` as another URL of article `url`; False if it was known already."""
        if alias == url:
            return False
        cur = self._db.execute(
            "INSERT OR IGNORE INTO aliases VALUES (?, ?, ?, ?)", (alias, url, reason, run)
        )
        return cur.rowcount > 0

    def alias_target(self, alias: str) -> str | None:
        row = self._db.execute("SELECT url FROM aliases WHERE alias = ?", (alias,)).fetchone()
        return row[0] if row else None

    def aliases_of(self, url: str) -> list[str]:
        rows = self._db.execute(
            "SELECT alias FROM aliases WHERE url = ? ORDER BY alias", (url,)
        ).fetchall()
        return [row[0] for row in rows]

    def alias_entries(self, url: str) -> list[dict[str, str]]:
        """Each URL recorded as an alias of `url`, and `url` as an alias of another: alias, url,
        reason ("fetched", "redirect", "duplicate:<kind>"...) and run, by alias."""
        rows = self._db.execute(
            "SELECT alias, url, reason, run FROM aliases WHERE url = ? OR alias = ? ORDER BY alias", (url, url)
        ).fetchall()
        return [{"alias": r[0], "url": r[1], "reason": r[2], "run": r[3]} for r in rows]

    def is_known_article_url(self, url: str, recrawl_since: str | None = None) -> bool:
        """True when `url` is an archived article or an alias of one: no need to fetch it again.

        With `recrawl_since` (ISO 8601), an article published (or, if the page did not say,
        first fetched) since then is not "known": it is fetched again to catch updates.
        """
        recrawl_since = recrawl_since or self.recrawl_since
        row = self._db.execute(
            "SELECT coalesce(published, fetched_at, '') FROM articles WHERE url = ?", (url,)
        ).fetchone()
        if row is not None:
            return recrawl_since is None or not row[0] or row[0] < recrawl_since
        alias = self._db.execute("SELECT 1 FROM aliases WHERE alias = ?", (url,)).fetchone()
        return alias is not None

    # -- payload digests (for revisit records) ------------------------------------------
    def payload(self, digest: str) -> KnownPayload | None:
        row = self._db.execute(
            "SELECT digest, url, date, record_id, filename, offset FROM payloads WHERE digest = ?",
            (digest,),
        ).fetchone()
        return KnownPayload(*row) if row else None

    def add_payload(self, payload: KnownPayload) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO payloads VALUES (?, ?, ?, ?, ?, ?)",
            (payload.digest, payload.url, payload.date, payload.record_id, payload.filename,
             payload.offset),
        )

    # -- validators of the last full capture of a URL (for conditional GET) --------------
    def validator(self, url: str) -> Validator | None:
        row = self._db.execute(
            "SELECT url, etag, last_modified, digest, record_id, date, filename, offset "
            "FROM validators WHERE url = ?", (url,),
        ).fetchone()
        return Validator(*row) if row else None

    def set_validator(self, validator: Validator) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO validators VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (validator.url, validator.etag, validator.last_modified, validator.digest,
             validator.record_id, validator.date, validator.filename, validator.offset),
        )

    # -- scheduled job runs (the scheduler's history and its memory across restarts) --------
    def start_job_run(self, run_id: str, job: str, slot: str, started: str, pid: int) -> None:
        self._db.execute(
            "INSERT INTO job_runs (run_id, job, slot, started, pid) VALUES (?, ?, ?, ?, ?)",
            (run_id, job, slot, started, pid),
        )

    def end_job_run(self, run_id: str, ended: str, outcome: Outcome | str, counts: dict[str, object]) -> None:
        self._db.execute(
            "UPDATE job_runs SET ended = ?, outcome = ?, counts = ? WHERE run_id = ?",
            (ended, str(Outcome.of(outcome)), json.dumps(counts, sort_keys=True), run_id),
        )

    def job_runs(self, job: str | None = None) -> list[dict[str, object]]:
        query = "SELECT run_id, job, slot, started, ended, outcome, pid, counts FROM job_runs"
        rows = self._db.execute(
            query + (" WHERE job = ? ORDER BY slot, started" if job else " ORDER BY slot, started"),
            (job,) if job else (),
        ).fetchall()
        return [
            {"run_id": r[0], "job": r[1], "slot": r[2], "started": r[3], "ended": r[4],
             "outcome": Outcome.of(r[5]), "pid": r[6], "counts": json.loads(r[7]) if r[7] else {}}
            for r in rows
        ]

    # -- runs ---------------------------------------------------------------------------
    def start_run(self, run_id: str, kind: str, started: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO runs (run_id, kind, started) VALUES (?, ?, ?)",
            (run_id, kind, started),
        )

    def end_run(self, run_id: str, ended: str, outcome: Outcome | str, stats: dict[str, object]) -> None:
        self.flush_outcomes()
        self._db.execute(
            "UPDATE runs SET ended = ?, outcome = ?, stats = ? WHERE run_id = ?",
            (ended, str(Outcome.of(outcome)), json.dumps(stats, sort_keys=True, default=str), run_id),
        )

    def interrupt_unfinished(self, except_run: str | None = None) -> list[str]:
        """Mark every run and job run that never ended `interrupted`; their ids, oldest first.

        Only call this holding the collection's writer lock: no other run can then be alive (a
        run holds the lock from begin to end, and the kernel drops it when a process dies). When
        they died is not known, so `ended` stays empty."""
        keep = except_run or ""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            ids = [r[0] for r in self._db.execute(
                "SELECT run_id FROM runs WHERE outcome IS NULL AND run_id != ? UNION "
                "SELECT run_id FROM job_runs WHERE outcome IS NULL AND run_id != ? ORDER BY run_id",
                (keep, keep))]
            for table in ("runs", "job_runs"):
                self._db.execute("UPDATE %s SET outcome = ? WHERE outcome IS NULL AND run_id != ?" % table,
                                 (str(Outcome.INTERRUPTED), keep))
        return ids

    def runs(self) -> list[dict[str, object]]:
        rows = self._db.execute(
            "SELECT run_id, kind, started, ended, outcome, stats FROM runs ORDER BY started"
        ).fetchall()
        return [
            {"run_id": r[0], "kind": r[1], "started": r[2], "ended": r[3], "outcome": Outcome.of(r[4]),
             "stats": json.loads(r[5]) if r[5] else {}}
            for r in rows
        ]

    # -- outcomes: what became of each page a run judged (written, duplicate, not an article...) ---
    def record_outcome(self, url: str, run: str, kind: str, detail: str, duplicate_of: str | None = None,
                       fetched_at: str | None = None, warc: str | None = None) -> None:
        """Record what became of the page at `url` in `run` (`warc`: "filename#offset" of its
        response record). Written with the next transaction, or with the next OUTCOME_BATCH."""
        self._outcomes.append((url, run, str(kind), detail, duplicate_of, fetched_at, warc))
        if len(self._outcomes) >= OUTCOME_BATCH:
            self.flush_outcomes()

    def flush_outcomes(self) -> None:
        """Write the outcomes recorded so far (reading them, ending a run and closing do)."""
        if self._outcomes:
            with self.transaction():
                self._write_outcomes()

    def _write_outcomes(self) -> None:
        if self._outcomes:
            self._db.executemany("INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)", self._outcomes)
            self._outcomes = []

    def run_outcomes(self, run: str) -> Iterator[tuple[str, str, str, str | None]]:
        """(url, kind, detail, duplicate_of) of each page `run` judged, in the order it did."""
        self.flush_outcomes()
        cursor = self._db.execute(
            "SELECT url, kind, detail, duplicate_of FROM outcomes WHERE run = ? ORDER BY rowid", (run,))
        for row in cursor:
            yield row[0], row[1], row[2], row[3]

    def outcomes_of(self, url: str) -> list[dict[str, str | None]]:
        """Every outcome recorded for `url`, all runs, oldest first. A store rebuilt from the
        archive (`repair --rebuild-store`) has none for the runs before it was rebuilt."""
        self.flush_outcomes()
        rows = self._db.execute(
            "SELECT url, run, kind, detail, duplicate_of, fetched_at, warc FROM outcomes "
            "WHERE url = ? ORDER BY rowid", (url,)).fetchall()
        return [{"url": r[0], "run": r[1], "kind": r[2], "detail": r[3], "duplicate_of": r[4],
                 "fetched_at": r[5], "warc": r[6]} for r in rows]
