"""Headless Chromium for the replay tests: render a page (live, through pywb, through ReplayWeb.page),
screenshot it, say what loaded, and compare two screenshots pixel by pixel.

Chromium is Debian's package driven over the DevTools protocol by Playwright's Python API (its own
browser download is not needed). ReplayWeb.page is the `npm pack replaywebpage` tarball's ui.js and
sw.js, which `make test` puts in .venv/replaywebpage/.
"""
from __future__ import annotations

import html
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops

REPO = Path(__file__).resolve().parent.parent
REQUIRE_ENV = "NEWSARCHIVE_REQUIRE_BROWSER"
CHROMIUM_ENV = "NEWSARCHIVE_CHROMIUM"
REPLAYWEBPAGE_ENV = "NEWSARCHIVE_REPLAYWEBPAGE"
SCREENSHOTS_ENV = "NEWSARCHIVE_SCREENSHOTS"
REPLAYWEBPAGE_DIR = REPO / ".venv" / "replaywebpage"

VIEWPORT = {"width": 1280, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Long enough for ReplayWeb.page to open a WACZ on a loaded two-core machine; not a timing assert.
SETTLE_TIMEOUT_MS = 90_000


def unavailable(reason: str) -> None:
    """Skip the calling test for `reason`, or fail it where CI says the browser must be there."""
    if os.environ.get(REQUIRE_ENV, "") not in ("", "0"):
        pytest.fail("%s (and %s is set)" % (reason, REQUIRE_ENV))
    pytest.skip(reason)


def chromium_path() -> str:
    """Debian's chromium (or $NEWSARCHIVE_CHROMIUM); skips or fails the test when there is none."""
    found = os.environ.get(CHROMIUM_ENV) or shutil.which("chromium")
    if not found:
        unavailable("no chromium on PATH (apt-get install chromium, or set %s)" % CHROMIUM_ENV)
    assert found is not None
    return found


def replaywebpage_dir() -> Path:
    """The folder holding ReplayWeb.page's ui.js and sw.js; skips or fails the test without them."""
    folder = Path(os.environ.get(REPLAYWEBPAGE_ENV) or REPLAYWEBPAGE_DIR)
    if not ((folder / "ui.js").is_file() and (folder / "sw.js").is_file()):
        unavailable("ReplayWeb.page's ui.js and sw.js are not in %s (make test fetches them with "
                    "npm pack; set %s to another folder)" % (folder, REPLAYWEBPAGE_ENV))
    return folder


# Everything the page asked for and whether it arrived: the test's proof of "styled, with images".
# Lazy images are made eager first, so every image of the page must come from the archive.
_SETTLE_AND_DESCRIBE = """async () => {
  for (const img of document.images) { if (img.loading === 'lazy') img.loading = 'eager'; }
  await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
  await document.fonts.ready;
  const sheets = [];
  const walk = (sheet) => {
    let rules = -1;
    try { rules = sheet.cssRules.length; } catch (e) { rules = -1; }
    sheets.push({href: sheet.href, rules: rules});
    if (rules > 0) {
      for (const rule of sheet.cssRules) { if (rule.styleSheet) walk(rule.styleSheet); }
    }
  };
  for (const sheet of document.styleSheets) walk(sheet);
  const brokenLinks = [...document.querySelectorAll('link[rel~="stylesheet"]')]
    .filter(link => !link.sheet).map(link => link.href);
  const backgrounds = new Set();
  for (const el of document.querySelectorAll('*')) {
    const bg = getComputedStyle(el).backgroundImage;
    for (const m of bg.matchAll(/url\\("?([^")]+)"?\\)/g)) backgrounds.add(m[1]);
  }
  const loadsImage = (src) => new Promise(resolve => {
    const probe = new Image();
    probe.onload = () => resolve(probe.naturalWidth > 0);
    probe.onerror = () => resolve(false);
    probe.src = src;
  });
  const bgLoaded = await Promise.all([...backgrounds].map(loadsImage));
  const failed = performance.getEntriesByType('resource')
    .filter(e => e.responseStatus >= 400).map(e => e.name + ' ' + e.responseStatus);
  return {
    title: document.title,
    text_length: document.body ? document.body.innerText.trim().length : 0,
    sheets: sheets,
    broken_stylesheet_links: brokenLinks,
    fonts_loaded: [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family),
    fonts_failed: [...document.fonts].filter(f => f.status === 'error').map(f => f.family),
    images: [...document.images].map(img => ({src: img.currentSrc || img.src, width: img.naturalWidth})),
    backgrounds: [...backgrounds].map((src, i) => ({src: src, loaded: bgLoaded[i]})),
    failed_resources: failed,
  };
}"""


@dataclass
class Rendering:
    """One page as Chromium showed it: the screenshot and what the page says loaded."""

    name: str
    screenshot: Path
    facts: dict[str, Any]
    seconds: float
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def requests_to(self, origin: str) -> list[str]:
        """The requests the browser sent to `origin` (for a replay: what escaped the archive)."""
        return [url for url in self.requests if url.startswith(origin)]

    @property
    def styled_sheets(self) -> int:
        return sum(1 for s in self.facts["sheets"] if s["href"] and s["rules"] > 0)

    def problems(self) -> list[str]:
        """What keeps this rendering from being "styled, with images"; empty when nothing does."""
        facts, said = self.facts, []
        if self.styled_sheets == 0:
            said.append("no external stylesheet with rules applied")
        said += ["stylesheet %s has no readable rules" % s["href"] for s in facts["sheets"]
                 if s["href"] and s["rules"] <= 0]
        said += ["stylesheet link %s did not load" % href for href in facts["broken_stylesheet_links"]]
        if not facts["fonts_loaded"]:
            said.append("no web font loaded")
        said += ["web font %s failed" % family for family in facts["fonts_failed"]]
        said += ["image %s did not load" % img["src"] for img in facts["images"] if img["width"] <= 0]
        said += ["background image %s did not load" % bg["src"] for bg in facts["backgrounds"]
                 if not bg["loaded"]]
        said += ["request failed: %s" % name for name in facts["failed_resources"]]
        return said


@dataclass(frozen=True)
class Difference:
    """How far two same-sized screenshots are apart."""

    differing: int
    total: int
    max_channel: int

    @property
    def fraction(self) -> float:
        return self.differing / self.total

    def __str__(self) -> str:
        return "%.3f%% of pixels differ (%d of %d; largest channel difference %d)" % (
            100 * self.fraction, self.differing, self.total, self.max_channel)


def compare(a: Path, b: Path, channel_threshold: int) -> Difference:
    """Pixels whose largest R/G/B difference exceeds `channel_threshold` are counted as differing."""
    with Image.open(a) as first, Image.open(b) as second:
        one, two = first.convert("RGB"), second.convert("RGB")
    if one.size != two.size:
        raise AssertionError("screenshots differ in size: %s %s, %s %s" % (a.name, one.size, b.name, two.size))
    bands = ImageChops.difference(one, two).split()
    largest = ImageChops.lighter(ImageChops.lighter(bands[0], bands[1]), bands[2])
    histogram = largest.histogram()
    differing = sum(histogram[channel_threshold + 1:])
    max_channel = max((v for v, n in enumerate(histogram) if n), default=0)
    return Difference(differing, one.size[0] * one.size[1], max_channel)


@contextmanager
def chromium() -> Iterator[Any]:
    """A fresh headless Chromium (a new empty profile each time), closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser: Any, block: tuple[str, ...], errors: list[str], requests: list[str]) -> Any:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    # every request of every frame and worker of the context, service worker included
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(SETTLE_TIMEOUT_MS)
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    if block:
        page.route("**/*", lambda route: route.abort() if route.request.resource_type in block
                   else route.continue_())
    return page


def render(name: str, url: str, out: Path, block: tuple[str, ...] = ()) -> Rendering:
    """`url` opened as a top-level page; `block` lists resource types to refuse (e.g. "stylesheet")."""
    started = time.monotonic()
    errors: list[str] = []
    requests: list[str] = []
    with chromium() as browser:
        page = _new_page(browser, block, errors, requests)
        page.goto(url, wait_until="load")
        facts = page.evaluate(_SETTLE_AND_DESCRIBE)
        page.screenshot(path=str(out))
    return Rendering(name, out, facts, time.monotonic() - started, errors, requests)


def render_embedded(name: str, page_url: str, target_url: str, out: Path) -> Rendering:
    """The embedding page at `page_url` (see EmbeddingSite) opened; once the frame replaying
    `target_url` has loaded with its fonts and images, the viewport is shot."""
    started = time.monotonic()
    errors: list[str] = []
    requests: list[str] = []
    with chromium() as browser:
        page = _new_page(browser, (), errors, requests)
        page.goto(page_url, wait_until="load")
        frame = _replayed_frame(page, target_url, out)
        frame.wait_for_load_state("load")
        facts = frame.evaluate(_SETTLE_AND_DESCRIBE)
        page.screenshot(path=str(out))
    return Rendering(name, out, facts, time.monotonic() - started, errors, requests)


def _replayed_frame(page: Any, target_url: str, out: Path) -> Any:
    """The frame replaying `target_url`: its URL is .../<timestamp>mp_/<target_url> in both
    pywb and ReplayWeb.page. Without one in time, what the page shows is shot to `out`."""
    deadline = time.monotonic() + SETTLE_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if frame.url.endswith("mp_/" + target_url):
                return frame
        page.wait_for_timeout(200)
    page.screenshot(path=str(out))
    raise AssertionError("no frame replaying %s (what showed instead: %s); frames: %s" % (
        target_url, out, [f.url for f in page.frames]))


# Both embeddings fill the viewport, so the replayed page gets the same 1280x900 as the live one.
_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>replay</title>%(head)s
<style>html, body { margin: 0; height: 100%%; overflow: hidden; }
replay-web-page, iframe { position: fixed; inset: 0; width: 100vw; height: 100vh; border: 0; }</style>
</head><body>
%(body)s
</body></html>
"""
_RWP_HEAD = '<script src="ui.js"></script>'
# <replay-web-page> opens its iframe as soon as its service worker is registered, not once it is
# active: on a busy machine that first navigation misses the worker (the frame got the static
# server's answer for replay/ and stayed empty). So the page registers the very same worker
# (same script URL and scope, so the component's own registration changes nothing) and adds the
# component once the worker is activated: the state a returning visitor's browser is in.
_RWP_BODY = """<script>
(async () => {
  const reg = await navigator.serviceWorker.register("./replay/sw.js?serveIndex=1", {scope: "./replay/"});
  const worker = reg.installing || reg.waiting || reg.active;
  if (worker.state !== "activated") {
    await new Promise(done => worker.addEventListener("statechange",
      () => { if (worker.state === "activated") done(); }));
  }
  const embed = document.createElement("replay-web-page");
  embed.setAttribute("source", %s);
  embed.setAttribute("url", %s);
  embed.setAttribute("embed", "replayonly");
  document.body.appendChild(embed);
})();
</script>"""
_FRAME_BODY = '<iframe src="%s"></iframe>'


class _StaticHandler(SimpleHTTPRequestHandler):
    """Static files with single-range requests: ReplayWeb.page reads a WACZ by ranges."""

    extensions_map = {**SimpleHTTPRequestHandler.extensions_map,
                      ".js": "application/javascript", ".wacz": "application/wacz+zip"}

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def list_directory(self, path: Any) -> None:
        # a frame that reaches the server instead of ReplayWeb.page's worker is a plain 404
        self.send_error(404, "no listing")
        return None

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self) -> Any:
        self._remaining: int | None = None
        wanted = self.headers.get("Range", "")
        path = Path(self.translate_path(self.path))
        if not wanted.startswith("bytes=") or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first_text, _, last_text = wanted[len("bytes="):].split(",")[0].partition("-")
        if first_text:
            first, last = int(first_text), min(int(last_text) if last_text else size - 1, size - 1)
        else:
            first, last = max(size - int(last_text), 0), size - 1
        if first > last:
            self.send_response(416)
            self.send_header("Content-Range", "bytes */%d" % size)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        fh = open(path, "rb")  # closed by do_GET once copyfile has sent the range
        fh.seek(first)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", "bytes %d-%d/%d" % (first, last, size))
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        self._remaining = last - first + 1
        return fh

    def copyfile(self, source: Any, outputfile: Any) -> None:
        remaining = self._remaining
        if remaining is None:
            super().copyfile(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(remaining, 64 * 1024))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


class EmbeddingSite:
    """Pages that embed a replay, served from a folder on 127.0.0.1 (a secure origin, so
    ReplayWeb.page's service worker may run there).

    pywb's frameless `mp_` page must be framed too: shown as a top-level page, its wombat.js
    moves to pywb's own top frame with its banner, and the page is no longer comparable."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        handler = lambda *a, **kw: _StaticHandler(*a, directory=str(folder), **kw)  # noqa: E731
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d/" % self._httpd.server_address[1]

    def replaywebpage(self, wacz: Path, target_url: str, name: str) -> str:
        """A page `name`.html showing `target_url` in ReplayWeb.page from (a copy of) `wacz`; its URL.

        ui.js beside it, sw.js in replay/, where <replay-web-page> looks for it by default."""
        rwp = replaywebpage_dir()
        if not (self.folder / "ui.js").is_file():
            (self.folder / "replay").mkdir(exist_ok=True)
            shutil.copyfile(rwp / "ui.js", self.folder / "ui.js")
            shutil.copyfile(rwp / "sw.js", self.folder / "replay" / "sw.js")
        shutil.copyfile(wacz, self.folder / (name + ".wacz"))
        body = _RWP_BODY % (json.dumps(name + ".wacz"), json.dumps(target_url))
        return self._page(name, _RWP_HEAD, body)

    def frame(self, src: str, name: str) -> str:
        """A page `name`.html framing `src` over the whole viewport; its URL."""
        return self._page(name, "", _FRAME_BODY % html.escape(src))

    def _page(self, name: str, head: str, body: str) -> str:
        (self.folder / (name + ".html")).write_text(_PAGE % {"head": head, "body": body})
        return self.url + name + ".html"

    def __enter__(self) -> EmbeddingSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def keep_screenshot(rendering: Rendering, name: str) -> None:
    """Copy the screenshot to $NEWSARCHIVE_SCREENSHOTS/<name>.png when that is set (for README)."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(rendering.screenshot, Path(folder) / (name + ".png"))
