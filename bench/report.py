"""The benchmark's table: each run's rate, CPU and memory, then the ratios the issue asks for."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from run import Result

LABELS = {
    "bare": "1 bare Scrapy (fetch only)",
    "naive": "2 naive: WARC+trafilatura in reactor",
    "crawl": "3 newsarchive crawl",
    "replay": "4 newsarchive replay (run 3's WARCs)",
    "single": "4' single-process trafilatura (same)",
    "requisites-off": "6 crawl, requisites off (articles)",
    "requisites-on": "6 crawl, requisites on (articles)",
}
FLAT_GROWTH = 0.10  # "flat": the largest crawl's peak within 10% of the smallest's
# Judged both ways: the sum of VmRSS counts every page the forked workers share with their
# forkserver once per process, PSS splits shared pages among the processes that map them.
RSS_LIMIT_MB = 400.0


def _label(name: str) -> str:
    if name.startswith("memory-"):
        return "5 newsarchive crawl, %s cheap" % _count(int(name.split("-")[1]))
    return LABELS.get(name, name)


def _count(n: int) -> str:
    return "%dk" % (n // 1000) if n >= 1000 and n % 1000 == 0 else str(n)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def summarize(results: dict[str, Result], cores: int) -> dict[str, Any]:
    """Ratios, the CPU-bound limit and the targets, from the measured runs."""
    summary: dict[str, Any] = {}
    crawl, naive = results.get("crawl"), results.get("naive")
    replay, single = results.get("replay"), results.get("single")
    if crawl and naive and crawl.ok and naive.ok:
        summary["crawl_over_naive"] = crawl.pages_per_s / naive.pages_per_s
    if crawl and crawl.ok:
        summary["limit_pages_per_s"] = cores * 1000 / crawl.cpu_ms_per_page
        summary["crawl_over_limit"] = crawl.pages_per_s / summary["limit_pages_per_s"]
    if replay and single and replay.ok and single.ok:
        summary["replay_over_single"] = replay.pages_per_s / single.pages_per_s
    # the memory target is about the cheap-page crawls of growing size; the real-page
    # runs' peaks are in the table
    memory = sorted((r for name, r in results.items() if name.startswith("memory-") and r.ok),
                    key=lambda r: r.pages)
    if memory:
        summary["peak_rss_mb"] = max(r.peak_rss_mb for r in memory)
        summary["peak_pss_mb"] = max(r.peak_pss_mb for r in memory)
    if len(memory) >= 2:
        low, high = memory[0], memory[-1]
        summary["memory_growth"] = high.peak_rss_mb / low.peak_rss_mb - 1
        summary["memory_growth_pss"] = high.peak_pss_mb / low.peak_pss_mb - 1
        summary["memory_mb_per_10k_pages"] = ((high.peak_rss_mb - low.peak_rss_mb)
                                              / (high.pages - low.pages) * 10_000)
    on, off = results.get("requisites-on"), results.get("requisites-off")
    if on and off and on.ok and off.ok:
        summary["requisites"] = {
            "on": _per_article(on), "off": _per_article(off),
            "on_over_off": {k: _ratio(v, _per_article(off)[k]) for k, v in _per_article(on).items()},
        }
    summary["targets"] = {
        "crawl >= 1.7x naive": _check(summary.get("crawl_over_naive"), lambda v: v >= 1.7),
        "crawl >= 85% of the CPU limit": _check(summary.get("crawl_over_limit"), lambda v: v >= 0.85),
        "replay >= 1.8x single": _check(summary.get("replay_over_single"), lambda v: v >= 1.8),
        "summed RSS < 400 MB": _check(summary.get("peak_rss_mb"), lambda v: v < RSS_LIMIT_MB),
        "PSS < 400 MB": _check(summary.get("peak_pss_mb"), lambda v: v < RSS_LIMIT_MB),
        "RSS flat (<= +10%)": _check(summary.get("memory_growth"), lambda v: v <= FLAT_GROWTH),
        "PSS flat (<= +10%)": _check(summary.get("memory_growth_pss"), lambda v: v <= FLAT_GROWTH),
    }
    return summary


def _per_article(r: Result) -> dict[str, float]:
    """What one article of the requisites site cost: the row's figures per article."""
    articles = max(1, r.pages)
    return {"articles_per_s": round(r.pages_per_s, 2), "requests_per_article": round(r.notes["requests"] / articles, 3),
            "warc_bytes_per_article": round(r.notes["warc_bytes"] / articles),
            "cpu_ms_per_article": round(r.cpu_ms_per_page, 2), "peak_pss_mb": round(r.peak_pss_mb, 1),
            "peak_rss_mb": round(r.peak_rss_mb, 1)}


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def _requisite_lines(results: dict[str, Result], summary: dict[str, Any], cores: int) -> list[str]:
    """The crawl/requisites row: on against off, per article, and whether shared files came once."""
    found = summary.get("requisites")
    if not found:
        return ["crawl/requisites: %s" % ("failed (see the table)" if "requisites-on" in results else "not run"), ""]
    on = results["requisites-on"]
    head = "%-24s %10s %10s %12s %10s %16s" % ("crawl/requisites", "articles/s", "requests/a", "WARC KB/a",
                                                 "CPU ms/a", "PSS (RSS) MB")
    lines = [head, "-" * len(head)]
    for label, row in (("requisites off", found["off"]), ("requisites on", found["on"])):
        lines.append("%-24s %10.1f %10.2f %12.1f %10.2f %16s" % (
            label, row["articles_per_s"], row["requests_per_article"], row["warc_bytes_per_article"] / 1024,
            row["cpu_ms_per_article"], "%.0f (%.0f)" % (row["peak_pss_mb"], row["peak_rss_mb"])))
    ratio = found["on_over_off"]
    lines.append("%-24s %10s %10s %12s %10s %16s" % (
        "on / off", *("%.2fx" % ratio[k] if ratio[k] is not None else "-" for k in (
            "articles_per_s", "requests_per_article", "warc_bytes_per_article", "cpu_ms_per_article")),
        "%.2fx (%.2fx)" % (ratio["peak_pss_mb"] or 0, ratio["peak_rss_mb"] or 0)))
    # on a machine that other work keeps busy, wall times say little: what CPU allows says more
    limit = {k: cores * 1000 / found[k]["cpu_ms_per_article"] for k in ("off", "on")}
    lines.append("CPU limit (%d cores x 1000 / CPU ms per article): off %.1f, on %.1f articles/s (on/off %.2fx)"
                 % (cores, limit["off"], limit["on"], limit["on"] / limit["off"]))
    found["cpu_limit_articles_per_s"] = {k: round(v, 1) for k, v in limit.items()}
    shared = on.notes.get("shared_requisite_requests", {})
    twice = {name: n for name, n in shared.items() if n > 1}
    lines += [
        "%d articles; requests and WARC bytes (all files of the run) divided by articles written." % on.pages,
        "A page needs itself and %d images of its own (3 lead widths, 2 in the body): about %d requests an"
        % (on.notes.get("images_per_article", 0), 1 + on.notes.get("images_per_article", 0)),
        "article with requisites, plus listings and the shared files once per run.",
        "shared requisites (stylesheets, fonts, scripts, icons) the server was asked for: %d URLs, %s" % (
            len(shared), "each once" if shared and not twice else
            "more than once: %s" % ", ".join("%s %dx" % kv for kv in sorted(twice.items())) if twice else "none"),
    ]
    if on.notes.get("requisites") is None:
        lines.append("  ! the run report has no 'requisites' object: this crawler does not fetch requisites yet")
    return lines + [""]


def _check(value: float | None, test: Any) -> bool | None:
    return None if value is None else bool(test(value))


def print_report(results: dict[str, Result], concurrency: int, cores: int, out: TextIO) -> dict[str, Any]:
    """Write the table to `out`; return the summary that goes into the JSON too."""
    summary = summarize(results, cores)
    head = "%-38s %6s %6s %7s %8s %6s %8s %6s %6s %5s %4s %6s" % (
        "run", "pages", "wall s", "pages/s", "steady/s", "CPU s", "CPU ms/p", "RSS MB", "PSS MB",
        "procs", "site", "others")
    lines = ["", head, "-" * len(head)]
    for name, r in results.items():
        steady = "%8.1f" % (r.pages / r.steady_s) if r.steady_s else "%8s" % "-"
        lines.append("%-38s %6d %6.1f %7.1f %s %6.1f %8.2f %6.0f %6.0f %5d %4.2f %6.2f%s" % (
            _label(name), r.pages, r.wall_s, r.pages_per_s, steady, r.cpu_s, r.cpu_ms_per_page,
            r.peak_rss_mb, r.peak_pss_mb, r.processes, r.site_cores, r.others_cores,
            "" if r.ok else "  FAILED"))
        if r.cpu_s < 0.9 * r.sampled_cpu_s:
            lines.append("  ! CPU from getrusage (%.1f s) is below the /proc samples (%.1f s): a process "
                         "of the tree escaped the count" % (r.cpu_s, r.sampled_cpu_s))
    lines += [
        "",
        "pages: responses fetched (crawls), HTML 200 records (replay, single); pages/s over the",
        "process's whole life (start-up included); steady/s over the tool's own crawl/replay clock;",
        "CPU: user+sys of the process tree; RSS: sampled peak of the tree's summed VmRSS, PSS the same",
        "counting shared pages once; procs: most processes in the tree at once; site: cores the site",
        "server used meanwhile; others: cores everything else on the machine used meanwhile (above",
        "~0.2 the wall-clock rates understate what the machine can do). Crawls %d requests at a time,"
        " %d cores." % (concurrency, cores),
        "",
    ]
    repeated = [(name, r.notes["rounds_wall_s"]) for name, r in results.items()
                 if len(r.notes.get("rounds_wall_s", [])) > 1]
    if repeated:
        lines += ["runs 1-4 and 6 are the fastest of %d rounds run in alternating order; wall s of each round:"
                  % len(repeated[0][1]),
                  "  " + "; ".join("%s %s" % (name, ", ".join("%.1f" % w for w in walls))
                                   for name, walls in repeated), ""]
    lines += _requisite_lines(results, summary, cores)
    targets = summary["targets"]
    rows = [
        ("crawl / naive", _fmt(summary.get("crawl_over_naive"), "%.2fx"), "crawl >= 1.7x naive"),
        ("CPU limit: %d cores x 1000 / crawl CPU ms/page" % cores,
         _fmt(summary.get("limit_pages_per_s"), "%.1f pages/s"), None),
        ("crawl / CPU limit", _fmt(summary.get("crawl_over_limit"), "%.0f%%", 100),
         "crawl >= 85% of the CPU limit"),
        ("replay / single", _fmt(summary.get("replay_over_single"), "%.2fx"), "replay >= 1.8x single"),
        ("peak summed RSS of the cheap crawls", _fmt(summary.get("peak_rss_mb"), "%.0f MB"),
         "summed RSS < 400 MB"),
        ("peak PSS of the cheap crawls", _fmt(summary.get("peak_pss_mb"), "%.0f MB"), "PSS < 400 MB"),
        ("summed RSS growth, smallest to largest cheap crawl",
         _fmt(summary.get("memory_growth"), "%+.0f%%", 100) + (
             " (%+.1f MB per 10k pages)" % summary["memory_mb_per_10k_pages"]
             if "memory_mb_per_10k_pages" in summary else ""), "RSS flat (<= +10%)"),
        ("PSS growth, smallest to largest cheap crawl", _fmt(summary.get("memory_growth_pss"), "%+.0f%%", 100),
         "PSS flat (<= +10%)"),
    ]
    roles = ["%s: %s" % (_label(name).split(" ", 1)[1], ", ".join(
        "%s %.0f" % kv for kv in sorted(r.notes.get("peak_rss_mb_by_role", {}).items(), key=lambda kv: -kv[1])))
        for name, r in results.items() if r.processes > 1]
    if roles:
        lines += ["largest process of each kind, peak RSS MB:"] + ["  " + line for line in roles] + [""]
    for label, value, target in rows:
        verdict = "%-30s %s" % (target, _verdict(targets[target])) if target else ""
        lines.append("%-50s %-32s %s" % (label, value, verdict))
    out.write("\n".join(lines) + "\n")
    out.flush()
    return summary


def _fmt(value: float | None, pattern: str, scale: float = 1.0) -> str:
    return "-" if value is None else pattern % (value * scale)
