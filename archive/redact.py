"""Keeps credentials out of request records and out of what is printed.

A WARC is shared (WACZ files, pywb replays), so a request record holds what the origin server
received, with the values of headers that carry credentials replaced (the header stays, so the
record still says that the request was authenticated). A request sent through a forwarding proxy is
recorded as the origin would have seen it: origin-form target, without the proxy's own
Proxy-Authorization. URLs shown to people have their `user:password@` masked.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

REDACTED = b"[redacted]"
CREDENTIAL_HEADERS = ("Authorization", "Proxy-Authorization", "Cookie")
_CREDENTIAL_NAMES = frozenset(name.lower().encode("ascii") for name in CREDENTIAL_HEADERS)
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<info>[^/?#\s]*)@")


def _head_lines(head: bytes) -> tuple[list[bytes], bytes]:
    """The lines of a head (request line first) and what follows its blank line."""
    text, sep, rest = head.partition(b"\r\n\r\n")
    return text.split(b"\r\n"), sep + rest


def _name(line: bytes) -> bytes:
    return line.split(b":", 1)[0].strip().lower()


def redact_credentials(head: bytes) -> tuple[bytes, list[str]]:
    """`head` with the value of each credential header replaced by [redacted]; the names replaced."""
    lines, tail = _head_lines(head)
    out, redacted, inside = [lines[0]], [], False
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):  # an obsolete folded continuation of the header above
            if not inside:
                out.append(line)
            continue
        inside = b":" in line and _name(line) in _CREDENTIAL_NAMES
        if inside:
            name = line.split(b":", 1)[0]
            out.append(name + b": " + REDACTED)
            redacted.append(name.decode("latin-1"))
        else:
            out.append(line)
    if not redacted:
        return head, []
    return b"\r\n".join(out) + tail, redacted


def as_sent_to_origin(head: bytes) -> bytes:
    """A request head sent to a forwarding proxy, as the origin server received it.

    The proxy gets the target in absolute form (`GET http://host/path HTTP/1.1`) and its own
    Proxy-Authorization; it passes on the path and query, and never its credentials.
    """
    lines, tail = _head_lines(head)
    method, _, rest = lines[0].partition(b" ")
    target, _, version = rest.partition(b" ")
    if b"://" in target[:16]:
        parts = urlsplit(target.decode("latin-1"))
        origin = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        lines[0] = b" ".join((method, origin.encode("latin-1"), version))
    kept, dropping = [lines[0]], False
    for line in lines[1:]:
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = _name(line) == b"proxy-authorization"
        if not dropping:
            kept.append(line)
    return b"\r\n".join(kept) + tail


def mask_userinfo(text: str) -> str:
    """`text` with the password of every URL's `user:password@` shown as *** (a lone user too)."""

    def masked(match: re.Match[str]) -> str:
        user, colon, _ = match.group("info").partition(":")
        return match.group("scheme") + (user + ":***@" if colon else "***@")

    return _USERINFO.sub(masked, text)


class UserinfoFilter(logging.Filter):
    """A logging filter that masks URL credentials in every message it lets through."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "@" in message:
            masked = mask_userinfo(message)
            if masked != message:
                record.msg, record.args = masked, None
        return True
