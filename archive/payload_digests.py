"""Checking a record's WARC-Payload-Digest while its payload is read (no second pass, flat memory)."""
from __future__ import annotations

import base64
import copy
import hashlib
import re
from dataclasses import dataclass
from typing import Any

MATCH, MISMATCH, UNCHECKED = "match", "mismatch", "unchecked"
_SIZE_LINE = re.compile(rb"[0-9A-Fa-f]{1,16}")


@dataclass(frozen=True)
class DigestVerdict:
    """What the payload said to its declared digest."""

    outcome: str  # MATCH, MISMATCH or UNCHECKED
    declared: str
    reason: str = ""  # why a digest was left unchecked, or what a mismatch matched instead


def _encodings(digest: bytes) -> set[str]:
    """Every spelling of `digest` that WARC writers use: base32 (the WARC norm), base16, base64."""
    b32 = base64.b32encode(digest).decode()
    b64 = base64.b64encode(digest).decode()
    url64 = base64.urlsafe_b64encode(digest).decode()
    return {b32.upper(), b32.rstrip("=").upper(), digest.hex(), b64, b64.rstrip("="), url64, url64.rstrip("=")}


def _matches(value: str, digest: bytes) -> bool:
    spellings = _encodings(digest)
    # base32 and base16 are case-free (both cases are seen in the wild); base64 is not
    return value in spellings or value.upper() in spellings or value.lower() in spellings


class _Dechunker:
    """Chunk framing undone as the bytes come (for digests of the entity body); `broken` once the
    bytes turn out not to be framed, after which nothing more comes out."""

    def __init__(self) -> None:
        self._line = b""
        self._left = 0  # data bytes of the current chunk still to come
        self._crlf = 0  # bytes of the CRLF after a chunk's data still to pass over
        self.done = False
        self.broken = False

    def feed(self, data: bytes) -> bytes:
        out: list[bytes] = []
        pos = 0
        while pos < len(data) and not (self.done or self.broken):
            if self._left:
                take = data[pos:pos + self._left]
                out.append(take)
                self._left -= len(take)
                pos += len(take)
                self._crlf = 0 if self._left else 2
            elif self._crlf:
                if data[pos:pos + 1] == b"\r" and self._crlf == 2:
                    self._crlf, pos = 1, pos + 1
                elif data[pos:pos + 1] == b"\n":
                    self._crlf, pos = 0, pos + 1
                else:
                    self.broken = True
            else:
                newline = data.find(b"\n", pos)
                self._line += data[pos:] if newline < 0 else data[pos:newline]
                if len(self._line) > 1024:
                    self.broken = True
                if newline < 0:
                    break
                pos = newline + 1
                size = self._line.split(b";", 1)[0].strip()
                self._line = b""
                if not _SIZE_LINE.fullmatch(size):
                    self.broken = True
                elif int(size, 16) == 0:
                    self.done = True  # trailer fields are no part of the body
                else:
                    self._left = int(size, 16)
        return b"".join(out)


class PayloadDigester:
    """The declared payload digest of one record, checked against the payload as stored and,
    for a chunk-framed body, against its de-chunked data as well: WARC 1.1 digests the entity
    body, some writers digested the bytes as sent; either is a match."""

    def __init__(self, declared: str, chunked: bool) -> None:
        self.declared = declared.strip()
        algorithm, _, self._value = self.declared.partition(":")
        self._value = self._value.strip()
        self.unchecked = ""
        self._stored: Any = None
        self._entity: Any = None
        self._dechunker = _Dechunker() if chunked else None
        name = algorithm.strip().lower()
        try:
            self._stored = hashlib.new(name)
            self._entity = hashlib.new(name) if chunked else None
        except (ValueError, TypeError):
            self.unchecked = "unknown digest algorithm %r" % algorithm.strip()[:40]
        if self._stored is not None and not self._stored.digest_size:  # shake_*: no fixed size
            self.unchecked, self._stored = "digest algorithm of no fixed size %r" % name, None
        if not self._value and not self.unchecked:
            self.unchecked = "digest without a value"

    def update(self, data: bytes) -> None:
        if self._stored is None:
            return
        self._stored.update(data)
        if self._dechunker is not None and not self._dechunker.broken:
            self._entity.update(self._dechunker.feed(data))

    def clone(self) -> PayloadDigester:
        """A copy to try one more ending of the payload on (the hash so far is not redone)."""
        twin = copy.copy(self)
        twin._stored = self._stored.copy() if self._stored is not None else None
        twin._entity = self._entity.copy() if self._entity is not None else None
        twin._dechunker = copy.copy(self._dechunker)
        return twin

    def verdict(self) -> DigestVerdict:
        if self.unchecked or self._stored is None:
            return DigestVerdict(UNCHECKED, self.declared, self.unchecked)
        if _matches(self._value, _final(self._stored)):
            return DigestVerdict(MATCH, self.declared)
        dechunker = self._dechunker
        if dechunker is not None and not dechunker.broken and _matches(self._value, _final(self._entity)):
            return DigestVerdict(MATCH, self.declared, "of the de-chunked body")
        return DigestVerdict(MISMATCH, self.declared)


def _final(hasher: Any) -> bytes:
    return bytes(hasher.copy().digest())

