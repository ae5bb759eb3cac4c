"""The offline analyzer: language, sentiment, rating/emoji blending, topics, emotions."""

from __future__ import annotations

import dataclasses

import pytest

from pipelines.analysis.local import LocalAnalyzer, detect_language, fold, normalize_language
from pipelines.analysis.result import SENTIMENT_LABELS, TOPICS, AnalysisResult, Analyzer

ANALYZER = LocalAnalyzer()


def analyze(text: str | None, **kwargs: object) -> AnalysisResult:
    return ANALYZER.analyze(text, **kwargs)  # type: ignore[arg-type]


def score(text: str | None, **kwargs: object) -> float:
    return analyze(text, **kwargs).sentiment_score


# --- contract -------------------------------------------------------------------------------


def test_local_analyzer_satisfies_the_protocol() -> None:
    analyzer: Analyzer = LocalAnalyzer()
    assert analyzer.name == "local"
    result = analyzer.analyze("fine", language=None, rating=None, emoji=None)
    assert isinstance(result, AnalysisResult)


def test_result_is_frozen_with_empty_defaults() -> None:
    result = AnalysisResult(sentiment_label="neutral", sentiment_score=0.0, language="en")
    assert result.emotions == () and result.topics == () and result.urgency_hint_reasons == ()
    assert result.summary is None and result.urgency_hint is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.sentiment_score = 1.0  # type: ignore[misc]


def test_taxonomy_constants() -> None:
    assert SENTIMENT_LABELS == ("negative", "neutral", "positive")
    assert len(TOPICS) == len(set(TOPICS)) == 12
    assert TOPICS[-1] == "other"


def test_local_analyzer_leaves_urgency_and_summary_to_others() -> None:
    result = analyze("He can't breathe and nobody comes!", rating=1)
    assert result.urgency_hint is None
    assert result.urgency_hint_reasons == ()
    assert result.summary is None


def test_deterministic() -> None:
    text = "Le personnel était adorable mais la chambre était sale 😞"
    assert analyze(text, rating=3, emoji="sad") == analyze(text, rating=3, emoji="sad")


# --- language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The nurse was very kind and the doctor explained everything", "en"),
        ("I waited for hours and it was awful", "en"),
        ("L'infirmière était très gentille et le médecin a tout expliqué", "fr"),
        ("Nous avons attendu trop longtemps dans le couloir", "fr"),
        ("Je ne suis pas satisfait du service", "fr"),
        ("La enfermera fue muy amable y el médico nos explicó todo", "es"),
        ("Esperamos demasiado tiempo en el pasillo", "es"),
        ("Mi padre estaba muy contento con la atención", "es"),
        ("", "en"),
        ("!!!", "en"),
        ("ok", "en"),
    ],
)
def test_language_detection(text: str, expected: str) -> None:
    assert analyze(text).language == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("fr-CA", "fr"),
        ("ES_mx", "es"),
        ("EN", "en"),
        (" en-GB ", "en"),
        ("de", "de"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_language(given: str | None, expected: str | None) -> None:
    assert normalize_language(given) == expected


def test_given_language_wins_over_detection() -> None:
    assert analyze("The nurse was kind", language="fr-CA").language == "fr"
    assert analyze("La enfermera fue amable", language="es-MX").language == "es"
    assert analyze("The nurse was kind", language="").language == "en"


def test_detect_language_defaults_to_english_without_evidence() -> None:
    assert detect_language([]) == "en"
    assert detect_language(["xyz", "123"]) == "en"


def test_mislabeled_language_still_gets_a_sentiment() -> None:
    result = analyze("Thank you so much, excellent care", language="fr")
    assert result.language == "fr"
    assert result.sentiment_label == "positive"


def test_unsupported_language_uses_every_lexicon() -> None:
    result = analyze("excellent, merci, gracias", language="de")
    assert result.language == "de"
    assert result.sentiment_label == "positive"


# --- sentiment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("great care, the nurse was wonderful", "positive"),
        ("The staff were friendly and helpful, thank you", "positive"),
        ("Excellent service, I would recommend this hospital", "positive"),
        ("The food was terrible and the room was dirty", "negative"),
        ("The receptionist was rude and dismissive", "negative"),
        ("Worst experience ever, completely unacceptable", "negative"),
        ("I came in on Tuesday for a scan", "neutral"),
        ("Le personnel était très gentil, merci!", "positive"),
        ("Une équipe formidable et attentionnée", "positive"),
        ("Tout était parfait", "positive"),
        ("la nourriture était froide", "negative"),
        ("L'accueil était désagréable et la chambre sale", "negative"),
        ("C'est inadmissible, personne ne nous a informés", "negative"),
        ("Je suis venu mardi pour une radio", "neutral"),
        ("El personal fue muy amable, gracias", "positive"),
        ("Una atención excelente", "positive"),
        ("Todo perfecto, los recomiendo", "positive"),
        ("la espera fue muy larga", "negative"),
        ("La enfermera fue grosera y la habitación estaba sucia", "negative"),
        ("Un servicio pésimo", "negative"),
        ("Vine el martes para una radiografía", "neutral"),
    ],
)
def test_sentiment_labels(text: str, label: str) -> None:
    result = analyze(text)
    assert result.sentiment_label == label
    assert result.sentiment_label in SENTIMENT_LABELS


@pytest.mark.parametrize(
    ("plain", "negated"),
    [
        ("the care was good", "the care was not good"),
        ("the nurse was kind", "the nurse wasn't kind"),
        ("I was happy with the care", "I was never happy with the care"),
        ("c'était bien", "ce n'était pas bien"),
        ("le personnel était aimable", "le personnel n'était pas aimable"),
        ("está bien", "no está bien"),
        ("la comida era buena", "la comida no era buena"),
    ],
)
def test_negation_flips_positive_words(plain: str, negated: str) -> None:
    assert analyze(plain).sentiment_label == "positive"
    assert analyze(negated).sentiment_label == "negative"


@pytest.mark.parametrize(
    ("plain", "negated"),
    [("it was bad", "it was not bad"), ("c'était mal", "pas mal du tout"), ("fue malo", "no fue malo")],
)
def test_negation_softens_negative_words(plain: str, negated: str) -> None:
    assert analyze(plain).sentiment_label == "negative"
    assert score(negated) > 0


def test_pas_terrible_stays_negative() -> None:
    assert analyze("la nourriture n'était pas terrible").sentiment_label == "negative"


@pytest.mark.parametrize(
    "text",
    ["No, the care was excellent.", "Not what I expected: the staff were wonderful", "Sin duda, excelente"],
)
def test_negation_stops_at_punctuation(text: str) -> None:
    assert analyze(text).sentiment_label == "positive"


@pytest.mark.parametrize(
    ("plain", "intensified"),
    [
        ("good", "very good"),
        ("the nurse was kind", "the nurse was really kind"),
        ("bien", "très bien"),
        ("gentille", "super gentille"),
        ("bueno", "muy bueno"),
    ],
)
def test_intensifiers_strengthen(plain: str, intensified: str) -> None:
    assert score(intensified) > score(plain) > 0


@pytest.mark.parametrize(
    ("plain", "intensified"), [("bad", "extremely bad"), ("sale", "très sale"), ("malo", "muy malo")]
)
def test_intensifiers_strengthen_negative(plain: str, intensified: str) -> None:
    assert score(intensified) < score(plain) < 0


@pytest.mark.parametrize(
    ("accented", "plain"),
    [
        ("Très désagréable", "tres desagreable"),
        ("PÉSIMO", "pesimo"),
        ("L\u2019infirmière était gentille", "l'infirmiere etait gentille"),
        ("Atención EXCELENTE", "atencion excelente"),
    ],
)
def test_accent_and_case_insensitive(accented: str, plain: str) -> None:
    assert analyze(accented) == analyze(plain)


def test_fold() -> None:
    assert fold("Très DÉSAGRÉABLE, cœur, niño") == "tres desagreable, coeur, nino"


# --- rating and emoji -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rating", "label"),
    [(1, "negative"), (2, "negative"), (3, "neutral"), (4, "positive"), (5, "positive")],
)
@pytest.mark.parametrize("text", [None, "", "   "])
def test_rating_alone_decides_without_text(text: str | None, rating: int, label: str) -> None:
    result = analyze(text, rating=rating)
    assert result.sentiment_label == label
    assert result.topics == ()


@pytest.mark.parametrize("rating", [0, 6, -1, None])
def test_out_of_range_rating_is_ignored(rating: int | None) -> None:
    assert analyze(None, rating=rating).sentiment_score == 0.0


def test_nothing_at_all_is_neutral() -> None:
    result = analyze(None)
    assert (result.sentiment_label, result.sentiment_score, result.language) == ("neutral", 0.0, "en")
    assert result.topics == () and result.emotions == ()


def test_rating_blends_with_text() -> None:
    text_only = score("the food was good")
    assert score("the food was good", rating=1) < text_only < score("the food was good", rating=5)
    assert analyze("I came in on Tuesday", rating=1).sentiment_label == "negative"
    assert analyze("I came in on Tuesday", rating=5).sentiment_label == "positive"


@pytest.mark.parametrize(
    ("emoji", "label"),
    [
        ("\U0001f621", "negative"),  # 😡
        ("\U0001f61e", "negative"),  # 😞
        ("\U0001f610", "neutral"),  # 😐
        ("\U0001f642", "positive"),  # 🙂
        ("\U0001f600", "positive"),  # 😀
        ("\u2764\ufe0f", "positive"),  # ❤️ with variation selector
        ("angry", "negative"),
        ("sad", "negative"),
        ("neutral", "neutral"),
        ("happy", "positive"),
        ("Very Happy", "positive"),
        ("very-sad", "negative"),
        ("banana", "neutral"),
    ],
)
def test_emoji_alone(emoji: str, label: str) -> None:
    assert analyze(None, emoji=emoji).sentiment_label == label


def test_emoji_blends_and_adds_emotions() -> None:
    assert score("ok", emoji="\U0001f621") < score("ok") < score("ok", emoji="\U0001f600")
    assert "anger" in analyze("ok", emoji="angry").emotions
    assert "joy" in analyze("merci \U0001f600").emotions
    assert "sadness" in analyze(None, emoji="\U0001f622").emotions


def test_emoji_inside_text_counts() -> None:
    assert score("the visit \U0001f621") < 0 < score("the visit \U0001f600")


def test_score_is_clamped_and_rounded() -> None:
    worst = analyze("terrible horrible awful disgusting worst \U0001f621\U0001f621", rating=1, emoji="angry")
    best = analyze("excellent wonderful perfect amazing \U0001f600", rating=5, emoji="very_happy")
    assert -1.0 <= worst.sentiment_score < -0.8
    assert 0.8 < best.sentiment_score <= 1.0
    assert round(worst.sentiment_score, 3) == worst.sentiment_score


# --- topics ---------------------------------------------------------------------------------

TOPIC_CASES = [
    ("We waited three hours in A&E", "wait_time"),
    ("Nous avons attendu longtemps", "wait_time"),
    ("La espera fue eterna", "wait_time"),
    ("The receptionist was rude", "staff_attitude"),
    ("L'infirmière était impolie", "staff_attitude"),
    ("El médico fue muy grosero", "staff_attitude"),
    ("Nobody explained the results to us", "communication"),
    ("Personne ne nous a expliqué le diagnostic", "communication"),
    ("No nos dieron ninguna información", "communication"),
    ("The pain was not controlled", "pain_management"),
    ("J'avais mal toute la nuit", "pain_management"),
    ("Tenía mucho dolor", "pain_management"),
    ("They forgot my medication", "medication"),
    ("On a oublié mes médicaments", "medication"),
    ("Me dieron la pastilla tarde", "medication"),
    ("The bathroom was dirty", "cleanliness"),
    ("La chambre était sale", "cleanliness"),
    ("El baño estaba sucio", "cleanliness"),
    ("The food was cold", "food"),
    ("Le repas était froid", "food"),
    ("La comida estaba fría", "food"),
    ("The parking was impossible", "facilities"),
    ("Le lit était cassé", "facilities"),
    ("La habitación era pequeña", "facilities"),
    ("I was charged twice on my bill", "billing"),
    ("La facture est incorrecte", "billing"),
    ("Me cobraron dos veces", "billing"),
    ("There was no privacy at all", "privacy"),
    ("Aucune confidentialité", "privacy"),
    ("No respetaron mi privacidad", "privacy"),
    ("My mother fell in the corridor", "safety"),
    ("Il y a eu une erreur dans le dossier", "safety"),
    ("Es peligroso dejar el suelo mojado", "safety"),
]


@pytest.mark.parametrize(("text", "topic"), TOPIC_CASES)
def test_topics_in_three_languages(text: str, topic: str) -> None:
    topics = analyze(text).topics
    assert topic in topics
    assert "other" not in topics


def test_every_topic_is_covered_in_every_language() -> None:
    covered = {topic for _, topic in TOPIC_CASES}
    assert covered == set(TOPICS) - {"other"}
    assert all(sum(t == topic for _, t in TOPIC_CASES) == 3 for topic in covered)


@pytest.mark.parametrize("text", ["Hello", "Je suis venu mardi", "Vine el martes"])
def test_other_when_nothing_matches(text: str) -> None:
    assert analyze(text).topics == ("other",)


def test_topics_follow_taxonomy_order() -> None:
    topics = analyze("The bill was wrong, the food cold, the room dirty and we waited hours").topics
    assert list(topics) == [t for t in TOPICS if t in topics]
    assert {"wait_time", "cleanliness", "food", "billing"} <= set(topics)


def test_pay_attention_is_not_billing() -> None:
    assert "billing" not in analyze("Nobody paid attention to us").topics


# --- emotions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "emotion"),
    [
        ("I am so angry", "anger"),
        ("je suis en colère", "anger"),
        ("estoy muy enojado", "anger"),
        ("I was scared", "fear"),
        ("j'avais peur", "fear"),
        ("tenía miedo", "fear"),
        ("my mother was crying", "sadness"),
        ("elle pleurait", "sadness"),
        ("estaba llorando", "sadness"),
        ("we are very happy", "joy"),
        ("nous sommes ravis", "joy"),
        ("estamos contentos", "joy"),
        ("thank you to the team", "gratitude"),
        ("merci à toute l'équipe", "gratitude"),
        ("gracias a todos", "gratitude"),
        ("so frustrating", "frustration"),
        ("j'en ai marre", "frustration"),
        ("estoy harto", "frustration"),
    ],
)
def test_emotions(text: str, emotion: str) -> None:
    assert emotion in analyze(text).emotions


@pytest.mark.parametrize("text", ["I am not angry", "je n'ai pas peur", "no estoy triste"])
def test_negated_emotions_are_dropped(text: str) -> None:
    assert analyze(text).emotions == ()
