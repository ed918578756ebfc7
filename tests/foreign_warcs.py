"""Our own generator of WARC files with the defects other tools' files have, built byte by byte:
a record whose Content-Length is too long or too short, payload digests in every spelling."""
from __future__ import annotations

import base64
import gzip
import hashlib
from dataclasses import dataclass, field


def warc_record(fields: list[tuple[str, str]], block: bytes, declared: int | None = None) -> bytes:
    """One WARC/1.0 record: its Content-Length is `declared` when given (a lie), else the truth."""
    head = "WARC/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in fields)
    head += "Content-Length: %d\r\n\r\n" % (len(block) if declared is None else declared)
    return head.encode("latin-1") + block + b"\r\n\r\n"


def record_id(n: int) -> str:
    return "<urn:uuid:5e1f0c2a-0000-4000-8000-%012d>" % n


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def spelled(algorithm: str, data: bytes, encoding: str) -> str:
    """`algorithm:value` with the value in base32, base16 or base64, as writers spell them."""
    raw = hashlib.new(algorithm, data).digest()
    value = {"b32": base64.b32encode(raw).decode(), "b32lower": base64.b32encode(raw).decode().lower(),
             "b16": raw.hex(), "b16upper": raw.hex().upper(), "b64": base64.b64encode(raw).decode()}[encoding]
    return "%s:%s" % (algorithm, value)


def page(n: int) -> bytes:
    """An HTML body of its own for record n, long enough to look like a page."""
    words = " ".join("word%d" % ((n * 7919 + i * 104729) % 100003) for i in range(120))
    return b"<html><head><title>Page %d</title></head><body><p>%s</p></body></html>" % (n, words.encode())


def chunk_framed(data: bytes, size: int = 300) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(data[i:i + size]), data[i:i + size]) for i in range(0, len(data), size)]
    return b"".join(parts) + b"0\r\n\r\n"


@dataclass
class Response:
    """A response record for http://foreign.example/<n>, with the defects asked for."""

    n: int
    body: bytes = b""
    chunked: bool = False
    digest: str | None = "sha1-b32"  # "sha1-b32" (of the entity body), None, "wrong", or a full value
    digest_of_stored: bool = False  # a chunk-framed body digested as sent, framing and all
    length_error: int = 0  # bytes the declared Content-Length is off by
    extra_fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return "http://foreign.example/%d" % self.n

    @property
    def stored(self) -> bytes:
        body = self.body or page(self.n)
        return chunk_framed(body) if self.chunked else body

    def head(self) -> bytes:
        lines = ["HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8"]
        lines.append("Transfer-Encoding: chunked" if self.chunked else "Content-Length: %d" % len(self.stored))
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def payload_digest(self) -> str | None:
        entity = self.body or page(self.n)
        if self.digest is None:
            return None
        if self.digest == "sha1-b32":
            return sha1_b32(self.stored if self.digest_of_stored else entity)
        if self.digest == "wrong":
            return sha1_b32(entity + b"!")
        return self.digest

    def record(self) -> bytes:
        fields = [("WARC-Type", "response"), ("WARC-Target-URI", self.url),
                  ("WARC-Date", "2025-02-03T04:05:%02dZ" % (self.n % 60)), ("WARC-Record-ID", record_id(self.n)),
                  ("Content-Type", "application/http; msgtype=response")]
        digest = self.payload_digest()
        if digest is not None:
            fields.append(("WARC-Payload-Digest", digest))
        block = self.head() + self.stored
        return warc_record(fields + self.extra_fields, block, len(block) + self.length_error)


def warcinfo(n: int) -> bytes:
    block = b"software: foreign-warcs test generator\r\nformat: WARC File Format 1.0\r\n"
    return warc_record([("WARC-Type", "warcinfo"), ("WARC-Date", "2025-02-03T04:05:00Z"),
                        ("WARC-Record-ID", record_id(n)), ("Content-Type", "application/warc-fields")], block)


def request(n: int, url: str, length_error: int = 0) -> bytes:
    block = ("GET /%s HTTP/1.1\r\nHost: foreign.example\r\nUser-Agent: generator\r\n"
             "Accept: text/html\r\n\r\n" % url.rsplit("/", 1)[-1]).encode()
    return warc_record([("WARC-Type", "request"), ("WARC-Target-URI", url), ("WARC-Date", "2025-02-03T04:05:00Z"),
                        ("WARC-Record-ID", record_id(n)), ("Content-Type", "application/http; msgtype=request")],
                       block, len(block) + length_error)


def revisit(n: int, of: Response, length_error: int = 0) -> bytes:
    block = of.head()
    return warc_record([("WARC-Type", "revisit"), ("WARC-Target-URI", of.url), ("WARC-Date", "2025-02-04T00:00:00Z"),
                        ("WARC-Record-ID", record_id(n)),
                        ("WARC-Profile", "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"),
                        ("WARC-Refers-To-Target-URI", of.url), ("WARC-Payload-Digest", of.payload_digest() or ""),
                        ("Content-Type", "application/http; msgtype=response")], block, len(block) + length_error)


def resource(n: int, data: bytes, digest: str) -> bytes:
    return warc_record([("WARC-Type", "resource"), ("WARC-Target-URI", "file:///foreign/%d.txt" % n),
                        ("WARC-Date", "2025-02-03T04:05:00Z"), ("WARC-Record-ID", record_id(n)),
                        ("WARC-Payload-Digest", digest), ("Content-Type", "text/plain")], data)


def pack(records: list[bytes], gzipped: bool) -> tuple[bytes, list[int]]:
    """The file's bytes (one gzip member a record when gzipped) and where each record starts."""
    pieces = [gzip.compress(r, mtime=0) for r in records] if gzipped else records
    offsets, at = [], 0
    for piece in pieces:
        offsets.append(at)
        at += len(piece)
    return b"".join(pieces), offsets


def request_cut_short() -> list[bytes]:
    """The pattern of a well-known sample file: warcinfo, response, request, revisit, then a
    request whose Content-Length stops 3 bytes before the end of its HTTP head (so 'm\\r\\n' of
    its last header line sits before the blank lines), then one more response."""
    first, last = Response(1), Response(6)
    block = b"GET /1 HTTP/1.1\r\nAccept: text/html\r\nUser-Agent: generator\r\nHost: foreign.example\r\n"
    short = warc_record([("WARC-Type", "request"), ("WARC-Target-URI", first.url),
                         ("WARC-Date", "2025-02-03T04:05:00Z"), ("WARC-Record-ID", record_id(5)),
                         ("Content-Type", "application/http; msgtype=request")], block, len(block) - 3)
    return [warcinfo(0), first.record(), request(2, first.url), revisit(3, first), short, last.record()]


def byte_over_and_terminator_under() -> list[bytes]:
    """The pattern of a well-known bad-length test file: a response followed by one byte its
    Content-Length does not count, a request, then a revisit whose Content-Length counts two
    bytes of the blank lines after it, then a request."""
    first = Response(2)
    over = first.record()
    over = over[:-4] + b"\x00" + over[-4:]  # one byte past the declared block
    return [warcinfo(0), warcinfo(1), over, request(3, first.url), revisit(4, first, length_error=2),
            request(5, first.url)]
