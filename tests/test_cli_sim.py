"""`warroom sim` and `warroom demo` as users run them: real processes, real kubectl."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from bench.terminal import spawn
from tests.helpers.cli import assert_one_line_error, warroom
from tui.sim.scenarios import SCENARIOS

ROOT = Path(__file__).resolve().parents[1]


def kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["kubectl", *args],
        env={**os.environ, "KUBECONFIG": str(kubeconfig)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_scenarios_are_listed_with_a_description(env: dict[str, str]) -> None:
    result = warroom("sim", "scenarios", env=env)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    names = [line.split()[0] for line in lines]
    assert names == list(SCENARIOS)
    expected = "site-down oom bad-deploy tls-expired www-missing mime-error db-pool"
    assert set(expected.split()) | {"node-not-ready", "hpa-maxed", "healthy"} <= set(names)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)
    assert "fix:" not in result.stdout  # a drill's players find the fix themselves
    assert warroom("demo", "--list", env=env).stdout == result.stdout
    with_fixes = warroom("sim", "scenarios", "--fixes", env=env).stdout
    assert "fix: kubectl rollout undo deployment app" in with_fixes


def test_serve_writes_a_kubeconfig_kubectl_uses_and_stops_on_ctrl_c(
    tmp_path: Path, env: dict[str, str]
) -> None:
    kubeconfig = tmp_path / "drill.kubeconfig"
    server = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "serve", "--scenario", "bad-deploy",
         "--kubeconfig-out", str(kubeconfig), "--seed", "3"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        banner = [server.stdout.readline() for _ in range(3)]
        assert banner[0].startswith(
            "warroom drill cluster: scenario bad-deploy on https://127.0.0.1:"
        )
        assert banner[2].strip() == f"try: KUBECONFIG={kubeconfig} kubectl get pods -A"
        config = yaml.safe_load(kubeconfig.read_text())
        assert {c["name"] for c in config["contexts"]} == {
            "warroom-drill",
            "warroom-drill-readonly",
        }
        assert oct(kubeconfig.stat().st_mode & 0o777) == "0o600"
        pods = kubectl(kubeconfig, "get", "pods", "-A")
        assert pods.returncode == 0, pods.stderr
        assert "ImagePullBackOff" in pods.stdout or "ErrImagePull" in pods.stdout
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=15)
        assert server.returncode == 0
        assert "drill cluster stopped" in err
        assert "Traceback" not in err
    finally:
        if server.poll() is None:
            server.kill()


def test_serve_refuses_a_busy_port_and_bad_input(tmp_path: Path, env: dict[str, str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = warroom("sim", "serve", "--port", str(port), env=env)
        assert_one_line_error(result, f"cannot serve on 127.0.0.1:{port}")
    assert_one_line_error(warroom("sim", "serve", "--scenario", "nope", env=env),
                          "unknown scenario 'nope' (one of: ")  # fmt: skip
    assert_one_line_error(
        warroom("sim", "serve", "--manifests", str(tmp_path / "none"), env=env),
        "not a directory of manifests",
    )
    assert_one_line_error(warroom("sim", "serve", "--port", "99999", env=env), "a port is")
    assert_one_line_error(warroom("demo", "--scenario", "nope", env=env), "unknown scenario")


def test_serve_loads_manifests(tmp_path: Path, env: dict[str, str]) -> None:
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "web.yaml").write_text(
        """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec: {selector: {app: web}, ports: [{port: 80}]}
"""
    )
    kubeconfig = tmp_path / "kc"
    server = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "serve", "--manifests", str(manifests),
         "--kubeconfig-out", str(kubeconfig), "--speed", "20"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for _ in range(3):
            server.stdout.readline()
        deadline = time.monotonic() + 30
        ready = ""
        while time.monotonic() < deadline:
            ready = kubectl(kubeconfig, "get", "deployment", "web", "-n", "default").stdout
            if " 2/2 " in ready:
                break
            time.sleep(0.3)
        assert " 2/2 " in ready
        assert "web" in kubectl(kubeconfig, "get", "service", "-n", "default").stdout
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=15)


def test_demo_opens_the_console_connected_to_a_drill(tmp_path: Path, env: dict[str, str]) -> None:
    terminal = spawn(
        [sys.executable, "-m", "tui", "demo", "--scenario", "oom"],
        size=(120, 36), env=env, cwd=str(ROOT),
    )  # fmt: skip
    try:
        assert terminal.read_until([b"Drill: oom", b"Timeline"], timeout=40) is not None
        kubeconfig = tmp_path / "state" / "warroom" / "drill" / "demo-kubeconfig"
        pods = kubectl(kubeconfig, "get", "pods", "-A")
        assert pods.returncode == 0, pods.stderr
        assert "OOMKilled" in pods.stdout or "CrashLoopBackOff" in pods.stdout
        terminal.send(b"q")
        assert terminal.wait(timeout=15) == 0
    finally:
        terminal.kill()
    # Stopping the console stops the drill cluster with it.
    assert kubectl(kubeconfig, "get", "pods", "-A").returncode != 0


@pytest.mark.parametrize(
    "command", [["sim", "--help"], ["sim", "serve", "--help"], ["demo", "--help"]]
)
def test_sim_help(command: list[str], env: dict[str, str]) -> None:
    result = warroom(*command, env=env)
    assert result.returncode == 0
    assert "usage: warroom" in result.stdout
