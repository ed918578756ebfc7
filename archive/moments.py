"""Moments in time, one way for the whole project: aware UTC datetimes, ISO 8601 in and out."""
from __future__ import annotations

from datetime import date, datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def parse_moment(value: str, *, end_of_day: bool = False) -> datetime:
    """An ISO 8601 date or date-time (`Z` allowed), in UTC when it names no zone.

    A bare date is the start of its day, or with `end_of_day` its last microsecond (so that
    `--until 2026-03-01` includes that day). ValueError names the value."""
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
            return moment.replace(hour=23, minute=59, second=59, microsecond=999999) if end_of_day else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("%r is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss][+zone])" % value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
