"""Deterministic content of the demo news site: sections, articles, people and tags.

Everything here is derived from the data modules with seeded ``random.Random`` instances, so the
site is byte-for-byte the same on every run; nothing reads the clock.

Article paragraphs are kept in the inline markup of :mod:`demosite.markup`, from which
both the served HTML and the plain-text ground truth are rendered.
"""
from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

from demosite import data_business, data_common, data_science, data_world
from demosite.markup import MARKUP, markup_to_html, markup_to_text, slugify

SITE_NAME = data_common.SITE_NAME
PAGE_SIZE = 5
# The site's fixed "today", shown where a real theme prints the current date.
SITE_DATE = datetime(2026, 3, 15, 12, 0, tzinfo=timezone.utc)
FIRST_PUBLISHED = datetime(2026, 3, 2, 7, 10, tzinfo=timezone.utc)

# Articles that carry one of the site's special cases.
AMP_SLUG = "baltic-ferry-crews-strike-over-pay"
TRACKING_SLUG = "nile-basin-states-resume-water-talks"
REDIRECT_SLUG = "cocoa-prices-ease-after-record-highs"
GZIP_SLUG = "telescope-maps-water-vapour-gas-giant"
FBCLID = "IwAR2xDemoFbclid0Kx7MeridianPost"

BANKS: dict[str, ModuleType] = {
    "world": data_world, "business": data_business, "science": data_science,
}
@dataclass(frozen=True)
class Section:
    """A section front such as World; its listing is paginated."""

    slug: str
    name: str
    description: str

    def page_path(self, page: int = 1) -> str:
        """Path of listing page ``page`` (1-based); page 1 is the bare section path."""
        return f"/section/{self.slug}/" if page == 1 else f"/section/{self.slug}/page/{page}/"


@dataclass(frozen=True)
class Person:
    """A staff author (``/author/<slug>/``) or a newsmaker with a topic page."""

    name: str
    bio: str = ""

    @property
    def slug(self) -> str:
        return slugify(self.name)


@dataclass(frozen=True)
class Article:
    """One story, independent of the host it is served from (paths, not URLs)."""

    number: int
    slug: str
    section: Section
    title: str
    description: str
    authors: tuple[Person, ...]
    published: datetime
    modified: datetime
    tags: tuple[str, ...]
    template: str
    paragraphs: tuple[str, ...]
    place: str
    encoding: str = "utf-8"

    @property
    def path(self) -> str:
        return f"/{self.section.slug}/{self.slug}/"

    @property
    def image_path(self) -> str:
        return f"/media/{self.slug}.png"

    @property
    def html_paragraphs(self) -> tuple[str, ...]:
        return tuple(markup_to_html(p) for p in self.paragraphs)

    @property
    def text(self) -> str:
        return "\n\n".join(markup_to_text(p) for p in self.paragraphs)

    @property
    def inline_names(self) -> tuple[str, ...]:
        names = [m.group(4) for p in self.paragraphs for m in MARKUP.finditer(p)]
        return tuple(dict.fromkeys(names))

    @property
    def topic_links(self) -> tuple[tuple[str, str], ...]:
        """(topic path, name) of every ``/topic/`` link in the body."""
        found = [(m.group(3), m.group(4)) for p in self.paragraphs for m in MARKUP.finditer(p)
                 if m.group(3) and m.group(3).startswith("/topic/")]
        return tuple(dict.fromkeys(found))


class SiteContent:
    """All articles of the site plus the indexes the listing pages need."""

    def __init__(self, sections: tuple[Section, ...], articles: list[Article]) -> None:
        self.sections = sections
        self.articles = tuple(sorted(articles, key=lambda a: a.published, reverse=True))
        self.by_path = {a.path: a for a in self.articles}
        self.by_slug = {a.slug: a for a in self.articles}
        tags: dict[str, list[Article]] = {}
        authors: dict[str, list[Article]] = {}
        topics: dict[str, list[Article]] = {}
        self.people: dict[str, Person] = {}
        self.topic_names: dict[str, str] = {}
        for a in self.articles:
            for tag in a.tags:
                tags.setdefault(tag, []).append(a)
            for person in a.authors:
                authors.setdefault(person.slug, []).append(a)
                self.people[person.slug] = person
            for path, name in a.topic_links:
                slug = path.split("/")[2]
                topics.setdefault(slug, []).append(a)
                self.topic_names[slug] = name
        self.tags = {k: tuple(v) for k, v in sorted(tags.items())}
        self.author_articles = {k: tuple(v) for k, v in sorted(authors.items())}
        self.topic_articles = {k: tuple(dict.fromkeys(v)) for k, v in sorted(topics.items())}

    def section(self, slug: str) -> Section | None:
        return next((s for s in self.sections if s.slug == slug), None)

    def in_section(self, section: Section) -> tuple[Article, ...]:
        return tuple(a for a in self.articles if a.section == section)

    def page_count(self, section: Section) -> int:
        return -(-len(self.in_section(section)) // PAGE_SIZE)

    def section_page(self, section: Section, page: int) -> tuple[Article, ...]:
        return self.in_section(section)[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]

    def neighbours(self, article: Article) -> tuple[Article | None, Article | None]:
        """(older, newer) article in publication order, for previous/next links."""
        i = self.articles.index(article)
        newer = self.articles[i - 1] if i > 0 else None
        older = self.articles[i + 1] if i + 1 < len(self.articles) else None
        return older, newer

    def related(self, article: Article, count: int = 3) -> tuple[Article, ...]:
        """Same-section stories first, then the latest elsewhere; never the article itself."""
        same = [a for a in self.in_section(article.section) if a is not article]
        other = [a for a in self.articles if a.section != article.section]
        return tuple((same + other)[:count])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _count(markup: str) -> int:
    return len(markup_to_text(markup).split())


class Writer:
    """Fills sentence templates for one article, handing out each quoted person once."""

    def __init__(self, topic: dict[str, Any], bank: ModuleType, template: str,
                 rng: random.Random) -> None:
        self.topic, self.bank, self.template, self.rng = topic, bank, template, rng
        self.experts = list(bank.EXPERTS)
        self.residents = list(data_common.RESIDENTS)
        self.quotes = list(bank.QUOTES)
        for pool in (self.experts, self.residents, self.quotes):
            rng.shuffle(pool)

    def _expert_markup(self, name: str) -> str:
        # The "wp" theme marks quoted people with an author-ish class, the trap for extractors
        # that drop anything called *author*; the "ld" newsroom links or bolds them.
        if self.template == "wp":
            return f"[[span.td-author-name|{name}]]"
        if self.rng.random() < 0.5:
            return f"[[strong|{name}]]"
        return f"[[a:/topic/{slugify(name)}/|{name}]]"

    def fill(self, template: str) -> str:
        t, rng = self.topic, self.rng
        title, official = t["official"]
        currency = rng.choice(("$", "€", "£"))
        fields = {
            "subject": t["subject"], "Subject": _cap(t["subject"]), "org": t["org"],
            "Org": _cap(t["org"]), "place": t["place"], "group": t["group"],
            "Group": _cap(t["group"]), "official_title": title, "Official_title": _cap(title),
            "OFFICIAL": f"[[a:/topic/{slugify(official)}/|{official}]]",
            "month": rng.choice(data_common.MONTHS), "weekday": rng.choice(data_common.WEEKDAYS),
            "year": str(rng.randint(2012, 2022)), "pct": str(rng.randint(4, 38)),
            "money": f"{currency}{rng.randint(12, 480)} million",
            "thousands": f"{rng.randint(3, 90)},000", "hundreds": str(rng.randrange(150, 950, 10)),
            "n_weeks": rng.choice(("six", "eight", "ten", "twelve")),
            "n_years": rng.choice(("three", "four", "five", "seven")),
            "n_months": rng.choice(("three", "four", "six")),
        }
        if "{EXPERT}" in template:
            name, role = self.experts.pop()
            fields.update(EXPERT=self._expert_markup(name), expert_role=role,
                          quote=self.quotes.pop())
        if "{RESIDENT}" in template:
            name, role = self.residents.pop()
            fields.update(RESIDENT=f"[[em|{name}]]", resident_role=role)
        return template.format_map(fields)

    def paragraph(self, start: list[str], pool: list[str], lo: int = 40, hi: int = 90) -> str:
        """Add sentences from ``pool`` to ``start`` until the paragraph has lo..hi words."""
        sentences = list(start)
        words = sum(_count(s) for s in sentences)
        misses = 0
        while words < lo and pool and misses < len(pool):
            sentence = self.fill(pool.pop())
            if words + _count(sentence) > hi:
                misses += 1
                pool.insert(0, sentence)  # already filled; reused verbatim later
                continue
            sentences.insert(self.rng.randint(1, len(sentences)) if sentences else 0, sentence)
            words += _count(sentence)
        return " ".join(sentences) if lo <= words <= hi else ""

    def article(self, follow_up: bool = False) -> tuple[str, ...]:
        """The story's paragraphs; a follow-up does not repeat the topic's lead and detail, so its
        text is its own (not a near duplicate of the first story)."""
        rng = self.rng
        pool = list(self.bank.SENTENCES) + list(data_common.GENERIC)
        rng.shuffle(pool)
        n_paragraphs = rng.randint(5, 9)
        quoted = set(rng.sample(range(1, n_paragraphs), rng.randint(1, 3)))
        paragraphs = [self.paragraph([] if follow_up else [self.topic["lead"], self.topic["detail"]], pool)]
        for i in range(1, n_paragraphs):
            start = [self.fill(rng.choice(data_common.QUOTE_FORMS))] if i in quoted else []
            paragraph = self.paragraph(start, pool)
            if not paragraph:
                break
            paragraphs.append(paragraph)
        return tuple(paragraphs)


@functools.lru_cache(maxsize=1)
def build_content() -> SiteContent:
    """The whole site's content; pure and deterministic, so it is computed once per process."""
    sections = tuple(Section(*s) for s in data_common.SECTIONS)
    staff = [Person(name, f"{name} {beat} for {SITE_NAME}.") for name, beat in data_common.STAFF]
    by_name = {p.name: p for p in staff}
    # Interleave the sections so that every stretch of days has stories from each of them.
    order = [(s, i) for i in range(12) for s in sections]
    articles = []
    for k, (section, i) in enumerate(order):
        topic = BANKS[section.slug].TOPICS[i]
        rng = random.Random(f"meridian:{topic['slug']}")
        template = "wp" if i % 2 == 0 else "ld"
        published = FIRST_PUBLISHED + timedelta(hours=9 * k, minutes=rng.randint(0, 50))
        modified = published
        if k % 3 == 1:
            modified = published + timedelta(hours=2, minutes=rng.randint(5, 55))
        authors = [staff[(k * 5) % len(staff)]]
        if rng.random() < 0.3:
            authors.append(staff[(k * 5 + 3) % len(staff)])
        if "authors" in topic:
            authors = [by_name[n] for n in topic["authors"]]
        if "paragraphs" in topic:
            paragraphs, place = tuple(topic["paragraphs"]), "Zürich"
        else:
            paragraphs = Writer(topic, BANKS[section.slug], template, rng).article()
            place = topic["place"]
        articles.append(Article(
            number=1042 + 7 * k, slug=topic["slug"], section=section, title=topic["title"],
            description=topic["dek"], authors=tuple(authors), published=published,
            modified=modified, tags=tuple(topic["tags"]), template=template,
            paragraphs=paragraphs, place=place, encoding=topic.get("encoding", "utf-8"),
        ))
    return SiteContent(sections, articles)


def published_by(content: SiteContent, moment: datetime) -> SiteContent:
    """The site as it stood at `moment`: only stories published by then (for incremental runs).

    The stories the home and about pages single out (redirect, tracking links, AMP and gzip
    copies) are always there, so every page of the site renders at any moment.
    """
    keep = {AMP_SLUG, GZIP_SLUG, REDIRECT_SLUG, TRACKING_SLUG}
    return SiteContent(content.sections, [
        a for a in content.articles if a.published <= moment or a.slug in keep])

