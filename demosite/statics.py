"""Where the demo's page requisites live, and how each is served: strong validators, cacheable.

Pages take their ``<head>`` links and lead-image markup from here, and the router its
responses, so a page never references a requisite the site does not serve.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import format_datetime

from demosite import assets

STYLESHEET = "/static/site.css"
FONTS_STYLESHEET = "/static/fonts.css"
FONT = "/static/fonts/meridian-block.woff"
MASTHEAD_TILE = "/static/masthead.png"
SCRIPT = "/static/site.js"
FAVICON = "/favicon.ico"
AMP_RUNTIME = "/static/amp/v0.js"  # only the AMP copy of a story loads it
LOGO = "/static/logo.png"  # named by JSON-LD only, not a requisite of any page

# Every asset claims the same release date: If-Modified-Since answers agree from run to run.
RELEASED = datetime(2026, 3, 1, tzinfo=timezone.utc)
CACHE_CONTROL = "public, max-age=86400"
IMAGE_WIDTHS = (480, 800, 1200)  # lead images' srcset variants, 16:9 like the original

_ASSETS: dict[str, tuple[str, Callable[[], bytes]]] = {
    STYLESHEET: ("text/css; charset=utf-8", lambda: assets.STYLESHEET.encode()),
    FONTS_STYLESHEET: ("text/css; charset=utf-8", lambda: assets.FONTS_STYLESHEET.encode()),
    FONT: ("font/woff", lambda: _woff()),
    MASTHEAD_TILE: ("image/png", assets.masthead_tile),
    SCRIPT: ("text/javascript; charset=utf-8", lambda: assets.SCRIPT.encode()),
    FAVICON: ("image/vnd.microsoft.icon", assets.favicon),
    AMP_RUNTIME: ("text/javascript; charset=utf-8", lambda: assets.AMP_RUNTIME.encode()),
    LOGO: ("image/png", lambda: assets.png("logo", 240, 60)),
}
_VARIANT = re.compile(r"^/media/([a-z0-9-]+)-(\d+)w\.png$")

HEAD_LINKS = (f'<link rel="stylesheet" href="{STYLESHEET}">\n'
              f'<link rel="icon" href="{FAVICON}" sizes="32x32">\n'
              f'<script src="{SCRIPT}" defer></script>\n')


def _woff() -> bytes:
    # fontTools is imported on first use: serving pages never waits for it
    from demosite.webfont import woff
    return woff()


def shared_paths() -> tuple[str, ...]:
    """The requisites every styled page needs, found from its HTML and then its stylesheets."""
    return (STYLESHEET, FONTS_STYLESHEET, FONT, MASTHEAD_TILE, SCRIPT, FAVICON)


def asset(path: str) -> tuple[str, bytes] | None:
    """Content type and bytes of a static asset, or None if ``path`` is not one."""
    known = _ASSETS.get(path)
    return (known[0], known[1]()) if known else None


def validators(body: bytes) -> tuple[tuple[str, str], ...]:
    """Cache-Control, a strong ETag from the bytes, and the fixed Last-Modified."""
    return (("Cache-Control", CACHE_CONTROL),
            ("Last-Modified", format_datetime(RELEASED, usegmt=True)),
            ("ETag", f'"{hashlib.sha256(body).hexdigest()[:32]}"'))


def variant_paths(image_path: str) -> list[str]:
    """Paths of the srcset variants of an article's lead image, narrowest first."""
    stem = image_path.removesuffix(".png")
    return [f"{stem}-{width}w.png" for width in IMAGE_WIDTHS]


def variant(path: str) -> tuple[str, int] | None:
    """(slug, width) for a srcset variant path such as ``/media/some-story-800w.png``."""
    m = _VARIANT.match(path)
    if not m or int(m[2]) not in IMAGE_WIDTHS:
        return None
    return m[1], int(m[2])


def variant_png(slug: str, width: int) -> bytes:
    """One variant: the same seed as the lead image itself, so the same picture at every size."""
    return assets.png(f"/media/{slug}.png", width, width * 9 // 16)


def lead_img(image_path: str, *, width: int, height: int, sizes: str, attrs: str = "") -> str:
    """An ``<img>`` of a lead image with its srcset; width and height reserve its box."""
    srcset = ", ".join(f"{p} {w}w" for p, w in zip(variant_paths(image_path), IMAGE_WIDTHS,
                                                    strict=True))
    extra = f" {attrs}" if attrs else ""
    return (f'<img{extra} src="{image_path}" srcset="{srcset}" sizes="{sizes}" alt="" '
            f'width="{width}" height="{height}">')
