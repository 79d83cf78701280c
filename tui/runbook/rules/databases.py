"""Database clients: the SQL or command they are given decides, and a bare client is a
session where anything can be typed."""

from __future__ import annotations

import re

from tui.runbook.rules.base import Context, Level, Verdict, parse_args

SQL_DANGEROUS = frozenset({
    "DROP", "TRUNCATE", "DELETE", "ALTER", "REPAIR", "UPDATE", "GRANT", "REVOKE", "KILL",
    "SHUTDOWN", "RENAME",
})  # fmt: skip
SQL_READ = frozenset({
    "SELECT", "SHOW", "EXPLAIN", "DESCRIBE", "DESC", "USE", "TABLE", "VALUES", "BEGIN",
    "START", "COMMIT", "ROLLBACK", "CHECK", "CHECKSUM", "HELP", "STATUS",
})  # fmt: skip
# Functions that act although they sit inside a SELECT.
SQL_FUNCTIONS: dict[str, tuple[Level, str]] = {
    "pg_terminate_backend": ("dangerous", "ends database sessions"),
    "pg_cancel_backend": ("dangerous", "cancels running queries"),
    "pg_promote": ("dangerous", "promotes a replica to primary"),
    "pg_reload_conf": ("change", "reloads the server configuration"),
    "set_config": ("change", "changes a server setting"),
}
_STATEMENT_END = re.compile(r";")
_FIRST_WORD = re.compile(r"[\s(]*([A-Za-z_\\]+)")

REDIS_DANGEROUS = frozenset({
    "FLUSHALL", "FLUSHDB", "SHUTDOWN", "DEBUG", "DEL", "UNLINK", "SLAVEOF", "REPLICAOF",
    "FAILOVER", "SWAPDB", "MIGRATE", "RESTORE",
})  # fmt: skip
REDIS_DANGEROUS_PAIRS = frozenset({
    "CONFIG SET", "CONFIG REWRITE", "CONFIG RESETSTAT", "CLIENT KILL", "CLIENT PAUSE",
    "SCRIPT FLUSH", "SCRIPT KILL", "FUNCTION FLUSH", "FUNCTION DELETE", "CLUSTER FAILOVER",
    "CLUSTER RESET", "CLUSTER FORGET", "ACL DELUSER", "ACL SETUSER", "MODULE UNLOAD",
})  # fmt: skip
REDIS_READ = frozenset({
    "PING", "INFO", "GET", "MGET", "EXISTS", "TTL", "PTTL", "TYPE", "KEYS", "SCAN", "HGET",
    "HGETALL", "HKEYS", "HLEN", "LLEN", "LRANGE", "SCARD", "SMEMBERS", "ZCARD", "ZRANGE",
    "ZSCORE", "STRLEN", "DBSIZE", "TIME", "ECHO", "MEMORY", "SLOWLOG", "CLIENT", "CONFIG",
    "CLUSTER", "LATENCY", "OBJECT", "ROLE", "LASTSAVE", "MONITOR", "XLEN", "XRANGE",
    "PUBSUB", "COMMAND", "HELLO", "AUTH", "SUBSCRIBE", "PSUBSCRIBE", "XINFO",
})  # fmt: skip
_REDIS_VALUE = frozenset({
    "-h", "-p", "-s", "-a", "-u", "-r", "-i", "-n", "-d", "-D", "--user", "--pass",
    "--cacert", "--cert", "--key", "--sni", "--pattern", "--count", "--rdb", "--eval",
})  # fmt: skip
_PSQL_VALUE = frozenset({
    "-c", "--command", "-f", "--file", "-h", "--host", "-p", "--port", "-U", "--username",
    "-d", "--dbname", "-o", "--output", "-v", "--set", "--variable", "-P", "--pset", "-F",
    "-R", "-T", "-L", "--log-file",
})  # fmt: skip
_MYSQL_VALUE = frozenset({
    "-e", "--execute", "-h", "--host", "-P", "--port", "-u", "--user", "-D", "--database",
    "-S", "--socket", "--defaults-file", "--defaults-extra-file", "--protocol",
})  # fmt: skip


def classify_sql(sql: str, v: Verdict, client: str) -> None:
    """Every statement counts: `USE db; REPAIR TABLE t;` is a repair."""
    lowered = sql.lower()
    for function, (level, what) in SQL_FUNCTIONS.items():
        if function in lowered:
            v.at_least(level, f"{client}: {function}() {what}")
    for statement in _STATEMENT_END.split(sql):
        match = _FIRST_WORD.match(statement)
        if not match:
            continue
        word = match.group(1).upper()
        if word in ("WITH", "EXPLAIN"):
            # A CTE or EXPLAIN ANALYZE can still carry a write.
            inner = re.search(r"\b(DELETE|UPDATE|INSERT|DROP|TRUNCATE)\b", statement.upper())
            word = inner.group(1) if inner else "SELECT"
        upper = statement.upper()
        if word == "VACUUM" and "FULL" in upper:
            v.at_least("dangerous", f"{client}: VACUUM FULL locks and rewrites tables")
        elif word in SQL_DANGEROUS:
            v.at_least("dangerous", f"{client}: SQL {word} changes or destroys data")
        elif word.startswith("\\"):
            if word[1:2] in ("i", "o", "!", "c") and word not in ("\\conninfo",):
                v.at_least("change", f"{client}: {word} runs or writes something")
        elif word not in SQL_READ:
            v.at_least("change", f"{client}: SQL {word} writes")


def psql(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, _PSQL_VALUE)
    sql = opts.value("-c", "--command")
    if sql is not None:
        classify_sql(sql, v, name)
    elif opts.value("-f", "--file") is not None:
        v.at_least("change", f"{name} -f {opts.value('-f', '--file')}: runs the SQL in a file")
    elif opts.has("-l", "--list", "-V", "--version"):
        return
    else:
        _session(name, v, ctx)


def mysql(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    # -pSECRET carries the password glued on; its letters are not flags.
    args = [arg for arg in args if not (arg.startswith("-p") or arg.startswith("--password"))]
    opts = parse_args(args, _MYSQL_VALUE)
    sql = opts.value("-e", "--execute")
    if sql is not None:
        classify_sql(sql, v, name)
    elif not opts.has("-V", "--version", "--help"):
        _session(name, v, ctx)


def _session(name: str, v: Verdict, ctx: Context) -> None:
    if ctx.stdin:
        v.at_least("dangerous", f"{name} < input: runs every statement fed in (a restore)")
    else:
        v.interactive = True
        v.at_least("change", f"{name}: a SQL session, anything typed there runs")


def redis_cli(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, _REDIS_VALUE)
    if opts.has("--stat", "--latency", "--latency-history", "-i", "-r"):
        v.streaming = True
    if opts.has("--pipe"):
        v.at_least("dangerous", f"{name} --pipe: runs every command fed in")
        return
    words = [word.upper() for word in opts.positionals]
    if not words:
        if opts.has("--scan", "--bigkeys", "--memkeys", "--hotkeys", "--stat", "--latency"):
            return
        if ctx.stdin:
            v.at_least("change", f"{name}: runs the commands fed in")
        else:
            v.interactive = True
            v.at_least("change", f"{name}: a Redis session, anything typed there runs")
        return
    pair = " ".join(words[:2])
    if words[0] in REDIS_DANGEROUS or pair in REDIS_DANGEROUS_PAIRS:
        shown = pair if pair in REDIS_DANGEROUS_PAIRS else words[0]
        v.at_least("dangerous", f"{name} {shown}: deletes data or stops the server")
    elif words[0] not in REDIS_READ:
        v.at_least("change", f"{name} {words[0]}: writes")
    if words[0] in ("MONITOR", "SUBSCRIBE", "PSUBSCRIBE"):
        v.streaming = True


def mongo(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    opts = parse_args(args, frozenset({"--eval", "--host", "--port", "-u", "-p", "--file"}))
    script = opts.value("--eval")
    if script is None:
        if opts.positionals and opts.positionals[-1].endswith(".js"):
            v.at_least("change", f"{name}: runs a script file")
        else:
            _session(name, v, ctx)
        return
    if re.search(r"drop|delete|remove\(|shutdown|renameCollection|update", script, re.I):
        v.at_least("dangerous", f"{name} --eval: deletes or changes data")
    elif not re.search(r"\b(find|count|stats|status|get\w*|hello|isMaster|ping)\b", script):
        v.at_least("change", f"{name} --eval: may write")


def admin(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """mysqladmin, pg_ctl: server control."""
    words = [arg for arg in args if not arg.startswith("-")]
    dangerous = [w for w in words if w in ("shutdown", "drop", "kill", "stop", "restart")
                 or w.startswith("flush")]  # fmt: skip
    if dangerous:
        v.at_least("dangerous", f"{name} {dangerous[0]}: stops the server or drops data")
    elif any(w in ("create", "start", "reload", "refresh", "password", "promote") for w in words):
        v.at_least("change", f"{name} {' '.join(words[:2])}: changes the server")


def restore(name: str, args: list[str], v: Verdict, ctx: Context) -> None:
    """pg_restore, dropdb, dropuser."""
    v.at_least("dangerous", f"{name}: overwrites or drops a database")
