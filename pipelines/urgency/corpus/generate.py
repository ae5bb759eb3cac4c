"""Generate the bootstrap corpus from the phrase bank: `python -m pipelines.urgency.corpus.generate`.

Deterministic (fixed seeds), so the committed files can be checked by regenerating them.
About a quarter of each scenario's templates appear only in the test split, so the test
measures new phrasings, not memorized ones; the safety set is drawn with another seed.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipelines.urgency.corpus import CORPUS_DIR
from pipelines.urgency.corpus.phrases import (
    CLOSERS,
    DURATIONS,
    FILLERS,
    OPENERS,
    PEOPLE,
    PLACES,
    POLITE_WRAPS,
    PRAISE,
    SARCASM_WRAPS,
    SCENARIOS,
    Scenario,
)

LANGUAGES = ("en", "fr", "es")
CHANNELS = ("kiosk", "kiosk", "kiosk", "sms", "sms", "survey", "survey", "voice", "voice")
DRAWS_PER_LANGUAGE = {"critical": 260, "high": 200, "medium": 240, "low": 220}  # before deduplication
WRAPPED_PER_LANGUAGE = 40  # critical texts wrapped in praise or sarcasm, per language
TEST_SHARE = 0.2  # of the items from templates that training also sees
SAFETY_PER_LANGUAGE = {"critical": 60, "high": 20, "low": 20}
RATINGS = {
    "critical": (None, None, None, 1, 1, 2, 3, 5),
    "high": (None, None, 1, 2, 2, 3),
    "medium": (None, 1, 2, 2, 3, 3, 4),
    "low": (None, 4, 5, 5, 5, 3),
}


def _held_out(scenario: Scenario, language: str, index: int) -> bool:
    """A stable quarter of the templates is test-only; the first template always trains."""
    return index > 0 and zlib.crc32(f"{scenario.key}:{language}:{index}".encode()) % 4 == 0


def _fill(template: str, language: str, rng: random.Random) -> str:
    who, subject, obj, poss, ending = rng.choice(PEOPLE[language])
    values = {
        "who": who,
        "s": subject,
        "o": obj,
        "p": poss,
        "e": ending,
        "a": ending or "o",
        "place": rng.choice(PLACES[language]),
        "dur": rng.choice(DURATIONS[language]),
    }
    return _contract(template.format(**values), language)


_CONTRACTIONS = {
    "fr": ((" de le ", " du "), (" à le ", " au "), (" de les ", " des "), (" à les ", " aux ")),
    "es": ((" de el ", " del "), (" a el ", " al ")),
}


def _contract(text: str, language: str) -> str:
    """Spanish and French contractions: "de el pasillo" → "del pasillo", "à le lit" → "au lit"."""
    for long, short in _CONTRACTIONS.get(language, ()):
        text = text.replace(long, short)
    return text


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long_words = [i for i, word in enumerate(words) if len(word) > 5 and word.isalpha()]
    if not long_words:
        return text
    i = rng.choice(long_words)
    j = rng.randrange(1, len(words[i]) - 2)
    word = words[i]
    words[i] = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    return " ".join(words)


def _styled(text: str, channel: str, language: str, rng: random.Random) -> str:
    """How each channel tends to write: SMS terse, voice transcripts unpunctuated."""
    if channel == "voice":
        words = re.sub(r"[.,;:!?]", "", text).lower().split()
        words.insert(rng.randrange(0, len(words) + 1), rng.choice(FILLERS[language]))
        return " ".join(words)
    if channel == "sms":
        text = text.rstrip(".")
        return text.lower() if rng.random() < 0.5 else text
    text = rng.choice(OPENERS[language]) + text[0].upper() + text[1:]
    if not text.endswith((".", "!", "?")):
        text += rng.choice((".", ".", "!", ""))
    return text + rng.choice(CLOSERS[language])


def _item(text: str, language: str, level: str, scenario: str, trap: str | None, rng: random.Random) -> dict:
    channel = rng.choice(CHANNELS)
    if rng.random() < 0.08:
        text = _typo(text, rng)
    rating = rng.choice(RATINGS[level])
    if trap == "polite":
        rating = rng.choice((4, 5, 5))
    elif trap == "sarcasm":
        rating = rng.choice((None, 1, 5))
    return {
        "text": _styled(text, channel, language, rng),
        "language": language,
        "rating": rating,
        "channel": channel,
        "urgency": level,
        "scenario": scenario,
        "trap": trap,
    }


def _scenario_items(rng: random.Random, counts: dict[str, int]) -> Iterator[tuple[bool, dict[str, Any]]]:
    """(test_only, item) pairs: `counts[level]` draws per language, shared by that level's scenarios."""
    per_level = {level: sum(s.level == level for s in SCENARIOS) for level in counts}
    for scenario in SCENARIOS:
        for language in LANGUAGES:
            templates = list(enumerate(getattr(scenario, language)))
            for _ in range(counts.get(scenario.level, 0) // per_level.get(scenario.level, 1)):
                index, template = rng.choice(templates)
                test_only = _held_out(scenario, language, index)
                text = _fill(template, language, rng)
                yield test_only, _item(text, language, scenario.level, scenario.key, scenario.trap, rng)


def _wrapped_items(rng: random.Random, count: int) -> Iterator[tuple[bool, dict[str, Any]]]:
    """Critical texts inside praise (and a high rating) or sarcasm."""
    critical = [s for s in SCENARIOS if s.level == "critical"]
    for language in LANGUAGES:
        for n in range(count):
            scenario = rng.choice(critical)
            index, template = rng.choice(list(enumerate(getattr(scenario, language))))
            inner = _fill(template, language, rng)
            trap = "polite" if n % 2 == 0 else "sarcasm"
            wraps = POLITE_WRAPS if trap == "polite" else SARCASM_WRAPS
            text = rng.choice(wraps[language]).format(praise=rng.choice(PRAISE[language]), text=inner)
            test_only = _held_out(scenario, language, index)
            yield test_only, _item(text, language, "critical", scenario.key, trap, rng)


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def build() -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(20261123)
    seen: set[str] = set()
    splits: dict[str, list[dict[str, Any]]] = {"train": [], "test": [], "safety": []}
    for test_only, item in (
        *_scenario_items(rng, DRAWS_PER_LANGUAGE),
        *_wrapped_items(rng, WRAPPED_PER_LANGUAGE),
    ):
        key = _key(item["text"])
        if key in seen:
            continue
        seen.add(key)
        split = "test" if test_only or rng.random() < TEST_SHARE else "train"
        splits[split].append(item)
    safety_rng = random.Random(911)
    for _, item in _scenario_items(safety_rng, SAFETY_PER_LANGUAGE):
        key = _key(item["text"])
        if key not in seen:
            seen.add(key)
            splits["safety"].append(item)
    for name, items in splits.items():
        for n, item in enumerate(items):
            item["id"] = f"{name}-{n:05d}"
    return splits


def write(directory: Path = CORPUS_DIR) -> dict[str, int]:
    counts = {}
    for name, items in build().items():
        with (directory / f"{name}.jsonl").open("w", encoding="utf-8") as handle:
            for item in items:
                handle.write(json.dumps(item, ensure_ascii=False, sort_keys=True) + "\n")
        counts[name] = len(items)
    return counts


if __name__ == "__main__":
    print(write())
