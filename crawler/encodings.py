"""The Accept-Encoding the crawl sends: only codings this installation can really decode.

Scrapy offers `br` as soon as a module named `brotli` imports; pywb's dependency brotlipy
provides one with an older API that cannot decode, and a server that takes the offer would then
give us pages we can archive but not read: `br` is offered only when archive/codings.py (which
our DecompressionMiddleware decodes with) has a decoder.
"""
from __future__ import annotations


def brotli_works() -> bool:
    """A brotli decoder we can bound is there (archive/codings.py finds Google's even where
    brotlipy has taken the name)."""
    from archive.codings import _brotli_module

    return _brotli_module() is not None


def zstd_works() -> bool:
    try:
        from compression import zstd
    except ImportError:
        try:
            from backports import zstd  # noqa: F401
        except ImportError:
            return False
    return True


def accept_encoding() -> str:
    codings = ["gzip", "deflate"]
    if brotli_works():
        codings.append("br")
    if zstd_works():
        codings.append("zstd")
    return ", ".join(codings)
