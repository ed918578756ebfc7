"""Settings, seeds and options are checked once, before anything starts: a bad one is one line naming
it and what it accepts, exit 2, and nothing is created. Also `scrapy crawl`'s checks and exit code."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.cli import build_parser
from crawler.commands.crawl import crawl_options
from crawler.crawl_config import SETTINGS, check_settings, project_settings, settings_problems
from crawler.options import CrawlOptions, checked_seed
from crawler.setting_types import SettingError
from pipelines.canonical import InvalidURL
from tests.conftest import REPO, run_newsarchive


def only_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


# -- the crawl command: nothing starts ---------------------------------------------------------
@pytest.mark.parametrize(("setting", "words"), [
    ("DOWNLOAD_DELAY=fast", ["DOWNLOAD_DELAY", "a number of seconds >= 0", "'fast'"]),
    ("EXTRACT_WORKERS=abc", ["EXTRACT_WORKERS", "'auto' or a whole number >= 0"]),
    ("DEDUPE_NEAR_DISTANCE=9", ["DEDUPE_NEAR_DISTANCE", "from 0 to 3"]),
    ("EXTRACT_MIN_TEXT_LENGTH=x", ["EXTRACT_MIN_TEXT_LENGTH", "a whole number"]),
    ("ROBOTSTXT_OBEY=maybe", ["ROBOTSTXT_OBEY", "true or false"]),
    ("DUPEFILTER_CLASS=crawler.nowhere.Filter", ["DUPEFILTER_CLASS", "importable class path"]),
    ('DOWNLOADER_MIDDLEWARES={"crawler.nowhere.Mw": 500}', ["DOWNLOADER_MIDDLEWARES", "crawler.nowhere.Mw"]),
    ("ITEM_PIPELINES=not json", ["ITEM_PIPELINES", "a JSON object"]),
    ("ARCHIVE_COMPRESS_LEVEL=42", ["ARCHIVE_COMPRESS_LEVEL"]),
])
def test_a_bad_setting_is_one_line_exit_2_and_creates_nothing(demo_site, tmp_path: Path, setting: str,
                                                             words: list[str]) -> None:
    # a real, reachable seed: without the check the crawl would start, record a run and then fail
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(tmp_path / "c"), "--allow-private",
                           "-s", setting)
    assert proc.returncode == 2, proc.stderr
    line = only_line(proc.stderr)
    assert line.startswith("newsarchive crawl: ")
    for word in words:
        assert word in line
    assert not (tmp_path / "c").exists()  # no collection folder, so no store and no run in it


@pytest.mark.parametrize("seed", ["http://exa mple.com/", "ftp://example.org/", "notaurl", "http://",
                                  "http://a..b/x", "http://ex%20ample.com/"])
def test_a_bad_seed_is_one_line_exit_2_and_creates_nothing(seed: str, tmp_path: Path) -> None:
    proc = run_newsarchive("crawl", "http://example.org/", seed, "--root", str(tmp_path / "c"), timeout=60)
    assert proc.returncode == 2, proc.stderr
    line = only_line(proc.stderr)
    assert "bad seed URL" in line and repr(seed) in line
    assert not (tmp_path / "c").exists()  # an empty folder would show up in `wayback`


@pytest.mark.parametrize(("argv", "words"), [
    (["--allow", "("], "--allow: bad regular expression '('"),
    (["--recrawl-days", "-1"], "--recrawl-days must be a number of days >= 0"),
    (["-s", "download_delay=1"], "'download_delay'"),
])
def test_bad_options_are_refused_before_anything_starts(argv: list[str], words: str, tmp_path: Path,
                                                        capsys) -> None:
    from crawler.cli import main

    assert main(["crawl", "http://example.org/", "--root", str(tmp_path / "c"), *argv]) == 2
    assert words in only_line(capsys.readouterr().err)
    assert not (tmp_path / "c").exists()


# -- the check itself --------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "value", "words"), [
    ("DOWNLOAD_DELAY", "-1", "a number of seconds >= 0"),
    ("DOWNLOAD_DELAY", "nan", "a number of seconds >= 0"),
    ("DOWNLOAD_TIMEOUT", "0", "> 0"),
    ("CONCURRENT_REQUESTS", "0", "a whole number >= 1"),
    ("CONCURRENT_REQUESTS_PER_DOMAIN", "2.5", "a whole number >= 1"),
    ("CONCURRENT_ITEMS", "many", "a whole number >= 1"),
    ("DOWNLOAD_MAXSIZE", "32MB", "a whole number of bytes"),
    ("RETRY_TIMES", "-2", "a whole number >= 0"),
    ("AUTOTHROTTLE_TARGET_CONCURRENCY", "0", "> 0"),
    ("CLOSESPIDER_PAGECOUNT", "x", "a whole number"),
    ("DEPTH_LIMIT", "deep", "a whole number"),
    ("REDIRECT_MAX_TIMES", "-1", "a whole number"),
    ("AUTOTHROTTLE_ENABLED", "yes", "true or false"),
    ("COOKIES_ENABLED", "on", "true or false"),
    ("LOG_LEVEL", "LOUD", "one of CRITICAL, ERROR, WARNING, INFO, DEBUG"),
    ("RETRY_HTTP_CODES", "500,abc", "HTTP status codes"),
    ("DEFAULT_REQUEST_HEADERS", '{"Accept Language": "de"}', "header names"),
    ("DOWNLOAD_HANDLERS", '{"http": "crawler.nowhere.Handler"}', "crawler.nowhere.Handler"),
    ("SPIDER_MIDDLEWARES", '{"crawler.download": 10}', "crawler.download"),  # a module, not a class
    ("EXTENSIONS", '{"crawler.run_extension.CrawlRun": "first"}', "'first' is not a number"),
    ("SCHEDULER_PRIORITY_QUEUE", "scrapy.pqueues.Nothing", "importable class path"),
    ("SCHEDULER_DISK_QUEUE", "nothing", "importable class path"),
    ("FETCH_RECRAWL_DAYS", "soon", "a number of days"),
    ("FETCH_CONDITIONAL", "perhaps", "true or false"),
    ("DISCOVERY_SINCE_HOURS", "-3", "a number of hours >= 0"),
    ("ARCHIVE_MAX_SIZE", "big", "ARCHIVE_MAX_SIZE"),
])
def test_every_kind_of_setting_is_checked_and_named(name: str, value: str, words: str) -> None:
    with pytest.raises(SettingError) as err:
        check_settings(project_settings({name: value}))
    assert str(err.value).startswith(name) and words in str(err.value)


def test_the_defaults_and_their_spelling_on_the_command_line_are_accepted() -> None:
    defaults = project_settings({})
    config = check_settings(defaults)
    assert config.extract.near_distance == 3 and config.capture.compress_level == 6
    # each default given back as `-s NAME=VALUE` would give it (dicts as JSON) passes too
    as_text = {}
    for name in SETTINGS:
        value = defaults.get(name)
        if value is None:
            continue
        if hasattr(value, "copy_to_dict"):
            as_text[name] = json.dumps(value.copy_to_dict())
        elif isinstance(value, list):
            as_text[name] = ",".join(str(v) for v in value)
        else:
            as_text[name] = str(value)
    assert settings_problems(project_settings(as_text)) == []


def test_class_paths_the_user_sets_are_imported() -> None:
    good = {"DUPEFILTER_CLASS": "scrapy.dupefilters.RFPDupeFilter",
            "DOWNLOADER_MIDDLEWARES": '{"scrapy.downloadermiddlewares.stats.DownloaderStats": null}',
            "DOWNLOAD_HANDLERS": '{"ftp": null}'}
    assert settings_problems(project_settings(good)) == []


def test_settings_problems_lists_every_bad_setting() -> None:
    found = settings_problems(project_settings({"DOWNLOAD_DELAY": "fast", "ROBOTSTXT_OBEY": "maybe",
                                                "ARCHIVE_COMPRESS_LEVEL": "42", "EXTRACT_WORKERS": "-1"}))
    assert [p.split()[0] for p in found] == ["DOWNLOAD_DELAY", "ROBOTSTXT_OBEY", "ARCHIVE_COMPRESS_LEVEL",
                                             "EXTRACT_WORKERS"]


def test_plain_settings_objects_work_too() -> None:
    settings = Settings({"DOWNLOAD_DELAY": "1.5", "EXTRACT_WORKERS": "0", "EXTRACT_MIN_TEXT_LENGTH": 10,
                         "DEDUPE_NEAR_DISTANCE": 0})
    settings.setmodule("crawler.settings", priority="default")
    assert check_settings(settings).extract.workers == 0


# -- seeds -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "canonical"), [
    ("HTTP://Example.ORG", "http://example.org/"),
    ("http://127.0.0.1:8000/a", "http://127.0.0.1:8000/a"),
    ("http://[::1]:8000/", "http://[::1]:8000/"),
    ("http://bücher.example/", "http://xn--bcher-kva.example/"),
    ("https://my_host.example.org/?utm_source=x", "https://my_host.example.org/"),
])
def test_good_seeds_are_canonical(seed: str, canonical: str) -> None:
    assert checked_seed(seed) == canonical


@pytest.mark.parametrize("seed", ["http://exa mple.com/", "http://a..b/", "http://.com/", "http://ex%20ample.com/",
                                  "http://" + "a" * 64 + ".org/", "notaurl", "http://", "ftp://example.org/"])
def test_bad_seeds_say_what_is_wrong(seed: str) -> None:
    with pytest.raises(InvalidURL, match="no valid host name|not an absolute http"):
        checked_seed(seed)


# -- one CrawlOptions: argparse, jobs.toml and the settings --------------------------------------
def test_options_go_through_the_command_line_and_back() -> None:
    options = CrawlOptions(seeds=("http://example.org/",), scope="host", allow=("/news/", "/sport/"),
                           deny=(r"\?print",), max_depth=3, since_hours=36.0, recrawl_days=2.0,
                           conditional=True, max_pages=50, allow_private=True,
                           settings={"DOWNLOAD_DELAY": "1", "DEFAULT_REQUEST_HEADERS": '{"Accept-Language": "de"}'})
    args = build_parser().parse_args(["crawl", *options.crawl_args()])
    assert crawl_options(args) == options
    assert options.problems() == []


def test_options_become_settings_and_the_user_settings_win() -> None:
    options = CrawlOptions(seeds=("http://example.org/",), scope="host", allow=("/a/",), max_depth=2,
                           since_hours=12.0, conditional=True, settings={"DISCOVERY_MAX_DEPTH": "5"})
    assert options.overrides() == {"DISCOVERY_SCOPE": "host", "DISCOVERY_ALLOW": ["/a/"],
                                   "DISCOVERY_MAX_DEPTH": "5", "DISCOVERY_SINCE_HOURS": 12.0,
                                   "FETCH_CONDITIONAL": True}
    config = check_settings(project_settings(options.overrides()))
    assert (config.discovery.scope, config.discovery.allow, config.discovery.max_depth) == ("host", ("/a/",), 5)


def test_problems_name_options_as_the_command_at_hand_spells_them() -> None:
    options = CrawlOptions(seeds=("http://example.org/",), allow=("(",), max_pages=-1)
    assert options.problems(flags=True)[0].startswith("--allow: bad regular expression")
    assert options.problems()[0].startswith("allow: bad regular expression")
    assert "max_pages must be a whole number >= 0 (got -1)" in options.problems()


def test_from_a_jobs_table() -> None:
    options = CrawlOptions.from_job({"seeds": "http://example.org/", "since": "2d", "allow": "/news/",
                                     "settings": {"ROBOTSTXT_OBEY": False, "DOWNLOAD_SLOTS": {"a": {"delay": 1}}}})
    assert options.seeds == ("http://example.org/",) and options.since_hours == 48.0
    assert options.allow == ("/news/",)
    assert options.settings == {"ROBOTSTXT_OBEY": "false", "DOWNLOAD_SLOTS": '{"a": {"delay": 1}}'}
    assert options.problems() == []
    assert CrawlOptions.from_job({"seeds": [], "since": "soon", "settings": {"DOWNLOAD_DELAY": "fast"}}).problems() == [
        "seeds must be a non-empty list of http(s) URLs (got [])",
        "since must be a duration > 0 (e.g. '36h', '2d') (got 'soon')",
        "DOWNLOAD_DELAY must be a number of seconds >= 0, not 'fast'",
    ]


# -- scrapy crawl --------------------------------------------------------------------------------
@pytest.fixture
def scrapy_project(tmp_path: Path) -> Path:
    """A Scrapy project that is crawler/settings.py with this project's commands (COMMANDS_MODULE)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "scrapy.cfg").write_text("[settings]\ndefault = h1_project_settings\n")
    (project / "h1_project_settings.py").write_text(
        "from crawler.settings import *  # noqa: F403\nCOMMANDS_MODULE = 'crawler.scrapy_commands'\n")
    return project


def scrapy_crawl(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), str(project)]))
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


def test_scrapy_crawl_that_fetches_nothing_fails_and_names_its_own_option(
        scrapy_project: Path, demo_site, tmp_path: Path) -> None:
    proc = scrapy_crawl(scrapy_project, "-a", "seeds=" + demo_site.url, "-s", "ARCHIVE_ROOT=%s" % (tmp_path / "c"),
                        "-s", "LOG_LEVEL=WARNING")
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "pass -s FETCH_ALLOW_PRIVATE=1" in proc.stderr
    assert "--allow-private" not in proc.stderr


def test_scrapy_crawl_checks_settings_and_seeds_before_it_starts(scrapy_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "c"
    proc = scrapy_crawl(scrapy_project, "-a", "seeds=http://example.org/", "-s", "ARCHIVE_ROOT=%s" % root,
                        "-s", "DOWNLOAD_DELAY=fast")
    assert proc.returncode == 2 and "DOWNLOAD_DELAY must be a number" in proc.stderr
    proc = scrapy_crawl(scrapy_project, "-a", "seeds=http://a..b/", "-s", "ARCHIVE_ROOT=%s" % root)
    assert proc.returncode == 2 and "bad seed URL 'http://a..b/'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not root.exists()


def test_newsarchive_crawl_names_allow_private(demo_site, tmp_path: Path) -> None:
    proc = run_newsarchive("crawl", demo_site.url, "--root", str(tmp_path))
    assert proc.returncode == 1
    assert "(to crawl it, pass --allow-private)" in proc.stderr
    assert "FETCH_ALLOW_PRIVATE" not in proc.stderr
