"""Count the extraction misses of saved predictions by failure class (issue 16's classes, and a few more).

    .venv/bin/python bench/eval_misses.py PREDS_DIR [--set zyte-aeb] [--examples 3] [--json OUT]

PREDS_DIR holds `<set>.jsonl` files written by extract_eval.py --save-predictions (bench/eval.sh
--out DIR writes them). Heuristics, since this is a measuring tool; how each class is detected:

authors (pages whose ground truth has authors and whose author set is wrong), first match wins:
  publisher-only ground truth   the ground truth names no person (bench/eval_people.py's rule)
  list-type Person dropped      a missing name is a JSON-LD author whose @type is a list holding "Person"
  affiliation tail              a right name is followed, in the predicted string, by ", <more>" that
                                became extra names, or a predicted name is a right name plus more words
  editor credit                 an extra name follows an editor label (Editor, Redaktion:, bearbeitet...)
                                in the page's text
  follow widget                 an extra name sits beside a follow word (Folgen, Follow, Suivre...)
  account name                  an extra name is the site's own name plus more ("Site D")
  publisher-only metadata, byline visible
                                no predicted person, and a missing person's name is in the page's text
  person not in page text       no predicted person, and the missing names are not in the text either
  agency/publisher beside persons in ground truth
                                every person is found; the ground truth adds a non-person
  names missing / extra names / other
body (pages with page F1 below --body-threshold):
  missing                       empty text; "missing: body only in JSON" when the ground truth's
                                4-word shingles are mostly (>50%) in <script> data and rarely (<30%)
                                in the page's visible text
  live blog                     the page declares LiveBlogPosting
  low recall (split containers?) recall below precision; "low recall: body only in JSON" as above
  low precision: <kind>         precision below recall; <kind> is the kind holding most extra words among
                                predicted lines whose shingles are mostly not in the ground truth:
                                first line (title/dek) not in truth, related/read-also (line opens with
                                read-also words), captions/credits (photo/credit words, ©), appeals
                                (newsletter, donate, subscribe, share), short lines (< 10 words:
                                headings, teasers, labels), boxes/other (longer lines)
title (fundus-dev: pages with a headline whose normalised title differs):
  site suffix left              the prediction is the headline plus a separator and a suffix (the
                                scorer's title_sfx), or a prefix and a separator before it
  ground truth keeps a suffix   the headline is the prediction plus a separator and a suffix
  kicker or section left before it
                                the headline's tokens end the prediction's ("Kicker: Headline")
  cut short                     the prediction's tokens are a strict prefix of the headline's or the <h1>'s
  og:title vs headline choice   the headline equals the page's og:title, JSON-LD headline, <h1> or <title>
                                (give or take a " | Site" suffix) and the prediction equals another of
                                them (not a target, issue 16)
title flags (every page, no ground truth needed):
  flag: site name left          a part before the first or after the last separator is the site's name
  flag: cut short vs <h1> or headline
                                the prediction's tokens are a strict prefix of the <h1>'s or the JSON-LD
                                headline's, and that one is not just the prediction plus " | Site"
charset (every page): mojibake    UTF-8 read as a single-byte charset in text/title/author (Ã©, â€™...)
                      replacement characters   U+FFFD in the prediction
date (pages with a ground-truth date, wrong): missing / a day off (time zone) / modified date
  (the predicted day appears in the page only beside a "modified"/"updated" key) / other
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_classes import (
    BODY_THRESHOLD,
    classify_author,
    classify_body,
    classify_charset,
    classify_date,
    classify_title,
    title_flags,
)
from eval_data import SETS, Page, load_predictions, load_set

__all__ = ["BODY_THRESHOLD", "classify_author", "classify_body", "classify_charset", "classify_date",
           "classify_title", "count_misses", "misses_for_dir", "print_misses", "title_flags"]


def count_misses(pages: list[Page], preds: dict[str, dict[str, Any]],
                 threshold: float = BODY_THRESHOLD) -> dict[str, dict[str, list[str]]]:
    """field -> class -> page ids, for one set."""
    out: dict[str, dict[str, list[str]]] = {}

    def add(field: str, kind: str | None, pid: str) -> None:
        if kind:
            out.setdefault(field, {}).setdefault(kind, []).append(pid)

    for page in (p for p in pages if p.id in preds):  # a --limit run predicts only the first pages
        pred = preds[page.id]
        add("authors", classify_author(page, pred), page.id)
        add("body", classify_body(page, pred, threshold), page.id)
        add("title", classify_title(page, pred), page.id)
        for flag in title_flags(page, pred):
            add("title", flag, page.id)
        add("charset", classify_charset(pred), page.id)
        add("date", classify_date(page, pred), page.id)
    return out


def misses_for_dir(preds_dir: Path, sets: Iterable[str], threshold: float = BODY_THRESHOLD,
                   ) -> dict[str, dict[str, dict[str, list[str]]]]:
    """set -> field -> class -> page ids, for the sets whose predictions the directory holds."""
    result = {}
    for name in sets:
        path = preds_dir / f"{name}.jsonl"
        if path.exists():
            result[name] = count_misses(load_set(name), load_predictions(path), threshold)
        else:
            print(f"warning: no predictions for {name} in {preds_dir}", file=sys.stderr)
    return result


def print_misses(after: dict[str, Any], before: dict[str, Any] | None = None, examples: int = 3) -> None:
    """One table per set: field, class, count (before -> after when given), example page ids."""
    for name, fields in after.items():
        old = (before or {}).get(name, {})
        print(f"\n== miss classes: {name}")
        keys = sorted({(f, k) for f, ks in fields.items() for k in ks} | {(f, k) for f, ks in old.items() for k in ks})
        for field, kind in keys:
            now = fields.get(field, {}).get(kind, [])
            was = old.get(field, {}).get(kind, [])
            count = f"{len(was):>3} -> {len(now):<3}" if before is not None else f"{len(now):>3}"
            print(f"{field:<8} {kind:<52} {count} {' '.join(now[:examples])}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("preds_dir", type=Path, help="directory with <set>.jsonl prediction files")
    ap.add_argument("--before", type=Path, help="a second directory: counts before -> after")
    ap.add_argument("--set", action="append", choices=sorted(SETS), help="only this set (repeatable)")
    ap.add_argument("--body-threshold", type=float, default=BODY_THRESHOLD, help="page F1 below this is a miss")
    ap.add_argument("--examples", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write set -> field -> class -> ids as JSON")
    args = ap.parse_args(argv)
    sets = args.set or list(SETS)
    after = misses_for_dir(args.preds_dir, sets, args.body_threshold)
    before = misses_for_dir(args.before, sets, args.body_threshold) if args.before else None
    print_misses(after, before, args.examples)
    if args.json:
        args.json.write_text(json.dumps({"after": after, "before": before}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
