"""Page requisites of the demo site: stylesheets, script, and deterministic PNG and ICO images.

Everything here is generated from constants, so the same request gets the same bytes in every
process: a crawl can capture them and a replay must show them exactly as the live site does.
"""
from __future__ import annotations

import functools
import hashlib
import struct
import zlib
from collections.abc import Callable

from demosite.glyphs import bitmaps

# Relative references on purpose, each written another way: a crawler must resolve them
# against the stylesheet's URL, not the page's.
STYLESHEET = """/* The Meridian Post - site stylesheet */
@import "fonts.css";
:root { --ink: #1d1d1b; --accent: #b3261e; --rule: #d9d4cc; --paper: #fbfaf7; --band: #17324f;
        --display: "Meridian Block", Georgia, serif; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font: 18px/1.6 Georgia, "Times New Roman", serif; }
a { color: inherit; }
img { display: block; max-width: 100%; height: auto; }
.skip-link { position: absolute; left: -999px; }
.site-header, .td-header-wrap { background: var(--band) url(masthead.png) repeat; color: #fff;
       border-bottom: 4px solid var(--accent); padding: 0.4rem max(1rem, calc(50% - 35rem)); }
.js .site-header, .js .td-header-wrap { box-shadow: inset 0 8px 0 #e8b339; }
.topbar, .td-header-top-menu { font: 0.8rem Helvetica, Arial, sans-serif; padding-top: 0.5rem; }
.masthead .logo, .td-logo-text { display: inline-block; margin: 0.5rem 0 0.2rem;
       font: 3rem/1.1 var(--display); text-decoration: none; }
.tagline, .td-tagline-text { margin: 0; font-style: italic; color: #cfdae6; }
.td-tagline-text { display: block; }
.headline, .entry-title, .teaser-title, .block-title, .section-header h1, .listing-header h1,
.static-page h1, .read-more h2 { font-family: var(--display); font-weight: normal; }
.primary-nav ul, .sf-menu, .site-footer ul, .top-header-menu { display: flex; gap: 1.2rem;
       list-style: none; padding: 0; margin: 0.5rem 0; font-family: Helvetica, Arial, sans-serif; }
.primary-nav .active a { border-bottom: 3px solid #e8b339; }
main, .td-container { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.td-header-wrap .td-container { padding: 0; }
.teaser-list { list-style: none; padding: 0; }
.teaser { border-top: 1px solid var(--rule); padding: 0.8rem 0; }
.teaser-meta, .dateline, .byline, .td-module-meta-info { color: #5f5b55; font-size: 0.85rem;
       font-family: Helvetica, Arial, sans-serif; }
.kicker a, .td-category a { color: var(--accent); font: bold 0.8rem Helvetica, Arial, sans-serif;
       text-transform: uppercase; text-decoration: none; }
.td-category { list-style: none; padding: 0; }
.headline, .entry-title { font-size: 2.2rem; line-height: 1.2; }
.story, .read-more, .newsletter-signup { max-width: 46rem; }
.article-page main { display: grid; grid-template-columns: minmax(0, 46rem) minmax(0, 1fr);
       column-gap: 2.5rem; align-items: start; }
.article-page .ad-slot { grid-column: 1 / -1; }
.article-page .read-more { grid-column: 2; grid-row: 2; border-top: 3px solid var(--ink); }
.read-more ul { padding-left: 1.1rem; }
.read-more li { margin: 0 0 0.6rem; }
.story-header p { margin: 0.3rem 0; }
.headline { margin: 0.4rem 0 0.8rem; }
.standfirst, .td-post-sub-title { font-size: 1.2rem; color: #3d3a36; }
.reading-time { display: inline-block; margin: 0 0 0.8rem; padding: 0.1rem 0.6rem;
       background: var(--accent); color: #fff; font: bold 0.8rem/1.6 Helvetica, Arial, sans-serif; }
.lead-image img, .td-post-featured-image img, .top-story-image img { width: 100%; height: auto;
       background: var(--rule); }
.lead-image, .td-post-featured-image { margin: 0 0 1rem; }
.top-story { display: grid; grid-template-columns: 3fr 2fr; gap: 1.5rem; align-items: start; }
.top-story-image { display: block; max-width: 42rem; margin: 0 0 1rem; }
.top-story .teaser { border-top: 0; padding-top: 0; }
.td_module_wrap .entry-title { font-size: 1.1rem; line-height: 1.3; margin: 0.8rem 0 0.2rem; }
.td-main-logo { text-decoration: none; }
figcaption { font-size: 0.8rem; color: #5f5b55; }
.td-a-rec, .ad-slot { background: #eee; color: #888; text-align: center; font-size: 0.7rem;
       padding: 1.5rem 0; margin: 1rem 0; }
.td-header-wrap .td-a-rec { display: none; }
.td-pb-row { display: flex; gap: 2rem; }
.td-main-content { flex: 2; min-width: 0; }
.td-main-sidebar { flex: 1; }
.newsletter-signup { background: #efe9df; padding: 1rem 1.5rem; margin: 2rem 0; }
.site-footer, .td-footer-wrapper, .td-sub-footer-container { border-top: 1px solid var(--rule);
       padding: 1rem; font-size: 0.85rem; }
"""

FONTS_STYLESHEET = """/* The Meridian Post - web fonts */
@font-face {
  font-family: "Meridian Block";
  src: url("fonts/meridian-block.woff") format("woff");
  font-style: normal;
  font-weight: 100 900;
  font-display: block;
}
"""

# Marks the page as scripted (the stylesheet then draws a gold bar over the masthead) and
# writes a reading-time badge from the story's word count: runs once, no clock, no network.
SCRIPT = """/* The Meridian Post - page enhancements */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var story = document.querySelector(".story-body, .td-post-content");
  var header = document.querySelector(".story-header, .td-post-title");
  if (!story || !header) {
    return;
  }
  var words = 0;
  story.querySelectorAll("p").forEach(function (p) {
    words += p.textContent.split(/\\s+/).filter(Boolean).length;
  });
  var badge = document.createElement("p");
  badge.className = "reading-time";
  badge.textContent = "Reading time: " + Math.max(1, Math.round(words / 200)) + " min";
  header.appendChild(badge);
})();
"""

# The AMP copy self-hosts its runtime (AMP allows it: <meta name="runtime-host">), so the
# demo never sends a crawler or a browser off 127.0.0.1. This stand-in does the two things the
# page needs of the real one: reveal the body the boilerplate hides, and draw each amp-img.
AMP_RUNTIME = """/* AMP runtime stand-in for The Meridian Post's self-hosted AMP pages */
(function () {
  "use strict";
  document.querySelectorAll("amp-img").forEach(function (holder) {
    var img = document.createElement("img");
    ["src", "srcset", "sizes", "width", "height", "alt"].forEach(function (name) {
      if (holder.hasAttribute(name)) {
        img.setAttribute(name, holder.getAttribute(name));
      }
    });
    img.style.cssText = "display: block; width: 100%; height: auto";  // layout="responsive"
    holder.appendChild(img);
  });
  document.body.style.animation = "none";
  document.body.style.visibility = "visible";
})();
"""

BAND = (0x17, 0x32, 0x4F)
BAND_STRIPE = (0x26, 0x4D, 0x78)
ACCENT = (0xB3, 0x26, 0x1E)


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _encode(width: int, height: int, raw: bytes, colour_type: int) -> bytes:
    """A PNG of unfiltered rows (``raw`` holds each row with its filter byte)."""
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def _draw(width: int, height: int, pixel: Callable[[int, int], bytes], colour_type: int) -> bytes:
    raw = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(width)) for y in range(height))
    return _encode(width, height, raw, colour_type)


def png(seed: str, width: int = 640, height: int = 360) -> bytes:
    """A two-tone PNG whose colours derive from ``seed``: same seed, same bytes.

    The horizon sits at the same fraction of the height at every size, so the ``srcset``
    variants of one image show the same picture.
    """
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    sky, ground = digest[0:3], digest[3:6]
    horizon = height * (55 + digest[6] % 20) // 100
    sky_row = b"\x00" + sky * width
    ground_row = b"\x00" + ground * width
    raw = sky_row * horizon + ground_row * (height - horizon)
    return _encode(width, height, raw, 2)


@functools.lru_cache(maxsize=1)
def masthead_tile() -> bytes:
    """A 32x32 tile of diagonal stripes, repeated behind the masthead."""
    colours = (bytes(BAND), bytes(BAND_STRIPE))
    return _draw(32, 32, lambda x, y: colours[(x + y) // 8 % 2], 2)


@functools.lru_cache(maxsize=1)
def favicon() -> bytes:
    """/favicon.ico: an ICO directory of one 32x32 RGBA PNG, a white block "M" on the accent red."""
    letter = bitmaps()["M"]  # 5 x 7 pixels, drawn 4 times larger from (6, 2)
    inside = b"\xff\xff\xff\xff"
    outside = bytes(ACCENT) + b"\xff"

    def pixel(x: int, y: int) -> bytes:
        col, row = (x - 6) // 4, (y - 2) // 4
        inked = 0 <= col < 5 and 0 <= row < 7 and x >= 6 and y >= 2 and letter[row][col] == "#"
        return inside if inked else outside

    image = _draw(32, 32, pixel, 6)
    # ICONDIR (reserved, type 1 = icon, one image), then its entry: 32x32, no palette,
    # 1 plane, 32 bits a pixel, the PNG's size and its offset just past these 22 bytes
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 32, 32, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image
