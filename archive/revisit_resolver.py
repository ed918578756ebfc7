"""Revisit resolution: a revisit record read as the capture it stands for, found by id, digest or URL."""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, replace

from archive.archived_response import ArchivedResponse, read_record_at
from archive.exceptions import WarcFormatError
from archive.warc import RecordLocation

logger = logging.getLogger(__name__)


def _digest_key(digest: str) -> str:
    return "digest " + digest.lower()  # base32 and hex digests are written in either case


@dataclass
class RevisitRef:
    """A revisit record as read, and what it says of the capture it stands for."""

    response: ArchivedResponse  # as stored: no body
    profile: str
    refers_to: str
    refers_to_uri: str
    refers_to_date: str

    @property
    def not_modified(self) -> bool:
        return "server-not-modified" in self.profile.lower() or self.response.status == 304

    def keys(self) -> list[str]:
        uri = self.refers_to_uri.strip("<>") or self.response.url
        keys = ["id " + self.refers_to] if self.refers_to else []
        if self.response.location.payload_digest and not self.not_modified:
            keys.append(_digest_key(self.response.location.payload_digest))
        if self.refers_to_date:
            keys.append("capture %s %s" % (uri, self.refers_to_date))
        if self.not_modified:
            keys.append("url " + uri)
        return keys


class Originals:
    """Where each response of the input is, by record id, payload digest and URL.

    Kept in a private temporary SQLite file rather than in memory: a replay of a few
    hundred CC-NEWS files passes millions of responses and needs none of them held.
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("")  # "" = a temporary database on disk, gone at close
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("CREATE TABLE seen (key TEXT PRIMARY KEY, file INTEGER, offset INTEGER,"
                         " record_id TEXT) WITHOUT ROWID")
        self._files: list[str] = []
        self._file_numbers: dict[str, int] = {}
        self.pending: list[RevisitRef] = []  # read before their originals: tried again at the end

    def close(self) -> None:
        self._db.close()

    def _remember(self, keys: list[tuple[str, bool]], path: str, location: RecordLocation) -> None:
        number = self._file_numbers.setdefault(path, len(self._files))
        if number == len(self._files):
            self._files.append(path)
        for key, latest in keys:
            verb = "REPLACE" if latest else "IGNORE"
            self._db.execute("INSERT OR %s INTO seen VALUES (?, ?, ?, ?)" % verb,
                             (key, number, location.offset, location.record_id))

    def note(self, response: ArchivedResponse, path: str, record_id: str) -> None:
        """Remember where a response record of the input is, for the revisits that follow."""
        location = response.location
        keys = [("id " + record_id, False)] if record_id else []
        if location.payload_digest:
            keys.append((_digest_key(location.payload_digest), False))  # the first capture
        if response.status == 200:
            keys.append(("capture %s %s" % (response.url, location.date), False))
            keys.append(("url " + response.url, True))  # the latest capture
        self._remember(keys, path, location)

    def resolve(self, revisit: RevisitRef) -> ArchivedResponse | None:
        """The revisit with its original's body (and head, if it has none or is a 304); None if not seen."""
        for key in revisit.keys():
            row = self._db.execute("SELECT file, offset, record_id FROM seen WHERE key = ?",
                                   (key,)).fetchone()
            if row is None:
                continue
            path = self._files[row[0]]
            try:
                original = read_record_at(path, row[1], row[2])
            except (WarcFormatError, OSError) as err:
                logger.warning("cannot read the original of revisit %s: %s",
                               revisit.response.url, err)
                return None
            own = revisit.response
            if own.location.record_id:  # a later revisit may refer to this one
                self._remember([("id " + own.location.record_id, False)], path, original.location)
            if revisit.not_modified or not own.headers:
                return replace(own, status=original.status, headers=original.headers,
                               payload=original.payload, codings=original.codings,
                               refers_to=original.location)
            return replace(own, payload=original.payload, codings=original.codings,
                           refers_to=original.location)
        return None
