"""Paragraph-level filters for page furniture that trafilatura lets through."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from pipelines.bodytext import Paragraph

__all__ = ["drop_bylines", "drop_link_lists", "drop_title", "drop_widget_sections", "is_boilerplate"]


_BOILERPLATE_RE = re.compile(
    r"""^[\W_]*(?:
        advert[i]?s[e]?ments?|anzeigen?|werbung|publicit[ée]|publicidad|pubblicit[àa]|reklame|
        sponsored(?:\s+content)?|paid\s+content|
        most\s+(?:popular|read|viewed|shared)|trending(?:\s+now)?|recent\s+(?:comments|posts)|
        related(?:\s+(?:articles?|stories|posts|news|content|coverage|topics))?|
        you\s+(?:may|might)\s+(?:also\s+)?like|recommended(?:\s+for\s+you)?|more\s+from\b.*|
        leave\s+a\s+(?:reply|comment)|post\s+a\s+comment|comments?|\d+\s+comments?|
        please\s+enter\s+your\s+(?:comment|name|email).*|
        save\s+my\s+name,\s+email.*|you\s+have\s+entered\s+an\s+incorrect\s+email.*|
        share(?:\s+(?:this|on|via)\b.*)?|tweet|facebook|twitter|whatsapp|linkedin|email|print|
        (?:read|see|view|show)\s+(?:more|also|next)\b.{0,120}|also\s+read\b.{0,120}|
        click\s+here\b.{0,80}|sign\s+up\b.{0,80}|subscribe\b.{0,80}|
        home|skip\s+to\s+(?:main\s+)?content|back\s+to\s+top|follow\s+us\b.{0,60}|
        order\s+reprints?|reprints?|print\s+(?:this\s+)?(?:article|page|story)|
        (?:copyright|©|\(c\))\s*.{0,150}|.{0,150}\ball\s+rights\s+reserved\b.{0,100}
    )[\W_]*$""",
    re.IGNORECASE | re.VERBOSE,
)
# picture credits: "STR/AFP via Getty Images", "Foto: NTB", "(Image: Getty Images)"
_CREDIT_RE = re.compile(
    r"^\W*(?:foto|fotos|photo|photos|bild|bilder|image|images|credit|picture|kuva|zdjęcie|фото|"
    r"quelle|source|fonte|fuente|bron|kilde|källa|źródło|zdroj)\s*:"
    r"|getty\s*images|shutterstock|istock|imago|picture[\s-]alliance|\bap photo\b|\bdpa\b.*\bfoto\b",
    re.IGNORECASE,
)
# placeholders for blocked embeds and consent notices
# (the lookahead holds the alternatives' first letters: most positions fail at once)
_CONSENT_RE = re.compile(
    r"(?=[acdejnpstuz])(?:privacy|privatsphäre|datenschutz|cookie|consent|einwillig|zustimm|external content|"
    r"externe[rn]? inhalt|third[- ]party|drittanbieter|javascript|enable|aktivier|settings|"
    r"einstellungen|nicht verfügbar|not available|unavailable|paramètres|confidentialité)",
    re.IGNORECASE,
)
# what the site asks of the reader: ratings, comments, log-in, an old browser, feedback
_PROMPT_RE = re.compile(
    r"""^[\W_]*(?:
        (?:did|do)\s+you\s+(?:like|enjoy)\s+this\s+(?:article|story|post)|
        (?:wie\s+)?hat\s+ihnen\s+(?:dieser|der)\s+(?:artikel|beitrag)\s+gefallen|
        (?:average|durchschnittliche)\s+(?:rating|bewertung)|
        join\s+(?:our|the)\s+(?:commenting|comments?\s+section|conversation|discussion)|
        you\s+must\s+(?:be\s+logged\s+in|log\s+in|sign\s+in|confirm\s+your\s+(?:public\s+)?display\s+name)|
        please\s+(?:log\s*out|log\s*in|sign\s+in)\b|
        thank\s+you\s+for\s+visiting\b|you\s+are\s+using\s+a\s+browser|
        ihre\s+meinung\s+ist\s+uns\s+wichtig|\d+\s+wochen\s+kostenlos\s+testen|
        this\s+(?:is\s+a\s+)?(?:breaking|developing)\s+(?:news?\s+)?story|
        join\s+(?:[\w-]+\s+){0,2}(?:conversations?|discussions?)\b|
        this\s+(?:story|article)\s+(?:is\s+developing|will\s+be\s+updated)|
        .{0,80}\b(?:log|sign)\s+in\s+or\s+(?:create|register)\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# a sign-up form: two of these in a short paragraph, not only "email" and "inbox"
_SIGNUP_RE = re.compile(
    r"\b(?=[deinpst])(?:newsletters?|inbox|sign\s+up|e-?mail|privacy\s+policy|terms\s+(?:&|and)\s+conditions|"
    r"datenschutzerklärung)\b",
    re.IGNORECASE,
)


_TIP_RE = re.compile(r"\b(?:get\s+in\s+touch|contact\s+us|e-?mail\s+us|send\s+(?:us\s+)?(?:a\s+)?tips?)\b", re.I)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def _is_tip_line(text: str) -> bool:
    """"Seen something? Get in touch at news@example.com": a call for tips, not the story."""
    return bool("@" in text and _EMAIL_RE.search(text) and _TIP_RE.search(text))


def _is_signup(text: str) -> bool:
    found = {" ".join(m.casefold().split()) for m in _SIGNUP_RE.findall(text)}
    return len(found) >= 2 and not found <= {"inbox", "email", "e-mail"}


# a paragraph that is only a machine timestamp (hidden metadata made visible)
# (or a script's settings shown as text: "showPaywall:", "false")
_MACHINE_RE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?|true|false|null|undefined|"
    r"[a-z]+(?:[A-Z][a-z0-9]*)+\s*:)$"
)
# dateline words: "Thursday, October 6, 2022", "Stand: 22.04.2024, 06:00 Uhr", "22 de janeiro de 2018 às 0:13"
_DATE_WORDS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday mon tue tues wed thu thur thurs fri sat sun januar februar märz juni juli
    oktober dezember montag dienstag mittwoch donnerstag freitag samstag sonntag janvier février
    mars avril mai juin juillet août
    septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi samedi dimanche
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    lunes martes miércoles jueves viernes sábado domingo janeiro fevereiro março maio junho
    julho setembro outubro dezembro segunda terça quarta quinta sexta feira gennaio febbraio
    aprile maggio giugno luglio settembre ottobre dicembre
    am pm uhr h gmt utc cet cest est edt pst bst amt ist min mins sec sek
    available until verfügbar bis disponible jusqu'au hasta
    updated published posted stand aktualisiert veröffentlicht publié mis à jour actualizado
    publicado atualizado aggiornato pubblicato on at le den der um de às a las el of
    """.split()
)
_YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
# headings of the widgets that follow an article: their teasers go with them
_WIDGET_HEADING_RE = re.compile(
    r"^[\W_]*(?:most\s+(?:popular|read|viewed|shared)|top\s+stories|trending(?:\s+now)?|"
    r"related(?:\s+(?:articles?|stories|posts|news|content|coverage))?|more\s+(?:news|stories|from\b.*)|"
    r"latest(?:\s+(?:news|stories|articles))?|you\s+(?:may|might)\s+(?:also\s+)?like|"
    r"recommended(?:\s+for\s+you)?|editor'?s\s+picks?|partner\s+(?:news|content)|"
    r"in\s+other\s+news|read\s+(?:more|next|also)|also\s+read|newsletter|"
    r"meistgelesen|weitere\s+(?:artikel|nachrichten|themen)|lesen\s+sie\s+auch|mehr\s+zum\s+thema|"
    r"à\s+lire\s+aussi|lire\s+aussi|le\s+più\s+lette|leggi\s+anche|lo\s+más\s+leído|"
    r"te\s+puede\s+interesar|czytaj\s+(?:więcej|też|także)|les\s+også|"
    r"quellen|sources?|fuentes|fontes|kilder|källor|bronnen)[\W_]*$",
    re.IGNORECASE,
)
_MEDIA_TRAILER_RE = re.compile(r"\|\s*\d{1,3}:\d{2}\s*(?:min|minutes?|mins?)\.?\s*$", re.IGNORECASE)
_BREADCRUMB_RE = re.compile(r"^(?:home|startseite|accueil|inicio)\s*[›»>/|]", re.IGNORECASE)


def is_boilerplate(paragraph: Paragraph) -> bool:
    """True for a paragraph that is page furniture: ads, widgets, share bars, comment forms."""
    text = paragraph.text
    if len(text) <= 160 and _BOILERPLATE_RE.match(text):
        return True
    if len(text) <= 200 and _BREADCRUMB_RE.match(text):
        return True
    if _MACHINE_RE.match(text) or _is_dateline(text):
        return True
    words = len(text.split())
    if words >= 4 and paragraph.link_ratio >= 0.9 and text.isupper():
        return True  # "SHIPYARD ORDERS TWO NEW FERRIES": a link to another story between paragraphs
    if words <= 12 and _CREDIT_RE.search(text) and not _SENTENCE_END_RE.search(text):
        return True
    if words <= 60 and len({m.casefold() for m in _CONSENT_RE.findall(text)}) >= 2:
        return True
    if words <= 60 and (_PROMPT_RE.match(text) or _is_signup(text) or _is_tip_line(text)):
        return True
    if words <= 60 and _MEDIA_TRAILER_RE.search(text):
        return True  # the caption of a video or audio clip: "... 21.04.2024 | 3:18 min"
    return False


def _is_dateline(text: str) -> bool:
    """A short line that only states a date and time."""
    if len(text) > 120 or not _YEAR_RE.search(text):
        return False
    words = re.findall(r"[^\W\d_]+|\d+", text.casefold())
    if not 2 <= len(words) <= 14:
        return False
    return all(w.isdigit() or w in _DATE_WORDS for w in words)


def drop_title(
    paragraphs: list[Paragraph],
    title: str | Sequence[str] | None,
    same: Callable[[str, str], bool],
) -> list[Paragraph]:
    """Remove the headline repeated in the text, with a section label in front of it.

    *title* is the headline or all the page's versions of it (og:title, ``<h1>``, ...).
    The headline is its own field; hidden copies of it further down (print versions,
    sharing widgets) are removed as well.
    """
    titles = [title] if isinstance(title, str) else [t for t in title or () if t]
    if not titles:
        return paragraphs
    limit = max(len(t) for t in titles) + 20  # cheap length test first: most paragraphs are far longer

    def is_title(paragraph: Paragraph) -> bool:
        return len(paragraph.text) <= limit and any(same(paragraph.text, t) for t in titles)

    for i, paragraph in enumerate(paragraphs[:4]):
        if is_title(paragraph):
            if all(len(p.text.split()) <= 4 for p in paragraphs[:i]):
                paragraphs = paragraphs[i + 1 :]
            break
    return [p for p in paragraphs if not is_title(p)]


def drop_widget_sections(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Remove a widget heading ("Most Popular", "Top stories", ...) and the teasers under it.

    The section ends at the first paragraph of real prose (more than 30 words).
    """
    out: list[Paragraph] = []
    skipping = False
    for paragraph in paragraphs:
        if len(paragraph.text) <= 60 and _WIDGET_HEADING_RE.match(paragraph.text):
            skipping = True
            continue
        if skipping and len(paragraph.text.split()) <= 30:
            continue
        skipping = False
        out.append(paragraph)
    return out


_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”»)]*$")
_NUMBERED_RE = re.compile(r"^\s*(?:#\s*)?\d{1,3}\s*[.):]\s")


def _is_prose(paragraph: Paragraph) -> bool:
    if paragraph.kind not in ("p", "quote") or paragraph.link_ratio >= 0.5:
        return False
    words = len(paragraph.text.split())
    return words >= 15 or (words >= 6 and bool(_SENTENCE_END_RE.search(paragraph.text)))


def _numbered(run: list[Paragraph]) -> bool:
    # "1) Lego set ... link", "2) ...": a listicle of links is the article itself
    return sum(1 for p in run if _NUMBERED_RE.match(p.text)) * 2 >= len(run)


def _is_linky(paragraph: Paragraph) -> bool:
    return paragraph.link_ratio >= 0.5 and len(paragraph.text.split()) <= 20


def drop_link_lists(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Remove runs of short link paragraphs (related stories, tag lists) and link-heavy tails.

    A run is three or more short paragraphs that are mostly link text, with the short
    heading in front of it. After the last paragraph of prose, a tail of short paragraphs
    in which links are common is what follows every article: teasers, newsletters, tags.
    """
    keep = [True] * len(paragraphs)
    i = 0
    while i < len(paragraphs):
        j = i
        while j < len(paragraphs) and _is_linky(paragraphs[j]):
            j += 1
        if j - i >= 3 and not _numbered(paragraphs[i:j]):
            label = paragraphs[i - 1] if i > 0 else None
            start = i - 1 if label and label.kind == "head" and len(label.text.split()) <= 6 else i
            for k in range(start, j):
                keep[k] = False
        i = max(j, i + 1)
    kept = [p for p, k in zip(paragraphs, keep, strict=True) if k]
    last = max((i for i, p in enumerate(kept) if _is_prose(p)), default=None)
    if last is not None:
        tail = kept[last + 1 :]
        # a list entry that is partly a link is a teaser too ("Headline — plus a line")
        linky = sum(1 for p in tail if _is_linky(p) or (p.kind == "item" and p.link_ratio >= 0.3))
        # one longer entry (a teaser with a sentence of its own) does not make it prose
        sizes = [len(p.text.split()) for p in tail]
        short = sum(1 for s in sizes if s > 25) <= 1 and max(sizes, default=0) <= 50
        if len(tail) >= 3 and short and linky >= max(2, len(tail) // 4) and not _numbered(tail):
            kept = kept[: last + 1]
    return kept


# "By Jane Doe", "Von Max Müller, Berlin", "Jane Doe 5 hours ago": a byline printed as a paragraph
_BYLINE_WORD_RE = re.compile(r"^(?:by|von|vom|par|por|per|door|av|af|written\s+by)\s+(?=\w)", re.IGNORECASE)
_AGO_RE = re.compile(
    r"\s*\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago$", re.IGNORECASE
)
_NAME_RE = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*(?:\s+(?:[a-zà-ÿ]{1,3}\s+)?[A-ZÀ-ÖØ-ÞĀ-ſ][\w'’.-]*){1,3}$")
# closing credits: "With files from The Associated Press", "Mit Material von dpa"
_CREDIT_LINE_RE = re.compile(
    r"^[\W_]*(?:with\s+(?:additional\s+)?(?:files|reporting|reports|input|contributions)\s+(?:from|by)\b|"
    r"(?:additional\s+)?reporting\s+by\b|editing\s+by\b|mit\s+(?:agentur)?material\b|"
    r"mit\s+informationen\s+von\b|avec\s+(?:l'?)?afp\b)",
    re.IGNORECASE,
)


def _is_byline(paragraph: Paragraph, authors: Sequence[str], same: Callable[[str, str], bool]) -> bool:
    text = paragraph.text
    if len(text) > 100 or "\n" in text or _SENTENCE_END_RE.search(text):
        return False
    text = _AGO_RE.sub("", text).strip()
    if authors and same(text, " ".join(authors)) or any(same(text, a) for a in authors):
        return True
    rest = _BYLINE_WORD_RE.sub("", text, count=1)
    if rest == text:
        return False
    first = re.split(r"\s*(?:,|\band\b|\bund\b|\bet\b|&)\s*", rest, maxsplit=1)[0]
    words = first.split()
    if paragraph.kind == "head" and (words[0].casefold() in _ARTICLES or any(w[0].islower() for w in words)):
        return False  # "By The Numbers", "Von Kiel bis Lübeck": subheadings; a byline has no small words
    return bool(_NAME_RE.match(first)) and len(rest.split()) <= 10


_ARTICLES = frozenset({"the", "a", "an", "der", "die", "das", "den", "dem", "le", "la", "les", "el", "los", "il"})


def _is_author_note(text: str, authors: Sequence[str], same: Callable[[str, str], bool]) -> bool:
    """A note about the author: "Jane Doe is a reporter ...", "Correspondent Jane Doe covers ...",
    or how to reach them ("Have a tip? Jane Doe may be reached at jane@example.com")."""
    if len(text.split()) > 90:
        return False
    words = text.split()
    contact = bool(_CONTACT_RE.search(text))
    for author in authors:
        size = len(author.split())
        if size < 2:
            continue
        # anywhere in a contact note, else at the start
        last = len(words) - size + 1 if contact else min(2, len(words) - size + 1)
        for start in range(0, last):
            if same(" ".join(words[start : start + size]).rstrip(",:.;"), author):
                return True
    return False


_CONTACT_RE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|\bfollow\s+(?:him|her|them|me)\s+on\b|\bmay\s+be\s+reached\b", re.IGNORECASE
)


def drop_bylines(
    paragraphs: list[Paragraph], authors: Sequence[str], same: Callable[[str, str], bool]
) -> list[Paragraph]:
    """Remove the byline, a note on the author and closing credit lines printed as paragraphs.

    Authors are their own field. A byline is a short line that is the author names or starts
    with "By"/"Von" and a name; an author note is one of the last three paragraphs starting
    with an author's full name; a credit line ("With files from ...", "Mit Material von dpa")
    is a short last or second-to-last paragraph.
    """
    out = [p for p in paragraphs if not _is_byline(p, authors, same)]
    for index in range(len(out) - 1, max(len(out) - 4, 0), -1):
        text = out[index].text
        note = index > 0 and _is_author_note(text, authors, same)
        credit = index >= len(out) - 2 and len(text.split()) <= 25 and _CREDIT_LINE_RE.match(text)
        if note or credit:
            del out[index]
    return out
