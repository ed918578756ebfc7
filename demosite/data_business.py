"""Business section of the demo site: stories, sentence bank, quotes and quoted experts.

The first story is written out in full (``paragraphs``) rather than generated: it is the page
served in ISO-8859-1, so every character in it must exist in Latin-1.
"""
from __future__ import annotations

from typing import Any

# Written by hand; straight quotes and guillemets only, all Latin-1.
ZURICH_PARAGRAPHS: tuple[str, ...] = (
    "Café Lindenhof, the family-owned chain best known for its crème brûlée and early opening "
    "hours, has signed a lending agreement with Société Générale to finance six new branches in "
    "Zürich and Genève over the next two years, starting with a flagship shop near the lake this "
    "autumn.",
    "The credit line, worth 18 million Swiss francs, is the largest the company has taken on since "
    "it was founded in 1987 by the pâtissier René Müller. His daughter, [[strong|Élodie Müller]], "
    "who now runs the business, said the timing was right because rents in the city centre had "
    "finally stabilised.",
    "Banking analysts said the deal showed that Société Générale was keen to grow its lending to "
    "small and medium-sized firms in Switzerland, a market long dominated by cantonal banks. "
    "«It is a modest loan by their standards, but it sends a signal,» said "
    "[[span.td-author-name|Andreas Brügger]], an analyst at a Zürich brokerage.",
    "The chain employs 240 people and expects to hire about 90 more. Each new café will follow the "
    "same formula: a bakery counter, a small terrace where the pavement allows, and a menu that "
    "changes with the seasons, from rösti in winter to fruit tarts in summer.",
    "Competition is fierce. International coffee chains have expanded quickly around the "
    "Bahnhofstrasse, and several independent cafés closed during the past two years as energy "
    "and staff costs rose. The company said it would keep prices stable this year, absorbing "
    "higher costs for butter and coffee beans.",
    "The first of the new branches is due to open in Genève in September, near the Place du "
    "Molard, followed by two sites in the Kreis 4 and Oerlikon districts of Zürich early next "
    "year. A spokesperson for the bank declined to give details of the interest rate.",
)

TOPICS: tuple[dict[str, Any], ...] = (
    dict(
        slug="zurich-cafe-chain-societe-generale-deal",
        title="Zürich café chain signs lending deal with Société Générale",
        dek="Café Lindenhof will use the credit line to open six new branches in Zürich and "
        "Genève.",
        paragraphs=ZURICH_PARAGRAPHS, encoding="iso-8859-1",
        tags=("banking", "small-business", "switzerland"),
    ),
    dict(
        slug="container-rates-fall-as-red-sea-traffic-returns",
        title="Container rates fall as Red Sea traffic slowly returns",
        dek="Shorter routes through Suez are freeing up ships and pushing spot prices down.",
        lead="Spot rates for shipping containers between Asia and northern Europe have fallen for "
        "a sixth consecutive week, as more carriers return to the shorter route through the Red "
        "Sea and the Suez Canal.",
        detail="Freight forwarders in Rotterdam say the extra capacity is arriving faster than "
        "expected, although insurers still charge a premium for vessels making the passage.",
        subject="the return to Suez routings", org="the freight forwarders' association",
        place="Rotterdam", group="importers", official=("Chief Executive", "Maarten de Vries"),
        tags=("shipping", "trade", "markets"),
    ),
    dict(
        slug="regional-airlines-order-turboprops",
        title="Regional airlines order turboprops as short routes recover",
        dek="Carriers are betting that fuel-efficient propeller aircraft suit routes too thin for "
        "jets.",
        lead="A group of European regional airlines has placed a combined order for forty "
        "turboprop aircraft, betting that demand on short routes between smaller cities will keep "
        "recovering.",
        detail="The order, announced in Toulouse, includes options for twenty more aircraft and is "
        "one of the largest for propeller planes in a decade.",
        subject="the aircraft order", org="the regional airlines association", place="Toulouse",
        group="smaller airports", official=("Chief Commercial Officer", "Hélène Marchetti"),
        tags=("aviation", "manufacturing", "europe"),
    ),
    dict(
        slug="cocoa-prices-ease-after-record-highs",
        title="Cocoa prices ease after two years of record highs",
        dek="Better harvests in West Africa bring relief to chocolate makers, but not yet to "
        "shoppers.",
        lead="Cocoa futures have fallen by roughly a third from their peak, as improved harvests in "
        "Ivory Coast and Ghana ease fears of a prolonged shortage.",
        detail="Chocolate makers, who raised prices repeatedly over the past two years, say it will "
        "take months for cheaper beans to feed through to what shoppers pay.",
        subject="the board's forward-sales programme", org="the cocoa marketing board",
        place="Abidjan", group="chocolate makers", official=("Managing Director", "Koffi Yao"),
        tags=("commodities", "food", "markets"),
    ),
    dict(
        slug="small-brewers-push-back-on-packaging-levy",
        title="Small brewers push back against new packaging levy",
        dek="Craft producers say the charge on cans and bottles favours the biggest brewers.",
        lead="Independent brewers are lobbying for changes to a new levy on drinks packaging, "
        "arguing that the flat charge per container will fall hardest on small producers with "
        "tight margins.",
        detail="The levy, due to take effect in January, is intended to fund recycling schemes run "
        "by local councils.",
        subject="the packaging levy", org="the Independent Brewers Alliance", place="Manchester",
        group="craft brewers", official=("Environment Minister", "Rachel Osborne"),
        tags=("retail", "regulation", "food"),
    ),
    dict(
        slug="mid-sized-banks-tighten-property-lending",
        title="Mid-sized banks tighten lending to commercial property developers",
        dek="Lenders are asking for larger deposits as office valuations continue to slide.",
        lead="Several mid-sized European banks have tightened the terms of new loans to commercial "
        "property developers, asking for larger deposits as office valuations continue to fall.",
        detail="Bankers in Frankfurt say some projects that were approved two years ago would not "
        "pass today's credit committees.",
        subject="the stricter lending policy", org="the central bank", place="Frankfurt",
        group="property developers", official=("Chief Risk Officer", "Katrin Vogel"),
        tags=("banking", "property", "markets"),
    ),
    dict(
        slug="electric-bus-maker-opens-second-factory",
        title="Electric bus maker opens second factory in northern Spain",
        dek="The plant near Bilbao will build up to 1,200 buses a year and employ about 900 "
        "people.",
        lead="An electric bus manufacturer has opened its second factory in northern Spain, as "
        "cities across Europe replace diesel fleets ahead of tighter emissions rules.",
        detail="The plant near Bilbao will be able to build up to 1,200 buses a year once it "
        "reaches full production, the company said.",
        subject="the new factory", org="the regional development agency", place="Bilbao",
        group="component suppliers", official=("Chief Executive", "Jon Etxeberria"),
        tags=("manufacturing", "electric-vehicles", "jobs"),
    ),
    dict(
        slug="grocers-expand-own-label-ranges",
        title="Grocery chains expand own-label ranges as shoppers trade down",
        dek="Supermarkets are adding hundreds of cheaper products as household budgets stay "
        "tight.",
        lead="Britain's large grocery chains are adding hundreds of own-label products to their "
        "shelves, as shoppers continue to swap branded goods for cheaper alternatives.",
        detail="Industry data compiled in Leeds show own-label products now account for almost "
        "half of grocery sales by value.",
        subject="the own-label push", org="the grocery trade body", place="Leeds",
        group="food manufacturers", official=("Commercial Director", "Simon Ashworth"),
        tags=("retail", "consumers", "food"),
    ),
    dict(
        slug="antwerp-port-tests-automated-customs",
        title="Port of Antwerp tests automated customs checks",
        dek="Scanners and software will clear low-risk containers without a manual inspection.",
        lead="The port of Antwerp has begun testing a system that clears low-risk containers "
        "automatically, using scanners and software to decide which boxes need a closer look by "
        "customs officers.",
        detail="Officials say the trial could cut average clearance times by several hours for the "
        "majority of shipments.",
        subject="the automated customs trial", org="the port authority", place="Antwerp",
        group="hauliers", official=("Port Director", "Pieter Janssens"),
        tags=("trade", "shipping", "technology"),
    ),
    dict(
        slug="vietnam-textile-exporters-recycled-fabric",
        title="Textile exporters in Vietnam shift orders toward recycled fabric",
        dek="Factories are retooling as European buyers demand more recycled fibre in their "
        "clothing.",
        lead="Garment factories around Ho Chi Minh City are switching a growing share of their "
        "production to recycled fabrics, responding to European buyers who want to meet new "
        "sustainability targets.",
        detail="Factory owners say recycled polyester now makes up about a fifth of their orders, "
        "compared with almost none five years ago.",
        subject="the switch to recycled fibre", org="the textile and apparel association",
        place="Ho Chi Minh City", group="factory owners",
        official=("Deputy Chairwoman", "Nguyen Thi Mai"), tags=("manufacturing", "trade", "asia"),
    ),
    dict(
        slug="coffee-roasters-hedge-against-bean-prices",
        title="Coffee roasters hedge against volatile bean prices",
        dek="Roasters are locking in supplies further ahead as weather hits harvests.",
        lead="Coffee roasters in northern Europe are buying further ahead than usual, trying to "
        "protect themselves from price swings after poor weather damaged harvests in several "
        "producing countries.",
        detail="Traders in Hamburg say some roasters have now secured supplies well into next "
        "year, a practice once limited to the largest firms.",
        subject="the longer-term buying strategy", org="the coffee traders' association",
        place="Hamburg", group="independent roasters",
        official=("Head of Purchasing", "Lars Petersen"), tags=("commodities", "food", "markets"),
    ),
    dict(
        slug="family-hotels-band-together-on-booking-fees",
        title="Family-owned hotels band together to cut booking fees",
        dek="Alpine hoteliers are launching a shared booking site to win back direct "
        "reservations.",
        lead="Family-owned hotels in the Austrian Alps are launching a shared booking platform, "
        "hoping to reduce the commissions they pay to large online travel agencies.",
        detail="More than 150 hotels around Salzburg have signed up so far, and the platform is due "
        "to go live before the summer season.",
        subject="the shared booking platform", org="the regional hoteliers' association",
        place="Salzburg", group="small hotel owners",
        official=("Managing Director", "Stefan Gruber"),
        tags=("tourism", "small-business", "europe"),
    ),
)

SENTENCES: tuple[str, ...] = (
    "Shares in listed competitors moved only modestly on the news, suggesting investors had "
    "largely anticipated the decision.",
    "Analysts at several brokerages said {subject} could lift margins by a percentage point or two "
    "if costs stay under control.",
    "Figures from {org} show turnover in the sector reached {money} last year, up {pct} percent on "
    "the year before.",
    "Around {hundreds} additional jobs are expected over the next two years, most of them in and "
    "around {place}.",
    "Suppliers have been warned to expect tighter payment terms while the changes bed in.",
    "Industry figures show that demand has recovered unevenly, with smaller firms lagging behind "
    "larger rivals.",
    "{Official_title} {OFFICIAL} said in a statement that {subject} reflected “a long-term bet on "
    "the region and its workforce”.",
    "Trade unions said they had not been consulted and asked for a meeting with management before "
    "any contracts are signed.",
    "Borrowing costs remain a concern for {group}, many of whom refinanced at much lower rates "
    "several years ago.",
    "The move follows a difficult year in which energy prices, wages and transport costs all rose "
    "faster than sales.",
    "Some investors questioned whether {subject} would pay off before the next downturn.",
    "A spokesperson for {org} said more detail would be provided alongside quarterly results in "
    "{month}.",
    "Economists caution that one quarter of stronger figures does not make a trend, particularly "
    "with consumer confidence still fragile.",
    "Competition authorities have not said whether they intend to examine the arrangement.",
    "In {place}, local officials welcomed the investment but said they would watch closely to see "
    "whether the promised jobs materialise.",
    "The figures exclude one-off restructuring costs, which people familiar with the matter put at "
    "roughly {money}.",
    "Several {group} told The Meridian Post they had already begun renegotiating contracts in "
    "anticipation of the change.",
    "Prices on wholesale markets rose {pct} percent over the past month, according to data "
    "compiled by industry groups.",
    "Bankers involved in the discussions said the terms were broadly in line with similar "
    "transactions last year.",
    "Management has set a target of breaking even within three years, a timeline some analysts "
    "regard as ambitious.",
    "Asked about the risks, {official_title} {OFFICIAL} said the company had “stress-tested the "
    "plan against a much weaker economy”.",
)

QUOTES: tuple[str, ...] = (
    "Nobody in this industry can afford to stand still right now",
    "We are planning for a slower year and hoping to be surprised",
    "The margin for error has become very thin",
    "Customers are more careful with every euro they spend",
    "This is a sensible move, but it is not without risk",
    "The numbers look better than they did a year ago, which is a low bar",
    "Scale matters more than ever in this market",
    "If rates stay where they are, a lot of these plans will have to be revisited",
)

EXPERTS: tuple[tuple[str, str], ...] = (
    ("Sarah Whitcombe", "chief economist at Northgate Capital"),
    ("Julien Marchand", "a retail analyst at Bernard & Cie"),
    ("Ngozi Eze", "a partner at the consultancy Halden Advisory"),
    ("Peter Lindqvist", "head of research at a Stockholm brokerage"),
    ("Aiko Tanaka", "a supply-chain specialist at Kobe University"),
    ("Rafael Ortega", "a portfolio manager at Meseta Asset Management"),
    ("Grace Wanjiru", "an economist at the African Trade Forum"),
    ("Martin Holm", "who advises mid-sized manufacturers on financing"),
)
