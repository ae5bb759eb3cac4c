"""Word lists for the offline analyzer, written without accents (text is folded first).

Each key of a weighted table lists the inflected forms of one word, separated by spaces,
so feminine and plural forms in French and Spanish need no stemmer.
"""

from __future__ import annotations


def _expand(table: dict[str, float], plural: str = "s") -> dict[str, float]:
    """One entry per listed form, plus a regular plural of each unless listed itself
    ("mistake" -> "mistakes", "despectivo" -> "despectivos", "error" -> "errores")."""
    forms = {form: weight for group, weight in table.items() for form in group.split()}
    plurals = {_plural(form, plural): weight for form, weight in forms.items()}
    return {**{p: w for p, w in plurals.items() if p not in forms}, **forms}


def _plural(word: str, suffix: str) -> str:
    if word.endswith("s") or word.endswith("x"):
        return word
    if suffix == "es" and word[-1] not in "aeiou":
        return word + "es"
    return word + "s"


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


SENTIMENT: dict[str, dict[str, float]] = {
    "en": _expand(
        {
            "good nice lovely": 2.0,
            "ok okay alright decent": 0.5,
            "great excellent amazing wonderful fantastic outstanding superb perfect brilliant best": 3.0,
            "awesome exceptional incredible": 3.0,
            "kind friendly helpful caring compassionate attentive gentle reassuring reassured": 2.0,
            "professional polite respectful efficient clean comfortable safe": 1.5,
            "fast quick quickly smooth easy calm better fine": 1.0,
            "happy pleased satisfied impressed recommend": 2.0,
            "grateful thankful love loved": 2.5,
            "thank thanks appreciate appreciated": 2.0,
            "bad poor worse": -2.0,
            "terrible awful horrible horrendous appalling disgusting dreadful worst nightmare": -3.0,
            "unacceptable shocking disgraceful": -3.0,
            "rude disrespectful incompetent unprofessional useless neglected": -2.5,
            "unfriendly unhelpful dismissive arrogant careless ignored dirty unclean smelly": -2.0,
            "filthy": -3.0,
            "angry furious": -2.5,
            "upset sad disappointed disappointing frustrated frustrating annoyed ridiculous": -2.0,
            "mistake error wrong unsafe chaos chaotic fail failed": -2.0,
            "slow delay delayed painful hurt scared afraid worried noisy uncomfortable": -1.5,
            "problem problems complaint complaints broken confusing": -1.5,
            "cold late pain anxious hungry lost confused sick issue": -1.0,
            "long wait waited waiting": -0.5,
            "patient encouraging supportive": 1.5,
            "rushed overflowing smelled cancelled canceled": -1.5,
            "nobody": -1.0,
        }
    ),
    "fr": _expand(
        {
            "bien": 1.5,
            "bon bonne bons bonnes agreable agreables": 2.0,
            "excellent excellente excellents excellentes genial geniale geniaux parfait parfaite": 3.0,
            "merveilleux merveilleuse formidable formidables magnifique impeccable": 3.0,
            "super top": 2.5,
            "gentil gentille gentils gentilles aimable aimables sympathique sympathiques sympa": 2.0,
            "chaleureux chaleureuse attentionne attentionnee attentionnes attentionnees": 2.0,
            "attentif attentive attentifs attentives bienveillant bienveillante bienveillants": 2.0,
            "competent competente competents rassurant rassurante rassure rassuree": 2.0,
            "professionnel professionnelle professionnels efficace efficaces propre propres": 1.5,
            "confortable confortables doux douce respectueux respectueuse": 1.5,
            "rapide rapides rapidement mieux calme": 1.0,
            "satisfait satisfaite satisfaits content contente contents heureux heureuse": 2.0,
            "merci remercie remercier remercions recommande": 2.0,
            "ravi ravie ravis reconnaissant reconnaissante reconnaissants": 2.5,
            "mal": -1.5,
            "mauvais mauvaise mauvaises pire decu decue decus decevant decevante deception": -2.0,
            "horrible horribles affreux affreuse terrible terribles catastrophique catastrophe": -3.0,
            "inadmissible inacceptable scandaleux scandaleuse lamentable honteux honteuse": -3.0,
            "degoutant degoutante degoutants": -3.0,
            "nul nulle nuls impoli impolie impolis grossier grossiere meprisant meprisante": -2.5,
            "incompetent incompetente incompetents abandonne abandonnee neglige negligee honte": -2.5,
            "colere fache fachee furieux furieuse": -2.5,
            "desagreable desagreables arrogant arrogante ignore ignoree sale sales salete": -2.0,
            "triste frustre frustree frustrant frustrante enerve enervee agace agacee erreur": -2.0,
            "lent lente lents lenteur retard douloureux douloureuse peur inquiet inquiete": -1.5,
            "bruyant bruyante inconfortable probleme problemes plainte souffrance": -1.5,
            "froid froide froids froides douleur bruit": -1.0,
            "long longue longues attente attendu attendre": -0.5,
            "merveilleuses": 3.0,
            "interminable interminables errone erronee erronees": -2.0,
            "ignores ignorees": -2.0,
            "deborde debordee debordes impossible annule annulee annules annulees": -1.5,
        }
    ),
    "es": _expand(
        plural="es",
        table={
            "bien": 1.5,
            "bueno buena buenos buenas": 2.0,
            "excelente excelentes genial geniales perfecto perfecta maravilloso maravillosa": 3.0,
            "fantastico fantastica estupendo estupenda": 3.0,
            "increible amable amables atento atenta atentos atentas simpatico simpatica": 2.0,
            "carinoso carinosa recomiendo recomendable": 2.0,
            "profesional profesionales eficiente eficientes limpio limpia limpios limpias": 1.5,
            "comodo comoda respetuoso respetuosa humano humana": 1.5,
            "rapido rapida rapidamente mejor tranquilo tranquila": 1.0,
            "contento contenta contentos feliz felices satisfecho satisfecha gracias agradecer": 2.0,
            "agradecido agradecida agradecidos agradezco encantado encantada": 2.5,
            "mal": -1.5,
            "malo mala malos malas decepcionado decepcionada decepcion": -2.0,
            "pesimo pesima terrible terribles horrible horribles fatal desastre nefasto": -3.0,
            "inaceptable indignante asqueroso asquerosa": -3.0,
            "grosero grosera groseros maleducado maleducada irrespetuoso irrespetuosa": -2.5,
            "abandonado abandonada vergonzoso verguenza peor": -2.5,
            "enojado enojada enfadado enfadada furioso furiosa": -2.5,
            "desagradable desagradables ignorado ignorada sucio sucia sucios sucias suciedad": -2.0,
            "molesto molesta triste frustrado frustrada harto harta error": -2.0,
            "lento lenta lentos demora retraso doloroso dolorosa miedo preocupado preocupada": -1.5,
            "ruidoso ruidosa incomodo incomoda problema problemas queja": -1.5,
            "frio fria frios frias dolor ruido": -1.0,
            "largo larga largos largas espera esperar esperamos esperando": -0.5,
            "maravillosas maravillosos": 3.0,
            "carino": 2.0,
            "paciencia paciente": 1.5,
            "enseguida": 1.0,
            "despectivo despectiva abandonados abandonadas": -2.5,
            "equivocado equivocada": -2.0,
            "eterna eterno desbordado desbordada cancelaron cancelado cancelada": -1.5,
            "nadie": -1.0,
        },
    ),
}

# Words whose negation is still negative ("pas terrible" means "not great"; "nothing
# worked and nobody came": a negator before "nobody" does not make it kind).
NEGATED_OVERRIDES: dict[str, dict[str, float]] = {
    "en": {"nobody": -1.0},
    "fr": {"terrible": -1.5, "terribles": -1.5},
    "es": {"nadie": -1.0},
}

# Phrases whose words alone say nothing ("personne" is "a person" unless "ne" follows),
# matched on the folded text; each counts as one sentiment word.
SENTIMENT_PHRASES: dict[str, dict[str, float]] = {
    "en": {r"\bno one\b": -1.0},
    "fr": {r"\bpersonne n(?:e\b|')": -1.0},
}

NEGATORS: dict[str, frozenset[str]] = {
    # Apostrophe-less contractions ("dont", "isnt") are what people type on phones.
    "en": _words(
        "not no never nothing none neither nor without hardly barely",
        "dont doesnt didnt isnt wasnt arent werent cant couldnt wont wouldnt hasnt havent",
    ),
    "fr": _words("ne n' pas jamais aucun aucune sans ni rien guere"),
    "es": _words("no nunca jamas nada ni sin tampoco ningun ninguna ninguno"),
}

INTENSIFIERS: dict[str, frozenset[str]] = {
    "en": _words("very really extremely so too incredibly absolutely totally completely super truly highly"),
    "fr": _words("tres vraiment extremement trop tellement super si absolument totalement completement"),
    "es": _words("muy realmente extremadamente demasiado tan super totalmente completamente sumamente"),
}

# Clause boundaries stop negation scope ("not great, but kind": "kind" stays positive).
CLAUSE_BREAKS = _words(". , ; : ! ? but however mais cependant pourtant pero sino aunque")

STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words("the and is was were i my to of it this that with for have had be are we he she they you"),
    "fr": _words(
        "le les et est je mon ma mes pas tres avec pour une des du il elle nous ne que qui dans sur au rien",
        "etait ete ai avons ce cette sont tout mais on j' l' d' n' c' qu'",
    ),
    "es": _words(
        "el los las y es muy con para una del mi mis que por fue pero lo estaba nos nada",
        "estuvo era yo tengo hay al como sin esta este",
    ),
}

EMOTIONS: tuple[str, ...] = ("anger", "frustration", "fear", "sadness", "joy", "gratitude")

EMOTION_WORDS: dict[str, frozenset[str]] = {
    "anger": _words(
        "angry anger furious livid outraged enraged fuming",
        "colere fache fachee faches fachees furieux furieuse furieuses enrage enragee indigne indignee indignes",
        "enojado enojada enojados enfadado enfadada enfadados furioso furiosa furiosos rabia indignado",
        "indignada indignados cabreado cabreada ira",
    ),
    "frustration": _words(
        "frustrated frustrating frustration annoyed annoying ridiculous unacceptable irritated exasperated",
        "frustre frustree frustres frustrant frustrante agace agacee enerve enervee enerves marre inadmissible",
        "exaspere exasperee frustrado frustrada frustrados frustrante harto harta hartos molesto molesta",
        "molestos irritado irritada inaceptable",
    ),
    "fear": _words(
        "scared afraid frightened terrified fear worried anxious panic panicked nervous",
        "peur effraye effrayee effrayes terrifie terrifiee inquiet inquiete inquiets angoisse angoissee panique",
        "miedo asustado asustada asustados aterrado aterrada preocupado preocupada preocupados angustiado",
        "angustiada panico",
    ),
    "sadness": _words(
        "sad upset depressed crying cried heartbroken devastated miserable lonely",
        "triste tristes pleure pleurer pleurait decu decue decus deprime deprimee malheureux malheureuse",
        "llorar llorando llore deprimido deprimida desconsolado desconsolada",
    ),
    "joy": _words(
        "happy glad delighted pleased joy",
        "heureux heureuse heureuses content contente contents contentes ravi ravie ravis ravies joie",
        "feliz felices contento contenta contentos contentas encantado encantada encantados alegre alegria",
    ),
    "gratitude": _words(
        "thank thanks thankful grateful appreciate appreciated gratitude",
        "merci remercie remercier remercions reconnaissant reconnaissante reconnaissants",
        "gracias agradecido agradecida agradecidos agradezco agradecer agradecemos gratitud",
    ),
}

# Emoji (and the words a form's emoji picker may send instead): score and emotion.
EMOJI: dict[str, tuple[float, str | None]] = {
    "\U0001f621": (-1.0, "anger"),  # pouting face
    "\U0001f620": (-1.0, "anger"),  # angry face
    "\U0001f92c": (-1.0, "anger"),  # symbols on mouth
    "\U0001f62d": (-0.8, "sadness"),  # loudly crying
    "\U0001f622": (-0.7, "sadness"),  # crying
    "\U0001f61e": (-0.6, "sadness"),  # disappointed
    "\u2639": (-0.6, "sadness"),  # frowning
    "\U0001f641": (-0.5, "sadness"),  # slightly frowning
    "\U0001f61f": (-0.5, "fear"),  # worried
    "\U0001f44e": (-0.6, None),  # thumbs down
    "\U0001f610": (0.0, None),  # neutral
    "\U0001f611": (0.0, None),  # expressionless
    "\U0001f642": (0.5, None),  # slightly smiling
    "\U0001f44d": (0.6, None),  # thumbs up
    "\U0001f60a": (0.7, "joy"),  # smiling eyes
    "\u2764": (0.8, None),  # heart
    "\U0001f600": (0.9, "joy"),  # grinning
    "\U0001f603": (0.9, "joy"),
    "\U0001f604": (0.9, "joy"),
    "\U0001f601": (0.9, "joy"),
    "\U0001f60d": (1.0, "joy"),  # heart eyes
    "\U0001f970": (1.0, "joy"),
    "very_angry": (-1.0, "anger"),
    "angry": (-1.0, "anger"),
    "very_sad": (-0.9, "sadness"),
    "very_unhappy": (-0.9, "sadness"),
    "sad": (-0.6, "sadness"),
    "unhappy": (-0.6, "sadness"),
    "neutral": (0.0, None),
    "meh": (0.0, None),
    "happy": (0.6, "joy"),
    "very_happy": (0.9, "joy"),
    "delighted": (0.9, "joy"),
}

# Topic keywords (regex alternatives over folded text), all three languages at once.
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "wait_time": (
        r"wait\w*|queue\w*|delay\w*|took forever|hours? later|\d+ ?(?:hours?|hrs?|minutes|mins)"
        r"|prompt(?:ly)?|speedy|quick(?:ly|er)?|sooner|seen (?:straight away|on time)",
        r"attend\w*|attente|retards?|delais?|\d+ ?(?:heures?|h)",
        r"esper(?:a|ar|amos|e|o|ando|aron|ado)|demoras?|retrasos?|colas?|\d+ ?horas?",
    ),
    "staff_attitude": (
        r"rude\w*|kind\w*|friendly|unfriendly|polite|impolite|caring|disrespect\w*|attitude|arrogant"
        r"|dismissive|helpful|unhelpful|compassion\w*|nurses?|doctors?|staff|receptionists?|surgeons?"
        r"|respect\w*",
        r"impolie?s?|polie?s?|gentil\w*|aimables?|desagreables?|meprisant\w*|attentionne\w*|accueil"
        r"|infirmier\w*|medecins?|docteurs?|personnel|chirurgien\w*|sympa\w*|respect\w*",
        r"groser[oa]s?|amables?|maleducad[oa]s?|trato|atent[oa]s?|enfermer[oa]s?|medic[oa]s?|doctor[a]?"
        r"|el personal|cirujan[oa]s?|respet\w*",
    ),
    "communication": (
        r"expla\w*|inform\w*|told|communicat\w*|listen\w*|answers?|questions?|updates?|call(?:ed)? back",
        r"expliqu\w*|informations?|informe\w*|communication|repond\w*|reponses?|ecout\w*|nouvelles",
        r"explic\w*|informacion|informar\w*|comunicacion|respuestas?|escuch\w*|avisar\w*",
    ),
    "pain_management": (
        r"pain\w*|hurt\w*|aches?|aching|painkillers?|analgesi\w*|morphine",
        r"douleurs?|douloureu\w*|souffr\w*|antidouleurs?|antalgiques?|(?:ai|as|a|avais|avait|avons|ont) mal",
        r"dolor\w*|duele|adolorid[oa]|analgesic[oa]s?|calmantes?",
    ),
    "medication": (
        r"medication\w*|medicines?|meds|drugs?|pills?|doses?|prescri\w*|tablets?|injections?|insulin"
        r"|antibiotics?",
        r"medicaments?|traitements?|ordonnances?|comprimes?|pilules?|piqures?|insuline|antibiotiques?",
        r"medicament[oa]s?|medicinas?|pastillas?|dosis|recetas?|inyecci\w*|tratamientos?|insulina"
        r"|antibioticos?",
    ),
    "cleanliness": (
        r"dirty|clean\w*|filth\w*|dust\w*|stain\w*|smell\w*|hygien\w*|unclean|mould|mold|stink\w*",
        r"(?:chambres?|toilettes?|draps|lits?|sols?|etait|est|tres|trop|vraiment) sales?"
        r"|propres?|proprete|salete|hygiene|odeurs?|poussiere|nettoy\w*|crasse",
        r"suci[oa]s?|suciedad|limpi\w*|higiene|olor\w*|polvo|manchas?",
    ),
    "food": (
        r"food|meals?|breakfast|lunch|dinner|eat|ate|eating|hungry|menu",
        r"nourriture|repas|manger|dejeuner|diner|plateaux?|faim",
        r"comidas?|comer|desayuno|almuerzo|cena|hambre",
    ),
    "facilities": (
        r"parking|rooms?|beds?|bathrooms?|toilets?|showers?|nois\w*|tv|wifi|elevators?|lifts?|building"
        r"|chairs?|heating|air conditioning",
        r"chambres?|lits?|salles? de bain|douches?|bruit\w*|ascenseurs?|chauffage|climatisation|batiment",
        r"estacionamiento|aparcamiento|habitacion\w*|camas?|banos?|duchas?|ruid\w*|ascensor\w*"
        r"|calefaccion|edificio",
    ),
    "billing": (
        r"bill\w*|(?:over)?charged|charges|invoices?|insurance|payments?|(?:pay|paid)(?! attention)"
        r"|costs?|price\w*|fees?|refund\w*",
        r"factur\w*|payer|paye|assurance|mutuelle|couts?|prix|frais (?:de|d'|medicaux)|rembours\w*",
        r"factura\w*|cobr\w*|pagar|pago|pague|seguro medico|aseguradora|costos?|precios?|reembolso",
    ),
    "privacy": (
        r"privacy|private|confidential\w*|overheard|dignity|curtains?|exposed",
        r"vie privee|confidentialite|intimite|confidentiel\w*|dignite|rideaux?|secret medical",
        r"privacidad|intimidad|confidencial\w*|dignidad|cortinas?",
    ),
    "safety": (
        r"fell|falls?|fallen|unsafe|safety|danger\w*|mistakes?|errors?|wrong|infections?|injur\w*",
        r"chutes?|tombe\w*|securite|erreurs?|blesse\w*",
        r"caid[ao]s?|cayo|peligro\w*|seguridad|equivocad[oa]|herid[oa]s?",
    ),
}

# A whole answer that says there is nothing to improve is praise: surveys ask "what could
# be better?" ("Nothing.", "No", "Rien à améliorer", "Nada que mejorar"). Matched against
# the folded text, whole, so "nothing worked" or "no one came" are not praise.
NOTHING_TO_IMPROVE: dict[str, str] = {
    "en": r"(?:no+|nope|none|nothing|nothing (?:at all|really|else|comes to mind|to (?:improve|add|say|change))"
    r"|(?:no,? )?(?:absolutely |honestly )?nothing(?: at all| really)?|no,? not really|not really|not a thing"
    r"|no complaints?(?: at all)?|can'?t think of anything|cannot think of anything|can'?t fault (?:it|anything|them)"
    r"|no improvements? (?:needed|required|necessary)|nothing needs? (?:to be )?(?:improving|improved|changing))",
    "fr": r"(?:non,? )?(?:rien|absolument rien|rien du tout|rien a (?:ameliorer|redire|signaler|changer|ajouter|dire))"
    r"|aucune? (?:amelioration|probleme|reproche|remarque)s?|non",
    "es": r"(?:no,? )?(?:nada|absolutamente nada|nada que (?:mejorar|decir|cambiar|objetar|anadir|senalar))"
    r"|ninguna? (?:queja|mejora|problema)s?|no",
}
NOTHING_TO_IMPROVE_WEIGHT = 3.0  # as much as "excellent"

# Words that make an English text an evaluation rather than a plain statement of facts
# ("should", "more", "felt", "listened"): with one of them (or any sentiment word) the
# learned polarity decides the sign; without, only a confident model reading does, so
# "Came in for a hip X-ray" stays neutral.
EVALUATIVE_CUES = _words(
    "should could would shouldn't couldn't wouldn't shouldnt couldnt wouldnt more less better worse lack",
    "lacking need needs needed wish",
    "improve improved improvement improvements nothing everything everyone always never very really so too",
    "well felt feel experience fault listened listen listening explained helped help helping cared treated",
    "made enough only",
)
