"""Consent revocation in inbound SMS: opt-out keywords, and sentences asking us to stop.

Under the FCC's 2024 revocation rules a patient may revoke consent "by any reasonable means",
so a reply of "STOP" is not the only way out: "please stop texting me" or "ya no quiero
recibir mensajes" must end the reminders too, in each language we send them in.

Free-text patterns require an object of contact (messages, texts, SMS, emails, calls, or a
verb of contacting aimed at the patient) because the verbs of stopping are everyday words in
hospital feedback: "stop taking my pills", "the pain would not stop", "no puedo parar de
toser", "cancel my appointment". A stopping verb is a revocation only when what it stops is
our messages. List-removal phrases ("take me off your list") name the list themselves;
waiting lists are excluded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.analysis.local import fold

# Twilio's default opt-out words: Twilio itself blocks the number and sends the confirmation.
CARRIER_KEYWORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})

_KEYWORDS: dict[str, str] = {  # folded, punctuation-free message -> language to confirm in
    **dict.fromkeys(
        ("stop", "stopall", "quit", "end", "revoke", "opt out", "optout", "cancel", "unsubscribe"), "en"
    ),
    **dict.fromkeys(("arret", "arreter", "desabonner", "se desabonner", "desinscrire", "fin"), "fr"),
    **dict.fromkeys(("alto", "parar", "para", "baja", "detener", "cancelar", "no mas", "basta"), "es"),
}

# A keyword with a courtesy around it ("stop please", "Stop, merci") is no longer what Twilio
# matches, but asks the same; the courtesy also tells the language to confirm in.
_COURTESY = {
    **dict.fromkeys(("please", "pls", "plz", "thanks", "thank you"), "en"),
    **dict.fromkeys(("merci", "svp", "stp", "s il vous plait", "s il te plait"), "fr"),
    **dict.fromkeys(("por favor", "porfa", "gracias"), "es"),
}
_COURTESY_WORDS = re.compile(r"\b(?:" + "|".join(_COURTESY) + r")\b")
_WORD = re.compile(r"[a-z0-9]+")

# --- English -------------------------------------------------------------------------------
_EN_OBJECT = (
    r"(?:(?:text|sms|phone)\s+)?"
    r"(?:texts|sms|messages|emails|e-mails|mails|calls|reminders|notifications|alerts)\b"
)
_EN_DET = r"(?:(?:all\s+)?(?:the|these|those|your|this|any)\s+|all\s+|any\s*more\s+)?"
_EN_NOT_NEGATED = r"(?<!n't )(?<!nt )(?<!not )"  # "I can't stop texting my family" asks nothing
_EN_IMPERATIVE = r"(?:^|[.!?,;:]\s*|please\s+|pls\s+|kindly\s+)"  # "don't text me", not "they don't text me"
_EN = (
    # "please stop texting me", "stop sending me messages", "stop the reminders", "no more texts"
    rf"{_EN_NOT_NEGATED}\b(?:(?:stop|quit|cease)\s+"
    rf"(?:(?:sending|texting|receiving|getting)\s+(?:me\s+|us\s+)?{_EN_DET}{_EN_OBJECT}"
    rf"|(?:texting|messaging|calling|emailing|e-mailing|contacting)\s+(?:me|us)\b|{_EN_DET}{_EN_OBJECT})"
    rf"|no\s+more\s+{_EN_OBJECT})",
    # "I don't want these texts anymore", "I no longer wish to be contacted"
    rf"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want|wish)\s+"
    rf"(?:(?:to\s+(?:receive|get)\s+)?{_EN_DET}{_EN_OBJECT}"
    r"|to\s+be\s+(?:contacted|texted|messaged|called|e-?mailed)\b)",
    # "do not contact me again", "please don't text me"
    rf"{_EN_IMPERATIVE}(?:don'?t|do\s+not|never)\s+(?:contact|text|message|call|e-?mail|sms)\s+(?:me|us)\b",
    # "remove me from your list", "take me off the texting list", but not "off the waiting list"
    r"\b(?:remove|take|delete|drop)\s+(?:me|my\s+(?:(?:phone|cell|mobile)\s+)?number)\s+"
    r"(?:off|from)\s+(?:of\s+)?(?:all\s+)?(?:your|the|this|that|these)\s+"
    r"(?:(?:mailing|texting|text|sms|messaging|contact|calling|call|distribution|e-?mail|reminder)\s+)?"
    r"lists?\b",
    # "unsubscribe me", "opt me out", "I want to opt out." (not "opt out of the study")
    r"\bunsubscribe\b|\bopt\s+(?:me|us)\s+out\b"
    r"|\bopt[\s-]?out(?:\s+(?:me|us)\b|\s*(?:please\b|[.!?,;]|$))",
)

# --- French (folded: no accents) -----------------------------------------------------------
_FR_OBJECT = r"(?:messages?|sms|textos?|courriels?|e-?mails?|mails?|appels?|notifications?|rappels?)\b"
_FR_DET = r"(?:(?:de|des|les|vos|ces|tous|toutes|aux)\s+|d'){0,2}"  # "de vos", "tous les"
_FR_REACH = (  # "m'envoyer des messages", "me contacter"
    rf"(?:(?:m'|me\s+|nous\s+)(?:contacter|appeler|texter|ecrire|relancer|solliciter)\b"
    rf"|(?:m'|me\s+|nous\s+)?envoyer\s+{_FR_DET}{_FR_OBJECT})"
)
_FR_WANT = r"(?:veux|veut|voulons|voudrais|souhaite|souhaitons|souhaiterais|desire)"
_FR = (
    # "arrêtez de m'envoyer des messages", "stop aux SMS", "cessez les rappels"
    rf"\b(?:arret(?:e|es|ez|er)|cess(?:e|es|ez|er)|stop(?:pe|pez|per)?)\s+"
    rf"(?:(?:de\s+|d'){_FR_REACH}|(?:les|vos|ces|tous\s+les|toutes\s+les|aux|l'envoi\s+des?)\s+{_FR_OBJECT})",
    # "je ne veux plus recevoir de SMS", "merci de ne plus me contacter", "ne plus être contactée"
    rf"\bne\s+(?:{_FR_WANT}\s+)?plus\s+(?:(?:recevoir|avoir)\s+{_FR_DET}{_FR_OBJECT}|{_FR_DET}{_FR_OBJECT}"
    rf"|etre\s+(?:contacte|appele|sollicite|relance)e?s?\b|{_FR_REACH})",
    # "ne me contactez plus", "ne m'envoyez plus de messages"
    rf"\bne\s+(?:m'|me\s+|nous\s+)(?:(?:contactez|appelez|ecrivez|textez|relancez)\s+plus\b"
    rf"|envoyez\s+plus\s+{_FR_DET}{_FR_OBJECT})",
    # "désinscrivez-moi", "je veux me désabonner", "retirez-moi de votre liste" (not "liste d'attente")
    r"\b(?:desinscri|desabonn)\w*[\s-]+moi\b|\bme\s+(?:desinscrire|desabonner)\b"
    r"|\b(?:retire|enleve|supprime|efface)[rz]?(?:[\s-]+moi|\s+mon\s+numero)\s+de\s+"
    r"(?:votre|vos|la|les|cette|ces)\s+listes?\b(?!\s+d'attente)",
)

# --- Spanish (folded: no accents) ----------------------------------------------------------
_ES_OBJECT = (
    r"(?:mensajes?|mensajitos|sms|textos?|correos?|e-?mails?|llamadas|notificaciones|recordatorios"
    r"|whatsapps?)\b"
)
_ES_DET = r"(?:(?:mas|ningun|ninguna|los|las|sus|estos|estas|esos|esas|tantos|tantas)\s+){0,2}"
_ES = (
    # "dejen de enviarme mensajes", "paren de llamarme" (not "no puedo parar de toser")
    rf"\b(?:dej(?:en|e|ar|a|ad)|par(?:en|e|ar|a)|deten(?:gan|ga|er)|ces(?:en|e|ar))\s+de\s+"
    rf"(?:(?:enviar|mandar)(?:me|nos)?\s+{_ES_DET}{_ES_OBJECT}"
    r"|(?:contactar|llamar|escribir|textear)(?:me|nos)\b)",
    # "paren los mensajes", "basta de mensajes", "no más SMS" ("para" alone is also "for")
    rf"\b(?:par(?:en|e|ar)|deten(?:gan|ga|er)|cancel(?:en|e|ar)|basta\s+de|no\s+mas)\s+{_ES_DET}{_ES_OBJECT}",
    # "no me manden más mensajes", "no me contacten más" (not "no me llamen más tarde")
    rf"\bno\s+(?:me|nos)\s+(?:(?:manden|mande|mandes|envien|envie|envies)\s+{_ES_DET}{_ES_OBJECT}"
    r"|(?:contacten|contacte|contactes|llamen|llame|llames|escriban|escriba|escribas)\s+"
    r"(?:mas\b(?!\s+tarde)|nunca\b|de\s+nuevo\b|otra\s+vez\b))",
    # "ya no quiero recibir mensajes", "no quiero que me llamen", "no deseo ser contactada"
    rf"\bno\s+(?:quiero|queremos|deseo|deseamos|quisiera)\s+"
    rf"(?:(?:(?:recibir|tener)\s+)?{_ES_DET}{_ES_OBJECT}"
    r"|que\s+(?:me|nos)\s+(?:manden|envien|contacten|llamen|escriban)\b|ser\s+(?:contactad|llamad)[oa]s?\b)",
    # "quiero darme de baja", "denme de baja", "sáquenme de su lista" ("me dieron de baja" is sick leave)
    r"\b(?:quiero|quisiera|deseo|necesito|gustaria|puedo)\s+darme\s+de\s+baja\b"
    r"|\b(?:denme|deme|dame|me\s+doy)\s+de\s+baja\b"
    r"|\b(?:saque|quite|borre|elimine)n?(?:me|nos|\s+mi\s+numero)\s+de\s+(?:su|sus|la|las|esta|esa)\s+"
    r"listas?\b(?!\s+de\s+espera)",
)

_FREE_TEXT = {
    lang: [re.compile(p) for p in patterns] for lang, patterns in (("en", _EN), ("fr", _FR), ("es", _ES))
}


@dataclass(frozen=True)
class Revocation:
    kind: str  # "keyword": the whole message is an opt-out word; "free_text": a sentence asking to stop
    language: str  # "en" | "fr" | "es": the language to confirm in
    carrier_confirms: bool  # Twilio sends the confirmation itself: we must not send a second one


def revocation_of(body: str) -> Revocation | None:
    """The revocation an inbound SMS expresses, or None."""
    text = " ".join(fold(body).split())
    words = " ".join(_WORD.findall(text))
    if words in _KEYWORDS:
        # Matched as pipelines.optout.keyword_of does, the way Twilio matches single-word replies.
        carrier = body.strip().strip(".!").upper() in CARRIER_KEYWORDS
        return Revocation(kind="keyword", language=_KEYWORDS[words], carrier_confirms=carrier)
    courtesy = _COURTESY_WORDS.search(words)
    if courtesy and " ".join(_COURTESY_WORDS.sub(" ", words).split()) in _KEYWORDS:
        return Revocation(kind="free_text", language=_COURTESY[courtesy.group()], carrier_confirms=False)
    for language, patterns in _FREE_TEXT.items():
        if any(pattern.search(text) for pattern in patterns):
            return Revocation(kind="free_text", language=language, carrier_confirms=False)
    return None
