"""URL routing of the demo site: every path maps to one deterministic :class:`Response`.

The HTTP handler and :meth:`DemoSite.manifest` both go through :meth:`Router.route`, so what
the manifest promises is exactly what the server sends.
"""
from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from email.utils import format_datetime
from http import HTTPStatus
from urllib.parse import urlsplit

from demosite import (
    assets,
    feeds,
    pages,
    site_pages,
    statics,
    templates_ld,
    templates_relaunch,
    templates_wp,
)
from demosite.content import (
    AMP_SLUG,
    GZIP_SLUG,
    REDIRECT_SLUG,
    Article,
    SiteContent,
    build_content,
)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
HOME_COOKIES = (
    ("Set-Cookie", "mp_session=8f14e45fceea167a5a36dedd4bea2543; Path=/; HttpOnly; SameSite=Lax"),
    ("Set-Cookie", "mp_consent=pending; Path=/; Max-Age=31536000; SameSite=Lax"),
)
_PAGED = re.compile(r"^/section/([a-z-]+)/page/(\d+)/$")


@dataclass(frozen=True)
class Response:
    """What the site answers for one path. ``body`` is always the identity-encoded body."""

    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()
    gzip: bool = False  # sent gzip-encoded to clients whose Accept-Encoding allows it
    chunked: bool = False  # sent with Transfer-Encoding: chunked instead of Content-Length

    @property
    def reason(self) -> str:
        return HTTPStatus(self.status).phrase

    @property
    def etag(self) -> str:
        """The entity tag sent with every 200: the page's own, or a weak one from its bytes."""
        for name, value in self.headers:
            if name.lower() == "etag":
                return value
        return f'W/"{hashlib.sha1(self.body).hexdigest()[:20]}"'

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def gzipped(self) -> bytes:
        """The body gzip-compressed with a zero timestamp, so the bytes never vary."""
        return gzip.compress(self.body, compresslevel=6, mtime=0)


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header value allows gzip (q > 0)."""
    for part in (accept_encoding or "").split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


class Router:
    """Maps request targets to responses for a site reachable at ``base``."""

    def __init__(self, base: str, content: SiteContent | None = None,
                 changed_template: str | None = None) -> None:
        self.base = base.rstrip("/")
        self.content = content or build_content()
        self.changed_template = changed_template  # a section slug whose articles look relaunched
        # Responses never change for a given base, so each is rendered once; concurrent
        # handler threads at worst render the same page twice.
        self._cache: dict[str, Response] = {}

    def route(self, target: str) -> Response:
        """Response for a request target (path, optionally with query or absolute URL)."""
        path = urlsplit(target).path or "/"
        response = self._cache.get(path)
        if response is None:
            response = self._route(path)
            self._cache[path] = response
        return response

    def _html(self, text: str, *headers: tuple[str, str]) -> Response:
        return Response(200, text.encode("utf-8"), HTML,
                        (("Cache-Control", "public, max-age=300"), *headers))

    def _article(self, article: Article) -> Response:
        if article.section.slug == self.changed_template:
            body = templates_relaunch.render(self.content, article, self.base).encode("utf-8")
            encoding = "utf-8"
        else:
            render = templates_wp.render if article.template == "wp" else templates_ld.render
            body = render(self.content, article, self.base).encode(article.encoding, "xmlcharrefreplace")
            encoding = article.encoding
        # A weak validator: the same entity is sent plain or gzip-encoded.
        etag = f'W/"{hashlib.sha1(body).hexdigest()[:20]}"'
        headers = (("Cache-Control", "public, max-age=300"),
                   ("Last-Modified", format_datetime(article.modified, usegmt=True)),
                   ("ETag", etag))
        return Response(200, body, f"text/html; charset={encoding}", headers,
                        gzip=article.slug == GZIP_SLUG)

    def _route(self, path: str) -> Response:
        c, base = self.content, self.base
        simple = {
            "/": lambda: self._html(pages.home(c, base), *HOME_COOKIES),
            "/robots.txt": lambda: Response(200, feeds.robots(base).encode(),
                                            "text/plain; charset=utf-8"),
            "/feed.xml": lambda: Response(200, feeds.rss(c, base).encode(),
                                          "application/rss+xml; charset=utf-8", gzip=True),
            "/sitemap.xml": lambda: Response(200, feeds.sitemap(c, base).encode(), XML),
            "/sitemap_news.xml": lambda: Response(200, feeds.news_sitemap(c, base).encode(), XML),
            "/about/": lambda: Response(200, pages.about(c, base).encode(), HTML, chunked=True),
            site_pages.CONTACT_PATH: lambda: self._html(site_pages.contact(c, base)),
            site_pages.IMPRINT_PATH: lambda: self._html(site_pages.imprint(c, base)),
            site_pages.PRIVACY_PATH: lambda: self._html(site_pages.privacy(c, base)),
        }
        if path in simple:
            return simple[path]()
        static = statics.asset(path)
        if static:
            return self._requisite(static[1], static[0])
        if path in c.by_path:
            return self._article(c.by_path[path])
        if path in pages.PRIVATE_PATHS:
            return self._html(pages.private(c, base, path))
        parts = path.strip("/").split("/")
        if len(parts) == 2 and path.endswith("/"):
            kind, key = parts
            section = c.section(key) if kind == "section" else None
            if section:
                return self._html(pages.section_front(c, base, section, 1))
            if kind == "tag" and key in c.tags:
                return self._html(pages.listing(
                    c, base, path=path, heading=pages.tag_label(key), kind="tag",
                    intro=f"Stories tagged {pages.tag_label(key).lower()}.",
                    articles=c.tags[key]))
            if kind == "author" and key in c.people:
                person = c.people[key]
                profile = (site_pages.profile_path(person)
                           if person in site_pages.profiled(c) else None)
                return self._html(pages.listing(c, base, path=path, heading=person.name,
                                                intro=person.bio, kind="author",
                                                articles=c.author_articles[key], profile=profile))
            if kind == "team" and key in c.people and c.people[key] in site_pages.profiled(c):
                return self._html(site_pages.profile(c, base, c.people[key]))
            if kind == "topic" and key in c.topic_articles:
                name = c.topic_names[key]
                return self._html(pages.listing(c, base, path=path, heading=name, kind="topic",
                                                intro=f"News and analysis about {name}.",
                                                articles=c.topic_articles[key]))
            if kind == "amp" and key == AMP_SLUG:
                return self._html(templates_ld.render_amp(c, c.by_slug[key], base))
        if path == f"/old/{REDIRECT_SLUG}":
            return self._redirect(f"{base}{c.by_slug[REDIRECT_SLUG].path}")
        paged = _PAGED.match(path)
        paged_section = c.section(paged[1]) if paged else None
        if paged and paged_section and 2 <= int(paged[2]) <= c.page_count(paged_section):
            return self._html(pages.section_front(c, base, paged_section, int(paged[2])))
        media = re.fullmatch(r"/media/([a-z0-9-]+)\.png", path)
        if media and media[1] in c.by_slug:
            return self._requisite(assets.png(path), "image/png")
        sized = statics.variant(path)
        if sized and sized[0] in c.by_slug:
            return self._requisite(statics.variant_png(*sized), "image/png")
        if not path.endswith("/") and self.route(path + "/").status == 200:
            return self._redirect(f"{base}{path}/")
        return Response(404, pages.not_found(path).encode(), HTML)

    @staticmethod
    def _requisite(body: bytes, content_type: str) -> Response:
        return Response(200, body, content_type, statics.validators(body))

    def _redirect(self, location: str) -> Response:
        return Response(301, pages.moved(location).encode(), "text/html; charset=iso-8859-1",
                        (("Location", location),))

    # -- what a polite crawler starting at the home page can reach -----------------------

    def article_paths(self) -> list[str]:
        return [a.path for a in self.content.articles]

    def non_article_paths(self) -> list[str]:
        """Home, section fronts and their pages, tag, author and topic pages, about, contact,
        imprint, privacy policy and the staff profiles."""
        c = self.content
        paths = ["/"]
        for s in c.sections:
            paths += [s.page_path(n) for n in range(1, c.page_count(s) + 1)]
        paths += [f"/tag/{t}/" for t in c.tags]
        paths += [f"/author/{a}/" for a in c.author_articles]
        paths += [f"/topic/{t}/" for t in c.topic_articles]
        return paths + ["/about/", *site_pages.paths(c)]

    def requisite_paths(self) -> list[str]:
        """Every requisite the site's pages reference: what a crawl fetching them should get.

        The shared stylesheets, font, tile, script and icon, the AMP copy's runtime, then each
        article's lead image and its srcset variants (home and section fronts show some of
        the same images).
        """
        paths = [*statics.shared_paths(), statics.AMP_RUNTIME]
        for a in self.content.articles:
            paths += [a.image_path, *statics.variant_paths(a.image_path)]
        return paths

    def manifest_paths(self) -> list[str]:
        """Every path reachable by links, robots.txt and sitemaps, minus robots-disallowed."""
        c = self.content
        return (["/robots.txt", "/feed.xml", "/sitemap.xml", "/sitemap_news.xml"]
                + self.non_article_paths() + self.article_paths()
                + [templates_ld.amp_path(c.by_slug[AMP_SLUG]), f"/old/{REDIRECT_SLUG}",
                   pages.MISSING_PATH])
