"""HTTP clients, remote shells and network probes."""

from __future__ import annotations

from tui.runbook.rules.base import Context, Verdict, parse_args

_CURL_VALUE = frozenset({
    "-X", "--request", "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode",
    "--json", "-F", "--form", "-T", "--upload-file", "-H", "--header", "-o", "--output",
    "-u", "--user", "-A", "--user-agent", "-e", "--referer", "-m", "--max-time",
    "--connect-timeout", "-w", "--write-out", "--resolve", "--cacert", "--cert", "--key",
    "-x", "--proxy", "-b", "--cookie", "-c", "--cookie-jar", "--retry", "-r", "--range",
})  # fmt: skip
_CURL_DATA = ("-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json",
              "-F", "--form", "-T", "--upload-file")  # fmt: skip
SSH_VALUE = frozenset({
    "-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O", "-o", "-p",
    "-Q", "-R", "-S", "-W", "-w", "-B",
})  # fmt: skip
PROBES = ("ping", "ping6", "mtr", "tcpdump", "nc", "ncat", "netcat")
OPENSSL_READ = frozenset({
    "s_client", "x509", "verify", "version", "crl", "ciphers", "dgst", "asn1parse", "ocsp",
    "sess_id", "list", "help", "errstr", "speed", "pkey", "rsa", "ec", "req",
})  # fmt: skip


def curl(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, _CURL_VALUE)
    method = (opts.value("-X", "--request") or "").upper()
    if not method and opts.has(*_CURL_DATA) and not opts.has("-G", "--get"):
        method = "POST" if not opts.has("-T", "--upload-file") else "PUT"
    url = next((p for p in opts.positionals if "://" in p or "." in p), "")
    if method == "DELETE":
        v.at_least("dangerous", f"{name} -X DELETE {url}: deletes through an API".strip())
    elif method in ("POST", "PUT", "PATCH"):
        v.at_least("change", f"{name} {method} {url}: sends a change to an API".replace("  ", " "))


def wget(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if any(arg.startswith(("--post", "--method", "--body")) for arg in args):
        v.at_least("change", "wget: sends data to a server")


def ssh(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, SSH_VALUE, stop_after=1)
    host = opts.positionals[0] if opts.positionals else "a host"
    if opts.has("-N"):
        v.streaming = True  # a tunnel: runs until stopped
        return
    if not opts.rest:
        v.interactive = True
        v.at_least("change", f"{name} {host}: a shell on {host}, anything can run")
        return
    if opts.has("-t", "-tt"):
        v.interactive = True
    # ssh joins its remaining words into one line for the remote shell.
    v.merge(ctx.script(" ".join(opts.rest)))


def copy(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """scp and sftp: moving files to or from another machine."""
    if name == "sftp":
        v.interactive = True
    v.at_least("change", f"{name}: copies files between machines")


def openssl(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    sub = args[0] if args else ""
    if sub and sub not in OPENSSL_READ:
        v.at_least("change", f"openssl {sub}: creates keys or certificates")
    if sub == "req" and "-new" in args:
        v.at_least("change", "openssl req -new: creates a certificate request")


def probe(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """ping, mtr, tcpdump, nc: they read, but some run until stopped or need a screen."""
    report = {"-r", "--report", "-w", "--report-wide", "-j", "--json"}
    if name == "mtr" and not report & set(args):
        v.interactive = True
    if name in ("ping", "ping6") and not any(arg.startswith(("-c", "-w")) for arg in args):
        v.streaming = True
    if name == "tcpdump":
        v.streaming = True
        if any(arg.startswith("-w") for arg in args):
            v.at_least("change", "tcpdump -w: writes a capture file")
    if name in ("nc", "ncat", "netcat") and "-l" in args:
        v.at_least("change", f"{name} -l: listens for connections")
        v.streaming = True
