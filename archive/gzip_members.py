"""The lowest layer of reading (warcio's bufferedreaders.py): a WARC file's bytes, gzip member by member."""
from __future__ import annotations

import os
import zlib
from typing import BinaryIO

BLOCK = 16 * 1024  # compressed bytes read at a time (a gzip bomb stays below ~16 MB a step)
MAX_LINE = 1 << 20  # a "header line" longer than this is garbage
GZIP_MAGIC = b"\x1f\x8b"


class GzipMembers:
    """The uncompressed bytes of a WARC file, one gzip member at a time (a plain file is one).

    Written because warcio's ArchiveIterator refuses a gzip member holding more than one
    record and cannot place records inside one; wget writes a member a record, other tools
    a member a file. `read`/`readline` stop at the end of the current member.
    """

    def __init__(self, stream: BinaryIO, start: int, path: str) -> None:
        self._stream = stream
        self._path = path
        self.start = start  # file offset of the current member
        self._raw = stream.read(BLOCK)  # compressed bytes not fed to the decompressor yet
        # a .gz file that starts with damage is still gzip: its later members are found by search
        self.gzipped = self._raw.startswith(GZIP_MAGIC) or (
            path.lower().endswith(".gz") and start == 0 and self._raw != b"" and not self._raw.startswith(b"WARC/"))
        self._unzip = zlib.decompressobj(31) if self.gzipped else None
        self._fed = 0  # compressed bytes of this member fed to the decompressor
        self._buf = b""
        self._pos = 0
        self.handed = 0  # uncompressed bytes of this member handed out
        self.cut = False  # the file ended inside this gzip member
        self.corrupt = ""  # what zlib said of this member's compressed data, if it failed

    def _fill(self) -> bool:
        """Refill the (empty) buffer; False at the end of the member."""
        while True:
            if self._unzip is not None and self._unzip.eof:
                return False
            raw, self._raw = self._raw or self._stream.read(BLOCK), b""
            if self._unzip is None:
                data = raw
                if not data:
                    return False
            else:
                if not raw:
                    self.cut = True
                    return False
                # fed in steps of BLOCK from the member's start, so that how much of a
                # shared member a record needs does not depend on how the file was read
                step = BLOCK - self._fed % BLOCK
                raw, self._raw = raw[:step], raw[step:]
                try:
                    data = self._unzip.decompress(raw)
                except zlib.error as err:
                    self.corrupt = str(err) or "zlib error"
                    raise
                self._fed += len(raw)
                if self._unzip.eof:
                    self._raw = self._unzip.unused_data + self._raw
                    self._fed -= len(self._unzip.unused_data)
            if data:
                self._buf, self._pos = data, 0
                return True

    def read(self, size: int | None = None) -> bytes:
        parts = []
        want = size if size is not None and size >= 0 else None
        while want is None or want > 0:
            if self._pos >= len(self._buf) and not self._fill():
                break
            end = len(self._buf) if want is None else min(len(self._buf), self._pos + want)
            parts.append(self._buf[self._pos:end])
            if want is not None:
                want -= end - self._pos
            self._pos = end
        data = b"".join(parts)
        self.handed += len(data)
        return data

    def readline(self, size: int | None = None) -> bytes:
        want = size if size is not None and size >= 0 else MAX_LINE
        parts = []
        while want > 0:
            if self._pos >= len(self._buf) and not self._fill():
                break
            newline = self._buf.find(b"\n", self._pos, self._pos + want)
            end = newline + 1 if newline >= 0 else min(len(self._buf), self._pos + want)
            parts.append(self._buf[self._pos:end])
            want -= end - self._pos
            self._pos = end
            if newline >= 0:
                break
        line = b"".join(parts)
        self.handed += len(line)
        return line

    def tell(self) -> int:
        return self.handed

    def consumed(self) -> int:
        """Compressed bytes of this member read so far: all of it once it is read to its end."""
        return self._fed

    def unread(self, line: bytes) -> None:
        """Put back the line just read: the next read starts with it again."""
        self._buf, self._pos = line + self._buf[self._pos:], 0
        self.handed -= len(line)

    def resync(self, failed_at: int, marker: bytes = b"WARC/") -> bool:
        """After a record at uncompressed offset `failed_at` of this member could not be read:
        go to the next line that starts with `marker`; False if this member holds none.

        A plain file is read again from just after `failed_at` (a record whose Content-Length
        lies may have swallowed the ones after it); a gzip member goes on from where it is."""
        if not self.gzipped:
            self._stream.seek(self.start + failed_at + 1)
            self._raw, self._buf, self._pos, self.handed = b"", b"", 0, failed_at + 1
        elif self.handed <= failed_at:  # always past the failed record's first byte
            self.read(failed_at + 1 - self.handed)
        while True:
            line = self.readline()  # each line a step forward: this ends with the member
            if not line:
                return False
            if line.startswith(marker):
                self.unread(line)
                return True

    def next_member(self) -> tuple[bool, tuple[int, int] | None]:
        """Start reading the gzip member after this one (after a corrupt one: the next thing that
        looks like one). Return whether there is one, and the (offset, length) of the bytes
        before it (or before the end of the file) that are no gzip member, if any."""
        after = self.start + (self._fed if self._unzip_done() else 1)
        found = self._find_magic(after)
        end = os.fstat(self._stream.fileno()).st_size if found is None else found
        gap = (after, end - after) if end > after else None
        if found is None:
            return False, gap
        self._stream.seek(found)
        self._raw = self._stream.read(BLOCK)
        self.start, self._unzip, self._fed = found, zlib.decompressobj(31), 0
        self._buf, self._pos, self.handed = b"", 0, 0
        self.cut, self.corrupt = False, ""
        return True, gap

    def _unzip_done(self) -> bool:
        return self._unzip is not None and self._unzip.eof

    def _find_magic(self, offset: int) -> int | None:
        """The file offset of the first gzip header at or after `offset`; None if there is none
        (at the end of the file, None as well)."""
        self._stream.seek(offset)
        carry = b""
        while True:
            block = self._stream.read(BLOCK * 4)
            if not block:
                return None
            data = carry + block
            at = data.find(GZIP_MAGIC + b"\x08")  # deflate, the only method gzip has
            if at >= 0:
                return offset - len(carry) + at
            carry = data[-2:]
            offset += len(block)
