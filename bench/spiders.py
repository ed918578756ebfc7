"""The two baselines crawling the bench site: bare Scrapy, and the naive archive-and-extract spider.

    .venv/bin/python bench/spiders.py bare URL [--concurrency N]
    .venv/bin/python bench/spiders.py naive URL --warc-dir DIR [--concurrency N]

Both start at the home page, follow the listing pages' links and fetch every article. `bare`
does nothing else: the fetch ceiling. `naive` is what one would write first: every response
goes to WARC through warcio's WARCWriter (its default gzip) as it is downloaded, still
compressed, and each article runs through trafilatura.bare_extraction in the callback, all in
the reactor thread. The crawl's counters are printed as one JSON line on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from http import HTTPStatus
from io import BytesIO
from typing import Any

import scrapy
import trafilatura
from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


class BareSpider(scrapy.Spider):
    """Listings -> articles, nothing kept."""

    name = "bench-bare"

    def __init__(self, url: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url]

    def parse(self, response: Response) -> Iterator[scrapy.Request]:
        """The home page and every listing page."""
        for href in response.css("a.story::attr(href)").getall():
            yield response.follow(href, callback=self.parse_article)
        for href in response.css("a.page::attr(href)").getall():
            yield response.follow(href, callback=self.parse)

    def parse_article(self, response: Response) -> None:
        self.crawler.stats.inc_value("bench/articles")


class NaiveSpider(BareSpider):
    """The same crawl, writing WARC and extracting in the reactor."""

    name = "bench-naive"

    def __init__(self, url: str = "", warc_dir: str = "", **kwargs: Any) -> None:
        super().__init__(url, **kwargs)
        os.makedirs(warc_dir, exist_ok=True)
        self._file = open(os.path.join(warc_dir, "naive.warc.gz"), "wb")
        self._writer = WARCWriter(self._file, gzip=True)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NaiveSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.write_response, signal=signals.response_downloaded)
        crawler.signals.connect(spider.close_warc, signal=signals.spider_closed)
        return spider

    def write_response(self, response: Response, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """The response as downloaded: the body still carries its Content-Encoding."""
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, values in response.headers.items() for value in values]
        record = self._writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body),
            http_headers=StatusAndHeaders("%d %s" % (response.status, reason), headers, protocol="HTTP/1.1"),
        )
        self._writer.write_record(record)
        self.crawler.stats.inc_value("bench/warc_records")

    def parse_article(self, response: Response) -> None:
        document = trafilatura.bare_extraction(response.text, url=response.url, include_comments=False,
                                              with_metadata=True)
        self.crawler.stats.inc_value("bench/articles")
        if document is not None:
            self.crawler.stats.inc_value("bench/extracted")

    def close_warc(self) -> None:
        self._file.close()


def settings(concurrency: int) -> dict[str, Any]:
    """Scrapy's defaults, with newsarchive's concurrency and its loopback politeness (none)."""
    return {
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "USER_AGENT": "newsarchive-bench",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("spider", choices=["bare", "naive"])
    parser.add_argument("url")
    parser.add_argument("--warc-dir", help="naive: where its WARC file goes")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    if args.spider == "naive" and not args.warc_dir:
        parser.error("naive needs --warc-dir")
    process = CrawlerProcess(settings(args.concurrency), install_root_handler=True)
    spider_class: type[BareSpider] = NaiveSpider if args.spider == "naive" else BareSpider
    crawler = process.create_crawler(spider_class)
    kwargs = {"url": args.url}
    if args.spider == "naive":
        kwargs["warc_dir"] = args.warc_dir
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({
        "responses": int(stats.get("downloader/response_count", 0)),
        "articles": int(stats.get("bench/articles", 0)),
        "extracted": int(stats.get("bench/extracted", 0)),
        "warc_records": int(stats.get("bench/warc_records", 0)),
        "elapsed_s": float(stats.get("elapsed_time_seconds", 0.0)),
        "errors": int(stats.get("log_count/ERROR", 0)),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
