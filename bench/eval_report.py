"""The `make eval` figures from saved predictions, with authors also on person-named pages; before/after.

    .venv/bin/python bench/eval_report.py PREDS_DIR [--before DIR] [--misses] [--system NAME ...]

With --before, also the pages that got worse or better (our system): page body F1 moved by
more than 0.005, or the title, author set or date turned right or wrong.

PREDS_DIR holds `<set>.jsonl` files (extract_eval.py --save-predictions; bench/eval.sh writes
them). Every figure is computed with extract_eval.py's own scoring functions:
  body F1 / P / R   the benchmark's shingle metric, per set
  title             title_norm (title_sfx, which forgives a " | Site" suffix, beside it)
  authors all       author_norm over every page whose ground truth has authors
  authors persons   author_norm over the pages whose ground truth names a person (bench/eval_people.py)
  date              date accuracy
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_data import SETS, SYSTEM, Page, load_predictions, load_set, scorer, systems_in
from eval_misses import misses_for_dir, print_misses
from eval_people import person_authors

COLUMNS = [("f1", "body F1"), ("precision", "P"), ("recall", "R"), ("title_norm", "title"),
           ("title_sfx", "title+sfx"), ("author_norm", "authors all"), ("author_persons", "authors persons"),
           ("date", "date")]


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def score_set(pages: list[Page], preds: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The set's figures for one system; `<key>_n` is the number of pages a metadata figure is over."""
    tool = scorer()
    pages = [p for p in pages if p.id in preds]  # a --limit run predicts only the first pages
    tool_pages = [SimpleNamespace(id=p.id, gt=p.gt, group=p.gt.get("group")) for p in pages]
    rows = tool.score_pages(tool_pages, {k: tool.normalize_prediction(v) for k, v in preds.items()}, "include")
    m: dict[str, Any] = tool.aggregate(rows, 0, 0)
    by_id = {r["id"]: r for r in rows}
    # the scorer's own author verdict, on the pages whose ground truth names a person
    persons = [by_id[p.id]["author_norm"] for p in pages if tool.gt_authors(p.gt) and person_authors(p.gt, p.html)]
    m["author_persons"], m["author_persons_n"] = _mean(persons), len(persons)
    return m


def score_dir(preds_dir: Path, systems: list[str] | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """set -> system -> figures, for the sets whose predictions the directory holds."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for name in SETS:
        path = preds_dir / f"{name}.jsonl"
        if not path.exists():
            continue
        pages = load_set(name)
        for system in systems or systems_in(path):
            preds = load_predictions(path, system)
            if preds:
                out.setdefault(name, {})[system] = score_set(pages, preds)
    return out


def _fmt(m: dict[str, Any], key: str) -> str:
    v = m.get(key)
    return "-" if v is None else f"{v:.3f}"


def print_scores(after: dict[str, Any], before: dict[str, Any] | None = None) -> None:
    """One row per set and system; with `before`, a before row, an after row and the change."""
    head = f"{'set':<11} {'system':<26} " + " ".join(f"{label:>{max(7, len(label))}}" for _, label in COLUMNS)
    print(head)
    print("-" * len(head))
    for name, systems in after.items():
        for system, m in systems.items():
            old = (before or {}).get(name, {}).get(system)
            rows = [("before", old), ("after", m)] if old else [("", m)]
            for label, fig in rows:
                cells = " ".join(f"{_fmt(fig, k):>{max(7, len(c))}}" for k, c in COLUMNS)
                print(f"{name:<11} {(system + ' ' + label).strip():<26} {cells}")
            if old:
                diff, lower = [], []
                for k, c in COLUMNS:
                    a, b = m.get(k), old.get(k)
                    diff.append(f"{'-' if a is None or b is None else f'{a - b:+.4f}':>{max(7, len(c))}}")
                    if a is not None and b is not None and a < b - 1e-9:
                        lower.append(f"{c} {b:.4f} -> {a:.4f}")
                print(f"{name:<11} {'change':<26} {' '.join(diff)}")
                if lower:
                    print(f"{name:<11} LOWER: {'; '.join(lower)}")
        m0 = next(iter(systems.values()))
        if m0.get("author_norm_n"):
            print(f"{'':<11} (pages: body {m0['n']}, title {m0['title_norm_n']}, authors {m0['author_norm_n']}, "
                  f"person-named {m0['author_persons_n']}, date {m0['date_n']})")


def page_rows(preds_dir: Path, name: str) -> dict[str, dict[str, Any]]:
    """The scorer's per-page rows for our system on one set, by page id (empty without predictions)."""
    path = preds_dir / f"{name}.jsonl"
    if not path.exists():
        return {}
    tool = scorer()
    preds = load_predictions(path)
    pages = [SimpleNamespace(id=p.id, gt=p.gt, group=p.gt.get("group")) for p in load_set(name) if p.id in preds]
    rows = tool.score_pages(pages, {k: tool.normalize_prediction(v) for k, v in preds.items()}, "include")
    return {r["id"]: r for r in rows}


def print_page_changes(after_dir: Path, before_dir: Path, body_step: float = 0.005) -> None:
    """The pages that got worse or better: body page F1 by more than `body_step`, a title, author set or date."""
    tool = scorer()
    for name in SETS:
        old, new = page_rows(before_dir, name), page_rows(after_dir, name)
        worse: list[str] = []
        better: list[str] = []
        for pid in sorted(old.keys() & new.keys()):
            a, b = old[pid], new[pid]
            step = tool.page_f1(b["tp_fp_fn"]) - tool.page_f1(a["tp_fp_fn"])
            if abs(step) > body_step:
                (worse if step < 0 else better).append(f"{pid} body {step:+.3f}")
            for key in ("title_norm", "author_norm", "date"):
                if key in a and a[key] != b[key]:
                    (worse if b[key] < a[key] else better).append(f"{pid} {key.split('_')[0]}")
        print(f"\n== pages that changed: {name}: {len(worse)} worse, {len(better)} better")
        for label, items in (("worse", worse), ("better", better)):
            for item in items:
                print(f"  {label:<6} {item}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("preds_dir", type=Path, help="directory with <set>.jsonl prediction files")
    ap.add_argument("--before", type=Path, help="predictions of the same sets before a change")
    ap.add_argument("--system", action="append", help=f"only this system (default: all in the files; ours is "
                                                       f"{SYSTEM!r})")
    ap.add_argument("--misses", action="store_true", help="also count our misses by class (bench/eval_misses.py)")
    ap.add_argument("--examples", type=int, default=3, help="example page ids per miss class")
    args = ap.parse_args(argv)
    if not args.preds_dir.is_dir():
        print(f"error: {args.preds_dir} is not a directory of <set>.jsonl predictions", file=sys.stderr)
        return 2
    before = score_dir(args.before, args.system) if args.before else None
    print_scores(score_dir(args.preds_dir, args.system), before)
    if args.before:
        print_page_changes(args.preds_dir, args.before)
    if args.misses:
        misses_after = misses_for_dir(args.preds_dir, SETS)
        misses_before = misses_for_dir(args.before, SETS) if args.before else None
        print_misses(misses_after, misses_before, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
