"""A fast, sound screen for the red-flag rules: which rules could match a text at all.

Python's `re` tries every alternative of every rule at every word start: ~2 ms for a
paragraph with the full rule table, paid at ingest (the fast lane) and again at scoring.
RE2 (google-re2) runs all the rules at once as one automaton in linear time, tens of
microseconds. RE2 has no lookarounds, so each rule goes in without them: a pattern whose
lookarounds are dropped matches wherever the original does, and sometimes more. The
screen may therefore name a rule that does not match (the exact `re` check then says
no), never miss one that does. Its `\\w` and `\\b` are ASCII, so it only speaks for ASCII
text; anything else goes through every rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import re2

LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")


def _group_end(pattern: str, start: int) -> int:
    """The index just past the group opening at `start`, skipping escapes and classes."""
    depth, i = 0, start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = _class_end(pattern, i)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unbalanced group in a red-flag pattern")


def _class_end(pattern: str, start: int) -> int:
    """The index just past the character class opening at `start` (`[]…]` and `[^]…]` too)."""
    i = start + 1
    if i < len(pattern) and pattern[i] == "^":
        i += 1
    if i < len(pattern) and pattern[i] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def without_lookarounds(pattern: str) -> str:
    """`pattern` with every lookahead and lookbehind removed: it matches a superset."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith(LOOKAROUNDS, i):
            i = _group_end(pattern, i)
            continue
        if pattern[i] == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if pattern[i] == "[":
            end = _class_end(pattern, i)
            out.append(pattern[i:end])
            i = end
            continue
        out.append(pattern[i])
        i += 1
    return "".join(out)


class RuleScreen:
    """The rules (by index) whose relaxed patterns match a folded text."""

    def __init__(self, rules: Sequence[str]) -> None:
        self._count = len(rules)
        self._set = re2.Set.SearchSet()
        for pattern in rules:
            self._set.Add(without_lookarounds(pattern))
        self._set.Compile()

    def candidates(self, folded: str) -> frozenset[int]:
        """A superset of the rules that match `folded` (every rule for non-ASCII text)."""
        if not folded.isascii():
            return frozenset(range(self._count))
        return frozenset(self._set.Match(folded) or ())
