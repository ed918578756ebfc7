"""`scrapy crawl` for this project: the same checks as `newsarchive crawl` before anything starts
(seeds, settings: exit 2), and exit 1 when nothing was fetched, as `newsarchive crawl` does.

Scrapy's own crawl command exits 1 only when the spider could not be made; this one is found
through COMMANDS_MODULE (crawler/settings.py) and takes the place of Scrapy's under the same name.
"""
from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from archive.redact import mask_userinfo
from crawler.crawl_config import check_settings
from crawler.options import checked_seed
from crawler.setting_types import SettingError
from crawler.spiders.news import NewsSpider, split_seeds
from pipelines.canonical import InvalidURL


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl news -a seeds=URL[,URL...]")
        assert self.crawler_process is not None and self.settings is not None
        try:
            check_settings(self.settings)
            if args[0] == NewsSpider.name:
                for seed in split_seeds(opts.spargs.get("seeds", "")):
                    checked_seed(seed)
        except SettingError as err:
            raise UsageError(str(err), print_help=False) from None
        except InvalidURL as err:
            raise UsageError("bad seed URL %s" % mask_userinfo(str(err)), print_help=False) from None
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed or not fetched_anything(crawler):
            self.exitcode = 1


def fetched_anything(crawler: Crawler) -> bool:
    stats = crawler.stats
    return bool(stats is not None and stats.get_value("downloader/response_count"))
