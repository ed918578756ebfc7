"""Which ground-truth authors are people: the rule behind the person-named author figure.

Issue 16: authors are people; ground truth that credits only the publisher, a newsroom or an
agency is a convention this project does not follow, so the author metric is also reported on
the pages whose ground truth names at least one person. The rule, per ground-truth name:

- not a person when it contains an organisation word (staff, team, desk, newsroom, editorial
  office, agency, press, news, media... in the languages of the sets) or a wire-service short
  name (AFP, dpa, Reuters...);
- not a person when it is written as a domain ("ndr.de");
- otherwise, after dropping the tokens of the page's own site name (og:site_name,
  application-name, the JSON-LD publisher's name, the labels of the URL's host) and connector
  words ("et", "and"...), a person must keep at least two alphabetic tokens: "Viktor Hedlund"
  and "Dr. Max Kolter" are people, as is a two-to-four-character Hangul or CJK name ("배윤경");
  "Habertürk", "kesm", "srf/hosb", "DER SPIEGEL" on spiegel.de, "Le Figaro et AFP" on lefigaro.fr
  are not.

Known limit: another publication's two-word name ("Última Hora" on a different site) passes as a
person; one-word pen names or surnames alone do not.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

_TOKEN_RE = re.compile(r"\w+")
_ORG_WORDS = frozenset("""
    staff team desk newsroom editors editorial redaktion redaktionen rédaction redaction redacción redaccion
    redazione redactie redakcja redakce redaksjon redaktør agency agentur agence agencia agenzia ajans ajansı
    press presse prensa news nachrichten noticias nouvelles notizie nieuws online media medien group gruppe
    correspondents correspondent reporters bureau service wire
""".split())
_WIRE_NAMES = frozenset("afp dpa ap apa reuters ansa efe sda kna epd upi pap ctk anp belga ntb tt ritzau".split())
_CONNECTORS = frozenset("and und et y e i och og og and with mit avec con the der die das le la les el".split())
_NO_SPACE_NAME_RE = re.compile(r"[\uac00-\ud7a3\u4e00-\u9fff\u3040-\u30ff]{2,4}")
_DOMAIN_RE = re.compile(r"^[\w-]+(\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_META_SITE_RE = re.compile(
    r"<meta\b[^>]*?(?:property|name)\s*=\s*[\"'](?:og:site_name|application-name|twitter:site)[\"'][^>]*>",
    re.IGNORECASE)
_CONTENT_RE = re.compile(r"content\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_PUBLISHER_RE = re.compile(r'"publisher"\s*:\s*\{[^{}]*?"name"\s*:\s*"([^"]{1,120})"')


def tokens(text: str | None) -> list[str]:
    """The scorer's normalisation: NFKC, casefold, \\w+ tokens."""
    return _TOKEN_RE.findall(unicodedata.normalize("NFKC", text or "").casefold())


def page_html(html_path: Path) -> str:
    """The page as the scorer hands it to extractors (UTF-8, errors replaced)."""
    data = html_path.read_bytes()
    if html_path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return data.decode("utf-8", errors="replace")


def site_names(html: str, url: str | None) -> list[str]:
    """The names the page gives its own site: meta site names, the JSON-LD publisher, the host."""
    names = []
    for tag in _META_SITE_RE.findall(html):
        m = _CONTENT_RE.search(tag)
        if m and m.group(1).strip():
            names.append(m.group(1).strip().lstrip("@"))
    for name in _PUBLISHER_RE.findall(html[:2_000_000]):
        try:
            names.append(json.loads(f'"{name}"'))
        except ValueError:
            names.append(name)
    host = urlsplit(url or "").hostname or ""
    if host:
        names.append(host.removeprefix("www."))
    return names


def site_tokens(html: str, url: str | None) -> set[str]:
    """Every token of the site's names, plus each name written as one word ("Le Figaro" -> "lefigaro")."""
    out: set[str] = set()
    for name in site_names(html, url):
        toks = tokens(name)
        out.update(toks)
        out.add("".join(toks))
    return out


def is_person(name: str, site: set[str]) -> bool:
    """True when a ground-truth author name reads as a person's (the rule in the module docstring)."""
    raw = name.strip()
    if not raw or _DOMAIN_RE.match(raw):
        return False
    toks = tokens(raw)
    if any(t in _ORG_WORDS or t in _WIRE_NAMES for t in toks):
        return False
    if "".join(toks) in site:
        return False
    kept = [t for t in toks if t not in site and t not in _CONNECTORS and t.isalpha()]
    # Korean, Chinese and Japanese names are written as one word of two to four characters
    return len(kept) >= 2 or (len(kept) == 1 and bool(_NO_SPACE_NAME_RE.fullmatch(kept[0])))


def gt_author_list(gt: dict) -> list[str]:
    """The ground truth's author names as written (a list, or one string)."""
    value = gt.get("authors", gt.get("author"))
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [v if isinstance(v, str) else str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value]


def person_authors(gt: dict, html: str) -> list[str]:
    """The ground-truth names that are people; empty when the page credits no person."""
    site = site_tokens(html, gt.get("url"))
    return [n for n in gt_author_list(gt) if is_person(n, site)]
