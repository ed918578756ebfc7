"""newsarchive's ground floor: the collection on disk (WARC, items, state). No Scrapy here."""
from __future__ import annotations

from archive.collection import Collection
from archive.exceptions import ArchiveError, CollectionError, StoreError, WarcFormatError
from archive.reader import ArchivedResponse, iter_responses
from archive.revisit_policy import DedupingWriter
from archive.store import Store
from archive.warc import HttpExchange, RecordLocation, WarcWriter

__all__ = [
    "ArchiveError",
    "ArchivedResponse",
    "Collection",
    "CollectionError",
    "DedupingWriter",
    "HttpExchange",
    "RecordLocation",
    "Store",
    "StoreError",
    "WarcFormatError",
    "WarcWriter",
    "iter_responses",
]
