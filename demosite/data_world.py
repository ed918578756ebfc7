"""World section of the demo site: stories, sentence bank, quotes and quoted experts."""
from __future__ import annotations

from typing import Any

TOPICS: tuple[dict[str, Any], ...] = (
    dict(
        slug="nile-basin-states-resume-water-talks",
        title="Nile basin states agree to resume water-sharing talks",
        dek="Negotiators will meet in Addis Ababa next month for the first formal round in three "
        "years.",
        lead="Governments along the Nile have agreed to resume formal talks on sharing the river's "
        "water, ending a three-year pause that had left farmers and hydropower planners guessing.",
        detail="The first round is due to open in Addis Ababa next month, and technical teams have "
        "already begun exchanging data on seasonal flows and reservoir levels.",
        subject="the water-sharing framework", org="the Nile Basin Initiative",
        place="Addis Ababa", group="farmers along the river",
        official=("Water Minister", "Abebe Tadesse"), tags=("diplomacy", "water", "africa"),
    ),
    dict(
        slug="baltic-ferry-crews-strike-over-pay",
        title="Baltic ferry crews walk out over pay as summer season nears",
        dek="The strike has halted most island services from Tallinn, stranding commuters and "
        "delivery trucks.",
        lead="Ferry crews on routes linking Estonia's islands to the mainland walked off the job on "
        "Monday, halting most crossings in a dispute over pay and rest periods.",
        detail="The seafarers' union says wages have fallen behind inflation for three years "
        "running, while operators argue that fuel and insurance costs leave little room for a "
        "larger offer.",
        subject="the proposed pay settlement", org="the seafarers' union", place="Tallinn",
        group="island commuters", official=("Infrastructure Minister", "Kadri Tamm"),
        tags=("labour", "transport", "europe"),
    ),
    dict(
        slug="bangladesh-floating-schools-monsoon",
        title="Coastal districts in Bangladesh test floating schools before the monsoon",
        dek="Boats fitted with classrooms and solar panels will keep lessons running when roads "
        "flood.",
        lead="Education officials in south-western Bangladesh are fitting out a fleet of "
        "flat-bottomed boats as classrooms, hoping to keep children in lessons when the monsoon "
        "floods cut off village schools.",
        detail="The first twenty boats began operating near Khulna this month, each carrying solar "
        "panels, a small library and space for about thirty pupils.",
        subject="the floating-school programme", org="the education ministry", place="Khulna",
        group="families in low-lying villages", official=("Education Secretary", "Nusrat Jahan"),
        tags=("education", "climate", "asia"),
    ),
    dict(
        slug="pacific-leaders-press-for-climate-finance",
        title="Pacific island leaders press for faster access to climate finance",
        dek="Leaders meeting in Suva say paperwork is slowing money meant for sea walls and water "
        "supplies.",
        lead="Leaders of Pacific island nations meeting in Suva have called on donor governments to "
        "simplify the rules for climate finance, saying complex applications are delaying "
        "projects that cannot wait.",
        detail="A joint statement issued at the end of the meeting asks for a single application "
        "process and for more money to be paid directly to national governments.",
        subject="the climate finance package", org="the Pacific Islands Forum", place="Suva",
        group="coastal villages", official=("Prime Minister", "Sefo Tuilagi"),
        tags=("climate", "diplomacy", "pacific"),
    ),
    dict(
        slug="lisbon-tightens-short-term-rental-rules",
        title="Lisbon tightens short-term rental rules in historic districts",
        dek="New licences will be frozen in five central neighbourhoods while the city reviews "
        "housing pressure.",
        lead="Lisbon's city council has voted to freeze new short-term rental licences in five "
        "historic neighbourhoods, the latest European city to try to ease pressure on housing for "
        "residents.",
        detail="Existing licences will remain valid, but owners will have to register with a new "
        "city database by the end of the year or risk fines.",
        subject="the rental rules", org="the city council", place="Lisbon",
        group="long-term tenants", official=("Deputy Mayor", "Inês Carvalho"),
        tags=("housing", "cities", "europe"),
    ),
    dict(
        slug="canada-wildfire-agencies-equipment-pact",
        title="Canadian wildfire agencies sign early equipment-sharing pact",
        dek="Provinces agree to move water bombers and crews across borders within hours rather "
        "than days.",
        lead="Wildfire agencies from six Canadian provinces have signed an agreement to share "
        "aircraft and crews earlier in the season, after last year's fires stretched resources "
        "across the country.",
        detail="Under the pact, a province facing a surge in fires can request water bombers from "
        "its neighbours and expect a decision within four hours.",
        subject="the equipment-sharing pact", org="the provincial wildfire agencies",
        place="Winnipeg", group="rural fire crews",
        official=("Emergency Management Minister", "Claire Fontaine"),
        tags=("wildfires", "climate", "americas"),
    ),
    dict(
        slug="kenya-solar-cold-storage-rural-clinics",
        title="Kenya expands rural clinic network with solar-powered cold storage",
        dek="Vaccines and insulin can now be stored at clinics that have never had reliable "
        "electricity.",
        lead="Kenya's health ministry has begun installing solar-powered refrigerators at more than "
        "two hundred rural clinics, allowing vaccines and insulin to be stored close to the "
        "patients who need them.",
        detail="Until now, many clinics in the west of the country relied on weekly deliveries from "
        "district hospitals, and doses were often lost when roads became impassable.",
        subject="the clinic expansion plan", org="the health ministry", place="Kisumu",
        group="patients in remote areas", official=("Health Secretary", "Wanjiku Mwangi"),
        tags=("health", "energy", "africa"),
    ),
    dict(
        slug="chile-lithium-towns-debate-royalties",
        title="Chile's lithium towns debate how to share new royalties",
        dek="Communities near the Atacama salt flats want a direct say in how the money is spent.",
        lead="Towns near Chile's Atacama salt flats are pressing for a direct share of new lithium "
        "royalties, arguing that the communities living beside the mines should decide how part "
        "of the money is spent.",
        detail="The regional government has proposed a fund that would set aside a fixed portion "
        "of royalties for water projects, schools and roads in the surrounding area.",
        subject="the royalty plan", org="the regional government", place="Antofagasta",
        group="mining communities", official=("Regional Governor", "Rodrigo Araya"),
        tags=("mining", "economy", "americas"),
    ),
    dict(
        slug="greek-islands-trial-desalination-barges",
        title="Greek islands trial desalination barges as tourist numbers climb",
        dek="Floating plants will supplement water supplies on three islands during the busiest "
        "months.",
        lead="Three Greek islands will trial floating desalination plants this summer, as local "
        "authorities struggle to supply water to populations that swell several times over during "
        "the tourist season.",
        detail="The barges, moored close to the main harbours, can each produce enough drinking "
        "water for roughly ten thousand people a day.",
        subject="the desalination trial", org="the regional water authority", place="Naxos",
        group="hotel owners", official=("Island Affairs Minister", "Nikos Petridis"),
        tags=("water", "tourism", "europe"),
    ),
    dict(
        slug="mekong-fishing-villages-record-low-catches",
        title="Mekong fishing villages report record low catches",
        dek="Fishers blame upstream dams and erratic rains for a season that has emptied their "
        "nets.",
        lead="Fishing communities along the lower Mekong say this season's catches are the lowest "
        "they can remember, adding to pressure on households that depend on the river for both "
        "food and income.",
        detail="Villagers near Can Tho report that some species once common in their nets have not "
        "been seen for two years, and many young people have left to look for work in the cities.",
        subject="the new fishing quota scheme", org="the Mekong River Commission",
        place="Can Tho", group="fishing families", official=("Fisheries Director", "Tran Van Long"),
        tags=("environment", "food", "asia"),
    ),
    dict(
        slug="polish-border-towns-reopen-rail-links",
        title="Polish border towns reopen rail links after track upgrades",
        dek="Upgraded lines promise faster journeys for travellers and freight crossing the eastern "
        "border.",
        lead="Passenger trains have resumed on two rail lines in south-eastern Poland after a year "
        "of upgrades, cutting journey times for travellers and freight heading to and from the "
        "border.",
        detail="The work replaced ageing track and signals on routes around Przemyśl, where station "
        "platforms have been rebuilt to handle longer trains.",
        subject="the rail upgrade programme", org="the national rail operator", place="Przemyśl",
        group="cross-border travellers", official=("Transport Minister", "Marek Zielinski"),
        tags=("transport", "europe", "infrastructure"),
    ),
    dict(
        slug="morocco-solar-plant-doubles-storage",
        title="Moroccan solar plant doubles its storage capacity",
        dek="Molten-salt tanks will let the desert complex supply power for hours after sunset.",
        lead="A solar power complex in southern Morocco has doubled its energy storage capacity, "
        "allowing it to keep supplying electricity for several hours after sunset.",
        detail="The expansion adds two molten-salt tanks near Ouarzazate, where fields of mirrors "
        "concentrate sunlight to heat the salt during the day.",
        subject="the storage expansion", org="the national energy agency", place="Ouarzazate",
        group="grid operators", official=("Energy Minister", "Samira Idrissi"),
        tags=("energy", "climate", "africa"),
    ),
)

SENTENCES: tuple[str, ...] = (
    "Officials in {place} said {subject} would be reviewed again in {month}, once a technical "
    "committee has finished assessing the costs.",
    "Diplomats familiar with the discussions said the most difficult questions had been left for "
    "a later round.",
    "{Org} has asked neighbouring authorities to share data more regularly, arguing that decisions "
    "are still being made on figures that are months out of date.",
    "For {group}, the stakes are immediate: many say they cannot plan beyond the next season until "
    "the details are settled.",
    "{Subject} still needs formal approval, and opposition politicians have promised to "
    "scrutinise every clause.",
    "Aid groups working around {place} warned that any delay would fall hardest on households that "
    "have already cut spending on food and school fees.",
    "{Official_title} {OFFICIAL} told reporters that the government had “no intention of walking "
    "away” from {subject}.",
    "Critics say {subject} relies too heavily on promises of outside funding that have been slow "
    "to arrive in the past.",
    "A spokesperson for {org} declined to comment on the timetable but said work was continuing "
    "at a technical level.",
    "The last comparable effort collapsed in {year} after a dispute over who would pay for "
    "monitoring, a history that still colours the debate.",
    "Regional leaders are expected to return to the issue at a summit later this year, though no "
    "date has been announced.",
    "Under the draft plan seen by reporters, the authorities would publish quarterly figures and "
    "allow independent inspectors to verify them.",
    "Some {group} have already begun adapting, pooling equipment and sharing information through "
    "informal messaging groups.",
    "The figure of {pct} percent quoted by officials has been questioned by independent analysts, "
    "who say the true number is probably higher.",
    "Foreign governments have welcomed {subject} in cautious statements, while stressing that "
    "implementation would be the real test.",
    "Protesters gathered outside government offices in {place} on {weekday}, carrying banners "
    "that called for greater transparency, and police said no arrests were made.",
    "Observers note that the deal was reached only after an overnight session in which mediators "
    "shuttled between delegations in separate rooms.",
    "Officials said a joint commission would meet every {n_months} months to review progress and "
    "settle disputes before they escalate.",
    "In a separate briefing, {official_title} {OFFICIAL} described the mood as constructive, a "
    "word officials often use when little has been agreed.",
    "Estimates from {org} suggest that around {thousands} people could be affected in the first "
    "year alone.",
    "Opposition leaders in {place} have accused the government of moving too slowly, a charge "
    "ministers reject.",
)

QUOTES: tuple[str, ...] = (
    "This is a step forward, but it is not the finish line",
    "Nobody should pretend the hard part is over",
    "What matters now is whether the money actually reaches the people who need it",
    "We have seen agreements like this before, and the follow-through is always the problem",
    "There is more political will in the room than at any point in the last decade",
    "People on the ground are tired of waiting for decisions made in distant capitals",
    "The details will decide whether this works, and the details are still missing",
    "It buys time, and time is what everyone has been short of",
)

EXPERTS: tuple[tuple[str, str], ...] = (
    ("Miriam Okonjo", "a senior fellow at the Centre for Regional Security"),
    ("Henrik Dahl", "a former ambassador who now teaches at the University of Copenhagen"),
    ("Lucia Ferreira", "director of the Institute for Development Policy"),
    ("Daniel Osei", "a political analyst based in Accra"),
    ("Anna Kowalczyk", "a researcher at the European Council on Migration"),
    ("Rashid Karimov", "a former United Nations adviser"),
    ("Elise Morel", "a professor of international law in Paris"),
    ("Tomasz Wrona", "an analyst at the Warsaw Institute for Strategy"),
)
