"""Article page of a modern newsroom CMS (JSON-LD ``NewsArticle``, OpenGraph, semantic
``<article>``), plus the AMP copy of such a page, which repeats the same story text."""
from __future__ import annotations

import json
from typing import Any

from demosite import statics
from demosite.chrome import byline_links, clock, esc, long_date, page
from demosite.content import AMP_SLUG, SITE_NAME, Article, SiteContent

LEAD_SIZES = "(max-width: 46rem) 100vw, 46rem"  # the story column's width
AMP_BOILERPLATE = (
    "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
    "animation:-amp-start 8s steps(1,end) 0s 1 normal both}@keyframes -amp-start{from{visibility:"
    "hidden}to{visibility:visible}}</style><noscript><style amp-boilerplate>body{-webkit-animation:"
    "none;animation:none}</style></noscript>"
)


def amp_path(article: Article) -> str:
    """Path of the AMP copy (only the article named by ``AMP_SLUG`` has one)."""
    return f"/amp/{article.slug}/"


def news_article(article: Article, base: str) -> dict[str, Any]:
    """The schema.org ``NewsArticle`` object embedded in the page."""
    url = f"{base}{article.path}"
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.title,
        "description": article.description,
        "image": [f"{base}{article.image_path}"],
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": p.name, "url": f"{base}/author/{p.slug}/"}
                   for p in article.authors],
        "publisher": {"@type": "Organization", "name": SITE_NAME, "url": f"{base}/",
                      "logo": {"@type": "ImageObject", "url": f"{base}/static/logo.png"}},
        "articleSection": article.section.name,
        "keywords": list(article.tags),
        "inLanguage": "en",
        "isAccessibleForFree": True,
    }


def _json_ld(article: Article, base: str) -> str:
    # "</" would end the script element early; "<\/" is the same JSON string.
    data = json.dumps(news_article(article, base), ensure_ascii=False, indent=2)
    data = data.replace("</", "<\\/")
    return f'<script type="application/ld+json">\n{data}\n</script>'


def _dateline(article: Article) -> str:
    line = (f'<time class="published" datetime="{article.published.isoformat()}">'
            f"{long_date(article.published)}, {clock(article.published)}</time>")
    if article.modified != article.published:
        line += (f' <time class="modified" datetime="{article.modified.isoformat()}">'
                 f"Updated {clock(article.modified)}</time>")
    return line


def _figure(article: Article, amp: bool = False) -> str:
    if amp:
        img = (f'<amp-img src="{article.image_path}" width="1200" height="675" '
               'layout="responsive" alt=""></amp-img>')
    else:
        img = statics.lead_img(article.image_path, width=1200, height=675, sizes=LEAD_SIZES,
                               attrs='loading="eager"')
    return (f'<figure class="lead-image">{img}<figcaption>File photo: {esc(article.place)}. '
            f'<span class="credit">Photo: {SITE_NAME}</span></figcaption></figure>')


def render(content: SiteContent, article: Article, base: str) -> str:
    """The whole article page."""
    url = f"{base}{article.path}"
    head = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{esc(article.title)}">',
        f'<meta property="og:description" content="{esc(article.description)}">',
        f'<meta property="og:url" content="{url}">',
        f'<meta property="og:image" content="{base}{article.image_path}">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="article:published_time" content="{article.published.isoformat()}">',
        f'<meta property="article:modified_time" content="{article.modified.isoformat()}">',
        f'<meta property="article:section" content="{esc(article.section.name)}">',
        *(f'<meta property="article:tag" content="{esc(t)}">' for t in article.tags),
        *(f'<meta property="article:author" content="{base}/author/{p.slug}/">'
          for p in article.authors),
        '<meta name="twitter:card" content="summary_large_image">',
        '<meta name="twitter:site" content="@MeridianPost">',
    ]
    lite = ""
    if article.slug == AMP_SLUG:
        head.insert(0, f'<link rel="amphtml" href="{base}{amp_path(article)}">')
        lite = f'<p class="lite-version"><a href="{amp_path(article)}">Lite version</a></p>'
    head.append(_json_ld(article, base))
    paragraphs = "\n".join(f"<p>{p}</p>" for p in article.html_paragraphs)
    tags = "".join(f'<li><a href="/tag/{t}/" rel="tag">{esc(t)}</a></li>' for t in article.tags)
    more = "".join(f'<li><a href="{a.path}">{esc(a.title)}</a></li>'
                   for a in content.related(article, 4))
    body = f"""<div class="ad-slot ad-leaderboard" aria-hidden="true">Advertisement</div>
<article class="story" id="story">
<header class="story-header">
<p class="kicker"><a href="{article.section.page_path()}">{esc(article.section.name)}</a></p>
<h1 class="headline">{esc(article.title)}</h1>
<p class="standfirst">{esc(article.description)}</p>
<p class="byline">By {byline_links(article, rel="author")}</p>
<p class="dateline">{_dateline(article)}</p>
</header>
{_figure(article)}
<div class="story-body">
{paragraphs}
</div>
<footer class="story-footer">
<ul class="story-tags">{tags}</ul>
{lite}
</footer>
</article>
<aside class="read-more" aria-labelledby="read-more-title">
<h2 id="read-more-title">Read more</h2>
<ul>{more}</ul>
</aside>
<section class="newsletter-signup" aria-labelledby="newsletter-title">
<h2 id="newsletter-title">Get the Morning Briefing</h2>
<p>The day's most important stories, in your inbox before 7 a.m.</p>
<form action="/newsletter/subscribe" method="post"><label for="nl-email">Email address</label>
<input type="email" id="nl-email" name="email" placeholder="you@example.com" required>
<button type="submit">Sign up</button></form>
<p class="small">You can unsubscribe at any time.</p>
</section>"""
    return page(title=f"{article.title} | {SITE_NAME}", description=article.description,
                canonical=url, body=body, content=content, current=article.section.slug,
                head_extra="\n".join(head) + "\n", body_class="article-page", og_type="")


def render_amp(content: SiteContent, article: Article, base: str) -> str:
    """The AMP copy: another wrapper around exactly the same headline, standfirst and text."""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in article.html_paragraphs)
    return f"""<!doctype html>
<html amp lang="en">
<head>
<meta charset="utf-8">
<meta name="runtime-host" content="{base}/static/amp">
<script async src="{statics.AMP_RUNTIME}"></script>
<title>{esc(article.title)} | {SITE_NAME}</title>
<link rel="canonical" href="{base}{article.path}">
<meta name="viewport" content="width=device-width,minimum-scale=1,initial-scale=1">
{_json_ld(article, base)}
{AMP_BOILERPLATE}
<style amp-custom>body{{font-family:Georgia,serif;margin:0 auto;max-width:40rem;padding:1rem}}</style>
</head>
<body>
<header class="amp-masthead"><a href="/">{SITE_NAME}</a></header>
<article class="amp-story">
<header>
<h1>{esc(article.title)}</h1>
<p class="standfirst">{esc(article.description)}</p>
<p class="byline">By {byline_links(article)}</p>
<p class="dateline">{_dateline(article)}</p>
</header>
{_figure(article, amp=True)}
{paragraphs}
</article>
<footer class="amp-footer"><p><a href="{article.path}">View the full version</a></p>
<p>&copy; 2026 {SITE_NAME}</p></footer>
</body>
</html>
"""
