"""Machine-readable documents of the demo site: RSS 2.0 feed, sitemaps and robots.txt.

All of them carry absolute URLs, so they are rendered for the base URL the site is bound to.
"""
from __future__ import annotations

from email.utils import format_datetime
from xml.sax.saxutils import escape

from demosite.content import SITE_NAME, SiteContent

FEED_SIZE = 20
NEWS_SITEMAP_SIZE = 10


def rss(content: SiteContent, base: str) -> str:
    """RSS 2.0 feed of the latest ``FEED_SIZE`` articles."""
    items = []
    for a in content.articles[:FEED_SIZE]:
        url = escape(f"{base}{a.path}")
        creators = "".join(f"<dc:creator>{escape(p.name)}</dc:creator>" for p in a.authors)
        categories = "".join(f"<category>{escape(t)}</category>" for t in a.tags)
        items.append(
            f"    <item>\n      <title>{escape(a.title)}</title>\n      <link>{url}</link>\n"
            f'      <guid isPermaLink="true">{url}</guid>\n'
            f"      <pubDate>{format_datetime(a.published)}</pubDate>\n"
            f"      {creators}\n      <category>{escape(a.section.name)}</category>{categories}\n"
            f"      <description>{escape(a.description)}</description>\n    </item>")
    latest = content.articles[0].published
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n  <channel>\n'
        f"    <title>{SITE_NAME}</title>\n    <link>{base}/</link>\n"
        f"    <description>Latest news from {SITE_NAME}</description>\n"
        "    <language>en</language>\n"
        f"    <lastBuildDate>{format_datetime(latest)}</lastBuildDate>\n"
        f'    <atom:link href="{base}/feed.xml" rel="self" type="application/rss+xml"/>\n'
        + "\n".join(items) + "\n  </channel>\n</rss>\n"
    )


def sitemap(content: SiteContent, base: str) -> str:
    """Plain ``urlset`` sitemap: home, section fronts, about and every article."""
    latest = content.articles[0].modified.isoformat()
    entries = [(f"{base}/", latest, "hourly", "1.0")]
    entries += [(f"{base}{s.page_path()}", latest, "hourly", "0.8") for s in content.sections]
    entries.append((f"{base}/about/", "2026-01-05T09:00:00+00:00", "yearly", "0.3"))
    entries += [(f"{base}{a.path}", a.modified.isoformat(), "weekly", "0.6")
                for a in content.articles]
    urls = "".join(
        f"  <url>\n    <loc>{escape(loc)}</loc>\n    <lastmod>{lastmod}</lastmod>\n"
        f"    <changefreq>{freq}</changefreq>\n    <priority>{prio}</priority>\n  </url>\n"
        for loc, lastmod, freq, prio in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n")


def news_sitemap(content: SiteContent, base: str) -> str:
    """Google News sitemap of the latest ``NEWS_SITEMAP_SIZE`` articles."""
    urls = "".join(
        f"  <url>\n    <loc>{escape(base + a.path)}</loc>\n    <news:news>\n"
        "      <news:publication>\n"
        f"        <news:name>{SITE_NAME}</news:name>\n        <news:language>en</news:language>\n"
        "      </news:publication>\n"
        f"      <news:publication_date>{a.published.isoformat()}</news:publication_date>\n"
        f"      <news:title>{escape(a.title)}</news:title>\n"
        f"      <news:keywords>{escape(', '.join(a.tags))}</news:keywords>\n"
        "    </news:news>\n  </url>\n"
        for a in content.articles[:NEWS_SITEMAP_SIZE])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
            f"{urls}</urlset>\n")


def robots(base: str) -> str:
    """robots.txt: everything but the staff area (and WordPress admin) is allowed."""
    return ("# robots.txt for The Meridian Post\n"
            "User-agent: *\n"
            "Disallow: /private/\n"
            "Disallow: /wp-admin/\n"
            "Allow: /wp-admin/admin-ajax.php\n\n"
            f"Sitemap: {base}/sitemap.xml\n"
            f"Sitemap: {base}/sitemap_news.xml\n")
