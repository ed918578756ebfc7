"""Later editions of the demo site: a few more stories a section per edition, so that a crawl
run after another one (`newsarchive demo-site --edition N`) finds something new to archive.

Edition N holds every story of edition N-1 plus STORIES_PER_SECTION follow-ups in each section,
published after everything before them. Like the rest of the content, deterministic.
"""
from __future__ import annotations

import functools
import random
from datetime import timedelta

from demosite.content import BANKS, FIRST_PUBLISHED, Article, SiteContent, Writer, build_content

STORIES_PER_SECTION = 3


def _follow_up(content: SiteContent, edition: int, j: int, k: int) -> Article:
    """The j-th follow-up of section index `k % sections` in `edition`; `k` orders publication."""
    sections = content.sections
    section = sections[k % len(sections)]
    bank = BANKS[section.slug]
    written = [t for t in bank.TOPICS if "paragraphs" not in t]  # (a topic with set paragraphs has no fields)
    topic = written[((edition - 1) * STORIES_PER_SECTION + j) % len(written)]
    slug = "%s-follow-up-%d" % (topic["slug"], edition)
    rng = random.Random("meridian:%s" % slug)
    template = "wp" if k % 2 == 0 else "ld"
    position = len(build_content().articles) + (edition - 1) * STORIES_PER_SECTION * len(sections) + k
    published = FIRST_PUBLISHED + timedelta(hours=9 * position, minutes=rng.randint(0, 50))
    staff = sorted({p for a in content.articles for p in a.authors}, key=lambda p: p.name)
    return Article(
        number=5042 + 7 * position, slug=slug, section=section, title="%s: what happened next" % topic["title"],
        description=topic["dek"], authors=(staff[position % len(staff)],), published=published,
        modified=published, tags=tuple(topic["tags"]), template=template,
        paragraphs=Writer(topic, bank, template, rng).article(follow_up=True), place=topic.get("place", ""))


@functools.lru_cache(maxsize=8)
def edition(number: int) -> SiteContent:
    """The site's content at edition `number` (0: the site as it always was)."""
    base = build_content()
    if number <= 0:
        return base
    articles = list(base.articles)
    for e in range(1, number + 1):
        count = STORIES_PER_SECTION * len(base.sections)
        articles += [_follow_up(base, e, k // len(base.sections), k) for k in range(count)]
    return SiteContent(base.sections, articles)
