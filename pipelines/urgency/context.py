"""When a red flag is happening and whom it is about, after the ConText algorithm.

ConText (Harkema et al., 2009) reads each finding with modifiers found by trigger phrases
whose scope runs to the end of the clause. Negation and resolution are handled where
the match is found (`rules._outcome`); this module adds the other two modifiers, tuned
for patients' words rather than clinicians' notes:

* timing: "past" when the clause dates the finding ("last month", "two years ago", "in
  the spring", "after my stroke", "il y a deux ans", "hace un año") or the text thanks
  someone for surviving it ("you saved my life"); "hypothetical" when a conditional opens
  the clause before it ("if he stops breathing", "en cas d'incendie", "por si se ahoga");
  otherwise "now". A clause that says now, still or again ("today", "encore", "otra
  vez") is "now" whatever else it says. A near past ("he collapsed and nobody came",
  "an hour ago") stays "now", as the guideline asks.
* experiencer: "patient", "relative" or "other person" (someone else in the building).
  All three are emergencies when happening now; the experiencer only goes into reasons.

A finding named as a service, a place or a drill ("the stroke unit", "chest pain clinic",
"fire alarm test"), or used as a figure of speech ("a heart attack on a plate", "the heat
in here is suffocating"), is no finding at all: `is_not_an_event` tells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A clause ends at sentence punctuation or at a word that changes the time frame.
_CLAUSE_BREAK = re.compile(
    r"[.!?;:]|\b(?:but|now|today|tonight|currently|still|again|mais|maintenant|aujourd'hui|actuellement"
    r"|(?<!merci )encore|ce soir|pero|ahora|hoy|actualmente|todavia|sigue|esta noche)\b"
)
_NOW = re.compile(
    r"\b(?:now|right now|currently|at the moment|still|again|as we speak|please (?:help|come|send)"
    r"|help us|maintenant|en ce moment|actuellement|(?<!merci )encore|au secours|venez vite"
    r"|ahora|ahorita|en este momento|todavia|sigue|ayuda|socorro|vengan)\b"
)
_UNITS_EN = r"(?:weeks?|months?|years?|yrs?|decades?|christmases|summers|winters|easters)"
_UNITS_FR = r"(?:semaines?|mois|ans|an|annees?|noels|etes|hivers)"
_UNITS_ES = r"(?:semanas?|meses|mes|anos?|decadas?|navidades|veranos|inviernos|primaveras)"
_MONTHS = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|apr|jun|jul|aug|sept?|oct|nov|dec"
    r"|janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
    r"|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre)"
)
_PAST_EN = (
    r"(?:\w+ ){0,2}" + _UNITS_EN + r" (?:ago|on|later|before)"
    r"|last (?:month|year|spring|summer|autumn|fall|winter|christmas|easter|time)"
    r"|(?:in|of|since) " + _MONTHS + r"|(?:in|during|over) (?:the )?(?:spring|summer|autumn|fall|winter)"
    r"|(?:in|back in|since) (?:19|20)\d\d|years? (?:back|before)|back then|at the time"
    r"|when i was (?:admitted|here|in)|history|previous(?:ly)?|bad memory"
    r"|as a (?:teenager|child|kid|student|baby|young \w+)"
    r"|when (?:i|he|she|we|they|my \w+) (?:was|were) (?:\w+ )?(?:\d+|one|two|three|four|five|six|little|young|small"
    r"|a baby|a child|born|pregnant|admitted)|(?:the day|when|from when|the night) (?:my \w+|he|she|i|we) (?:was|were) born"
    r"|(?:at|over|during|last) (?:easter|christmas|new year)"
)
_PAST_FR = (
    r"(?:il y a|y a|ya) (?:\w+ ){1,2}"
    + _UNITS_FR
    + r"|(?:\w+ ){1,2}"
    + _UNITS_FR
    + r" (?:apres|plus tard|avant)"
    r"|(?:le mois|l'annee|l'an|l'ete|l'hiver|l'automne|le printemps|noel) (?:dernier|derniere|passee?)"
    r"|(?:au|ce) printemps|(?:en|cet|l') (?:ete|hiver|automne)|en (?:19|20)\d\d|(?:en|d'|de) "
    + _MONTHS
    + r"|antecedents? de|mauvais souvenir|a paques|a noel|le jour (?:de|ou)"
)
_PAST_ES = (
    r"hace (?:\w+ ){1,2}" + _UNITS_ES + r"|(?:\w+ ){1,2}" + _UNITS_ES + r" (?:despues|mas tarde|antes)"
    r"|(?:el|la) (?:mes|ano|primavera|verano|invierno|otono|navidad) pasad[oa]|el pasado (?:mes|ano)"
    r"|en (?:la )?(?:primavera|verano|invierno|otono)|en (?:19|20)\d\d|(?:en|de) "
    + _MONTHS
    + r"|antecedentes? de|mal recuerdo|en semana santa|en navidad(?:es)?|el dia (?:de|que|en que)"
)
_PAST = re.compile(r"\b(?:" + _PAST_EN + "|" + _PAST_FR + "|" + _PAST_ES + r")\b")
# Thanks for surviving: the whole text is about an emergency that is over.
_SURVIVED = re.compile(
    r"\b(?:saved (?:my|his|her|their|our|your) (?:life|lives)|life ?saving|survived|survivor|pulled (?:me|him|her|them)"
    r" through|(?:alive|here) (?:today )?thanks to|thanks to (?:you|the team|your team|them|the staff) (?:i|he|she|we)"
    r"|sauve (?:la vie|ma vie|sa vie)|(?:en vie|vivant|vivante) grace a|survecu|salv\w* (?:la vida|mi vida|su vida)"
    r"|(?:viv[oa]|con vida) gracias a|sobrevivi\w*)\b"
)
# A finding that is only the time anchor of the clause: "after my stroke", "since his heart attack".
_ANCHOR_BEFORE = re.compile(
    r"\b(?:after|since|following|post|before|prior to|recovering from|recovery from|recovered from|rehab(?:ilitation)? after"
    r"|stopped (?:me|him|her|them) from|(?:day|effects?|aftermath|result|consequences?) of"
    r"|apres|depuis|suite a|avant|despues de|desde|tras|antes de)"
    r"(?: (?:my|his|her|their|the|a|an|her recent|his recent|my recent|mon|ma|son|sa|leur|un|une|le|la|l'|mi|su|un|una|el))?"
    r" ?$"
)
# "I don't know IF he is having a stroke" is uncertainty about now, not a supposition.
_UNSURE = (
    r"(?<!know )(?<!sure )(?<!wonder )(?<!sais pas )(?<!sais )(?<!se )(?<!seguro )(?<!sabemos )(?<!sabe )"
)
_HYPOTHETICAL = re.compile(
    _UNSURE
    + r"\b(?:(?:afraid|scared|terrified|worried|frightened|nervous|fear) (?:of|about|that|i might|i would|i'd)"
    r"|peur de|miedo (?:a|de)|if|what if|in case|in the event|should (?:someone|anyone|he|she|i|we)|suppose|imagine|god forbid|whether"
    r"|et si|au cas ou|imaginons|supposons|si jamais|s'il(?! vous plait| te plait)|si (?:quelqu'un|on|je|j'|il|elle|ils"
    r"|elles|mon|ma|mes|son|sa|ses|un|une|le|la|les|ca|cela|nous|vous|personne|par malheur)"
    r"|en caso de|por si|que pasa si|que pasaria si|imaginemos|supongamos|si(?! no\b)(?= \w))\b|\ben cas d(?:e\b|')"
)
# An emergency over and done with, said anywhere in the text: "he's fine now", "tout est
# rentre dans l'ordre", "ya esta bien". A finding dated in the past beside it is resolved.
_DOC_RESOLVED = re.compile(
    r"\b(?:(?:he|she|i|they|we|it|baby|everyone)(?:'s| is| am| are| was|'m|'re|s|m) (?:fine|ok|okay|well|safe|home|better"
    r"|recovered|stable|all right|alright|doing (?:well|great|fine)|back home)|all (?:sorted|settled|resolved|fine|good)"
    r"|(?:he|she|i|they|we) (?:recovered|pulled through|got better|survived|made it)"
    r"|(?:has|have|had|he's|hes|she's|shes|i've|ive|we've) (?:been )?(?:fine|fit free|seizure free|well) (?:since|ever since)|no (?:more|further) (?:problems|issues|episodes)"
    r"|(?:il|elle|tout|je) (?:va|vais|est|suis) (?:bien|mieux|gueri|guerie|remise?|rentre dans l'ordre|de retour)"
    r"|(?:va|allait) bien maintenant|tout est rentre dans l'ordre|plus de (?:probleme|crise)s?"
    r"|(?:ya|ahora) (?:esta|estoy|estamos|estan) (?:bien|perfect[oa]s?|estables?|en casa|recuperad[oa]s?)"
    r"|(?<!no )(?:esta|estoy|estamos) (?:bien|perfect[oa]|recuperad[oa])|todo (?:bien|en orden|resuelto)"
    r"|no (?:se hizo|me hice|hubo|le paso) (?:dano|nada)|(?:wasn'?t|was not|weren'?t|not) (?:hurt|injured|harmed)"
    r"|(?:ne s'est pas|n'a pas ete|sans se) bless\w*|sans (?:gravite|consequence)|(?:i'?m|i am) (?:well|fine|ok) (?:and|now))\b"
)
_RECOVERED_NOW = re.compile(_DOC_RESOLVED.pattern + r"(?: (?:now|maintenant|ahora|ya))?")
# The writer says it is not an emergency: "nothing urgent, nobody's hurt", "pas urgent".
_REASSURED = re.compile(
    r"\b(?:nothing urgent|not (?:an )?urgent|no emergency|not an emergency|nobody(?:'s| is| was| got) hurt|no one(?:'s| is| was)"
    r" hurt|pas urgent|rien d'urgent|rien de grave|personne n'est blesse|no es urgente|nada urgente|nada grave"
    r"|nadie (?:esta |ha salido )?herido)\b"
)
_GRATITUDE = re.compile(r"\b(?:thank\w*|thanks|thx|grateful|merci\w*|reconnaissant\w*|gracias|agradec\w*)\b")
_SERVICE_AFTER = re.compile(
    r" ?(?:unit|team|ward|nurses?|services?|clinic|specialists?|department|rehab\w*|club|group|survivors?|support"
    r"|awareness|training|drill|test|alarm|exits?|doors?|procedures?|assessment|prevention|leaflets?|pathway|bay"
    r"|consultant|physio\w*|unite|equipe|service|exercice|alarme|unidad|equipo|servicio|simulacro|alarma)\b"
)
_OTHER_PERSON = re.compile(
    r"\b(?:(?:a|an|another|the|this|that|some) (?:man|woman|lady|gentleman|guy|bloke|person|stranger|visitor|patient"
    r"|chap|girl|boy|child|kid|toddler|baby|elderly \w+|old (?:man|lady|woman)|porter|cleaner|nurse|doctor)"
    r"|someone|somebody|anyone|a member of (?:the )?(?:public|staff)"
    r"|(?:un|une|le|la|cet|cette|ce|l') ?(?:homme|femme|dame|monsieur|personne|inconnue?|visiteur|visiteuse|patiente?"
    r"|enfant|bebe|vieil homme|vieille dame|infirmiere?|medecin)|quelqu'un"
    r"|(?:un|una|el|la|este|esta|ese|esa|otro|otra) (?:hombre|mujer|senora|senor|persona|desconocid[oa]|visitante"
    r"|paciente|nin[oa]|bebe|chico|chica|anciano|anciana|enfermer[oa]|medico)|alguien)\b"
)
_RELATIVE = re.compile(
    r"\b(?:my|our|his|her|mon|ma|mes|notre|nos|mi|mis|nuestr[oa]s?) (?:\w+ )?(?:mother|father|mom|mum|dad|husband|wife"
    r"|son|daughter|child|baby|brother|sister|partner|grandmother|grandfather|grandma|grandpa|gran|granny|nan|aunt"
    r"|uncle|friend|neighbour|neighbor|boyfriend|girlfriend|kid|toddler|pere|mere|papa|maman|mari|femme|fils|fille"
    r"|bebe|enfant|frere|soeur|grand mere|grand pere|conjointe?|ami|amie|padre|madre|mama|esposo|esposa|marido"
    r"|mujer|hijo|hija|nino|nina|hermano|hermana|abuelo|abuela|pareja|amigo|amiga|tio|tia)\b"
)


@dataclass(frozen=True)
class Situation:
    timing: str  # "now" | "past" | "hypothetical"
    experiencer: str  # "patient" | "relative" | "other person"


def _clause(folded: str, start: int, end: int) -> tuple[int, int, int, int]:
    """Where the clause around folded[start:end] begins and ends, then the same span
    with the words that bound it ("... chest pain AGAIN")."""
    begin = outer_begin = 0
    for found in _CLAUSE_BREAK.finditer(folded, 0, start):
        begin, outer_begin = found.end(), found.start()
    stop = _CLAUSE_BREAK.search(folded, end)
    if stop is None:
        return begin, len(folded), outer_begin, len(folded)
    return begin, stop.start(), outer_begin, stop.end()


def _blank(found: re.Match[str]) -> str:
    return " " * len(found.group())


def _timing(folded: str, start: int, end: int) -> str:
    begin, finish, outer_begin, outer_finish = _clause(folded, start, end)
    # "he's okay now": a "now" that belongs to a recovery does not make the finding current.
    if _NOW.search(_RECOVERED_NOW.sub(_blank, folded), outer_begin, outer_finish):
        return "now"
    clause = folded[begin:finish]
    if _PAST.search(clause) or _ANCHOR_BEFORE.search(folded, begin, start) or _SURVIVED.search(folded):
        return "past"
    if _DOC_RESOLVED.search(folded) and _PAST_TENSE.search(clause):
        return "past"
    if _HYPOTHETICAL.search(folded, begin, start):
        return "hypothetical"
    return "now"


_PAST_TENSE = re.compile(
    r"\b(?:had|was|were|went|got|did|collapsed|fell|stopped|started|\w+ed|(?:\w+ )?(?:days?|nights?) ago"
    r"|(?:il y a|hace) (?:\w+ ){1,2}(?:jours|dias|nuits|noches)|ai fait|ai eu|j'etais|etais|(?:on|last) (?:monday|tuesday|wednesday"
    r"|thursday|friday|saturday|sunday|the weekend|weekend|night|tues|thurs|weds)|(?:days?|nights?|weeks?) ago|yesterday|last night|a fait|a eu|avait|etait|est tombee?"
    r"|(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)|hier|la semaine derniere|\w+(?:e|i|u)e?s? ici|tuvo|tuve"
    r"|fue|estuvo|se \w+o|\w+(?:aron|ieron|io|o) (?:aqui|en)|(?:el|la) (?:lunes|martes|miercoles|jueves|viernes|sabado"
    r"|domingo)|ayer|anoche)\b"
)


def _experiencer(before: str) -> str:
    nearest = {"other person": -1, "relative": -1}
    for name, pattern in (("other person", _OTHER_PERSON), ("relative", _RELATIVE)):
        for found in pattern.finditer(before):
            nearest[name] = found.start()
    name, position = max(nearest.items(), key=lambda pair: pair[1])
    return name if position >= 0 else "patient"


def situation(folded: str, start: int, end: int) -> Situation:
    """The modifiers of the finding at folded[start:end] (folded as `rules.fold` does)."""
    begin = _clause(folded, start, end)[0]
    return Situation(_timing(folded, start, end), _experiencer(folded[begin:start]))


_SERVICE_BEFORE = re.compile(
    r"\b(?:consultation|consult|consulta|clinic|clinique|clinica|service|servicio|unite|unidad|ward|team|equipe|equipo"
    r"|department|departement|departamento|alarm|alarme|alarma|drill|exercice|simulacro|essai|test|prueba"
    r"|leaflets?|posters?|signs?|brochures?|folletos?|carteles?|affiches?|depliants?|awareness|prevention|prevencion"
    r"|me muero de|me moria de|je meurs de|je mourais de|dying (?:of|for)|could murder a|(?:es|era|fue|sido|estuvo) de"
    r"|(?:nearly|almost|practically|half) (?:had|have|gave me|give me|died of)(?: a)?|gave me a|give you a"
    r"|casi (?:me da|me dio|le da)(?: un)?|(?:failli|presque) (?:faire|avoir)(?: une?)?)"
    r"(?: (?:de|du|des|de la|d'|for|of|de l'))? ?$"
)
# What a figure of speech puts after a finding: "a heart attack on a plate", "un infarto asegurado".
_FIGURE_AFTER = re.compile(
    r" ?(?:on a plate|waiting to happen|asegurad[oa]|assuree?|garantie?|en un plato)\b"
)
# Heat or a stuffy room in the same clause: "this heat is suffocating", "on etouffe, il fait 30 degres".
_STUFFY = re.compile(
    r"\b(?:heat|hot|stuffy|sauna|oven|boiling|warm|air con\w*|chaleur|chaud|etuve|degres|canicule|calor|caluroso"
    r"|horno|bochorno)\b"
)


# "Me muero de hambre", "je meurs de faim": hunger said the way everyone says it.
_DYING_OF = re.compile(r"(?:me|je) (?:muero|meurs) d")
# Smoke from cigarettes in the same clause: "the smoking area's smoke drifts into the hall".
_SMOKE = re.compile(r"smok|humo|fumee")
_TOBACCO = re.compile(
    r"fumad|fumar|tabac|cigar|vap(?:e|ing)|smok(?:er|ers|ing area|ing shelter)|fumeur|zone fumeur"
)
_BREATH = re.compile(r"breath|suffoc|stifl|etouff|respir|asfixi|ahog|aire|air")


def is_not_an_event(folded: str, start: int, end: int) -> bool:
    """Whether the finding at folded[start:end] names a service, a place or a drill ("stroke
    unit", "consultation douleur thoracique", "fire alarm test") or is a figure of speech
    ("a heart attack on a plate", "this heat is suffocating") rather than something happening."""
    if _SERVICE_AFTER.match(folded, end) or _FIGURE_AFTER.match(folded, end):
        return True
    if _SERVICE_BEFORE.search(folded, max(0, start - 30), start) or _DYING_OF.match(
        folded, max(0, start - 3)
    ):
        return True
    begin, finish, _, _ = _clause(folded, start, end)
    if _SMOKE.search(folded, start, end) and _TOBACCO.search(folded, begin, finish):
        return True
    return bool(_BREATH.search(folded, start, end) and _STUFFY.search(folded, begin, finish))


_RECENT = re.compile(
    r"\b(?:just now|(?:has|have|has) just|he's just|she's just|right now|minutes? ago|a minute ago|suddenly|all of a sudden|this minute|hurry|quick(?:ly)?"
    r"|asap|urgent\w*|emergency|vient de|viens de|tout (?:a|de) suite|soudain\w*|vite|d'un coup|urgence"
    r"|acaba de|acabo de|de repente|rapido|ya mismo|urgente|hace (?:un )?(?:rato|minuto|minutos))\b"
)
_ASKS_FOR_HELP = re.compile(
    r"\b(?:help|please (?:come|send|hurry|someone|check|look)|can (?:someone|somebody|anyone)|someone (?:come|please)"
    r"|au secours|aidez|venez|quelqu'un|svp|s'il vous plait|ayuda|vengan|venga|alguien|por favor|socorro)\b"
)
# Amenities and supplies: what trivia is about, in any language.
_AMENITY = re.compile(
    r"\b(?:vending|machine|crisps|chips|snacks?|tv|telly|television|channels?|remote|wi ?fi|parking|car park|signs?"
    r"|signage|menu|coffee|tea|cafe|canteen|magazines?|chairs?|pillows?|blankets?|toilet (?:paper|roll)|soap|charger|plug"
    r"|sockets?|clock|lights?|noise|distributeur|tele|television|chaines?|telecommande|chaise|oreiller|couverture|cafe"
    r"|maquina|patatas|tele|canales|mando|aparcamiento|silla|almohada|manta|cafeteria|enchufe|reloj|ruido)\b"
)
_CUES = {
    "past": _PAST,
    "survived": _SURVIVED,
    "recovered": _DOC_RESOLVED,
    "hypothetical": _HYPOTHETICAL,
    "now": _NOW,
    "reassured": _REASSURED,
    "gratitude": _GRATITUDE,
    "recent": _RECENT,
    "asks_for_help": _ASKS_FOR_HELP,
    "amenity": _AMENITY,
}


def cues(folded: str) -> tuple[str, ...]:
    """Which context cue families a whole text carries, for the model to weigh: rules
    read context around their own findings; the model sees it for every text."""
    found = [name for name, pattern in _CUES.items() if pattern.search(folded)]
    if "?" in folded:
        found.append("question")
    return tuple(found)


def reassured(folded: str) -> bool:
    """Whether the writer says it is not urgent ("nothing urgent, nobody's hurt")."""
    return _REASSURED.search(folded) is not None
