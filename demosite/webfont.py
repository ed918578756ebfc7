"""The demo's web font, "Meridian Block", built with fontTools from the bitmaps in glyphs.py.

Served as WOFF (zlib, no brotli) so a crawl has a real font to capture and a browser has a
face that looks nothing like its fallback serif. The bytes never vary: the head table's
dates are fixed and fontTools is told not to stamp the time of saving.
"""
from __future__ import annotations

import functools
import io
from datetime import datetime, timezone

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables._g_l_y_f import Glyph

from demosite.glyphs import bitmaps

FAMILY = "Meridian Block"
UNITS_PER_EM = 1000
PIXEL = 100  # font units per bitmap pixel: cap height 7 pixels = 700 units
ROWS_ABOVE_BASELINE = 7
ASCENT, DESCENT = 800, -200
SPACE_ADVANCE = 4 * PIXEL
# the head table's dates count seconds since 1904; both say 2026-03-01, the assets' release
FIXED_TIMESTAMP = int((datetime(2026, 3, 1, tzinfo=timezone.utc)
                       - datetime(1904, 1, 1, tzinfo=timezone.utc)).total_seconds())


def _trim(rows: list[str]) -> list[str]:
    """Drop ink-free columns at both sides, so each glyph's advance fits its strokes."""
    inked = [i for i in range(max(len(r) for r in rows)) if any(r[i:i + 1] == "#" for r in rows)]
    if not inked:
        return rows
    return [r.ljust(inked[-1] + 1, ".")[inked[0]:inked[-1] + 1] for r in rows]


def _draw(rows: list[str]) -> tuple[Glyph, int]:
    """One TrueType glyph: a rectangle per horizontal run of ink in each row; and its advance."""
    rows = _trim(rows)
    pen = TTGlyphPen(None)
    for number, row in enumerate(rows):
        top = (ROWS_ABOVE_BASELINE - number) * PIXEL
        start = None
        for column, cell in enumerate(row + "."):
            if cell == "#" and start is None:
                start = column
            elif cell != "#" and start is not None:
                # clockwise (TrueType's outer direction): up the left side, across, down
                left, right = start * PIXEL, column * PIXEL
                pen.moveTo((left, top - PIXEL))
                pen.lineTo((left, top))
                pen.lineTo((right, top))
                pen.lineTo((right, top - PIXEL))
                pen.closePath()
                start = None
    width = max(len(r) for r in rows)
    return pen.glyph(), (width + 1) * PIXEL


def _notdef() -> Glyph:
    pen = TTGlyphPen(None)
    for (x0, y0, x1, y1), clockwise in (((50, 0, 450, 700), True), ((100, 50, 400, 650), False)):
        corners = [(x0, y0), (x0, y1), (x1, y1), (x1, y0)]
        if not clockwise:
            corners.reverse()
        pen.moveTo(corners[0])
        for point in corners[1:]:
            pen.lineTo(point)
        pen.closePath()
    return pen.glyph()


@functools.lru_cache(maxsize=1)
def woff() -> bytes:
    """The font as WOFF bytes; built once per process (about 0.1 s), identical every time."""
    drawn = bitmaps()
    cmap = {ord(" "): "space"}
    glyphs: dict[str, Glyph] = {".notdef": _notdef(), "space": Glyph()}
    metrics = {".notdef": (500, 50), "space": (SPACE_ADVANCE, 0)}
    for char in sorted(drawn):
        name = f"uni{ord(char):04X}"
        glyph, advance = _draw(drawn[char])
        glyphs[name] = glyph
        metrics[name] = (advance, 0)
        cmap[ord(char)] = name
    builder = FontBuilder(UNITS_PER_EM, isTTF=True)
    builder.setupGlyphOrder(list(glyphs))
    builder.setupCharacterMap(cmap)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics(metrics)
    builder.setupHorizontalHeader(ascent=ASCENT, descent=DESCENT)
    builder.setupNameTable({"familyName": FAMILY, "styleName": "Regular",
                            "uniqueFontIdentifier": f"{FAMILY} Regular 1.000",
                            "fullName": f"{FAMILY} Regular", "psName": "MeridianBlock-Regular",
                            "version": "Version 1.000"})
    builder.setupOS2(sTypoAscender=ASCENT, sTypoDescender=DESCENT, sTypoLineGap=0,
                     usWinAscent=ASCENT, usWinDescent=-DESCENT, sxHeight=5 * PIXEL,
                     sCapHeight=7 * PIXEL, achVendID="MRDN", fsType=0)
    builder.setupPost(keepGlyphNames=False)
    builder.updateHead(created=FIXED_TIMESTAMP, modified=FIXED_TIMESTAMP)
    font = builder.font
    font.recalcTimestamp = False
    font.flavor = "woff"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
