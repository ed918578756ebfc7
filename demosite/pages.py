"""Non-article pages of the demo site: home, section fronts, tag/author/topic listings, about,
the robots-disallowed staff area and the small error and redirect bodies."""
from __future__ import annotations

from demosite import statics
from demosite.chrome import esc, long_date, page, teaser, teaser_list
from demosite.content import (
    FBCLID,
    REDIRECT_SLUG,
    SITE_NAME,
    TRACKING_SLUG,
    Article,
    Section,
    SiteContent,
)

MISSING_PATH = "/world/this-story-was-removed/"
PRIVATE_PATHS = ("/private/drafts/", "/private/drafts/embargoed-earnings/")
TRACKING_QUERY = "utm_source=home&utm_medium=link"
TOP_STORY_SIZES = "(max-width: 42rem) 100vw, 42rem"


def tag_label(tag: str) -> str:
    """Display form of a tag slug: "electric-vehicles" -> "Electric vehicles"."""
    words = tag.replace("-", " ")
    return words[:1].upper() + words[1:]


def home(content: SiteContent, base: str) -> str:
    """Front page: top story, latest list, most read, archive and corrections, section blocks."""
    top, latest = content.articles[0], content.articles[1:11]
    tracked = content.by_slug[TRACKING_SLUG]
    redirected = content.by_slug[REDIRECT_SLUG]
    most_read = [content.articles[i] for i in (4, 9, 15) if i < len(content.articles)]
    most_read_items = "".join(
        f'<li><a href="{a.path}">{esc(a.title)}</a></li>' for a in most_read)
    blocks = []
    for s in content.sections:
        blocks.append(
            f'<section class="section-block" aria-labelledby="block-{s.slug}">'
            f'<h2 class="block-title" id="block-{s.slug}"><a href="{s.page_path()}">'
            f"{esc(s.name)}</a></h2>\n{teaser_list(content.in_section(s)[:3])}\n"
            f'<p class="more"><a href="{s.page_path()}">More {esc(s.name)}</a></p></section>')
    body = f"""<div class="home">
<section class="top-story" aria-label="Top story">
<a class="top-story-image" href="{top.path}">{statics.lead_img(top.image_path, width=1200, height=675, sizes=TOP_STORY_SIZES)}</a>
{teaser(top, heading="h2")}
</section>
<div class="home-grid">
<section class="latest" aria-labelledby="latest-title"><h2 class="block-title" id="latest-title">Latest news</h2>
{teaser_list(latest)}
<p class="more"><a href="/feed.xml">Follow the latest news by RSS</a></p>
</section>
<aside class="home-rail">
<h2 class="block-title">Most read</h2>
<ol class="most-read"><li><a href="{tracked.path}?{esc(TRACKING_QUERY)}">{esc(tracked.title)}</a></li>{most_read_items}</ol>
<h2 class="block-title">From the archive</h2>
<ul class="archive"><li><a href="/old/{redirected.slug}">{esc(redirected.title)}</a> <span class="archive-note">(first published {long_date(redirected.published)})</span></li></ul>
<h2 class="block-title">Corrections</h2>
<ul class="corrections"><li><a href="{MISSING_PATH}">Harbour tunnel story withdrawn pending review</a></li></ul>
</aside>
</div>
{chr(10).join(blocks)}
</div>"""
    return page(title=f"{SITE_NAME} - Independent news from around the world",
                description="World, business and science news from The Meridian Post.",
                canonical=f"{base}/", body=body, content=content, body_class="home-page",
                footer_extra='<li><a href="/private/drafts/">Staff area</a></li>')


def section_front(content: SiteContent, base: str, section: Section, number: int) -> str:
    """One page of a section's paginated listing."""
    pages = content.page_count(section)
    links = []
    for n in range(1, pages + 1):
        if n == number:
            links.append(f'<li><span aria-current="page">{n}</span></li>')
        else:
            links.append(f'<li><a href="{section.page_path(n)}">{n}</a></li>')
    prev_link = (f'<a rel="prev" href="{section.page_path(number - 1)}">&laquo; Newer stories</a>'
                 if number > 1 else "")
    next_link = (f'<a rel="next" href="{section.page_path(number + 1)}">Older stories &raquo;</a>'
                 if number < pages else "")
    suffix = f" - Page {number} of {pages}" if number > 1 else ""
    stories = content.section_page(section, number)
    top = ""
    if number == 1 and stories:  # the front page of a section leads with its newest picture
        top = (f'<a class="top-story-image" href="{stories[0].path}">'
               f"{statics.lead_img(stories[0].image_path, width=1200, height=675, sizes=TOP_STORY_SIZES)}"
               "</a>\n")
    body = (f'<header class="section-header"><h1>{esc(section.name)}{suffix}</h1>'
            f'<p class="section-description">{esc(section.description)}</p></header>\n'
            f"{top}{teaser_list(stories)}\n"
            f'<nav class="pagination" aria-label="Pagination">{prev_link}'
            f'<ul>{"".join(links)}</ul>{next_link}</nav>')
    return page(title=f"{section.name}{suffix} - {SITE_NAME}", description=section.description,
                canonical=f"{base}{section.page_path(number)}", body=body, content=content,
                current=section.slug, body_class="section-page")


def listing(content: SiteContent, base: str, *, path: str, heading: str, intro: str,
            articles: tuple[Article, ...], kind: str, profile: str | None = None) -> str:
    """A tag, author or topic page: heading, one line of introduction, every matching story;
    an author's page links the author's profile when there is one."""
    more = f' <a class="profile-link" href="{esc(profile)}">Full profile</a>' if profile else ""
    body = (f'<header class="listing-header"><h1>{esc(heading)}</h1>'
            f'<p class="listing-intro">{esc(intro)}{more}</p></header>\n{teaser_list(articles)}')
    return page(title=f"{heading} - {SITE_NAME}", description=intro, canonical=f"{base}{path}",
                body=body, content=content, body_class=f"{kind}-page")


def about(content: SiteContent, base: str) -> str:
    """About page; it also carries the link with a Facebook click id."""
    shared = content.by_slug[TRACKING_SLUG]
    body = f"""<article class="static-page">
<h1>About {SITE_NAME}</h1>
<p>{SITE_NAME} is an independent newsroom covering world affairs, business and science. Our
reporters work from twelve cities, and our editors in London and Singapore publish around the
clock.</p>
<p>This site is a demonstration. Every story, person and quotation on it is invented, and no
story describes real events. It exists so that a web archiving crawler has a realistic, stable
news site to practise on.</p>
<h2 id="standards">Our standards</h2>
<p>We correct mistakes promptly and say so at the foot of the story concerned. Corrections are
listed on the <a href="/">home page</a>.</p>
<h2 id="subscribe">Subscribe</h2>
<p>Our most shared story on social media this month was
<a href="{shared.path}?fbclid={FBCLID}">{esc(shared.title)}</a>. Follow every new story through
<a href="/feed.xml">our RSS feed</a>.</p>
<h2 id="contact">Contact</h2>
<p>Write to <a href="mailto:newsroom@meridianpost.example">newsroom@meridianpost.example</a>.</p>
</article>"""
    return page(title=f"About us - {SITE_NAME}", description=f"Who we are: {SITE_NAME}.",
                canonical=f"{base}/about/", body=body, content=content, body_class="about-page")


def private(content: SiteContent, base: str, path: str) -> str:
    """Staff-only pages under ``/private/``, which robots.txt disallows."""
    if path == PRIVATE_PATHS[0]:
        heading = "Drafts - staff only"
        inner = ('<p>Stories in progress. Do not share these links.</p>\n<ul>'
                 f'<li><a href="{PRIVATE_PATHS[1]}">EMBARGOED: Quarterly earnings preview</a>'
                 "</li></ul>")
    else:
        heading = "EMBARGOED: Quarterly earnings preview"
        inner = ("<p>Embargoed until further notice. This draft has not been edited and must "
                 "not be published or archived.</p>")
    body = f'<article class="draft"><h1>{esc(heading)}</h1>\n{inner}\n</article>'
    return page(title=f"{heading} - {SITE_NAME}", description="Internal page.",
                canonical=f"{base}{path}", body=body, content=content, body_class="private-page",
                head_extra='<meta name="robots" content="noindex, nofollow">\n')


def not_found(path: str) -> str:
    """Small stand-alone 404 page."""
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>Page not found - {SITE_NAME}</title>\n"
            '<meta name="robots" content="noindex">\n</head>\n<body>\n'
            "<h1>Page not found</h1>\n"
            f"<p>Sorry, we could not find <code>{esc(path)}</code>. The story may have been "
            "moved or removed.</p>\n"
            '<p><a href="/">Return to the home page</a></p>\n</body>\n</html>\n')


def moved(location: str) -> str:
    """Body of a 301 response, as Apache writes it."""
    return ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
            "<title>301 Moved Permanently</title>\n</head><body>\n<h1>Moved Permanently</h1>\n"
            f'<p>The document has moved <a href="{esc(location)}">here</a>.</p>\n'
            "</body></html>\n")
