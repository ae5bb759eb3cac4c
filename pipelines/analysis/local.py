"""The offline analyzer: lexicons, keyword rules and a small learned English polarity,
no network.

It is the fallback when no model is configured or reachable, so it must be
deterministic and cheap enough to run on every item. In English the learned polarity
(pipelines/analysis/polarity.py, trained on real patient comments) reads what word
lists miss ("Nothing." as an answer to "what could be better", complaints told without
an angry word); the lexicon keeps the last word on short plain phrases ("bad", "not
good") and is all there is in French and Spanish.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from pipelines.analysis import lexicon
from pipelines.analysis.polarity import PolarityModel, shipped_model
from pipelines.analysis.result import TOPICS, AnalysisResult

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"
LABEL_THRESHOLD = 0.2  # |score| below this is "neutral"

# How much each signal counts when several are present (normalized over those present).
TEXT_WEIGHT, RATING_WEIGHT, EMOJI_WEIGHT = 0.6, 0.3, 0.2
NEGATION_FLIP = -0.75  # "not good" is less negative than "bad" is
INTENSIFIER_BOOST = 1.5
NEGATION_WINDOW = 3  # tokens looked back for a negator, within the clause
SCORE_SATURATION = 8.0  # raw sum s maps to s / sqrt(s^2 + this): one "good" is about 0.58

# English: evidence = LEXICON_WEIGHT * lexicon score + the model's logit (clipped), whose
# sign is the label whenever the text evaluates something (see _english_text_score).
LEXICON_WEIGHT = 3.0
LOGIT_CLIP = 4.0
POSITIVE_EVIDENCE, NEGATIVE_EVIDENCE = 1.5, 2.75  # a cue-less text needs a confident model
EVIDENCE_SCALE = 4.0  # |evidence| e maps to 0.2 + 0.8 * tanh(e / this): never neutral, graded

_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u0153": "oe", "\u00e6": "ae"})
_TOKEN = re.compile(r"[a-z]*n't|[a-z]+'|[a-z0-9]+|[.,;:!?]")
_TOPIC_PATTERNS = {  # in TOPICS order, so results come out in taxonomy order
    topic: re.compile(r"\b(?:" + "|".join(lexicon.TOPIC_KEYWORDS[topic]) + r")\b")
    for topic in TOPICS
    if topic in lexicon.TOPIC_KEYWORDS
}
_EMOTION_OF = {word: emotion for emotion, words in lexicon.EMOTION_WORDS.items() for word in words}
_NOTHING_TO_IMPROVE = {lang: re.compile(pattern) for lang, pattern in lexicon.NOTHING_TO_IMPROVE.items()}
_ANSWER_EDGES = " \t\r\n.!,;:-"


def fold(text: str) -> str:
    """Lowercase and strip diacritics so "Très", "tres" and "TRÈS" look alike."""
    text = text.casefold().translate(_FOLD)
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def normalize_language(language: str | None) -> str | None:
    """Region tags go: "fr-CA" and "FR_fr" become "fr"; blank becomes None."""
    code = re.split(r"[-_]", (language or "").strip().lower())[0]
    return code or None


def tokenize(text: str) -> list[str]:
    """The analyzer's tokens of a text: folded words, "n't" forms and punctuation."""
    return _TOKEN.findall(fold(text))


def nothing_to_improve(folded: str, lang: str) -> bool:
    """The whole answer says there is nothing to improve (in `lang`, or any we know)."""
    answer = folded.strip(_ANSWER_EDGES)
    patterns = [_NOTHING_TO_IMPROVE[lang]] if lang in _NOTHING_TO_IMPROVE else _NOTHING_TO_IMPROVE.values()
    return any(pattern.fullmatch(answer) for pattern in patterns)


def detect_language(tokens: list[str]) -> str:
    """The supported language with the most stopwords; English on a tie or no evidence."""
    counts = {lang: sum(tok in lexicon.STOPWORDS[lang] for tok in tokens) for lang in SUPPORTED_LANGUAGES}
    best = max(SUPPORTED_LANGUAGES, key=counts.__getitem__)
    return best if counts[best] else DEFAULT_LANGUAGE


@dataclass(frozen=True)
class _Profile:
    sentiment: dict[str, float]
    negators: frozenset[str]
    intensifiers: frozenset[str]
    negated_overrides: dict[str, float]
    phrases: tuple[tuple[re.Pattern[str], float], ...]


def _profile(langs: tuple[str, ...]) -> _Profile:
    return _Profile(
        sentiment={k: v for lang in langs for k, v in lexicon.SENTIMENT[lang].items()},
        negators=frozenset().union(*(lexicon.NEGATORS[lang] for lang in langs)),
        intensifiers=frozenset().union(*(lexicon.INTENSIFIERS[lang] for lang in langs)),
        negated_overrides={
            k: v for lang in langs for k, v in lexicon.NEGATED_OVERRIDES.get(lang, {}).items()
        },
        phrases=tuple(
            (re.compile(pattern), weight)
            for lang in langs
            for pattern, weight in lexicon.SENTIMENT_PHRASES.get(lang, {}).items()
        ),
    )


_PROFILES = {lang: _profile((lang,)) for lang in SUPPORTED_LANGUAGES}
_ANY_LANGUAGE = _profile(SUPPORTED_LANGUAGES)  # for a language we have no lexicon for


def _negated(tokens: list[str], index: int, negators: frozenset[str]) -> bool:
    """A negator within a few tokens before `index`, not across a clause break."""
    for tok in reversed(tokens[max(0, index - NEGATION_WINDOW) : index]):
        if tok in lexicon.CLAUSE_BREAKS:
            return False
        if tok in negators or tok.endswith("n't"):
            return True
    return False


def _scan(folded: str, tokens: list[str], profile: _Profile) -> tuple[float, int, set[str]]:
    """Raw sentiment sum, number of sentiment words and phrases, and emotions (negated ones
    dropped)."""
    total, hits, emotions = 0.0, 0, set()
    for pattern, weight in profile.phrases:
        found = len(pattern.findall(folded))
        total, hits = total + found * weight, hits + found
    for i, tok in enumerate(tokens):
        emotion = _EMOTION_OF.get(tok)
        weight = profile.sentiment.get(tok)
        if emotion is None and weight is None:
            continue
        negated = _negated(tokens, i, profile.negators)
        if emotion and not negated:
            emotions.add(emotion)
        if weight is None:
            continue
        if tok in profile.intensifiers and i + 1 < len(tokens) and tokens[i + 1] in profile.sentiment:
            continue  # "super gentille": "super" only boosts the next word
        if i and tokens[i - 1] in profile.intensifiers:
            weight *= INTENSIFIER_BOOST
        if negated:
            weight = profile.negated_overrides.get(tok, NEGATION_FLIP * weight)
        total += weight
        hits += 1
    return total, hits, emotions


def _emoji_signals(text: str, emoji: str | None) -> list[tuple[float, str | None]]:
    """The emoji field (a symbol or a word like "angry") plus emoji inside the text."""
    signals: list[tuple[float, str | None]] = []
    if emoji:
        key = emoji.strip().casefold().replace("\ufe0f", "").replace(" ", "_").replace("-", "_")
        signals.extend([lexicon.EMOJI[key]] if key in lexicon.EMOJI else _emoji_chars(key))
    if not text.isascii():
        signals.extend(_emoji_chars(text))
    return signals


def _emoji_chars(text: str) -> list[tuple[float, str | None]]:
    return [lexicon.EMOJI[ch] for ch in text if ch in lexicon.EMOJI]


def _topics(folded: str) -> tuple[str, ...]:
    found = tuple(topic for topic, pattern in _TOPIC_PATTERNS.items() if pattern.search(folded))
    return found or ("other",)


def _english_text_score(tokens: list[str], total: float, hits: int, polarity: PolarityModel) -> float | None:
    """The text's signal in English, or None when it states facts without judging them.

    An evaluative text (a sentiment word, an evaluative cue, or a confident model) is never
    neutral: the sign of lexicon plus model decides, because real comments that judge
    something are rarely indifferent."""
    logit = polarity.logit(tokens)
    evaluative = (
        hits > 0
        or not lexicon.EVALUATIVE_CUES.isdisjoint(tokens)
        or logit >= POSITIVE_EVIDENCE
        or logit <= -NEGATIVE_EVIDENCE
    )
    if not evaluative:
        return None
    lexical = total / math.sqrt(total * total + SCORE_SATURATION) if hits else 0.0
    evidence = LEXICON_WEIGHT * lexical + max(-LOGIT_CLIP, min(LOGIT_CLIP, logit))
    if evidence == 0:
        return 0.0
    return math.copysign(
        LABEL_THRESHOLD + (1 - LABEL_THRESHOLD) * math.tanh(abs(evidence) / EVIDENCE_SCALE), evidence
    )


def _label(score: float) -> str:
    if score >= LABEL_THRESHOLD:
        return "positive"
    if score <= -LABEL_THRESHOLD:
        return "negative"
    return "neutral"


class LocalAnalyzer:
    """Lexicon-based sentiment, topics and emotions for English, French and Spanish, with a
    learned polarity for English (`polarity`: the shipped model unless another is given,
    as the out-of-fold measurements do)."""

    name: str = "local"

    def __init__(self, polarity: PolarityModel | None = None) -> None:
        self.polarity = polarity or shipped_model()

    def analyze(
        self,
        text: str | None,
        *,
        language: str | None = None,
        rating: int | None = None,
        emoji: str | None = None,
    ) -> AnalysisResult:
        text = (text or "").strip()
        folded = fold(text)
        tokens = _TOKEN.findall(folded)
        lang = normalize_language(language) or detect_language(tokens)
        profile = _PROFILES.get(lang, _ANY_LANGUAGE)
        total, hits, emotions = _scan(folded, tokens, profile)
        if not hits and profile is not _ANY_LANGUAGE:
            # Mislabeled feedback ("fr" on an English text): any language's words beat none.
            total, hits, emotions = _scan(folded, tokens, _ANY_LANGUAGE)
        if tokens and nothing_to_improve(folded, lang):
            total, hits = total + lexicon.NOTHING_TO_IMPROVE_WEIGHT, hits + 1

        signals: list[tuple[float, float]] = []  # (score, weight)
        text_score = (
            _english_text_score(tokens, total, hits, self.polarity)
            if lang == "en" and tokens
            else total / math.sqrt(total * total + SCORE_SATURATION)
            if hits
            else None
        )
        if text_score is not None:
            signals.append((text_score, TEXT_WEIGHT))
        if isinstance(rating, int) and 1 <= rating <= 5:
            signals.append(((rating - 3) / 2, RATING_WEIGHT))
        emojis = _emoji_signals(text, emoji)
        if emojis:
            signals.append((sum(s for s, _ in emojis) / len(emojis), EMOJI_WEIGHT))
            emotions.update(e for _, e in emojis if e)

        weight = sum(w for _, w in signals)
        score = sum(s * w for s, w in signals) / weight if weight else 0.0
        score = round(max(-1.0, min(1.0, score)), 3)
        return AnalysisResult(
            sentiment_label=_label(score),
            sentiment_score=score,
            language=lang,
            emotions=tuple(e for e in lexicon.EMOTIONS if e in emotions),
            topics=_topics(folded) if tokens else (),
        )
