"""`make bench`: throughput and memory of newsarchive against its baselines, on one local site.

    .venv/bin/python bench/run.py [--pages N] [--rounds N] [--memory-pages 1000,10000,50000] [--skip-memory]
                                  [--requisite-pages N] [--only real,memory,requisites] [--quick]

Runs, each as a child process measured with its whole process tree (see measure.py):
  1. bare     plain Scrapy following the listings (the fetch ceiling)
  2. naive    plain Scrapy + warcio WARC + trafilatura in the callback, in the reactor
  3. crawl    `newsarchive crawl` with its defaults
  4. replay   `newsarchive replay` of run 3's WARCs, next to `single`: one process of plain
              trafilatura over the same records
  5. memory   `newsarchive crawl` of sites of tiny generated articles, one size at a time
  6. requisites  `newsarchive crawl` of a site whose pages need stylesheets, fonts, scripts and
              images (bench/requisite_site.py), with page requisites on and, as its baseline,
              off: articles/s, requests and WARC bytes per article, the ratio on/off
Runs 1-3 crawl one site of real article pages (bench/site.py), served by its own process.
Run 3 crawls with requisites off (-s REQUISITES_ENABLED=False): the pages are copies of real
pages whose images and stylesheets live on their original hosts on the internet, which plain
Scrapy (runs 1-2) never fetches; run 3 must do the same work as they do.
Runs 1-4 and 6 are repeated --rounds times, in alternating order (1 2 3, 3 2 1, ...), and each is
judged by its fastest round: on a shared machine, load from elsewhere only ever slows a run
down, and it varied one run's time by up to 20% here from one minute to the next.
Prints a table and writes it as JSON to bench/last-run.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from measure import Measurement, run_measured
from report import print_report
from requisite_site import INLINE_IMAGES, LEAD_WIDTHS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
RUN_TIMEOUT = 3600.0
GROUPS = ("real", "memory", "requisites")  # runs 1-4, run 5, run 6
# The real-page crawl does what the plain Scrapy baselines do: no requisites (see above).
NO_REQUISITES = ("-s", "REQUISITES_ENABLED=False")


@dataclass
class Result:
    """One measured run, with the pages it counts per second."""

    name: str
    pages: int
    wall_s: float
    cpu_s: float
    sampled_cpu_s: float  # cross-check of cpu_s from /proc samples (a lower bound)
    peak_rss_mb: float
    peak_pss_mb: float
    processes: int
    site_cores: float  # cores the site server kept busy meanwhile
    others_cores: float  # cores kept busy meanwhile by everything else on the machine
    ok: bool
    steady_s: float | None = None  # the tool's own clock: crawl or replay time, without start-up
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_s / self.pages if self.pages else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "pages_per_s": round(self.pages_per_s, 2),
                "cpu_ms_per_page": round(self.cpu_ms_per_page, 2)}


def _result(name: str, m: Measurement, pages: int, steady_s: float | None = None,
            **notes: Any) -> Result:
    site = notes.pop("site_cpu_s", 0.0) / m.wall_s if m.wall_s else 0.0
    return Result(name, pages, m.wall_s, m.cpu_s, m.sampled_cpu_s, m.peak_rss_mb, m.peak_pss_mb,
                  m.max_processes, site, max(0.0, m.others_cores - site), m.returncode == 0 and pages > 0,
                  steady_s, {"peak_rss_mb_by_role": m.peak_rss_by_role, **notes})


class Site:
    """bench/site.py in its own process (its CPU is not the crawler's); stops when stdin closes."""

    def __init__(self, mode: str, pages: int, eval_dir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(HERE / "site.py"), "serve", "--mode", mode, "--pages", str(pages),
             "--eval-dir", str(eval_dir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            raise SystemExit("bench: the %s site did not start (see the message above)" % mode)
        started = json.loads(line)
        self.url: str = started["url"]
        self.cdn: str | None = started.get("cdn")

    def counts(self) -> dict[str, int]:
        """How often the server was asked for each URL since the last call."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("counts\n")
        self.process.stdin.flush()
        return {url: int(n) for url, n in json.loads(self.process.stdout.readline()).items()}

    def cpu_s(self) -> float:
        """CPU seconds the server has used so far."""
        fields = Path("/proc/%d/stat" % self.process.pid).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __enter__(self) -> Site:
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def _run(cmd: list[str], log: Path, timeout: float = RUN_TIMEOUT) -> Measurement:
    print("  $ %s" % " ".join(cmd), flush=True)
    measurement = run_measured(cmd, cwd=str(ROOT), log=log, timeout=timeout)
    print("    %.1f s, %.1f CPU s, peak RSS %.0f MB" % (
        measurement.wall_s, measurement.cpu_s, measurement.peak_rss_mb), flush=True)
    if measurement.returncode != 0:
        tail = "\n".join(measurement.stderr.strip().splitlines()[-15:])
        print("  ! exit %d; the end of %s:\n%s" % (measurement.returncode, log, tail), flush=True)
    return measurement


def _last_json(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    return {}


def _run_report(root: Path, collection: str) -> dict[str, Any]:
    reports = sorted((root / collection / "runs").glob("*.json"))
    return dict(json.loads(reports[-1].read_text("utf-8"))) if reports else {}


def run_spider(kind: str, site: Site, work: Path, concurrency: int) -> Result:
    cmd = [sys.executable, str(HERE / "spiders.py"), kind, site.url, "--concurrency", str(concurrency)]
    if kind == "naive":
        cmd += ["--warc-dir", str(work / "naive-warc")]
    site_before = site.cpu_s()
    m = _run(cmd, work / ("%s.log" % kind))
    out = _last_json(m.stdout)
    return _result(kind, m, int(out.get("responses", 0)), out.get("elapsed_s"),
                   site_cpu_s=site.cpu_s() - site_before,
                   articles=out.get("articles"), extracted=out.get("extracted"))


def run_crawl(name: str, site: Site, root: Path, work: Path, options: tuple[str, ...] = ()) -> Result:
    cmd = [sys.executable, "-m", "crawler", "crawl", site.url, "--root", str(root), "--collection", "bench",
           "--allow-private", *options]
    site_before = site.cpu_s()
    m = _run(cmd, work / ("%s.log" % name))
    report = _run_report(root, "bench")
    stats = report.get("stats", {})
    return _result(name, m, int(report.get("responses", 0)), stats.get("elapsed_time_seconds"),
                   site_cpu_s=site.cpu_s() - site_before,
                   articles=report.get("articles"), duplicates=report.get("duplicates"),
                   not_articles=report.get("not_articles"), errors=report.get("errors"))


def run_requisite_crawl(on: bool, site: Site, root: Path, work: Path) -> Result:
    """One crawl of the requisites site, requisites on or off; per article: requests, WARC bytes."""
    name = "requisites-%s" % ("on" if on else "off")
    site.counts()  # from zero
    cmd = [sys.executable, "-m", "crawler", "crawl", site.url, "--root", str(root), "--collection", "bench",
           "--allow-private", "-s", "REQUISITES_ENABLED=%s" % on]
    site_before = site.cpu_s()
    m = _run(cmd, work / ("%s.log" % name))
    counts = site.counts()
    report = _run_report(root, "bench")
    stats = report.get("stats", {})
    articles = int(report.get("articles", 0))
    shared = {url.rsplit("/", 1)[-1]: n for url, n in counts.items() if _shared_requisite(url)}
    return _result(name, m, articles, stats.get("elapsed_time_seconds"),
                   site_cpu_s=site.cpu_s() - site_before,
                   requests=int(report.get("requests", 0)), responses=int(report.get("responses", 0)),
                   warc_bytes=int(report.get("archive", {}).get("bytes", 0)),
                   warc_records=int(report.get("archive", {}).get("records", 0)),
                   requisites=report.get("requisites"), not_articles=report.get("not_articles"),
                   errors=report.get("errors"), server_requests=sum(counts.values()),
                   server_urls_asked_twice=sorted(url for url, n in counts.items() if n > 1)[:20],
                   shared_requisite_requests=shared, images_per_article=len(LEAD_WIDTHS) + INLINE_IMAGES)


def _shared_requisite(url: str) -> bool:
    """A requisite every page of the requisites site uses (stylesheets, fonts, scripts, icons)."""
    path = url.split("/", 3)[-1]
    return path.startswith(("static/", "fonts/", "js/", "img/icons")) or path == "favicon.ico"


def run_replay(archive: Path, root: Path, work: Path, pages: int) -> Result:
    cmd = [sys.executable, "-m", "crawler", "replay", str(archive), "--root", str(root),
           "--collection", "bench"]
    m = _run(cmd, work / "replay.log")
    report = _run_report(root, "bench")
    return _result("replay", m, pages, report.get("duration_s"), articles=report.get("articles"),
                   duplicates=report.get("duplicates"), records=report.get("responses"))


def fastest(rounds: list[Result]) -> Result:
    """The round with the shortest wall time (a failed round only if all failed), with every
    round's wall time in its notes."""
    best = min(rounds, key=lambda r: (not r.ok, r.wall_s))
    best.notes["rounds_wall_s"] = [round(r.wall_s, 1) for r in rounds]
    return best


def run_single(archive: Path, work: Path) -> Result:
    m = _run([sys.executable, str(HERE / "single.py"), str(archive)], work / "single.log")
    out = _last_json(m.stdout)
    return _result("single", m, int(out.get("pages", 0)), out.get("elapsed_s"),
                   extracted=out.get("extracted"))


def newsarchive_concurrency() -> int:
    """What `newsarchive crawl` runs with against a loopback seed, so the baselines match it."""
    sys.path.insert(0, str(ROOT))
    try:
        from types import SimpleNamespace

        from crawler.run_crawl import crawl_settings

        collection = SimpleNamespace(root="", name="")
        settings = crawl_settings(collection, "", ["http://127.0.0.1/"],  # type: ignore[arg-type]
                                  allow_private=True, overrides={}, verbose=0)
        return min(settings.getint("CONCURRENT_REQUESTS"),
                   settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
    except Exception as err:  # noqa: BLE001 - a changed helper must not stop the benchmark
        from crawler import settings as defaults

        print("bench: no loopback settings from newsarchive (%s); CONCURRENT_REQUESTS it is" % err)
        return int(defaults.CONCURRENT_REQUESTS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000, help="real articles on the site (default: 2000)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of each real-page system, in alternating order (default: 3)")
    parser.add_argument("--memory-pages", default="1000,10000,50000",
                        help="comma-separated sizes of the cheap sites for the memory runs")
    parser.add_argument("--skip-memory", action="store_true", help="no memory runs")
    parser.add_argument("--requisite-pages", type=int, default=1000,
                        help="articles on the requisites site (default: 1000)")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help="comma-separated groups to run, of %s (default: all)" % ", ".join(GROUPS))
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 200 pages, memory runs of 1k/2k/3k")
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR, help="where the real pages are")
    parser.add_argument("--keep", action="store_true", help="keep the collections and logs")
    parser.add_argument("--json", type=Path, default=HERE / "last-run.json", help="where the JSON goes")
    args = parser.parse_args(argv)
    if args.quick:
        args.pages, args.memory_pages, args.rounds, args.requisite_pages = 200, "1000,2000,3000", 1, 200
    groups = {g.strip() for g in args.only.split(",") if g.strip()}
    if not groups or groups - set(GROUPS):
        parser.error("--only takes groups of %s, separated by commas" % ", ".join(GROUPS))
    if args.rounds < 1:
        parser.error("--rounds takes a number of 1 or more")
    try:
        memory_sizes = ([] if args.skip_memory or "memory" not in groups
                        else [int(s) for s in args.memory_pages.split(",") if s])
    except ValueError:
        parser.error("--memory-pages takes numbers separated by commas")
    if not sorted(args.eval_dir.glob("*/pages/*.html.gz")):
        print("bench: no real pages at %s/*/pages/*.html.gz (the shared evaluation data, read at run "
              "time and never copied); pass --eval-dir" % args.eval_dir, file=sys.stderr)
        return 1

    work = Path(tempfile.mkdtemp(prefix="newsarchive-bench-"))
    concurrency = newsarchive_concurrency()
    load_before = os.getloadavg()[0]
    print("bench: %s, %d round(s), memory runs %s, concurrency %d, %d cores, load average %.2f; work in %s" % (
        ", ".join(["%d real pages" % args.pages] * ("real" in groups)
                  + ["%d requisite pages" % args.requisite_pages] * ("requisites" in groups)) or "no real pages",
        args.rounds, memory_sizes or "skipped", concurrency, os.cpu_count() or 1, load_before, work), flush=True)
    results: dict[str, Result] = {}
    rounds: dict[str, list[Result]] = {"bare": [], "naive": [], "crawl": [], "single": [], "replay": [],
                                       "requisites-off": [], "requisites-on": []}
    try:
        if "real" in groups:
            print("real site: %d articles" % args.pages, flush=True)
            with Site("real", args.pages, args.eval_dir) as site:
                for n in range(args.rounds):
                    for kind in ("bare", "naive", "crawl")[::-1 if n % 2 else 1]:
                        rounds[kind].append(
                            run_crawl("crawl", site, work / ("crawl-%d" % n), work, NO_REQUISITES)
                            if kind == "crawl" else run_spider(kind, site, work, concurrency))
            archive = work / "crawl-0" / "bench" / "archive"
            for n in range(args.rounds):
                for kind in ("single", "replay")[::-1 if n % 2 else 1]:
                    rounds[kind].append(run_single(archive, work) if kind == "single" else
                                        run_replay(archive, work / ("replay-%d" % n), work,
                                                   rounds["single"][0].pages))
        if "requisites" in groups:
            print("requisites site: %d articles" % args.requisite_pages, flush=True)
            with Site("requisites", args.requisite_pages, args.eval_dir) as site:
                for n in range(args.rounds):
                    for on in (False, True)[::-1 if n % 2 else 1]:
                        root = work / ("requisites-%s-%d" % ("on" if on else "off", n))
                        rounds["requisites-%s" % ("on" if on else "off")].append(
                            run_requisite_crawl(on, site, root, work))
                        if not args.keep:
                            shutil.rmtree(root, ignore_errors=True)  # ~0.4 MB of images an article
        for kind, runs in rounds.items():
            if runs:
                results[kind] = fastest(runs)
        for size in memory_sizes:
            print("cheap site: %d articles" % size, flush=True)
            with Site("cheap", size, args.eval_dir) as site:
                name = "memory-%d" % size
                results[name] = run_crawl(name, site, work / name, work)
            if not args.keep:
                shutil.rmtree(work / name, ignore_errors=True)  # 50k pages of WARC add up
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    summary = print_report(results, concurrency, os.cpu_count() or 1, sys.stdout)
    args.json.write_text(json.dumps({
        "command": " ".join(["bench/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "pages": args.pages, "requisite_pages": args.requisite_pages, "rounds": args.rounds,
        "concurrency": concurrency, "cores": os.cpu_count(),
        "load_average_at_start": load_before,
        "runs": {name: r.as_dict() for name, r in results.items()}, **summary,
    }, indent=2) + "\n", encoding="utf-8")
    print("written to %s%s" % (args.json, "; logs and collections in %s" % work if args.keep else ""))
    return 0 if all(r.ok for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
