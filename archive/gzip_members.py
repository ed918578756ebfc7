"""The lowest layer of reading (warcio's bufferedreaders.py): a WARC file's bytes, gzip member by member."""
from __future__ import annotations

import os
import zlib
from typing import BinaryIO

from archive.exceptions import WarcFormatError

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
        self.gzipped = self._raw.startswith(GZIP_MAGIC)
        self._unzip = zlib.decompressobj(31) if self.gzipped else None
        self._fed = 0  # compressed bytes of this member fed to the decompressor
        self._buf = b""
        self._pos = 0
        self.handed = 0  # uncompressed bytes of this member handed out
        self.cut = False  # the file ended inside this gzip member

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
                data = self._unzip.decompress(raw)
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

    def skip_rest(self) -> bool:
        """Read past the rest of this gzip member; False if it is cut or corrupt."""
        try:
            while self.read(BLOCK * 4):
                pass
        except zlib.error:
            return False
        return not self.cut

    def next_member(self) -> bool:
        """Start reading the next gzip member; False at the end of the file."""
        self.start += self._fed
        head = self._raw + (self._stream.read(BLOCK) if len(self._raw) < 2 else b"")
        if not head:
            return False
        if not head.startswith(GZIP_MAGIC):
            size = os.fstat(self._stream.fileno()).st_size
            raise WarcFormatError(self._path, self.start,
                                  "%d bytes that are no gzip member" % (size - self.start))
        self._raw, self._unzip, self._fed = head, zlib.decompressobj(31), 0
        self._buf, self._pos, self.handed = b"", 0, 0
        return True
