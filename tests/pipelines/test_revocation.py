"""Consent revocation in inbound SMS: keywords, free-text requests in three languages, and
ordinary feedback that must not end a patient's reminders."""

from __future__ import annotations

import dataclasses

import pytest

from pipelines.optout import STOP_WORDS, keyword_of
from pipelines.revocation import CARRIER_KEYWORDS, Revocation, revocation_of

# --- keywords -------------------------------------------------------------------------------

KEYWORDS = {
    "en": [
        "STOP", "stop", "Stop.", "  stop  ", "STOP!!!", "StopAll", "quit", "END", "Revoke", "opt out",
        "Opt-Out", "OPTOUT", "cancel", "UNSUBSCRIBE",
    ],
    "fr": [
        "Arrêt", "ARRET", "arrêter", "Arreter", "désabonner", "Desabonner", "Désinscrire",
        "Se désabonner", "se  desabonner !", "fin", "FIN.",
    ],
    "es": ["Alto", "parar", "Para", "BAJA", "detener", "Cancelar", "No más", "no mas", "¡Basta!"],
}  # fmt: skip


@pytest.mark.parametrize(
    ("body", "language"), [(body, lang) for lang, bodies in KEYWORDS.items() for body in bodies]
)
def test_whole_message_keywords_revoke_in_their_language(body: str, language: str) -> None:
    revocation = revocation_of(body)
    assert revocation is not None
    assert (revocation.kind, revocation.language) == ("keyword", language)


@pytest.mark.parametrize(
    ("body", "carrier_confirms"),
    [
        ("STOP", True),
        ("stop", True),
        ("Stop.", True),
        ("STOPALL", True),
        ("unsubscribe", True),
        ("Cancel", True),
        ("END", True),
        ("quit!", True),
        ("REVOKE", True),
        ("OptOut", True),
        ("opt out", False),  # Twilio matches single words only
        ("Opt-Out", False),
        ("arrêt", False),
        ("ARRET", False),
        ("fin", False),
        ("baja", False),
        ("cancelar", False),
        ("¡Basta!", False),
        ("please stop texting me", False),
        ("je ne veux plus recevoir de SMS", False),
    ],
)
def test_carrier_confirms_only_twilio_builtin_keywords(body: str, carrier_confirms: bool) -> None:
    revocation = revocation_of(body)
    assert revocation is not None
    assert revocation.carrier_confirms is carrier_confirms


def test_carrier_keywords_are_the_opt_out_registry_stop_words() -> None:
    assert CARRIER_KEYWORDS == STOP_WORDS


@pytest.mark.parametrize("body", [body for bodies in KEYWORDS.values() for body in bodies])
def test_carrier_confirms_exactly_when_the_registry_records_a_stop(body: str) -> None:
    revocation = revocation_of(body)
    assert revocation is not None
    assert revocation.carrier_confirms is (keyword_of(body) in STOP_WORDS)


# --- free text ------------------------------------------------------------------------------

FREE_TEXT = {
    "en": [
        "please stop texting me",
        "Stop sending me messages",
        "Stop sending these text messages.",
        "stop the reminders please",
        "I don't want these texts anymore",
        "I don\u2019t want any more messages",
        "I no longer wish to receive SMS from you",
        "I do not wish to be contacted",
        "do not contact me again",
        "Please don't call me",
        "Thanks for everything. Do not text me again",
        "remove me from your list",
        "take me off your list",
        "Take me off the mailing list!",
        "unsubscribe me",
        "how do I unsubscribe?",
        "opt me out",
        "I want to opt out.",
        "No more texts please",
        "STOP CALLING ME",
        "I want to stop receiving messages",
        "Stop please",
        "Please stop!",
        "unsubscribe, thank you",
    ],
    "fr": [
        "arrêtez de m'envoyer des messages",
        "Arrêtez de m\u2019envoyer des SMS svp",
        "je ne veux plus recevoir de SMS",
        "Je ne souhaite plus recevoir vos messages",
        "merci de ne plus me contacter",
        "je ne veux plus être contactée",
        "Ne m'envoyez plus de textos",
        "ne me contactez plus",
        "désinscrivez-moi",
        "Désabonnez-moi s'il vous plaît",
        "je veux me désinscrire",
        "Retirez-moi de votre liste",
        "cessez les rappels",
        "stop aux SMS",
        "je ne veux plus de vos SMS",
        "Stop, merci",
        "arrêt svp",
    ],
    "es": [
        "dejen de enviarme mensajes",
        "Dejen de mandarme mensajes por favor",
        "no me manden más mensajes",
        "No me envíen más SMS",
        "ya no quiero recibir mensajes",
        "no quiero recibir más recordatorios",
        "no quiero que me llamen",
        "no me contacten más",
        "paren de llamarme",
        "quiero darme de baja",
        "Denme de baja, gracias",
        "Sáquenme de su lista",
        "basta de mensajes",
        "No más mensajes",
        "Stop por favor",
        "baja, gracias",
    ],
}


@pytest.mark.parametrize(
    ("body", "language"), [(body, lang) for lang, bodies in FREE_TEXT.items() for body in bodies]
)
def test_free_text_requests_to_stop_revoke_in_their_language(body: str, language: str) -> None:
    assert revocation_of(body) == Revocation(kind="free_text", language=language, carrier_confirms=False)


@pytest.mark.parametrize(
    "body",
    [
        # English
        "the nurse told me to stop taking my pills",
        "I can't stop crying",
        "the pain would not stop",
        "the bus stop is far",
        "end of my stay was great",
        "cancel my appointment please",
        "Cancel my appointment",
        "no more pain after surgery",
        "I couldn't stop texting my family about how kind everyone was",
        "the doctor had to stop the call because the connection dropped",
        "they don't call me back when I leave a message",
        "please take me off the waiting list, I found another surgeon",
        "I want to opt out of the study",
        "Please don't stop the reminders, they help me",
        # French
        "la douleur ne s'arrête pas",
        "l'infirmière m'a dit d'arrêter de fumer",
        "je ne reçois plus de messages du service",
        "retirez-moi de la liste d'attente",
        "fin de séjour parfaite, merci",
        # Spanish
        "no puedo parar de toser",
        "gracias por el número para los mensajes",
        "el médico me dio de baja una semana",
        "no me llamen más tarde de las ocho",
        "quiero cancelar mi cita",
        "no más dolor después de la cirugía",
        # neither
        "",
        "   ",
        "!!!",
        "Thank you, the staff were wonderful",
        "Merci !",
        "gracias por todo",
        "Thanks, the end of my stay was great",
    ],
)
def test_ordinary_feedback_is_no_free_text_revocation(body: str) -> None:
    assert revocation_of(body) is None


def test_revocation_is_frozen() -> None:
    revocation = revocation_of("STOP")
    assert revocation is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        revocation.language = "fr"  # type: ignore[misc]
