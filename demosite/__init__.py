"""The bundled demo news site: what ``newsarchive demo-site`` serves and every crawl test uses."""
from __future__ import annotations

from demosite.server import ArticleInfo, DemoSite, PortUnavailable, main_serve

__all__ = ["ArticleInfo", "DemoSite", "PortUnavailable", "main_serve"]
