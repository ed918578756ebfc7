"""The demo site's page requisites, over real HTTP on 127.0.0.1: what a browser needs to show a
page styled (stylesheets, the web font they import, the masthead tile, the script, the icon, lead
images with srcset) is served, resolvable, cacheable, and the same bytes every time."""
from __future__ import annotations

import hashlib
import http.client
import io
import os
import re
import struct
import subprocess
import sys
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from demosite import DemoSite
from tests.browser import chromium_path

ROOT = Path(__file__).resolve().parents[1]

# path -> the Content-Type it must be served with
SHARED = {
    "/static/site.css": "text/css; charset=utf-8",
    "/static/fonts.css": "text/css; charset=utf-8",
    "/static/fonts/meridian-block.woff": "font/woff",
    "/static/masthead.png": "image/png",
    "/static/site.js": "text/javascript; charset=utf-8",
    "/favicon.ico": "image/vnd.microsoft.icon",
}
CSS_REFERENCE = re.compile(r"""@import\s+(?:url\()?\s*["']?([^"')\s;]+)|url\(\s*["']?([^"')\s]+)""")


@pytest.fixture(scope="module")
def site():
    with DemoSite() as s:
        yield s


def fetch(url: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One raw request: status, headers, body (no redirects followed, nothing decoded)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", parts.path, headers={k.replace("_", "-"): v for k, v in headers.items()})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


class _Requisites(HTMLParser):
    """What a browser would load for a page: stylesheets, icons, scripts, images and their
    srcset candidates, og:image; each <img> also kept whole to check its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"stylesheet": [], "icon": [], "script": [], "image": []}
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        rel = (a.get("rel") or "").split()
        if tag == "link" and "stylesheet" in rel:
            self.found["stylesheet"].append(a["href"] or "")
        elif tag == "link" and "icon" in rel:
            self.found["icon"].append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.found["script"].append(a["src"] or "")
        elif tag == "img":
            self.images.append(a)
            self.found["image"].append(a["src"] or "")
            for candidate in (a.get("srcset") or "").split(","):
                if candidate.strip():
                    self.found["image"].append(candidate.split()[0])
        elif tag == "meta" and a.get("property") == "og:image":
            self.found["image"].append(a["content"] or "")


def requisites_of(url: str, body: bytes, encoding: str = "utf-8") -> _Requisites:
    parser = _Requisites()
    parser.feed(body.decode(encoding))
    for kind, refs in parser.found.items():
        parser.found[kind] = [urljoin(url, r) for r in refs]
    return parser


def css_references(url: str, text: str) -> list[str]:
    """Absolute URLs of a stylesheet's @import and url() references, resolved against it."""
    return [urljoin(url, m[1] or m[2]) for m in CSS_REFERENCE.finditer(text)]


def test_each_requisite_is_served_with_its_content_type(site) -> None:
    article = site.articles()[0]
    sized = [article.image.replace(".png", f"-{w}w.png") for w in (480, 800, 1200)]
    expected = {site.url.rstrip("/") + p: t for p, t in SHARED.items()}
    expected.update({u: "image/png" for u in [article.image, *sized]})
    for url, content_type in expected.items():
        status, headers, body = fetch(url)
        assert status == 200, url
        assert headers["Content-Type"] == content_type, url
        assert int(headers["Content-Length"]) == len(body) > 0, url
        assert "Content-Encoding" not in headers, url
    for url in sized:  # each variant is the lead image at its stated width, 16:9
        width = int(re.search(r"-(\d+)w\.png$", url)[1])
        assert Image.open(io.BytesIO(fetch(url)[2])).size == (width, width * 9 // 16)
    assert fetch(article.image.replace(".png", "-640w.png"))[0] == 404  # no size but those three
    assert fetch(site.url + "media/no-such-story-800w.png")[0] == 404


def test_the_web_font_is_a_woff_with_every_character_a_headline_needs(site) -> None:
    status, headers, body = fetch(site.url + "static/fonts/meridian-block.woff")
    assert status == 200 and body[:4] == b"wOFF"
    font = TTFont(io.BytesIO(body))
    assert font.flavor == "woff"
    assert font["name"].getDebugName(1) == "Meridian Block"
    cmap = font.getBestCmap()
    wanted = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,:;!?'\"-()&/%$@"
              "\u2019\u201c\u201d\u2013\u2014\u00e9\u00fc")
    missing = [ch for ch in wanted if ord(ch) not in cmap]
    assert missing == []
    glyphs = font.getGlyphSet()
    for ch in "AMgz0?":  # drawn, not empty boxes; 'g' goes below the baseline
        glyph = font["glyf"][cmap[ord(ch)]]
        glyph.recalcBounds(font["glyf"])
        assert glyph.numberOfContours > 0 and glyphs[cmap[ord(ch)]].width > 0, ch
    g = font["glyf"][cmap[ord("g")]]
    assert g.yMin < 0 < g.yMax
    # blocky on purpose: every point of every outline sits on the 100-unit pixel grid
    coords = [c for name in font.getGlyphOrder() if name != ".notdef"
              for c in font["glyf"][name].getCoordinates(font["glyf"])[0]]
    assert coords and all(x % 100 == 0 and y % 100 == 0 for x, y in coords)
    # no date of building or saving: the head table claims the assets' fixed release
    assert font["head"].created == font["head"].modified == 3855168000  # 2026-03-01


def test_the_favicon_is_an_ico_wrapping_a_32_pixel_png(site) -> None:
    status, headers, body = fetch(site.url + "favicon.ico")
    assert status == 200
    reserved, kind, count = struct.unpack("<HHH", body[:6])
    assert (reserved, kind, count) == (0, 1, 1)
    width, height, _, _, planes, bits, size, offset = struct.unpack("<BBBBHHII", body[6:22])
    assert (width, height, planes, bits) == (32, 32, 1, 32)
    assert offset == 22 and offset + size == len(body)
    assert body[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
    icon = Image.open(io.BytesIO(body))
    assert icon.format == "ICO" and icon.size == (32, 32)
    colours = {c for _, c in icon.convert("RGB").getcolors(1024)}
    assert (255, 255, 255) in colours and len(colours) == 2  # the white "M" on its red ground


def test_every_css_reference_resolves_on_the_demo_site(site) -> None:
    seen: dict[str, str] = {}
    queue = [site.url + "static/site.css"]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        status, headers, body = fetch(url)
        assert status == 200, url
        seen[url] = headers["Content-Type"]
        if headers["Content-Type"].startswith("text/css"):
            queue += css_references(url, body.decode("utf-8"))
    base = site.url.rstrip("/")
    assert seen == {base + p: SHARED[p] for p in ("/static/site.css", "/static/fonts.css",
                                                   "/static/fonts/meridian-block.woff",
                                                   "/static/masthead.png")}
    # the references are relative: resolving them against the page instead breaks them
    article = site.articles()[0].url
    site_css = fetch(site.url + "static/site.css")[2].decode()
    assert all(fetch(u)[0] == 404 for u in css_references(article, site_css))


@pytest.mark.parametrize("path", [*SHARED, "image"])
def test_requisites_answer_conditional_requests_with_304(site, path: str) -> None:
    url = site.articles()[3].image if path == "image" else site.url.rstrip("/") + path
    status, headers, body = fetch(url)
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert etag == '"%s"' % hashlib.sha256(body).hexdigest()[:32]  # strong, from the bytes
    assert parsedate_to_datetime(modified).isoformat() == "2026-03-01T00:00:00+00:00"
    assert headers["Cache-Control"] == "public, max-age=86400"
    for conditions in ({"If-None-Match": etag}, {"If-None-Match": f'"other", {etag}'},
                       {"If-Modified-Since": modified},
                       {"If-Modified-Since": "Mon, 02 Mar 2026 00:00:00 GMT"}):
        status, headers, again = fetch(url, **conditions)
        assert (status, again) == (304, b""), conditions
        assert headers["ETag"] == etag and headers["Last-Modified"] == modified
        assert "Content-Length" not in headers or headers["Content-Length"] == "0"
    for conditions in ({"If-None-Match": '"other"'},
                       {"If-Modified-Since": "Sat, 28 Feb 2026 00:00:00 GMT"},
                       # If-None-Match wins: a stale tag gets the body whatever the date says
                       {"If-None-Match": '"other"', "If-Modified-Since": modified}):
        status, _, again = fetch(url, **conditions)
        assert (status, again) == (200, body), conditions


def test_every_page_references_stylesheet_script_icon_and_lead_images_with_srcset(site) -> None:
    base = site.url.rstrip("/")
    for article in site.articles():
        status, _, body = fetch(article.url)
        found = requisites_of(article.url, body, article.encoding)
        assert found.found["stylesheet"] == [base + "/static/site.css"], article.url
        assert found.found["script"] == [base + "/static/site.js"], article.url
        assert found.found["icon"] == [base + "/favicon.ico"], article.url
        (lead,) = [i for i in found.images if i.get("srcset")]
        assert lead["src"] == article.image.removeprefix(base)
        assert lead["sizes"] and lead["width"] and lead["height"]  # its box is known before it loads
        candidates = [c.split() for c in (lead["srcset"] or "").split(",")]
        assert [w for _, w in candidates] == ["480w", "800w", "1200w"], article.url
        assert article.image in found.found["image"]  # og:image too
    for front in (site.url, site.url + "section/world/"):
        found = requisites_of(front, fetch(front)[2])
        assert found.found["stylesheet"] == [base + "/static/site.css"]
        (top,) = [i for i in found.images if i.get("srcset")]
        assert top["width"] == "1200" and top["height"] == "675" and top["sizes"]


def test_requisite_urls_are_exactly_what_the_pages_and_their_stylesheets_reference(site) -> None:
    referenced: set[str] = set()
    for url, expected in site.manifest().items():
        if "html" not in expected["headers"][0][1] or expected["status"] != 200:
            continue
        status, headers, body = fetch(url)
        charset = headers.get_content_charset() or "utf-8"
        for refs in requisites_of(url, body, charset).found.values():
            referenced |= set(refs)
    stylesheets = [u for u in referenced if u.endswith(".css")]
    while stylesheets:
        sheet = stylesheets.pop()
        for ref in css_references(sheet, fetch(sheet)[2].decode()):
            if ref not in referenced:
                referenced.add(ref)
                stylesheets += [ref] if ref.endswith(".css") else []
    # nothing off the demo's own host: its AMP copy self-hosts the AMP runtime
    assert site.url + "static/amp/v0.js" in referenced
    assert referenced == set(site.requisite_urls())
    assert len(site.requisite_urls()) == len(set(site.requisite_urls())) == 7 + 4 * len(site.articles())
    with_requisites = site.manifest(requisites=True)
    for url in site.requisite_urls():
        status, headers, body = fetch(url)
        assert hashlib.sha256(body).hexdigest() == with_requisites[url]["sha256"], url
        assert all(v in headers.get_all(k) for k, v in with_requisites[url]["headers"]), url
    assert set(site.manifest()) | set(site.requisite_urls()) == set(with_requisites)


def test_requisite_bytes_are_the_same_in_every_process() -> None:
    """Two processes, two servers, each building its font and images afresh, a second apart."""
    script = ("import hashlib, sys, urllib.request; from demosite import DemoSite\n"
              "with DemoSite() as s:\n"
              "    for u in s.requisite_urls():\n"
              "        with urllib.request.urlopen(u) as r:\n"
              "            sys.stdout.write(u.split('/', 3)[3] + ' '\n"
              "                             + hashlib.sha256(r.read()).hexdigest() + '\\n')\n")
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        # faketime is not at hand: two runs are seconds apart, enough for a timestamp to show
        proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True, timeout=120)
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) > 100 and "static/fonts/meridian-block.woff " in outputs[0]


def test_chromium_shows_the_article_styled_with_font_image_and_script(site, tmp_path: Path) -> None:
    chromium = chromium_path()  # skips without chromium, fails where CI requires it
    sync_api = pytest.importorskip("playwright.sync_api")
    article = next(a for a in site.articles() if a.template == "ld")
    words = sum(len(p.split()) for p in article.text.split("\n\n"))
    failed: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
            page.goto(article.url, wait_until="networkidle")
            page.evaluate("document.fonts.ready")
            facts = page.evaluate("""() => ({
                root: document.documentElement.className,
                fonts: [...document.fonts].map(f => f.family + ' ' + f.status),
                headline: getComputedStyle(document.querySelector('h1')).fontFamily,
                band: getComputedStyle(document.querySelector('.site-header')).backgroundImage,
                badge: (document.querySelector('.reading-time') || {}).textContent,
                lead: [...document.querySelectorAll('img[srcset]')].map(
                    i => [i.currentSrc, i.naturalWidth, i.getBoundingClientRect().height]),
                sheets: document.styleSheets.length,
            })""")
            page.screenshot(path=str(tmp_path / "article.png"))
        finally:
            browser.close()
    assert failed == []
    assert facts["root"] == "js"
    assert facts["fonts"] == ["Meridian Block loaded"]
    assert facts["headline"].startswith('"Meridian Block"')
    assert "/static/masthead.png" in facts["band"]
    assert facts["badge"] == f"Reading time: {max(1, int(words / 200 + 0.5))} min"  # Math.round
    ((src, natural, height),) = facts["lead"]
    assert re.search(r"-(480|800|1200)w\.png$", src) and natural > 0 and height > 200
    # the screenshot is mostly not the page's paper colour: header band, image, type
    shot = Image.open(tmp_path / "article.png").convert("RGB")
    paper = sum(n for n, c in shot.getcolors(1 << 20) if c == (0xFB, 0xFA, 0xF7))
    assert paper < 0.8 * shot.width * shot.height
