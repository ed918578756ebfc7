"""Science section of the demo site: stories, sentence bank, quotes and quoted experts."""
from __future__ import annotations

from typing import Any

TOPICS: tuple[dict[str, Any], ...] = (
    dict(
        slug="deep-sea-survey-finds-unnamed-species",
        title="Deep-sea survey finds dozens of unnamed species off New Zealand",
        dek="A month-long expedition collected corals, sponges and fish that have never been "
        "formally described.",
        lead="A deep-sea expedition off New Zealand has collected dozens of animals that appear to "
        "be new to science, including corals, sponges and a small fish found more than two "
        "kilometres down.",
        detail="The specimens were gathered by a remotely operated vehicle during a month-long "
        "voyage and are now being examined by taxonomists in Wellington.",
        subject="the survey", org="the national institute of water research", place="Wellington",
        group="taxonomists", official=("voyage leader", "Aroha Walker"),
        tags=("oceans", "biodiversity"),
    ),
    dict(
        slug="telescope-maps-water-vapour-gas-giant",
        title="Telescope team maps water vapour on a distant gas giant",
        dek="Observations reveal how water moves between the day and night sides of a hot "
        "exoplanet.",
        lead="Astronomers have produced the most detailed map yet of water vapour in the "
        "atmosphere of a gas giant orbiting another star, showing how it shifts between the "
        "planet's day and night sides.",
        detail="The team combined dozens of hours of observations from telescopes on La Palma and "
        "in Chile, tracking the planet through several complete orbits.",
        subject="the study", org="the European Southern Observatory", place="La Palma",
        group="astronomers", official=("lead author", "Ingrid Solberg"),
        tags=("astronomy", "exoplanets"),
    ),
    dict(
        slug="heat-tolerant-wheat-field-trials",
        title="Wheat variety bred for heat stress shows early promise in field trials",
        dek="Yields held up during a hot spring in Punjab, but breeders want more seasons of "
        "data.",
        lead="A wheat variety bred to tolerate high temperatures produced markedly better yields "
        "than standard varieties during field trials in northern India, where an unusually hot "
        "spring damaged many crops.",
        detail="The trials, run at research farms near Ludhiana, compared the new line with three "
        "varieties widely grown in the region.",
        subject="the field trial", org="the agricultural university", place="Ludhiana",
        group="wheat farmers", official=("principal investigator", "Harpreet Sandhu"),
        tags=("agriculture", "climate", "genetics"),
    ),
    dict(
        slug="alpine-glacier-melt-outpaced-forecasts",
        title="Glacier melt in the Alps outpaced forecasts last summer",
        dek="Measurements show several glaciers lost more ice than models had predicted.",
        lead="Glaciers in the Swiss Alps lost more ice last summer than most models had "
        "predicted, according to measurements published by a network of monitoring stations.",
        detail="Scientists in Valais said a dry winter followed by a long heatwave left many "
        "glaciers exposed without their usual protective layer of snow.",
        subject="the monitoring report", org="the glacier monitoring network", place="Valais",
        group="glaciologists", official=("network director", "Matthias Huber"),
        tags=("climate", "glaciers"),
    ),
    dict(
        slug="urban-foxes-tracked-with-gps-collars",
        title="Researchers track urban foxes with lightweight GPS collars",
        dek="Data from forty foxes reveal how the animals navigate busy streets and gardens at "
        "night.",
        lead="Researchers in Bristol have fitted forty urban foxes with lightweight GPS collars, "
        "producing a detailed picture of how the animals move through streets, gardens and "
        "railway embankments at night.",
        detail="The collars record a location every few minutes and fall off automatically after "
        "about three months.",
        subject="the tracking study", org="the university's mammal research unit",
        place="Bristol", group="wildlife volunteers", official=("project leader", "Rebecca Hale"),
        tags=("wildlife", "cities"),
    ),
    dict(
        slug="battery-chemistry-survives-fast-charging",
        title="New battery chemistry survives thousands of fast-charge cycles",
        dek="Laboratory cells kept most of their capacity after repeated charging in under "
        "fifteen minutes.",
        lead="A battery chemistry developed by materials scientists in Uppsala has survived "
        "several thousand rapid charging cycles in laboratory tests while keeping most of its "
        "original capacity.",
        detail="The cells use a modified electrode coating that the team says reduces the damage "
        "normally caused by charging at high currents.",
        subject="the research", org="the national energy research council", place="Uppsala",
        group="battery manufacturers", official=("lead researcher", "Erik Nyström"),
        tags=("batteries", "materials", "energy"),
    ),
    dict(
        slug="coral-restoration-heat-tolerant-strains",
        title="Coral restoration project reports higher survival with heat-tolerant strains",
        dek="Corals grown from heat-tolerant parents fared better during last summer's marine "
        "heatwave.",
        lead="Corals grown from heat-tolerant parent colonies survived last summer's marine "
        "heatwave at markedly higher rates than other transplanted corals, according to a "
        "restoration project on the Great Barrier Reef.",
        detail="Divers working from Townsville planted thousands of fragments on damaged sections "
        "of reef over the past three years.",
        subject="the restoration project", org="the marine science institute", place="Townsville",
        group="reef managers", official=("project scientist", "Megan Clarke"),
        tags=("oceans", "biodiversity", "climate"),
    ),
    dict(
        slug="late-night-screens-shorter-deep-sleep",
        title="Sleep study links late-night screen use to shorter deep sleep",
        dek="Volunteers who used phones in bed spent less time in the most restorative stage of "
        "sleep.",
        lead="Adults who used phones or tablets in bed spent less time in deep sleep than those "
        "who put their screens away an hour earlier, according to a study that monitored "
        "volunteers at home for several weeks.",
        detail="Participants in Melbourne wore headbands that recorded brain activity during the "
        "night, allowing researchers to measure sleep stages without a laboratory.",
        subject="the sleep study", org="the sleep health foundation", place="Melbourne",
        group="sleep researchers", official=("lead author", "Olivia Grant"),
        tags=("health", "sleep"),
    ),
    dict(
        slug="bronze-age-trading-post-danube",
        title="Archaeologists date Bronze Age trading post on the Danube",
        dek="Radiocarbon dates place the settlement more than 3,500 years ago.",
        lead="Archaeologists excavating a riverside settlement on the Danube have dated it to more "
        "than 3,500 years ago, suggesting it was an important trading post during the Bronze "
        "Age.",
        detail="Finds from the site near Vukovar include amber beads, bronze tools and pottery in "
        "styles from several different regions.",
        subject="the excavation", org="the national archaeology museum", place="Vukovar",
        group="archaeologists", official=("excavation director", "Ana Kovač"),
        tags=("archaeology", "history"),
    ),
    dict(
        slug="reykjanes-seismic-network-upgrade",
        title="Volcano monitors upgrade seismic network on Iceland's Reykjanes peninsula",
        dek="New sensors aim to give residents more warning before eruptions.",
        lead="Scientists monitoring volcanic activity on Iceland's Reykjanes peninsula have "
        "installed dozens of new seismic and GPS sensors, aiming to give more warning before "
        "future eruptions.",
        detail="The upgraded network around Grindavík can detect smaller earthquakes and measure "
        "ground movement to within a few millimetres.",
        subject="the monitoring upgrade", org="the meteorological office", place="Grindavík",
        group="residents", official=("head of volcanic monitoring", "Sigrún Jónsdóttir"),
        tags=("geology", "volcanoes"),
    ),
    dict(
        slug="soil-bacteria-antibiotic-resistant-infections",
        title="Antibiotic found in soil bacteria shows promise against resistant infections",
        dek="The compound cleared infections in mice, but human trials are years away.",
        lead="A compound produced by bacteria found in garden soil has cleared drug-resistant "
        "infections in laboratory mice, raising hopes for a new class of antibiotics.",
        detail="Researchers in Leiden screened thousands of soil samples collected by members of "
        "the public before isolating the molecule.",
        subject="the discovery", org="the medical research council", place="Leiden",
        group="hospital doctors", official=("lead researcher", "Pieter van Dam"),
        tags=("health", "medicine"),
    ),
    dict(
        slug="citizen-scientists-count-migrating-dragonflies",
        title="Citizen scientists count record number of migrating dragonflies",
        dek="Volunteers logged more than 40,000 sightings along the autumn migration route.",
        lead="Volunteers taking part in an annual survey logged a record number of migrating "
        "dragonflies last autumn, providing new data on a migration that scientists are only "
        "beginning to understand.",
        detail="Observers near Gibraltar recorded large swarms crossing toward Africa on several "
        "days in September.",
        subject="the survey", org="the natural history society", place="Gibraltar",
        group="volunteers", official=("survey coordinator", "Marisol Vega"),
        tags=("wildlife", "insects", "citizen-science"),
    ),
)

SENTENCES: tuple[str, ...] = (
    "The findings were published this week in a peer-reviewed journal and draw on data "
    "collected over {n_years} years.",
    "The researchers stressed that the results are preliminary and need to be confirmed by "
    "independent teams.",
    "Funding for the work came from {org} and several university partners.",
    "{Subject} builds on earlier studies that produced promising but inconsistent results.",
    "The team used a combination of field measurements and computer models to reach its "
    "conclusions.",
    "Scientists not involved in the work described the methods as careful, though some "
    "questioned the size of the sample.",
    "In all, the researchers analysed more than {thousands} individual measurements, a dataset "
    "they plan to make public.",
    "{Official_title} {OFFICIAL} said the team had been surprised by how consistent the pattern "
    "was across different sites.",
    "Similar work near {place} has attracted interest from government agencies looking for "
    "cheaper ways to monitor change.",
    "One limitation, the authors acknowledge, is that most of the data come from a single "
    "season.",
    "The next phase will extend the work to additional sites and run for at least another "
    "{n_years} years.",
    "Researchers hope the approach can be adapted for use in other regions with similar "
    "conditions.",
    "The results add to a growing body of evidence, although the mechanism behind them is not "
    "yet fully understood.",
    "Data from the project will be shared with {org}, which maintains a long-running public "
    "archive.",
    "Field teams worked in difficult conditions, sometimes waiting days for the weather to clear "
    "before taking measurements.",
    "Statistical tests suggested the effect was unlikely to be due to chance, with a margin of "
    "error of about {pct} percent.",
    "Graduate students from three universities took part in the fieldwork, which began in "
    "{year}.",
    "The authors say they plan to release their software so that other groups can check and "
    "extend the analysis.",
    "Several earlier studies had hinted at the pattern but lacked the long-term records needed to "
    "confirm it.",
    "Instruments installed near {place} recorded conditions every ten minutes, producing an "
    "unusually detailed picture.",
    "In a presentation to colleagues, {official_title} {OFFICIAL} cautioned that “one good season "
    "does not make a trend”.",
)

QUOTES: tuple[str, ...] = (
    "It is one of those results that raises more questions than it answers",
    "We were honestly surprised by how clear the signal was",
    "Good data take time, and this dataset took almost a decade to build",
    "This is an encouraging result, but it is a first step",
    "The next few years of measurements will tell us whether this holds",
    "Nobody expected the effect to be this large",
    "It is a careful piece of work, and the authors are appropriately cautious",
    "We need replication before anyone draws policy conclusions",
)

EXPERTS: tuple[tuple[str, str], ...] = (
    ("Samuel Nwosu", "an ecologist at the University of Lagos"),
    ("Clara Hoffmann", "a climate scientist in Potsdam"),
    ("Mateo Rossi", "a geneticist who was not involved in the study"),
    ("Yuki Sato", "a planetary scientist at Tohoku University"),
    ("Fiona MacLeod", "a marine biologist at the University of Aberdeen"),
    ("Arjun Mehta", "a statistician at Imperial College London"),
    ("Lena Varga", "a researcher in Budapest"),
    ("Owen Price", "an independent epidemiologist"),
)
