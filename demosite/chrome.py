"""Shared HTML pieces of the demo site's newsroom layout: page shell, masthead, footer, teasers."""
from __future__ import annotations

import html
from datetime import datetime

from demosite.content import SITE_NAME, Article, SiteContent
from demosite.statics import HEAD_LINKS

FEED_LINK = (f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} - Latest news" '
             'href="/feed.xml">')


def esc(text: str) -> str:
    """HTML-escape text for element content and double-quoted attributes."""
    return html.escape(text, quote=True)


def long_date(dt: datetime) -> str:
    """"March 4, 2026", the way the site prints dates."""
    return f"{dt:%B} {dt.day}, {dt.year}"


def clock(dt: datetime) -> str:
    """"9:05 a.m. UTC" style time of day."""
    hour = dt.hour % 12 or 12
    return f"{hour}:{dt:%M} {'a.m.' if dt.hour < 12 else 'p.m.'} UTC"


def byline_links(article: Article, rel: str = "") -> str:
    """Author links joined as prose: "A", "A and B"."""
    attr = f' rel="{rel}"' if rel else ""
    links = [f'<a{attr} href="/author/{p.slug}/">{esc(p.name)}</a>' for p in article.authors]
    return " and ".join(links)


def masthead(content: SiteContent, current: str = "") -> str:
    """Site header with the section navigation; ``current`` marks the active section slug."""
    items = ['<li><a href="/">Home</a></li>']
    for s in content.sections:
        active = ' class="active" aria-current="page"' if s.slug == current else ""
        items.append(f'<li{active}><a href="{s.page_path()}">{esc(s.name)}</a></li>')
    items.append('<li><a href="/about/">About</a></li>')
    return (
        '<header class="site-header">\n'
        '  <div class="topbar"><span class="edition">International edition</span>'
        ' <a class="subscribe" href="/about/#subscribe">Subscribe</a></div>\n'
        f'  <div class="masthead"><a class="logo" href="/" rel="home">{SITE_NAME}</a>'
        '<p class="tagline">Independent news since 1998</p></div>\n'
        '  <nav class="primary-nav" aria-label="Sections"><ul>'
        + "".join(items) + "</ul></nav>\n</header>"
    )


def footer(extra_links: str = "") -> str:
    """Site footer with the copyright line; ``extra_links`` adds list items."""
    return (
        '<footer class="site-footer">\n'
        '  <nav aria-label="Footer"><ul>'
        '<li><a href="/about/">About us</a></li>'
        '<li><a href="/contact/">Contact</a></li>'
        '<li><a href="/impressum/">Imprint</a></li>'
        '<li><a href="/privacy-policy/">Privacy policy</a></li>'
        '<li><a href="/feed.xml">RSS</a></li>'
        '<li><a href="/sitemap.xml">Sitemap</a></li>'
        f"{extra_links}</ul></nav>\n"
        f'  <p class="copyright">&copy; 2026 {SITE_NAME}. All rights reserved.</p>\n'
        "</footer>"
    )


def page(*, title: str, description: str, canonical: str, body: str, content: SiteContent,
         current: str = "", head_extra: str = "", body_class: str = "", lang: str = "en",
         footer_extra: str = "", og_type: str = "website") -> str:
    """A complete HTML document in the newsroom layout.

    Pages other than articles say ``og:type`` "website"; article templates pass
    ``og_type=""`` and write their own OpenGraph block.
    """
    og = ""
    if og_type:
        og = (f'<meta property="og:type" content="{og_type}">\n'
              f'<meta property="og:title" content="{esc(title)}">\n'
              f'<meta property="og:url" content="{esc(canonical)}">\n'
              f'<meta property="og:site_name" content="{SITE_NAME}">\n')
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<meta name="description" content="{esc(description)}">\n'
        f'<link rel="canonical" href="{esc(canonical)}">\n{og}'
        f"{HEAD_LINKS}{FEED_LINK}\n{head_extra}</head>\n"
        f'<body class="{body_class}">\n<a class="skip-link" href="#main">Skip to content</a>\n'
        f"{masthead(content, current)}\n"
        f'<main id="main">\n{body}\n</main>\n{footer(footer_extra)}\n</body>\n</html>\n'
    )


def teaser(article: Article, href: str | None = None, heading: str = "h3") -> str:
    """A listing entry: linked title, section and date, short summary."""
    link = href or article.path
    return (
        '<article class="teaser">'
        f'<{heading} class="teaser-title"><a href="{esc(link)}">{esc(article.title)}</a>'
        f"</{heading}>"
        f'<p class="teaser-meta"><a class="teaser-section" href="{article.section.page_path()}">'
        f"{esc(article.section.name)}</a> &middot; "
        f'<time datetime="{article.published.isoformat()}">{long_date(article.published)}</time>'
        "</p>"
        f'<p class="teaser-summary">{esc(article.description)}</p>'
        "</article>"
    )


def teaser_list(articles: tuple[Article, ...] | list[Article]) -> str:
    """Teasers as a list."""
    items = "\n".join(f"  <li>{teaser(a)}</li>" for a in articles)
    return f'<ul class="teaser-list">\n{items}\n</ul>'
