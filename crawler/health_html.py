"""The site-health report as one self-contained HTML file: inline CSS, charts drawn as inline SVG
(no script, no font, nothing fetched), so it opens the same from a mail attachment or offline."""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pipelines.site_health import FIELDS, Point, Thresholds, Unit

WIDTH, HEIGHT, PAD = 260, 110, 32  # one chart's box and its left/bottom margin, in px
COLOURS = {"title": "#6b7280", "authors": "#d9480f", "published": "#1c7ed6", "language": "#2b8a3e"}
CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#1f2933;background:#f5f6f8}
h1{font-size:1.4rem;margin:0 0 .2rem}.meta{color:#52606d;margin:0 0 1rem}
.units{display:grid;grid-template-columns:repeat(auto-fill,minmax(600px,1fr));gap:1rem}
.unit{background:#fff;border:1px solid #d9dee4;border-radius:6px;padding:.8rem 1rem}
.unit.flagged{border-left:6px solid #c92a2a}.unit.ok{border-left:6px solid #2b8a3e}
.unit h2{font-size:1.05rem;margin:0 0 .4rem;word-break:break-all}
.badge{font-size:.75rem;font-weight:600;padding:.1rem .45rem;border-radius:3px;margin-right:.4rem;color:#fff}
.flagged .badge{background:#c92a2a}.ok .badge{background:#2b8a3e}
.reasons{margin:.2rem 0 .6rem;padding-left:1.2rem;color:#862e2e}
.charts{display:flex;gap:1rem;flex-wrap:wrap}.chart{width:%dpx}.chart figcaption{font-size:.8rem;color:#52606d}
figure{margin:0}svg text{font-size:10px;fill:#52606d}
.legend span{font-size:.75rem;margin-right:.6rem}.legend i{display:inline-block;width:.8rem;height:.3rem;
vertical-align:middle;margin-right:.2rem}
""" % WIDTH


def _x(i: int, n: int) -> float:
    step = (WIDTH - PAD - 6) / max(n, 1)
    return PAD + step * i + step / 2


def _axes(top_label: str) -> list[str]:
    return ['<line x1="%d" y1="4" x2="%d" y2="%d" stroke="#9aa5b1"/>' % (PAD, PAD, HEIGHT - PAD),
            '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#9aa5b1"/>' % (PAD, HEIGHT - PAD, WIDTH - 4, HEIGHT - PAD),
            '<text x="%d" y="12" text-anchor="end">%s</text>' % (PAD - 3, escape(top_label)),
            '<text x="%d" y="%d" text-anchor="end">0</text>' % (PAD - 3, HEIGHT - PAD)]


def _run_labels(points: Sequence[Point]) -> list[str]:
    n = len(points)
    every = max(1, n // 8)  # at most about eight labels under a chart
    return ['<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (_x(i, n), HEIGHT - PAD + 12, i + 1)
            for i in range(n) if i % every == 0 or i == n - 1]


def articles_chart(points: Sequence[Point]) -> str:
    """Bars: articles written per run, oldest run on the left."""
    n, top = len(points), max([p.articles for p in points] + [1])
    step = (WIDTH - PAD - 6) / max(n, 1)
    span = HEIGHT - PAD - 8
    parts = _axes(str(top)) + _run_labels(points)
    for i, p in enumerate(points):
        h = span * p.articles / top
        parts.append('<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#3b5bdb">'
                     "<title>run %s: %d articles</title></rect>"
                     % (_x(i, n) - step * 0.35, HEIGHT - PAD - h, step * 0.7, h, escape(p.run), p.articles))
    return _svg("articles per run", parts)


def completeness_chart(points: Sequence[Point]) -> str:
    """Lines: share of each run's articles that HAVE the field (100% at the top), per field."""
    n, span = len(points), HEIGHT - PAD - 8
    parts = _axes("100%") + _run_labels(points)
    # widest first, so fields on the same line show as nested stripes instead of hiding each other
    for width, name in zip((7, 5, 3, 1.5), FIELDS, strict=True):
        coords = [(_x(i, n), HEIGHT - PAD - span * (1 - share)) for i, p in enumerate(points)
                  if (share := p.share(name)) is not None]
        if not coords:
            continue
        parts.append('<polyline class="line" fill="none" stroke="%s" stroke-width="%g" stroke-linejoin="round" '
                     'points="%s"><title>%s</title></polyline>'
                     % (COLOURS[name], width, " ".join("%.1f,%.1f" % c for c in coords), name))
        parts += ['<circle cx="%.1f" cy="%.1f" r="%g" fill="%s"/>' % (x, y, width / 2 + 1, COLOURS[name])
                  for x, y in coords]  # (a run alone draws no line)
    return _svg("completeness (share of articles with the field)", parts)


def _svg(label: str, parts: list[str]) -> str:
    return ('<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" '
            'viewBox="0 0 %d %d" aria-label="%s">%s</svg><figcaption>%s</figcaption></figure>'
            % (WIDTH, HEIGHT, WIDTH, HEIGHT, escape(label), "".join(parts), escape(label)))


def _unit(unit: Unit) -> str:
    state = "flagged" if unit.flags else "ok"
    reasons = "".join("<li>%s</li>" % escape(f.message) for f in unit.flags)
    last = unit.points[-1] if unit.points else None
    summary = ("%d runs; last run %s: %d articles%s" % (
        len(unit.points), last.run, last.articles, "" if last.pages is None else ", %d pages" % last.pages)
        if last else "no runs")
    return ('<section class="unit %s" data-unit="%s"><h2><span class="badge">%s</span>%s</h2>'
            '<p class="meta">%s</p>%s<div class="charts">%s%s</div></section>'
            % (state, escape(unit.name), "FLAGGED" if unit.flags else "OK", escape(unit.name), escape(summary),
               '<ul class="reasons">%s</ul>' % reasons if reasons else "",
               articles_chart(unit.points), completeness_chart(unit.points)))


def render(collection: str, runs: Sequence[tuple[str, str]], units: Sequence[Unit], thresholds: Thresholds) -> str:
    """The whole page; `units` in the order to show them (flagged first); runs are (id, started)."""
    flagged = sum(1 for u in units if u.flags)
    span = "%s to %s" % (runs[0][1], runs[-1][1]) if runs else "no runs"
    legend = "".join('<span><i style="background:%s"></i>%s</span>' % (c, n) for n, c in COLOURS.items())
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Site health: %s</title><style>%s</style></head><body>"
            "<h1>Site health: %s</h1><p class=\"meta\">%d crawl runs (%s); %d of %d sites and sections flagged. "
            "Runs are numbered oldest first.</p><p class=\"meta\">Rules: %s</p>"
            "<p class=\"legend\">Completeness lines: %s</p><div class=\"units\">%s</div></body></html>\n"
            % (escape(collection), CSS, escape(collection), len(runs), escape(span), flagged, len(units),
               escape(thresholds.describe()), legend, "".join(_unit(u) for u in units)))
