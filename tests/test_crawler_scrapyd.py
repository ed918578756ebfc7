"""Deployment to a real scrapyd on 127.0.0.1: deploy with scrapy.cfg's target, schedule, find the collection."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port

BIN = Path(sys.executable).parent


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def _post(url: str, fields: dict[str, str | list[str]]) -> dict:
    pairs = [(k, v) for k, vs in fields.items() for v in ([vs] if isinstance(vs, str) else vs)]
    data = urllib.parse.urlencode(pairs).encode()
    with urllib.request.urlopen(url, data=data, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture()
def scrapyd(tmp_path: Path):
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = %d\neggs_dir = %s\nlogs_dir = %s\n"
        "dbs_dir = %s\nitems_dir =\nmax_proc = 1\npoll_interval = 0.5\n"
        % (port, home / "eggs", home / "logs", home / "dbs"))
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:%d/" % port
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base + "daemonstatus.json")
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail("scrapyd did not start")
            time.sleep(0.2)
    yield base, home
    proc.terminate()
    proc.wait(timeout=30)


def test_deploy_to_scrapyd_schedule_the_news_spider_and_find_the_collection(
    scrapyd, demo_site, tmp_path: Path
) -> None:
    base, home = scrapyd
    # deploy a copy of the project, with scrapy.cfg's [deploy] target pointed at this scrapyd
    project = tmp_path / "project"
    project.mkdir()
    for name in ("archive", "pipelines", "crawler"):
        shutil.copytree(REPO / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    cfg = (REPO / "scrapy.cfg").read_text()
    assert "[deploy]" in cfg and "project = newsarchive" in cfg
    (project / "scrapy.cfg").write_text(cfg.replace("http://127.0.0.1:6800/", base))
    deploy = subprocess.run([str(BIN / "scrapyd-deploy")], cwd=project, capture_output=True, text=True,
                            timeout=300)
    assert deploy.returncode == 0, deploy.stderr + deploy.stdout
    assert _get(base + "listprojects.json")["projects"] == ["newsarchive"]
    assert "news" in _get(base + "listspiders.json?project=newsarchive")["spiders"]

    root = tmp_path / "collections"
    job = _post(base + "schedule.json", {
        "project": "newsarchive", "spider": "news", "seeds": demo_site.url,
        "setting": ["ARCHIVE_ROOT=%s" % root, "ARCHIVE_COLLECTION=viascrapyd",
                    "FETCH_ALLOW_PRIVATE=True", "LOG_LEVEL=INFO"],
    })
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 300
    while True:
        jobs = _get(base + "listjobs.json?project=newsarchive")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        assert time.monotonic() < deadline, "the scrapyd job did not finish"
        time.sleep(0.5)
    collection = root / "viascrapyd"
    (report,) = [json.loads(p.read_text()) for p in (collection / "runs").glob("*.json")]
    assert report["finish_reason"] == "finished", report
    items = [json.loads(line) for f in (collection / "items").glob("*.jsonl") for line in f.read_text().splitlines()]
    assert {a.url for a in demo_site.articles()} <= {i["url"] for i in items}
    assert list((collection / "archive").glob("*.warc.gz"))
    assert (collection / "indexes" / "index.cdxj").stat().st_size > 0
    log = next((home / "logs").rglob("*.log")).read_text()
    assert "Traceback" not in log, log[-3000:]
    assert os.path.exists(collection / "state" / "store.sqlite")
