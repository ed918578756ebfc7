"""Credentials stay out of the archive and out of what is printed."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.redact import UserinfoFilter, as_sent_to_origin, mask_userinfo, redact_credentials
from tests.conftest import REPO
from tests.hostile_secrets import ForwardingProxy
from tests.hostile_server import ARTICLE, HostileServer, page

PROXY_USER, PROXY_PASSWORD = "crawler", "pr0xy-s3cret"
TOKEN, SESSION = "Bearer t0ken-s3cret", "session=c00kie-s3cret"
SECRETS = (PROXY_PASSWORD, "t0ken-s3cret", "c00kie-s3cret")


def test_credential_headers_are_redacted_in_a_request_head() -> None:
    head = (b"GET /a HTTP/1.1\r\nHost: example.com\r\nauthorization: Basic dTpw\r\n  folded-rest\r\n"
            b"Cookie: a=1\r\nAccept: */*\r\nProxy-Authorization: Basic eDp5\r\n\r\n")
    redacted, names = redact_credentials(head)
    assert redacted == (b"GET /a HTTP/1.1\r\nHost: example.com\r\nauthorization: [redacted]\r\n"
                        b"Cookie: [redacted]\r\nAccept: */*\r\nProxy-Authorization: [redacted]\r\n\r\n")
    assert names == ["authorization", "Cookie", "Proxy-Authorization"]
    plain = b"GET / HTTP/1.1\r\nHost: example.com\r\nX-Authorization-Hint: none\r\n\r\n"
    assert redact_credentials(plain) == (plain, [])


def test_a_request_sent_to_a_forwarding_proxy_is_kept_as_the_origin_received_it() -> None:
    head = (b"GET http://example.com:8080/a/b?q=1 HTTP/1.1\r\nProxy-Authorization: Basic eDp5\r\n"
            b"Host: example.com:8080\r\nAuthorization: Bearer z\r\n\r\n")
    assert as_sent_to_origin(head) == (
        b"GET /a/b?q=1 HTTP/1.1\r\nHost: example.com:8080\r\nAuthorization: Bearer z\r\n\r\n")


@pytest.mark.parametrize(("text", "shown"), [
    ("bad seed URL 'http://user:s3cret@exa mple.com/'", "bad seed URL 'http://user:***@exa mple.com/'"),
    ("nothing was fetched from https://a:b@x.org/p?q=1 http://tok@y.org/", "nothing was fetched from "
     "https://a:***@x.org/p?q=1 http://***@y.org/"),
    ("http://u:p@ss@host/ and mail me@example.com", "http://u:***@host/ and mail me@example.com"),
    ("no URL here", "no URL here"),
])
def test_urls_are_shown_without_their_password(text: str, shown: str) -> None:
    assert mask_userinfo(text) == shown


def test_the_logging_filter_masks_url_credentials(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.secrets")
    logger.addFilter(UserinfoFilter())
    with caplog.at_level(logging.INFO, logger="tests.secrets"):
        logger.info("fetch failed: %s (%s)", "http://user:s3cret@example.com/", "timeout")
    assert caplog.messages == ["fetch failed: http://user:***@example.com/ (timeout)"]


def _routes() -> dict[str, Callable[..., None]]:
    home = b"<html><body><a href='/story'>story</a></body></html>"
    return {
        "/": lambda server, conn, head: conn.sendall(page(home, extra=[(b"Connection", b"close")])),
        "/story": lambda server, conn, head: conn.sendall(page(ARTICLE, extra=[(b"Connection", b"close")])),
    }


def _crawl_through_proxy(proxy: ForwardingProxy, seed: str, root: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(PYTHONPATH=str(REPO), http_proxy="http://%s:%s@127.0.0.1:%d" % (PROXY_USER, PROXY_PASSWORD, proxy.port))
    headers = json.dumps({"Authorization": TOKEN, "Cookie": SESSION, "Accept": "text/html"})
    return subprocess.run(
        [sys.executable, "-m", "crawler", "crawl", seed, "--root", str(root), "--collection", "c",
         "--allow-private", "-s", "DISCOVERY_PROBE=0", "-s", "DEFAULT_REQUEST_HEADERS=%s" % headers, *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def _warc_records(collection: Path) -> list[tuple[str, bytes, str]]:
    """(type, HTTP head or warcinfo body, target) of every record, digests checked by warcio."""
    found = []
    for path in sorted((collection / "archive").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, check_digests="raise"):
                if record.rec_type == "warcinfo":
                    found.append(("warcinfo", record.content_stream().read(), ""))
                    continue
                head = record.http_headers.to_bytes() if record.http_headers else b""
                record.content_stream().read()  # reads the block to the end: its digest is checked
                found.append((record.rec_type, head, record.rec_headers.get_header("WARC-Target-URI")))
    return found


def _archive_bytes(collection: Path) -> bytes:
    import gzip

    return b"".join(gzip.decompress(p.read_bytes()) for p in (collection / "archive").glob("*.warc.gz"))


def test_proxy_and_header_credentials_stay_out_of_the_warc(tmp_path: Path) -> None:
    with HostileServer(routes=_routes()) as origin, ForwardingProxy(PROXY_USER, PROXY_PASSWORD) as proxy:
        proc = _crawl_through_proxy(proxy, origin.url, tmp_path)
        assert proxy.refused == 0 and len(proxy.heads) == 3  # robots.txt, home, story: all with credentials
        assert all(b"Proxy-Authorization: Basic " in head for head in proxy.heads)
        assert origin.requested("/story") == 1
        sent = b"".join(origin.requests)
    assert proc.returncode == 0, proc.stderr
    assert b"Authorization: " + TOKEN.encode() in sent  # the origin was sent the header
    assert b"Proxy-Authorization" not in sent
    records = _warc_records(tmp_path / "c")
    requests = [head for kind, head, _ in records if kind == "request"]
    assert len(requests) == 3
    for head in requests:
        assert head.startswith((b"GET / HTTP/1.1", b"GET /robots.txt HTTP/1.1", b"GET /story HTTP/1.1"))
        assert b"Proxy-Authorization" not in head  # never sent to the origin
        assert b"Authorization: [redacted]" in head and b"Cookie: [redacted]" in head
    (info,) = [body for kind, body, _ in records if kind == "warcinfo"]
    assert b"http-header-redacted: the values of Authorization, Proxy-Authorization, Cookie" in info
    everything = _archive_bytes(tmp_path / "c") + proc.stdout.encode() + proc.stderr.encode()
    assert not [s for s in SECRETS if s.encode() in everything]
    assert b"Basic " not in _archive_bytes(tmp_path / "c")


def test_archive_keep_credentials_keeps_what_the_origin_was_sent(tmp_path: Path) -> None:
    with HostileServer(routes=_routes()) as origin, ForwardingProxy(PROXY_USER, PROXY_PASSWORD) as proxy:
        proc = _crawl_through_proxy(proxy, origin.url, tmp_path, "-s", "ARCHIVE_KEEP_CREDENTIALS=1")
    assert proc.returncode == 0, proc.stderr
    records = _warc_records(tmp_path / "c")
    requests = [head for kind, head, _ in records if kind == "request"]
    assert len(requests) == 3
    for head in requests:
        assert b"Authorization: " + TOKEN.encode() in head and b"Cookie: " + SESSION.encode() in head
        assert b"Proxy-Authorization" not in head  # the proxy's, not the origin's: never a part of the record
    (info,) = [body for kind, body, _ in records if kind == "warcinfo"]
    assert b"redacted" not in info
