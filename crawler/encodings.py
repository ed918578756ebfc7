"""The Accept-Encoding the crawl sends: only codings this installation can really decode.

Scrapy offers `br` as soon as a module named `brotli` imports; pywb's dependency brotlipy
provides one with an older API that cannot decode, and a server that takes the offer then
gives us pages we can archive but not read.
"""
from __future__ import annotations


def brotli_works() -> bool:
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError:
            return False
    return hasattr(brotli, "Decompressor") and hasattr(brotli.Decompressor(), "process")


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
