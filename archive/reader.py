"""Reading archived HTTP responses back out of WARC files, ours or anyone's: the public names.

The reader is split as warcio's is: archive/gzip_members.py (the gzip-member stream),
archive/records.py (the record reader), archive/archived_response.py (a record as a
response, and the one record at an offset), archive/revisit_resolver.py (revisits read
as their originals), archive/warc_files.py (finding WARC files) and
archive/response_iterator.py (the walk over files that joins them).
"""
from __future__ import annotations

from archive.archived_response import ArchivedResponse, read_record_at
from archive.response_iterator import TRUNCATED, ReadReport, iter_responses
from archive.warc_files import ARC_SUFFIXES, WARC_SUFFIXES, find_warc_files

__all__ = [
    "ARC_SUFFIXES",
    "TRUNCATED",
    "WARC_SUFFIXES",
    "ArchivedResponse",
    "ReadReport",
    "find_warc_files",
    "iter_responses",
    "read_record_at",
]
