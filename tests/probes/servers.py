"""Real local servers for the probe tests, each on 127.0.0.1 in its own threads.

- `Site`: an HTTP or HTTPS web site with the paths the runbooks talk about
  (health, 502/503, a slow page, a JS bundle that a SPA fallback answers with
  HTML, a redirect). Its behaviour can be switched while it runs.
- `SilentServer`: accepts connections and never answers (a hung backend); counts
  how many connections are open at once.
- `PrometheusStub`: speaks the `/api/v1/query` JSON API with real response shapes.
- `closed_port()`: a port with nothing listening (connection refused).
"""

from __future__ import annotations

import json
import selectors
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

INDEX = (
    b"<!doctype html><html><head>"
    b'<link rel="stylesheet" href="/static/css/app.css">'
    b'<script defer src="/static/js/main.js"></script>'
    b'<script src="https://cdn.elsewhere.test/lib.js"></script>'
    b"</head><body><div id=root>shop</div></body></html>"
)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None
    site: Site

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake happens in the request's thread, not in the accept
        # loop, so one stalled client cannot stop the server.
        if self.tls is not None:
            request.settimeout(10)
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                request.close()
                return
        super().finish_request(request, client_address)


class _SiteHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        site = self.server.site
        site.requests.append((self.command, self.path, self.headers.get("Host", "")))
        path = urlsplit(self.path).path
        if path == "/health":
            status = site.health_status
            self._send(status, "text/plain", b"ok\n" if status == 200 else b"unhealthy\n", head)
        elif path.startswith("/status/"):
            self._send(int(path.rsplit("/", 1)[1]), "text/html", b"<h1>Bad Gateway</h1>", head)
        elif path == "/slow":
            time.sleep(site.slow_seconds)
            self._send(200, "text/plain", b"late\n", head)
        elif path == "/evil":  # terminal escapes and markup in a body: shown inert
            self._send(200, "text/plain", b"\x1b[31m[red]pwned[/red]\x07 line\r\nnext", head)
        elif path == "/redirect":
            self._send(301, "text/html", b"", head, location="https://example.test/")
        elif path.endswith(".js"):
            if site.spa_fallback:
                self._send(200, "text/html; charset=utf-8", INDEX, head)
            else:
                self._send(200, "application/javascript", b"console.log('shop');\n", head)
        elif path.endswith(".css"):
            self._send(200, "text/css", b"body{margin:0}\n", head)
        elif path == "/":
            self._send(200, "text/html; charset=utf-8", INDEX, head)
        else:
            self._send(404, "text/plain", b"not found\n", head)

    def _send(
        self, status: int, kind: str, body: bytes, head: bool, location: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class Site:
    """A running web site; `url(path, host)` builds URLs that name a host on its port."""

    def __init__(self, *, cert_file: Path | None = None, key_file: Path | None = None) -> None:
        self.health_status = 200
        self.spa_fallback = False
        self.slow_seconds = 3.0
        self.requests: list[tuple[str, str, str]] = []
        self.sni_names: list[str | None] = []
        self._server = _Server(("127.0.0.1", 0), _SiteHandler)
        self._server.site = self
        self.scheme = "http"
        if cert_file is not None and key_file is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert_file, key_file)
            context.sni_callback = self._record_sni
            self._server.tls = context
            self.scheme = "https"
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def _record_sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        self.sni_names.append(name)

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


class SilentServer:
    """Accepts TCP connections and never sends a byte: a hung backend."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=256)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self.open_now = 0
        self.most_open = 0
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        selector = selectors.DefaultSelector()
        selector.register(self._listener, selectors.EVENT_READ)
        while not self._stop.is_set():
            # Hang-ups before new connections: a client closes one connection
            # before it opens the next, and the count must not see both at once.
            ready = sorted(
                selector.select(timeout=0.1), key=lambda e: e[0].fileobj is self._listener
            )
            for key, _events in ready:
                sock = key.fileobj
                assert isinstance(sock, socket.socket)
                if sock is self._listener:
                    conn, _ = self._listener.accept()
                    conn.setblocking(False)
                    selector.register(conn, selectors.EVENT_READ)
                    self.accepted += 1
                    self.open_now += 1
                    self.most_open = max(self.most_open, self.open_now)
                    continue
                try:
                    data = sock.recv(65536)  # the request is read and ignored
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # the client gave up
                    selector.unregister(sock)
                    sock.close()
                    self.open_now -= 1
        for key in list(selector.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]
        selector.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connecting is refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


FIVE_XX = 'sum(rate(http_requests_total{code=~"5.."}[5m]))'


class _PrometheusHandler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        stub: PrometheusStub = self.server.stub
        parts = urlsplit(self.path)
        if parts.path == "/login/api/v1/query":  # an auth proxy's login page
            return self._send(200, "text/html", b"<html><form>Sign in</form></html>")
        if parts.path == "/broken/api/v1/query":
            return self._send(502, "text/html", b"<html>Bad Gateway</html>")
        if parts.path not in ("/api/v1/query", "/prometheus/api/v1/query"):
            return self._send(404, "text/plain", b"404 page not found\n")
        query = parse_qs(parts.query).get("query", [""])[0]
        stub.queries.append(query)
        if query == "up":
            result = [
                _vector({"__name__": "up", "job": "api", "instance": "10.0.0.1:8080"}, "1"),
                _vector({"__name__": "up", "job": "api", "instance": "10.0.0.2:8080"}, "0"),
                _vector({"__name__": "up", "job": "web", "instance": "10.0.0.3:8080"}, "1"),
            ]
            return self._json(200, _success("vector", result))
        if query == FIVE_XX:
            value = stub.error_rates.pop(0) if stub.error_rates else "0"
            if value == "fail":
                error = {"status": "error", "errorType": "execution", "error": "out of memory"}
                return self._json(500, error)
            return self._json(200, _success("vector", [_vector({}, value)]))
        if query == "scalar(1)":
            return self._json(200, _success("scalar", [1700000000.5, "1"]))
        if query == "vector(0) == 1":
            return self._json(200, _success("vector", []))
        if query == "slow":
            time.sleep(3)
            return self._json(200, _success("vector", []))
        if query == "heavy":
            error = {
                "status": "error",
                "errorType": "timeout",
                "error": "query timed out in expression evaluation",
            }
            return self._json(503, error)
        error = {
            "status": "error",
            "errorType": "bad_data",
            "error": f'1:{len(query)}: parse error: unexpected end of input in "{query}"',
        }
        return self._json(400, error)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, "application/json", json.dumps(payload).encode())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _vector(labels: dict[str, str], value: str) -> dict[str, Any]:
    return {"metric": labels, "value": [1700000000.123, value]}


def _success(kind: str, result: Any) -> dict[str, Any]:
    return {"status": "success", "data": {"resultType": kind, "result": result}}


class PrometheusStub:
    """A Prometheus-compatible query endpoint with canned data."""

    def __init__(self) -> None:
        self.queries: list[str] = []
        self.error_rates: list[str] = []  # successive answers of the 5xx-rate query
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _PrometheusHandler)
        self._server.daemon_threads = True
        self._server.stub = self  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
