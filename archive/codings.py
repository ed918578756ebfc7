"""Undoing the transfer and content codings of stored HTTP bodies (chunked, gzip, deflate, br, zstd), bounded."""
from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import logging
import re
import zlib
from typing import Any

from archive.exceptions import ArchiveError

logger = logging.getLogger(__name__)

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")


def dechunk(data: bytes) -> bytes | None:
    """The data of a chunk-framed body (what there is, if it is cut); None if it is not framed."""
    parts: list[bytes] = []
    pos = 0
    while pos < len(data):
        newline = data.find(b"\n", pos, pos + 1024)
        if newline < 0:
            return None if pos == 0 else b"".join(parts)  # no size line, or a cut one
        size_field = data[pos:newline].split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_field):
            return None
        size = int(size_field, 16)
        if size == 0:
            break  # trailer fields, if any, are not the body
        chunk = data[newline + 1:newline + 1 + size]
        parts.append(chunk)
        pos = newline + 1 + len(chunk)
        if len(chunk) < size or pos == len(data):
            break  # cut short
        if data.startswith(b"\r\n", pos):
            pos += 2
        elif data.startswith(b"\n", pos):
            pos += 1
        else:
            return None  # what looked like framing was not
    return b"".join(parts)


# The crawl's DOWNLOAD_MAXSIZE default (crawler/settings.py): no body the crawl takes decodes to more,
# and replay, export and wacz decode no more of an archived one than that.
MAX_DECODED = 32 * 1024 * 1024
_STEP = 64 * 1024  # decoded bytes asked of a decompressor at a time


class Undecodable(Exception):
    """A content coding that cannot be undone here."""


class StoredDecoded(Exception):
    """The header names a coding the stored body does not have."""


class DecodedTooBig(ArchiveError):
    """A body that decodes to more than the bound (a decompression bomb, or just too big)."""

    def __init__(self, where: str, coding: str, limit: int) -> None:
        super().__init__("%s: body decodes to more than %d bytes (%s)" % (where or "body", limit, coding))
        self.where = where
        self.coding = coding
        self.limit = limit


class _Budget:
    """How many decoded bytes one coding may still give (`limit` 0: no bound, as DOWNLOAD_MAXSIZE 0)."""

    def __init__(self, coding: str, limit: int) -> None:
        self.coding = coding
        self.limit = limit
        self.spent = 0

    def step(self) -> int:
        """The most to ask of a decompressor now: one byte past the bound shows it is passed."""
        return _STEP if not self.limit else max(1, min(_STEP, self.limit + 1 - self.spent))

    def spend(self, data: bytes) -> bytes:
        self.spent += len(data)
        if self.limit and self.spent > self.limit:
            raise DecodedTooBig("", self.coding, self.limit)
        return data


def _inflate(unzip: Any, data: bytes, budget: _Budget) -> bytes:
    """What `unzip` (a zlib decompressobj) makes of `data`, a step at a time within `budget`."""
    parts = [budget.spend(unzip.decompress(data, budget.step()))]
    while not unzip.eof:  # (zlib may hold output back with all the input taken: ask with none)
        left = len(unzip.unconsumed_tail)
        parts.append(budget.spend(unzip.decompress(unzip.unconsumed_tail, budget.step())))
        if not parts[-1] and len(unzip.unconsumed_tail) >= left:
            break  # no step forward (the input ends before the stream does): never loop on it
    return b"".join(parts)


def _gunzip(data: bytes, budget: _Budget) -> bytes:
    if not data.startswith(_GZIP_MAGIC):
        raise StoredDecoded
    members: list[bytes] = []
    while data.startswith(_GZIP_MAGIC):  # servers may send several members
        unzip = zlib.decompressobj(31)
        members.append(_inflate(unzip, data, budget))
        if not unzip.eof:
            raise Undecodable("gzip stream cut short")
        data = unzip.unused_data
    return b"".join(members)


def _deflate(data: bytes, budget: _Budget) -> bytes:
    for wbits in (15, -15):  # zlib-wrapped as the RFC says, or raw as some servers send
        unzip = zlib.decompressobj(wbits)
        budget.spent = 0
        try:
            out = _inflate(unzip, data, budget)
        except zlib.error:
            continue
        if unzip.eof:
            return out
    raise Undecodable("not a deflate stream")


@functools.cache
def _brotli_module() -> Any:
    """A brotli module whose decoder can bound its output (Google's Brotli >= 1.2: `process` with
    `output_buffer_limit`), or None. pywb's brotlipy takes the name `brotli` with an older API
    that cannot, and the name `_brotli` too: Google's C module is then loaded from its file."""
    for name in ("brotli", "brotlicffi"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(getattr(module, "Decompressor", None), "can_accept_more_data"):
            return module
    spec = importlib.machinery.PathFinder.find_spec("_brotli")
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError:
        return None
    return module if hasattr(getattr(module, "Decompressor", None), "can_accept_more_data") else None


def _brotli_decompressor() -> Any:
    module = _brotli_module()
    if module is None:
        raise Undecodable("no brotli decoder that bounds its output installed (Brotli >= 1.2)")
    return module.Decompressor()


def _unbrotli(data: bytes, budget: _Budget) -> bytes:
    decompressor = _brotli_decompressor()
    try:
        parts = [budget.spend(decompressor.process(data, output_buffer_limit=budget.step()))]
        while not decompressor.is_finished() and not decompressor.can_accept_more_data():
            parts.append(budget.spend(decompressor.process(b"", output_buffer_limit=budget.step())))
            if not parts[-1]:
                break  # no step forward: never loop on it
    except DecodedTooBig:
        raise
    except Exception as err:  # the decoder's own error class depends on which module it came from
        raise Undecodable(str(err) or type(err).__name__) from err
    if not decompressor.is_finished():
        raise Undecodable("brotli stream cut short")
    return b"".join(parts)


def _unzstd(data: bytes, budget: _Budget) -> bytes:
    try:
        from compression import zstd  # Python 3.14
    except ImportError:
        try:
            from backports import zstd
        except ImportError:
            raise Undecodable("no zstd module installed") from None
    frames: list[bytes] = []
    while data:  # frames one after the other, as gzip members
        unzip = zstd.ZstdDecompressor()
        try:
            frames.append(budget.spend(unzip.decompress(data, budget.step())))
            while not unzip.eof and not unzip.needs_input:
                frames.append(budget.spend(unzip.decompress(b"", budget.step())))
        except zstd.ZstdError as err:
            raise Undecodable(str(err)) from err
        if not unzip.eof:
            raise Undecodable("zstd stream cut short")
        data = unzip.unused_data
    return b"".join(frames)


_DECODERS = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _deflate, "br": _unbrotli, "zstd": _unzstd}


def undo_coding(coding: str, data: bytes, limit: int = MAX_DECODED) -> bytes:
    """`data` with `coding` undone, never more than `limit` bytes of it (DecodedTooBig)."""
    if coding in ("identity", "") or not data:
        return data
    decoder = _DECODERS.get(coding)
    if decoder is None:
        raise Undecodable("unknown coding")
    return decoder(data, _Budget(coding, limit))


def decode_payload(payload: bytes, codings: tuple[str, ...], where: str = "", limit: int = MAX_DECODED) -> bytes:
    """`payload` with `codings` undone, last applied first, as far as they can be.

    `codings` are the body's codings in the order the server applied them: its
    Content-Encoding values, then Transfer-Encoding ones (chunked framing is undone by
    the reader already). A coding the stored body does not have is passed over (some
    archivers store bodies decoded); one that cannot be undone stops there and the body is
    used as it is, with a warning naming `where` unless it is markup already. A coding
    that decodes to more than `limit` bytes raises DecodedTooBig (naming `where`) as soon
    as it does: no more than about `limit` bytes are ever held for it (`gzip, gzip` made a
    1.8 KB body take 2 GB).
    """
    body = payload
    for coding in reversed(codings):
        try:
            body = undo_coding(coding, body, limit)
        except StoredDecoded:
            logger.debug("%s: body stored without its %s coding", where, coding)
        except DecodedTooBig as err:
            raise DecodedTooBig(where, coding, err.limit) from None
        except (Undecodable, zlib.error) as err:
            if body.lstrip()[:1] != b"<":  # markup is the page already decoded by its archiver
                logger.warning("%s: cannot decode body (%s: %s); using it as stored", where, coding, err)
            break
    return body
