"""Red-flag rules: what must escalate, what must not, in English, French and Spanish."""

from __future__ import annotations

import pytest

from pipelines.urgency.patterns import RULES
from pipelines.urgency.rules import LEVELS, RuleHit, fold, level_rank, max_level, red_flags


def rules_of(text: str, language: str | None = None) -> dict[str, RuleHit]:
    return {hit.rule: hit for hit in red_flags(text, language)}


def top_level(text: str, language: str | None = None) -> str:
    return max_level(*(hit.level for hit in red_flags(text, language)))


# --- levels ----------------------------------------------------------------------------------


def test_levels_ascend() -> None:
    assert [level_rank(level) for level in LEVELS] == [0, 1, 2, 3]
    assert LEVELS == ("low", "medium", "high", "critical")


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ((), "low"),
        ((None,), "low"),
        ((None, None), "low"),
        (("low",), "low"),
        (("medium", None), "medium"),
        (("high", "medium", "low"), "high"),
        ((None, "critical", "high"), "critical"),
        (("medium", "medium"), "medium"),
    ],
)
def test_max_level(levels: tuple[str | None, ...], expected: str) -> None:
    assert max_level(*levels) == expected


def test_level_rank_rejects_unknown_level() -> None:
    with pytest.raises(ValueError):
        level_rank("urgent")


# --- the examples that must be critical -----------------------------------------------------

MUST_BE_CRITICAL = [
    ("my father in bed 4 can't breathe and nobody comes", "breathing_difficulty", "en"),
    ("mon père ne peut pas respirer et personne ne vient", "breathing_difficulty", "fr"),
    ("mi padre no puede respirar y nadie viene", "breathing_difficulty", "es"),
    ("I want to kill myself", "self_harm", "en"),
    ("je veux mourir", "self_harm", "fr"),
    ("quiero morirme", "self_harm", "es"),
    ("there is a man with a knife in the waiting room", "violence", "en"),
    ("my mother collapsed in the bathroom", "unresponsive", "en"),
    ("severe chest pain for 20 minutes and no one has seen me", "chest_pain", "en"),
    ("she is bleeding heavily", "severe_bleeding", "en"),
    ("his face is drooping and he can't talk properly", "stroke_signs", "en"),
]

CRITICAL_EN = [
    ("He cannot breathe properly", "breathing_difficulty"),
    ("she is having trouble breathing", "breathing_difficulty"),
    ("my son is short of breath and wheezing", "breathing_difficulty"),
    ("he is choking on his food", "breathing_difficulty"),
    ("she's gasping for air", "breathing_difficulty"),
    ("he stopped breathing for a moment", "breathing_difficulty"),
    ("his lips are turning blue", "breathing_difficulty"),
    ("it is hard to breathe in here", "breathing_difficulty"),
    ("I have chest pain", "chest_pain"),
    ("pain in my chest since this morning", "chest_pain"),
    ("I think he's having a heart attack", "chest_pain"),
    ("she had chest pain last night and nobody checked on her", "chest_pain"),
    ("the nurse did not check his chest pain", "chest_pain"),
    ("no one saw my chest pain", "chest_pain"),
    ("he is unresponsive", "unresponsive"),
    ("she fainted and is not waking up", "unresponsive"),
    ("we can't wake him", "unresponsive"),
    ("he collapsed and nobody came", "unresponsive"),
    ("the wound won't stop bleeding", "severe_bleeding"),
    ("there is blood everywhere", "severe_bleeding"),
    ("he is vomiting blood", "severe_bleeding"),
    ("her speech is slurred", "stroke_signs"),
    ("he can't move his left arm", "stroke_signs"),
    ("I think she is having a stroke", "stroke_signs"),
    ("I don't want to live anymore", "self_harm"),
    ("she said she wants to die", "self_harm"),
    ("my daughter has been cutting herself", "self_harm"),
    ("he is suicidal", "self_harm"),
    ("he had a seizure in the corridor", "seizure"),
    ("she is convulsing", "seizure"),
    ("he fell out of bed and hit his head", "fall_with_injury"),
    ("my mother was lying on the floor for an hour", "fall_with_injury"),
    ("she slipped in the shower and broke her wrist", "fall_with_injury"),
    ("another patient hit me", "violence"),
    ("I feel unsafe on this ward", "violence"),
    ("a man has a gun", "violence"),
    ("her throat is swelling after the antibiotic", "allergic_reaction"),
    ("I think it's anaphylaxis", "allergic_reaction"),
    ("he's having an allergic reaction", "allergic_reaction"),
    ("my father wandered off the ward and nobody noticed", "patient_missing"),
    ("my mother is missing", "patient_missing"),
    ("we can't find my dad anywhere", "patient_missing"),
    ("there is smoke coming from the kitchen", "fire_smoke"),
    ("the bin is on fire", "fire_smoke"),
    ("it smells of burning in room 12", "fire_smoke"),
    ("we can't find her anywhere", "patient_missing"),
    ("he was left on the floor", "fall_with_injury"),
    ("someone tried to grab me", "violence"),
    ("I'm going to end it", "self_harm"),
    ("a man armed with a knife", "violence"),
    ("I can't believe he collapsed in front of us", "unresponsive"),
]

CRITICAL_FR = [
    ("elle n'arrive pas à respirer", "breathing_difficulty"),
    ("il a du mal à respirer depuis une heure", "breathing_difficulty"),
    ("il étouffe", "breathing_difficulty"),
    ("Il a des difficultés respiratoires", "breathing_difficulty"),
    ("J'ai une douleur thoracique", "chest_pain"),
    ("mal à la poitrine depuis ce matin", "chest_pain"),
    ("je crois qu'il fait une crise cardiaque", "chest_pain"),
    ("personne ne s'occupe de sa douleur thoracique", "chest_pain"),
    ("elle s'est effondrée dans le couloir", "unresponsive"),
    ("il est inconscient", "unresponsive"),
    ("il a perdu connaissance", "unresponsive"),
    ("il ne se réveille pas", "unresponsive"),
    ("il saigne beaucoup", "severe_bleeding"),
    ("une hémorragie après l'opération", "severe_bleeding"),
    ("il n'arrête pas de saigner", "severe_bleeding"),
    ("son visage est paralysé", "stroke_signs"),
    ("je pense qu'il fait un AVC", "stroke_signs"),
    ("il veut se suicider", "self_harm"),
    ("je n'ai plus envie de vivre", "self_harm"),
    ("elle fait une crise d'épilepsie", "seizure"),
    ("il convulse", "seizure"),
    ("ma mère est tombée et s'est cassé la hanche", "fall_with_injury"),
    ("il est resté par terre pendant une heure", "fall_with_injury"),
    ("un homme avec un couteau aux urgences", "violence"),
    ("il m'a frappé", "violence"),
    ("sa gorge gonfle", "allergic_reaction"),
    ("réaction allergique grave", "allergic_reaction"),
    ("mon père a disparu du service", "patient_missing"),
    ("il y a de la fumée dans le couloir", "fire_smoke"),
    ("il y a le feu", "fire_smoke"),
    ("on l'a retrouvé par terre", "fall_with_injury"),
    ("je ne sais pas s'il fait un AVC", "stroke_signs"),
    ("il n'arrête pas de cracher du sang", "severe_bleeding"),
    ("\u00ab il ne peut pas respirer \u00bb", "breathing_difficulty"),
]

CRITICAL_ES = [
    ("le cuesta respirar", "breathing_difficulty"),
    ("se está ahogando", "breathing_difficulty"),
    ("tiene dificultad para respirar", "breathing_difficulty"),
    ("tengo dolor en el pecho", "chest_pain"),
    ("me duele el pecho", "chest_pain"),
    ("creo que es un infarto", "chest_pain"),
    ("ayer tuvo dolor en el pecho", "chest_pain"),
    ("no le atienden su dolor de pecho", "chest_pain"),
    ("mi madre se desmayó y no despierta", "unresponsive"),
    ("está inconsciente", "unresponsive"),
    ("se desplomó en el baño", "unresponsive"),
    ("está sangrando mucho", "severe_bleeding"),
    ("no para de sangrar", "severe_bleeding"),
    ("tiene la cara torcida", "stroke_signs"),
    ("creo que le dio un derrame cerebral", "stroke_signs"),
    ("mi hijo dice que se quiere matar", "self_harm"),
    ("ya no quiero vivir", "self_harm"),
    ("tuvo una convulsión", "seizure"),
    ("se cayó de la cama y se golpeó la cabeza", "fall_with_injury"),
    ("lleva una hora en el suelo", "fall_with_injury"),
    ("hay un hombre con un cuchillo", "violence"),
    ("un paciente me pegó", "violence"),
    ("me siento en peligro", "violence"),
    ("se le está cerrando la garganta", "allergic_reaction"),
    ("reacción alérgica", "allergic_reaction"),
    ("mi abuelo ha desaparecido", "patient_missing"),
    ("hay humo en el pasillo", "fire_smoke"),
    ("huele a quemado", "fire_smoke"),
    ("lo encontré en el suelo", "fall_with_injury"),
    ("no sé si es un infarto", "chest_pain"),
]


@pytest.mark.parametrize(("text", "rule", "lang"), MUST_BE_CRITICAL)
def test_required_examples_are_critical(text: str, rule: str, lang: str) -> None:
    hits = rules_of(text)
    assert rule in hits
    assert hits[rule].level == "critical"
    assert f"({lang}" in hits[rule].reason
    assert top_level(text) == "critical"


@pytest.mark.parametrize(
    ("text", "rule", "lang"),
    [(t, r, "en") for t, r in CRITICAL_EN]
    + [(t, r, "fr") for t, r in CRITICAL_FR]
    + [(t, r, "es") for t, r in CRITICAL_ES],
)
def test_critical_red_flags(text: str, rule: str, lang: str) -> None:
    hits = rules_of(text, lang)
    assert rule in hits, hits
    assert hits[rule].level == "critical"
    assert f"({lang}" in hits[rule].reason


@pytest.mark.parametrize(
    "text",
    [
        "MY FATHER CAN'T BREATHE",
        "my father can\u2019t breathe",
        "my father cant breathe",
        "Il n\u2019arrive pas a respirer",
        "IL N'ARRIVE PAS À RESPIRER",
        "DOLOR EN EL PECHO",
        "dolor toracico",
        "douleur thoracique",
        "DOULEUR THORACIQUE",
        "mon père  ne   peut pas\nrespirer",
    ],
)
def test_case_accent_and_spacing_insensitive(text: str) -> None:
    assert top_level(text) == "critical"


# --- high and medium ------------------------------------------------------------------------

HIGH = [
    ("a visitor threatened the nurse", "abuse_or_threats"),
    ("the night nurse was verbally abusive", "abuse_or_threats"),
    ("je ne me sens pas en sécurité", "abuse_or_threats"),
    ("the pain is unbearable and nobody gave him painkillers", "severe_pain"),
    ("I was in agony all night", "severe_pain"),
    ("they gave him the wrong medication", "medication_error"),
    ("she missed her insulin dose", "medication_error"),
    ("he didn't get his antibiotics", "medication_error"),
    ("my mother fell in the corridor", "fall"),
    ("she has a pressure sore on her heel", "pressure_sore"),
    ("he hasn't eaten for two days", "no_food_or_water"),
    ("no water for 12 hours", "no_food_or_water"),
    ("my baby has a high fever", "child_fever"),
    ("the wound looks infected", "infection_signs"),
    ("they discussed my diagnosis in front of everyone", "privacy_breach"),
    ("I pressed the call bell and nobody came for an hour", "call_unanswered"),
    ("my wound is bleeding", "bleeding"),
    ("douleur insupportable", "severe_pain"),
    ("on lui a donné le mauvais médicament", "medication_error"),
    ("il n'a pas reçu son traitement", "medication_error"),
    ("il est tombé dans la chambre", "fall"),
    ("elle a une escarre au talon", "pressure_sore"),
    ("il n'a rien mangé depuis hier", "no_food_or_water"),
    ("mon fils a de la fièvre", "child_fever"),
    ("la plaie est infectée", "infection_signs"),
    ("ils ont parlé de mon diagnostic devant tout le monde", "privacy_breach"),
    ("j'ai sonné pendant une heure et personne n'est venu", "call_unanswered"),
    ("tiene un dolor insoportable", "severe_pain"),
    ("le dieron la medicación equivocada", "medication_error"),
    ("no le dieron su insulina", "medication_error"),
    ("mi madre se cayó en el pasillo", "fall"),
    ("tiene una úlcera por presión", "pressure_sore"),
    ("no ha comido desde ayer", "no_food_or_water"),
    ("mi bebé tiene fiebre", "child_fever"),
    ("la herida está infectada", "infection_signs"),
    ("hablaron de mi diagnóstico delante de todos", "privacy_breach"),
    ("tocamos el timbre y nadie vino", "call_unanswered"),
    ("la herida sangra", "bleeding"),
    ("my dad has epilepsy and his meds were late", "medication_error"),
    ("the morning dose was late", "medication_error"),
    ("they forgot to give him his medication", "medication_error"),
    ("nobody has checked on him for 6 hours", "call_unanswered"),
    ("my wife passed out in the waiting room", "fainting"),
    ("elle s'est évanouie", "fainting"),
    ("se desmayó en la sala de espera", "fainting"),
    ("my son (5 years old) has had a temperature all night", "child_fever"),
    ("she has a temperature of 39 and shivering", "infection_signs"),
]


@pytest.mark.parametrize(("text", "rule"), HIGH)
def test_high_red_flags(text: str, rule: str) -> None:
    hits = rules_of(text)
    assert rule in hits, hits
    assert hits[rule].level == "high"
    assert top_level(text) == "high"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("we waited 6 hours in A&E", "en"),
        ("4 hours wait to see a doctor", "en"),
        ("j'ai attendu 5 heures aux urgences", "fr"),
        ("esperamos cuatro horas", "es"),
        ("we waited hours to be seen", "en"),
        ("Mon père a dû attendre des heures sur un brancard", "fr"),
        ("Tuve que esperar seis horas en urgencias", "es"),
    ],
)
def test_long_wait_is_medium(text: str, lang: str) -> None:
    assert [(hit.level, hit.rule) for hit in red_flags(text)] == [("medium", "long_wait")]
    assert f"({lang}" in red_flags(text)[0].reason


# --- negation -------------------------------------------------------------------------------

NEGATED = [
    "no chest pain",
    "no chest pain anymore",
    "denies chest pain",
    "he denied any chest pain",
    "I didn't have any chest pain",
    "without any bleeding",
    "he is not bleeding",
    "not suicidal",
    "never felt unsafe",
    "I was not short of breath",
    "no shortness of breath",
    "she has no difficulty breathing",
    "no history of seizures",
    "never had a seizure",
    "I don't want to die",
    "no fever",
    "no signs of infection",
    "pas de douleur thoracique",
    "aucune douleur à la poitrine",
    "il n'a pas de difficulté à respirer",
    "sans saignement",
    "je ne veux pas mourir",
    "il n'est pas tombé",
    "pas de fièvre",
    "il n'a jamais fait de convulsions",
    "je n'ai pas mal à la poitrine",
    "sin dolor en el pecho",
    "no tiene dolor en el pecho",
    "ya no tengo dolor en el pecho",
    "ya no me duele el pecho",
    "niega dolor torácico",
    "no tengo fiebre",
    "no está sangrando",
    "no quiero morir",
    "no se cayó",
]


@pytest.mark.parametrize("text", NEGATED)
def test_negated_findings_do_not_hit(text: str) -> None:
    assert red_flags(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "no fever, but now he can't breathe",
        "pas de fièvre mais il ne peut pas respirer",
        "no tiene fiebre pero no puede respirar",
        "no cough. chest pain since noon",
        "no one came and she is bleeding heavily",
    ],
)
def test_negation_stops_at_the_clause(text: str) -> None:
    assert top_level(text) == "critical"


# --- resolution and tense -------------------------------------------------------------------

RESOLVED = [
    ("the chest pain is gone now, thank you", "chest_pain", "en"),
    ("my chest pain went away after the nurse came", "chest_pain", "en"),
    ("had trouble breathing yesterday but it's fine now", "breathing_difficulty", "en"),
    ("he had chest pain earlier but it has since resolved", "chest_pain", "en"),
    ("was bleeding last week, all healed", "bleeding", "en"),
    ("the bleeding has stopped", "bleeding", "en"),
    ("the seizure is over now", "seizure", "en"),
    ("la douleur thoracique a disparu", "chest_pain", "fr"),
    ("la douleur thoracique s'est calmée", "chest_pain", "fr"),
    ("il saignait hier mais c'est guéri", "bleeding", "fr"),
    ("el dolor en el pecho ya se me pasó", "chest_pain", "es"),
    ("se me pasó el dolor de pecho", "chest_pain", "es"),
    ("el sangrado se detuvo", "bleeding", "es"),
    ("la fièvre est tombée", "infection_signs", "fr"),
]


@pytest.mark.parametrize(("text", "rule", "lang"), RESOLVED)
def test_resolved_findings_become_medium(text: str, rule: str, lang: str) -> None:
    hits = red_flags(text)
    assert [(hit.level, hit.rule) for hit in hits] == [("medium", f"resolved_{rule}")]
    assert hits[0].reason.startswith("resolved red flag: ")
    assert f"({lang}" in hits[0].reason


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("he collapsed and nobody came", "unresponsive"),
        ("he couldn't breathe and the nurse went away", "breathing_difficulty"),
        ("the chest pain is not gone", "chest_pain"),
        ("la douleur thoracique n'a pas disparu", "chest_pain"),
        ("el dolor en el pecho no se ha ido", "chest_pain"),
        ("la semaine dernière il a saigné beaucoup", "severe_bleeding"),
        ("last week she was bleeding heavily and nobody helped", "severe_bleeding"),
        ("the chest pain went away but now the chest pain is back", "chest_pain"),
    ],
)
def test_unresolved_past_or_returning_findings_still_hit(text: str, rule: str) -> None:
    hits = rules_of(text)
    assert hits[rule].level == "critical"
    assert f"resolved_{rule}" not in hits


@pytest.mark.parametrize(
    "text",
    [
        "the chest pain is gone now, thank you",
        "no chest pain anymore",
        "I was not short of breath",
        "great care, the nurse was wonderful",
        "la nourriture était froide",
        "la espera fue muy larga",
        "pas de douleur",
        "sin dolor",
        "the staff were kind and the room was clean",
        "le personnel était très gentil, merci",
        "el personal fue muy amable",
        "I fell asleep during the film",
        "the parking was expensive",
        "The nurse was not responding to the call bell",
        "the injection hurt me a bit",
        "I had a stroke of luck",
        "he's an armed forces veteran",
        "the fire alarm went off at 3am",
        "il fait une chaleur étouffante dans la chambre",
        "il a fait une chute de tension",
    ],
)
def test_must_not_be_critical(text: str) -> None:
    assert top_level(text) != "critical"


@pytest.mark.parametrize(
    "text",
    [
        "great care, the nurse was wonderful",
        "la nourriture était froide",
        "la espera fue muy larga",
        "pas de douleur",
        "sin dolor",
        "thank you for everything",
        "I asked for help and the nurse walked away",
        "the nurse couldn't find her notes",
        "I can't find my glasses",
        "rubbish was left on the floor",
        "clothes lying on the floor",
        "the faint smell of bleach",
        "we arrived late and the nurse gave meds",
        "le tapis était sale",
        "les déchets laissés par terre",
        "La comida sale fría",
        "la bandeja sigue en el suelo",
        "la enfermera me habló mal",
    ],
)
def test_ordinary_feedback_has_no_flags(text: str) -> None:
    assert red_flags(text) == []


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("what do I do if someone has chest pain?", "chest_pain"),
        ("what if my dad stops breathing?", "breathing_difficulty"),
        ("en cas d'incendie, la sortie est bloquée", "fire_smoke"),
        ("si mi marido vuelve a tener dolor en el pecho, ¿a quién llamo?", "chest_pain"),
    ],
)
def test_a_supposed_emergency_asks_for_a_follow_up_not_a_page(text: str, rule: str) -> None:
    assert [(hit.level, hit.rule) for hit in red_flags(text)] == [("medium", f"hypothetical_{rule}")]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("je ne sais pas s'il fait un AVC", "stroke_signs"),
        ("no sé si es un infarto", "chest_pain"),
        ("I don't know if she is having a seizure", "seizure"),
    ],
)
def test_not_knowing_whether_is_not_supposing(text: str, rule: str) -> None:
    assert rules_of(text)[rule].level == "critical"


# --- languages, reasons, shape --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "lang"),
    [
        ("je veux mourir", "en", "fr"),
        ("quiero morirme", "fr", "es"),
        ("I want to kill myself", "es", "en"),
        ("je veux mourir", "fr-CA", "fr"),
        ("no puede respirar", None, "es"),
        ("no puede respirar", "ES_mx", "es"),
    ],
)
def test_all_languages_match_whatever_the_label(text: str, language: str | None, lang: str) -> None:
    hits = red_flags(text, language)
    assert hits and hits[0].level == "critical"
    assert f"({lang}" in hits[0].reason


ALLOWED_REASONS = {
    f"{prefix}red flag: {spec.label} ({lang}{about})"
    for spec in RULES
    for prefix in ("", "resolved ", "past ", "hypothetical ")
    for lang in ("en", "fr", "es")
    for about in ("", ", about a relative", ", about another person")
}


@pytest.mark.parametrize(
    "text",
    [t for t, _, _ in MUST_BE_CRITICAL] + [t for t, _ in HIGH] + [t for t, _, _ in RESOLVED],
)
def test_reasons_name_the_rule_not_the_patient_text(text: str) -> None:
    hits = red_flags(text)
    assert hits
    for hit in hits:
        assert hit.reason in ALLOWED_REASONS
        assert text not in hit.reason


def test_one_hit_per_rule_highest_level_first() -> None:
    hits = red_flags(
        "chest pain, chest pain and more chest pain. He fell in the corridor. We waited 5 hours. "
        "His lips are turning blue."
    )
    rules = [hit.rule for hit in hits]
    assert len(rules) == len(set(rules))
    assert {"chest_pain", "breathing_difficulty", "fall", "long_wait"} <= set(rules)
    ranks = [level_rank(hit.level) for hit in hits]
    assert ranks == sorted(ranks, reverse=True)


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t"])
def test_empty_text_has_no_flags(text: str | None) -> None:
    assert red_flags(text) == []


def test_hits_are_immutable() -> None:
    hit = red_flags("I have chest pain")[0]
    with pytest.raises(AttributeError):
        hit.level = "low"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("Très   MAL à la Poitrine", "tres mal a la poitrine"),
        ("can\u2019t  breathe", "can't breathe"),
        ("self-harm", "self harm"),
        ("cœur", "coeur"),
        ("niño", "nino"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded
