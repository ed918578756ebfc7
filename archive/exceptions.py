"""The one exception hierarchy of the archive library."""
from __future__ import annotations


class ArchiveError(Exception):
    """Base class of every error this library raises."""


class CollectionError(ArchiveError):
    """A collection is missing, malformed or cannot be created."""


class WarcFormatError(ArchiveError):
    """A WARC file is corrupt or truncated at a known place."""

    def __init__(self, filename: str, offset: int, problem: str) -> None:
        super().__init__(f"{filename} at offset {offset}: {problem}")
        self.filename = filename
        self.offset = offset
        self.problem = problem


class StoreError(ArchiveError):
    """The collection's SQLite store is unusable."""
