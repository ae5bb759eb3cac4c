"""The words of appointment reminders and survey invitations, and the checks a template must pass
before it is saved.

Carriers and regulators require every SMS to name the provider and say how to stop, to fit its
length budget, and - like every email - to carry no clinical detail: a text message can be read
on a locked screen by anyone. The checks render an SMS with the longest values it can ever get, so
a template that passes here never grows past its budget when it is sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from string import Formatter

from pipelines.reminders.gsm import (
    GSM7_PART,
    GSM7_SINGLE,
    UCS2_PART,
    UCS2_SINGLE,
    is_gsm7,
    sms_segments,
    sms_units,
)

KINDS = ("appointment", "survey_invite")
CHANNELS = ("sms", "email")
LANGUAGES = ("en", "fr", "es")
# Nothing else may appear in braces: whatever a placeholder could carry is a leak we cannot review.
PLACEHOLDERS = frozenset({"provider", "date", "time", "link", "unsubscribe_url"})


@dataclass(frozen=True)
class Template:
    kind: str
    channel: str
    language: str
    body: str
    subject: str | None = None  # email only


# Our own short names, all GSM-7 (é is in the set, û and á are not), so a date never forces UCS-2.
_WEEKDAYS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "es": ("lun", "mar", "mié", "jue", "vie", "sab", "dom"),
}
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "aout", "sept.", "oct.", "nov.", "déc."),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}

# Words that reveal why someone sees the hospital, in every language we send, compared accent-folded
# and as whole words (a trailing plural "s" or "es" included).
CLINICAL_TERMS = (
    *("diagnosis", "diagnoses", "diagnostic", "diagnóstico", "prognosis", "pronostic", "pronóstico"),
    *("cancer", "cáncer", "tumour", "tumor", "tumeur", "oncology", "oncologie", "oncología"),
    *("chemotherapy", "chimiothérapie", "quimioterapia", "radiotherapy", "radiothérapie", "radioterapia"),
    *("HIV", "VIH", "SIDA", "STD", "STI", "IST", "ETS", "hepatitis", "hépatite"),
    *("pregnancy", "pregnant", "grossesse", "enceinte", "embarazo", "embarazada", "maternity", "maternité"),
    *("maternidad", "fertility", "fertilité", "fertilidad", "abortion", "avortement", "IVG", "aborto"),
    *("psychiatric", "psychiatry", "psychiatrie", "psychiatrique", "psiquiatría", "psiquiátrico"),
    *("mental health", "santé mentale", "salud mental", "addiction", "adicción"),
    *("test result", "résultat", "resultado", "biopsy", "biopsie", "biopsia", "MRI", "IRM"),
    *("surgery", "surgical", "chirurgie", "chirurgical", "cirugía", "quirúrgico"),
    *("dialysis", "dialyse", "diálisis", "radiology", "radiologie", "radiología"),
    *("cardiology", "cardiologie", "cardiología", "prescription", "ordonnance", "receta"),
    *("medication", "médicament", "medicamento", "treatment", "traitement", "tratamiento"),
    *("department", "departamento", "ward"),
)

_STOP_WORDS = {"en": ("STOP",), "fr": ("STOP", "ARRET"), "es": ("STOP", "BAJA")}


def _fold(text: str) -> tuple[str, list[int]]:
    """Lowercase without accents, and for each folded character the index of the one it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        folded.append(plain.casefold())
        origin.extend([index] * len(folded[-1]))
    return "".join(folded), origin


_CLINICAL = re.compile(
    r"\b(?:"
    + "|".join(sorted({r"\s+".join(map(re.escape, _fold(term)[0].split())) for term in CLINICAL_TERMS}))
    + r")(?:e?s)?\b"
)


def _date_text(weekday: str, day: int, month: str) -> str:
    return f"{weekday} {day} {month}"


def _time_text(language: str, hour: int, minute: int) -> str:
    if language == "en":
        return f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}"
    return f"{hour}{'h' if language == 'fr' else ':'}{minute:02d}"


def local_date_time(when: datetime, language: str) -> tuple[str, str]:
    """`when` is already in the recipient's timezone. Short GSM-7-safe date and time in the language:
    en "Tue 9 Mar" / "2:30 PM", fr "mar. 9 mars" / "14h30", es "mar 9 mar" / "14:30"."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    date = _date_text(_WEEKDAYS[language][when.weekday()], when.day, _MONTHS[language][when.month - 1])
    return date, _time_text(language, when.hour, when.minute)


def _longest_date_time(language: str) -> tuple[str, str]:
    """The longest date and time `local_date_time` can produce: what a length check must assume."""
    date = _date_text(max(_WEEKDAYS[language], key=len), 28, max(_MONTHS[language], key=len))
    return date, max((_time_text(language, hour, 59) for hour in range(24)), key=len)


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    """(name, conversion, format spec) of every placeholder; ValueError if the braces are malformed."""
    return [
        (name, conversion, spec) for _, name, spec, conversion in Formatter().parse(text) if name is not None
    ]


def _fill(template: Template, values: dict[str, str]) -> tuple[str | None, str]:
    subject = None if template.subject is None else template.subject.format_map(values)
    return subject, template.body.format_map(values)


def render(
    template: Template, *, provider: str, when: datetime | None, link: str, unsubscribe_url: str | None
) -> tuple[str | None, str]:
    """(subject, body) with placeholders filled; `when` None renders date/time as empty strings (survey
    invites need no date). ValueError if the template asks for an unsubscribe link and none is given:
    an email without one may not be sent."""
    date, time = ("", "") if when is None else local_date_time(when, template.language)
    values = {"provider": provider, "date": date, "time": time, "link": link}
    if unsubscribe_url is not None:
        values["unsubscribe_url"] = unsubscribe_url
    elif "unsubscribe_url" in {
        name for text in (template.body, template.subject or "") for name, *_ in _fields(text)
    }:
        raise ValueError("the template needs an unsubscribe_url")
    return _fill(template, values)


def _placeholder_problems(text: str, where: str) -> tuple[set[str], list[str]]:
    """The placeholder names a text uses, and what is wrong with them."""
    try:
        fields = _fields(text)
    except ValueError as error:
        return set(), [f"The {where} has malformed braces ({error}); write a literal brace as {{{{ or }}}}."]
    allowed = ", ".join(f"{{{name}}}" for name in sorted(PLACEHOLDERS))
    problems = []
    for name, conversion, spec in fields:
        if name not in PLACEHOLDERS:
            problems.append(
                f"The {where} uses an unknown placeholder {{{name}}}; only {allowed} may be used."
            )
        elif conversion or spec:
            problems.append(
                f"The placeholder {{{name}}} in the {where} may not carry a conversion or format."
            )
    return {name for name, *_ in fields}, problems


def _clinical_words(text: str) -> list[str]:
    folded, origin = _fold(text)
    found = {text[origin[m.start()] : origin[m.end() - 1] + 1] for m in _CLINICAL.finditer(folded)}
    return sorted(found, key=str.casefold)


def _length_problem(template: Template, provider: str, max_segments: int, max_link_length: int) -> str | None:
    """Why the SMS, filled with the longest values it can get, exceeds its segment budget (None if it fits)."""
    date, time = _longest_date_time(template.language)
    link = "x" * max_link_length
    _, body = _fill(
        template, {"provider": provider, "date": date, "time": time, "link": link, "unsubscribe_url": link}
    )
    segments = sms_segments(body)
    if segments <= max_segments:
        return None
    worst = f"with the longest date and time and a {max_link_length}-character link"
    budget = f"{segments} segments, more than the {max_segments} allowed"
    if is_gsm7(body):
        limits = f"{GSM7_SINGLE} characters for one segment, {GSM7_PART} per segment beyond"
        return f"The SMS is too long: {worst} it is {sms_units(body)} GSM-7 characters ({limits}), {budget}."
    others = ", ".join(f"'{char}'" for char in sorted({char for char in body if not is_gsm7(char)}))
    limits = f"{UCS2_SINGLE} characters for one segment, {UCS2_PART} per segment beyond"
    return (
        f"The SMS is too long: {others} not being GSM-7, it is sent as UCS-2 ({limits}); {worst} it is "
        f"{sms_units(body)} characters, {budget}."
    )


def template_problems(
    template: Template, *, provider: str, max_segments: int = 1, max_link_length: int = 40
) -> list[str]:
    """Why this template may not be saved, as short human sentences (empty list = fine)."""
    problems = []
    if template.kind not in KINDS:
        problems.append(f"Unknown kind {template.kind!r}: expected one of {', '.join(KINDS)}.")
    if template.channel not in CHANNELS:
        problems.append(f"Unknown channel {template.channel!r}: expected one of {', '.join(CHANNELS)}.")
    if template.language not in LANGUAGES:
        problems.append(f"Unknown language {template.language!r}: expected one of {', '.join(LANGUAGES)}.")
    if not provider.strip():
        problems.append("No provider name is configured: every message must name the hospital.")

    body_fields, body_problems = _placeholder_problems(template.body, "body")
    subject_fields, subject_problems = _placeholder_problems(template.subject or "", "subject")
    placeholders_ok = not body_problems and not subject_problems
    problems += body_problems + subject_problems
    clinical = _clinical_words(f"{template.subject or ''}\n{template.body}")
    if clinical:
        problems.append(f"Clinical detail may not appear in a message: {', '.join(clinical)}.")
    if template.kind == "survey_invite" and "link" not in body_fields:
        problems.append("A survey invitation must contain {link}.")

    if template.channel == "sms":
        if "provider" not in body_fields and not (provider.strip() and provider in template.body):
            problems.append("An SMS must name the provider: add {provider}.")
        stop_words = _STOP_WORDS.get(template.language, ("STOP",))
        if not re.search(rf"\b(?:{'|'.join(stop_words)})\b", _fold(template.body)[0], re.IGNORECASE):
            problems.append(f"An SMS must say how to stop: include {' or '.join(stop_words)}.")
        if "unsubscribe_url" in body_fields:
            problems.append("An SMS opts out by the STOP reply: {unsubscribe_url} is for emails only.")
        if template.subject is not None:
            problems.append("An SMS cannot have a subject.")
        if placeholders_ok and template.language in LANGUAGES:
            too_long = _length_problem(template, provider, max_segments, max_link_length)
            problems += [too_long] if too_long else []
    elif template.channel == "email":
        if "provider" not in body_fields | subject_fields:
            problems.append("An email must name the provider: add {provider}.")
        if "unsubscribe_url" not in body_fields:
            problems.append("An email must carry an unsubscribe link: add {unsubscribe_url} to the body.")
        if not (template.subject or "").strip():
            problems.append("An email needs a subject.")
    return problems


_EN_STOP_EMAIL = "To stop receiving these messages: {unsubscribe_url}"
_FR_STOP_EMAIL = "Pour ne plus recevoir ces messages : {unsubscribe_url}"
_ES_STOP_EMAIL = "Para dejar de recibir estos mensajes: {unsubscribe_url}"

DEFAULT_TEMPLATES: dict[tuple[str, str, str], Template] = {
    (template.kind, template.channel, template.language): template
    for template in (
        Template(
            "appointment",
            "sms",
            "en",
            "{provider}: reminder of your appointment on {date} at {time}. "
            "Reply C to confirm, R to reschedule. Reply STOP to opt out.",
        ),
        Template(
            "appointment",
            "sms",
            "fr",
            "{provider} : rappel de votre rendez-vous le {date} à {time}. "
            "Répondez C pour confirmer, R pour reporter. STOP pour ne plus recevoir.",
        ),
        Template(
            "appointment",
            "sms",
            "es",
            "{provider}: recordatorio de su cita el {date} a las {time}. "
            "Responda C para confirmar, R para cambiar. STOP para no recibir mas.",
        ),
        Template(
            "survey_invite",
            "sms",
            "en",
            "{provider}: thank you for your visit. Tell us how it went: {link} Reply STOP to opt out.",
        ),
        Template(
            "survey_invite",
            "sms",
            "fr",
            "{provider} : merci de votre visite. Donnez-nous votre avis : {link} STOP pour ne plus recevoir.",
        ),
        Template(
            "survey_invite",
            "sms",
            "es",
            "{provider}: gracias por su visita. Responda nuestra breve encuesta: {link} "
            "STOP para no recibir mas.",
        ),
        Template(
            "appointment",
            "email",
            "en",
            "Hello,\n\nThis is a reminder of your appointment at {provider} on {date} at {time}.\n\n"
            "If you cannot come, please contact us to reschedule.\n\n{provider}\n\n" + _EN_STOP_EMAIL + "\n",
            subject="Your appointment at {provider} on {date}",
        ),
        Template(
            "appointment",
            "email",
            "fr",
            "Bonjour,\n\nNous vous rappelons votre rendez-vous à {provider} le {date} à {time}.\n\n"
            "Si vous ne pouvez pas venir, contactez-nous pour le reporter.\n\n{provider}\n\n"
            + _FR_STOP_EMAIL
            + "\n",
            subject="Votre rendez-vous à {provider} le {date}",
        ),
        Template(
            "appointment",
            "email",
            "es",
            "Hola:\n\nLe recordamos su cita en {provider} el {date} a las {time}.\n\n"
            "Si no puede venir, contáctenos para cambiarla.\n\n{provider}\n\n" + _ES_STOP_EMAIL + "\n",
            subject="Su cita en {provider} el {date}",
        ),
        Template(
            "survey_invite",
            "email",
            "en",
            "Hello,\n\nThank you for your visit to {provider}. Please tell us how it went in a short survey:\n"
            "{link}\n\nYour answers help us improve.\n\n{provider}\n\n" + _EN_STOP_EMAIL + "\n",
            subject="How was your visit to {provider}?",
        ),
        Template(
            "survey_invite",
            "email",
            "fr",
            "Bonjour,\n\nMerci de votre visite à {provider}. Donnez-nous votre avis en quelques questions :\n"
            "{link}\n\nVos réponses nous aident à nous améliorer.\n\n{provider}\n\n" + _FR_STOP_EMAIL + "\n",
            subject="Votre visite à {provider} : votre avis compte",
        ),
        Template(
            "survey_invite",
            "email",
            "es",
            "Hola:\n\nGracias por su visita a {provider}. Cuéntenos cómo le fue en una breve encuesta:\n"
            "{link}\n\nSus respuestas nos ayudan a mejorar.\n\n{provider}\n\n" + _ES_STOP_EMAIL + "\n",
            subject="¿Qué tal su visita a {provider}?",
        ),
    )
}
