"""The bench site's "requisites" variant: articles that need what a real news page needs to render.

The text of each article is the ground-truth body of a real page (../shared/eval, cycled as
distinct copies the way corpus.py makes them), in one site-wide template that references:

  shared, on the site:  /static/css/site.css (~45 KB; it @imports components.css, ~12 KB),
                        /static/js/app.js (~120 KB), /static/img/logo.svg, /favicon.ico,
                        /static/img/touch-icon.png, a header background image
  shared, on the "CDN": three web fonts, each as woff2 and woff (20-40 KB), one more font from
                        the @imported sheet (3 embed hops: page -> CSS -> @import -> font),
                        an icon sprite, /js/vendor.js (~80 KB)
  per article, on the CDN: a lead image in three widths (src + srcset, og:image is the widest),
                        and two inline images in the body (30-200 KB each)

Listing pages carry the same shared head and a thumbnail (the lead image's smallest width) per
story. The CDN is a second host (127.0.0.2, its own robots.txt). Image and font bytes are random
but deterministic: a unique header (JPEG/PNG/WOFF magic and the asset's name) before a slice of a
shared random pool, so every asset has its own payload digest without holding ~400 KB of bytes per
article in memory. Only the text-like assets (CSS, JS, SVG, HTML) are served gzipped, as servers do.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path

from corpus import MissingCorpus, article_path, marker, words

SPRINKLE_EVERY = 4  # a made-up word after every 4th word: each copy's text is its own (see corpus.py)
LEAD_WIDTHS = ((480, 270, 30_000, 45_000), (960, 540, 70_000, 110_000), (1600, 900, 140_000, 200_000))
INLINE_SIZES = (30_000, 90_000)
INLINE_IMAGES = 2
FONT_SIZES = (20_000, 40_000)
POOL_BYTES = 1 << 18  # each random slice of an image or font is cut from this (256 KB)
POOL_COUNT = 8
MODE = "requisites"

_JPEG_MAGIC = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_MAGIC = {"image/jpeg": _JPEG_MAGIC, "image/png": _PNG_MAGIC, "font/woff2": b"wOF2\x00\x01\x00\x00",
          "font/woff": b"wOFF\x00\x01\x00\x00", "image/x-icon": b"\x00\x00\x01\x00\x01\x00"}


@dataclass(frozen=True)
class Asset:
    """One response body: `parts` go to the socket as they are (a header and a pool slice)."""

    content_type: str
    parts: tuple[bytes | memoryview, ...]
    text: bool  # served gzipped when the client accepts it

    @property
    def size(self) -> int:
        return sum(len(p) for p in self.parts)


@dataclass(frozen=True)
class Story:
    headline: str
    author: str
    date: str
    paragraphs: tuple[str, ...]


def load_stories(eval_dir: Path) -> list[Story]:
    """The ground-truth text of every evaluation page (read at run time, never copied)."""
    paths = sorted(eval_dir.glob("*/pages/*.json"))
    stories = []
    for path in paths:
        meta = json.loads(path.read_text("utf-8"))
        body = str(meta.get("articleBody") or "")
        paragraphs = tuple(p.strip() for p in body.split("\n") if p.strip())
        if not paragraphs:
            continue
        headline = str(meta.get("headline") or " ".join(paragraphs[0].split()[:12]))
        stories.append(Story(headline, str(meta.get("author") or "Bench Desk"),
                             str(meta.get("datePublished") or "2025-01-01")[:10], paragraphs))
    if not stories:
        raise MissingCorpus("no article texts at %s/*/pages/*.json: the requisites site reads the shared "
                            "evaluation pages (see /work/shared/eval/README.md); pass --eval-dir" % eval_dir)
    return stories


class Pool:
    """Deterministic random bytes to cut binary bodies from."""

    def __init__(self) -> None:
        self._blocks = [memoryview(random.Random("pool-%d" % i).randbytes(POOL_BYTES))
                        for i in range(POOL_COUNT)]

    def binary(self, content_type: str, name: str, size: int) -> Asset:
        head = _MAGIC.get(content_type, b"") + ("bench asset %s\n" % name).encode("utf-8")
        block = self._blocks[sum(name.encode("utf-8")) % POOL_COUNT]
        size = max(len(head), min(size, len(head) + POOL_BYTES))
        return Asset(content_type, (head, block[: size - len(head)]), False)


def _text(content_type: str, body: str) -> Asset:
    return Asset(content_type, (body.encode("utf-8"),), True)


# -- the shared requisites ----------------------------------------------------------------
FONTS = (("Bench Serif", 400, "normal", "bench-serif-regular"), ("Bench Serif", 700, "normal", "bench-serif-bold"),
         ("Bench Sans", 400, "italic", "bench-sans-italic"))
ICON_FONT = "bench-icons"


def _rules(rng: random.Random, prefix: str, target: int) -> str:
    """Declarations of the kind a site's CSS is made of, until about `target` characters."""
    props = ["margin: 0 0 %dpx", "padding: %dpx %dpx", "font-size: %d.%drem", "line-height: 1.%d",
             "color: #%06x", "border-bottom: 1px solid #%06x", "max-width: %dpx", "gap: %dpx",
             "grid-template-columns: repeat(%d, 1fr)", "letter-spacing: .0%dem", "z-index: %d"]
    out, size, k = [], 0, 0
    while size < target:
        chosen = rng.sample(props, rng.randint(3, 6))
        body = "; ".join(p % tuple(rng.randint(1, 999) if "#" not in p else rng.randint(0, 0xFFFFFF)
                                   for _ in range(p.count("%"))) for p in chosen)
        rule = ".%s-%s__%s-%d { %s }\n" % (prefix, rng.choice(["story", "teaser", "nav", "card", "meta"]),
                                          rng.choice(["title", "body", "media", "link", "list"]), k, body)
        if k % 40 == 0:
            rule = "@media (min-width: %dpx) {\n  %s}\n" % (rng.choice([600, 900, 1200]), rule)
        out.append(rule)
        size += len(rule)
        k += 1
    return "".join(out)


def _site_css(cdn: str) -> str:
    faces = "".join(
        '@font-face { font-family: "%s"; font-weight: %d; font-style: %s; font-display: swap;\n'
        '  src: url("%s/fonts/%s.woff2") format("woff2"), url(%s/fonts/%s.woff) format("woff"); }\n'
        % (family, weight, style, cdn, name, cdn, name) for family, weight, style, name in FONTS)
    return ('@charset "utf-8";\n@import url("components.css");\n/* Bench Times site styles */\n' + faces +
            "body { margin: 0; font: 400 1.0625rem/1.6 \"Bench Serif\", Georgia, serif; color: #1b1b1b }\n"
            ".site-header { background: #102a43 url(\"../img/header-bg.jpg\") center / cover no-repeat }\n"
            ".icon { background-image: url('%s/img/icons-sprite.png'); width: 24px; height: 24px }\n"
            ".rule { background: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=) repeat-x }\n"
            "h1, h2 { font-family: \"Bench Sans\", Helvetica, sans-serif; font-weight: 700 }\n"
            ".lead img, .inline img { width: 100%%; height: auto }\n" % cdn
            + _rules(random.Random("site.css"), "c", 45_000))


def _components_css(cdn: str) -> str:
    return ('@font-face { font-family: "%s"; src: url("%s/fonts/%s.woff2") format("woff2"); }\n'
            '[class^="i-"]::before { font-family: "%s"; speak: never }\n' % (ICON_FONT, cdn, ICON_FONT, ICON_FONT)
            + _rules(random.Random("components.css"), "k", 12_000))


def _script(seed: str, size: int) -> str:
    rng = random.Random(seed)
    out, k = ["/*! %s, bench build */\n\"use strict\";\n" % seed], 0
    while sum(len(s) for s in out) < size:
        names = words(rng, 4)
        out.append("function %s_%d(%s, %s) { const %s = %s.querySelectorAll(\".%s\"); "
                   "for (const e of %s) { e.dataset.%s = String(%s + %d); } return %s.length; }\n"
                   % (names[0], k, names[1], names[2], names[3], names[1], names[0], names[3], names[2],
                      names[2], rng.randint(0, 99_999), names[3]))
        k += 1
    return "".join(out)


_LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 180 40" width="180" height="40">'
         '<title>Bench Times</title>%s<text x="44" y="28" font-family="Georgia" font-size="22" '
         'fill="#102a43">Bench Times</text></svg>')


def shared_assets(cdn: str, pool: Pool) -> tuple[dict[str, Asset], dict[str, Asset]]:
    """(the site's own, the CDN's) shared requisites, by path."""
    rng = random.Random("logo")
    paths = "".join('<path d="M%d %d l%d %d l%d %d z" fill="#%06x"/>' % (
        rng.randint(0, 40), rng.randint(0, 40), rng.randint(-9, 9), rng.randint(-9, 9), rng.randint(-9, 9),
        rng.randint(-9, 9), rng.randint(0, 0xFFFFFF)) for _ in range(120))
    site = {
        "/static/css/site.css": _text("text/css; charset=utf-8", _site_css(cdn)),
        "/static/css/components.css": _text("text/css; charset=utf-8", _components_css(cdn)),
        "/static/js/app.js": _text("application/javascript; charset=utf-8", _script("app.js", 120_000)),
        "/static/img/logo.svg": _text("image/svg+xml", _LOGO % paths),
        "/static/img/header-bg.jpg": pool.binary("image/jpeg", "header-bg", 48_000),
        "/static/img/touch-icon.png": pool.binary("image/png", "touch-icon", 9_000),
        "/favicon.ico": pool.binary("image/x-icon", "favicon", 5_430),
    }
    cdn_assets = {
        "/js/vendor.js": _text("application/javascript; charset=utf-8", _script("vendor.js", 80_000)),
        "/img/icons-sprite.png": pool.binary("image/png", "icons-sprite", 16_000),
        "/robots.txt": _text("text/plain", "User-agent: *\nAllow: /\n"),
    }
    rng = random.Random("fonts")
    for name in [f[3] for f in FONTS] + [ICON_FONT]:
        cdn_assets["/fonts/%s.woff2" % name] = pool.binary("font/woff2", name, rng.randint(*FONT_SIZES))
        if name != ICON_FONT:
            cdn_assets["/fonts/%s.woff" % name] = pool.binary("font/woff", name + "-woff",
                                                              rng.randint(*FONT_SIZES) + 8_000)
    return site, cdn_assets


# -- per article --------------------------------------------------------------------------
def lead_path(n: int, width: int) -> str:
    return "/img/lead/%d-%dw.jpg" % (n, width)


def inline_path(n: int, k: int) -> str:
    return "/img/body/%d-%d.jpg" % (n, k)


def article_images(n: int, pool: Pool) -> Iterator[tuple[str, Asset]]:
    rng = random.Random("images-%d" % n)
    for width, _, low, high in LEAD_WIDTHS:
        yield lead_path(n, width), pool.binary("image/jpeg", "lead-%d-%d" % (n, width), rng.randint(low, high))
    for k in range(INLINE_IMAGES):
        yield inline_path(n, k), pool.binary("image/jpeg", "body-%d-%d" % (n, k), rng.randint(*INLINE_SIZES))


def _head(title: str, cdn: str, extra: str = "") -> str:
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>%s | Bench Times</title>%s"
            '<link rel="preconnect" href="%s">'
            '<link rel="preload" as="font" type="font/woff2" href="%s/fonts/bench-serif-regular.woff2" crossorigin>'
            '<link rel="stylesheet" href="/static/css/site.css">'
            '<link rel="icon" href="/favicon.ico" sizes="32x32">'
            '<link rel="apple-touch-icon" href="/static/img/touch-icon.png">'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml">'
            '<script src="%s/js/vendor.js" defer></script><script src="/static/js/app.js" defer></script>'
            "</head>" % (escape(title), extra, cdn, cdn, cdn))


_MASTHEAD = ('<header class="site-header"><a class="brand" href="/"><img src="/static/img/logo.svg" '
             'alt="Bench Times" width="180" height="40"></a><nav class="sections">%s</nav></header>'
             % "".join('<a href="/archive/page/%d"><span class="icon i-%s"></span>%s</a>' % (k, s.lower(), s)
                       for k, s in enumerate(["World", "Politics", "Business", "Science", "Culture"], 1)))
_FOOTER = ('<footer class="site-footer"><p>&copy; Bench Times. Pages of this site are copies of news text '
           'for benchmarking.</p><a href="/feed.xml">RSS</a></footer></body></html>')


def _srcset(cdn: str, n: int) -> str:
    return ", ".join("%s%s %dw" % (cdn, lead_path(n, w), w) for w, _, _, _ in LEAD_WIDTHS)


def article_html(n: int, story: Story, cdn: str) -> bytes:
    """Copy n of `story`: made-up words sprinkled in and a marker paragraph, in the site template."""
    rng = random.Random(-1 - n)
    paragraphs = []
    for text in story.paragraphs:
        tokens = text.split(" ")
        extra = words(rng, len(tokens) // SPRINKLE_EVERY)
        for i, word in reversed(list(enumerate(extra, 1))):
            tokens.insert(i * SPRINKLE_EVERY, word)
        paragraphs.append("<p>%s</p>" % escape(" ".join(tokens)))
    paragraphs.insert(min(len(paragraphs), 3), marker(n).decode("ascii"))
    for k in range(INLINE_IMAGES):
        at = min(len(paragraphs), 2 + (k + 1) * len(paragraphs) // (INLINE_IMAGES + 1))
        paragraphs.insert(at, '<figure class="inline"><img src="%s%s" alt="" loading="lazy" width="800" '
                              'height="450"><figcaption>Picture %d of story %d.</figcaption></figure>'
                          % (cdn, inline_path(n, k), k + 1, n))
    lead_w, lead_h = LEAD_WIDTHS[1][:2]
    headline = escape(story.headline)
    extra = ('<meta property="og:type" content="article"><meta property="og:title" content="%s">'
             '<meta property="og:image" content="%s%s"><meta name="author" content="%s">'
             '<meta property="article:published_time" content="%s">'
             % (headline, cdn, lead_path(n, LEAD_WIDTHS[-1][0]), escape(story.author), story.date))
    return (_head(story.headline, cdn, extra) + "<body>" + _MASTHEAD +
            '<main><article><h1>%s</h1><p class="byline">By %s, <time datetime="%s">%s</time></p>'
            '<figure class="lead"><img src="%s%s" srcset="%s" sizes="(max-width: 600px) 480px, 960px" '
            'alt="" width="%d" height="%d"><figcaption>The lead picture of story %d.</figcaption></figure>'
            '<div class="article-body">%s</div></article></main>'
            % (headline, escape(story.author), story.date, story.date, cdn, lead_path(n, lead_w),
               _srcset(cdn, n), lead_w, lead_h, n, "".join(paragraphs))
            + _FOOTER).encode("utf-8")


def listing_html(k: int, last: int, numbers: list[int], cdn: str) -> bytes:
    """Listing page k: a teaser with a thumbnail per story, then the pager."""
    window = sorted({1, last, *range(max(1, k - 3), min(last, k + 3) + 1)} - {k})
    pager = "".join('<a class="page" href="/archive/page/%d">%d</a> ' % (p, p) for p in window)
    if k < last:
        pager += '<a class="page" rel="next" href="/archive/page/%d">next</a>' % (k + 1)
    stories = "".join(
        '<li class="teaser"><img src="%s%s" alt="" width="240" height="135" loading="lazy">'
        '<a class="story" href="%s">Bench story number %d today</a></li>'
        % (cdn, lead_path(n, LEAD_WIDTHS[0][0]), article_path(n, MODE), n) for n in numbers)
    return (_head("Archive page %d" % k, cdn) + "<body>" + _MASTHEAD +
            "<main><ul>%s</ul><nav>%s</nav></main>" % (stories, pager) + _FOOTER).encode("utf-8")
