"""The request meta keys that mark a page requisite (crawler/requisites.py asks for them).

A module of their own: the downloader's middlewares (capture, resume skip) read them without
importing the spider middleware and its settings, which would make an import cycle."""
from __future__ import annotations

from scrapy import Request

REQUISITE_META_KEY = "requisite"  # embed hops from the page (>= 1)
KIND_META_KEY = "requisite_kind"  # what the document asked it as (crawler/requisite_scan.py kinds)
TOO_BIG_META_KEY = "requisite_too_big"  # set by the capture middleware: counted in too_big, not failed


def is_requisite(request: Request | None) -> bool:
    return request is not None and bool(request.meta.get(REQUISITE_META_KEY))
