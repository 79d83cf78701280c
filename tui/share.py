"""The web server behind `warroom serve`: textual-serve, behind a token.

textual-serve runs one console process per browser tab and relays its screen
over a websocket. Its own server has no access control and its page loads a
font from the internet; this subclass keeps the relay and replaces the rest:

* every request (page, scripts, websocket, downloads) needs the token, either
  as `?token=...` or as the cookie the page sets when opened with the right
  one (the browser cannot put it in the websocket's URL: textual.js builds that);
* the websocket is refused when it is opened from another site's page;
* the page is ours: everything it loads comes from this server.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jinja2
from aiohttp import web
from textual_serve.server import Server

TOKEN_PARAMETER = "token"

# The page textual-serve's template draws, without its Google Fonts link: the
# font is served from the package's own static files.
PAGE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="referrer" content="no-referrer" />
    <title>{{ title }}</title>
    <link rel="stylesheet" href="{{ static }}css/xterm.css" />
    <script src="{{ static }}js/textual.js"></script>
    <style>
      @font-face {
        font-family: "Roboto Mono";
        src: url("{{ static }}fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
      }
      body { background: #0c181f; margin: 0; }
      .notice {
        position: absolute; width: 100vw; height: 100vh; z-index: 10;
        display: flex; align-items: center; justify-content: center;
        font-family: "Roboto Mono", monospace; font-size: 16px;
        color: rgba(255, 255, 255, 0.95);
      }
      body.-first-byte .connecting { display: none; }
      body .textual-terminal { opacity: 0; }
      body.-first-byte .textual-terminal { opacity: 1; transition: opacity 0.3s ease-out; }
      .ended { display: none; background: #0c181f; flex-direction: column; }
      body.-closed .ended { display: flex; }
      button {
        padding: 16px 32px; margin: 16px; border: none; cursor: pointer;
        background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
        font-family: "Roboto Mono", monospace;
      }
    </style>
  </head>
  <body>
    <div class="notice connecting">{{ title }}: connecting…</div>
    <div class="notice ended">
      <div>Session ended.</div>
      <button type="button" onclick="window.location.reload()">Reconnect</button>
    </div>
    <div
      id="terminal"
      class="textual-terminal"
      data-session-websocket-url="{{ websocket_url }}"
      data-font-size="{{ font_size }}"
    ></div>
  </body>
</html>
"""
)


def cookie_name(token: str) -> str:
    # Named after the token: two shares on one host (two ports) keep their own cookie.
    return "warroom_share_" + hashlib.sha256(token.encode()).hexdigest()[:12]


def same_token(given: str, token: str) -> bool:
    return secrets.compare_digest(given.encode(), token.encode())


def display_url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?{TOKEN_PARAMETER}={token}"


class SharedConsole(Server):
    """textual-serve's relay of `command`, for holders of `token` only."""

    def __init__(self, command: str, *, host: str, port: int, token: str, title: str) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.cookie = cookie_name(token)

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._require_token])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        return app

    @web.middleware
    async def _require_token(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        given = request.query.get(TOKEN_PARAMETER) or request.cookies.get(self.cookie, "")
        if not same_token(given, self.token):
            raise web.HTTPForbidden(
                text="warroom serve: open the link with its token (…/?token=…).\n"
            )
        origin = request.headers.get("Origin")
        if origin and origin not in (f"http://{request.host}", f"https://{request.host}"):
            # A page of another site must not drive a console with this browser's cookie.
            raise web.HTTPForbidden(text="warroom serve: requests from another site are refused.\n")
        return await handler(request)

    async def handle_index(self, request: web.Request) -> web.Response:  # type: ignore[override]
        try:
            font_size = int(request.query.get("fontsize", "16"))
        except ValueError:
            font_size = 16
        page = PAGE.render(
            title=self.title,
            static="/static/",
            # From the address the browser used: right behind any name or port forward.
            websocket_url=f"ws://{request.host}/ws",
            font_size=font_size,
        )
        response = web.Response(text=page, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        # The scripts and the websocket that follow carry the token as this cookie.
        response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response


@dataclass(frozen=True, slots=True)
class Listening:
    host: str
    port: int


async def serve_until_stopped(
    server: SharedConsole, on_listening: Callable[[Listening], Any]
) -> None:
    """Listen until SIGINT or SIGTERM; OSError if the address cannot be bound."""
    runner = web.AppRunner(server.make_app(), handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, server.host, server.port)
        await site.start()
        address = runner.addresses[0]
        on_listening(Listening(server.host, int(address[1])))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        # Closes the websockets: each viewer's console is told to quit.
        await runner.cleanup()
