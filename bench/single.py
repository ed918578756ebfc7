"""Replay's baseline: plain trafilatura in one process over the HTML responses of WARC files.

    .venv/bin/python bench/single.py WARC_OR_DIR...

Reads the records with warcio (content-decoded), decodes each 200 HTML body with its header's
charset (UTF-8 otherwise) and runs trafilatura.bare_extraction with metadata on it, as the
naive spider does. Prints the counts as one JSON line on stdout.
"""
from __future__ import annotations

import argparse
import codecs
import json
import re
import sys
import time
from pathlib import Path

import trafilatura
from warcio.archiveiterator import ArchiveIterator

_CHARSET_RE = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def warc_files(sources: list[Path]) -> list[Path]:
    files: list[Path] = []
    for source in sources:
        files += sorted(source.glob("*.warc.gz")) if source.is_dir() else [source]
    return files


def charset_of(content_type: str) -> str:
    match = _CHARSET_RE.search(content_type)
    if match:
        try:
            return codecs.lookup(match.group(1)).name
        except LookupError:
            pass
    return "utf-8"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="+", type=Path)
    args = parser.parse_args(argv)
    start = time.monotonic()
    pages = extracted = 0
    for path in warc_files(args.sources):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                content_type = record.http_headers.get_header("Content-Type") or ""
                if record.http_headers.get_statuscode() != "200" or "html" not in content_type:
                    continue
                html = record.content_stream().read().decode(charset_of(content_type), "replace")
                url = record.rec_headers.get_header("WARC-Target-URI")
                pages += 1
                document = trafilatura.bare_extraction(html, url=url, include_comments=False,
                                                       with_metadata=True)
                extracted += document is not None
    print(json.dumps({"pages": pages, "extracted": extracted, "elapsed_s": time.monotonic() - start}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
