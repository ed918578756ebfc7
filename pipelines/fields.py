"""Cleaning of single metadata values: author names, dates, titles, language codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache

__all__ = [
    "clean_authors",
    "fix_mojibake",
    "is_agency",
    "kicker_agreed",
    "language_code",
    "normalize_date",
    "prefix_agreed",
    "same_name",
    "strip_title_affixes",
]

# "By", "Von", "Par", ... in front of a byline, and separators between several names
_BY_RE = re.compile(
    r"^(?:(?:by|from|von|vom|par|por|per|door|av|af|written by|posted by|reported by|"
    r"geschrieben von|ein (?:kommentar|gastbeitrag|interview) von)\s*[:\-–]?\s+"
    r"|(?:text|texto|tekst|autor|autorin|author|authors|auteur|autore)\s*:\s*)",
    re.IGNORECASE,
)
_SPLIT_RE = re.compile(r"\s*(?:[,;|/&+•·]|\s(?:and|und|et|y|e|og|och|en|i|a|és|ve|и)\s)\s*", re.IGNORECASE)
_ROLE_WORDS = frozenset(
    """
    reporter reporters correspondent correspondents editor editors writer writers staff
    contributor contributors columnist journalist journalists photographer photographers
    redaktion redakteur redakteurin autor autorin korrespondent korrespondentin
    rédaction rédacteur redacción redactor redazione redaktionen redaksjonen
    senior chief political business health science sports chefredakteur team desk
    news agency agencies online digital newsroom editorial deputy associate managing
    quelle source sources fonte fuente nachrichten noticias notícias nieuws nyheter notizie actualités
    """.split()
)
_COLLECTIVE_WORDS = frozenset({"staff", "team", "desk", "newsroom", "redaktion", "rédaction", "redacción"})
# news agencies (comparison keys): a wire story credited to one of them has it as its author
_AGENCIES = frozenset(
    """
    dpa afp ap reuters sid epd kna apa ansa efe anp ntb tt ritzau belga ats sda pap ctk tass
    ria xinhua aap pa upi kyodo yonhap aa anadolu dapd ddp afx dts pti ians bloomberg
    associatedpress pressassociation agencefrancepresse deutschepresseagentur dpaafx
    anadoluajansi anadoluajansı anadoluagency europapress kyodonews pamedia keystonesda
    bloombergnews thomsonreuters
    """.split()
)
_SOURCE_RE = re.compile(r"^(?:quelle|source|sources|fonte|fuente|kilde|källa|bron|źródło)\s*:", re.IGNORECASE)
_URL_OR_EMAIL_RE = re.compile(r"^(?:https?:|www\.|/|\S+@\S+$)", re.IGNORECASE)
_DOMAIN_RE = re.compile(r"\w\.(?:[a-z]{2,3}|info|news|online)\b", re.IGNORECASE)
_NOT_A_NAME_RE = re.compile(r"@|https?:|www\.|\d|\.(?:com|org|net|de|uk)\b", re.IGNORECASE)


def same_name(a: str, b: str) -> bool:
    """True when two names are equal ignoring case, accents, spaces and punctuation."""
    key = _key(a)
    return bool(key) and key == _key(b)


_NOT_ALNUM_RE = re.compile(r"[\W_]+")


# the same few headlines, names and short lines are compared again and again (66,348 keys,
# 4,913 distinct, on the 306 eval pages)
@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    # \W in a str pattern is exactly "not str.isalnum()" plus the underscore
    return _NOT_ALNUM_RE.sub("", unicodedata.normalize("NFKD", text).casefold())


def _clean_name(part: str) -> str | None:
    part = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", part)  # "(Reuters)", "[Berlin]"
    part = " ".join(part.split()).strip(" -–—:.,'\"“”")
    part = re.sub(r"\s+(?:in|aus|en|à|em)\s+[A-Z][\w-]+$", "", part)  # "Jane Doe in Valencia"
    while True:
        stripped = _BY_RE.sub("", part)
        if stripped == part:
            break
        part = stripped
    words = part.split()
    count = len(words)
    # "Example Post Staff", "Example Sports Desk": a newsroom, not a person (an agency stays)
    collective = bool(words) and words[-1].casefold().strip(".") in _COLLECTIVE_WORDS
    # trailing role: "Jane Doe Reporter", "Jane Doe - Staff Writer" was split already
    while words and words[-1].casefold().strip(".") in _ROLE_WORDS:
        words.pop()
    while words and words[0].casefold().strip(".") in _ROLE_WORDS:
        words.pop(0)
    if not words or len(words) > 5 or _NOT_A_NAME_RE.search(part):
        return None
    name = " ".join(words)
    if is_agency(name):
        return name  # "AFP", "Reuters staff", "Associated Press"
    if collective or (len(words) == 1 and count > 1):
        return None  # "Guardian staff", "Gear Team": what is left is a brand, not a name
    if not any(ch.isalpha() for ch in name) or len(name) < 3:
        return None
    return name


def is_agency(name: str) -> bool:
    """True when *name* is a news agency ("dpa", "AFP", "Associated Press"), not a person."""
    return _key(name) in _AGENCIES


def clean_authors(values: Iterable[str], exclude: Iterable[str] = ()) -> list[str]:
    """Turn raw author strings into a list of distinct names of people and news agencies.

    Strips "By", roles and credits in parentheses ("Jane Doe (Reuters)" is Jane Doe of
    Reuters), splits "A and B" / "A, B" (so "Jane Doe, dpa" credits both), and drops
    anything equal to one of *exclude* (publisher and site names). Tell agencies from
    people with :func:`is_agency`.
    """
    excluded = {_key(e) for e in exclude if e}
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        if not value:
            continue
        value = _BY_RE.sub("", " ".join(str(value).split()))
        if _URL_OR_EMAIL_RE.match(value) or _SOURCE_RE.match(value):
            continue  # a profile link, an e-mail address or a source credit
        # "Jane Doe - Reporter": a dash between name and role, not inside a name
        value = re.sub(r"\s+[-–—]\s+.*$", "", value)
        parts = _SPLIT_RE.split(value)
        if any(_DOMAIN_RE.search(part) for part in parts):
            continue  # "example.com, Frankfurt": a site credit with a place, not people
        for part in parts:
            name = _clean_name(part)
            if name is None:
                continue
            key = _key(name)
            if key in seen or key in excluded:
                continue
            if " " not in name and not is_agency(name) and any(key in e for e in excluded):
                continue  # "Guardian" for "The Guardian"
            seen.add(key)
            names.append(name)
    return names


_ISO_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")
_EARLIEST = date(1995, 1, 1)


def normalize_date(value: object, now: datetime | None = None) -> str | None:
    """Return an ISO 8601 string: full datetime with offset when *value* has one, else a date.

    Accepts ISO strings (also with "Z" or a space), RFC 2822 and compact "YYYYMMDD"
    forms. Implausible dates (before 1995, in the future) give None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    parsed: datetime | date | None = None
    candidate = text.replace("Z", "+00:00").replace("z", "+00:00")
    if re.fullmatch(r"\d{8}", text):
        candidate = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            match = _ISO_DATE_RE.match(text)
            if match:
                try:
                    parsed = date(*(int(g) for g in match.groups()))
                except ValueError:
                    parsed = None
    if parsed is None:
        return None
    now = now or datetime.now(timezone.utc)
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    if day < _EARLIEST or day > (now + timedelta(days=2)).date():
        return None
    if isinstance(parsed, datetime):
        if parsed.tzinfo is None:
            return day.isoformat()
        return parsed.isoformat()
    return day.isoformat()


_MOJIBAKE_RE = re.compile("[ÃÂÅÄâ][\u0080-\u00bf\u20ac\u201a-\u201e\u2018-\u2019\u2122]")


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as windows-1252 ("fÃ¼r" -> "für"), else unchanged."""
    if not _MOJIBAKE_RE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            return text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return text


_TITLE_SEP_RE = re.compile(r"\s+(?:[|\-–—·•»/]|::)\s+")


def prefix_agreed(title: str, others: Iterable[str]) -> str:
    """Cut *title* at a separator when another source gives exactly the part before it.

    "Headline | Section" with an ``<h1>`` or og:title reading "Headline" is "Headline".
    """
    keys = {_key(o) for o in others if o}
    for match in _TITLE_SEP_RE.finditer(title):
        if _key(title[: match.start()]) in keys:
            return title[: match.start()]
    return title


# a kicker (topic label) in front of a headline: "Ferries | ...", "Ferries: ...", "Ferries - ..."
_KICKER_SEP_RE = re.compile(r"\s*:\s+|\s+(?:[|\-–—·•»/]|::)\s+")
_MIN_HEADLINE_WORDS = 3


def kicker_agreed(title: str, others: Iterable[str], visible: str | None = None) -> str:
    """Drop a kicker in front of *title* when another source gives the headline without it.

    "Ferries | Link approved" is "Link approved" when another source (the JSON-LD
    headline, say) reads "Link approved" and the visible headline *visible* does too.
    When the visible headline is the whole of *title*, the page shows the kicker as part
    of its headline and it stays; a visible headline alone, without a second source,
    is not enough (pages print the kicker above the ``<h1>``).
    """
    if not visible or _key(visible) == _key(title):
        return title
    keys = {_key(o) for o in others if o} & {_key(visible)}
    for match in _KICKER_SEP_RE.finditer(title):
        rest = title[match.end() :]
        if len(rest.split()) >= _MIN_HEADLINE_WORDS and _key(rest) in keys:
            return rest
    return title


_DATE_PART_RE = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")


def strip_title_affixes(title: str, site_names: Iterable[str]) -> str:
    """Remove a " | Site" suffix (or "Site | " prefix) naming one of *site_names*."""
    title = " ".join(title.split())
    keys = [_key(s) for s in site_names if s and _key(s)]
    if not keys:
        return title
    parts = _TITLE_SEP_RE.split(title)
    seps = _TITLE_SEP_RE.findall(title)
    if len(parts) < 2:
        return title

    def is_site(part: str) -> bool:
        k = _key(part)
        if _DATE_PART_RE.match(part.strip()):
            return True  # "Headline | Site | 28.04.2023"
        if not k or len(part.split()) > 5:
            return False
        # "CBC" for "CBC News", "example.com" for "Example": a short abbreviation or extension
        return any(
            k == s or (len(k) >= 3 and s.startswith(k)) or (k.startswith(s) and len(k) - len(s) <= 6)
            for s in keys
        )

    start, end = 0, len(parts)
    while end - start > 1 and is_site(parts[end - 1]):
        end -= 1
    while end - start > 1 and is_site(parts[start]):
        start += 1
    if (start, end) == (0, len(parts)):
        return title
    out = parts[start]
    for i in range(start + 1, end):
        out += seps[i - 1] + parts[i]
    return out


_LANG_RE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_].*)?$")


def language_code(value: str | None) -> str | None:
    """Return the ISO 639-1 code of "en", "en-US", "de_DE", ...; None when unusable."""
    if not value:
        return None
    match = _LANG_RE.match(value.strip())
    if not match:
        return None
    code = match.group(1).lower()
    return code if len(code) == 2 else None
