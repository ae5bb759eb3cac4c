"""Dangerous numbers: a blood sugar, heart rate, oxygen level, temperature or blood
pressure that means danger within minutes, in whichever unit a patient writes it.

A regular expression finds a vital sign's name followed closely by a number; a plain
comparison decides whether the value is dangerous, since patterns cannot compare. The
thresholds are those of the labelling guideline (GUIDELINE.md), wide enough that an
ordinary reading never pages: sugar below 3.0 mmol/L (54 mg/dL) or from 28 mmol/L
(450 mg/dL); pulse from 150 or up to 40; oxygen below 90 %; temperature from 40 °C
(104 °F) or below 35 °C (95 °F); blood pressure from 200 systolic or 125 diastolic, or a
systolic of 80 or less.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

_NUMBER = r"(\d{1,3}(?:[.,]\d{1,2})?)"
_GAP = r"[^\d.!?;]{0,40}?"  # words between the name and its value, within the sentence


def _value(raw: str) -> float:
    return float(raw.replace(",", "."))


def _sugar(value: float, unit: str) -> bool:
    if unit.startswith("g"):  # g/L, as French meters show it
        return value < 0.55 or value >= 4.5
    if unit.startswith(("mg", "mili")) or value > 40:
        return value < 54 or value >= 450
    return value < 3.0 or value >= 28


def _pulse(value: float, _: str) -> bool:
    return value >= 150 or value <= 40


def _oxygen(value: float, _: str) -> bool:
    return 50 <= value < 90


def _temperature(value: float, unit: str) -> bool:
    if unit.startswith("f") or value > 50:
        return value >= 104 or 80 <= value < 95
    return value >= 40 or 25 <= value < 35


_SIGNS: tuple[tuple[re.Pattern[str], Callable[[float, str], bool]], ...] = (
    (
        re.compile(
            r"\b(?:blood sugars?|sugars?|glucose|glucosa|glucometer|glucometro|bms?|cbg|bgl?|glyc(?:a)?emi[ae]|glucemia|glicemia"
            r"|azucar|sucre)\b" + _GAP + _NUMBER + r" ?(mmol|mg|mili|g ?/ ?l|g/l)?"
        ),
        _sugar,
    ),
    (
        re.compile(
            r"\b(?:heart ?rate|pulse|hr|heart(?: is| was)? (?:racing|beating|going|pounding|at)|pouls|frequence cardiaque"
            r"|rythme cardiaque|coeur|pulso|pulsaciones|frecuencia cardiaca|ritmo cardiaco|corazon)\b"
            + _GAP
            + _NUMBER
            + r"()"
        ),
        _pulse,
    ),
    (
        re.compile(_NUMBER + r" ?(?:bpm|beats (?:a|per) minute|battements|pulsaciones|latidos|lpm)\b()"),
        _pulse,
    ),
    (
        re.compile(
            r"\b(?:oxygen|o2|sats?|saturations?|spo2|sao2|oxygene|oxigeno|saturacion|saturometre|oxymetre|saturometro|oximetro"
            r"|pulse ?ox\w*|finger (?:thing|monitor|clip|probe))\b" + _GAP + _NUMBER + r" ?%?()"
        ),
        _oxygen,
    ),
    (
        re.compile(
            r"\b(?:temp(?:erature)?|fever|feverish|fievre|temperatura|fiebre|burning up)\b"
            + _GAP
            + _NUMBER
            + r" ?(?:°|degrees?|degres?|grados?)? ?(c|f)?\b"
        ),
        _temperature,
    ),
    (re.compile(_NUMBER + r" ?(?:° ?|degrees? |degres? |grados? )(c|f|celsius|fahrenheit)\b"), _temperature),
    (
        re.compile(
            _NUMBER
            + r" ?(?:°|degrees?|degres?|grados?)? ?(?:c |f )?(?:of |de )?(?:fever|fievre|fiebre|temperatura|temperature)\b()"
        ),
        _temperature,
    ),
)
_PRESSURE = re.compile(
    r"\b(?:bp|blood pressure|pressure|tension(?: arterielle)?|ta|presion(?: arterial)?|tension arterial)\b"
    + _GAP
    + r"(\d{2,3}) ?(?:/|over|sur|sobre) ?(\d{2,3})\b"
)


def _pressure_dangerous(systolic: float, diastolic: float) -> bool:
    return systolic >= 200 or diastolic >= 125 or systolic <= 80


def dangerous_vitals(folded: str) -> Iterator[tuple[int, int]]:
    """The spans of dangerous readings in `folded` text (as `rules.fold` makes it)."""
    if not any(ch.isdigit() for ch in folded):
        return
    for pattern, dangerous in _SIGNS:
        for found in pattern.finditer(folded):
            if dangerous(_value(found.group(1)), found.group(2) or ""):
                yield found.start(), found.end()
    for found in _PRESSURE.finditer(folded):
        if _pressure_dangerous(_value(found.group(1)), _value(found.group(2))):
            yield found.start(), found.end()
