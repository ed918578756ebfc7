"""The classifiers behind bench/eval_misses.py: one verdict per page and field (the classes are described there)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from datetime import date
from html import unescape
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_data import Page, scorer
from eval_people import is_person, person_authors, site_tokens, tokens

BODY_THRESHOLD = 0.95
_SCRIPT_RE = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
_STYLE_RE = re.compile(r"<(style|noscript|template)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")
_UESC_RE = re.compile(r"\\u([0-9a-fA-F]{4})")
_H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TITLE_RE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_OG_TITLE_RE = re.compile(r"<meta\b[^>]*?property\s*=\s*[\"']og:title[\"'][^>]*>", re.IGNORECASE)
_CONTENT_RE = re.compile(r"content\s*=\s*\"([^\"]*)\"|content\s*=\s*'([^']*)'", re.IGNORECASE)
_HEADLINE_RE = re.compile(r'"headline"\s*:\s*"((?:[^"\\]|\\.){1,400})"')
_SEP_RE = re.compile(r"\s+(?:\||-|–|—|\*|::|·|•|:)\s+")
_MOJIBAKE_RE = re.compile("[ÃÂÅÄ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                          "\u2013-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€")
_EDITOR_RE = re.compile(r"\b(editor|edited by|redakteur\w*|redaktion|bearbeitet|redigert|redigerad|rédacteur|"
                        r"rédaction|editado|edición|a cura di|redacteur|eindredactie)\b\W{0,3}$", re.IGNORECASE)
_FOLLOW_RE = re.compile(r"\b(folgen|follow|suivre|seguir|segui|volgen|følg|följ|obserwuj|sledovat|takip)\b",
                        re.IGNORECASE)
_READ_ALSO_RE = re.compile(r"^\W*(read (also|more)|also read|related|see also|more on|lesen sie (auch|mehr)|"
                           r"don'?t miss|also on|more from|auch interessant|mehr zum thema|mehr zu|lire aussi|"
                           r"à lire aussi|leia (também|mais)|lee también|"
                           r"leggi anche|lees ook|czytaj (też|także)|čtěte také|les også|läs också)", re.IGNORECASE)
_CAPTION_RE = re.compile(r"(©|\b(photo|foto|bild|image|picture|credit|getty|imago|reuters/|afp/|dpa/|"
                         r"fotograf\w*|illustration)\b)", re.IGNORECASE)
_APPEAL_RE = re.compile(r"\b(newsletter|subscribe|abonnieren|abonnez|donat\w*|spende\w*|support (us|our)|"
                        r"sign up|anmelden|inscrivez|share (it|this)|write to|subscriber|copies for distribution)\b",
                        re.IGNORECASE)


def page_text(html: str) -> str:
    """The page's text without scripts, styles and tags (entities decoded, case kept)."""
    return unescape(_TAG_RE.sub(" ", _STYLE_RE.sub(" ", _SCRIPT_RE.sub(" ", html))))


def visible_text(html: str) -> str:
    """The page's text as normalised tokens between spaces, for finding names in it."""
    return " " + " ".join(tokens(page_text(html))) + " "


def script_text(html: str) -> str:
    """The text of the page's <script> blocks with JSON \\u escapes decoded."""
    return _UESC_RE.sub(lambda m: chr(int(m.group(1), 16)), " ".join(b for _, b in _SCRIPT_RE.findall(html)))


def jsonld_objects(html: str) -> Iterable[Any]:
    """Every object of the page's JSON-LD blocks, nested ones included."""
    for attrs, body in _SCRIPT_RE.findall(html):
        if "ld+json" not in attrs.lower():
            continue
        try:
            stack = [json.loads(body.strip(), strict=False)]
        except ValueError:
            continue
        while stack:
            obj = stack.pop()
            if isinstance(obj, list):
                stack.extend(obj)
            elif isinstance(obj, dict):
                yield obj
                stack.extend(v for v in obj.values() if isinstance(v, (list, dict)))


def _in_text(name: str, text: str) -> bool:
    toks = tokens(name)
    return bool(toks) and f" {' '.join(toks)} " in text


def _context(name: str, text: str, before: int) -> list[str]:
    """Up to `before` characters of text in front of each occurrence of the name (normalised)."""
    needle = f" {' '.join(tokens(name))} "
    return [text[max(0, m.start() - before):m.start() + 1] for m in re.finditer(re.escape(needle), text)]


def classify_author(page: Page, pred: dict[str, Any]) -> str | None:
    tool = scorer()
    ga = tool.gt_authors(page.gt)
    if not ga:
        return None
    pa = tool.author_names(pred.get("author"))
    if pa and set(pa) == set(ga):
        return None
    persons = {" ".join(tokens(n)) for n in person_authors(page.gt, page.html)}
    if not persons:
        return "publisher-only ground truth"
    missing, extra = persons - set(pa), set(pa) - set(ga)
    for obj in jsonld_objects(page.html):
        kind = obj.get("@type")
        if isinstance(kind, list) and "Person" in kind and " ".join(tokens(str(obj.get("name")))) in missing:
            return "list-type Person dropped"
    raw = " ".join(tokens(pred.get("author") or ""))
    right = set(pa) & set(ga)
    if extra and any(p != g and p.startswith(g + " ") for p in pa for g in ga):
        return "affiliation tail"
    if extra and any(re.search(r"\b" + re.escape(g) + r"\s*,\s*\w", pred.get("author") or "", re.IGNORECASE)
                     for g in right):
        return "affiliation tail"
    text = visible_text(page.html)
    if any(_EDITOR_RE.search(c) for e in extra for c in _context(e, text, 40)):
        return "editor credit"
    if _FOLLOW_RE.search(raw) or any(_FOLLOW_RE.search(text[i:i + 60]) for e in extra
                                    for i in [m.end() for m in re.finditer(re.escape(f" {e} "), text)]):
        return "follow widget"
    site = site_tokens(page.html, page.gt.get("url"))
    if any(set(e.split()) & site and not set(e.split()) <= site for e in extra):  # the site's name plus more
        return "account name"
    if not any(is_person(p, site) for p in pa):
        if any(_in_text(m, text) for m in missing):
            return "publisher-only metadata, byline visible"
        return "person not in page text"
    if not missing:
        return "agency/publisher beside persons in ground truth" if not extra else "extra names"
    return "names missing" if not extra else "other (different names)"


def _shingle_share(shingles: list[tuple[str, ...]], text: str) -> float:
    have = set(scorer().ngrams(text))
    return sum(1 for s in shingles if s in have) / len(shingles) if shingles else 0.0


def _json_only(page: Page, body: str) -> bool:
    shingles = scorer().ngrams(body)
    return _shingle_share(shingles, script_text(page.html)) > 0.5 and _shingle_share(
        shingles, page_text(page.html)) < 0.3


def _extra_kind(body: str, text: str) -> str:
    """Which kind of line holds most of the words the prediction has beyond the ground truth."""
    truth = set(scorer().ngrams(body))
    words: dict[str, int] = {}
    for n, line in enumerate(text.splitlines()):
        grams = scorer().ngrams(line)
        if not grams or sum(1 for g in grams if g in truth) / len(grams) >= 0.5:
            continue
        size = len(scorer().tokenize(line))
        kind = ("first line (title/dek) not in truth" if n == 0 else "related/read-also" if _READ_ALSO_RE.search(line)
                else "captions/credits" if _CAPTION_RE.search(line) else "appeals" if _APPEAL_RE.search(line)
                else "short lines (headings, teasers)" if size < 10 else "boxes/other")
        words[kind] = words.get(kind, 0) + size
    return max(words, key=lambda k: words[k]) if words else "boxes/other"


def classify_body(page: Page, pred: dict[str, Any], threshold: float = BODY_THRESHOLD) -> str | None:
    tool = scorer()
    body, text = page.gt.get("articleBody") or "", pred.get("text") or ""
    if not body.strip():
        return None
    counts = tool.shingle_tp_fp_fn(body, text)
    if text.strip() and tool.page_f1(counts) >= threshold:
        return None
    if not text.strip():
        return "missing: body only in JSON" if _json_only(page, body) else "missing"
    if "LiveBlogPosting" in page.html:
        return "live blog"
    if tool._recall(*counts) < tool._precision(*counts):
        return "low recall: body only in JSON" if _json_only(page, body) else "low recall (split containers?)"
    return "low precision: " + _extra_kind(body, text)


def _clean(fragment: str) -> str:
    return " ".join(_TAG_RE.sub(" ", fragment).split())


def page_titles(html: str) -> dict[str, str]:
    """The page's own title candidates: og:title, JSON-LD headline, first <h1>, <title>."""
    out = {}
    m = _OG_TITLE_RE.search(html)
    c = _CONTENT_RE.search(m.group(0)) if m else None
    if c:
        out["og:title"] = unescape(c.group(1) or c.group(2) or "")
    h = _HEADLINE_RE.search(html)
    if h:
        try:
            out["headline"] = json.loads(f'"{h.group(1)}"')
        except ValueError:
            out["headline"] = h.group(1)
    for key, rx in (("h1", _H1_RE), ("title", _TITLE_RE)):
        m = rx.search(html)
        if m:
            out[key] = unescape(_clean(m.group(1)))
    return {k: v for k, v in out.items() if tokens(v)}


def _strict_prefix(short: list[str], long: list[str]) -> bool:
    return 0 < len(short) < len(long) and long[:len(short)] == short


def _cut_short(title: str, full: str | None) -> bool:
    """The title is the start of a longer one, and not merely the longer one less a " | Site" suffix."""
    return bool(full) and _strict_prefix(tokens(title), tokens(full)) and not scorer().title_match_with_suffix(
        title, full or "")


def classify_title(page: Page, pred: dict[str, Any]) -> str | None:
    tool = scorer()
    gt = page.gt.get("headline") or page.gt.get("title")
    if not gt:
        return None
    pt = pred.get("title") or ""
    if pt and tokens(pt) == tokens(gt):
        return None
    if not pt:
        return "missing"
    parts = _SEP_RE.split(pt)
    if tool.title_match_with_suffix(gt, pt) or any(tokens(" ".join(parts[k:])) == tokens(gt)
                                                     for k in range(1, len(parts))):
        return "site suffix left"
    if tool.title_match_with_suffix(pt, gt):
        return "ground truth keeps a suffix"
    if len(tokens(pt)) > len(tokens(gt)) and tokens(pt)[-len(tokens(gt)):] == tokens(gt):
        return "kicker or section left before it"
    titles = page_titles(page.html)
    if _strict_prefix(tokens(pt), tokens(gt)) or _cut_short(pt, titles.get("h1")):
        return "cut short"
    same = {k for k, v in titles.items() if tool.title_match_with_suffix(gt, v)}
    chosen = {k for k, v in titles.items() if tool.title_match_with_suffix(pt, v)}
    if same and chosen and not same & chosen:
        return "og:title vs headline choice"
    return "other"


def title_flags(page: Page, pred: dict[str, Any]) -> list[str]:
    """Ground-truth-free title checks, for every page of both sets."""
    pt = (pred.get("title") or "").strip()
    if not pt:
        return []
    flags = []
    site = site_tokens(page.html, page.gt.get("url"))
    parts = _SEP_RE.split(pt)
    if len(parts) > 1 and any(set(tokens(p)) <= site or "".join(tokens(p)) in site for p in (parts[0], parts[-1])):
        flags.append("flag: site name left")
    titles = page_titles(page.html)
    if any(_cut_short(pt, titles.get(k)) for k in ("h1", "headline")):
        flags.append("flag: cut short vs <h1> or headline")
    return flags


def classify_charset(pred: dict[str, Any]) -> str | None:
    fields = " ".join(str(pred.get(k) or "") for k in ("text", "title", "author"))
    if _MOJIBAKE_RE.search(fields):
        return "mojibake"
    if "\ufffd" in fields:
        return "replacement characters"
    return None


def classify_date(page: Page, pred: dict[str, Any]) -> str | None:
    tool = scorer()
    gd = tool.norm_date(page.gt.get("datePublished"))
    if not gd:
        return None
    pd = tool.norm_date(pred.get("date"))
    if pd == gd:
        return None
    if not pd:
        return "missing"
    try:
        if abs((date.fromisoformat(pd) - date.fromisoformat(gd)).days) == 1:
            return "a day off (time zone)"
    except ValueError:
        return "other"
    around = [page.html[max(0, m.start() - 60):m.start()] for m in re.finditer(re.escape(pd), page.html)]
    if around and all(re.search(r"modif|updat|aktualisiert", a, re.IGNORECASE) for a in around):
        return "modified date"
    return "other"
