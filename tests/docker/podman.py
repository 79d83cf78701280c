"""A throwaway container engine: podman's Docker-compatible API service with its storage,
state and configuration in one directory, so nothing on the machine changes.

The image is built from a static busybox (`podman import` of a root filesystem),
so nothing is pulled. Containers run without a network: what is exercised is
processes, logs, exits, limits and health checks, not packets. Used by the
docker tests (a session fixture) and by `bench/containers.py`.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IMAGE = "localhost/warroom-test-busybox:latest"
# A long-running process that stops on SIGTERM at once (a bare `sleep` as PID 1 ignores
# it, so every stop would wait for the engine's 10 s grace period).
SERVE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]
INSTALL_HINT = "./scripts/test installs podman, runc and busybox-static"

CONTAINERS_CONF = """\
[containers]
# The stock limits exceed the hard limits some machines allow.
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]
netns = "none"

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "{root}/tmp"
volume_path = "{root}/volumes"

[network]
network_config_dir = "{root}/networks"
"""

STORAGE_CONF = """\
[storage]
driver = "vfs"
graphroot = "{root}/storage"
runroot = "{root}/run"
"""


class PodmanUnavailable(Exception):
    """Podman cannot run here; the message says why."""


@dataclass
class Podman:
    """The running service: its URL for the docker SDK, and the CLI with the same storage."""

    root: Path
    url: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    _api: Any = field(default=None, repr=False)

    @property
    def api(self) -> Any:
        import docker

        if self._api is None:
            self._api = docker.APIClient(base_url=self.url, timeout=30, max_pool_size=32)
        return self._api

    def cli(self, *args: str, check: bool = True, timeout: float = 60) -> str:
        result = subprocess.run(["podman", *args], env=self.env, cwd=self.root,
                                capture_output=True, text=True, timeout=timeout)  # fmt: skip
        if check and result.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def run(
        self,
        name: str,
        command: list[str],
        *,
        labels: dict[str, str] | None = None,
        restart: str | None = None,
        memory: str | None = None,
        healthcheck: list[str] | None = None,
        env: list[str] | None = None,
        start: bool = True,
    ) -> str:
        """Create (and start) a container through the Docker-compatible API; its id."""
        api = self.api
        host = api.create_host_config(
            network_mode="none",
            restart_policy={"Name": restart} if restart else None,
            mem_limit=memory,
            memswap_limit=memory,
        )
        container_id = str(
            api.create_container(
                IMAGE,
                command,
                name=name,
                labels=labels or {},
                environment=env,
                host_config=host,
                # An hour apart: nothing schedules checks without systemd; tests run them.
                healthcheck=(
                    {"test": healthcheck, "interval": 3_600_000_000_000, "retries": 1}
                    if healthcheck
                    else None
                ),
            )["Id"]
        )
        if start:
            api.start(container_id)
        return container_id

    def healthcheck(self, name: str) -> str:
        """Run a container's health check now: 'healthy' or 'unhealthy'."""
        return self.cli("healthcheck", "run", name, check=False).strip()

    def state(self, name: str) -> dict[str, Any]:
        return dict(self.api.inspect_container(name)["State"])


def _static(path: Path) -> bool:
    """An ELF executable without a program interpreter: it needs no libc in the image."""
    with path.open("rb") as binary:
        head = binary.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit ELF only
            return False
        phoff = int.from_bytes(head[0x20:0x28], "little")
        size = int.from_bytes(head[0x36:0x38], "little")
        count = int.from_bytes(head[0x38:0x3A], "little")
        binary.seek(phoff)
        table = binary.read(size * count)
    pt_interp = 3
    return all(
        int.from_bytes(table[i * size : i * size + 4], "little") != pt_interp for i in range(count)
    )


def _busybox() -> Path | None:
    for candidate in ("/bin/busybox", "/usr/bin/busybox", shutil.which("busybox")):
        if candidate and Path(candidate).exists() and _static(Path(candidate)):
            return Path(candidate)
    return None


def rootfs_tar(busybox: Path) -> bytes:
    """A root filesystem of one static busybox and a link per applet, as a tar stream."""
    applets = subprocess.run([str(busybox), "--list"], capture_output=True, text=True, check=True)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for directory in ("bin", "tmp", "etc", "proc", "sys", "dev", "root"):
            info = tarfile.TarInfo(directory)
            info.type = tarfile.DIRTYPE
            info.mode = 0o1777 if directory == "tmp" else 0o755
            tar.addfile(info)
        tar.add(str(busybox), arcname="bin/busybox")
        for applet in applets.stdout.split():
            if applet != "busybox":
                link = tarfile.TarInfo(f"bin/{applet}")
                link.type = tarfile.SYMTYPE
                link.linkname = "busybox"
                tar.addfile(link)
    return out.getvalue()


def _wait_for_api(url: str, process: subprocess.Popen[bytes], within: float = 30) -> str | None:
    """None once the API answers; otherwise why it did not."""
    import docker

    deadline = time.monotonic() + within
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"the service exited with status {process.returncode}"
        try:
            docker.APIClient(base_url=url, timeout=5).ping()
            return None
        except Exception as error:  # not listening yet
            last = str(error)
            time.sleep(0.2)
    return last


def _prepare(root: Path) -> dict[str, str]:
    if shutil.which("podman") is None:
        raise PodmanUnavailable(f"podman is not installed ({INSTALL_HINT})")
    busybox = _busybox()
    if busybox is None:
        raise PodmanUnavailable(f"no static busybox to build the image from ({INSTALL_HINT})")
    (root / "containers.conf").write_text(CONTAINERS_CONF.format(root=root))
    (root / "storage.conf").write_text(STORAGE_CONF.format(root=root))
    env = {
        **os.environ,
        "CONTAINERS_CONF": str(root / "containers.conf"),
        "CONTAINERS_STORAGE_CONF": str(root / "storage.conf"),
    }
    imported = subprocess.run(
        ["podman", "import", "-", IMAGE], input=rootfs_tar(busybox), env=env,
        capture_output=True, timeout=120,
    )  # fmt: skip
    if imported.returncode != 0:
        raise PodmanUnavailable(f"podman import failed: {imported.stderr[-500:]!r}")
    trial = subprocess.run(["podman", "run", "--rm", IMAGE, "true"], env=env, cwd=root,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    if trial.returncode != 0:
        raise PodmanUnavailable(f"podman cannot run a container here: {trial.stderr[-500:]}")
    return env


@contextmanager
def podman_service(root: Path) -> Iterator[Podman]:
    """`podman system service` on root/podman.sock until the block ends; every container
    it made is removed on the way out. PodmanUnavailable if podman cannot run here."""
    env = _prepare(root)
    url = f"unix://{root / 'podman.sock'}"
    with (root / "service.log").open("wb") as log:
        # Run from `root`: podman 4's conmon writes an `oom` file into its working directory.
        process = subprocess.Popen(
            ["podman", "system", "service", "--time=0", url], cwd=root,
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            problem = _wait_for_api(url, process)
            if problem is not None:
                raise PodmanUnavailable(f"podman's API service did not start: {problem}")
            yield Podman(root, url, env, process)
        finally:
            subprocess.run(["podman", "rm", "--all", "--force", "--time", "0"], env=env,
                           capture_output=True, timeout=300)  # fmt: skip
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
