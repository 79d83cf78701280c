"""docker, podman and compose: reading containers versus stopping, removing, pruning."""

from __future__ import annotations

from tui.runbook.invocation import SHELLS, program_name
from tui.runbook.rules.base import Args, Context, Verdict, parse_args
from tui.runbook.rules.kube import split_subcommand

_GLOBAL_VALUE = frozenset({"-H", "--host", "--context", "-c", "--config", "-l", "--log-level"})
_COMPOSE_VALUE = frozenset({
    "-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory",
    "--ansi", "--progress", "--parallel",
})  # fmt: skip
_EXEC_VALUE = frozenset({"-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir",
                         "--detach-keys"})  # fmt: skip
_RUN_VALUE = _EXEC_VALUE | {
    "-v", "--volume", "-p", "--publish", "--name", "--network", "--net", "--entrypoint",
    "--mount", "-m", "--memory", "--cpus", "--restart", "-l", "--label", "--platform",
    "--hostname", "-h", "--add-host", "--dns", "--pull", "--log-driver", "--cap-add",
}  # fmt: skip

DANGEROUS = {
    "rm": "removes containers",
    "rmi": "removes images",
    "kill": "kills containers",
    "stop": "stops containers",
    "restart": "restarts containers",
    "pause": "freezes containers",
    "prune": "deletes everything unused",
}
READ = frozenset({
    "ps", "logs", "inspect", "stats", "top", "images", "version", "info", "events", "port",
    "diff", "history", "search", "ls", "df",
})  # fmt: skip
# `docker container rm` is `docker rm`; `docker image ls` is `docker images`.
_GROUPS = frozenset({"container", "image", "volume", "network", "system", "builder", "buildx"})
COMPOSE_DANGEROUS = {
    "down": "stops and removes the project's containers and networks",
    "rm": "removes the project's containers",
    "restart": "restarts the project's services",
    "stop": "stops the project's services",
    "kill": "kills the project's services",
    "pause": "freezes the project's services",
    "scale": "changes how many containers run",
}
COMPOSE_READ = frozenset({"ps", "logs", "config", "top", "images", "ls", "version", "port",
                          "events"})  # fmt: skip


def docker(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    sub, after = split_subcommand(args, _GLOBAL_VALUE)
    if sub is None:
        return
    if sub == "compose":
        compose(f"{name} compose", after, v, ctx)
        return
    group = ""
    if sub in _GROUPS and after:
        group, sub, after = sub, after[0], after[1:]
    opts = parse_args(after, _RUN_VALUE)
    target = " ".join(opts.positionals[:2])
    label = " ".join(part for part in (name, group, sub, target) if part)
    if sub in DANGEROUS or (group in ("volume", "network") and sub in ("rm", "remove")):
        v.at_least("dangerous", f"{label}: {DANGEROUS.get(sub, 'removes them')}")
    elif sub in ("exec", "run"):
        _exec_or_run(name, sub, after, v, ctx)
    elif sub in READ or (group and sub in ("ls", "inspect", "df")):
        if (sub in ("logs", "events") and {"-f", "--follow"} & opts.options.keys()) or (
            sub == "stats" and "--no-stream" not in opts.options
        ):
            v.streaming = True
        if sub == "events":
            v.streaming = True
    else:
        v.at_least("change", f"{label}: changes containers or images")


def compose(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    sub, after = split_subcommand(args, _COMPOSE_VALUE)
    if sub is None:
        return
    opts = parse_args(after, _EXEC_VALUE)
    services = " ".join(opts.positionals) or "every service"
    if sub in COMPOSE_DANGEROUS:
        v.at_least("dangerous", f"{name} {sub} {services}: {COMPOSE_DANGEROUS[sub]}")
    elif sub in COMPOSE_READ:
        if {"-f", "--follow"} & opts.options.keys() or sub == "events":
            v.streaming = True
    elif sub in ("exec", "run"):
        exec_opts = parse_args(after, _RUN_VALUE, stop_after=1)
        if sub == "run":
            v.at_least("change", f"{name} run: starts a new container")
        no_tty = {"-T", "--no-TTY", "-d", "--detach"} & exec_opts.options.keys()
        v.interactive = v.interactive or not no_tty  # compose gives them a terminal by default
        _inner(name, sub, exec_opts, v, ctx)
    else:
        v.at_least("change", f"{name} {sub} {services}: builds, starts or changes services")


def _exec_or_run(name: str, sub: str, after: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(after, _RUN_VALUE if sub == "run" else _EXEC_VALUE, stop_after=1)
    if {"-t", "--tty"} & opts.options.keys():
        v.interactive = True
    if sub == "run":
        image = opts.positionals[0] if opts.positionals else "an image"
        v.at_least("change", f"{name} run {image}: starts a new container")
    _inner(name, sub, opts, v, ctx)


def _inner(name: str, sub: str, opts: Args, v: Verdict, ctx: Context) -> None:
    where = opts.positionals[0] if opts.positionals else "the container"
    command = opts.rest
    if not command:
        return
    program = program_name(command[0])
    if program in SHELLS and not any(word.startswith("-") and "c" in word for word in command):
        v.interactive = True
        v.at_least("change", f"{name} {sub} {where} {program}: a shell, anything can run")
        return
    stdin = ctx.stdin and bool({"-i", "--interactive"} & opts.options.keys())
    v.merge(ctx.inner(command, stdin))
