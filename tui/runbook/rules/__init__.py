"""Per-program danger rules, looked up by program name.

A rule reads a program's arguments and raises the verdict's level with a reason
an operator understands ("kubectl delete pod x: deletes objects"). Programs not
listed anywhere go to `tools.unknown`, which assumes they change something.
"""

from __future__ import annotations

from tui.runbook.invocation import SHELLS
from tui.runbook.rules import containers, databases, kube, network, system, tools
from tui.runbook.rules.base import Context, Rule, Verdict

__all__ = ["READ_ONLY", "RULES", "Context", "Rule", "Verdict", "rule_for"]

# Programs that only read or print, whatever their arguments.
READ_ONLY = frozenset({
    "echo", "printf", "cat", "zcat", "bat", "head", "tail", "grep", "egrep", "fgrep", "zgrep",
    "rg", "ag", "awk", "gawk", "sort", "uniq", "wc", "cut", "tr", "jq", "yq", "base64",
    "column", "ls", "ll", "du", "df", "free", "ps", "pgrep", "pidof", "uptime", "w", "who",
    "whoami", "id", "hostname", "date", "printenv", "uname", "nproc", "lscpu", "lsblk",
    "lsof", "ss", "netstat", "dig", "nslookup", "host", "whois", "traceroute", "tracepath",
    "arp", "vmstat", "iostat", "mpstat", "sar", "pidstat", "stat", "file", "test", "[",
    "true", "false", ":", "sleep", "which", "type", "readlink", "realpath", "basename",
    "dirname", "pwd", "cd", "export", "tree", "diff", "cmp", "md5sum", "sha1sum",
    "sha256sum", "xxd", "od", "hexdump", "strings", "getent", "timedatectl", "hostnamectl",
    "env", "set", "unset", "alias", "history", "nl", "fold", "fmt", "rev", "tac", "paste",
    "join", "comm", "seq", "expr", "bc", "numfmt", "yes", "wait", "time", "blkid", "findmnt",
    "lsmod", "lspci", "lsusb", "dmidecode", "ulimit", "getconf", "locale", "kubectl-neat",
    "stern", "kubetail", "ip6calc", "ipcalc", "ncdu", "iperf3", "nmap", "nping",
})  # fmt: skip

RULES: dict[str, Rule] = {
    "kubectl": kube.kubectl,
    "oc": kube.kubectl,
    "docker": containers.docker,
    "podman": containers.docker,
    "nerdctl": containers.docker,
    "docker-compose": containers.compose,
    "podman-compose": containers.compose,
    "psql": databases.psql,
    "mysql": databases.mysql,
    "mariadb": databases.mysql,
    "redis-cli": databases.redis_cli,
    "valkey-cli": databases.redis_cli,
    "mongo": databases.mongo,
    "mongosh": databases.mongo,
    "mysqladmin": databases.admin,
    "mariadb-admin": databases.admin,
    "pg_ctl": databases.admin,
    "pg_ctlcluster": databases.admin,
    "pg_restore": databases.restore,
    "dropdb": databases.restore,
    "dropuser": databases.restore,
    **{name: system.deleter for name in system.DELETERS},
    **{name: system.writer for name in system.WRITERS},
    **{name: system.editor for name in system.EDITORS},
    **{name: system.screen for name in system.SCREENS},
    "systemctl": system.systemctl,
    "service": system.service,
    "journalctl": system.journal,
    "dmesg": system.journal,
    "iptables": system.firewall,
    "ip6tables": system.firewall,
    "iptables-legacy": system.firewall,
    "iptables-nft": system.firewall,
    "nft": system.firewall,
    "ufw": system.firewall,
    "firewall-cmd": system.firewall,
    "ip": system.ip,
    "route": system.ip,
    "ifconfig": system.ip,
    "sysctl": system.ip,
    "crontab": system.crontab,
    **{name: system.packages for name in system.PACKAGE_MANAGERS},
    "sed": system.sed,
    "find": system.find,
    "tar": system.tar,
    "dd": system.dd,
    "curl": network.curl,
    "wget": network.wget,
    "ssh": network.ssh,
    "scp": network.copy,
    "sftp": network.copy,
    "openssl": network.openssl,
    **{name: network.probe for name in network.PROBES},
    "aws": tools.aws,
    **{name: tools.cloud for name in tools.CLOUD_CLIS},
    "helm": tools.helm,
    "terraform": tools.terraform,
    "tofu": tools.terraform,
    "git": tools.git,
    "nginx": tools.webserver,
    "apachectl": tools.webserver,
    "apache2ctl": tools.webserver,
    "httpd": tools.webserver,
    "certbot": tools.webserver,
    **{name: tools.shell for name in SHELLS},
    **{name: tools.interpreter for name in tools.INTERPRETERS},
    "sudo": tools.root_shell,
    "doas": tools.root_shell,
    "su": tools.root_shell,
    "source": tools.source,
    ".": tools.source,
    "eval": tools.evaluate,
    "kubectx": tools.switcher,
    "kubens": tools.switcher,
}


def _read_only(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    if name in ("tail", "less") and ({"-f", "-F", "--follow"} & set(args)):
        v.streaming = True


def rule_for(program: str) -> Rule:
    if program in RULES:
        return RULES[program]
    if program.startswith("mkfs."):
        return system.deleter
    if program in READ_ONLY:
        return _read_only
    return tools.unknown
