"""DrillCluster: a Kubernetes API server on loopback, playing one incident scenario.

    cluster = DrillCluster("bad-deploy")
    await cluster.start()            # HTTPS on 127.0.0.1, a fresh CA and tokens
    cluster.write_kubeconfig(path)   # then: KUBECONFIG=path kubectl get pods -A
    ...
    await cluster.stop()

`ClusterThread` runs one in a background thread with its own event loop, so
the console (or a test) keeps its loop to itself and talks to the cluster only
through HTTPS, exactly as it would to a real one.

Faults: `cluster.faults` (errors per resource, latency, dropped watches),
`restart(down_for)`, `revoke_tokens()`, `expire_versions()`; from another
process, POST /_sim/faults with the admin token (see faults.py for its JSON).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import ssl
import tempfile
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from tui.sim.faults import Faults
from tui.sim.kubeconfig import kubeconfig, write_kubeconfig
from tui.sim.pki import ServerCertificate, make_server_certificate
from tui.sim.server import ApiServer, Users
from tui.sim.store import ObjectStore
from tui.sim.world import World

T = TypeVar("T")


class DrillCluster:
    def __init__(
        self,
        scenario: str = "healthy",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        speed: float = 1.0,
        manifests: Path | None = None,
    ) -> None:
        self.scenario = scenario
        self.host = host
        self.port = port
        self.seed = seed
        self.speed = speed
        self.manifests = manifests
        self.store = ObjectStore()
        self.faults = Faults()
        self.users = Users(secrets.token_urlsafe(24), secrets.token_urlsafe(24))
        self.world = World(self.store, seed=seed, speed=speed)
        self.api = ApiServer(
            self.store,
            self.users,
            self.faults,
            logs=self.world.logs,
            metrics=self.world.metrics,
            hooks=self.world,
            control=self,
        )
        self.certificate: ServerCertificate | None = None
        self._runner: web.AppRunner | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None
        # Kubeconfig files handed out, rewritten when the tokens are revoked.
        self._kubeconfigs: list[Path] = []
        self._restarting: asyncio.Task[None] | None = None

    # -- life cycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Load the scenario, start serving, start the controllers."""
        self.world.load_scenario(self.scenario)
        if self.manifests is not None:
            self.world.load_manifests(self.manifests)
        self.certificate = await asyncio.to_thread(make_server_certificate)
        await self._serve()
        self.world.start()

    async def _serve(self) -> None:
        assert self.certificate is not None
        if self._tls_dir is None:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="warroom-drill-")
        folder = Path(self._tls_dir.name)
        (folder / "server.crt").write_bytes(self.certificate.cert_pem)
        (folder / "server.key").write_bytes(self.certificate.key_pem)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(folder / "server.crt", folder / "server.key")
        # Watches and followed logs are long requests: on stop, cut them at once; and
        # when a client goes away, cancel its handler so its watch does not linger.
        runner = web.AppRunner(
            self.api.app,
            handle_signals=False,
            access_log=None,
            shutdown_timeout=0.2,
            handler_cancellation=True,
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, ssl_context=context, reuse_address=True)
        await site.start()
        server = getattr(site, "_server", None)
        if server is not None and server.sockets:
            self.port = server.sockets[0].getsockname()[1]
        self._runner = runner

    async def _unserve(self) -> None:
        self.faults.drop_watches()
        self.store.close_watches()
        self.world.close_streams()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def restart(self, down_for: float = 0.5) -> None:
        """Stop answering (connections drop), then come back on the same port with the
        same state, as an API server restart does."""
        await self._unserve()
        await asyncio.sleep(down_for)
        await self._serve()

    def schedule_restart(self, down_for: float) -> None:
        """Restart soon, from the loop (the fault endpoint answers first)."""

        async def later() -> None:
            await asyncio.sleep(0.05)
            await self.restart(down_for)

        self._restarting = asyncio.get_running_loop().create_task(later())

    async def stop(self) -> None:
        if self._restarting is not None and not self._restarting.done():
            self._restarting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._restarting
        self.world.stop()
        await self._unserve()
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
            self._tls_dir = None

    # -- faults that need the whole cluster -------------------------------------------

    def revoke_tokens(self) -> None:
        """Invalidate both users' tokens: clients holding them get 401.

        The kubeconfig files this cluster wrote get the new tokens, as after a
        credential rotation: a client that reloads its kubeconfig recovers.
        """
        self.users.admin_token = secrets.token_urlsafe(24)
        self.users.readonly_token = secrets.token_urlsafe(24)
        for path in self._kubeconfigs:
            if path.exists():
                write_kubeconfig(path, self.kubeconfig())

    def expire_versions(self) -> None:
        """Forget watch history: resuming from any version seen so far gets 410 Gone."""
        self.store.expire_history()

    # -- client configuration ------------------------------------------------------

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def kubeconfig(self) -> dict[str, Any]:
        assert self.certificate is not None, "start the cluster first"
        return kubeconfig(
            self.url, self.certificate.ca_pem, self.users.admin_token, self.users.readonly_token
        )

    def write_kubeconfig(self, path: Path) -> Path:
        write_kubeconfig(path, self.kubeconfig())
        if path not in self._kubeconfigs:
            self._kubeconfigs.append(path)
        return path


class ClusterThread:
    """A DrillCluster on its own thread and event loop."""

    def __init__(self, scenario: str = "healthy", **options: Any) -> None:
        self.cluster = DrillCluster(scenario, **options)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="warroom-drill", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self.cluster.start())
        except BaseException as error:
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self.cluster.stop())
        self._loop.close()

    def start(self, timeout: float = 30.0) -> DrillCluster:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise TimeoutError("the drill cluster did not start")
        if self._error is not None:
            raise self._error
        return self.cluster

    def call(
        self, function: Callable[..., T | Awaitable[T]], *args: Any, timeout: float = 30.0
    ) -> T:
        """Run `function(*args)` on the cluster's loop (awaiting it if it is a coroutine)."""
        result: Future[T] = Future()

        async def runner() -> None:
            try:
                value = function(*args)
                if asyncio.iscoroutine(value):
                    value = await value
                result.set_result(value)  # type: ignore[arg-type]
            except BaseException as error:
                result.set_exception(error)

        asyncio.run_coroutine_threadsafe(runner(), self._loop)
        return result.result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)

    def __enter__(self) -> DrillCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.stop()
