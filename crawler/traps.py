"""URL traps: endless families of URLs a site can generate, and the guard that bounds each.

Two ways to know a family:

- by shape (`trap_shape`): a calendar (a date in the path or query), pagination (page=N, /page/N,
  /p/N), session ids, a path that repeats itself (/a/b/a/b/). Every member of a family has the
  same shape (digit runs, session ids and repeats taken out).
- by growth (`growth_families`): URLs that keep getting longer within one family, as a page
  linking to `?q=aa` from `?q=a` or to `/x/1/2/3/4` from `/x/1/2/3` does. A URL belongs to the
  family of its host and first path segment (sized by its path's length) and, with a query, to
  the family of its path and parameter names (sized by the query's length). A family is growing
  once a new longest member came GROWTH_RECORDS times: real sites have URLs of bounded length,
  met in no particular order, so their longest member rarely changes that often.

Each shape, and each growing family (its members longer than its first one), gets at most
DISCOVERY_TRAP_LIMIT URLs, counted when the scheduler takes a new one (so links seen twice
count once); past that its links are not followed, the family is logged once as a WARNING and
counted in `discovery/trap/<kind>` ("calendar", "pagination", "session", "repeated",
"growing_path", "growing_query").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

MAX_TRAP_PATTERNS = 5000  # URL shapes (and growth families) counted at once; bounds the guard's memory
GROWTH_RECORDS = 16  # new longest members before a family counts as growing

_DIGITS = re.compile(r"\d+")
_SESSION_PARAM = re.compile(
    r"(?:^|&)(?:sid|sessionid|session_id|phpsessid|jsessionid|aspsessionid\w*|cfid|cftoken)=[^&]*",
    re.IGNORECASE)
_SESSION_PATH = re.compile(r";(?:jsessionid|sessionid|sid)=[^/?;]*", re.IGNORECASE)
_PAGE_PARAM = re.compile(r"(?:^|&)(?:page|paged|pg|pagenum|pageno|offset|start)=\d", re.IGNORECASE)
# /page/7, /p/7 (a short number: /p/123456 is an article's id, not a page number)
_PAGE_PATH = re.compile(r"/(?:page|p|pg|seite|pagina|strona)/\d{1,4}/?$", re.IGNORECASE)
# Dates at the end of a path (/calendar/2026/03/, /archive/2026-03-15) or as a query value.
_DATE_PATH = re.compile(
    r"/(?:(?:19|20)\d\d(?:[/_-](?:0?[1-9]|1[0-2])(?:[/_-](?:0?[1-9]|[12]\d|3[01]))?)?"
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])?)/?$")
_DATE_PARAM = re.compile(
    r"(?:^|&)(?:date|day|month|year|week|cal|calendar|ym|mon)=\d", re.IGNORECASE)
_CALENDAR_WORD = re.compile(r"calendar|kalender|agenda|/events?/")  # on the lower-cased path


def trap_shape(url: str, parts: SplitResult | None = None) -> tuple[str, str] | None:
    """(kind, shape) of a URL that may belong to an endless family, or None.

    Kinds: "session" (a session id in the query or the path), "repeated" (path segments that
    repeat: /a/b/a/b/), "calendar" (a path ending in a date, a date in the query), "pagination"
    (page=N, /page/N). The shape is the URL with digit runs, session ids and repeats taken out:
    every member of one family has the same shape. Runs for every link: cheap tests first.
    """
    if parts is None:
        parts = urlsplit(url)
    path, query = parts.path, parts.query
    kind = None
    if ";" in path and _SESSION_PATH.search(path):
        path, kind = _SESSION_PATH.sub("", path), "session"
    if query and _SESSION_PARAM.search(query):
        query, kind = _SESSION_PARAM.sub("", query).lstrip("&"), "session"
    if kind is None:
        collapsed = _collapse_repeats(path)
        ends_in_digit = path.rstrip("/")[-1:].isdigit()
        if collapsed is not None:
            path, kind = collapsed, "repeated"
        elif ends_in_digit and _PAGE_PATH.search(path):  # before dates: /p/2019 is page 2019
            kind = "pagination"
        elif (ends_in_digit and _DATE_PATH.search(path)) or (query and _DATE_PARAM.search(query)) or (
                _CALENDAR_WORD.search(path.lower()) and _DIGITS.search(path + query)):
            kind = "calendar"
        elif query and _PAGE_PARAM.search(query):
            kind = "pagination"
        else:
            return None
    shape = parts.netloc + _DIGITS.sub("N", path)
    if query:
        shape += "?" + _DIGITS.sub("N", query)
    return kind, shape


def _collapse_repeats(path: str) -> str | None:
    """The path with consecutively repeated segment blocks taken out, if it has any."""
    segments = path.split("/")
    unique = len(set(segments))  # "" twice for a path like /a/b/: that is no repeat
    if unique == len(segments) or (unique == len(segments) - 1 and segments[0] == segments[-1] == ""):
        return None
    segments = [s for s in segments if s]
    changed = False
    size = 1
    while size <= len(segments) // 2:
        i = 0
        while i + 2 * size <= len(segments):
            block = segments[i:i + size]
            if block == segments[i + size:i + 2 * size] and not all(s.isdigit() for s in block):
                del segments[i + size:i + 2 * size]  # /a/b/a/b/x -> /a/b/x
                changed = True
            else:
                i += 1
        size += 1
    if not changed:
        return None
    return "/" + "/".join(segments) + ("/" if path.endswith("/") else "")


def growth_families(url: str, parts: SplitResult | None = None) -> tuple[tuple[str, str, int], ...]:
    """(kind, family, size) of each family `url` belongs to for growth (see the module's doc)."""
    if parts is None:
        parts = urlsplit(url)
    path = parts.path or "/"
    segments = path.split("/", 2)  # "", first, rest
    first = segments[1] if len(segments) > 2 else ""  # a one-segment path: the root's family
    family = "%s/%s…" % (parts.netloc, _DIGITS.sub("N", first) + "/" if first else "")
    families = [("growing_path", family, len(path))]
    if parts.query:
        names = "&".join(seg.split("=", 1)[0] + "=…" for seg in parts.query.split("&"))
        families.append(("growing_query", "%s%s?%s" % (parts.netloc, _DIGITS.sub("N", path), names),
                         len(parts.query)))
    return tuple(families)


@dataclass
class _Growth:
    """What the guard knows of one growth family."""

    first: int  # the size of its first member
    longest: int
    records: int = 0  # members longer than every one before them
    grown: int = 0  # members longer than the first


class TrapGuard:
    """Counts the scheduled URLs of each trap shape; a shape that has `limit` of them is stopped.

    Memory is bounded: at most `max_patterns` shapes are counted at once; when full, the shapes
    still under the limit are forgotten (the stopped ones stay stopped).
    """

    def __init__(self, limit: int, max_patterns: int = MAX_TRAP_PATTERNS) -> None:
        self.limit = limit
        self.max_patterns = max_patterns
        self.counts: dict[str, int] = {}
        self.growth: dict[str, _Growth] = {}
        self._reported: set[str] = set()

    def allows(self, shape: str) -> bool:
        return not self.limit or self.counts.get(shape, 0) < self.limit

    def first_refusal(self, shape: str) -> bool:
        """True the first time a URL of this stopped shape is refused (to report it once)."""
        if shape in self._reported or len(self._reported) >= self.max_patterns:
            return False
        self._reported.add(shape)
        return True

    def add(self, shape: str) -> None:
        """One more URL of `shape` was scheduled."""
        if shape not in self.counts and len(self.counts) >= self.max_patterns:
            stopped = {k: v for k, v in self.counts.items() if v >= self.limit}
            self.counts = stopped if len(stopped) < self.max_patterns else {}
        self.counts[shape] = self.counts.get(shape, 0) + 1

    def remove(self, shape: str) -> None:
        """Take back a count: the scheduler dropped the URL as one it had seen."""
        count = self.counts.get(shape)
        if count:
            self.counts[shape] = count - 1

    def growing(self, families: tuple[tuple[str, str, int], ...]) -> tuple[str, str] | None:
        """(kind, family) of a growing family that has had its `limit` of members longer than its
        first, if `families` (a URL's) holds one in which that URL is such a member too."""
        if not self.limit:
            return None
        for kind, family, size in families:
            known = self.growth.get(family)
            if (known is not None and known.records >= GROWTH_RECORDS and size > known.first
                    and known.grown >= self.limit):
                return kind, family
        return None

    def grow(self, families: tuple[tuple[str, str, int], ...]) -> None:
        """A URL of these families was scheduled."""
        for _, family, size in families:
            known = self.growth.get(family)
            if known is None:
                if len(self.growth) >= self.max_patterns:  # keep the growing ones only
                    kept = {k: v for k, v in self.growth.items() if v.records >= GROWTH_RECORDS}
                    self.growth = kept if len(kept) < self.max_patterns else {}
                self.growth[family] = _Growth(first=size, longest=size)
                continue
            if size > known.longest:
                known.longest = size
                known.records += 1
            if size > known.first:
                known.grown += 1

    def shrink(self, families: tuple[tuple[str, str, int], ...]) -> None:
        """Take back grow(): the scheduler dropped the URL as one it had seen."""
        for _, family, size in families:
            known = self.growth.get(family)
            if known is not None and size > known.first and known.grown:
                known.grown -= 1
