"""A stand-in engine that serves recorded documents at docker's pace.

Podman streams a stats reading every 5 s; docker every second. To measure the
console at docker's pace with the same containers, this serves what a real
engine returned (the listing, every container's inspect document, one stats
reading each) over the Docker API on a unix socket, and streams stats at
`period`: CPU and I/O counters advance with each reading, so every reading
changes what the pane shows. Crash-looping containers get a die/start event
pair every second, as a restarting container does.
"""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

API_VERSION = "1.41"


class ReplayEngine:
    def __init__(
        self,
        socket: Path,
        listing: Sequence[Mapping[str, Any]],
        inspects: Mapping[str, Mapping[str, Any]],
        stats: Mapping[str, Mapping[str, Any]],
        crashing: Sequence[str] = (),
        period: float = 1.0,
    ) -> None:
        self.socket = socket
        self.listing = list(listing)
        self.inspects = dict(inspects)
        self.stats = dict(stats)
        self.crashing = list(crashing)
        self.period = period
        self.readings = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="replay-engine", daemon=True)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the replay engine did not start")

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/version", self._version)
        app.router.add_get("/_ping", self._ping)
        app.router.add_get("/v{v}/version", self._version)
        app.router.add_get("/v{v}/_ping", self._ping)
        app.router.add_get("/v{v}/info", self._info)
        app.router.add_get("/v{v}/containers/json", self._list)
        app.router.add_get("/v{v}/containers/{id}/json", self._inspect)
        app.router.add_get("/v{v}/containers/{id}/stats", self._stats)
        app.router.add_get("/v{v}/events", self._events)
        self._runner = web.AppRunner(app, handle_signals=False)
        self._loop.run_until_complete(self._runner.setup())
        site = web.UnixSite(self._runner, str(self.socket))
        self._loop.run_until_complete(site.start())
        self._ready.set()
        self._loop.run_forever()

    async def _version(self, request: web.Request) -> web.Response:
        engine = {"Name": "Engine", "Version": "24.0.0"}
        return web.json_response(
            {"Version": "24.0.0", "ApiVersion": API_VERSION, "Components": [engine]}
        )

    async def _ping(self, request: web.Request) -> web.Response:
        return web.Response(text="OK")

    async def _info(self, request: web.Request) -> web.Response:
        return web.json_response({"Name": "replay", "Containers": len(self.listing)})

    async def _list(self, request: web.Request) -> web.Response:
        return web.json_response(self.listing)

    async def _inspect(self, request: web.Request) -> web.Response:
        found = self.inspects.get(request.match_info["id"])
        if found is None:
            return web.json_response({"message": "no such container"}, status=404)
        return web.json_response(found)

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        container_id = request.match_info["id"]
        sample = copy.deepcopy(self.stats.get(container_id) or {})
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        cpu = sample.setdefault("cpu_stats", {})
        usage = cpu.setdefault("cpu_usage", {"total_usage": 0})
        step = 1 + hash(container_id) % 50  # a few % of a core each, all different
        try:
            await self._stream_stats(response, sample, cpu, usage, step)
        except ConnectionError:  # the console went away: so does its stream
            pass
        return response

    async def _stream_stats(
        self,
        response: web.StreamResponse,
        sample: dict[str, Any],
        cpu: dict[str, Any],
        usage: dict[str, Any],
        step: int,
    ) -> None:
        while True:
            previous = copy.deepcopy(cpu)
            usage["total_usage"] = int(usage.get("total_usage", 0)) + step * 1_000_000
            cpu["system_cpu_usage"] = int(cpu.get("system_cpu_usage", 0)) + 2_000_000_000
            sample["precpu_stats"] = previous
            for network in (sample.get("networks") or {}).values():
                network["rx_bytes"] = int(network.get("rx_bytes", 0)) + 512
            sample["read"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            await response.write(json.dumps(sample).encode() + b"\n")
            self.readings += 1
            await asyncio.sleep(self.period)

    async def _events(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            await self._crash_events(response)
        except ConnectionError:  # the console went away
            pass
        return response

    async def _crash_events(self, response: web.StreamResponse) -> None:
        while True:
            await asyncio.sleep(1.0)
            now = time.time()
            for container_id in self.crashing:
                name = str(self.inspects[container_id].get("Name", "")).lstrip("/")
                for action, code in (("die", "1"), ("start", "0")):
                    event = {"status": action, "id": container_id, "Type": "container",
                             "Action": action, "time": int(now), "timeNano": int(now * 1e9),
                             "Actor": {"ID": container_id,
                                       "Attributes": {"name": name, "exitCode": code}}}  # fmt: skip
                    await response.write(json.dumps(event).encode() + b"\n")
