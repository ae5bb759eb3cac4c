"""Red-flag rules: find danger to a patient in free text, in English, French and Spanish.

Safety first: a false alarm costs a nurse a minute, a missed emergency can cost a life,
so every ambiguity resolves towards a hit. Two things switch a match off:

* Negation. A cue ("no", "denies", "never", "n't", "pas", "sans", "sin", "niega") within
  the few tokens before the match, reaching it only across function words: "denies ANY
  chest pain", "n'a PAS DE douleur thoracique", "no TIENE dolor en el pecho". A content
  word ends the scope ("the nurse did not CHECK his chest pain" is a hit), and so does
  punctuation or a conjunction. A symptom phrased with a negation ("can't breathe") keeps
  it inside its pattern, so only words before it are ever looked at.
* Resolution. The finding is said to be over, in the same sentence: right after it,
  across function words only ("the chest pain IS gone now", "trouble breathing yesterday
  BUT IT'S fine now", "la douleur thoracique A disparu"), or just before it ("se me paso
  el dolor de pecho"). A resolved critical or high finding becomes a medium
  "resolved_<rule>" hit, so someone still follows up. A past event that is not said to be
  resolved ("he collapsed and nobody came") stays a full hit.

All three languages are matched whatever `language` says (feedback is often mislabeled);
the language of the matching pattern goes into the reason, which never quotes the text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pipelines.urgency.context import Situation, is_not_an_event, reassured, situation
from pipelines.urgency.patterns import (
    NEGATION_COORDINATORS,
    NEGATION_CUES,
    NEGATION_FILLERS,
    PRE_RESOLUTION,
    PSEUDO_NEGATIONS,
    RESOLUTION_FILLERS,
    RESOLUTION_PHRASES,
    RESOLUTION_PRONOUNS,
    RESOLVED_STATES,
    RULES,
    RuleSpec,
)
from pipelines.urgency.screen import RuleScreen
from pipelines.urgency.vitals import dangerous_vitals

LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")  # ascending
LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
NEGATION_WINDOW = 5  # tokens looked at before a match
RESOLUTION_WINDOW = 8  # tokens looked at after a match


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired; safe to log and show to staff because it quotes no patient text."""

    level: str  # "critical" | "high" | "medium"
    rule: str  # stable id, e.g. "breathing_difficulty" or "resolved_chest_pain"
    reason: str  # names the rule and language only, never the patient's words


def level_rank(level: str) -> int:
    """Position in LEVELS; raises ValueError for an unknown level."""
    return LEVELS.index(level)


def max_level(*levels: str | None) -> str:
    """The highest of the given levels, ignoring None; "low" when there are none."""
    return max((lvl for lvl in levels if lvl is not None), key=level_rank, default="low")


_FOLD = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
        "\u0153": "oe",
        "\u00e6": "ae",
        "-": " ",
        "\u2010": " ",
        "\u2011": " ",
        "\u2013": " ",
        "\u2014": " ",
        "(": " ",
        ")": " ",
        "[": " ",
        "]": " ",
        '"': " ",
        "\u00ab": " ",
        "\u00bb": " ",
        "\u201c": " ",
        "\u201d": " ",
    }
)
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"(?:qu|[cdjlmnst])'|[a-z]*n't|[a-z0-9]+(?:'(?:s|m|re|ve|ll|d))?|[.,;:!?]")
_PSEUDO = re.compile(r"\b(?:" + "|".join(PSEUDO_NEGATIONS) + r")\b")
_RESOLVED = re.compile(r"(?:" + "|".join(RESOLUTION_PHRASES) + r")\b")
_RESOLVED_STATE = re.compile(r"(?:" + "|".join(RESOLVED_STATES) + r")\b")
_COMPILED: tuple[tuple[RuleSpec, dict[str, re.Pattern[str]]], ...] = tuple(
    (spec, {lang: re.compile(r"\b(?:" + "|".join(getattr(spec, lang)) + r")\b") for lang in LANGUAGES})
    for spec in RULES
)


# Which rules could match at all, before the exact (slow) patterns look: see screen.py.
def _screen(specs: list[RuleSpec]) -> RuleScreen:
    """A screen over `specs`, each rule's patterns in every language as one alternative."""
    return RuleScreen(
        [
            r"\b(?:" + "|".join(alt for lang in LANGUAGES for alt in getattr(spec, lang)) + r")\b"
            for spec in specs
        ]
    )


_SCREEN = _screen(list(RULES))
# Numbers are judged by vitals.py, not by a pattern table; their hits read like any rule's.
VITAL_SIGN = RuleSpec("dangerous_vital_sign", "critical", "dangerous vital sign", (), (), ())

_NEGATED, _RESOLVED_HIT, _HIT = 0, 1, 2  # outcomes of one match, worst to best
_CLAUSE_BREAKS = frozenset(".,;:!?") | {"but", "mais", "pero", "and", "et", "y"}


# Spoken fillers that voice transcripts and hurried texts put inside a phrase ("quitarse la
# eh vida", "I don't want you know to live"): dropped, so a red flag reads through them.
_FILLERS = re.compile(
    r"\b(?:u+m+|u+h+|e+r+m*|e+h+m*|h+m+|euh|heu|bah|ben|pues|you know|o sea|tu sais|vous savez)\b ?"
)


def fold(text: str) -> str:
    """Lowercase, strip accents, straighten apostrophes, hyphens to spaces, drop spoken
    fillers, single spaces."""
    text = text.casefold().translate(_FOLD)
    if not text.isascii():
        text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _FILLERS.sub("", text)).strip()


@dataclass(frozen=True)
class _Doc:
    folded: str
    tokens: list[str]
    starts: list[int]
    blocked: frozenset[int]  # token indices inside a pseudo-negation ("n'arrete pas de")


def _doc(folded: str) -> _Doc:
    found = list(_TOKEN.finditer(folded))
    starts = [m.start() for m in found]
    pseudo = [m.span() for m in _PSEUDO.finditer(folded)]
    blocked = frozenset(i for i, s in enumerate(starts) if any(a <= s < b for a, b in pseudo))
    return _Doc(folded, [m.group() for m in found], starts, blocked)


def _is_cue(token: str) -> bool:
    return token in NEGATION_CUES or token.endswith("n't")


def _outcome(doc: _Doc, start: int, end: int, resolvable: bool) -> int:
    """Whether one match is negated, said to be resolved, or a hit.

    A finding phrased as a negation ("no puede respirar", "pas recu son traitement") is
    never negated again: the "n'" in "il n'a pas recu" belongs to the finding itself.
    """
    first = bisect_left(doc.starts, start)
    look_back = 0 if first < len(doc.tokens) and _is_cue(doc.tokens[first]) else NEGATION_WINDOW
    coordinated = False  # past "or"/"ni": "no chest pain or breathing problems"
    for j in range(first - 1, max(-1, first - 1 - look_back), -1):
        tok = doc.tokens[j]
        if j in doc.blocked:
            break
        if _is_cue(tok):
            return _NEGATED
        if resolvable and tok in PRE_RESOLUTION:
            return _RESOLVED_HIT
        coordinated = coordinated or tok in NEGATION_COORDINATORS
        if tok not in NEGATION_FILLERS and not (coordinated and tok not in _CLAUSE_BREAKS):
            break
    if resolvable and _resolved_after(doc, bisect_left(doc.starts, end)):
        return _RESOLVED_HIT
    return _HIT


def _resolved_after(doc: _Doc, after: int) -> bool:
    """A resolution phrase follows across fillers; right after a pronoun, only a state
    ("she is fine now" resolves, "and she went away" does not)."""
    after_pronoun = False
    for j in range(after, min(len(doc.tokens), after + RESOLUTION_WINDOW)):
        pattern = _RESOLVED_STATE if after_pronoun else _RESOLVED
        if pattern.match(doc.folded, doc.starts[j]):
            return True
        after_pronoun = doc.tokens[j] in RESOLUTION_PRONOUNS
        if not after_pronoun and doc.tokens[j] not in RESOLUTION_FILLERS:
            return False
    return False


@dataclass(frozen=True)
class _Found:
    outcome: int
    language: str
    situation: Situation


_NOT_NOW = Situation("past", "patient")  # what a resolved finding is, for ranking


def _best(doc: _Doc, spans: Iterable[tuple[int, int]], resolvable: bool, language: str) -> _Found | None:
    """The best reading over all matches of one rule, None when nothing matches: a hit
    happening now beats one in the past or a hypothetical one, which beats a resolved one."""
    best: _Found | None = None
    for start, end in spans:
        if is_not_an_event(doc.folded, start, end):
            continue
        outcome = _outcome(doc, start, end, resolvable)
        if outcome == _NEGATED:
            continue
        found = _Found(outcome, language, situation(doc.folded, start, end) if outcome == _HIT else _NOT_NOW)
        if best is None or _rank(found) > _rank(best):
            best = found
        if outcome == _HIT and found.situation.timing == "now":
            break
    return best


def _spans(pattern: re.Pattern[str], folded: str) -> Iterator[tuple[int, int]]:
    return (match.span() for match in pattern.finditer(folded))


def _rank(found: _Found) -> tuple[int, bool]:
    return found.outcome, found.situation.timing == "now"


def _language_order(language: str | None) -> tuple[str, ...]:
    """The stated language first (its name wins a tie in the reason), then the others."""
    code = re.split(r"[-_]", (language or "").strip().lower())[0]
    return (code, *(lang for lang in LANGUAGES if lang != code)) if code in LANGUAGES else LANGUAGES


def red_flags(text: str | None, language: str | None = None) -> list[RuleHit]:
    """At most one hit per rule id, highest level first (rule table order within a level)."""
    if not text or not text.strip():
        return []
    folded = fold(text)
    candidates = _SCREEN.candidates(folded)
    vitals = list(dangerous_vitals(folded))
    if not candidates and not vitals:
        return []
    doc = _doc(folded)
    languages = _language_order(language)
    hits: list[RuleHit] = []
    if vitals and (found := _best(doc, vitals, True, languages[0])) is not None:
        hits.append(_hit(VITAL_SIGN, found, True))
    for index, (spec, patterns) in enumerate(_COMPILED):
        if index not in candidates:
            continue
        resolvable = level_rank(spec.level) > level_rank("medium")
        found: _Found | None = None
        for lang in languages:
            candidate = _best(doc, _spans(patterns[lang], folded), resolvable, lang)
            if candidate is not None and (found is None or _rank(candidate) > _rank(found)):
                found = candidate
                if _rank(found) == (_HIT, True):
                    break
        if found is not None:
            hits.append(_hit(spec, found, resolvable))
    hits.sort(key=lambda hit: -level_rank(hit.level))
    return hits


def _hit(spec: RuleSpec, found: _Found, resolvable: bool) -> RuleHit:
    """The hit of one rule; a critical or high finding that is over, dated in the past or
    only supposed becomes a medium hit that names why, so someone still follows up."""
    if found.outcome == _RESOLVED_HIT:
        return RuleHit(
            "medium", f"resolved_{spec.rule}", f"resolved red flag: {spec.label} ({found.language})"
        )
    timing, experiencer = found.situation.timing, found.situation.experiencer
    about = (
        ""
        if experiencer == "patient"
        else f", about {'a relative' if experiencer == 'relative' else 'another person'}"
    )
    if timing != "now" and resolvable:
        return RuleHit(
            "medium", f"{timing}_{spec.rule}", f"{timing} red flag: {spec.label} ({found.language}{about})"
        )
    return RuleHit(spec.level, spec.rule, f"red flag: {spec.label} ({found.language}{about})")


NOT_NOW_PREFIXES = ("resolved_", "past_", "hypothetical_")


def binding_level(hits: list[RuleHit]) -> str:
    """The level rules impose beside a model. A finding that is over, in the past or only
    supposed ("the chest pain is gone now", "my heart attack last year", "what if someone
    collapsed") is evidence the model weighs, not a floor: thanks for a cured knee is low."""
    return max_level(*(hit.level for hit in hits if not hit.rule.startswith(NOT_NOW_PREFIXES)))


def model_ceiling(hits: list[RuleHit], text: str | None) -> str | None:
    """The highest level the model may call when the rules read every urgent finding as
    over, dated or supposed ("my heart attack last year", "what if he collapsed"), or the
    writer says it is not urgent ("nothing urgent, nobody's hurt"): the model then sees
    the alarming words but not their context, so it may ask for a follow-up ("medium")
    and no more. None: no ceiling."""
    if binding_level(hits) in ("critical", "high"):
        return None
    if any(hit.rule.startswith(NOT_NOW_PREFIXES) for hit in hits) or (text and reassured(fold(text))):
        return "medium"
    return None


def capped(level: str | None, ceiling: str | None) -> str | None:
    if level is None or ceiling is None or level_rank(level) <= level_rank(ceiling):
        return level
    return ceiling


# The same screen over the critical and high rules only: what the fast lane asks about.
_URGENT_SCREEN = _screen([spec for spec in RULES if spec.level in ("critical", "high")])


def needs_fast_lane(text: str | None, language: str | None = None) -> bool:
    """Whether the red flags alone (no model) already call an item critical or high, so
    that it jumps the queues; the pipeline decides its urgency later. Most feedback trips
    no urgent rule at all, which the screen tells in microseconds."""
    if not text:
        return False
    folded = fold(text)
    if not _URGENT_SCREEN.candidates(folded) and not any(ch.isdigit() for ch in folded):
        return False  # no urgent rule could match, and no number to read
    return binding_level(red_flags(text, language)) in ("critical", "high")
