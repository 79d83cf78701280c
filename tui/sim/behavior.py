"""What a container does once started: its plan.

The kubelet asks for a plan each time it starts a container instance, so a
fix (a new image, more memory, a new config) takes effect on the next start,
exactly as on a real cluster. Plans come from the container's profile (what
kind of program the image is) and the scenario, which may make it crash,
leak memory, or fail its readiness probe.

The image registry lives here too: which images can be pulled.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from tui.sim.objects import memory_bytes

Obj = dict[str, Any]
MI = 2**20


@dataclass(frozen=True)
class Profile:
    """A kind of program: how it logs and what it uses."""

    name: str
    cpu_m: float = 20.0  # typical usage, millicores
    memory_mi: float = 64.0  # working set once warm
    warmup: float = 60.0  # sim seconds to reach the working set
    ready_after: float = 3.0  # sim seconds from start to passing readiness
    log_rate: float = 0.5  # lines per sim second at steady state
    port: int = 8080


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("node-api", cpu_m=45, memory_mi=180, ready_after=4, log_rate=1.2, port=3000),
        Profile("ingress-nginx", cpu_m=35, memory_mi=160, ready_after=5, log_rate=2.0, port=80),
        Profile("nginx", cpu_m=5, memory_mi=24, ready_after=2, log_rate=0.8, port=80),
        Profile("python-api", cpu_m=60, memory_mi=220, ready_after=5, log_rate=1.0, port=8000),
        Profile("python-worker", cpu_m=400, memory_mi=900, ready_after=2, log_rate=0.4),
        Profile("postgres", cpu_m=120, memory_mi=420, ready_after=6, log_rate=0.08, port=5432),
        Profile("mongo", cpu_m=80, memory_mi=520, ready_after=6, log_rate=0.3, port=27017),
        Profile("redis", cpu_m=12, memory_mi=40, ready_after=2, log_rate=0.03, port=6379),
        Profile("coredns", cpu_m=6, memory_mi=22, ready_after=2, log_rate=0.4, port=53),
        Profile("kube-proxy", cpu_m=3, memory_mi=26, ready_after=1, log_rate=0.02),
        Profile("metrics-server", cpu_m=6, memory_mi=28, ready_after=3, log_rate=0.05),
        Profile("cert-manager", cpu_m=3, memory_mi=40, ready_after=3, log_rate=0.1),
        Profile("generic", cpu_m=10, memory_mi=48, ready_after=2, log_rate=0.2),
    )
}

# Image name fragments -> profile, first match wins.
_IMAGE_PROFILES = (
    ("ingress-nginx/controller", "ingress-nginx"),
    ("coredns", "coredns"),
    ("kube-proxy", "kube-proxy"),
    ("metrics-server", "metrics-server"),
    ("cert-manager", "cert-manager"),
    ("postgres", "postgres"),
    ("mongo", "mongo"),
    ("redis", "redis"),
    ("nginx", "nginx"),
    ("worker", "python-worker"),
    ("batch", "python-worker"),
    ("python", "python-api"),
    ("django", "python-api"),
    ("fastapi", "python-api"),
    ("busybox", "generic"),
    ("alpine", "generic"),
    ("pause", "generic"),
)


def profile_for(image: str) -> Profile:
    lowered = image.lower()
    for fragment, name in _IMAGE_PROFILES:
        if fragment in lowered:
            return PROFILES[name]
    return PROFILES["node-api"]


@dataclass(frozen=True)
class ContainerPlan:
    """One container instance's life."""

    profile: str = "generic"
    runs_for: float | None = None  # sim seconds until it exits by itself; None: forever
    exit_code: int = 1
    reason: str = "Error"  # terminated reason: Error, OOMKilled, Completed
    ready: bool = True  # passes its readiness probe (after ready_after)
    ready_after: float = 3.0
    probe_message: str = ""  # the Unhealthy event while not ready
    last_words: tuple[str, ...] = ()  # the log's last lines when it exits
    pull_seconds: float = 2.0
    stop_seconds: float = 1.0  # how long it takes to exit on SIGTERM
    cpu_m: float = 10.0
    memory_mi: float = 48.0
    warmup: float = 60.0
    params: dict[str, Any] = field(default_factory=dict)

    def but(self, **changes: Any) -> ContainerPlan:
        return replace(self, **changes)


def default_plan(container: Obj, *, init: bool, seed_key: str) -> ContainerPlan:
    profile = profile_for(container.get("image", ""))
    jitter = _unit(seed_key)  # 0..1, stable per instance
    plan = ContainerPlan(
        profile=profile.name,
        ready_after=profile.ready_after * (0.8 + 0.4 * jitter),
        pull_seconds=1.2 + 2.5 * jitter,
        cpu_m=profile.cpu_m,
        memory_mi=profile.memory_mi,
        warmup=profile.warmup,
        params={"version": image_tag(container.get("image", "")).removeprefix("v")},
    )
    if init:
        return plan.but(runs_for=1.0 + jitter, exit_code=0, reason="Completed", profile="generic")
    return plan


def image_tag(image: str) -> str:
    last = image.split("@")[0].rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def oom_if_too_small(plan: ContainerPlan, container: Obj) -> ContainerPlan:
    """Physics: a program whose working set exceeds its memory limit is OOM-killed
    when its usage (growing towards the working set) crosses the limit."""
    limit = memory_bytes((container.get("resources") or {}).get("limits", {}).get("memory", 0))
    if not limit or plan.memory_mi * MI <= limit:
        return plan
    # Usage grows linearly from 40% of the working set over `warmup` seconds.
    start = 0.4 * plan.memory_mi * MI
    full = plan.memory_mi * MI
    at = 1.0 if limit <= start else plan.warmup * (limit - start) / (full - start)
    return plan.but(runs_for=max(at, 1.0), exit_code=137, reason="OOMKilled")


def memory_at(plan: ContainerPlan, elapsed: float) -> float:
    """Working-set bytes `elapsed` sim seconds after start."""
    full = plan.memory_mi * MI
    if plan.warmup <= 0 or elapsed >= plan.warmup:
        return full
    return full * (0.4 + 0.6 * max(0.0, elapsed) / plan.warmup)


def _unit(key: str) -> float:
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


class Registry:
    """The container registry: which images exist, their digests and sizes."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.missing: set[str] = set()

    def exists(self, image: str) -> bool:
        return image not in self.missing and normalize(image) not in self.missing

    def digest(self, image: str) -> str:
        return hashlib.sha256(f"{self.seed}/{normalize(image)}".encode()).hexdigest()

    def image_id(self, image: str) -> str:
        head, _, last = normalize(image).split("@")[0].rpartition("/")
        repository = f"{head}/{last.split(':')[0]}" if head else last.split(":")[0]
        return f"{repository}@sha256:{self.digest(image)}"

    def size(self, image: str) -> int:
        return 18_000_000 + int(_unit(f"size/{image}") * 240_000_000)

    def pull_error(self, image: str) -> str:
        full = normalize(image)
        return (
            f'rpc error: code = NotFound desc = failed to pull and unpack image "{full}":'
            f' failed to resolve reference "{full}": {full}: not found'
        )


def normalize(image: str) -> str:
    """containerd's full reference: nginx:1.27 -> docker.io/library/nginx:1.27."""
    first, _, rest = image.partition("/")
    if not rest:
        return f"docker.io/library/{image}"
    if "." in first or ":" in first or first == "localhost":
        return image
    return f"docker.io/{image}"
