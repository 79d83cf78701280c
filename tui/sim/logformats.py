"""What the drill's containers write: one log format per kind of program.

Each format knows how the program starts (its first lines), what a line looks
like at a given moment of its steady life (drawn from a seeded random stream,
shaped by the world's flags at that moment: "db pool exhausted", "site down"),
and how to render a (level, message) pair in its own style. Timestamps inside
the lines are the lines' own times, consistent with the kubelet's.

Formats: Node/Express (morgan access lines and winston JSON), ingress-nginx
(access log and klog), nginx, Python (uvicorn and logging), a Python batch
worker, PostgreSQL, MongoDB (structured JSON), Redis, CoreDNS and the klog of
Kubernetes components.
"""

# ruff: noqa: E501 -- log lines are data: they are as long as the programs write them

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tui.sim.flags import Flags

Entry = str | tuple[str, str]  # a raw line, or (level, message) to render


@dataclass
class LogCtx:
    pod: str
    namespace: str
    container: str
    node: str
    pod_ip: str
    start: float  # instance start, sim seconds
    end: float | None
    index: int  # restart index of the instance
    params: dict[str, Any]
    flags: Flags
    wall: Callable[[float], float]
    extra: dict[str, Any] = field(default_factory=dict)

    def flag(self, name: str, t: float) -> bool:
        return self.flags.active(name, t)

    def flag_age(self, name: str, t: float) -> float:
        since = self.flags.since(name, t)
        return 0.0 if since is None else t - since


def _dt(wall: float) -> datetime:
    return datetime.fromtimestamp(wall, UTC)


def iso_ms(wall: float, zone: str = "Z") -> str:
    moment = _dt(wall)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}{zone}"


def clf(wall: float) -> str:
    return _dt(wall).strftime("%d/%b/%Y:%H:%M:%S +0000")


def klog(wall: float, level: str = "I", thread: int = 1, where: str = "controller.go:100") -> str:
    moment = _dt(wall)
    return f"{level}{moment:%m%d %H:%M:%S}.{moment.microsecond:06d} {thread:7d} {where}]"


def severity_letter(level: str) -> str:
    """klog's one-letter severity (MongoDB's "s" field uses the same letters)."""
    return {"warn": "W", "warning": "W", "error": "E"}.get(level.lower(), "I")


# -- shared vocabulary -------------------------------------------------------------

USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
)
DEFAULT_ROUTES = (
    ("GET", "/", 30, 2019),
    ("GET", "/api/posts", 14, 5320),
    ("GET", "/api/posts/{id}", 10, 1840),
    ("GET", "/shop", 8, 2019),
    ("GET", "/static/js/main.8c1f2e.js", 8, 184_332),
    ("GET", "/static/css/main.41b7d0.css", 6, 22_104),
    ("POST", "/api/contact", 2, 64),
    ("GET", "/api/health", 6, 15),
    ("GET", "/favicon.ico", 4, 15_086),
    ("POST", "/api/cart", 2, 312),
)


def pick_route(
    rng: random.Random, routes: tuple[tuple[str, str, int, int], ...]
) -> tuple[str, str, int]:
    total = sum(r[2] for r in routes)
    roll = rng.uniform(0, total)
    for method, path, weight, size in routes:
        roll -= weight
        if roll <= 0:
            return method, path.replace("{id}", str(rng.randint(1, 480))), size
    method, path, _, size = routes[-1]
    return method, path, size


def client_ip(rng: random.Random) -> str:
    return f"{rng.choice((73, 98, 174, 24, 67, 142))}.{rng.randint(1, 254)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


def is_static(path: str) -> bool:
    return path.startswith("/static/") or path.endswith((".js", ".css", ".ico", ".png"))


class LogFormat:
    name = "generic"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [(0.05, ("info", f"starting {ctx.container}"))]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        return ("info", rng.choice(("heartbeat ok", "work loop idle", "metrics flushed")))

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        return f"{iso_ms(ctx.wall(t))} {level.upper():5} {message}"

    def rate(self, ctx: LogCtx, t: float, base: float) -> float:
        return base


# -- Node / Express ----------------------------------------------------------------


class NodeApi(LogFormat):
    """Express: morgan access lines on stdout, winston JSON for everything else."""

    name = "node-api"

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        record: dict[str, Any] = {"level": level.lower(), "message": message}
        record["service"] = ctx.params.get("service", ctx.container)
        record["timestamp"] = iso_ms(ctx.wall(t))
        return json.dumps(record, separators=(",", ":"))

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        service = ctx.params.get("service", ctx.container)
        version = ctx.params.get("version", "1.0.0")
        lines: list[tuple[float, Entry]] = [
            (0.0, ""),
            (0.01, f"> {service}@{version} start"),
            (0.02, "> node server.js"),
            (0.03, ""),
            (0.4, ("info", f"starting {service} v{version} (node v20.18.0, NODE_ENV=production)")),
        ]
        db = ctx.params.get("db")
        if db:
            lines.append((0.6, ("info", f"connecting to {db}")))
        if not ctx.params.get("crash"):
            if db:
                lines.append(
                    (
                        1.1,
                        ("info", f"{ctx.params.get('db_name', 'database')} connection established"),
                    )
                )
            lines.append(
                (1.3, ("info", f"server listening on port {ctx.params.get('port', 3000)}"))
            )
        return lines

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        wall = ctx.wall(t)
        roll = rng.random()
        if ctx.flag("db_down", t) and roll < 0.35:
            host = ctx.params.get("db_host", "postgres:5432")
            return ("error", f"query failed: connect ECONNREFUSED {host}")
        if ctx.flag("db_pool_exhausted", t):
            age = ctx.flag_age("db_pool_exhausted", t)
            if roll < 0.22:
                return (
                    "error",
                    rng.choice(
                        (
                            "query failed: error: remaining connection slots are reserved for non-replication superuser connections (SQLSTATE 53300)",
                            "query failed: error: sorry, too many clients already (SQLSTATE 53300)",
                            'Error: too many connections for role "akaind"',
                            "TimeoutError: ResourceRequest timed out (pool: 20/20 in use, 37 waiting)",
                        )
                    ),
                )
            if roll < 0.40:
                # Latency climbs the longer the pool stays exhausted.
                slow = int(400 + min(age, 3600) * 4 + rng.randint(0, 900))
                path = rng.choice(("/api/checkout", "/api/products", "/api/session", "/api/orders"))
                return (
                    "warn",
                    f"slow request GET {path} took {slow}ms (db pool wait {slow - rng.randint(40, 200)}ms)",
                )
        if ctx.flag("mime_rewrite", t) and roll < 0.12:
            asset = rng.choice(
                (
                    "/static/js/main.8c1f2e.js",
                    "/static/js/vendor.2b7e91.js",
                    "/static/css/main.41b7d0.css",
                )
            )
            kind = "script" if asset.endswith(".js") else "stylesheet"
            mime = "not executable" if kind == "script" else "not a supported stylesheet MIME type"
            return (
                "error",
                f"client error report: Refused to {'execute script' if kind == 'script' else 'apply style'} from 'https://{ctx.params.get('host', 'seanwilken.com')}{asset}' because its MIME type ('text/html') is {mime}, and strict MIME type checking is enabled.",
            )
        memory = ctx.params.get("memory_leak")
        if memory and roll < 0.06:
            elapsed = t - ctx.start
            rss = int(memory["base_mi"] + memory["per_second_mi"] * elapsed)
            level = "warn" if rss > 0.8 * memory["limit_mi"] else "info"
            return (
                level,
                f"memory usage rss={rss}Mi heapUsed={int(rss * 0.82)}Mi (limit {memory['limit_mi']}Mi)",
            )
        if roll < 0.62:
            method, path, size = pick_route(rng, ctx.params.get("routes", DEFAULT_ROUTES))
            status = 200
            if ctx.flag("mime_rewrite", t) and is_static(path):
                path, size = "/", 2019  # the rewrite sends every asset to the index page
            elif rng.random() < 0.02:
                status, size = 404, 139
            elif method == "POST" and rng.random() < 0.3:
                status = 201
            took = rng.lognormvariate(2.8, 0.6)
            if ctx.flag("db_pool_exhausted", t):
                took += 300 + min(ctx.flag_age("db_pool_exhausted", t), 3600) * 2
            referer = (
                f"https://{ctx.params.get('host', 'seanwilken.com')}/"
                if rng.random() < 0.5
                else "-"
            )
            return (
                f'{client_ip(rng)} - - [{clf(wall)}] "{method} {path} HTTP/1.1" {status} {size}'
                f' "{referer}" "{rng.choice(USER_AGENTS)}" - {took:.3f} ms'
            )
        if roll < 0.86:
            return (
                "info",
                rng.choice(
                    (
                        "session store: 42 active sessions",
                        "cache refreshed: posts (120 entries)",
                        "sitemap regenerated",
                        "background job completed: newsletter-digest",
                        "rate limiter: 0 clients throttled",
                    )
                ),
            )
        if roll < 0.96:
            return (
                "debug",
                rng.choice(
                    (
                        "cache hit key=posts:page:1",
                        "cache miss key=posts:slug:kubernetes-on-a-budget",
                        f"GET /api/health from 10.244.{rng.randint(0, 2)}.1 (kube-probe/1.31)",
                        "jwt verified for user 1842",
                    )
                ),
            )
        if roll < 0.99:
            return (
                "warn",
                rng.choice(
                    (
                        "request to https://api.stripe.com/v1/charges took 1840ms",
                        "deprecated route /api/v1/posts called; use /api/posts",
                        "slow query posts.find took 612ms",
                    )
                ),
            )
        return (
            "error",
            rng.choice(
                (
                    "unhandled rejection: AbortError: The operation was aborted (upstream https://api.sendgrid.com)",
                    "payment webhook signature mismatch for event evt_1QJ8",
                )
            ),
        )


# -- ingress-nginx -------------------------------------------------------------------


class IngressNginx(LogFormat):
    name = "ingress-nginx"

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        return f"{klog(ctx.wall(t), severity_letter(level), 7, 'controller.go:214')} {message}"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        rule = "-" * 79
        banner: list[tuple[float, Entry]] = [
            (0.0, line)
            for line in (
                rule,
                "NGINX Ingress controller",
                "  Release:       v1.11.3",
                "  Build:         0106de65cfccb74405a6dfa7d9daffc6f0a6ef1a",
                "  Repository:    https://github.com/kubernetes/ingress-nginx",
                "  nginx version: nginx/1.25.5",
                "",
                rule,
                "",
            )
        ]
        # (offset, source location, message); the klog prefix is stamped with the offset.
        steps = (
            (0.2, "main.go:205", '"Creating API client" host="https://10.245.0.1:443"'),
            (
                0.4,
                "main.go:248",
                '"Running in Kubernetes cluster" major="1" minor="31" git="v1.31.1" state="clean"',
            ),
            (1.2, "nginx.go:271", '"Starting NGINX Ingress controller"'),
            (2.0, "controller.go:190", '"Configuration changes detected, backend reload required"'),
            (2.6, "controller.go:210", '"Backend successfully reloaded"'),
            (2.7, "status.go:85", f'"New leader elected" identity="{ctx.pod}"'),
        )
        return banner + [
            (offset, f"{klog(ctx.wall(ctx.start + offset), 'I', 7, where)} {message}")
            for offset, where, message in steps
        ]

    def rate(self, ctx: LogCtx, t: float, base: float) -> float:
        return base * (1.6 if ctx.flag("site_down", t) else 1.0)

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        wall = ctx.wall(t)
        hosts = ctx.params.get("hosts", ("seanwilken.com", "www.seanwilken.com"))
        upstream = ctx.params.get("upstream", "wilkenweb-prod-app-80")
        service = ctx.params.get("service", "wilkenweb-prod/app")
        roll = rng.random()
        if ctx.flag("site_down", t) and roll < 0.08:
            return f'{klog(wall, "W", 7, "controller.go:1214")} Service "{service}" does not have any active Endpoint.'
        if ctx.flag("www_cert_mismatch", t) and roll < 0.05:
            secret = ctx.params.get("tls_secret", "wilkenweb-prod/seanwilken-com-tls")
            return (
                f"{klog(wall, 'W', 7, 'controller.go:1372')} Unexpected error validating SSL certificate"
                f' "{secret}" for server "www.seanwilken.com": x509: certificate is valid for'
                f" seanwilken.com, not www.seanwilken.com"
            )
        if ctx.flag("www_cert_mismatch", t) and roll < 0.08:
            return (
                f"{klog(wall, 'W', 7, 'controller.go:1373')} Validating certificate against DNS"
                " names. This will be deprecated in a future version"
            )
        if ctx.flag("tls_expired", t) and roll < 0.05:
            expired = ctx.params.get("not_after", "")
            return (
                f"{klog(wall, 'W', 7, 'backend_ssl.go:47')} SSL certificate for server"
                f' "seanwilken.com" has expired ({expired})'
            )
        if ctx.flag("ingress_sync", t) and roll < 0.03:
            return f'{klog(wall, "I", 7, "controller.go:190")} "Configuration changes detected, backend reload required"'
        method, path, size = pick_route(rng, ctx.params.get("routes", DEFAULT_ROUTES))
        host = rng.choice(hosts)
        status, up_status = 200, "200"
        took = rng.lognormvariate(-3.6, 0.7)
        addresses = ctx.params.get("upstream_addrs") or ("10.244.1.12:3000",)
        up_addr = rng.choice(addresses)
        up_len = size
        if ctx.flag("site_down", t):
            status, size, up_status, up_addr, up_len = 503, 190, "-", "-", "-"
            took = 0.0
        elif ctx.flag("mime_rewrite", t) and is_static(path):
            size = up_len = 2019  # index.html, whatever was asked
        elif rng.random() < 0.02:
            status, size, up_status, up_len = 404, 139, "404", 139
        if ctx.flag("tls_expired", t) and rng.random() < 0.5:
            status = 400  # browsers refusing the expired certificate never get here; bots do
        request_id = f"{rng.getrandbits(128):032x}"
        up_time = "-" if up_addr == "-" else f"{took:.3f}"
        referer = f"https://{host}/" if rng.random() < 0.6 else "-"
        return (
            f'{client_ip(rng)} - - [{clf(wall)}] "{method} {path} HTTP/2.0" {status} {size}'
            f' "{referer}" "{rng.choice(USER_AGENTS)}" {rng.randint(30, 520)} {took:.3f}'
            f" [{upstream}] [] {up_addr} {up_len} {up_time} {up_status} {request_id}"
        )


class Nginx(LogFormat):
    name = "nginx"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [
            (
                0.0,
                "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
            ),
            (0.01, "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/"),
            (0.05, "/docker-entrypoint.sh: Configuration complete; ready for start up"),
        ]

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        return f"{_dt(ctx.wall(t)):%Y/%m/%d %H:%M:%S} [{level.lower()}] 1#1: {message}"

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        method, path, size = pick_route(rng, DEFAULT_ROUTES)
        return (
            f'10.244.{rng.randint(0, 2)}.{rng.randint(2, 60)} - - [{clf(ctx.wall(t))}] "{method} {path}'
            f' HTTP/1.1" 200 {size} "-" "{rng.choice(USER_AGENTS)}" "-"'
        )


# -- Python ------------------------------------------------------------------------


def py_time(wall: float) -> str:
    moment = _dt(wall)
    return f"{moment:%Y-%m-%d %H:%M:%S},{moment.microsecond // 1000:03d}"


class PythonApi(LogFormat):
    name = "python-api"

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        logger = ctx.params.get("logger", "app")
        return f"{py_time(ctx.wall(t))} {level.upper()} [{logger}] {message}"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [
            (0.2, "INFO:     Started server process [1]"),
            (0.25, "INFO:     Waiting for application startup."),
            (0.9, ("info", "connected to postgres (pool size 10)")),
            (1.0, "INFO:     Application startup complete."),
            (1.0, "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)"),
        ]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        roll = rng.random()
        if roll < 0.7:
            path = rng.choice(
                (
                    "/api/products",
                    "/api/products/{}",
                    "/api/cart",
                    "/api/orders",
                    "/health",
                    "/api/categories",
                )
            ).format(rng.randint(1, 900))
            method = (
                "POST" if path in ("/api/cart", "/api/orders") and rng.random() < 0.5 else "GET"
            )
            code = rng.choices(
                ("200 OK", "201 Created", "404 Not Found", "422 Unprocessable Entity"),
                (90, 4, 4, 2),
            )[0]
            return f'INFO:     10.244.{rng.randint(0, 2)}.{rng.randint(2, 80)}:{rng.randint(30000, 60000)} - "{method} {path} HTTP/1.1" {code}'
        if roll < 0.85:
            return (
                "info",
                rng.choice(
                    (
                        "cache warmed: 812 products",
                        "order 58213 confirmed",
                        "inventory sync finished in 1.24s",
                    )
                ),
            )
        if roll < 0.95:
            return (
                "debug",
                rng.choice(
                    ("SELECT products WHERE category_id=%s took 8ms", "redis GET cart:1842 hit")
                ),
            )
        return (
            "warning",
            rng.choice(
                (
                    "slow query: orders aggregate took 1.9s",
                    "payment gateway responded 502, retrying (1/3)",
                )
            ),
        )


class PythonWorker(PythonApi):
    name = "python-worker"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [
            (
                0.3,
                ("info", f"{ctx.params.get('service', 'report-batch')} starting (concurrency=4)"),
            ),
            (0.8, ("info", "connected to warehouse; 3 pending jobs")),
        ]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        roll = rng.random()
        if roll < 0.75:
            batch = int(t // 7) % 100000
            return (
                "info",
                f"processed batch {batch} ({rng.randint(2000, 5000)} rows) in {rng.uniform(0.8, 4.5):.2f}s",
            )
        if roll < 0.9:
            return ("debug", f"checkpoint written at offset {int(t) % 10_000_000}")
        return ("warning", "retrying upstream export (429 Too Many Requests)")


# -- databases -----------------------------------------------------------------------


def pg_time(wall: float) -> str:
    moment = _dt(wall)
    return f"{moment:%Y-%m-%d %H:%M:%S}.{moment.microsecond // 1000:03d} UTC"


class Postgres(LogFormat):
    name = "postgres"

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        pg_level = {
            "info": "LOG",
            "warn": "WARNING",
            "warning": "WARNING",
            "error": "ERROR",
            "fatal": "FATAL",
            "debug": "DEBUG",
        }.get(level.lower(), level.upper())
        return f"{pg_time(ctx.wall(t))} [{ctx.extra.get('pid', 1)}] {pg_level}:  {message}"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [
            (0.0, ""),
            (
                0.0,
                "PostgreSQL Database directory appears to contain a database; Skipping initialization",
            ),
            (0.0, ""),
            (
                0.3,
                (
                    "info",
                    "starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
                ),
            ),
            (0.31, ("info", 'listening on IPv4 address "0.0.0.0", port 5432')),
            (0.32, ("info", 'listening on Unix socket "/var/run/postgresql/.s.PGSQL.5432"')),
            (0.4, ("info", "database system was shut down at " + pg_time(ctx.wall(ctx.start) - 3))),
            (0.6, ("info", "database system is ready to accept connections")),
        ]

    def rate(self, ctx: LogCtx, t: float, base: float) -> float:
        return base * (30 if ctx.flag("db_pool_exhausted", t) else 1)

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        wall = ctx.wall(t)
        pid = rng.randint(180, 9800)
        if ctx.flag("db_pool_exhausted", t) and rng.random() < 0.8:
            message = rng.choice(
                (
                    "FATAL:  sorry, too many clients already",
                    "FATAL:  remaining connection slots are reserved for non-replication superuser connections",
                )
            )
            return f"{pg_time(wall)} [{pid}] {message}"
        roll = rng.random()
        if roll < 0.5:
            return f"{pg_time(wall)} [{rng.randint(20, 40)}] LOG:  checkpoint starting: time"
        if roll < 0.85:
            buffers = rng.randint(40, 2400)
            return (
                f"{pg_time(wall)} [{rng.randint(20, 40)}] LOG:  checkpoint complete: wrote {buffers}"
                f" buffers ({buffers / 163.84:.1f}%); 0 WAL file(s) added, 0 removed, 1 recycled;"
                f" write={rng.uniform(1, 30):.3f} s, sync={rng.uniform(0, 0.1):.3f} s,"
                f" total={rng.uniform(1, 30):.3f} s"
            )
        if roll < 0.95:
            return (
                f"{pg_time(wall)} [{pid}] LOG:  duration: {rng.randint(1000, 4200)}.{rng.randint(100, 999)} ms"
                "  statement: SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id"
                " WHERE o.created_at > now() - interval '30 days'"
            )
        return f'{pg_time(wall)} [{pid}] ERROR:  duplicate key value violates unique constraint "sessions_pkey"'


class Mongo(LogFormat):
    name = "mongo"

    def _record(
        self,
        ctx: LogCtx,
        t: float,
        s: str,
        c: str,
        id_: int,
        context: str,
        msg: str,
        attr: dict[str, Any] | None = None,
    ) -> str:
        record: dict[str, Any] = {
            "t": {"$date": iso_ms(ctx.wall(t), "+00:00")},
            "s": s,
            "c": c,
            "id": id_,
            "ctx": context,
            "msg": msg,
        }
        if attr:
            record["attr"] = attr
        return json.dumps(record, separators=(",", ":"))

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        return self._record(ctx, t, severity_letter(level), "-", 20000, "main", message)

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        def at(offset: float, *fields: Any) -> tuple[float, Entry]:
            """A record stamped with its own offset from the start."""
            return offset, self._record(ctx, ctx.start + offset, *fields)

        return [
            at(
                0.1,
                "I",
                "CONTROL",
                23285,
                "main",
                "Automatically disabling TLS 1.0, to force-enable TLS 1.0 specify --sslDisabledProtocols 'none'",
            ),
            at(
                0.3,
                "I",
                "CONTROL",
                4615611,
                "initandlisten",
                "MongoDB starting",
                {
                    "pid": 1,
                    "port": 27017,
                    "dbPath": "/data/db",
                    "architecture": "64-bit",
                    "host": ctx.pod,
                },
            ),
            at(0.9, "I", "NETWORK", 23015, "listener", "Listening on", {"address": "0.0.0.0"}),
            at(
                1.0,
                "I",
                "NETWORK",
                23016,
                "listener",
                "Waiting for connections",
                {"port": 27017, "ssl": "off"},
            ),
            at(
                1.5,
                "I",
                "REPL",
                21358,
                "ReplCoord-0",
                "Replica set state transition",
                {"newState": "SECONDARY", "oldState": "STARTUP2"},
            ),
        ]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        if ctx.flag("mongo_failover", t) and rng.random() < 0.3:
            if ctx.params.get("primary"):
                return self._record(
                    ctx,
                    t,
                    "I",
                    "REPL",
                    21358,
                    "ReplCoord-12",
                    "Replica set state transition",
                    {"newState": "PRIMARY", "oldState": "SECONDARY"},
                )
            return self._record(
                ctx,
                t,
                "I",
                "REPL",
                21799,
                "ReplCoord-3",
                "Sync source candidate chosen",
                {"syncSource": "mongo-1.mongo.wilkenweb-prod.svc.cluster.local:27017"},
            )
        roll = rng.random()
        remote = f"10.244.{rng.randint(0, 2)}.{rng.randint(2, 80)}:{rng.randint(30000, 60000)}"
        if roll < 0.45:
            return self._record(
                ctx,
                t,
                "I",
                "NETWORK",
                22943,
                "listener",
                "Connection accepted",
                {
                    "remote": remote,
                    "connectionId": rng.randint(1000, 9000),
                    "connectionCount": rng.randint(12, 40),
                },
            )
        if roll < 0.85:
            return self._record(
                ctx,
                t,
                "I",
                "NETWORK",
                22944,
                f"conn{rng.randint(1000, 9000)}",
                "Connection ended",
                {"remote": remote, "connectionCount": rng.randint(12, 40)},
            )
        return self._record(
            ctx,
            t,
            "I",
            "COMMAND",
            51803,
            f"conn{rng.randint(1000, 9000)}",
            "Slow query",
            {"type": "command", "ns": "wilkenweb.posts", "durationMillis": rng.randint(100, 900)},
        )


class Redis(LogFormat):
    name = "redis"

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        moment = _dt(ctx.wall(t))
        mark = {"warn": "#", "warning": "#", "error": "#", "debug": "."}.get(level.lower(), "*")
        return f"1:M {moment:%d %b %Y %H:%M:%S}.{moment.microsecond // 1000:03d} {mark} {message}"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [
            (0.0, ("info", "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")),
            (
                0.01,
                (
                    "info",
                    "Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started",
                ),
            ),
            (0.1, ("info", "Server initialized")),
            (0.2, ("info", "Ready to accept connections tcp")),
        ]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        return (
            "info",
            rng.choice(
                (
                    "100 changes in 300 seconds. Saving...",
                    "Background saving started by pid 42",
                    "Background saving terminated with success",
                )
            ),
        )


# -- cluster components -------------------------------------------------------------


class CoreDns(LogFormat):
    name = "coredns"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [
            (0.1, ".:53"),
            (
                0.1,
                "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
            ),
            (0.12, "CoreDNS-1.11.3"),
            (0.12, "linux/amd64, go1.21.11, a6338e9"),
        ]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        name = rng.choice(
            (
                "mongo.wilkenweb-prod.svc.cluster.local.",
                "app.wilkenweb-prod.svc.cluster.local.",
                "postgres.akaind-platform.svc.cluster.local.",
                "api.stripe.com.",
                "kubernetes.default.svc.cluster.local.",
            )
        )
        return (
            f"[INFO] 10.244.{rng.randint(0, 2)}.{rng.randint(2, 80)}:{rng.randint(30000, 60000)} - {rng.randint(1, 65535)}"
            f' "A IN {name} udp {len(name) + 17} false 512" NOERROR qr,aa,rd 110 {rng.uniform(0.00005, 0.002):.6f}s'
        )


class Klog(LogFormat):
    """Kubernetes components: kube-proxy, metrics-server, cert-manager."""

    name = "klog"

    def render(self, ctx: LogCtx, t: float, level: str, message: str) -> str:
        where = ctx.params.get("where", "controller.go:162")
        return f"{klog(ctx.wall(t), severity_letter(level), 1, where)} {message}"

    def startup(self, ctx: LogCtx) -> list[tuple[float, Entry]]:
        return [(0.2, ("info", f'"Starting" component="{ctx.container}" version="v1.31.1"'))]

    def steady(self, ctx: LogCtx, rng: random.Random, t: float) -> Entry:
        component = ctx.params.get("component", ctx.container)
        if component == "cert-manager":
            if ctx.flag("acme_pending", t) and rng.random() < 0.6:
                domain = rng.choice(ctx.params.get("domains", ("seanwilken.com",)))
                return (
                    "error",
                    f'"propagation check failed" err="wrong status code \'404\', expected \'200\'" logger="cert-manager.controller" dnsName="{domain}" type="HTTP-01" resource_namespace="wilkenweb-prod"',
                )
            return (
                "info",
                rng.choice(
                    (
                        '"re-queuing item due to optimistic locking on resource" logger="cert-manager.controller"',
                        '"certificate is up to date" logger="cert-manager.certificates-readiness"',
                    )
                ),
            )
        if component == "metrics-server":
            return ("info", f'"Scraped nodes" count=3 duration="{rng.randint(40, 140)}ms"')
        return ("info", f'"SyncProxyRules complete" elapsed="{rng.uniform(4, 30):.1f}ms"')


FORMATS: dict[str, LogFormat] = {
    f.name: f
    for f in (
        NodeApi(),
        IngressNginx(),
        Nginx(),
        PythonApi(),
        PythonWorker(),
        Postgres(),
        Mongo(),
        Redis(),
        CoreDns(),
        Klog(),
        LogFormat(),
    )
}
PROFILE_FORMATS = {
    "node-api": "node-api",
    "ingress-nginx": "ingress-nginx",
    "nginx": "nginx",
    "python-api": "python-api",
    "python-worker": "python-worker",
    "postgres": "postgres",
    "mongo": "mongo",
    "redis": "redis",
    "coredns": "coredns",
    "kube-proxy": "klog",
    "metrics-server": "klog",
    "cert-manager": "klog",
    "generic": "generic",
}


def format_for(profile: str) -> LogFormat:
    return FORMATS[PROFILE_FORMATS.get(profile, "generic")]
