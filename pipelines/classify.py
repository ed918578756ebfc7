"""Decide whether a page is one article or something else (listing, tag, author, home page,
or a page about the site itself: about us, contact, imprint, privacy, a staff profile)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from lxml.html import HtmlElement

from pipelines.structured import PageData, type_names

__all__ = [
    "PageSignals",
    "classify",
    "count_teaser_links",
    "main_entity_type",
    "site_page_kind",
    "title_kind",
    "url_kind",
]

# top-level JSON-LD types of pages that list or describe other things
_LISTING_TYPES = ("CollectionPage", "SearchResultsPage", "ProfilePage", "ItemList")
_VIDEO_TYPES = frozenset({"VideoObject", "VideoGallery"})

# path segments that introduce a listing: /tag/foo, /author/jane-doe, /category/world/page/2
_LISTING_SEGMENTS = {
    "tag": "tag",
    "tags": "tag",
    "schlagwort": "tag",
    "thema": "tag",
    "themen": "tag",
    "topic": "tag",
    "topics": "tag",
    "author": "author",
    "authors": "author",
    "autor": "author",
    "autoren": "author",
    "auteur": "author",
    "profile": "author",
    "people": "author",
    "category": "listing",
    "categories": "listing",
    "section": "listing",
    "archive": "listing",
    "archives": "listing",
    "search": "search",
    "suche": "search",
    "recherche": "search",
    "buscar": "search",
}
# the last path segment of a page about the site rather than a story, in the languages of the
# news sites we see; CMSs often mark such pages og:type=article, or even NewsArticle
_SITE_PAGE_WORDS = {
    "about": (
        "about about-us aboutus about-the-site who-we-are ueber-uns uber-uns über-uns uberuns ueberuns "
        "qui-sommes-nous a-propos à-propos apropos chi-siamo quienes-somos sobre-nosotros quem-somos "
        "sobre-nos over-ons om-oss om-os o-nas o-nama"
    ),
    "contact": (
        "contact contact-us contactus contacts kontakt kontakte contacto contactenos contatti "
        "contato fale-conosco nous-contacter kontaktformular"
    ),
    "imprint": (
        "impressum imprint imprint-page legal-notice legal-notices mentions-legales "
        "mentions-légales mentions-legales-et-cgu aviso-legal note-legali colofon colophon"
    ),
    "privacy": (
        "privacy privacy-policy privacy-notice privacy-statement privacypolicy cookie-policy "
        "cookies-policy cookie-richtlinie datenschutz datenschutzerklaerung datenschutzerklarung "
        "datenschutzerklärung datenschutzhinweise politique-de-confidentialite confidentialite "
        "politique-de-confidentialité politica-de-privacidad privacidad privacy-e-cookie "
        "informativa-privacy privacyverklaring personvern integritetspolicy"
    ),
    "terms": (
        "terms terms-of-use terms-of-service terms-and-conditions agb nutzungsbedingungen "
        "conditions-generales cgu terminos-y-condiciones termini-e-condizioni"
    ),
}
_SITE_PAGE_SEGMENTS = {word: kind for kind, words in _SITE_PAGE_WORDS.items() for word in words.split()}
# a folder whose children are staff profiles: /team/jane-doe/, /redaktion/max-muster/
_PROFILE_FOLDERS = frozenset(
    "team staff journalists journalist reporters columnists contributors mitarbeiter redaktion "
    "redaktionsteam equipe équipe redaccion redazione autori autores".split()
)
# schema.org types of pages about the site or a person
_SITE_PAGE_TYPES = {"AboutPage": "about", "ContactPage": "contact", "ProfilePage": "profile"}
_TITLE_WORDS_RE = re.compile(r"[^\W_]+")
_PAGE_SEGMENT_RE = re.compile(r"^page$|^seite$|^pagina$")
_QUERY_KINDS = {"page": "listing", "paged": "listing", "s": "search", "q": "search", "query": "search"}
_HOME_PATH_RE = re.compile(r"^/?(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:index\.\w+)?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d{5,}")


def _article_like(segment: str) -> bool:
    """A slug or id that names one story ("eu-leaders-agree-on-budget", "a-1234567")."""
    stem = segment.rsplit(".", 1)[0]
    return len(re.split(r"[-_+]", stem)) >= 4 or bool(_NUMBER_RE.search(stem))


def _names_a_story(url: str) -> bool:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return bool(segments) and _article_like(segments[-1])


def url_kind(url: str) -> str | None:
    """Return "home", "tag", "author", "listing" or "search" when the URL names such a page."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path or "/"
    query = dict(parse_qsl(parts.query))
    if _HOME_PATH_RE.match(path) and not query:
        return "home"
    segments = [s for s in path.split("/") if s]
    if segments and _article_like(segments[-1]):
        return None
    for key, kind in _QUERY_KINDS.items():
        value = query.get(key, "")
        # "?page=1" rides along on many article URLs; "?page=3" is a listing's third page
        if value and (kind != "listing" or (value.isdigit() and int(value) > 1)):
            return kind
    for i, segment in enumerate(segments):
        lowered = segment.lower()
        segment_kind = _LISTING_SEGMENTS.get(lowered)
        # a listing keyword close to the end of the path: /tag/x, /category/a/b
        if segment_kind and len(segments) - i <= 3:
            return segment_kind
        if _PAGE_SEGMENT_RE.match(lowered) and i + 1 < len(segments) and segments[i + 1].isdigit():
            return "listing"
    return None


def site_page_kind(url: str) -> str | None:
    """Return "about", "contact", "imprint", "privacy", "terms" or "profile" when the URL's
    path names a page about the site or one of its staff, not a story."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    segments = [s.lower() for s in path.split("/") if s]
    if segments and segments[-1].rsplit(".", 1)[0] in ("index", "default"):
        segments.pop()  # /contact/index.html
    if not segments:
        return None
    last = segments[-1].rsplit(".", 1)[0]
    kind = _SITE_PAGE_SEGMENTS.get(last)
    if kind:
        return kind
    if len(segments) >= 2 and segments[-2] in _PROFILE_FOLDERS and not _article_like(last):
        return "profile"
    return None


def main_entity_type(data: PageData) -> str | None:
    """The schema.org type of what the page is about: the ``mainEntity`` of its WebPage,
    ProfilePage, ... node, or its only top-level node when that is a Person.

    A Person among a page's nodes is not enough: CMSs list the article's author in the same
    graph as the page, and leave the article node out as often as not.
    """
    for node in data.nodes:
        if "mainEntity" not in node or not any(t.endswith("Page") for t in type_names(node)):
            continue
        entity = data.resolve(node["mainEntity"])
        entity = entity[0] if isinstance(entity, list) and entity else entity
        names = type_names(entity) if isinstance(entity, dict) else set()
        if names:
            return "Person" if "Person" in names else min(names)
    if len(data.nodes) == 1 and type_names(data.nodes[0]) == {"Person"}:
        return "Person"
    return None


def count_teaser_links(tree: HtmlElement) -> int:
    """Number of links whose text has four or more words, as teaser headlines do."""
    return sum(1 for a in tree.iter("a") if len(a.text_content().split()) >= 4)


@dataclass(frozen=True)
class PageSignals:
    """What is known about a page when classifying it.

    ``text_length`` and ``link_ratio`` describe the extracted main text and are None
    before extraction; ``article_is_top_level`` tells whether the JSON-LD article node is
    the page's own entity rather than an entry nested in a list.
    """

    url: str
    jsonld_types: frozenset[str] = field(default_factory=frozenset)
    article_type: str | None = None
    article_is_top_level: bool = True
    og_type: str | None = None
    text_length: int | None = None
    link_ratio: float | None = None
    longest_paragraph_words: int | None = None
    teaser_links: int | None = None  # links on the page whose text reads like a headline
    # the schema.org type of the page's mainEntity (a WebPage's or ProfilePage's), if any
    main_entity_type: str | None = None
    title: str | None = None  # the page's title, site name removed


def _site_page(signals: PageSignals) -> str | None:
    """What a page about the site or a person is, from its URL, schema.org type and title.

    Their pages carry article markup as often as not (a CMS gives every page the same
    template), so these signals outrank og:type=article; a JSON-LD article that is the
    page's own entity outranks the title and the profile folder, which a story can share.
    """
    kind = site_page_kind(signals.url)
    if kind and kind != "profile":
        return kind
    own_article = bool(signals.article_type) and signals.article_is_top_level
    if own_article:
        return None
    if kind:
        return kind
    for schema_type, type_kind in _SITE_PAGE_TYPES.items():
        if schema_type in signals.jsonld_types:
            return type_kind
    if signals.main_entity_type == "Person":
        return "profile"
    return title_kind(signals.title) if signals.title else None


def title_kind(title: str) -> str | None:
    """The site-page kind a title names ("About us", "Impressum", "Privacy Policy")."""
    words = _TITLE_WORDS_RE.findall(title.casefold())
    if not 1 <= len(words) <= 4:
        return None
    return _SITE_PAGE_SEGMENTS.get("-".join(words))


def classify(signals: PageSignals, min_text_length: int = 200) -> tuple[bool, str]:
    """Return ``(is_article, reason)``.

    Reasons read "article:jsonld-NewsArticle", "article:og-article", "article:text",
    "not-article:jsonld-CollectionPage", "not-article:tag", "not-article:home",
    "not-article:listing", "not-article:og-website", "not-article:video", "not-article:too-short",
    and for pages about the site or a person "not-article:about", "not-article:contact",
    "not-article:imprint", "not-article:privacy", "not-article:terms", "not-article:profile".
    Called before
    extraction (text unknown) it only rules out what the markup and URL already show.
    """
    listing = next((t for t in _LISTING_TYPES if t in signals.jsonld_types), None)
    og_type = (signals.og_type or "").lower()
    site_page = _site_page(signals)
    if site_page:
        return False, f"not-article:{site_page}"
    if signals.article_type and (signals.article_is_top_level or not listing):
        if signals.text_length is not None and signals.text_length < min_text_length:
            return False, "not-article:too-short"
        return True, f"article:jsonld-{signals.article_type}"
    if listing:
        return False, f"not-article:jsonld-{listing}"
    kind = url_kind(signals.url)
    if kind and og_type != "article":
        return False, f"not-article:{kind}"
    if signals.text_length is None:
        return True, "article:pending"
    if signals.text_length < min_text_length:
        return False, "not-article:too-short"
    is_video = og_type.startswith("video") or bool(signals.jsonld_types & _VIDEO_TYPES)
    if is_video and signals.text_length < 2 * min_text_length:
        return False, "not-article:video"
    if og_type == "article":
        return True, "article:og-article"
    # text that is mostly link text is a list of teasers (a shopping list article says
    # og:type=article, which is why that is checked first)
    if signals.link_ratio is not None and signals.link_ratio >= 0.6:
        return False, "not-article:listing"
    # many headline links and not one paragraph of running prose: a section front
    if (signals.teaser_links or 0) >= 8 and (signals.longest_paragraph_words or 0) < 30:
        return False, "not-article:listing"
    # a page that calls itself a website, at a URL that names no story (/about/, /contact)
    if og_type in ("website", "profile") and not _names_a_story(signals.url):
        return False, f"not-article:og-{og_type}"
    return True, "article:text"
