"""Article metadata fused from structured data first, then page heuristics.

Order of trust for every field: the JSON-LD article node, OpenGraph / ``article:*`` and other
``<meta>`` tags, ``<time datetime>``, and last trafilatura's and htmldate's heuristics (which
are only run when the structured sources are silent, because they cost a tree copy each).
"""

from __future__ import annotations

import html
import logging
import re
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import extract_title

from pipelines.byline import byline_names, clean_people, labeled_byline, marked_byline
from pipelines.fields import (
    fix_mojibake,
    is_agency,
    kicker_agreed,
    language_code,
    normalize_date,
    prefix_agreed,
    same_name,
    strip_title_affixes,
)
from pipelines.signature import signature_byline
from pipelines.structured import PageData, type_names
from pipelines.title_cut import whole_title

__all__ = ["PageMetadata"]

logger = logging.getLogger(__name__)

_ORG_TYPES = {"Organization", "NewsMediaOrganization", "Corporation", "WebSite", "Brand"}
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "published_time",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "og:published_time",
    "article:published",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "article.updated",
    "dcterms.modified",
    "last-modified",
)
_AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "articleauthor",
)


_TITLE_DATE_RE = re.compile(
    r"(?:^|\s[|\-–—·•]\s)(?:(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4}))\s*$"
)


def _text(value: Any) -> str | None:
    """A JSON-LD value as clean text: first of a list, entities decoded, spaces collapsed."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if not isinstance(value, str):
        return None
    value = " ".join(html.unescape(value).split())
    return value or None


def _same_site(a: str, b: str) -> bool:
    ha, hb = urlsplit(a).hostname or "", urlsplit(b).hostname or ""
    return bool(ha) and ha.removeprefix("www.") == hb.removeprefix("www.")


def _keys(names: list[str]) -> set[str]:
    return {" ".join(n.casefold().split()) for n in names}


class PageMetadata:
    """Metadata of one page; each field is computed on first use from *tree* and *data*."""

    def __init__(self, tree: HtmlElement, data: PageData, url: str) -> None:
        self.tree = tree
        self.data = data
        self.page_url = url
        self.article = data.article or {}
        self._headlines: list[str] | None = None
        self._visible_headline: str | None = None
        self._authors: list[str] | None = None

    def url(self) -> str:
        """The canonical URL when it is on the page's own host, else the page URL."""
        for candidate in (self.data.canonical, self.data.first_meta("og:url")):
            if not candidate:
                continue
            absolute = urljoin(self.page_url, candidate.strip())
            if absolute.startswith(("http://", "https://")) and _same_site(absolute, self.page_url):
                return absolute
        return self.page_url

    def publisher_names(self) -> list[str]:
        """Names of the publishing organization(s), which are never authors."""
        names = []
        for key in ("publisher", "sourceOrganization", "copyrightHolder"):
            value = self.article.get(key)
            for item in value if isinstance(value, list) else [value]:
                item = self.data.resolve(item)
                name = _text(item.get("name")) if isinstance(item, dict) else _text(item)
                if name:
                    names.append(name)
        for node in self.data.nodes:
            if type_names(node) & _ORG_TYPES and _text(node.get("name")):
                names.append(_text(node.get("name")) or "")
        return names

    def site_name(self) -> str | None:
        """og:site_name, else the JSON-LD publisher, else application-name."""
        name = self.data.first_meta("og:site_name")
        if not name:
            publishers = self.publisher_names()
            name = publishers[0] if publishers else self.data.first_meta("application-name")
        return " ".join(name.split()) if name else None

    def _site_names(self) -> list[str]:
        names = [n for n in (self.site_name(), *self.publisher_names()) if n]
        host = (urlsplit(self.page_url).hostname or "").removeprefix("www.")
        if host:
            names += [host, host.split(".")[0]]
        return names

    def title(self) -> str | None:
        """Headline without a " | Site" suffix.

        og:title, JSON-LD headline, twitter:title, ``<title>``, first ``<h1>``: the first
        present wins, cut back to the part before a separator when another source
        agrees on that part ("Headline | Section" and an ``<h1>`` "Headline"). og:title
        comes first: it is the headline the publisher gives the story itself, where the
        JSON-LD headline is as often a longer search-engine variant of it. A source that
        is only the site's name is passed over.
        """
        candidates = self.headlines()
        if not candidates:
            fallback = extract_title(self.tree)
            return strip_title_affixes(fallback, self._site_names()) if fallback else None
        title = whole_title(prefix_agreed(candidates[0], candidates[1:]), candidates[1:])
        # the <h1> is the last candidate: another source must agree with it
        sources = candidates[1:-1] if self._visible_headline else candidates[1:]
        return kicker_agreed(title, sources, self._visible_headline) or None

    def headlines(self) -> list[str]:
        """Every headline the page gives, site affixes removed, in :meth:`title` order.

        Copies of any of them in the text are the headline repeated, not the story.
        """
        if self._headlines is None:
            sites = self._site_names()
            # the first <h1> with text: templates leave empty ones around a logo
            shown = (" ".join(" ".join(h1.itertext()).split()) for h1 in self.tree.iter("h1"))
            self._visible_headline = next((text for text in shown if text), None)
            raw = [
                self.data.first_meta("og:title"),
                _text(self.article.get("headline")) or _text(self.article.get("name")),
                self.data.first_meta("twitter:title"),
                self.data.title_tag,
                self._visible_headline,
            ]
            found = [strip_title_affixes(fix_mojibake(t), sites) for t in raw if t]
            self._headlines = [t for t in found if t and not any(same_name(t, s) for s in sites)]
        return list(self._headlines)

    def authors(self) -> list[str]:
        """Who wrote the article: people, and news agencies credited with them or alone.

        Sources in order: JSON-LD ``author``, ``<meta name=author>`` and its kin, links to
        author pages next to the headline, the first element marked as byline or author.
        The first source that names a person wins, with any agency it credits beside the
        people ("Jane Doe, dpa"). When no source names a person, the first agency credit
        is the author: a wire story is the agency's ("dpa", "AFP", "Associated Press").
        The publisher's own name ("Daily Example", "example.com", "Example staff") never
        is: it says who published the page, which ``site_name`` already holds.
        """
        if self._authors is None:
            self._authors = self._find_authors()
        return list(self._authors)

    def _find_authors(self) -> list[str]:
        exclude = self._site_names()
        raw: list[str] = []
        value = self.article.get("author") or self.article.get("creator")
        for item in value if isinstance(value, list) else [value]:
            item = self.data.resolve(item)
            if isinstance(item, dict):
                name = _text(item.get("name"))
                types = type_names(item)
                # ["Person", "Organization"]: a person who writes for the organization
                if types & _ORG_TYPES and "Person" not in types:
                    if name and is_agency(name):
                        raw.append(name)
                    elif name:
                        exclude.append(name)
                    continue
                if not name and (item.get("givenName") or item.get("familyName")):
                    name = " ".join(str(item.get(k) or "") for k in ("givenName", "familyName"))
                if name:
                    raw.append(name)
            elif isinstance(item, str):
                raw.append(html.unescape(item))
        sources = [raw]
        # first value only: later <meta name=author> tags are often image credits
        sources += [[v for v in self.data.meta.get(key, ()) if v][:1] for key in _AUTHOR_META]
        agencies: list[str] = []
        shown = clean_people(byline_names(self.tree), exclude)
        for values in sources:
            names = clean_people(values, exclude)
            if any(not is_agency(n) for n in names):
                # metadata naming one of the people the visible byline shows is incomplete
                return shown if _keys(names) < _keys(shown) else names
            agencies = agencies or names
        names = shown
        if any(not is_agency(n) for n in names):
            return names
        agencies = agencies or names
        # our own scan: trafilatura's extract_author() gave the same answers on the
        # development sets at three times the cost (a tree copy and regex XPaths)
        for scan in (marked_byline, labeled_byline):
            found = scan(self.tree)
            names = clean_people(found.split(";") if found else [], exclude)
            # a lone word from a heuristic is too often a section or a brand
            people = [n for n in names if " " in n and not is_agency(n)]
            if people:
                return people + [n for n in names if is_agency(n)]
            agencies = agencies or [n for n in names if is_agency(n)]
        # a signature line is checked name by name, so initials ("ssi") count there
        signed = clean_people(signature_byline(self.tree), exclude)
        if any(not is_agency(n) for n in signed):
            return signed
        return agencies

    def published(self) -> str | None:
        """Original publication date (ISO 8601), never the modification date."""
        for value in (self.article.get("datePublished"), self.article.get("dateCreated")):
            date = normalize_date(_text(value))
            if date:
                return date
        for key in _PUBLISHED_META:
            date = normalize_date(self.data.first_meta(key))
            if date:
                return date
        for element in self.tree.iter("time"):
            if element.get("itemprop") == "datePublished" or element.get("pubdate") is not None:
                date = normalize_date(element.get("datetime"))
                if date:
                    return date
        date = self._date_in_title()
        if date:
            return date
        try:
            found = find_date(
                self.tree,
                url=self.page_url,
                original_date=True,
                extensive_search=True,
                max_date=datetime.now().strftime("%Y-%m-%d"),
            )
        except Exception as err:  # noqa: BLE001 - a heuristic failing means "no date"
            logger.debug("htmldate failed on %s: %s", self.page_url, err)
            found = None
        return normalize_date(found)

    def _date_in_title(self) -> str | None:
        # "Headline | Site | 28.04.2023": some sites stamp the date into the title
        for title in (self.data.title_tag, self.data.first_meta("og:title")):
            match = _TITLE_DATE_RE.search(title or "")
            if match:
                day, month, year = match.group("d"), match.group("m"), match.group("y")
                return normalize_date(f"{year}-{int(month):02d}-{int(day):02d}")
        return None

    def modified(self) -> str | None:
        """Last modification date (ISO 8601), if the page states one."""
        date = normalize_date(_text(self.article.get("dateModified")))
        if date:
            return date
        for key in _MODIFIED_META:
            date = normalize_date(self.data.first_meta(key))
            if date:
                return date
        return None

    def description(self) -> str | None:
        """og:description, else the meta description, else the JSON-LD one."""
        value = self.data.first_meta("og:description", "description", "twitter:description")
        return value or _text(self.article.get("description"))

    def tags(self) -> list[str]:
        """Keywords and ``article:tag`` values, de-duplicated in page order."""
        sources: list[Any] = [self.article.get("keywords"), self.data.meta.get("article:tag")]
        sources += [self.data.meta.get("news_keywords"), self.data.meta.get("keywords")]
        for source in sources:
            values = source if isinstance(source, list) else [source]
            tags: list[str] = []
            seen: set[str] = set()
            for value in values:
                if not isinstance(value, str):
                    continue
                for tag in html.unescape(value).split(","):
                    tag = " ".join(tag.split())
                    if tag and tag.casefold() not in seen:
                        seen.add(tag.casefold())
                        tags.append(tag)
            if tags:
                return tags
        return []

    def image(self) -> str | None:
        """Lead image URL: og:image, twitter:image, then the JSON-LD image."""
        value: Any = self.data.first_meta("og:image", "og:image:url", "twitter:image")
        if not value:
            image = self.article.get("image") or self.article.get("thumbnailUrl")
            image = image[0] if isinstance(image, list) and image else image
            image = self.data.resolve(image)
            value = image.get("url") if isinstance(image, dict) else image
        if not isinstance(value, str) or not value.strip():
            return None
        return urljoin(self.page_url, value.strip())

    def declared_language(self) -> str | None:
        """The language the page declares: html lang, JSON-LD inLanguage, og:locale."""
        for value in (
            self.data.html_lang,
            _text(self.article.get("inLanguage")),
            self.data.first_meta("og:locale", "content-language", "language", "dc.language"),
        ):
            code = language_code(value)
            if code:
                return code
        return None
