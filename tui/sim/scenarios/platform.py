"""The cluster every scenario starts from, and the tenants the seeds' runbooks describe.

- platform: three DigitalOcean-style nodes, kube-system (CoreDNS, kube-proxy,
  metrics-server), ingress-nginx behind a load balancer, cert-manager with the
  letsencrypt-prod ClusterIssuer.
- wilkenweb-prod (runbook 000): the Node app, MongoDB replica set, app-ingress
  for seanwilken.com and www, its certificate.
- default (runbook 004): DhakaCart's backend, frontend and Redis.
- akaind-platform (runbook 001/002): marketing, console and api on PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.sim.behavior import ContainerPlan
from tui.sim.objects import dig, rfc3339
from tui.sim.scenarios import build as b

if TYPE_CHECKING:
    from tui.sim.world import World

Obj = dict[str, Any]
DAY = 86400.0
NODES = ("pool-prod-1", "pool-prod-2", "pool-prod-3")
WILKENWEB = "wilkenweb-prod"
APEX, WWW = "seanwilken.com", "www.seanwilken.com"
APP_IMAGE = "registry.digitalocean.com/wilkenweb/app"
MONGO_URL = "mongodb://mongo-0.mongo,mongo-1.mongo,mongo-2.mongo:27017/wilkenweb?replicaSet=rs0"
AKAIND = "akaind-platform"


# -- platform ------------------------------------------------------------------------


def platform(w: World) -> None:
    for name in (
        "default",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "ingress-nginx",
        "cert-manager",
    ):
        w.apply(b.namespace(name), age=41 * DAY)
    for index, name in enumerate(NODES, start=1):
        since = rfc3339(w.now_epoch - 41 * DAY + index * 60 + 45)
        w.apply(b.node(name, index, since), age=41 * DAY - index * 60)
    w.apply(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {
                "name": "nginx",
                "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
            },
            "spec": {"controller": "k8s.io/ingress-nginx"},
        },
        age=41 * DAY,
    )
    kubernetes = b.service(
        "default",
        "kubernetes",
        None,
        [("https", 443, 443)],
        cluster_ip="10.245.0.1",
        labels={"component": "apiserver", "provider": "kubernetes"},
    )
    w.apply(kubernetes, age=41 * DAY)
    w.apply(
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default"},
            "subsets": [
                {
                    "addresses": [{"ip": "10.114.0.100"}],
                    "ports": [{"name": "https", "port": 443, "protocol": "TCP"}],
                }
            ],
        },
        age=41 * DAY,
    )
    # kube-system
    w.apply(
        b.deployment(
            "kube-system",
            "coredns",
            [
                b.container(
                    "coredns",
                    "registry.k8s.io/coredns/coredns:v1.11.3",
                    port=53,
                    cpu="100m",
                    memory="70Mi",
                    memory_limit="170Mi",
                    args=["-conf", "/etc/coredns/Corefile"],
                ),
            ],
            replicas=2,
            labels={"k8s-app": "kube-dns"},
            pod_spec={"priorityClassName": "system-cluster-critical"},
        ),
        age=41 * DAY,
    )
    w.apply(
        b.service(
            "kube-system",
            "kube-dns",
            {"k8s-app": "kube-dns"},
            [("dns", 53, 53), ("dns-tcp", 53, 53), ("metrics", 9153, 9153)],
            cluster_ip="10.245.0.10",
            labels={"k8s-app": "kube-dns"},
        ),
        age=41 * DAY,
    )
    w.apply(
        b.daemonset(
            "kube-system",
            "kube-proxy",
            [
                b.container("kube-proxy", "registry.k8s.io/kube-proxy:v1.31.1", cpu="100m"),
            ],
            host_network=True,
        ),
        age=41 * DAY,
    )
    w.apply(
        b.deployment(
            "kube-system",
            "metrics-server",
            [
                b.container(
                    "metrics-server",
                    "registry.k8s.io/metrics-server/metrics-server:v0.7.2",
                    port=10250,
                    cpu="100m",
                    memory="200Mi",
                ),
            ],
            labels={"k8s-app": "metrics-server"},
        ),
        age=41 * DAY,
    )
    w.apply(
        b.service(
            "kube-system", "metrics-server", {"k8s-app": "metrics-server"}, [("https", 443, 10250)]
        ),
        age=41 * DAY,
    )
    # ingress-nginx
    labels = {
        "app.kubernetes.io/name": "ingress-nginx",
        "app.kubernetes.io/component": "controller",
    }
    w.apply(
        b.deployment(
            "ingress-nginx",
            "ingress-nginx-controller",
            [
                b.container(
                    "controller",
                    "registry.k8s.io/ingress-nginx/controller:v1.11.3",
                    port=80,
                    cpu="100m",
                    memory="90Mi",
                    probe="/healthz",
                    args=[
                        "/nginx-ingress-controller",
                        "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
                        "--election-id=ingress-nginx-leader",
                        "--controller-class=k8s.io/ingress-nginx",
                        "--ingress-class=nginx",
                    ],
                ),
            ],
            labels=labels,
        ),
        age=30 * DAY,
    )
    w.apply(
        b.service(
            "ingress-nginx",
            "ingress-nginx-controller",
            labels,
            [("http", 80, "http"), ("https", 443, 443)],
            kind="LoadBalancer",
        ),
        age=30 * DAY,
    )
    # cert-manager
    for name, image in (
        ("cert-manager", "cert-manager-controller"),
        ("cert-manager-cainjector", "cert-manager-cainjector"),
        ("cert-manager-webhook", "cert-manager-webhook"),
    ):
        w.apply(
            b.deployment(
                "cert-manager",
                name,
                [
                    b.container(
                        name.replace("cert-manager-", "")
                        if name != "cert-manager"
                        else "cert-manager-controller",
                        f"quay.io/jetstack/{image}:v1.16.1",
                        cpu="10m",
                        memory="32Mi",
                    ),
                ],
                labels={
                    "app.kubernetes.io/name": name.replace("cert-manager-", "")
                    if name != "cert-manager"
                    else "cert-manager",
                    "app.kubernetes.io/instance": "cert-manager",
                },
            ),
            age=30 * DAY,
        )
    w.apply(b.cluster_issuer("letsencrypt-prod", "ops@seanwilken.com"), age=30 * DAY)


# -- wilkenweb-prod ----------------------------------------------------------------------


def app_container(tag: str, *, memory_limit: str = "512Mi") -> Obj:
    return b.container(
        "app",
        f"{APP_IMAGE}:{tag}",
        port=3000,
        cpu="100m",
        memory="256Mi",
        memory_limit=memory_limit,
        probe="/api/health",
        env={"NODE_ENV": "production", "PORT": "3000"},
        env_from_secret=("MONGO_URL", "mongo-connection", "url"),
    )


def wilkenweb(
    w: World,
    *,
    tag: str = "1.14.2",
    replicas: int = 3,
    annotations: dict[str, str] | None = None,
    tls_hosts: tuple[str, ...] = (APEX, WWW),
    certificate: tuple[float, float] | None = None,
    progress_deadline: int | None = None,
    change_cause: str | None = None,
) -> None:
    """The site. `certificate`: (notBefore, notAfter) of the secret's certificate, wall
    seconds; by default issued 30 days ago for the TLS hosts."""
    w.apply(b.namespace(WILKENWEB, {"app.kubernetes.io/part-of": "wilkenweb"}), age=200 * DAY)
    w.apply(
        b.secret(
            WILKENWEB,
            "mongo-connection",
            {
                "url": MONGO_URL.replace("mongodb://", "mongodb://wilkenweb:s3cr3t-m0ng0@"),
                "username": "wilkenweb",
                "password": "s3cr3t-m0ng0",
            },
        ),
        age=200 * DAY,
    )
    w.apply(
        b.configmap(
            WILKENWEB,
            "app-config",
            {
                "SITE_URL": f"https://{APEX}",
                "SHOP_ENABLED": "true",
                "LOG_LEVEL": "debug",
            },
        ),
        age=120 * DAY,
    )
    mongo = b.container(
        "mongo",
        "mongo:7.0.14",
        port=27017,
        cpu="250m",
        memory="512Mi",
        memory_limit="1Gi",
        probe="tcp",
        args=["--replSet", "rs0", "--bind_ip_all"],
    )
    w.apply(b.statefulset(WILKENWEB, "mongo", [mongo], replicas=3), age=200 * DAY)
    w.apply(
        b.service(WILKENWEB, "mongo", {"app": "mongo"}, [("mongo", 27017, 27017)], headless=True),
        age=200 * DAY,
    )
    annotations_ = {"kubernetes.io/change-cause": change_cause} if change_cause else None
    w.apply(
        b.deployment(
            WILKENWEB,
            "app",
            [app_container(tag)],
            replicas=replicas,
            annotations=annotations_,
            progress_deadline=progress_deadline,
        ),
        age=200 * DAY,
    )
    w.apply(b.service(WILKENWEB, "app", {"app": "app"}, [("http", 80, 3000)]), age=200 * DAY)
    ingress_annotations = {
        "cert-manager.io/cluster-issuer": "letsencrypt-prod",
        "acme.cert-manager.io/http01-edit-in-place": "true",
        "nginx.ingress.kubernetes.io/ssl-redirect": "true",
        "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
    }
    ingress_annotations.update(annotations or {})
    ingress_annotations = {k: v for k, v in ingress_annotations.items() if v is not None}
    paths = [("/", "app", 80), ("/shop", "app", 80)]
    if certificate is None:
        now = w.now_epoch
        certificate = (now - 30 * DAY, now + 60 * DAY)
    tls_secret(w, WILKENWEB, "seanwilken-com-tls", list(tls_hosts), *certificate)
    w.apply(
        b.ingress(
            WILKENWEB,
            "app-ingress",
            [(APEX, paths), (WWW, paths)],
            tls=[("seanwilken-com-tls", list(tls_hosts))],
            annotations=ingress_annotations,
        ),
        age=180 * DAY,
    )
    w.apply(
        b.ingress(
            WILKENWEB,
            "app-redirects",
            [(APEX, [("/store", "app", 80)]), (WWW, [("/store", "app", 80)])],
            annotations={"nginx.ingress.kubernetes.io/permanent-redirect": f"https://{APEX}/shop"},
        ),
        age=90 * DAY,
    )


def tls_secret(
    w: World, namespace: str, name: str, hosts: list[str], not_before: float, not_after: float
) -> None:
    """A secret as cert-manager left it: a real certificate for `hosts`."""
    from tui.sim import certs

    issued = w.certmanager.authority.issue(hosts, not_before, not_after)
    w.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "kubernetes.io/tls",
            "metadata": {
                "name": name,
                "namespace": namespace,
                "labels": {"controller.cert-manager.io/fao": "true"},
                "annotations": {
                    "cert-manager.io/alt-names": ",".join(hosts),
                    "cert-manager.io/certificate-name": name,
                    "cert-manager.io/common-name": hosts[0],
                    "cert-manager.io/ip-sans": "",
                    "cert-manager.io/issuer-group": "cert-manager.io",
                    "cert-manager.io/issuer-kind": "ClusterIssuer",
                    "cert-manager.io/issuer-name": "letsencrypt-prod",
                    "cert-manager.io/uri-sans": "",
                },
            },
            "data": certs.secret_data(issued),
        },
        age=w.now_epoch - not_before,
    )


# -- default: DhakaCart ------------------------------------------------------------------


def dhakacart(
    w: World,
    *,
    backend_replicas: int = 3,
    backend_cpu: str = "250m",
    backend_memory_limit: str = "512Mi",
) -> None:
    backend = b.container(
        "backend",
        "dhakacart/backend:v1.0.0",
        port=5000,
        cpu=backend_cpu,
        memory="256Mi",
        cpu_limit="1",
        memory_limit=backend_memory_limit,
        probe="/health",
        env={"NODE_ENV": "production", "PORT": "5000"},
        env_from_secret=("DB_PASSWORD", "dhakacart-secrets", "DB_PASSWORD"),
    )
    w.apply(
        b.secret(
            "default",
            "dhakacart-secrets",
            {
                "DB_HOST": "dhakacart-db.c8x2k1.ap-southeast-1.rds.amazonaws.com",
                "DB_USER": "dhakacart",
                "DB_PASSWORD": "d3v-0nly-pa55",
                "DB_NAME": "dhakacart",
            },
        ),
        age=60 * DAY,
    )
    w.apply(
        b.deployment("default", "dhakacart-backend", [backend], replicas=backend_replicas),
        age=60 * DAY,
    )
    w.apply(
        b.service(
            "default",
            "dhakacart-backend-service",
            {"app": "dhakacart-backend"},
            [("http", 5000, 5000)],
        ),
        age=60 * DAY,
    )
    frontend = b.container(
        "frontend",
        "dhakacart/frontend-nginx:v1.0.0",
        port=80,
        cpu="50m",
        memory="64Mi",
        memory_limit="128Mi",
        probe="/",
    )
    w.apply(b.deployment("default", "dhakacart-frontend", [frontend], replicas=2), age=60 * DAY)
    w.apply(
        b.service(
            "default",
            "dhakacart-frontend-service",
            {"app": "dhakacart-frontend"},
            [("http", 80, 80)],
        ),
        age=60 * DAY,
    )
    redis = b.container(
        "redis",
        "redis:7.4-alpine",
        port=6379,
        cpu="50m",
        memory="64Mi",
        memory_limit="256Mi",
        probe="tcp",
    )
    w.apply(b.deployment("default", "dhakacart-redis", [redis]), age=60 * DAY)
    w.apply(
        b.service(
            "default", "dhakacart-redis", {"app": "dhakacart-redis"}, [("redis", 6379, 6379)]
        ),
        age=60 * DAY,
    )
    w.apply(
        b.ingress(
            "default",
            "dhakacart-ingress",
            [
                (
                    "shop.dhakacart.com",
                    [
                        ("/api", "dhakacart-backend-service", 5000),
                        ("/", "dhakacart-frontend-service", 80),
                    ],
                )
            ],
            annotations={"nginx.ingress.kubernetes.io/proxy-read-timeout": "60"},
        ),
        age=60 * DAY,
    )


# -- akaind-platform -------------------------------------------------------------------


def akaind(w: World, *, max_connections: str = "100") -> None:
    w.apply(b.namespace(AKAIND), age=90 * DAY)
    w.apply(
        b.configmap(
            AKAIND,
            "postgres-config",
            {
                "max_connections": max_connections,
                "shared_buffers": "1GB",
                "superuser_reserved_connections": "3",
                "postgresql.conf": (
                    f"listen_addresses = '*'\nmax_connections = {max_connections}\n"
                    "shared_buffers = 1GB\nsuperuser_reserved_connections = 3\n"
                    "log_min_duration_statement = 1000\n"
                ),
            },
        ),
        age=90 * DAY,
    )
    w.apply(
        b.secret(
            AKAIND,
            "postgres-credentials",
            {"POSTGRES_USER": "akaind", "POSTGRES_PASSWORD": "pg-dr1ll-0nly"},
        ),
        age=90 * DAY,
    )
    postgres = b.container(
        "postgres",
        "postgres:16.4",
        port=5432,
        cpu="500m",
        memory="1Gi",
        memory_limit="2Gi",
        probe="tcp",
        env={"PGDATA": "/var/lib/postgresql/data/pgdata"},
    )
    postgres["envFrom"] = [{"configMapRef": {"name": "postgres-config"}}]
    w.apply(b.statefulset(AKAIND, "postgres", [postgres], storage="50Gi"), age=90 * DAY)
    w.apply(
        b.service(AKAIND, "postgres", {"app": "postgres"}, [("postgres", 5432, 5432)]), age=90 * DAY
    )
    for name, replicas, tag in (
        ("marketing", 2, "v3.8.2"),
        ("console", 2, "v2.14.0"),
        ("api", 3, "v5.2.1"),
    ):
        app = b.container(
            name,
            f"registry.gitlab.com/akaind/{name}:{tag}",
            port=3000,
            cpu="100m",
            memory="192Mi",
            memory_limit="384Mi",
            probe="/health",
            env={"DATABASE_POOL_SIZE": "15" if name == "api" else "10"},
            env_from_secret=("POSTGRES_PASSWORD", "postgres-credentials", "POSTGRES_PASSWORD"),
        )
        w.apply(b.deployment(AKAIND, name, [app], replicas=replicas), age=90 * DAY)
        w.apply(b.service(AKAIND, name, {"app": name}, [("http", 80, 3000)]), age=90 * DAY)
    redis = b.container(
        "redis", "redis:7.4-alpine", port=6379, cpu="50m", memory="128Mi", probe="tcp"
    )
    w.apply(b.deployment(AKAIND, "redis", [redis]), age=90 * DAY)
    w.apply(b.service(AKAIND, "redis", {"app": "redis"}, [("redis", 6379, 6379)]), age=90 * DAY)
    w.apply(
        b.ingress(
            AKAIND,
            "akaind",
            [
                ("www.akaind.ca", [("/", "marketing", 80)]),
                ("console.akaind.ca", [("/", "console", 80)]),
                ("api.akaind.ca", [("/", "api", 80)]),
            ],
            tls=[("akaind-tls", ["www.akaind.ca", "console.akaind.ca", "api.akaind.ca"])],
            annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
        ),
        age=90 * DAY,
    )
    now = w.now_epoch
    tls_secret(
        w,
        AKAIND,
        "akaind-tls",
        ["www.akaind.ca", "console.akaind.ca", "api.akaind.ca"],
        now - 20 * DAY,
        now + 70 * DAY,
    )


# -- what the programs say about themselves ---------------------------------------------


def params(w: World, pod: Obj, container: Obj, plan: ContainerPlan) -> ContainerPlan:
    """Log parameters from where the program runs: its service name, database, routes."""
    namespace = pod["metadata"].get("namespace", "")
    app = dig(pod, "metadata", "labels", "app", default="")
    image = container.get("image", "")
    extra: dict[str, Any] = {}
    if namespace == WILKENWEB and app == "app":
        extra.update(
            service="wilkenweb",
            db=MONGO_URL.replace("mongodb://", "mongodb://wilkenweb:****@"),
            db_name="MongoDB",
            host=APEX,
            port=3000,
        )
    elif namespace == AKAIND and app in ("marketing", "console", "api"):
        extra.update(
            service=f"akaind-{app}",
            db="postgres://akaind:****@postgres:5432/akaind",
            db_name="PostgreSQL",
            db_host="10.245.37.12:5432",
            host=f"{'www' if app == 'marketing' else app}.akaind.ca",
        )
    elif app == "dhakacart-backend":
        extra.update(
            service="dhakacart-backend",
            db="mysql://dhakacart:****@dhakacart-db:3306/dhakacart",
            db_name="MySQL",
            host="shop.dhakacart.com",
            port=5000,
            routes=(
                ("GET", "/api/products", 40, 8120),
                ("GET", "/api/products/{id}", 25, 1420),
                ("POST", "/api/cart", 10, 310),
                ("POST", "/api/orders", 5, 520),
                ("GET", "/health", 10, 15),
                ("GET", "/api/categories", 10, 960),
            ),
        )
    elif namespace == "ingress-nginx":
        extra.update(
            hosts=(APEX, WWW),
            upstream=f"{WILKENWEB}-app-80",
            service=f"{WILKENWEB}/app",
            upstream_service=(WILKENWEB, "app", 3000),
            tls_secret=f"{WILKENWEB}/seanwilken-com-tls",
        )
    elif "cert-manager" in image:
        extra.update(
            component="cert-manager" if "controller" in image else "webhook", domains=(APEX, WWW)
        )
    elif "metrics-server" in image:
        extra.update(component="metrics-server")
    if app == "mongo":
        extra.update(primary=pod["metadata"]["name"] == w.mongo_primary)
    return plan.but(params={**plan.params, **extra})
