"""The RE2 screen in front of the red-flag rules may name too many rules, never too few."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipelines.urgency import rules
from pipelines.urgency.screen import RuleScreen, without_lookarounds

CORPUS = Path(rules.__file__).parent / "corpus"


def corpus_texts() -> list[str]:
    return [
        json.loads(line)["text"]
        for path in sorted(CORPUS.glob("*.jsonl"))
        for line in path.read_text().splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize(
    ("pattern", "relaxed"),
    [
        (r"fell(?! asleep)", "fell"),
        (r"(?<!fievre est )tombee?s?(?! (?:malade|en panne))", "tombee?s?"),
        (r"find (?:my (?:mother|son))(?= anywhere)", "find (?:my (?:mother|son))"),
        (r"a[(?!]b(?!\)c)", "a[(?!]b"),
        (r"\(?!x", r"\(?!x"),
    ],
)
def test_lookarounds_are_dropped_and_nothing_else(pattern: str, relaxed: str) -> None:
    assert without_lookarounds(pattern) == relaxed


def test_every_rule_that_matches_a_corpus_text_is_a_candidate() -> None:
    texts = corpus_texts()
    assert len(texts) > 1000
    screen = RuleScreen(
        [
            r"\b(?:" + "|".join(alt for lang in rules.LANGUAGES for alt in getattr(spec, lang)) + r")\b"
            for spec in rules.RULES
        ]
    )
    matched_somewhere = 0
    for text in texts:
        folded = rules.fold(text)
        exact = {
            index
            for index, spec in enumerate(rules.RULES)
            if any(
                re.search(r"\b(?:" + "|".join(getattr(spec, lang)) + r")\b", folded)
                for lang in rules.LANGUAGES
            )
        }
        assert exact <= screen.candidates(folded), text
        matched_somewhere += bool(exact)
    assert matched_somewhere > 100  # the corpus exercises the rules, not only their absence


def test_text_the_screen_cannot_speak_for_goes_through_every_rule() -> None:
    screen = RuleScreen([r"\bchest pain\b", r"\bfell\b"])
    assert screen.candidates("the parking was expensive") == frozenset()
    assert screen.candidates("παράπονο about the food") == {0, 1}


def test_a_red_flag_is_still_found_behind_the_screen() -> None:
    assert rules.needs_fast_lane("my father cannot breathe and nobody comes", "en")
    assert not rules.needs_fast_lane("The food was cold and the parking expensive", "en")


def test_the_fast_lane_agrees_with_the_full_rules_on_the_corpus() -> None:
    texts = corpus_texts()
    urgent = [text for text in texts if rules.binding_level(rules.red_flags(text)) in ("critical", "high")]
    assert len(urgent) > 100
    assert [text for text in texts if rules.needs_fast_lane(text)] == urgent
