"""CPU per page of an extraction worker against plain trafilatura on the evaluation pages.

    .venv/bin/python bench/speed.py [/work/shared/eval/zyte-aeb ...] [--repeat N]

Ours is what a worker does per page (`extract_and_hash`: extraction, content hash, SimHash)
after the warm-up its forkserver does once. Systems run interleaved page by page, so that load
from other processes hits them alike; CPU time, not wall time.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura
from trafilatura.settings import Extractor

from pipelines.workers import extract_and_hash, warm_extractor


def load(dirs: list[Path]) -> list[tuple[str, bytes]]:
    pages = []
    for d in dirs:
        for path in sorted((d / "pages").glob("*.html.gz")):
            pages.append((path.name, gzip.decompress(path.read_bytes())))
    return pages


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dirs", nargs="*", type=Path,
                    default=[Path("/work/shared/eval/zyte-aeb"), Path("/work/shared/eval/fundus-dev")])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    pages = load(args.dirs)
    ours = warm_extractor()
    plain = Extractor(output_format="python", comments=False, with_metadata=True)
    bare = Extractor(output_format="python", comments=False)
    systems = {
        "trafilatura bare_extraction(with_metadata)": lambda html: trafilatura.bare_extraction(
            html.decode("utf-8", "replace"), options=plain),
        "trafilatura bare_extraction(text only)": lambda html: trafilatura.bare_extraction(
            html.decode("utf-8", "replace"), options=bare),
        "newsarchive worker (extract_and_hash)": lambda html: extract_and_hash(
            ours, html, "https://example.com/a/b-c-d-e", None),
    }
    for fn in systems.values():  # warm-up: trafilatura's first-use loading
        fn(pages[0][1])
    # interleaved page by page, so that load from other processes hits every system alike
    results = dict.fromkeys(systems, 0.0)
    for _ in range(args.repeat):
        for _, html in pages:
            for name, fn in systems.items():
                start = time.process_time()
                fn(html)
                results[name] += time.process_time() - start
    n = len(pages) * args.repeat
    for name, cpu in results.items():
        print(f"{name:<45} {n / cpu:6.1f} pages/s  {1000 * cpu / n:6.1f} ms CPU/page")
    with_md, text_only, ours_cpu = results.values()
    print(f"ratio ours / bare_extraction(with_metadata): {ours_cpu / with_md:.2f}")
    print(f"ratio ours / bare_extraction(text only):     {ours_cpu / text_only:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
