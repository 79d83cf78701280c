"""Cloud CLIs, helm, terraform, git, web servers, shells and interpreters, and the rule
for programs nobody listed: a runbook's own script with a verb like "restore"."""

from __future__ import annotations

import re

from tui.runbook.rules.base import Context, Verdict, parse_args
from tui.runbook.rules.kube import split_subcommand

DANGER_VERBS = frozenset({
    "delete", "destroy", "drop", "purge", "wipe", "reset", "rollback", "restore", "failover",
    "promote", "terminate", "reboot", "shutdown", "restart", "stop", "kill", "remove", "rm",
    "uninstall", "flush", "truncate", "erase", "format", "revoke", "evict", "drain", "undo",
    "disable", "detach", "deregister", "release", "switchover", "cancel", "scale", "resize",
})  # fmt: skip
CLOUD_CLIS = ("gcloud", "az", "doctl", "heroku", "flyctl", "linode-cli")
INTERPRETERS = ("python", "python3", "node", "perl", "ruby", "php", "lua")
READ_VERBS = frozenset({"list", "ls", "describe", "show", "get", "info", "status", "logs",
                        "version", "help", "view", "search", "check", "diff", "plan"})  # fmt: skip
_AWS_VALUE = frozenset({"--region", "--profile", "--output", "--query", "--endpoint-url",
                        "--cli-read-timeout", "--cli-connect-timeout", "--color"})  # fmt: skip
_AWS_READ_PREFIXES = ("describe", "list", "get", "head", "lookup", "search", "query", "scan",
                      "batch-get", "filter", "wait", "help", "tail", "validate", "ls")  # fmt: skip
_HELM_VALUE = frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig", "-f",
                         "--values", "--set", "--version", "-o", "--output"})  # fmt: skip
HELM_DANGEROUS = {
    "upgrade": "replaces a release's objects",
    "rollback": "rolls a release back",
    "uninstall": "deletes a release and its objects",
    "delete": "deletes a release and its objects",
    "del": "deletes a release and its objects",
    "un": "deletes a release and its objects",
}
HELM_READ = frozenset({"list", "ls", "status", "history", "get", "show", "template",
                       "search", "version", "env", "lint", "diff", "verify", "help"})  # fmt: skip
GIT_READ = frozenset({"log", "status", "diff", "show", "blame", "shortlog", "describe",
                      "rev-parse", "ls-files", "ls-remote", "grep", "reflog", "help"})  # fmt: skip
_WORD_SPLIT = re.compile(r"[-_.:/]")


def aws(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, _AWS_VALUE)
    service, action = [*opts.positionals, "", ""][:2]
    label = f"aws {service} {action}".strip()
    if service == "s3":
        if action in ("rm", "rb") or (action == "sync" and opts.has("--delete")):
            v.at_least("dangerous", f"{label}: deletes objects")
        elif action not in ("ls", "presign"):
            v.at_least("change", f"{label}: writes objects")
        return
    verb = action.split("-", 1)[0]
    if action.startswith(_AWS_READ_PREFIXES):
        if action == "logs" or (service == "logs" and action == "tail"):
            v.streaming = "--follow" in opts.options
        return
    if verb in DANGER_VERBS:
        v.at_least("dangerous", f"{label}: {verb}s a resource")
    elif action:
        v.at_least("change", f"{label}: changes a resource")


def cloud(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """gcloud, az, doctl, heroku...: the verbs in the command decide."""
    words = [arg for arg in args if not arg.startswith("-")]
    danger = next((w for w in words if w in DANGER_VERBS), None)
    if danger:
        v.at_least("dangerous", f"{name} {' '.join(words[:4])}: {danger}")
    elif not any(word in READ_VERBS for word in words):
        v.at_least("change", f"{name} {' '.join(words[:4])}: may change resources")


def helm(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    sub, after = split_subcommand(args, _HELM_VALUE)
    if sub is None:
        return
    release = " ".join(parse_args(after, _HELM_VALUE).positionals[:1])
    if sub in HELM_DANGEROUS:
        v.at_least("dangerous", f"helm {sub} {release}: {HELM_DANGEROUS[sub]}".replace("  ", " "))
    elif sub == "repo" and after[:1] == ["list"]:
        return
    elif sub not in HELM_READ:
        v.at_least("change", f"helm {sub} {release}: installs or changes charts".strip())


def terraform(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    words = [arg for arg in args if not arg.startswith("-")]
    sub = words[0] if words else ""
    if sub in ("apply", "destroy", "import", "taint", "untaint", "refresh") or (
        sub == "state" and words[1:2] in (["rm"], ["mv"], ["push"], ["replace-provider"])
    ):
        v.at_least("dangerous", f"{name} {' '.join(words[:2])}: changes real infrastructure")
    elif sub not in ("plan", "show", "output", "validate", "fmt", "version", "state", "graph"):
        v.at_least("change", f"{name} {sub}: changes state or files".strip())


def git(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    sub, after = split_subcommand(args, frozenset({"-C", "-c", "--git-dir", "--work-tree"}))
    if sub is None or sub in GIT_READ:
        return
    flags = set(after)
    forced = {"-f", "--force", "--force-with-lease", "--delete", "-d", "-D", "--hard"}
    listing = not after or after[0] in ("-l", "-v", "--list", "list", "-a", "-r")
    if sub in ("push", "reset", "clean", "branch") and flags & forced:
        v.at_least("dangerous", f"git {sub} {' '.join(sorted(flags & forced))}: rewrites history")
    elif (sub in ("branch", "tag", "remote", "stash") and listing) or (
        sub == "config" and flags & {"--get", "--list", "-l", "--get-all"}
    ):
        return
    else:
        v.at_least("change", f"git {sub}: changes the repository")


def webserver(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """nginx, apachectl, certbot: test and read freely; stop, reload or revoke carefully."""
    joined = " ".join(args)
    if name == "certbot":
        words = [arg for arg in args if not arg.startswith("-")]
        action = words[0] if words else "run"
        if action in ("revoke", "delete"):
            v.at_least("dangerous", f"certbot {action}: removes certificates")
        elif action not in ("certificates", "plugins", "show_account"):
            v.at_least("change", f"certbot {action}: obtains or renews certificates")
        return
    if re.search(r"-s\s*(stop|quit)\b|\b(stop|restart|graceful-stop)\b", joined):
        v.at_least("dangerous", f"{name} {joined}: stops or restarts the web server")
    elif re.search(r"-s\s*(reload|reopen)\b|\b(graceful|start|reload)\b", joined):
        v.at_least("change", f"{name} {joined}: reloads the web server")
    elif not ({"-t", "-T", "-v", "-V", "-S", "-M", "configtest"} & set(args)):
        v.at_least("change", f"{name}: starts the web server")


def shell(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """A shell without -c: reading a piped script, running a file, or a session."""
    words = [arg for arg in args if arg not in ("-", "-s", "-e", "-x", "-ex", "-eu", "-l")]
    if ctx.stdin and not words:
        v.at_least("dangerous", f"| {name}: runs whatever is piped in as a script")
    elif words:
        v.at_least("change", f"{name} {words[0]}: runs a script")
    else:
        v.interactive = True
        v.at_least("change", f"{name}: a shell, anything typed there runs")


def root_shell(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """`sudo -i`, `sudo -s`, `su -`, `su -c CMD`: a shell as another user, or one command."""
    opts = parse_args(args, frozenset({"-c", "--command", "-u", "-s", "--shell"}))
    script = opts.value("-c", "--command")
    if name == "su" and script is not None:
        v.merge(ctx.script(script))
        return
    v.interactive = True
    v.at_least("change", f"{name} {' '.join(args)}: a shell as another user".replace("  ", " "))


def interpreter(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if not args and not ctx.stdin:
        v.interactive = True
    v.at_least("change", f"{name}: runs code")


def source(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    v.at_least("change", f"{name} {' '.join(args[:1])}: runs a script in this shell".strip())


def evaluate(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    v.merge(ctx.script(" ".join(args)))


def switcher(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """kubectx / kubens: listing is reading; switching changes every later kubectl."""
    if args and not args[0].startswith("-"):
        v.at_least("change", f"{name} {args[0]}: switches the default for every kubectl")


def unknown(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """A program no rule knows: assume it changes something; a danger verb makes it worse."""
    words = [arg for arg in args if not arg.startswith("-")]
    for word in words[:3]:
        verb = _WORD_SPLIT.split(word.lower(), 1)[0]
        if verb in DANGER_VERBS:
            v.at_least("dangerous", f"{name} {word}: '{verb}' on a program nobody vetted")
            return
    v.at_least("change", f"{name}: not a known read-only command")
