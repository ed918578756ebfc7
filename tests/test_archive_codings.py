"""archive/codings.py: stored bodies decoded, never past the crawl's size bound (decompression bombs)."""
from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.codings import MAX_DECODED, DecodedTooBig, _brotli_module, decode_payload, undo_coding
from archive.exceptions import ArchiveError
from archive.reader import iter_responses
from crawler.cli import main
from pipelines.workers import default_workers

MiB = 1 << 20
PAGE = b"<html><body>" + b"<p>An article that is long enough to be one, or nearly.</p>" * 40 + b"</body></html>"


def zeros_deflated(size: int, wbits: int) -> bytes:
    """`size` zero bytes compressed, made a MiB at a time (the test never holds them all)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    parts = [packer.compress(bytes(MiB)) for _ in range(size // MiB)]
    return b"".join(parts) + packer.flush()


def zeros_brotli(size: int) -> bytes:
    module = _brotli_module()
    if module is None:
        pytest.skip("no brotli module that bounds its output (Brotli >= 1.2) is installed")
    packer = module.Compressor(quality=1)
    parts = [packer.process(bytes(MiB)) for _ in range(size // MiB)]
    return b"".join(parts) + packer.finish()


def zeros_zstd(size: int) -> bytes:
    zstd = pytest.importorskip("backports.zstd")
    packer = zstd.ZstdCompressor()
    parts = [packer.compress(bytes(MiB)) for _ in range(size // MiB)]
    return b"".join(parts) + packer.flush()


def gzip_gzip_bomb(size: int) -> bytes:
    """`Content-Encoding: gzip, gzip` of `size` zeros: a few KB for hundreds of MB."""
    return gzip.compress(zeros_deflated(size, 31), mtime=0)


BOMBS = {  # codings as the header lists them, and a body that decodes to 256 MiB
    "gzip": (("gzip",), lambda: zeros_deflated(256 * MiB, 31)),
    "deflate": (("deflate",), lambda: zeros_deflated(256 * MiB, 15)),
    "raw-deflate": (("deflate",), lambda: zeros_deflated(256 * MiB, -15)),
    "gzip, gzip": (("gzip", "gzip"), lambda: gzip_gzip_bomb(256 * MiB)),
    "br": (("br",), lambda: zeros_brotli(256 * MiB)),
    "zstd": (("zstd",), lambda: zeros_zstd(256 * MiB)),
}


def test_the_bound_is_the_crawls_download_maxsize() -> None:
    from crawler import settings
    assert MAX_DECODED == settings.DOWNLOAD_MAXSIZE == 32 * MiB


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_bomb_stops_at_the_bound_without_holding_more(name: str) -> None:
    codings, make = BOMBS[name]
    bomb = make()
    assert len(bomb) < MiB
    tracemalloc.start()
    try:
        with pytest.raises(DecodedTooBig) as caught:
            decode_payload(bomb, codings, "bomb.warc.gz at offset 7", limit=MiB)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MiB  # the bound, one step of the decoder, and the joining of the steps
    assert isinstance(caught.value, ArchiveError)
    assert str(caught.value) == "bomb.warc.gz at offset 7: body decodes to more than 1048576 bytes (%s)" % codings[0]


@pytest.mark.parametrize("name", list(BOMBS))
def test_a_body_up_to_the_bound_decodes_whole(name: str) -> None:
    codings, _make = BOMBS[name]
    coded = PAGE
    for coding in codings:
        coded = _encode(coding if name != "raw-deflate" else "raw-deflate", coded)
    assert decode_payload(coded, codings, limit=len(PAGE)) == PAGE
    with pytest.raises(DecodedTooBig):
        decode_payload(coded, codings, limit=len(PAGE) - 1)
    assert decode_payload(coded, codings, limit=0) == PAGE  # 0: no bound, as DOWNLOAD_MAXSIZE 0


def _encode(coding: str, data: bytes) -> bytes:
    if coding == "gzip":
        return gzip.compress(data, mtime=0)
    if coding in ("deflate", "raw-deflate"):
        packer = zlib.compressobj(6, zlib.DEFLATED, 15 if coding == "deflate" else -15)
        return packer.compress(data) + packer.flush()
    if coding == "br":
        module = _brotli_module()
        if module is None:
            pytest.skip("no brotli module that bounds its output is installed")
        packer = module.Compressor()
        return bytes(packer.process(data) + packer.finish())
    zstd = pytest.importorskip("backports.zstd")
    return bytes(zstd.compress(data))


def test_several_gzip_members_and_zstd_frames_decode_one_after_the_other() -> None:
    assert undo_coding("gzip", gzip.compress(b"one ", mtime=0) + gzip.compress(b"two", mtime=0)) == b"one two"
    zstd = pytest.importorskip("backports.zstd")
    assert undo_coding("zstd", zstd.compress(b"one ") + zstd.compress(b"two")) == b"one two"


@pytest.mark.parametrize("coding, cut", [("gzip", gzip.compress(PAGE)[:-30]), ("deflate", b"\x78\x9c\x01\x02"),
                                         ("br", b"\x1b\xff\xff\x00"), ("zstd", b"\x28\xb5\x2f\xfd\x00")])
def test_a_cut_or_broken_stream_is_used_as_stored_with_a_warning(
    coding: str, cut: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    assert decode_payload(cut, (coding,), "x.warc at offset 3") == cut
    assert "x.warc at offset 3: cannot decode body (%s" % coding in caplog.text


# -- through replay: the bomb a hostile site sent, archived as received -----------------------------
def write_bomb_warc(path: Path, bombs: dict[str, tuple[tuple[str, ...], bytes]]) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, (codings, body) in bombs.items():
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"),
                                               ("Content-Encoding", ", ".join(codings))], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http))
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://bombs.example/fine", "response", payload=io.BytesIO(PAGE), length=len(PAGE), http_headers=http))


def test_replay_counts_bombs_and_names_them(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bombs.warc.gz"
    bombs = {"http://bombs.example/gzip-gzip": (("gzip", "gzip"), gzip_gzip_bomb(2048 * MiB))}
    assert len(bombs["http://bombs.example/gzip-gzip"][1]) < 8 * 1024  # the issue's: 1.8 KB for 2 GiB
    bombs["http://bombs.example/gzip-gzip-again"] = bombs["http://bombs.example/gzip-gzip"]
    if _brotli_module() is not None:
        bombs["http://bombs.example/br"] = (("br",), zeros_brotli(64 * MiB))
    write_bomb_warc(path, bombs)
    assert [r.url for r in iter_responses([str(path)])] == [*bombs, "http://bombs.example/fine"]  # read, not decoded

    code = main(["replay", str(path), "--root", str(tmp_path), "--collection", "bombs"])

    _out, err = capfd.readouterr()  # (the workers' stderr too)
    assert code == 0, err
    (report,) = [json.loads(p.read_text()) for p in (tmp_path / "bombs" / "runs").glob("*.json")]
    stats = report["stats"]
    assert stats["extract/skipped/decoded-too-big"] == len(bombs)
    # named (by the worker that met it first: the pool's workers do not share a flag), then counted
    named = [line for line in err.splitlines() if "decodes to more than 33554432 bytes" in line]
    assert 1 <= len(named) <= default_workers() and "extract/skipped/decoded-too-big" in named[0]
    assert "Traceback" not in err
