"""Tests of the bundled demo news site (demosite), over real HTTP on 127.0.0.1."""
from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

import pytest

from demosite import ArticleInfo, DemoSite

ROOT = Path(__file__).resolve().parents[1]
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site():
    with DemoSite() as s:
        yield s


@pytest.fixture(scope="module")
def articles(site) -> list[ArticleInfo]:
    return site.articles()


def fetch(url: str, method: str = "GET", **headers: str):
    """One raw request (no redirect following, no decoding): status, headers, body."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target, headers={k.replace("_", "-"): v for k, v in headers.items()})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def decoded(headers, body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


def by_feature(articles, marker: str) -> ArticleInfo:
    return next(a for a in articles if any(marker in u for u in a.alternate_urls))


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "link" and a.get("rel") == "alternate" and a.get("href"):
            self.links.append(a["href"])


def test_home_sets_two_cookies_and_links_feed(site):
    with urllib.request.urlopen(site.url) as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        cookies = r.headers.get_all("Set-Cookie")
        html = r.read().decode("utf-8")
    assert len(cookies) == 2 and cookies[0].startswith("mp_session=")
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/private/drafts/"' in html
    assert "utm_source=home&amp;utm_medium=link" in html


def test_robots_disallows_private_and_names_sitemap(site):
    with urllib.request.urlopen(site.url + "robots.txt") as r:
        assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
        text = r.read().decode()
    robots = RobotFileParser()
    robots.parse(text.splitlines())
    assert robots.site_maps() == [site.url + "sitemap.xml", site.url + "sitemap_news.xml"]
    assert f":{urlsplit(site.url).port}/" in robots.site_maps()[0]
    for url in site.private_urls():
        assert not robots.can_fetch("newsarchive", url)
        status, _, _ = fetch(url)
        assert status == 200  # served, so a test can tell the crawler never asked
    assert robots.can_fetch("newsarchive", site.url)
    assert all(robots.can_fetch("newsarchive", u) for u in site.manifest())


def test_feed_is_rss_with_latest_twenty(site, articles):
    status, headers, body = fetch(site.url + "feed.xml")
    assert status == 200 and "Content-Encoding" not in headers
    channel = ET.fromstring(body).find("channel")
    items = channel.findall("item")
    assert len(items) == 20
    assert [i.findtext("link") for i in items] == [a.url for a in articles[:20]]
    first = items[0]
    assert parsedate_to_datetime(first.findtext("pubDate")).isoformat() == articles[0].published


def test_sitemaps_list_every_article(site, articles):
    with urllib.request.urlopen(site.url + "sitemap.xml") as r:
        tree = ET.fromstring(r.read())
    locs = {e.text for e in tree.iter(f"{SITEMAP_NS}loc")}
    assert {a.url for a in articles} <= locs
    assert site.url in locs and site.url + "section/world/" in locs
    with urllib.request.urlopen(site.url + "sitemap_news.xml") as r:
        news = ET.fromstring(r.read())
    assert len(news.findall(f"{SITEMAP_NS}url")) == 10


@pytest.mark.parametrize("which", ["feed", "article"])
def test_gzip_only_when_accepted(site, articles, which):
    url = site.url + "feed.xml" if which == "feed" else next(
        a.url for a in articles if a.title.startswith("Telescope"))
    status, zipped_headers, zipped = fetch(url, Accept_Encoding="gzip, deflate")
    assert status == 200
    assert zipped_headers["Content-Encoding"] == "gzip"
    assert zipped[:2] == b"\x1f\x8b"
    assert int(zipped_headers["Content-Length"]) == len(zipped)
    status, plain_headers, plain = fetch(url)
    assert "Content-Encoding" not in plain_headers and plain_headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped) == plain
    _, refused, body = fetch(url, Accept_Encoding="gzip;q=0, identity")
    assert "Content-Encoding" not in refused and body == plain


def test_other_pages_are_never_gzipped(site):
    _, headers, _ = fetch(site.url, Accept_Encoding="gzip")
    assert "Content-Encoding" not in headers


def test_latin1_article_is_really_latin1(site, articles):
    info = next(a for a in articles if a.encoding == "iso-8859-1")
    status, headers, body = fetch(info.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=iso-8859-1"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    page = body.decode("iso-8859-1")
    assert "Zürich" in info.title and "Zürich" in page and "Société Générale" in page
    assert "café" in info.text and '<meta charset="iso-8859-1" />' in page


def test_redirect_points_at_an_article(site, articles):
    status, headers, body = fetch(site.redirect_url())
    assert status == 301 and b"Moved Permanently" in body
    target = next(a for a in articles if a.url == headers["Location"])
    assert site.redirect_url() in target.alternate_urls
    with urllib.request.urlopen(site.redirect_url()) as r:  # urllib follows it
        assert r.url == target.url and r.status == 200
        r.read()


def test_missing_page_is_404(site):
    with pytest.raises(HTTPError) as err:
        urllib.request.urlopen(site.missing_url())
    with err.value:
        assert err.value.code == 404
        assert b"Page not found" in err.value.read()
    with urllib.request.urlopen(site.url) as r:
        assert f'href="{urlsplit(site.missing_url()).path}"' in r.read().decode()


def test_articles_are_varied_and_shaped_like_news(articles):
    assert len(articles) >= 30
    templates = [a.template for a in articles]
    assert templates.count("wp") == templates.count("ld") == len(articles) // 2
    assert len({a.text for a in articles}) == len(articles)
    for a in articles:
        paragraphs = a.text.split("\n\n")
        assert 5 <= len(paragraphs) <= 9, a.url
        assert all(40 <= len(p.split()) <= 90 for p in paragraphs), a.url
        assert re.fullmatch(r"2026-\d\d-\d\dT\d\d:\d\d:00\+00:00", a.published)
        assert 1 <= len(a.authors) <= 2 and a.tags and a.section
        for name in a.inline_names:
            assert re.search(r"[^\s.!?] " + re.escape(name) + r"[,. ]", a.text), (name, a.url)
    assert {a.template for a in articles if a.inline_names} == {"wp", "ld"}


def test_inline_names_sit_mid_sentence_in_inline_elements(site, articles):
    seen_author_class = False
    for a in articles:
        _, _, body = fetch(a.url)
        page = body.decode(a.encoding)
        for name in a.inline_names:
            escaped = re.escape(name)
            m = re.search(r"[^\s.!?>] <(a|span|strong|em)( [^>]*)?>" + escaped + r"</\1>[,. ]",
                          page)
            assert m, (name, a.url)
            seen_author_class |= 'class="td-author-name"' in (m.group(2) or "")
    assert seen_author_class


def test_ld_pages_carry_matching_json_ld(site, articles):
    for a in articles:
        _, _, body = fetch(a.url)
        page = body.decode(a.encoding)
        blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
        if a.template == "wp":
            assert blocks == []
            assert "LEAVE A REPLY" in page and "Please enter your comment!" in page
            assert '<h1 class="entry-title">' in page and "td-post-author-name" in page
            continue
        (data,) = [json.loads(b) for b in blocks]
        assert data["@type"] == "NewsArticle" and data["inLanguage"] == "en"
        assert data["url"] == a.url and data["datePublished"] == a.published
        assert data["dateModified"] == a.modified
        assert [p["name"] for p in data["author"]] == a.authors
        assert all(p["@type"] == "Person" for p in data["author"])
        assert data["publisher"]["@type"] == "Organization"
        assert data["keywords"] == a.tags and data["image"] == [a.image]
        assert data["description"] == a.description and data["headline"] == a.title


def test_article_headers_are_realistic(site, articles):
    status, headers, _ = fetch(articles[0].url)
    assert status == 200 and headers["Server"] == "nginx/1.24.0"
    assert headers["ETag"].startswith('W/"') and headers["Last-Modified"].endswith(" GMT")
    assert parsedate_to_datetime(headers["Last-Modified"]).isoformat() == articles[0].modified
    status, headers, body = fetch(articles[0].url, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def test_about_page_is_chunked_and_keep_alive_works(site):
    parts = urlsplit(site.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", "/about/")
        first = conn.getresponse()
        assert first.headers["Transfer-Encoding"] == "chunked"
        assert "Content-Length" not in first.headers
        about = first.read()
        conn.request("GET", "/robots.txt")  # same socket: HTTP/1.1 keep-alive
        second = conn.getresponse()
        assert second.status == 200 and second.read().startswith(b"# robots.txt")
    finally:
        conn.close()
    assert hashlib.sha256(about).hexdigest() == site.manifest()[site.url + "about/"]["sha256"]


def test_alternate_urls_serve_the_same_story(site, articles):
    amp = by_feature(articles, "/amp/")
    amp_url = next(u for u in amp.alternate_urls if "/amp/" in u)
    _, _, body = fetch(amp_url)
    amp_page = body.decode()
    assert "<html amp" in amp_page and f'<link rel="canonical" href="{amp.url}">' in amp_page
    _, _, canonical = fetch(amp.url)
    assert f'href="{urlsplit(amp_url).path}"' in canonical.decode()
    for tag_free in amp.text.split("\n\n")[:2]:
        assert tag_free.split(",")[0] in amp_page
    tracked = by_feature(articles, "fbclid=")
    variants = [u for u in tracked.alternate_urls if "?" in u]
    assert {parse_qsl(urlsplit(u).query)[0][0] for u in variants} == {"utm_source", "fbclid"}
    _, _, plain = fetch(tracked.url)
    assert all(fetch(u)[2] == plain for u in variants)


def test_amp_copy_extracts_to_identical_text(site, articles):
    trafilatura = pytest.importorskip("trafilatura")
    amp = by_feature(articles, "/amp/")
    amp_url = next(u for u in amp.alternate_urls if "/amp/" in u)
    texts = [trafilatura.extract(fetch(u)[2].decode()) for u in (amp.url, amp_url)]
    assert texts[0] and texts[0] == texts[1]


def test_manifest_matches_what_is_served(site):
    manifest = site.manifest()
    assert not any("utm_" in u or "fbclid" in u or "/private/" in u for u in manifest)
    assert manifest[site.redirect_url()]["status"] == 301
    assert manifest[site.missing_url()]["status"] == 404
    statuses = {}
    for url, expected in manifest.items():
        status, headers, body = fetch(url, Accept_Encoding="gzip")
        statuses[status] = statuses.get(status, 0) + 1
        assert status == expected["status"], url
        assert hashlib.sha256(decoded(headers, body)).hexdigest() == expected["sha256"], url
        for name, value in expected["headers"]:
            assert value in headers.get_all(name), (url, name)
    assert statuses[301] == 1 and statuses[404] == 1


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")
             and k != "fbclid"]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def test_manifest_is_exactly_what_a_polite_crawl_reaches(site):
    robots = RobotFileParser()
    robots.parse(site.router.route("/robots.txt").body.decode().splitlines())
    start = site.url
    seen, queue = set(), [start, start + "robots.txt"]
    while queue:
        url = _canonical(queue.pop())
        if url in seen or not url.startswith(start) or not robots.can_fetch("*", url):
            continue
        if urlsplit(url).path.startswith(("/static/", "/media/")):
            continue  # page requisites, which link-following crawlers do not fetch
        seen.add(url)
        response = site.router.route(url)
        text = response.body.decode("latin-1" if "8859" in response.content_type else "utf-8")
        found = [v for k, v in response.headers if k == "Location"]
        if "html" in response.content_type:
            parser = _Links()
            parser.feed(text)
            found += [urljoin(url, h) for h in parser.links if not h.startswith("#")]
        found += re.findall(r"<(?:loc|link)>(.*?)</", text)
        found += re.findall(r"^Sitemap: (\S+)", text, re.MULTILINE)
        queue += [u for u in found if u.startswith("http")]
    assert seen == set(site.manifest())


def test_pages_are_deterministic_across_processes():
    script = ("import hashlib; from demosite.routes import Router; r = Router("
              "'http://127.0.0.1:1/'); print(hashlib.sha256(b''.join(r.route(p).body "
              "for p in r.manifest_paths())).hexdigest())")
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True, timeout=60)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_two_sites_get_different_ports_and_stop_releases_the_port():
    with DemoSite() as a, DemoSite() as b:
        assert a.url != b.url
        assert a.manifest()[a.url]["sha256"] != b.manifest()[b.url]["sha256"]  # absolute links
        port = urlsplit(a.url).port
        # A keep-alive connection left open must not keep the server alive.
        parts = urlsplit(a.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        conn.request("GET", "/")
        conn.getresponse().read()
    conn.close()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))


def test_main_serve_prints_url_and_exits_zero_on_ctrl_c():
    script = "from demosite.server import main_serve; raise SystemExit(main_serve())"
    # -X faulthandler: if it does not stop, SIGABRT makes it print where each thread is
    proc = subprocess.Popen([sys.executable, "-X", "faulthandler", "-c", script], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.fullmatch(r"demo site: (http://127\.0\.0\.1:\d+/)\n", line)
        assert m, line
        with urllib.request.urlopen(m.group(1) + "robots.txt") as r:
            assert r.status == 200
            r.read()
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            proc.wait(timeout=10)
            raise AssertionError("still running 30 s after Ctrl-C (here: SIGINT %s, blocked %s):\n%s" % (
                signal.getsignal(signal.SIGINT), signal.pthread_sigmask(signal.SIG_BLOCK, []),
                proc.stderr.read())) from None
        assert code == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_newsarchive(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_a_second_demo_on_the_same_port_is_an_incremental_crawl(tmp_path: Path) -> None:
    port = free_port()
    reports = []
    for _ in range(2):
        proc = run_newsarchive("demo", "--root", str(tmp_path), "--port", str(port))
        assert proc.returncode == 0, proc.stderr
        assert "demo site serving at http://127.0.0.1:%d/" % port in proc.stdout
        reports = [json.loads(p.read_text()) for p in sorted((tmp_path / "demo" / "runs").glob("*.json"))]
    first, second = reports
    assert first["articles"] >= 30
    assert second["articles"] == 0  # every article known: none written again
    assert second["requests"] * 4 < first["requests"]  # only the fronts, feeds and sitemaps again
    items = [json.loads(line) for f in (tmp_path / "demo" / "items").glob("*.jsonl")
             for line in f.read_text().splitlines()]
    assert len(items) == first["articles"]
    assert {urlsplit(i["url"]).port for i in items} == {port}


def test_demo_says_so_in_one_line_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        demo = run_newsarchive("demo", "--root", str(tmp_path / "c"), "--port", str(port))
        site = run_newsarchive("demo-site", "--port", str(port))
    assert demo.returncode == 1 and site.returncode == 1
    assert demo.stderr == ("newsarchive demo: cannot serve on 127.0.0.1:%d: Address already in use (another demo"
                           " still running? choose a port with --port N)\n" % port)
    assert site.stderr == ("newsarchive demo-site: cannot serve on 127.0.0.1:%d: Address already in use (choose"
                           " another with --port)\n" % port)
    assert not (tmp_path / "c").exists()  # nothing created


def test_demo_has_a_stable_default_port_and_takes_only_real_ports() -> None:
    from crawler.cli import build_parser
    assert build_parser().parse_args(["demo"]).port == build_parser().parse_args(["demo"]).port > 1024
    for command in ("demo", "demo-site"):
        proc = run_newsarchive(command, "--port", "70000")
        assert proc.returncode == 2
        assert proc.stderr.strip().endswith("'70000' is not a port (0 to 65535) (see --help)")
