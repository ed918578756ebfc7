"""Hostile routes that cost a crawler unbounded work: a page of 200,000 links, a 5 MB robots.txt,
a sitemap of 200,000 entries and a gzip bomb sitemap (a few MB inflating past 1 GB)."""
from __future__ import annotations

import socket
import zlib
from functools import cache

from tests.hostile_server import HostileServer, page

LINKS = 200_000
ENTRIES = 200_000
ROBOTS_SIZE = 5 * 1024 * 1024
BOMB_SIZE = 1100 * 1024 * 1024  # inflated: past 1 GB
SITEMAP_NS = b"http://www.sitemaps.org/schemas/sitemap/0.9"
CLOSE = [(b"Connection", b"close")]


def many_links() -> bytes:
    """Two links robots.txt speaks of, then 200,000 links to /l/N."""
    links = ['<a href="/private-early/a">early</a>', '<a href="/private-late/a">late</a>']
    links += ['<a href="/l/%d">%d</a>' % (i, i) for i in range(LINKS)]
    return ("<html><body>%s</body></html>" % "\n".join(links)).encode()


def robots(site: str) -> bytes:
    """5 MB of robots.txt: /private-early/ disallowed at the top, /private-late/ only past 500 KiB."""
    top = ("User-agent: *\nDisallow: /private-early/\nSitemap: %sbig-sitemap.xml\nSitemap: %sbomb.xml.gz\n"
           % (site, site)).encode()
    padding = b"".join(b"# padding line %07d of a robots.txt far too long to read\n" % i for i in range(12_000))
    late = b"Disallow: /private-late/\n"
    filler = b"".join(b"# more padding %08d\n" % i for i in range(ROBOTS_SIZE // 24))
    return (top + padding + late + filler)[:ROBOTS_SIZE]


@cache
def big_sitemap(site: str) -> bytes:
    entries = b"".join(b"<url><loc>%se/%d</loc></url>" % (site.encode(), i) for i in range(ENTRIES))
    return b'<?xml version="1.0"?><urlset xmlns="%s">%s</urlset>' % (SITEMAP_NS, entries)


@cache
def gzip_bomb(site: str) -> bytes:
    """A gzip member whose sitemap is one entry and then more than 1 GB of blanks.

    Each 1 MiB block of blanks is deflated once, after a full flush that resets the compressor,
    so the same compressed bytes stand for every block and the bomb is built without deflating 1 GB.
    """
    head = b'<?xml version="1.0"?><urlset xmlns="%s"><url><loc>%sbomb-entry</loc></url>' % (
        SITEMAP_NS, site.encode())
    tail = b"</urlset>"
    block = b" " * (1 << 20)
    blocks = BOMB_SIZE // len(block)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)
    middle = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    end = deflate.compress(tail) + deflate.flush()
    crc = zlib.crc32(head)
    for _ in range(blocks):  # the trailer's crc32 of the whole, block by block (cheap next to deflating)
        crc = zlib.crc32(block, crc)
    size = (len(head) + blocks * len(block) + len(tail)) % 2**32
    crc = zlib.crc32(tail, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + start + middle * blocks + end + crc.to_bytes(4, "little") + size.to_bytes(4, "little")


def _many_links(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(many_links(), extra=CLOSE))


def _robots(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(robots(server.url), content_type=b"text/plain", extra=CLOSE))


def _big_sitemap(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(big_sitemap(server.url), content_type=b"application/xml", extra=CLOSE))


def _bomb(server: HostileServer, conn: socket.socket, request: bytes) -> None:
    conn.sendall(page(gzip_bomb(server.url), content_type=b"application/gzip", extra=CLOSE))


ROUTES = {"/": _many_links, "/robots.txt": _robots, "/big-sitemap.xml": _big_sitemap, "/bomb.xml.gz": _bomb}
