"""ConText modifiers of red flags (when and whom), per modifier and per language.

Written for patients' words: "last month", "two years ago", "in the spring", thanks for
surviving, "what if", and the people a patient writes about (a relative, someone else in
the building), all of which an emergency is when it happens now.
"""

from __future__ import annotations

import pytest

from pipelines.urgency.rules import binding_level, model_ceiling, red_flags


def rules_of(text: str) -> dict[str, tuple[str, str]]:
    return {hit.rule: (hit.level, hit.reason) for hit in red_flags(text)}


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "Thank you to the team who looked after my husband after his heart attack last month.",
            "chest_pain",
        ),
        ("Two years ago I tried to kill myself and your crisis team were wonderful.", "self_harm"),
        ("In the spring my mother collapsed in the car park and the staff were brilliant.", "unresponsive"),
        ("You saved my life when I had a cardiac arrest on the ward.", "chest_pain"),
        ("Il y a deux ans, mon père a fait un infarctus ici ; merci à l'équipe.", "chest_pain"),
        ("L'an passé ma fille a fait une crise d'épilepsie et vous avez été formidables.", "seizure"),
        ("Hace un año mi madre tuvo un infarto y la atendieron genial.", "chest_pain"),
        ("El verano pasado mi hijo convulsionó en urgencias; gracias por todo.", "seizure"),
    ],
)
def test_a_past_emergency_is_a_follow_up_not_a_page(text: str, rule: str) -> None:
    level, reason = rules_of(text)[f"past_{rule}"]
    assert level == "medium"
    assert reason.startswith("past red flag: ")
    assert binding_level(red_flags(text)) == "low"


@pytest.mark.parametrize(
    "text",
    [
        "My husband had a seizure on the ward on Tuesday. He's fine now, could a doctor ring us?",
        "Mon père a fait un malaise avec perte de connaissance samedi, il va bien maintenant.",
        "Mi hijo tuvo una convulsión aquí el domingo, ahora está bien, pero nadie nos llamó.",
    ],
)
def test_a_past_event_said_to_be_over_elsewhere_in_the_text_is_not_current(text: str) -> None:
    assert binding_level(red_flags(text)) == "low"
    assert model_ceiling(red_flags(text), text) == "medium"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("He had a heart attack last year and now he has chest pain again", "chest_pain"),
        ("Mon mari a fait un AVC il y a deux ans et maintenant il a le visage paralysé", "stroke_signs"),
        ("Hace un año tuvo un infarto y ahora tiene dolor en el pecho otra vez", "chest_pain"),
        ("he collapsed and nobody came", "unresponsive"),
    ],
)
def test_now_or_again_keeps_the_page(text: str, rule: str) -> None:
    assert rules_of(text)[rule][0] == "critical"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("What would happen if someone collapsed in the lift at night?", "unresponsive"),
        ("Si jamais il refait une crise d'épilepsie, qui appeler ?", "seizure"),
        ("Por si se ahoga otra vez, ¿a quién avisamos?", "breathing_difficulty"),
    ],
)
def test_a_supposed_emergency_is_hypothetical(text: str, rule: str) -> None:
    assert rules_of(text)[f"hypothetical_{rule}"][0] == "medium"


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("my father in bed 4 can't breathe", "a relative"),
        ("a man in the waiting room has collapsed", "another person"),
        ("un homme dans la salle d'attente ne respire plus", "another person"),
        ("mi madre no puede respirar", "a relative"),
        ("una señora en el pasillo se ha desmayado y no responde", "another person"),
    ],
)
def test_a_third_party_now_is_an_emergency_and_the_reason_says_whom(text: str, about: str) -> None:
    hits = red_flags(text)
    assert binding_level(hits) == "critical"
    assert any(f"about {about}" in hit.reason for hit in hits)


@pytest.mark.parametrize(
    "text",
    [
        "The stroke unit staff were lovely",
        "Très bien accueilli en consultation douleur thoracique",
        "El simulacro de incendio del jueves nos pilló por sorpresa",
        "The full English is a heart attack on a plate",
        "This heat is suffocating on ward 4, the windows don't open",
        "Me muero de hambre, ¿a qué hora abre la cafetería?",
    ],
)
def test_a_service_name_a_drill_or_a_figure_of_speech_is_no_emergency(text: str) -> None:
    assert binding_level(red_flags(text)) not in ("critical", "high")


@pytest.mark.parametrize(
    "text",
    [
        "his blood sugar is 1.9 and he is shaking",
        "la glucosa de mi padre marca 520 mg/dl y vomita",
        "heart rate on the monitor keeps dropping to 34",
        "sats 84% and she can't finish a sentence",
        "elle a 40,5 de fièvre et elle est confuse",
        "la tension est à 22/13... non, le moniteur dit 230/130",
    ],
)
def test_a_dangerous_number_now_is_critical(text: str) -> None:
    assert "dangerous_vital_sign" in rules_of(text)


@pytest.mark.parametrize(
    "text", ["my sugar was 6.2 this morning", "temperature 37.8", "pulse 72, BP 120/80", "sats 97%"]
)
def test_an_ordinary_reading_is_not(text: str) -> None:
    assert "dangerous_vital_sign" not in rules_of(text)


def test_reassurance_caps_what_the_model_may_add() -> None:
    text = "nothing urgent, nobody's hurt, but the window in bay 2 is broken"
    assert model_ceiling(red_flags(text), text) == "medium"
    assert model_ceiling(red_flags("my dad can't breathe"), "my dad can't breathe") is None
