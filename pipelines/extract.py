"""One HTML page in, article fields (or the reason it is not an article) out.

The page is parsed once; the same tree feeds the structured-data reader, the metadata
heuristics and trafilatura (which works on its own copy). Plain Python: no Scrapy here.
The types it takes and gives live in `pipelines.extraction_types` (re-exported here), so that
processes which only pass pages on need not load the extractor.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import htmldate.utils
import lxml.html
import trafilatura
import trafilatura.utils
from extruct.jsonld import JsonLdExtractor
from trafilatura.settings import Extractor

from pipelines.articlebody import choose_text
from pipelines.bodytext import (
    body_paragraphs,
    join_split_body,
    protect_inline_names,
    prune_appended_articles,
    prune_hidden,
    visible_lede,
)
from pipelines.boilerplate import (
    drop_bylines,
    drop_link_lists,
    drop_title,
    drop_widget_sections,
    is_boilerplate,
)
from pipelines.classify import PageSignals, classify, count_teaser_links, main_entity_type
from pipelines.extraction_types import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    Extraction,
    ExtractOptions,
    extractor_info,
)
from pipelines.fields import same_name
from pipelines.htmlload import decode_html, parse_html, use_fast_class_lookup
from pipelines.language import LanguageGuesser
from pipelines.metadata import PageMetadata
from pipelines.structured import read_page_data
from pipelines.visible_tags import visible_tags

__all__ = ["EXTRACTOR_NAME", "EXTRACTOR_VERSION", "ArticleExtractor", "ExtractOptions", "Extraction"]

logger = logging.getLogger(__name__)

# trafilatura and htmldate re-parse with parsers of their own (lxml.html's default one for
# fragments): the trees they build get their element classes picked in C too
use_fast_class_lookup(trafilatura.utils.HTML_PARSER, htmldate.utils.HTML_PARSER, lxml.html.html_parser)

ARTICLE_KEYS = (
    "url",
    "title",
    "authors",
    "published",
    "modified",
    "language",
    "site_name",
    "description",
    "tags",
    "image",
    "text",
    "word_count",
)


def _declares_article(signals: PageSignals) -> bool:
    return bool(signals.article_type) or (signals.og_type or "").lower() == "article"


class ArticleExtractor:
    """Turns one HTML page into article fields, or says why it is not an article."""

    def __init__(self, options: ExtractOptions | None = None) -> None:
        self.options = options or ExtractOptions()
        # one options object for every page instead of trafilatura's 26 keyword arguments;
        # links are kept so that the share of link text can tell teaser lists from prose
        self._trafilatura = Extractor(
            output_format="python",
            comments=False,
            links=True,
            precision=self.options.favor_precision,
            recall=self.options.favor_recall,
            tables=self.options.include_tables,
            fast=self.options.fast,
            with_metadata=False,
        )
        self._jsonld = JsonLdExtractor()
        self._languages = LanguageGuesser()

    @property
    def info(self) -> dict[str, str]:
        """``{"name", "version"}`` of this extractor, recorded in every item."""
        return extractor_info()

    def extract(self, html: bytes | str, url: str, *, encoding: str | None = None) -> Extraction:
        """Extract the article on *html* fetched from *url*; never raises.

        *encoding* is the charset of the HTTP Content-Type header, if any; bytes without
        it are decoded by their BOM or ``<meta charset>``.
        """
        try:
            return self._extract(html, url, encoding)
        except Exception as err:
            logger.debug("extraction failed on %s", url, exc_info=True)
            message = " ".join(str(err).split())[:200]
            return Extraction(None, f"error:{type(err).__name__}: {message}".rstrip(": "))

    def _extract(self, html: bytes | str, url: str, encoding: str | None) -> Extraction:
        if html is None or len(html) == 0:
            return Extraction(None, "error:empty-page")
        if len(html) > self.options.max_page_bytes:
            return Extraction(None, f"error:page-too-large ({len(html)} bytes)")
        tree = parse_html(decode_html(html, encoding))
        if tree is None:
            return Extraction(None, "error:not-html")

        data = read_page_data(tree, self._jsonld)
        signals = PageSignals(
            url=url,
            jsonld_types=frozenset(data.types),
            article_type=data.article_type,
            article_is_top_level=any(node is data.article for node in data.nodes),
            og_type=data.first_meta("og:type"),
            main_entity_type=main_entity_type(data),
        )
        is_article, reason = classify(signals, self.options.min_text_length)
        if not is_article:
            logger.debug("not an article (%s): %s", reason, url)
            return Extraction(None, reason)

        meta = PageMetadata(tree, data, url)
        title = meta.title()
        headlines = [t for t in (title, *meta.headlines()) if t]
        protect_inline_names(tree)
        prune_hidden(tree)
        join_split_body(tree)
        prune_appended_articles(tree, headlines)
        document = trafilatura.bare_extraction(tree, url=url, options=self._trafilatura)
        # output_format="python" gives a Document (its dict form only with as_dict=True)
        body = getattr(document, "body", None)
        paragraphs = body_paragraphs(body) if body is not None else []
        paragraphs = drop_widget_sections([p for p in paragraphs if not is_boilerplate(p)])
        paragraphs = drop_link_lists(paragraphs)
        # the headline is its own field; trafilatura often repeats it as the first heading
        paragraphs = drop_title(paragraphs, headlines, same_name)
        paragraphs = drop_bylines(paragraphs, meta.authors(), same_name)
        text, link_chars = choose_text(paragraphs, data.article, self.options.min_text_length)

        signals = replace(
            signals,
            title=title,
            text_length=len(text),
            link_ratio=link_chars / len(text) if text else None,
            longest_paragraph_words=max((len(p.split()) for p in text.split("\n\n")), default=0),
            # only pages without article markup need the (whole-page) teaser count
            teaser_links=None if _declares_article(signals) else count_teaser_links(tree),
        )
        is_article, reason = classify(signals, self.options.min_text_length)
        if not is_article:
            logger.debug("not an article (%s): %s", reason, url)
            return Extraction(None, reason)
        # after classifying: a section front's visible description must not pass for prose
        lede = visible_lede(tree, meta.description(), text)
        if lede:
            text = f"{lede}\n\n{text}"

        article = {
            "url": meta.url(),
            "title": title,
            "authors": meta.authors(),
            "published": meta.published(),
            "modified": meta.modified(),
            "language": self._languages.language(meta.declared_language(), text),
            "site_name": meta.site_name(),
            "description": meta.description(),
            "tags": meta.tags() or visible_tags(tree),
            "image": meta.image(),
            "text": text,
            "word_count": len(text.split()),
        }
        return Extraction(article, reason)
