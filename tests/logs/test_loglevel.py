"""detect_level: the level a line states, checked on real logs line by line."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.sources.log_model import Level
from tui.sources.loglevel import detect_level

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "logs"

# The level words these corpora use, mapped by hand.
WORDS = {
    "INFO": Level.INFO,
    "WARN": Level.WARN,
    "ERROR": Level.ERROR,
    "FATAL": Level.FATAL,
    "DEBUG": Level.DEBUG,
    "notice": Level.NOTICE,
    "error": Level.ERROR,
    "warn": Level.WARN,
    "info": Level.INFO,
}


def apache(line: str) -> Level | None:
    # [Sun Dec 04 04:47:44 2005] [error] message: the second bracketed field.
    return WORDS[re.match(r"\[[^\]]*\] \[(\w+)\]", line).group(1)]  # type: ignore[union-attr]


def hdfs(line: str) -> Level | None:
    return WORDS[line.split()[3]]  # 081109 203615 148 INFO dfs...


def spark(line: str) -> Level | None:
    return WORDS[line.split()[2]]  # 17/06/09 20:10:40 INFO executor...


def zookeeper(line: str) -> Level | None:
    return WORDS[line.split(" - ", 1)[1].split()[0]]  # 2015-... - INFO  [thread] - msg


def no_level(line: str) -> Level | None:
    return None  # syslog lines without <PRI> state no level


EXTRACTORS: dict[str, Callable[[str], Level | None]] = {
    "Apache_2k.log": apache,
    "HDFS_2k.log": hdfs,
    "Spark_2k.log": spark,
    "Zookeeper_2k.log": zookeeper,
    "Linux_2k.log": no_level,
    "OpenSSH_2k.log": no_level,
}


@pytest.mark.parametrize("name", sorted(EXTRACTORS))
def test_every_line_of_real_logs(name: str) -> None:
    path = CORPORA / name
    if not path.is_file():
        pytest.skip(f"the log corpus {path} is not here")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    assert len(lines) == 2000
    expected = EXTRACTORS[name]
    wrong = [(line, detect_level(line), expected(line)) for line in lines]
    wrong = [item for item in wrong if item[1] != item[2]]
    assert not wrong, f"{len(wrong)} lines wrong, first: {wrong[:3]}"


def test_the_corpora_have_levels_worth_checking() -> None:
    if not CORPORA.is_dir():
        pytest.skip(f"the log corpora {CORPORA} are not here")
    found = {
        detect_level(line)
        for name in ("Apache_2k.log", "Zookeeper_2k.log", "HDFS_2k.log")
        for line in (CORPORA / name).read_text().splitlines()
    }
    assert {Level.NOTICE, Level.INFO, Level.WARN, Level.ERROR} <= found


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick", Level.FATAL),
        ("<165>1 2003-10-11T22:14:15.003Z host app - - msg", Level.NOTICE),
        ("<11>Jan  1 00:00:00 host app: x", Level.ERROR),
        ("2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:2181] - x", Level.INFO),
        ("17/06/09 20:10:40 WARN storage.BlockManager: x", Level.WARN),
        ("2024-03-01 10:00:00,123 [main] ERROR com.shop.Checkout - boom", Level.ERROR),
        ("2024-03-01T10:00:00.123Z  INFO 1 --- [main] c.s.App : Started", Level.INFO),
        ("081109 203615 148 INFO dfs.DataNode$PacketResponder: x", Level.INFO),
        ("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", Level.ERROR),
        ("ERROR:root:could not connect", Level.ERROR),
        ("WARNING:urllib3.connectionpool:Retrying", Level.WARN),
        ("2024-01-01 10:00:00,123 WARNING checkout: slow", Level.WARN),
        ("2024-01-01 10:00:00,123 CRITICAL checkout: down", Level.FATAL),
        ("E0102 15:04:05.123456    1 reflector.go:138] failed to list", Level.ERROR),
        ("W0102 15:04:05.123456    1 warnings.go:70] deprecated", Level.WARN),
        ("I0102 15:04:05.123456    1 leaderelection.go:248] acquired", Level.INFO),
        ("F0102 15:04:05.123456    1 main.go:10] cannot start", Level.FATAL),
        ('time="2024-01-01T10:00:00Z" level=warning msg="disk 91% full"', Level.WARN),
        ("ts=2024-01-01T10:00:00Z caller=main.go:42 level=error msg=boom", Level.ERROR),
        ("t=2024-01-01T10:00:00+0000 lvl=eror msg=boom", Level.ERROR),
        ("2024/01/01 10:00:00 [error] 123#0: *1 open() failed", Level.ERROR),
        ("2024/01/01 10:00:00 [warn] 1#1: conflicting server name", Level.WARN),
        ("[WARN] disk almost full", Level.WARN),
        ("[ error ] spaced", Level.ERROR),
        ("[10:00:00 INF] Serilog line", Level.INFO),
        ("info: Microsoft.Hosting.Lifetime[14]", Level.INFO),
        ("Error: connect ECONNREFUSED 10.0.3.7:27017", Level.ERROR),
        ("SEVERE: java.util.logging line", Level.ERROR),
        ("PANIC: runtime error", Level.FATAL),
        ("EMERG kernel panic", Level.FATAL),
        ("ALERT something", Level.FATAL),
        ("NOTICE ready", Level.NOTICE),
        ("DEBUG x=1", Level.DEBUG),
        ("TRACE entering", Level.TRACE),
        ("VERBOSE details", Level.TRACE),
        ("2024-01-01T10:00:00Z Warn retrying", Level.WARN),
        ("2024-01-01 10:00:00.123 UTC [1] LOG:  checkpoint starting", Level.INFO),
        ("2024-01-01 10:00:00.123 UTC [1] FATAL:  remaining connection slots", Level.FATAL),
        ("1:M 01 Jan 2024 10:00:00.123 # WARNING overcommit_memory", Level.WARN),
        ("1:M 01 Jan 2024 10:00:00.123 * Ready to accept connections", Level.INFO),
    ],
)
def test_formats(line: str, level: Level) -> None:
    assert detect_level(line) is level


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ('{"level":"info","msg":"x"}', Level.INFO),
        ('{"level":"WARN","msg":"x"}', Level.WARN),
        ('{"level":30,"msg":"pino info"}', Level.INFO),
        ('{"level":10}', Level.TRACE),
        ('{"level":20}', Level.DEBUG),
        ('{"level":40}', Level.WARN),
        ('{"level":50}', Level.ERROR),
        ('{"level":60}', Level.FATAL),
        ('{"severity":"ERROR","message":"gcp"}', Level.ERROR),
        ('{"severity":"CRITICAL"}', Level.FATAL),
        ('{"lvl":"dbug"}', Level.DEBUG),
        ('{"log.level":"warn","ecs.version":"1.6"}', Level.WARN),
        ('{"log":{"level":"error"}}', Level.ERROR),
        ('{"level":3,"short_message":"gelf"}', Level.ERROR),
        ('{"t":{"$date":"2024-01-01T10:00:00Z"},"s":"W","c":"NETWORK","msg":"x"}', Level.WARN),
        ('{"t":{"$date":"2024-01-01T10:00:00Z"},"s":"D2","c":"NETWORK","msg":"x"}', Level.DEBUG),
        ('{"level":"error","msg":"cut in the midd', Level.ERROR),  # cut: found by eye
        ('{"msg":"no level here","error":"boom"}', None),
        ('{"level":"banana"}', None),
        ("{not json at all", None),
    ],
)
def test_json_records(line: str, level: Level | None) -> None:
    assert detect_level(line) is level


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0",
        "Dec 10 06:55:46 LabSZ sshd[24200]: error: Received disconnect from 1.2.3.4",
        "Jul 25 23:23:13 combo xinetd[26482]: warning: can't get client address",
        "the job failed with an error after a warning",
        "error connecting to the database",  # prose, lower case, no colon: not a header
        "Notice that nothing here is a level",
        "1 error generated.",
        "Monitoring ERROR rates",
        '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /error HTTP/1.0" 500 2326',
        "DEBUG=1 node server.js",
        "INFORMATIONAL-ish but not a token",
        "> web@1.0 start",
        "Log: lowercase log is prose",
        "   at com.shop.Checkout(Checkout.java:42)",
    ],
)
def test_no_level_is_guessed(line: str) -> None:
    assert detect_level(line) is None


def test_a_megabyte_json_line_is_not_parsed_whole() -> None:
    line = '{"level":"warn","blob":"' + "x" * 1_000_000 + '"}'
    assert detect_level(line) is Level.WARN
