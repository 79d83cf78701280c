"""The sharing server's door: a real aiohttp server on a free loopback port, real HTTP
and websocket requests. Without the token (or its cookie) nothing is served."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator

import aiohttp
import httpx
import pytest
from aiohttp import web

from tui.share import SharedConsole, cookie_name

TOKEN = "s3cret-token_for-tests-0123456789"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def base_url() -> AsyncIterator[str]:
    port = free_port()
    # `true` stands in for the console: these tests never get past the door.
    server = SharedConsole(
        "true", host="127.0.0.1", port=port, token=TOKEN, title="warroom: Disk <b>full</b>"
    )
    runner = web.AppRunner(server.make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_the_page_needs_the_token(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        assert (await client.get(f"{base_url}/")).status_code == 403
        assert (await client.get(f"{base_url}/?token=wrong-token-0123456789")).status_code == 403
        assert (await client.get(f"{base_url}/?token=")).status_code == 403
        page = await client.get(f"{base_url}/?token={TOKEN}")
    assert page.status_code == 200
    assert 'id="terminal"' in page.text
    assert page.headers["cache-control"] == "no-store"
    # The title is the incident's: escaped, never markup.
    assert "Disk &lt;b&gt;full&lt;/b&gt;" in page.text


async def test_the_page_loads_nothing_from_elsewhere(base_url: str) -> None:
    async with httpx.AsyncClient() as client:
        page = await client.get(f"{base_url}/?token={TOKEN}")
    addresses = re.findall(r"""(?:src|href)=["']([^"']+)""", page.text)
    addresses += re.findall(r"""url\(["']?([^"')]+)""", page.text)
    assert addresses, "the page should reference its scripts, styles and font"
    assert all(address.startswith("/static/") for address in addresses), addresses
    assert "//" not in page.text.replace("ws://", "").replace("<!--", "")


async def test_static_files_need_the_token_or_its_cookie(base_url: str) -> None:
    script = f"{base_url}/static/js/textual.js"
    async with httpx.AsyncClient() as client:
        assert (await client.get(script)).status_code == 403
        client.cookies.set(cookie_name(TOKEN), "not-the-token-0123456789")
        assert (await client.get(script)).status_code == 403
    async with httpx.AsyncClient() as client:
        opened = await client.get(f"{base_url}/?token={TOKEN}")
        assert cookie_name(TOKEN) in opened.cookies
        assert (await client.get(script)).status_code == 200  # with the page's cookie
        font = await client.get(f"{base_url}/static/fonts/RobotoMono-VariableFont_wght.ttf")
        assert font.status_code == 200


async def test_the_websocket_needs_the_token(base_url: str) -> None:
    ws_url = base_url.replace("http://", "ws://") + "/ws?width=80&height=24"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(ws_url)
        assert refused.value.status == 403
    wrong = {cookie_name(TOKEN): "not-the-token-0123456789"}
    async with aiohttp.ClientSession(cookies=wrong) as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(ws_url)
        assert refused.value.status == 403


async def test_the_websocket_opens_with_the_cookie_but_not_from_another_site(
    base_url: str,
) -> None:
    ws_url = base_url.replace("http://", "ws://") + "/ws?width=80&height=24"
    cookies = {cookie_name(TOKEN): TOKEN}
    async with aiohttp.ClientSession(cookies=cookies) as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(ws_url, origin="http://evil.example")
        assert refused.value.status == 403
        socket_ = await session.ws_connect(ws_url, origin=base_url)
        await socket_.close()


def test_the_link_is_printed_with_its_token() -> None:
    from tui.share import display_url

    assert display_url("127.0.0.1", 8000, TOKEN) == f"http://127.0.0.1:8000/?token={TOKEN}"
    assert display_url("::1", 8000, TOKEN).startswith("http://[::1]:8000/")
