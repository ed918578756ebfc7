"""`make bench`, export part: `newsarchive export` of generated collections next to the naive merge.

    .venv/bin/python bench/export_bench.py [--items 1000,10000,50000] [--json PATH]

Each collection holds N articles over three runs (the later runs refetch a fifth of them as new
versions), items of ~5 KB of text like a crawl's. For each size it measures, as child processes
with their whole tree (measure.py):
  naive    one process, every item parsed into a dict keyed by URL (what export did before)
  one      `newsarchive export --workers 0`: the two-pass merge, in one process
  export   `newsarchive export` with its defaults (one parsing process per core)
and checks that all three write the same lines.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

from measure import run_measured

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from archive.collection import Collection  # noqa: E402

NAIVE = """
import json, sys
from archive.collection import Collection, iter_items
latest = {}
for _path, _line, item in iter_items(Collection.open(sys.argv[1], "bench").item_files()):
    latest[item["url"]] = item
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for item in latest.values():
        out.write(json.dumps(item, ensure_ascii=False) + "\\n")
"""

WORDS = ("council ferry minister report island harbour winter storm election budget school weather "
         "police court market river bridge station hospital museum festival season players coach "
         "league record million percent residents officials spokesperson statement").split()


def article(rng: random.Random, n: int, version: int, run_id: str) -> dict[str, object]:
    text = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 110)))
                       for _ in range(rng.randint(5, 9)))
    return {
        "url": "https://news.example.org/2024/%02d/story-%d" % (n % 12 + 1, n),
        "title": "Story %d, version %d" % (n, version),
        "authors": ["Reporter %d" % (n % 37)],
        "published": "2024-%02d-%02dT%02d:00:00+00:00" % (n % 12 + 1, n % 28 + 1, n % 24),
        "modified": None, "language": "en", "site_name": "Example News",
        "description": text[:160], "tags": ["news"], "image": None,
        "text": text, "word_count": len(text.split()),
        "content_hash": "sha256:%064x" % rng.getrandbits(256), "simhash": "%016x" % rng.getrandbits(64),
        "version": version, "fetched_at": "2024-12-01T00:00:00Z", "run": run_id,
        "warc": {"filename": "x.warc.gz", "offset": n * 1000, "length": 999, "record_id": "<urn:uuid:%d>" % n},
    }


def make_collection(root: Path, items: int) -> int:
    """N articles over three runs; returns the bytes of item files written."""
    rng = random.Random(items)
    collection = Collection.create(str(root), "bench")
    plan = [("20240101T000000000000Z", range(items // 2), 1),
            ("20240201T000000000000Z", range(items // 2, items), 1),
            ("20240301T000000000000Z", range(0, items, 5), 2)]
    size = 0
    for run_id, numbers, version in plan:
        path = Path(collection.items_path(run_id))
        with open(path, "w", encoding="utf-8") as fh:
            for n in numbers:
                fh.write(json.dumps(article(rng, n, version, run_id), ensure_ascii=False) + "\n")
        size += path.stat().st_size
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", default="1000,10000,50000", help="comma-separated collection sizes")
    parser.add_argument("--json", type=Path, default=HERE / "last-export.json", help="where the JSON goes")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.items.split(",") if s]
    work = Path(tempfile.mkdtemp(prefix="newsarchive-export-bench-"))
    results: dict[str, dict[str, object]] = {}
    ok = True
    try:
        print("%-8s %-7s %10s %8s %8s %10s %10s" % ("items", "run", "MB in", "wall s", "CPU s", "items/s",
                                                   "peak RSS MB"))
        for size in sizes:
            root = work / str(size)
            mb_in = make_collection(root, size) / 1e6
            outputs = {}
            for name in ("naive", "one", "export"):
                out = work / ("%d-%s.jsonl" % (size, name))
                if name == "naive":
                    cmd = [sys.executable, "-c", NAIVE, str(root), str(out)]
                else:
                    cmd = [sys.executable, "-m", "crawler", "export", "bench", "--root", str(root), "-o", str(out)]
                    cmd += ["--workers", "0"] if name == "one" else []
                m = run_measured(cmd, cwd=str(ROOT))
                ok = ok and m.returncode == 0
                outputs[name] = out.read_bytes() if out.exists() else b""
                lines = outputs[name].count(b"\n")
                results["%s-%d" % (name, size)] = {
                    "items": size, "lines_out": lines, "mb_in": round(mb_in, 1), "wall_s": round(m.wall_s, 2),
                    "cpu_s": round(m.cpu_s, 2), "peak_rss_mb": round(m.peak_rss_mb, 1),
                    "peak_pss_mb": round(m.peak_pss_mb, 1), "returncode": m.returncode}
                print("%-8d %-7s %10.1f %8.2f %8.2f %10.0f %10.1f" % (
                    size, name, mb_in, m.wall_s, m.cpu_s, size / m.wall_s, m.peak_rss_mb), flush=True)
                out.unlink(missing_ok=True)
            same = len(set(outputs.values())) == 1 and outputs["naive"].count(b"\n") == size
            results["same-output-%d" % size] = {"same": same}
            ok = ok and same
            print("%-8d all three wrote the same %d lines: %s" % (size, size, "yes" if same else "NO"))
            shutil.rmtree(root, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for size in sizes:
        naive, one, export = (results["%s-%d" % (n, size)] for n in ("naive", "one", "export"))
        print("%d items: export %.2fx the naive merge's speed, %.2fx the one-process export's; peak RSS %.0f MB"
              " (naive %.0f MB)" % (size, float(naive["wall_s"]) / float(export["wall_s"]),  # type: ignore[arg-type]
                                    float(one["wall_s"]) / float(export["wall_s"]),  # type: ignore[arg-type]
                                    export["peak_rss_mb"], naive["peak_rss_mb"]))
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
