"""Text material shared by every section of the demo site: staff, passers-by, generic sentences.

Sentence templates use ``str.format`` fields filled per article by :mod:`demosite.content`:
``{subject}``, ``{org}``, ``{place}``, ``{group}`` (and capitalised ``{Subject}``, ``{Org}``,
``{Group}``), ``{month}``, ``{money}``, ``{pct}``, ``{n_weeks}`` ... and the name fields
``{EXPERT}``, ``{OFFICIAL}``, ``{RESIDENT}``, which become inline elements (``<a>``, ``<span>``,
``<strong>``, ``<em>``) in the middle of the sentence.
"""
from __future__ import annotations

SITE_NAME = "The Meridian Post"

# (slug, display name, one-line description)
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("world", "World", "Reporting from capitals, border towns and coastlines around the globe."),
    ("business", "Business", "Companies, markets and the money that moves them."),
    ("science", "Science", "Research, discovery and the people behind the data."),
)

# The newsroom. Beats only feed the author pages' one-line biographies.
STAFF: tuple[tuple[str, str], ...] = (
    ("Jane Doe", "covers diplomacy and international affairs"),
    ("Marcus Bell", "writes about markets, trade and shipping"),
    ("Priya Raman", "covers science, health and the environment"),
    ("Tomás Alvarez", "reports on Latin America and energy"),
    ("Hannah Keller", "covers European business and finance"),
    ("Olu Adeyemi", "reports on Africa and development"),
    ("Sofia Lindgren", "covers climate and polar research"),
    ("David Chen", "writes about technology and industry in Asia"),
)

# Named passers-by for vox-pop sentences; they always appear in <em> mid-sentence.
RESIDENTS: tuple[tuple[str, str], ...] = (
    ("Maria Santos", "a retired schoolteacher"),
    ("Ahmed Hassan", "who runs a hardware shop in the town centre"),
    ("Karin Berg", "a local councillor"),
    ("Joseph Mensah", "a taxi driver"),
    ("Yasmin Rahman", "a nurse who grew up in the area"),
    ("Luca Bianchi", "the owner of a small restaurant"),
    ("Eva Novak", "a university student"),
    ("Thomas Reid", "a member of a residents' association"),
    ("Ana Lima", "a volunteer with a local charity"),
    ("Pavel Horak", "who has farmed in the district for thirty years"),
)

# Ways to attribute a quote; the expert's name always sits mid-sentence.
QUOTE_FORMS: tuple[str, ...] = (
    "“{quote},” said {EXPERT}, {expert_role}.",
    "“{quote},” {EXPERT}, {expert_role}, told The Meridian Post.",
    "Speaking to reporters in {place}, {EXPERT}, {expert_role}, said: “{quote}.”",
    "“{quote},” said {EXPERT}, {expert_role}, in an interview this week.",
)

GENERIC: tuple[str, ...] = (
    "The announcement came after weeks of speculation, with several draft versions circulating "
    "among officials and industry groups.",
    "Not everyone is convinced, and some people in {place} say they have heard similar promises "
    "before.",
    "Details of the funding have not been published, and officials said a full breakdown would "
    "follow in {month}.",
    "Supporters argue that the work is overdue and that waiting longer would only make the "
    "eventual changes more expensive.",
    "Independent analysts said the real test would come over the next twelve months, as the "
    "first results become visible.",
    "{Org} said it would publish an update once the next phase begins, possibly as early as "
    "{month}.",
    "A public consultation is due to open next month and will run for {n_weeks} weeks.",
    "In interviews, {group} described a mixture of relief and caution, and many said they would "
    "wait for results before changing their plans.",
    "Questions also remain about oversight, since the current arrangements leave considerable "
    "room for interpretation.",
    "At a public meeting in {place} this week, {RESIDENT}, {resident_role}, said the issue had "
    "been discussed for years without much to show for it.",
    "The debate has spilled onto social media, where supporters and critics have traded charts "
    "and competing statistics.",
    "Earlier estimates put the total cost at about {money}, although that figure is likely to "
    "change.",
    "For now, much depends on decisions that have yet to be taken, and on whether the money "
    "promised actually arrives.",
    "The next formal review is scheduled for {month}, when updated figures are expected.",
    "Comparable efforts elsewhere have produced mixed results, and specialists caution against "
    "expecting quick gains.",
    "Local media in {place} have followed the story closely, and it has featured prominently in "
    "regional broadcasts.",
    "Asked what would change first, {RESIDENT}, {resident_role}, said people would judge the "
    "plan by what they could see on their own street.",
)

# Reader comments under "wp" articles: (name, text).
COMMENTS: tuple[tuple[str, str], ...] = (
    ("Mark Davies", "Good to see this covered properly. The figures in the fourth paragraph are "
     "worth reading twice."),
    ("Ellen R.", "I have been following this for years and nothing ever seems to change. Hope I "
     "am wrong this time."),
    ("Kwame", "Who is actually paying for all of this? The article does not really say."),
    ("S. Nakamura", "Thanks for the clear write-up. Would love a follow-up in a few months."),
    ("Georgia P.", "Interesting, but the headline oversells it a bit in my view."),
    ("Rob_in_Leeds", "Shared this with my local group. Lots of people here care about it."),
    ("Ingrid", "The quote from the analyst sums it up nicely."),
    ("Felipe M.", "We had something similar in our town ten years ago and it worked well."),
)

MONTHS: tuple[str, ...] = (
    "April", "May", "June", "July", "September", "October", "November", "December",
)
WEEKDAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
SMALL_NUMBERS: tuple[str, ...] = ("three", "four", "five", "six", "eight", "ten", "twelve")
