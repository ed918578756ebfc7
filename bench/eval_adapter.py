"""Adapter for /work/shared/tools/extract_eval.py: ``--callable bench/eval_adapter.py:extract``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.extract import ArticleExtractor

_EXTRACTOR = ArticleExtractor()


def extract(html: str, url: str | None) -> dict[str, Any] | None:
    """The article fields as the crawler would store them; None when it would drop the page."""
    result = _EXTRACTOR.extract(html, url or "http://example.com/")
    if result.article is None:
        print(f"dropped {url}: {result.reason}", file=sys.stderr)
    return result.article
