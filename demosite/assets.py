"""Page requisites of the demo site: the stylesheet and deterministic PNG images."""
from __future__ import annotations

import hashlib
import struct
import zlib

STYLESHEET = """/* The Meridian Post - site stylesheet */
:root { --ink: #1d1d1b; --accent: #b3261e; --rule: #d9d4cc; --paper: #fbfaf7; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink);
       font: 18px/1.6 Georgia, "Times New Roman", serif; }
a { color: inherit; }
.skip-link { position: absolute; left: -999px; }
.site-header, .td-header-wrap { border-bottom: 3px double var(--rule); padding: 0 1rem; }
.masthead .logo, .td-logo-text { font-size: 2.4rem; font-weight: bold; text-decoration: none; }
.primary-nav ul, .sf-menu, .site-footer ul { display: flex; gap: 1.2rem; list-style: none;
       padding: 0; margin: 0.5rem 0; font-family: Helvetica, Arial, sans-serif; }
main, .td-container { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.teaser-list { list-style: none; padding: 0; }
.teaser { border-top: 1px solid var(--rule); padding: 0.8rem 0; }
.teaser-meta, .dateline, .byline, .td-module-meta-info { color: #5f5b55; font-size: 0.85rem;
       font-family: Helvetica, Arial, sans-serif; }
.headline, .entry-title { font-size: 2.2rem; line-height: 1.2; }
.standfirst, .td-post-sub-title { font-size: 1.2rem; color: #3d3a36; }
.lead-image img, .td-post-featured-image img { width: 100%; height: auto; }
figcaption { font-size: 0.8rem; color: #5f5b55; }
.td-a-rec, .ad-slot { background: #eee; color: #888; text-align: center; font-size: 0.7rem;
       padding: 1.5rem 0; margin: 1rem 0; }
.td-pb-row { display: flex; gap: 2rem; }
.td-main-content { flex: 2; }
.td-main-sidebar { flex: 1; }
.newsletter-signup { background: #efe9df; padding: 1rem 1.5rem; margin: 2rem 0; }
.site-footer, .td-footer-wrapper, .td-sub-footer-container { border-top: 1px solid var(--rule);
       padding: 1rem; font-size: 0.85rem; }
"""


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(seed: str, width: int = 640, height: int = 360) -> bytes:
    """A two-tone PNG whose colours derive from ``seed``: same seed, same bytes."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    sky, ground = digest[0:3], digest[3:6]
    horizon = height * (55 + digest[6] % 20) // 100
    sky_row = b"\x00" + sky * width
    ground_row = b"\x00" + ground * width
    raw = sky_row * horizon + ground_row * (height - horizon)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))
