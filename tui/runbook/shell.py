"""A small, forgiving reader of shell text: words, operators, redirections, where each sits.

It understands what runbooks contain (quotes, escapes, `$(...)`, backticks,
`${...}`, pipes and lists, here-documents, comments, line continuations,
if/for/while/case) well enough to tell where a command ends, which program each
part runs, and the exact span of every word so text can be inserted at the right
place. It never expands or runs anything and never raises on malformed input: an
unclosed quote just makes the text incomplete, as it would leave bash waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

TokenKind = Literal["word", "op", "redirect", "newline", "comment", "heredoc"]

# Longest first, so "&&" is not read as two "&".
_OPERATORS = ("&&", "||", ";;", "|&", "|", "&", ";", "(", ")")
_REDIRECT = re.compile(r"(?:\d+|&)?(?:>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)")
_BLANK = " \t\r"
_WORD_END = " \t\r\n|&;()<>"
# Operators after which the command is not finished yet: bash would wait for more.
_DANGLING = {"|", "||", "&&", "|&"}
_SEPARATORS = {";", ";;", "&&", "||", "|", "|&", "&", "(", ")"}
# A runbook placeholder such as <pod-name> is a word to fill in, not two redirections.
_PLACEHOLDER = re.compile(r"<[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*>")


@dataclass(slots=True)
class Word:
    text: str  # quotes removed, escapes applied; $VAR, $(...) and `...` kept as written
    start: int  # span in the text read
    end: int
    quote: str = ""  # "'" or '"' when the whole word is one quoted string, "mixed", ""
    subs: list[tuple[int, int]] = field(default_factory=list)  # $(...) and `...` bodies


@dataclass(slots=True)
class Token:
    kind: TokenKind
    text: str
    start: int
    end: int
    word: Word | None = None


@dataclass(slots=True)
class Lexed:
    tokens: list[Token]
    complete: bool  # False when a quote, substitution, here-document or `\` is left open


@dataclass(slots=True)
class Simple:
    """One simple command: `a b c > out`, with how it is connected to its neighbours."""

    words: list[Word]
    redirects: list[tuple[str, Word | None]] = field(default_factory=list)
    pipe_in: bool = False  # reads the previous command's output
    pipe_out: bool = False
    background: bool = False  # ended with a lone `&`
    nested: bool = False  # inside $(...), backticks or <(...)


@dataclass(slots=True)
class Parsed:
    commands: list[Simple]
    complete: bool  # see `is_complete`
    comments: list[Token]


def lex(text: str, start: int = 0, end: int | None = None) -> Lexed:
    lexer = _Lexer(text, start, len(text) if end is None else end)
    lexer.run()
    return Lexed(lexer.tokens, not lexer.open)


def parse(text: str, start: int = 0, end: int | None = None) -> Parsed:
    """The simple commands in `text[start:end]`, nested substitutions included."""
    lexed = lex(text, start, end)
    commands, depth, dangling = _group(lexed.tokens)
    for command in list(commands):
        for word in _all_words(command):
            for a, b in word.subs:
                inner = parse(text, a, b).commands
                for nested in inner:
                    nested.nested = True
                commands.extend(inner)
    complete = lexed.complete and depth <= 0 and not dangling
    comments = [token for token in lexed.tokens if token.kind == "comment"]
    return Parsed(commands, complete, comments)


def is_complete(text: str) -> bool:
    """Would bash run this text as it is, or wait for more lines?"""
    return parse(text).complete


def _all_words(command: Simple) -> list[Word]:
    return [*command.words, *(word for _, word in command.redirects if word is not None)]


# Keywords are only keywords where a command could start.
_OPENERS = {"if": 1, "while": 1, "until": 1, "{": 1}
_HEADERS = {"for", "select", "case"}  # their words up to the separator are not a command
_CLOSERS = {"fi", "done", "esac", "}"}
_PASS = {"then", "do", "else", "elif", "!", "time"}


def _group(tokens: list[Token]) -> tuple[list[Simple], int, bool]:
    """Split tokens into simple commands; return them, the open compound depth, and
    whether the text ends on an operator that wants another command."""
    commands: list[Simple] = []
    current = Simple([])
    header = False
    depth = 0
    parens = 0  # a ')' with no '(' ends a case pattern, it closes nothing
    pending_redirect: str | None = None
    last_op = ""

    def finish(op: str) -> None:
        nonlocal current, header
        if (current.words or current.redirects) and not header:
            current.pipe_out = op in ("|", "|&")
            current.background = op == "&"
            commands.append(current)
        elif op == "&" and commands:
            commands[-1].background = True  # `done &`: the loop before it runs in background
        current = Simple([], pipe_in=op in ("|", "|&"))
        header = False

    for token in tokens:
        if token.kind in ("comment", "heredoc"):
            continue
        if token.kind == "newline" or (token.kind == "op" and token.text in _SEPARATORS):
            op = token.text if token.kind == "op" else "\n"
            finish(op)
            if op == "(":
                depth += 1
                parens += 1
            elif op == ")" and parens > 0:
                depth -= 1
                parens -= 1
            if op != "\n" or last_op not in _DANGLING:
                last_op = op
            continue
        last_op = ""
        if token.kind == "redirect":
            pending_redirect = token.text
            continue
        word = token.word
        assert word is not None
        if pending_redirect is not None:
            current.redirects.append((pending_redirect, word))
            pending_redirect = None
            continue
        if not current.words and not header and word.quote == "":
            if word.text in _OPENERS:
                depth += 1
                continue
            if word.text in _CLOSERS:
                depth -= 1
                continue
            if word.text in _PASS:
                continue
            if word.text in _HEADERS:
                depth += 1
                header = True
        current.words.append(word)
    finish("")
    return commands, depth, last_op in _DANGLING


class _Lexer:
    def __init__(self, text: str, start: int, end: int) -> None:
        self.s = text
        self.i = start
        self.n = end
        self.tokens: list[Token] = []
        self.open = False
        self.pending: list[tuple[str, bool]] = []  # here-document delimiters to read
        self.delimiter_next: bool | None = None  # the next word delimits a here-document

    def run(self) -> None:
        s, n = self.s, self.n
        while self.i < n:
            i = self.i
            c = s[i]
            if c in _BLANK:
                self.i += 1
            elif c == "\\" and i + 1 < n and s[i + 1] == "\n":
                self.i += 2
            elif c == "\n":
                self.tokens.append(Token("newline", "\n", i, i + 1))
                self.i += 1
                if self.pending:
                    self._heredocs()
            elif c == "#":
                stop = s.find("\n", i, n)
                stop = n if stop < 0 else stop
                self.tokens.append(Token("comment", s[i:stop], i, stop))
                self.i = stop
            else:
                self._token()
        if self.pending:
            self.open = True  # a here-document that never got its body

    def _token(self) -> None:
        s, i = self.s, self.i
        match = None if _PLACEHOLDER.match(s, i, self.n) else _REDIRECT.match(s, i, self.n)
        if match and not (match.group() in ("<", ">") and s[match.end() : match.end() + 1] == "("):
            op = match.group()
            self.tokens.append(Token("redirect", op, i, match.end()))
            self.i = match.end()
            if op.endswith(("<<", "<<-")) and not op.endswith("<<<"):
                self.delimiter_next = op.endswith("-")
            return
        op = next((o for o in _OPERATORS if s.startswith(o, i) and i + len(o) <= self.n), None)
        if op is not None:
            self.tokens.append(Token("op", op, i, i + len(op)))
            self.i = i + len(op)
            return
        word = self._word()
        self.tokens.append(Token("word", word.text, word.start, word.end, word))
        if self.delimiter_next is not None:
            self.pending.append((word.text, self.delimiter_next))
            self.delimiter_next = None

    def _heredocs(self) -> None:
        s, n = self.s, self.n
        for delimiter, strip_tabs in self.pending:
            body_start = self.i
            while True:
                if self.i >= n:
                    self.open = True
                    self.tokens.append(Token("heredoc", s[body_start:n], body_start, n))
                    self.pending = []
                    return
                stop = s.find("\n", self.i, n)
                stop = n if stop < 0 else stop
                line = s[self.i : stop]
                self.i = min(stop + 1, n)
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    self.tokens.append(Token("heredoc", s[body_start : self.i], body_start, self.i))
                    break
        self.pending = []

    def _word(self) -> Word:
        s, n = self.s, self.n
        start = self.i
        out: list[str] = []
        subs: list[tuple[int, int]] = []
        quoted_spans: list[tuple[str, int, int]] = []
        i = start
        while i < n:
            c = s[i]
            if c == "<" and (placeholder := _PLACEHOLDER.match(s, i, n)):
                out.append(placeholder.group())
                i = placeholder.end()
                continue
            if c in _WORD_END and not (c in "<>" and i + 1 < n and s[i + 1] == "(" and i == start):
                break
            if c == "\\":
                if i + 1 >= n:
                    self.open = True
                    i += 1
                    break
                if s[i + 1] != "\n":
                    out.append(s[i + 1])
                quoted_spans.append(("\\", i, i + 2))
                i += 2
            elif c == "'":
                close = s.find("'", i + 1, n)
                if close < 0:
                    self.open = True
                    out.append(s[i + 1 : n])
                    i = n
                    break
                out.append(s[i + 1 : close])
                quoted_spans.append(("'", i, close + 1))
                i = close + 1
            elif c == '"':
                close = self._double(i, out, subs)
                quoted_spans.append(('"', i, close))
                i = close
            elif c == "$" and s.startswith("$'", i):
                close = self._ansi(i + 1)
                out.append(s[i + 2 : max(i + 2, close - 1)])
                quoted_spans.append(("'", i, close))
                i = close
            elif c == "$" or (c in "<>" and i == start):
                i = self._dollar(i, out, subs)
            elif c == "`":
                i = self._backtick(i, out, subs)
            else:
                out.append(c)
                i += 1
        self.i = i
        return Word("".join(out), start, i, _quote_kind(quoted_spans, start, i), subs)

    def _double(self, i: int, out: list[str], subs: list[tuple[int, int]]) -> int:
        """Read a double-quoted string starting at s[i] == '"'; return the index after it."""
        s, n = self.s, self.n
        j = i + 1
        while j < n:
            c = s[j]
            if c == "\\" and j + 1 < n:
                if s[j + 1] in '$`"\\':
                    out.append(s[j + 1])
                elif s[j + 1] != "\n":
                    out.append(s[j : j + 2])
                j += 2
            elif c == '"':
                return j + 1
            elif c == "$":
                j = self._dollar(j, out, subs)
            elif c == "`":
                j = self._backtick(j, out, subs)
            else:
                out.append(c)
                j += 1
        self.open = True
        return n

    def _dollar(self, i: int, out: list[str], subs: list[tuple[int, int]]) -> int:
        """$(...), $((...)), ${...}, <(...) or a plain '$'; keeps them as written."""
        s = self.s
        if s.startswith("$((", i):
            close = self._close_paren(i + 1)
        elif s.startswith("$(", i) or (s[i] in "<>" and s.startswith("(", i + 1)):
            close = self._close_paren(i + 1)
            subs.append((i + 2, max(i + 2, close - 1)))
        elif s.startswith("${", i):
            close = self._close_brace(i + 1)
        else:
            out.append(s[i])
            return i + 1
        out.append(s[i:close])
        return close

    def _backtick(self, i: int, out: list[str], subs: list[tuple[int, int]]) -> int:
        s, n = self.s, self.n
        j = i + 1
        while j < n and s[j] != "`":
            j += 2 if s[j] == "\\" else 1
        if j >= n:
            self.open = True
            out.append(s[i:n])
            return n
        subs.append((i + 1, j))
        out.append(s[i : j + 1])
        return j + 1

    def _ansi(self, i: int) -> int:
        """$'...' strings: backslash escapes, closed by an unescaped quote."""
        s, n = self.s, self.n
        j = i + 1
        while j < n and s[j] != "'":
            j += 2 if s[j] == "\\" else 1
        if j >= n:
            self.open = True
            return n
        return j + 1

    def _close_paren(self, i: int) -> int:
        """s[i] is '('; the index after its matching ')', skipping quoted text."""
        return self._close(i, "(", ")")

    def _close_brace(self, i: int) -> int:
        return self._close(i, "{", "}")

    def _close(self, i: int, opening: str, closing: str) -> int:
        s, n = self.s, self.n
        depth = 0
        j = i
        while j < n:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "'":
                close = s.find("'", j + 1, n)
                j = n if close < 0 else close + 1
                continue
            if c == '"':
                j = self._double(j, [], [])
                continue
            if c == opening:
                depth += 1
            elif c == closing:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        self.open = True
        return n


def _quote_kind(spans: list[tuple[str, int, int]], start: int, end: int) -> str:
    if not spans:
        return ""
    if len(spans) == 1 and spans[0][1] == start and spans[0][2] == end and spans[0][0] != "\\":
        return spans[0][0]
    return "mixed"
