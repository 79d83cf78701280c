"""The host itself: files, services, processes, firewall, packages, full-screen tools."""

from __future__ import annotations

from tui.runbook.rules.base import Context, Verdict, is_system_path, parse_args

DELETERS = {
    "rm": "deletes files",
    "rmdir": "deletes directories",
    "shred": "destroys files",
    "unlink": "deletes a file",
    "truncate": "cuts files down (truncate -s 0 empties them)",
    "mkfs": "formats a filesystem",
    "mke2fs": "formats a filesystem",
    "mkswap": "formats a swap area",
    "wipefs": "erases filesystem signatures",
    "fdisk": "edits a partition table",
    "sfdisk": "edits a partition table",
    "parted": "edits a partition table",
    "reboot": "reboots the machine",
    "shutdown": "shuts the machine down",
    "halt": "halts the machine",
    "poweroff": "powers the machine off",
    "kill": "kills processes",
    "pkill": "kills processes by name",
    "killall": "kills processes by name",
    "userdel": "deletes a user",
    "umount": "unmounts a filesystem",
    "swapoff": "turns swap off",
    "iptables-restore": "replaces every firewall rule",
    "ip6tables-restore": "replaces every firewall rule",
    "ifdown": "takes a network interface down",
    "ifup": "brings a network interface up",
}
WRITERS = frozenset({
    "mv", "cp", "ln", "install", "mkdir", "touch", "chmod", "chown", "chgrp", "chattr",
    "setfacl", "tee", "rsync", "scp", "unzip", "gzip", "gunzip", "bzip2", "xz", "useradd",
    "usermod", "passwd", "groupadd", "mount", "ldconfig", "update-alternatives", "patch",
})  # fmt: skip
EDITORS = frozenset({"vi", "vim", "nvim", "nano", "emacs", "pico", "joe", "micro", "mcedit",
                     "ed", "vipw", "visudo"})  # fmt: skip
SCREENS = frozenset({
    "top", "htop", "btop", "atop", "iotop", "iftop", "nload", "glances", "nmon", "less",
    "more", "most", "telnet", "ctop", "lazydocker", "mc", "tmux", "screen", "man",
})  # fmt: skip
SYSTEMCTL_DANGEROUS = frozenset({
    "restart", "try-restart", "reload-or-restart", "try-reload-or-restart", "stop", "kill",
    "disable", "mask", "isolate", "reboot", "poweroff", "halt", "rescue", "emergency",
    "suspend", "hibernate", "default", "kexec", "soft-reboot",
})  # fmt: skip
SYSTEMCTL_READ = frozenset({
    "status", "show", "cat", "is-active", "is-enabled", "is-failed", "is-system-running",
    "help", "show-environment", "get-default", "list-dependencies",
})  # fmt: skip
_IPTABLES_WRITE = frozenset({
    "-A", "-I", "-D", "-R", "-F", "-X", "-P", "-N", "-Z", "-E", "--append", "--insert",
    "--delete", "--replace", "--flush", "--delete-chain", "--policy", "--new-chain", "--zero",
    "--rename-chain",
})  # fmt: skip
PACKAGE_MANAGERS = ("apt", "apt-get", "yum", "dnf", "zypper", "apk", "snap", "pip", "pip3", "brew")
_SYSTEMCTL_VALUE = frozenset({
    "-H", "-M", "-p", "--property", "-t", "--type", "-n", "--lines", "-o", "--output",
    "--state", "-s", "--signal",
})  # fmt: skip
_PACKAGE_REMOVE = frozenset({"remove", "purge", "autoremove", "erase", "del", "uninstall"})
_PACKAGE_READ = frozenset({"list", "show", "search", "policy", "info", "history", "check"})


def deleter(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if name == "kill" and ({"-l", "-L", "-0"} & set(args)):
        return
    if name.startswith("mkfs"):
        name = "mkfs"
    targets = " ".join(arg for arg in args if not arg.startswith("-"))[:80]
    v.at_least("dangerous", f"{name} {targets}: {DELETERS[name]}".replace("  ", " "))


def writer(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    paths = [arg for arg in args if not arg.startswith("-")]
    if name == "rsync" and any(arg.startswith("--delete") for arg in args):
        v.at_least("dangerous", "rsync --delete: deletes files missing from the source")
        return
    target = paths[-1] if paths else ""
    if target and is_system_path(target) and name not in ("mount",):
        v.at_least("dangerous", f"{name} writes {target}: a system path")
    elif name == "mount" and not args:
        return
    else:
        v.at_least("change", f"{name}: writes files" if not target else f"{name}: writes {target}")


def editor(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    v.interactive = True
    files = " ".join(arg for arg in args if not arg.startswith("-")) or "a file"
    v.at_least("change", f"{name} {files}: edits by hand")


def screen(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """Full-screen programs: they need the terminal (top -b is the exception)."""
    batch = name == "top" and any(arg.startswith("-b") or arg == "--batch" for arg in args)
    if name in ("tmux", "screen"):
        v.at_least("change", f"{name}: a terminal multiplexer session")
    v.interactive = v.interactive or not batch


def systemctl(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, _SYSTEMCTL_VALUE)
    action = opts.positionals[0] if opts.positionals else ""
    units = " ".join(opts.positionals[1:])
    if action in SYSTEMCTL_DANGEROUS:
        v.at_least("dangerous", f"{name} {action} {units}: stops or restarts services".strip())
    elif action == "edit":
        v.interactive = True
        v.at_least("change", f"{name} edit {units}: changes a unit")
    elif action and action not in SYSTEMCTL_READ and not action.startswith("list-"):
        v.at_least("change", f"{name} {action} {units}: changes services".strip())


def service(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    unit, action = [*args, "", ""][:2]
    if action in ("restart", "stop", "force-reload", "force-stop"):
        v.at_least("dangerous", f"service {unit} {action}: stops or restarts a service")
    elif action and action != "status":
        v.at_least("change", f"service {unit} {action}: changes a service")


def journal(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """journalctl and dmesg: reading logs, unless told to delete or clear them."""
    if any(arg.startswith(("--vacuum", "--rotate", "--flush")) for arg in args):
        v.at_least("dangerous", f"{name}: deletes or rotates the journal")
    if name == "dmesg" and ({"-c", "-C", "--clear", "--read-clear"} & set(args)):
        v.at_least("change", "dmesg: clears the kernel log")
    if {"-f", "--follow", "-w"} & set(args):
        v.streaming = True


def firewall(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if name in ("iptables", "ip6tables", "iptables-legacy", "iptables-nft"):
        flags = set(args) | {arg[:2] for arg in args if arg.startswith("-") and len(arg) > 2}
        if flags & _IPTABLES_WRITE:
            v.at_least("dangerous", f"{name}: changes firewall rules")
    elif name == "nft":
        if not args or args[0] not in ("list", "-a", "--version", "-v"):
            v.at_least("dangerous", "nft: changes firewall rules")
    elif name == "ufw":
        if not args or args[0] not in ("status", "show", "app", "version", "--version"):
            v.at_least("dangerous", f"ufw {' '.join(args[:2])}: changes the firewall")
    elif name == "firewall-cmd":
        changing = ("--add", "--remove", "--set", "--reload", "--complete-reload", "--panic",
                    "--change", "--new", "--delete", "--runtime-to-permanent")  # fmt: skip
        if any(arg.startswith(changing) for arg in args):
            v.at_least("dangerous", "firewall-cmd: changes the firewall")


def ip(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    words = [arg for arg in args if not arg.startswith("-")]
    verbs = {"add", "del", "delete", "change", "replace", "set", "flush", "append", "down"}
    if name == "ip" and len(words) > 1 and words[1] in verbs:
        v.at_least("dangerous", f"ip {words[0]} {words[1]}: changes networking")
    elif name == "route" and words[:1] and words[0] in ("add", "del"):
        v.at_least("dangerous", f"route {words[0]}: changes routing")
    elif name == "ifconfig" and len(words) > 1:
        v.at_least("dangerous", f"ifconfig {' '.join(words[:2])}: changes an interface")
    elif name == "sysctl" and (any("=" in arg for arg in args) or {"-w", "-p"} & set(args)):
        v.at_least("change", "sysctl: changes kernel settings")


def crontab(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if "-r" in args:
        v.at_least("dangerous", "crontab -r: deletes every scheduled job")
    elif "-e" in args:
        v.interactive = True
        v.at_least("change", "crontab -e: edits scheduled jobs")
    elif "-l" not in args:
        v.at_least("dangerous", "crontab FILE: replaces every scheduled job")


def packages(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    words = [arg for arg in args if not arg.startswith("-")]
    action = words[0] if words else ""
    if action in _PACKAGE_REMOVE:
        v.at_least("dangerous", f"{name} {action}: removes software")
    elif action and action not in _PACKAGE_READ:
        v.at_least("change", f"{name} {action}: installs or changes software")


def sed(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if any(arg == "-i" or arg.startswith(("-i", "--in-place")) for arg in args):
        writer(name, args, v, ctx)


def find(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if "-delete" in args:
        v.at_least("dangerous", "find -delete: deletes every file found")
    for flag in ("-exec", "-execdir", "-ok", "-okdir"):
        if flag in args:
            start = args.index(flag) + 1
            stop = next((i for i in range(start, len(args)) if args[i] in (";", "+")), len(args))
            v.merge(ctx.inner(args[start:stop], False))


def tar(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    first = args[0] if args else ""
    cluster = first.lstrip("-") if first and not first.startswith("--") else ""
    if "x" in cluster or "--extract" in args or "-x" in args or "--get" in args:
        v.at_least("change", "tar: extracts files over what is there")
    elif "c" in cluster or "--create" in args or "r" in cluster or "u" in cluster:
        v.at_least("change", "tar: writes an archive")


def dd(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    target = next((arg[3:] for arg in args if arg.startswith("of=")), None)
    if target is not None and target not in ("/dev/null",):
        v.at_least("dangerous", f"dd of={target}: writes raw blocks")
