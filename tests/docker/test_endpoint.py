"""Finding the engine like the docker CLI: flag, DOCKER_HOST, contexts, sockets."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest

from tui.config import ConfigError, load_settings
from tui.sources.docker.endpoint import (
    DEFAULT_SOCKET,
    PODMAN_ROOT_SOCKET,
    EndpointError,
    check_url,
    resolve,
)
from tui.sources.docker.engine import EngineUnavailable, connect_first


def write_context(home: Path, name: str, host: str, *, current: bool = True) -> Path:
    docker = home / ".docker"
    meta = docker / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(
        json.dumps({"Name": name, "Metadata": {}, "Endpoints": {"docker": {"Host": host}}})
    )
    if current:
        (docker / "config.json").write_text(json.dumps({"currentContext": name}))
    return docker


def test_the_flag_wins_over_everything(tmp_path: Path) -> None:
    write_context(tmp_path, "prod-web", "ssh://deploy@prod-web-1")
    found = resolve("tcp://10.0.0.5:2376", {"DOCKER_HOST": "unix:///x.sock"}, tmp_path)
    assert [(e.url, e.source) for e in found] == [
        ("tcp://10.0.0.5:2376", "--docker-host / docker.host")
    ]


def test_docker_host_wins_over_the_context_and_brings_its_tls(tmp_path: Path) -> None:
    write_context(tmp_path, "prod-web", "ssh://deploy@prod-web-1")
    environ = {"DOCKER_HOST": "tcp://db-1:2376", "DOCKER_TLS_VERIFY": "1",
               "DOCKER_CERT_PATH": str(tmp_path / "certs")}  # fmt: skip
    (endpoint,) = resolve(None, environ, tmp_path)
    assert (endpoint.url, endpoint.source) == ("tcp://db-1:2376", "DOCKER_HOST")
    assert endpoint.tls is not None and endpoint.tls.verify
    assert endpoint.tls.ca == tmp_path / "certs" / "ca.pem"


def test_the_current_context_names_the_engine(tmp_path: Path) -> None:
    write_context(tmp_path, "prod-web", "ssh://deploy@prod-web-1")
    (endpoint,) = resolve(None, {}, tmp_path)
    assert (endpoint.url, endpoint.context, endpoint.source) == (
        "ssh://deploy@prod-web-1",
        "prod-web",
        "context prod-web",
    )


def test_docker_context_variable_and_a_missing_context(tmp_path: Path) -> None:
    write_context(tmp_path, "staging", "tcp://staging:2375", current=False)
    (endpoint,) = resolve(None, {"DOCKER_CONTEXT": "staging"}, tmp_path)
    assert endpoint.url == "tcp://staging:2375"
    with pytest.raises(EndpointError, match="docker context 'gone' does not exist"):
        resolve(None, {"DOCKER_CONTEXT": "gone"}, tmp_path)
    # "default" is the CLI's name for "no context": the sockets are tried.
    assert resolve(None, {"DOCKER_CONTEXT": "default"}, tmp_path)[0].source == "default socket"


def test_sockets_are_tried_docker_first_then_podman(tmp_path: Path) -> None:
    environ = {"XDG_RUNTIME_DIR": str(tmp_path)}
    if not any(Path(p).exists() for p in (DEFAULT_SOCKET, PODMAN_ROOT_SOCKET)):
        # None exists: all are returned, in order, so the message can name them.
        everything = resolve(None, environ, tmp_path / "home")
        assert [e.source for e in everything] == [
            "default socket",
            "rootless docker socket",
            "podman socket",
            "podman socket",
        ]
    (tmp_path / "podman").mkdir()
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(tmp_path / "podman" / "podman.sock"))
    try:
        found = resolve(None, environ, tmp_path / "home")
        assert f"unix://{tmp_path}/podman/podman.sock" in [e.url for e in found]
    finally:
        listening.close()


def test_no_engine_lists_what_was_tried(tmp_path: Path) -> None:
    endpoints = resolve(f"unix://{tmp_path}/docker.sock", {}, tmp_path)
    with pytest.raises(EngineUnavailable) as raised:
        connect_first(endpoints)
    assert raised.value.reason.startswith(f"no engine socket at {tmp_path}/docker.sock")
    assert "--docker-host" in raised.value.hint


def test_a_socket_nobody_listens_on_is_refused(tmp_path: Path) -> None:
    dead = socket.socket(socket.AF_UNIX)
    dead.bind(str(tmp_path / "dead.sock"))  # bound, never listening: connections are refused
    try:
        with pytest.raises(EngineUnavailable, match="nothing accepts connections"):
            connect_first(resolve(f"unix://{tmp_path}/dead.sock", {}, tmp_path))
    finally:
        dead.close()


@pytest.mark.parametrize("url", ["foo", "http//x", "ftp://host", ""])
def test_bad_urls_are_refused_with_examples(url: str) -> None:
    with pytest.raises(ValueError, match="is not a docker host URL"):
        check_url(url)


def test_docker_settings_from_file_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[docker]\nhost = "unix:///run/podman/podman.sock"\nstats_seconds = 2\n'
                      'production_hosts = ["web-*"]\n')  # fmt: skip
    settings = load_settings(config, environ={"WARROOM_DOCKER_READONLY_HOSTS": "db-*,cache-*"})
    assert settings.docker.host == "unix:///run/podman/podman.sock"
    assert settings.docker.stats_seconds == 2
    assert settings.docker.production_hosts == ("web-*",)
    assert settings.docker.readonly_hosts == ("db-*", "cache-*")
    config.write_text('[docker]\nhost = "localhost:2375"\n')
    with pytest.raises(ConfigError, match=r"docker.host: 'localhost:2375' is not a docker host"):
        load_settings(config, environ={})


def test_a_bad_docker_host_flag_is_one_line_on_stderr(env: dict[str, str]) -> None:
    from tests.helpers.cli import assert_one_line_error, warroom

    result = warroom("--docker-host", "localhost:2375", env=env)
    assert_one_line_error(result, "--docker-host: 'localhost:2375' is not a docker host URL")
