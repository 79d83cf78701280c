"""kubectl (and oc): which subcommands read, which change, which can take a site down."""

from __future__ import annotations

from tui.runbook.invocation import SHELLS, program_name
from tui.runbook.rules.base import Context, Verdict, parse_args

# Flags that take a value, so their value is not mistaken for the subcommand.
GLOBAL_VALUE = frozenset({
    "-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-s", "--server",
    "--token", "--as", "--as-group", "--as-uid", "-v", "--v", "--request-timeout",
    "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name",
    "--cache-dir", "--log-file", "--profile", "--profile-output", "--password", "--username",
})  # fmt: skip
_EXEC_VALUE = GLOBAL_VALUE | {"-c", "--container", "-f", "--filename", "--pod-running-timeout"}
_RUN_VALUE = GLOBAL_VALUE | {
    "--image", "--restart", "--overrides", "--env", "--port", "-l", "--labels", "--requests",
    "--limits", "--serviceaccount", "--image-pull-policy", "--pod-running-timeout",
}  # fmt: skip

READ = frozenset({
    "get", "describe", "logs", "top", "events", "explain", "api-resources", "api-versions",
    "version", "cluster-info", "diff", "wait", "kustomize", "completion", "options", "help",
    "plugin", "port-forward", "proxy", "attach",
})  # fmt: skip
DANGEROUS = {
    "delete": "deletes objects",
    "drain": "evicts every pod from the node",
    "cordon": "stops new pods from being scheduled on the node",
    "uncordon": "lets pods be scheduled on the node again",
    "taint": "changes which pods the node accepts",
    "apply": "creates or changes objects from manifests",
    "patch": "changes an object in place",
    "edit": "opens an object in an editor and applies what is saved",
    "scale": "changes the number of replicas",
    "set": "changes the pod template: every pod is replaced",
}
ROLLOUT = {
    "restart": "restarts every pod of the workload",
    "undo": "rolls the workload back to an earlier revision",
    "pause": "pauses the workload's rollouts",
    "resume": "resumes a paused rollout",
}
CHANGE = {
    "create": "creates objects",
    "run": "starts a new pod",
    "expose": "creates a service",
    "label": "adds labels",
    "annotate": "adds annotations",
    "replace": "replaces objects from manifests",
    "autoscale": "creates an autoscaler",
    "cp": "copies files into or out of a container",
    "certificate": "approves or denies a certificate request",
    "debug": "starts a debugging container",
}
CONFIG_READ = frozenset({"view", "get-contexts", "current-context", "get-clusters", "get-users"})


def kubectl(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    sub, after = split_subcommand(args, GLOBAL_VALUE)
    if sub is None:
        return
    opts = parse_args(after, GLOBAL_VALUE | {"-o", "--output", "-l", "--selector"})
    what = " ".join(opts.positionals[:2])
    label = f"{name} {sub}" + (f" {what}" if what else "")
    if sub in DANGEROUS:
        v.at_least("dangerous", f"{label}: {DANGEROUS[sub]}")
        v.interactive = v.interactive or sub == "edit"
    elif sub == "rollout":
        action = opts.positionals[0] if opts.positionals else ""
        if action in ROLLOUT:
            workload = " ".join(opts.positionals[1:3])
            v.at_least("dangerous", f"{name} rollout {action} {workload}: {ROLLOUT[action]}")
    elif sub in ("replace", "label", "annotate") and opts.has("--force", "--overwrite"):
        flag = "--force" if opts.has("--force") else "--overwrite"
        v.at_least("dangerous", f"{label} {flag}: replaces what is there")
    elif sub == "exec":
        _exec(name, after, v, ctx)
    elif sub == "config":
        action = opts.positionals[0] if opts.positionals else ""
        if action not in CONFIG_READ:
            v.at_least("change", f"{name} config {action}: changes the kubeconfig".strip())
    elif sub == "auth":
        if opts.positionals[:1] == ["reconcile"]:
            v.at_least("change", f"{name} auth reconcile: changes RBAC rules")
    elif sub in CHANGE:
        v.at_least("change", f"{label}: {CHANGE[sub]}")
    elif sub not in READ:
        v.at_least("change", f"{name} {sub}: not a known read-only subcommand")
    _flags(name, sub, opts.options, v)
    if sub in ("run", "debug"):
        v.interactive = v.interactive or _wants_terminal(opts.options)
        if opts.rest:
            v.merge(ctx.inner(opts.rest, False))


def _flags(name: str, sub: str, options: dict[str, str | None], v: Verdict) -> None:
    if sub in ("get", "events") and ({"-w", "--watch", "--watch-only"} & options.keys()):
        v.streaming = True
    if sub == "logs" and ({"-f", "--follow"} & options.keys()):
        v.streaming = True
    if sub in ("port-forward", "proxy", "attach"):
        v.streaming = True
        v.interactive = v.interactive or (sub == "attach" and _wants_terminal(options))
    if v.level != "dangerous":
        return
    if "--force" in options or options.get("--grace-period") == "0":
        v.at_least("dangerous", "--force/--grace-period=0: no graceful shutdown")
    if "--all" in options:
        v.at_least("dangerous", "--all: every object of that kind")
    if {"-A", "--all-namespaces"} & options.keys():
        v.at_least("dangerous", "-A: in every namespace")


def _exec(name: str, after: list[str], v: Verdict, ctx: Context) -> None:
    # `kubectl exec POD [flags] -- CMD`; without "--" (deprecated) CMD follows the pod.
    opts = parse_args(after, _EXEC_VALUE, stop_after=None if "--" in after else 1)
    command = opts.rest
    v.interactive = v.interactive or _wants_terminal(opts.options)
    pod = opts.positionals[0] if opts.positionals else "the pod"
    if not command:
        v.at_least("change", f"{name} exec {pod}: runs a command in the pod")
        return
    program = program_name(command[0])
    if program in SHELLS and not any(word.startswith("-") and "c" in word for word in command):
        v.interactive = True
        v.at_least("change", f"{name} exec {pod} {program}: a shell in the pod, anything can run")
        return
    v.merge(ctx.inner(command, ctx.stdin and bool({"-i", "--stdin"} & opts.options.keys())))


def _wants_terminal(options: dict[str, str | None]) -> bool:
    return bool({"-t", "--tty"} & options.keys())


def split_subcommand(args: list[str], with_value: frozenset[str]) -> tuple[str | None, list[str]]:
    """The first word that is not an option (or an option's value), and what follows it."""
    i = 0
    while i < len(args):
        text = args[i]
        if text == "--":
            return None, args[i + 1 :]
        if text.startswith("-") and len(text) > 1:
            i += 2 if text in with_value else 1  # "--x=y" and "-nprod" carry their value
            continue
        return text, args[i + 1 :]
    return None, []
