"""The shipped bootstrap corpus: big enough, three languages, every hard case, a
held-out split training never sees, and exactly what the generator produces."""

from __future__ import annotations

from collections import Counter

from pipelines.training.dataset import text_key
from pipelines.urgency.corpus import SPLITS, load_split
from pipelines.urgency.corpus.generate import build

TRAPS = {"negation", "resolved", "sarcasm", "polite", "no_keyword", "figurative"}


def test_corpus_has_two_thousand_items_in_three_languages_and_four_levels() -> None:
    splits = {name: load_split(name) for name in SPLITS}
    assert sum(len(items) for items in splits.values()) >= 2000
    for name in ("train", "test"):
        items = splits[name]
        assert set(Counter(item["language"] for item in items)) == {"en", "fr", "es"}
        assert set(Counter(item["urgency"] for item in items)) == {"critical", "high", "medium", "low"}
        assert {item["trap"] for item in items} >= TRAPS
        assert {item["channel"] for item in items} == {"kiosk", "sms", "survey", "voice"}
    assert Counter(item["urgency"] for item in splits["safety"])["critical"] >= 100


def test_held_out_and_safety_texts_never_train() -> None:
    train = {text_key(item["text"]) for item in load_split("train")}
    for name in ("test", "safety"):
        assert not train & {text_key(item["text"]) for item in load_split(name)}


def test_committed_files_are_what_the_generator_makes() -> None:
    generated = build()
    for name in SPLITS:
        assert generated[name] == load_split(name), f"{name}.jsonl is stale: rerun the generator"
