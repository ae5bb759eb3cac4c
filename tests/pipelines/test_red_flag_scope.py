"""Negation across "or", resolution across the patient's pronoun, and other scope cases
the urgency corpus taught the rules."""

from __future__ import annotations

import pytest

from pipelines.urgency.rules import red_flags


def rules(text: str) -> list[str]:
    return [hit.rule for hit in red_flags(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no chest pain or breathing problems, but the wait was long", []),
        ("ni douleur thoracique ni difficulté à respirer", []),
        (
            "the nurse did not check his chest pain or breathing problems",
            ["breathing_difficulty", "chest_pain"],
        ),
        ("my partner fell last week, he has recovered", ["resolved_fall"]),
        ("mon père est tombé la semaine dernière, il va bien", ["resolved_fall"]),
        ("yesterday my mother couldn't breathe well but she is fine now", ["resolved_breathing_difficulty"]),
        ("the chest pain he had last night is completely gone now", ["resolved_chest_pain"]),
        ("he can't breathe and she went away", ["breathing_difficulty"]),
        ("my mother never had um any breathing problems", []),
        ("ya no sangra, solo estoy molesto porque nadie nos llamó", []),
        ("a visitor molested a patient", ["violence"]),
        ("quelqu'un frappe une infirmière dans le couloir", ["violence"]),
        ("alguien está golpeando a una enfermera", ["violence"]),
        ("no podemos despertarla", ["unresponsive"]),
        ("il est désorienté et vient de sortir seul de l'hôpital", ["patient_missing"]),
        ("my husband says his chest is tight and the pain is going down his left arm", ["chest_pain"]),
        ("my wife is shaking all over and foaming at the mouth", ["seizure"]),
        (
            "she came in with a bad chest infection and went home fully recovered",
            ["resolved_infection_signs"],
        ),
        ("the bleeding from my nose stopped quickly", ["resolved_bleeding"]),
        ("he is bleeding from his head and nobody came", ["bleeding", "call_unanswered"]),
        ("mi madre tuvo una convulsión el lunes pero ya está estable", ["resolved_seizure"]),
        ("my breathing problems are much better since the physio", ["resolved_breathing_difficulty"]),
        ("mon mari ne respire presque plus", ["breathing_difficulty"]),
        ("mi padre lleva diez minutos sin reaccionar", ["unresponsive"]),
        ("my wife just went floppy and her eyes rolled back", ["unresponsive"]),
        ("mi abuelo se ha caído por las escaleras y no se mueve", ["fall_with_injury", "fall"]),
        ("on m'a rendu le dossier d'un autre patient", ["privacy_breach"]),
        ("the queue is not moving", []),
        ("se fueron sin responder", []),
    ],
)
def test_scope(text: str, expected: list[str]) -> None:
    assert rules(text) == expected
