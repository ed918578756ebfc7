"""Undoing the transfer and content codings of stored HTTP bodies (chunked, gzip, deflate, br)."""
from __future__ import annotations

import logging
import re
import zlib

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


class Undecodable(Exception):
    """A content coding that cannot be undone here."""


class StoredDecoded(Exception):
    """The header names a coding the stored body does not have."""


def undo_coding(coding: str, data: bytes) -> bytes:
    if coding in ("identity", "") or not data:
        return data
    if coding in ("gzip", "x-gzip"):
        if not data.startswith(_GZIP_MAGIC):
            raise StoredDecoded
        members: list[bytes] = []
        while data.startswith(_GZIP_MAGIC):  # servers may send several members
            unzip = zlib.decompressobj(31)
            members.append(unzip.decompress(data))
            if not unzip.eof:
                raise Undecodable("gzip stream cut short")
            data = unzip.unused_data
        return b"".join(members)
    if coding == "deflate":
        for wbits in (15, -15):  # zlib-wrapped as the RFC says, or raw as some servers send
            unzip = zlib.decompressobj(wbits)
            try:
                out = unzip.decompress(data)
            except zlib.error:
                continue
            if unzip.eof:
                return out
        raise Undecodable("not a deflate stream")
    if coding == "br":
        try:
            import brotli
        except ImportError:
            raise Undecodable("no brotli module installed") from None
        # Google's Brotli calls its exception `error`, brotlipy (a pywb dependency) `Error`
        failure: type[Exception] = getattr(brotli, "error", None) or getattr(brotli, "Error", ValueError)  # type: ignore[assignment]
        try:
            return bytes(brotli.decompress(data))
        except failure as err:
            raise Undecodable(str(err)) from err
    raise Undecodable("unknown coding")


def decode_payload(payload: bytes, codings: tuple[str, ...], where: str = "") -> bytes:
    """`payload` with `codings` undone, last applied first, as far as they can be.

    `codings` are the body's codings in the order the server applied them: its
    Content-Encoding values, then Transfer-Encoding ones (chunked framing is undone by
    the reader already). A coding the stored body does not have is passed over (some
    archivers store bodies decoded); one that cannot be undone stops there and the body is
    used as it is, with a warning naming `where` unless it is markup already.
    """
    body = payload
    for coding in reversed(codings):
        try:
            body = undo_coding(coding, body)
        except StoredDecoded:
            logger.debug("%s: body stored without its %s coding", where, coding)
        except (Undecodable, zlib.error) as err:
            if body.lstrip()[:1] != b"<":  # markup is the page already decoded by its archiver
                logger.warning("%s: cannot decode body (%s: %s); using it as stored", where, coding, err)
            break
    return body
