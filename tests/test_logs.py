"""Logs that mean something: by default only what needs a human, -v one line per notable event and
no Scrapy set-up dumps, -vv everything, JSON lines for log shippers. Real crawls, in child processes."""
from __future__ import annotations

import json
import re
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ContextManager

from tests.conftest import run_newsarchive, serving
from tests.stub_dns import STUB_SUFFIX

# what Scrapy prints when set up and closing, that -v must not show
SCRAPY_DUMPS = ("Overridden settings", "Enabled extensions", "Enabled downloader middlewares",
                "Enabled spider middlewares", "Enabled item pipelines", "Telnet console", "Dumping Scrapy stats",
                "Spider opened", "Spider closed")
LOGSTATS = re.compile(r"Crawled \d+ pages \(at \d+ pages/min\)")
STUB_DNS = "TWISTED_DNS_RESOLVER=tests.stub_dns.RebindingDNS"


def demo_crawl(site_url: str, root: Path, name: str, *args: str, before: tuple[str, ...] = ()) -> tuple[int, str, str]:
    proc = run_newsarchive(*before, "crawl", site_url, "--root", str(root), "--collection", name,
                           "--allow-private", "--max-pages", "20", "--progress-every", "0", *args)
    return proc.returncode, proc.stdout, proc.stderr


def test_default_output_is_the_summary_and_nothing_of_scrapy(demo_site, tmp_path: Path) -> None:
    code, out, err = demo_crawl(demo_site.url, tmp_path, "quietly")
    assert code == 0, err
    assert err.splitlines() == [], err  # a clean crawl of a loopback site has nothing a human must see
    assert "articles written" in out


def test_v_is_one_line_per_notable_event(demo_site, tmp_path: Path) -> None:
    code, _, err = demo_crawl(demo_site.url, tmp_path, "told", "-v")
    assert code == 0, err
    for dump in SCRAPY_DUMPS:
        assert dump not in err, dump
    assert not LOGSTATS.search(err)
    lines = err.splitlines()
    assert len(lines) < 15, err  # Scrapy's set-up alone was ~130 lines
    assert re.search(r"INFO crawler\.run_crawl: run \S+: crawling 1 seed\(s\) into collection told: "
                     + re.escape(demo_site.url), err), err
    assert re.search(r"INFO crawler\.robots: robots\.txt of 127\.0\.0\.1:\d+ read \(200, \d+ bytes\)", err), err
    assert re.search(r"INFO crawler\.run_crawl: run \S+ ended \(finished\): \d+ responses, \d+ articles", err), err
    code, _, err = demo_crawl(demo_site.url, tmp_path, "debugged", "-vv")
    assert code == 0
    assert "Enabled extensions" in err and "Overridden settings" in err  # -vv: debugging, all of it


def test_json_lines_parse_one_by_one_with_their_fields(demo_site, tmp_path: Path) -> None:
    code, _, err = demo_crawl(demo_site.url, tmp_path, "shipped", "-v", "--log-format", "json")
    assert code == 0, err
    events = [json.loads(line) for line in err.splitlines()]  # every line is one JSON object
    assert events
    for event in events:
        assert {"time", "level", "event", "message", "url", "site", "run"} <= set(event), event
        assert event["time"].endswith("+00:00") and "T" in event["time"]
    start = next(e for e in events if e["event"] == "run_start")
    assert start["level"] == "info" and start["collection"] == "shipped" and start["seeds"] == 1
    assert start["run"] and all(e["run"] == start["run"] for e in events)
    robots = next(e for e in events if e["event"] == "robots_fetched")
    assert robots["url"] == demo_site.url + "robots.txt"
    assert robots["site"] == demo_site.url.split("//")[1].rstrip("/") and robots["status"] == 200
    assert any(e["event"] == "run_end" and e["outcome"] == "finished" for e in events)


def test_json_lines_go_to_the_log_file_too(demo_site, tmp_path: Path) -> None:
    log = tmp_path / "crawl.jsonl"
    code, _, err = demo_crawl(demo_site.url, tmp_path, "filed", "-v", "--log-format", "json", "-s",
                              "LOG_FILE=%s" % log)
    assert code == 0, err
    events = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [e["event"] for e in events if e["event"] in ("run_start", "run_end")] == ["run_start", "run_end"]
    assert err == ""


class _ForbiddingSite(BaseHTTPRequestHandler):
    """A site whose robots.txt forbids everything, with pages that would be worth archiving."""

    status = 200

    def do_GET(self) -> None:
        body = b"User-agent: *\nDisallow: /\n" if self.path == "/robots.txt" else b"<html><p>page</p></html>"
        if self.status != 200:
            body = b"" if self.path == "/robots.txt" else b"down"
        self.send_response(404 if self.status != 200 and self.path == "/robots.txt" else self.status)
        self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _FailingSite(_ForbiddingSite):
    """A site that answers every page 503 (and has no robots.txt)."""

    status = 503


def forbidding_site(handler: type[BaseHTTPRequestHandler] = _ForbiddingSite) -> ContextManager[str]:
    return serving(handler)


def test_a_robots_txt_that_forbids_everything_is_said_once(tmp_path: Path) -> None:
    with forbidding_site() as url:
        proc = run_newsarchive("crawl", url, url + "a", url + "b", "--root", str(tmp_path), "--collection", "no",
                               "--allow-private", "--progress-every", "0")
    said = [line for line in proc.stderr.splitlines() if "forbids this crawler everything" in line]
    assert len(said) == 1, proc.stderr
    assert "WARNING crawler.robots: %srobots.txt forbids this crawler everything of 127.0.0.1:" % url in said[0]


def test_a_site_answering_only_errors_is_said_once_not_a_line_a_page(tmp_path: Path) -> None:
    with forbidding_site(_FailingSite) as url:
        proc = run_newsarchive("crawl", url, *(url + "page%d" % n for n in range(6)), "--root", str(tmp_path),
                               "--collection", "down", "--allow-private", "--progress-every", "0",
                               "-s", "RETRY_TIMES=0")
    site = url.split("//")[1].rstrip("/")
    lines = proc.stderr.splitlines()
    assert len([line for line in lines if "Gave up retrying" in line]) == 1, proc.stderr  # 6 pages, one line
    said = [line for line in lines if "answered nothing but errors" in line]
    assert said == [said[0]] and "WARNING crawler.run_crawl: %s answered nothing but errors in this run: " % site \
        in said[0], proc.stderr
    assert len(lines) <= 3, proc.stderr


def test_the_placeholder_user_agent_is_warned_of_off_loopback_only(demo_site, tmp_path: Path) -> None:
    port = demo_site.url.rsplit(":", 1)[1].strip("/")
    # a name that is not loopback (its DNS answer is 127.0.0.1 only in this test)
    named = "http://news%s:%s/" % (STUB_SUFFIX, port)
    code, _, err = demo_crawl(named, tmp_path, "named", "-s", STUB_DNS)
    assert code == 0, err
    said = [line for line in err.splitlines() if "placeholder USER_AGENT" in line]
    assert len(said) == 1, err
    assert "-s USER_AGENT=" in said[0]
    code, _, err = demo_crawl(named, tmp_path, "own", "-s", STUB_DNS, "-s", "USER_AGENT=testbot/1 (+me@example.org)")
    assert code == 0 and "placeholder USER_AGENT" not in err, err
    code, _, err = demo_crawl(demo_site.url, tmp_path, "local")  # loopback: nobody else sees it
    assert code == 0 and "placeholder USER_AGENT" not in err, err


def test_placeholder_decision() -> None:
    from crawler.crawl_config import project_settings
    from crawler.run_crawl import placeholder_agent

    settings = project_settings({})
    assert placeholder_agent(settings, ["https://news.example.com/"])
    assert placeholder_agent(settings, ["http://127.0.0.1:8000/", "https://news.example.com/"])
    assert not placeholder_agent(settings, ["http://127.0.0.1:8000/", "http://localhost/", "http://[::1]/"])
    assert not placeholder_agent(project_settings({"USER_AGENT": "mybot/1.0 (+me@example.org)"}),
                                 ["https://news.example.com/"])
