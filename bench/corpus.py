"""The benchmark's articles: real pages cycled as distinct copies, and tiny generated ones.

Real pages are those of ../shared/eval/*/pages/*.html.gz, read at run time and never copied
into the repository. Article n is source n mod S, made distinct: a paragraph "Bench marker n:
..." goes after the text that best matches the ground-truth body, and a made-up word after every
4th space of the page's text, so that each copy's main text has its own sha256 and a SimHash
more than 3 bits from every other copy's (a marker paragraph alone moves a long article's
SimHash by only 1-3 bits). `python bench/site.py check` measures that with newsarchive's
extractor. Relative links are made absolute to the page's original site, so that a crawler
following them leaves the benchmark's scope instead of fetching 404s here.
"""
from __future__ import annotations

import gzip
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

EVAL_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
SPRINKLE_EVERY = 4  # a made-up word after every 4th space of text (measured by `check`)
MARKER_WORDS = 40
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
_SKIP_RE = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->",
                      re.IGNORECASE | re.DOTALL)
_TEXT_RE = re.compile(rb">([^<>]+)<")
_SPACE_RE = re.compile(rb" (?=[^\s])")
_CLOSE_P_RE = re.compile(rb"</p\s*>", re.IGNORECASE)
_OPEN_P_RE = re.compile(rb"<p[\s>]", re.IGNORECASE)
_HREF_RE = re.compile(rb"""(\shref\s*=\s*)(?:(["'])(.*?)\2|([^\s"'>]+))""", re.IGNORECASE | re.DOTALL)
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_KEEP_HREF = (b"http:", b"https:", b"//", b"#", b"mailto:", b"javascript:", b"tel:", b"data:")


class MissingCorpus(RuntimeError):
    """The evaluation pages are not where the benchmark expects them."""


@dataclass(frozen=True)
class Source:
    """One real page, ready to be copied: links made absolute, the variation points found."""

    name: str
    html: bytes
    charset: str | None
    marker_at: int  # byte offset after the text that best matches the ground-truth body
    sprinkle_at: tuple[int, ...]  # byte offsets just after every SPRINKLE_EVERY-th space of text


def load_sources(eval_dir: Path = EVAL_DIR) -> list[Source]:
    paths = sorted(eval_dir.glob("*/pages/*.html.gz"))
    if not paths:
        raise MissingCorpus("no pages at %s/*/pages/*.html.gz: the benchmark reads the shared "
                            "evaluation pages (see /work/shared/eval/README.md); pass --eval-dir"
                            % eval_dir)
    sources = []
    for path in paths:
        meta = json.loads(path.with_name(path.name[: -len(".html.gz")] + ".json").read_text("utf-8"))
        html = _absolute_links(gzip.decompress(path.read_bytes()), meta.get("url") or "")
        charset = _charset(html)
        segments = list(_text_segments(html))
        sources.append(Source(
            name=path.name.split(".")[0], html=html, charset=charset,
            marker_at=_marker_offset(html, segments, charset, str(meta.get("articleBody") or "")),
            sprinkle_at=tuple(_sprinkle_offsets(html, segments)),
        ))
    return sources


def _absolute_links(html: bytes, base: str) -> bytes:
    if not base.startswith(("http://", "https://")):
        return html

    def fix(match: re.Match[bytes]) -> bytes:
        quote = match.group(2) or b'"'
        href = (match.group(3) if match.group(2) else match.group(4)).strip()
        if not href or href.lower().startswith(_KEEP_HREF):
            return match.group(0)
        try:
            absolute = urljoin(base, unescape(href.decode("latin-1"))).encode("latin-1")
        except (ValueError, UnicodeEncodeError):
            return match.group(0)
        return match.group(1) + quote + absolute.replace(quote, b"%22" if quote == b'"' else b"%27") + quote

    return _HREF_RE.sub(fix, html)


def _charset(html: bytes) -> str | None:
    """What the Content-Type header says: UTF-8 when the bytes are, as servers mostly say."""
    try:
        html.decode("utf-8")
    except UnicodeDecodeError:
        match = _CHARSET_RE.search(html[:8192])
        return match.group(1).decode("ascii").lower() if match else None
    return "utf-8"


def _text_segments(html: bytes) -> Iterator[tuple[int, int]]:
    """(start, end) of the text between tags, outside scripts, styles and comments."""
    skip = [(m.start(), m.end()) for m in _SKIP_RE.finditer(html)]
    k = 0
    for match in _TEXT_RE.finditer(html):
        start, end = match.span(1)
        while k < len(skip) and skip[k][1] <= start:
            k += 1
        if (k < len(skip) and skip[k][0] < end) or not html[start:end].strip():
            continue
        yield start, end


def _grams(text: str) -> set[str]:
    text = " ".join(unescape(text).lower().split())
    return {text[i : i + 8] for i in range(len(text) - 7)}


def _marker_offset(html: bytes, segments: list[tuple[int, int]], charset: str | None, body: str) -> int:
    """After the paragraph sharing most text with the ground-truth body: inside the article."""
    truth = _grams(body)
    best, best_score = -1, 0
    for start, end in segments:
        if end - start < 80:
            continue  # not a paragraph of the article
        text = html[start:end].decode(charset or "utf-8", "replace")
        score = len(_grams(text) & truth)
        if score > best_score:
            best, best_score = end, score
    if best < 0:
        at = html.lower().rfind(b"</body>")
        return at if at >= 0 else len(html)
    # after the end of that paragraph, when it is one: a <p> in a <p> would end the first early
    close, opening = _CLOSE_P_RE.search(html, best), _OPEN_P_RE.search(html, best)
    if close and close.start() - best < 5000 and (opening is None or close.start() < opening.start()):
        return close.end()
    return best


def _sprinkle_offsets(html: bytes, segments: list[tuple[int, int]]) -> Iterator[int]:
    count = 0
    for start, end in segments:
        for match in _SPACE_RE.finditer(html, start, end):
            count += 1
            if count % SPRINKLE_EVERY == 0:
                yield match.end()


def words(rng: random.Random, count: int) -> list[str]:
    """`count` made-up words: every copy of a page gets shingles no other copy has."""
    return ["".join(rng.choices(_SYLLABLES, k=rng.randint(2, 4))) for _ in range(count)]


def marker(n: int) -> bytes:
    """The paragraph that names copy n."""
    made = " ".join(words(random.Random(n), MARKER_WORDS))
    return ("<p>Bench marker %d: %s.</p>" % (n, made.capitalize())).encode("ascii")


def real_article(source: Source, n: int) -> bytes:
    """Copy n of `source`: its marker paragraph, and a made-up word after every few words."""
    rng = random.Random(-1 - n)
    inserts = [(at, w.encode("ascii") + b" ") for at, w in
               zip(source.sprinkle_at, words(rng, len(source.sprinkle_at)), strict=True)]
    inserts.append((source.marker_at, marker(n)))
    inserts.sort(key=lambda pair: pair[0])
    parts, prev = [], 0
    for at, text in inserts:
        parts += [source.html[prev:at], text]
        prev = at
    parts.append(source.html[prev:])
    return b"".join(parts)


def cheap_article(n: int) -> bytes:
    """A tiny article (about 60 made-up words) for the memory runs."""
    rng = random.Random(n)
    body = "".join("<p>%s.</p>" % " ".join(words(rng, 30)).capitalize() for _ in range(2))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story %d</title>'
            '<meta property="og:type" content="article"></head><body><article><h1>Story %d</h1>%s'
            "</article></body></html>" % (n, n, body)).encode("ascii")


def article_path(n: int, mode: str) -> str:
    """Article n's path: a slug of four parts, as newsarchive's classifier expects of articles."""
    return "/news/%d-bench-%s-story" % (n, mode)


# -- does a cycled copy count as a new article? ---------------------------------------------
def check(eval_dir: Path, cycles: int) -> int:
    """Extract `cycles` copies of every source as newsarchive would; 1 if any would be deduplicated."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from pipelines.extract import ArticleExtractor
    from pipelines.textnorm import content_hash, hamming, simhash

    extractor = ArticleExtractor()
    sources = load_sources(eval_dir)
    problems, articles, marked, closest = 0, 0, 0, 64
    for i, source in enumerate(sources):
        copies = []
        for cycle in range(cycles):
            n = i + cycle * len(sources)
            url = "http://127.0.0.1:8000" + article_path(n, "real")
            extraction = extractor.extract(real_article(source, n), url, encoding=source.charset)
            if extraction.article is not None:
                copies.append((n, str(extraction.article["text"])))
        if len(copies) < cycles:
            continue  # not an article here: copies are dropped before dedupe sees them
        articles += 1
        marked += all(("Bench marker %d" % n) in text for n, text in copies)
        hashes = {content_hash(text) for _, text in copies}
        sims = [simhash(text) for _, text in copies]
        distance = min(hamming(a, b) for j, a in enumerate(sims) for b in sims[j + 1 :])
        closest = min(closest, distance)
        if len(hashes) < cycles or distance <= 3:
            problems += 1
            print("%s: %d distinct texts of %d, closest SimHash distance %d"
                  % (source.name, len(hashes), cycles, distance))
    print("%d sources: %d articles in all %d copies, the marker paragraph in the text of %d; "
          "%d would be deduplicated; closest SimHash distance between copies: %d bits" % (
              len(sources), articles, cycles, marked, problems, closest))
    return 1 if problems else 0
