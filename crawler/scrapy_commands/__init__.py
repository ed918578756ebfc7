"""Scrapy commands of the newsarchive project (COMMANDS_MODULE): `scrapy crawl` with its checks."""
