"""A tiny forwarding HTTP proxy on 127.0.0.1 that wants credentials (for the secrets tests)."""
from __future__ import annotations

import base64
import socket
import threading
from urllib.parse import urlsplit


class ForwardingProxy:
    """Answers 407 without the right Proxy-Authorization; otherwise forwards the request (origin-form,
    without Proxy-Authorization) to the origin and relays its answer. One request per connection."""

    def __init__(self, user: str, password: str) -> None:
        self.expected = b"Basic " + base64.b64encode(("%s:%s" % (user, password)).encode())
        self.heads: list[bytes] = []  # every request head received from the crawler
        self.refused = 0
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> ForwardingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            with self._lock:
                self.heads.append(head)
            lines = head.split(b"\r\n")
            method, target, version = lines[0].split(b" ", 2)
            headers = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() != b"proxy-authorization"]
            given = [line.split(b":", 1)[1].strip() for line in lines[1:]
                     if line.split(b":", 1)[0].strip().lower() == b"proxy-authorization"]
            if given != [self.expected]:
                with self._lock:
                    self.refused += 1
                conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n"
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
            url = urlsplit(target.decode("latin-1"))
            origin_target = (url.path or "/") + ("?" + url.query if url.query else "")
            forwarded = b"\r\n".join([b" ".join((method, origin_target.encode("latin-1"), version)), *headers])
            with socket.create_connection((url.hostname, url.port or 80)) as upstream:
                upstream.sendall(forwarded + b"\r\n\r\n" + body)
                while chunk := upstream.recv(65536):
                    conn.sendall(chunk)
