"""Pages about the site and its staff: contact, imprint, privacy policy, reporter profiles.

None of them is an article, yet each has paragraphs of prose that a naive extractor takes for
a story, and most wear article markup, as pages of real CMS templates do: og:type "article"
on every page, a JSON-LD ContactPage, ProfilePage or bare Person. A crawler must leave them out.
"""
from __future__ import annotations

import json

from demosite.chrome import esc, page
from demosite.content import SITE_NAME, Person, SiteContent

CONTACT_PATH = "/contact/"
IMPRINT_PATH = "/impressum/"
PRIVACY_PATH = "/privacy-policy/"
PROFILE_FOLDER = "/team/"
PROFILED = ("Jane Doe", "Marcus Bell")  # the staff whose author pages link a full profile
# (the footer of chrome.py links the first three)


def profile_path(person: Person) -> str:
    return f"{PROFILE_FOLDER}{person.slug}/"


def paths(content: SiteContent) -> list[str]:
    """Every page of this module, in the order the manifest lists them."""
    return [CONTACT_PATH, IMPRINT_PATH, PRIVACY_PATH,
            *(profile_path(p) for p in profiled(content))]


def profiled(content: SiteContent) -> list[Person]:
    return [content.people[slug] for slug in sorted(content.people)
            if content.people[slug].name in PROFILED]


def _ld(data: dict[str, object]) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'


def _og_article(title: str, url: str) -> str:
    # what many CMS templates print on every page, whatever it is
    return (f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(title)}">\n'
            f'<meta property="og:url" content="{esc(url)}">\n'
            f'<meta property="og:site_name" content="{SITE_NAME}">\n')


def _static(heading: str, paragraphs: list[str]) -> str:
    prose = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<article class="static-page">\n<h1>{esc(heading)}</h1>\n{prose}\n</article>'


def contact(content: SiteContent, base: str) -> str:
    url = f"{base}{CONTACT_PATH}"
    body = _static("Contact us", [
        f"The newsroom of {SITE_NAME} reads every message that reaches it, although our editors "
        "cannot answer each one in person. If you have seen something happen that you think we "
        "should report, write to the news desk and tell us where and when it took place, how you "
        "know about it and how we can reach you again during the day.",
        "Readers who want to point out a mistake in one of our stories should give us the headline "
        "and the date of publication, and say what they believe is wrong. The standards editor "
        "looks into every such request within two working days and publishes a correction at the "
        "foot of the story when the facts call for it.",
        "For questions about a subscription, a delivery or an invoice, our reader service team is "
        "available from Monday to Friday between eight in the morning and six in the evening. "
        "Advertising enquiries go to the commercial department, which is separate from the "
        "newsroom and has no say over what our reporters write.",
        "Our postal address is 14 Harbour Street, London, and the switchboard can connect you "
        "with any desk. Please do not send original documents by post unless a reporter has asked "
        "you to; we cannot return them.",
    ])
    head = _og_article(f"Contact us - {SITE_NAME}", url) + _ld(
        {"@context": "https://schema.org", "@type": "ContactPage", "name": "Contact us", "url": url})
    return page(title=f"Contact us - {SITE_NAME}", description=f"How to reach {SITE_NAME}.",
                canonical=url, body=body, content=content, body_class="contact-page",
                head_extra=head, og_type="")


def imprint(content: SiteContent, base: str) -> str:
    url = f"{base}{IMPRINT_PATH}"
    body = _static("Imprint", [
        f"{SITE_NAME} is published by Meridian Media Limited, a company registered in England and "
        "Wales under number 01234567, with its registered office at 14 Harbour Street, London. "
        "The company is owned by a charitable trust whose deed forbids any shareholder from "
        "influencing the editorial line of the paper or of its website.",
        "The editor-in-chief is responsible for the content of this website within the meaning of "
        "the press laws of the countries in which it is published. The managing director is "
        "responsible for advertising, and the company secretary for the legal notices printed "
        "on this page.",
        "Despite careful checking of the content we accept no liability for the content of "
        "external links. The operators of linked pages are solely responsible for their content. "
        "All texts, photographs and graphics on this site are protected by copyright and may not "
        "be reproduced without written permission.",
    ])
    return page(title=f"Imprint - {SITE_NAME}", description="Publisher, editor and legal notices.",
                canonical=url, body=body, content=content, body_class="imprint-page",
                head_extra=_og_article(f"Imprint - {SITE_NAME}", url), og_type="")


def privacy(content: SiteContent, base: str) -> str:
    url = f"{base}{PRIVACY_PATH}"
    body = _static("Privacy policy", [
        "This policy explains what personal data we collect when you read our website, why we "
        "collect it, how long we keep it and which rights you have. We collect only what we need "
        "to run the site, to count our readers and, if you subscribe, to deliver what you pay for "
        "and to send you the invoices that the law requires.",
        "When you visit a page, our servers record the address of your device, the page requested, "
        "the time and the browser you use. These logs are kept for fourteen days to defend the site "
        "against attacks and are then deleted. We set a session cookie, and a second cookie that "
        "remembers whether you agreed to measurement of your visits.",
        "You may ask us at any time for a copy of the data we hold about you, for its correction or "
        "for its deletion, and you may object to its use for measurement. Write to our data "
        "protection officer at the address given on our contact page; we answer within one month.",
    ])
    head = _og_article(f"Privacy policy - {SITE_NAME}", url) + _ld(
        {"@context": "https://schema.org", "@type": "WebPage", "name": "Privacy policy", "url": url})
    return page(title=f"Privacy policy - {SITE_NAME}", description="How we handle your data.",
                canonical=url, body=body, content=content, body_class="privacy-page",
                head_extra=head, og_type="")


def profile(content: SiteContent, base: str, person: Person) -> str:
    """A reporter's profile; the first profiled person's page is a schema.org ProfilePage, the
    others carry a bare Person and og:type "article"."""
    url = f"{base}{profile_path(person)}"
    first = person.name.split()[0]
    body = _static(person.name, [
        f"{person.name} joined {SITE_NAME} in 2015 after nine years at regional newspapers, where "
        f"{first} covered courts, council meetings and the closure of two shipyards. Since then "
        f"{person.bio.removeprefix(person.name).strip().removesuffix('.')} and has reported from "
        "more than thirty countries.",
        f"{first} studied history and economics and speaks four languages. Before becoming a "
        "journalist, they worked for a shipping company and later for a charity that supports "
        "refugees arriving at the southern coasts of Europe.",
        f"Readers can send {first} tips and documents through the newsroom's secure contact form. "
        f"{first} is on leave from time to time to write books; the most recent one, about the "
        "ports that feed the world, came out last spring.",
        f'<a href="/author/{person.slug}/">All stories by {esc(person.name)}</a>',
    ])
    person_ld = {"@type": "Person", "name": person.name, "jobTitle": "Correspondent",
                 "url": url, "worksFor": {"@type": "NewsMediaOrganization", "name": SITE_NAME}}
    if person.name == PROFILED[0]:
        head = _ld({"@context": "https://schema.org", "@type": "ProfilePage", "url": url,
                    "mainEntity": person_ld})
        return page(title=f"{person.name} - {SITE_NAME}", description=person.bio, canonical=url,
                    body=body, content=content, body_class="profile-page", head_extra=head,
                    og_type="profile")
    head = _og_article(f"{person.name} - {SITE_NAME}", url) + _ld({"@context": "https://schema.org",
                                                                   **person_ld})
    return page(title=f"{person.name} - {SITE_NAME}", description=person.bio, canonical=url,
                body=body, content=content, body_class="profile-page", head_extra=head, og_type="")
