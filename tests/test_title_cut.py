"""A title cut short is completed from a source that has it whole; a real title is left alone."""
from __future__ import annotations

from pipelines.title_cut import whole_title

WHOLE = "Chelsea send clear message of intent on proud day at Cobham in battling win over Tottenham"
CAPPED = "Chelsea send clear message of intent on proud day at Cobham"


def test_capped_by_length_when_two_sources_agree_on_the_whole() -> None:
    assert whole_title(CAPPED, [WHOLE, WHOLE]) == WHOLE
    assert whole_title(CAPPED, [WHOLE]) == CAPPED  # one <h1> may carry extras of its own


def test_cut_at_an_embedded_quote_or_marked_with_an_ellipsis() -> None:
    assert whole_title("Minister tells parliament ", ['Minister tells parliament "no deal is off the table"']) == (
        'Minister tells parliament "no deal is off the table"')
    assert whole_title("Harbour council approves new ferry…", ["Harbour council approves new ferry link"]) == (
        "Harbour council approves new ferry link")


def test_titles_that_were_not_cut() -> None:
    assert whole_title("Ferry link approved by the council", ["Ferry link approved by the councillors"] * 2) == (
        "Ferry link approved by the council")  # a word that only starts alike
    assert whole_title("Ferries: Link", ["Ferries: Link approved today"] * 2) == "Ferries: Link"  # 3 words min
    assert whole_title(WHOLE, [CAPPED, CAPPED]) == WHOLE
    # the others still carry a section or site name: that is no part of the headline
    for affix in (" | Sport", " - The Daily Example", " – Latest news"):
        assert whole_title(CAPPED, [CAPPED + affix] * 2) == CAPPED
