"""robots.txt as RFC 9309 reads it, in bounded work: Scrapy's RobotsTxtMiddleware, with three changes.

- A robots.txt answering 5xx (after Scrapy's retries) means "disallow everything" for that host,
  for the whole run (RFC 9309 2.3.1.4: unreachable is complete disallow); Scrapy would parse the
  error page, which mostly allows all. Counted in `robotstxt/server_error` (hosts), one WARNING
  per host; each page refused is counted in `robotstxt/forbidden` as usual.
- A 4xx robots.txt allows everything (2.3.1.3), whatever its error page says.
- Only the first 500 KiB of a robots.txt are read, up to the last whole line (Google does the
  same; a 12 MB one held the reactor for 49 s): `discovery/bound/robots_size`.
- Every request that waited for its host's robots.txt is judged by it. Scrapy 2.19 hands the
  parser to the first one only (Twisted's `asFuture` leaves None to the Deferred's later
  waiters), so the others went out unchecked: seen with page requisites, which reach a new host
  (a CDN) several at a time.

Enabled in place of Scrapy's by the add-on (crawler/addon.py). It overrides the private
`_parse_robots` of Scrapy 2.19 (pinned in pyproject.toml).
"""
from __future__ import annotations

import logging
from typing import Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from crawler.bounds import ROBOTS_MAX_SIZE, BoundNotice, ResponseBounds

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def forbids_everything(parser: Any, root: str, agent: str | bytes) -> bool:
    """Rules that refuse the site's home page and a page no site has: all of it, in practice."""
    return not parser.allowed(root, agent) and not parser.allowed(root + "newsarchive-robots-probe", agent)


def readable_part(body: bytes, limit: int = ROBOTS_MAX_SIZE) -> bytes:
    """The first `limit` bytes of a robots.txt body, cut after its last whole line."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    end = max(head.rfind(b"\n"), head.rfind(b"\r"))
    return head[:end + 1] if end >= 0 else b""


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reading 5xx as disallow-all, 4xx as allow-all, 500 KiB at most."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._notice = BoundNotice(crawler, ResponseBounds.from_settings(crawler.settings))

    async def robot_parser(self, request: Request) -> Any:
        found = await super().robot_parser(request)
        settled = self._parsers.get(urlparse_cached(request).netloc)  # the parser, or None after an error
        return found if isinstance(settled, Deferred) else settled

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._stats.inc_value("robotstxt/server_error")
            logger.warning("%s answered %d: nothing of %s is fetched in this run (RFC 9309: a robots.txt "
                           "that cannot be read means disallow all)", response.url, response.status, netloc,
                           extra={"event": "robots_unreachable", "url": response.url, "status": response.status})
            await super()._parse_robots(response.replace(body=DISALLOW_ALL), netloc, request)
            return
        if response.status >= 400:
            body = b""
        else:
            body = readable_part(response.body)
            if len(response.body) > ROBOTS_MAX_SIZE:
                self._notice.hit("robots_size", response.url)
        await super()._parse_robots(response.replace(body=body), netloc, request)
        self._tell(response, netloc, request)

    def _tell(self, response: Response, netloc: str, request: Request) -> None:
        """One INFO line per site (-v), and a WARNING when its rules forbid us everything."""
        parser = self._parsers.get(netloc)
        if parser is None or isinstance(parser, Deferred):
            return
        agent = self._robotstxt_useragent or request.headers.get(b"User-Agent") or self._default_useragent
        root = "%s://%s/" % (urlparse_cached(response).scheme, netloc)
        if forbids_everything(parser, root, agent):
            self._stats.inc_value("robotstxt/forbids_all")
            logger.warning("%s forbids this crawler everything of %s: nothing of it is fetched (User-agent %s)",
                           response.url, netloc, agent if isinstance(agent, str) else agent.decode("latin-1"),
                           extra={"event": "robots_forbid_all", "url": response.url})
            return
        logger.info("robots.txt of %s read (%d, %d bytes)", netloc, response.status, len(response.body),
                    extra={"event": "robots_fetched", "url": response.url, "status": response.status})
