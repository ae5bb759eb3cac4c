"""Red-flag pattern tables in English, French and Spanish.

Patterns are regular expressions over *folded* text: lowercase, no diacritics, straight
apostrophes, hyphens turned into spaces, single spaces (see `rules.fold`). A symptom that
is itself phrased with a negation ("can't breathe", "ne peut pas respirer", "no puede
respirar") carries its negation inside the pattern, so the match starts at the negation
word and the negation-scope check (which only looks before the match) never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleSpec:
    """One red flag: a stable id, its level, a label for reasons, and patterns per language."""

    rule: str
    level: str
    label: str
    en: tuple[str, ...]
    fr: tuple[str, ...]
    es: tuple[str, ...]


def _words(*groups: str) -> frozenset[str]:
    return frozenset(word for group in groups for word in group.split())


_CANT_EN = r"(?:can'?t|cannot|can not|could ?n'?t|could not|unable to|not able to|struggl\w* to|(?:hard|difficult) to)"
# Relatives and patients: the people a "missing", "on the floor" or "hit" pattern is about.
_KIN_EN = (
    r"(?:mother|father|mom|mum|dad|husband|wife|son|daughter|child|baby|brother|sister|partner"
    r"|grandmother|grandfather|grandma|grandpa|gran|granny|nan|patient|man|woman|lady|gentleman|guy|person"
    r"|someone|somebody|stranger|visitor|chap|bloke|girl|boy|kid|toddler|friend|neighbou?r)"
)
_SUBJECT_EN = r"(?:he|she|they|i|" + _KIN_EN + ")"
_KIN_FR = (
    r"(?:pere|mere|papa|maman|mari|femme|fils|fille|bebe|enfant|frere|soeur|grand mere|grand pere"
    r"|patient|patiente|conjoint|conjointe|homme|dame|monsieur|personne|quelqu'un|inconnue?|visiteur|voisine?"
    r"|garcon|gamine?|petite?)"
)
_KIN_ES = (
    r"(?:padre|madre|papa|mama|esposo|esposa|marido|mujer|hijo|hija|bebe|nino|nina|hermano|hermana"
    r"|abuelo|abuela|paciente|pareja|hombre|senora|senor|persona|alguien|desconocid[oa]|visitante|chico|chica"
    r"|vecin[oa]|amig[oa]|nene|nena|pequen[oa])"
)
_CHILD_EN = r"(?:toddler|little (?:boy|girl|one|kid|child)|small (?:child|boy|girl|kid)|young (?:child|boy|girl)|child|kid|baby|infant|(?:two|three|four|2|3|4) ?(?:year|yr) old)"
_CHILD_FR = r"(?:fillette|garconnet|tout petit|toute petite|bambin|petite? (?:garcon|fille|enfant)|petite?|jeune enfant|enfant|gamine?|bebe|(?:deux|trois|quatre|2|3|4) ans)"
_CHILD_ES = (
    r"(?:nin[oa]|nene|nena|pequen[oa]|crio|cria|criatura|bebe|chiquit[oa]|(?:dos|tres|cuatro|2|3|4) anos)"
)
_NOT_WAKING_EN = r"(?:not|isn'?t|wasn'?t|won'?t|wouldn'?t|doesn'?t|didn'?t|can'?t|couldn'?t|never)"

RULES: tuple[RuleSpec, ...] = (
    # --- critical: danger to life or safety within minutes -------------------------------
    RuleSpec(
        "breathing_difficulty",
        "critical",
        "breathing difficulty",
        en=(
            _CANT_EN + r" (?:breathe|breath|catch (?:his|her|my|their) breath|get (?:any )?air)",
            r"(?:difficulty|difficulties|trouble|problems?|struggling|struggle|hard time|labou?red) (?:with )?breathing",
            r"breathing (?:difficult\w*|problems?|trouble|is (?:difficult|laboured|labored|shallow))",
            r"short(?:ness)? of breath|breathless\w*|suffocat\w*|chok(?:e|es|ed|ing)",
            r"(?:gasping|fighting) for (?:air|breath)|gasping|wheezing badly",
            r"(?:not|isn'?t|wasn'?t) breathing|stop(?:s|ped|ping)? breathing",
            r"(?:barely|hardly|scarcely) (?:breathing|breathe|breathes)|struggling for (?:breath|air)",
            r"turn(?:s|ed|ing)? (?:blue|purple|grey|gray)|blue lips|lips (?:are |were |went |turned |going |look )?(?:blue|purple)"
            r"|(?:sucking|pulling|caving) in (?:under|between) (?:his|her|the|their) ribs|ribs (?:are )?sucking in",
        ),
        fr=(
            r"(?:ne |n')?(?:peu[tx]|pouvai[st]|pourr?ai[st]?|arrive|arrivai[st]|parvien[st]|parvenai[st]) "
            r"(?:pas|plus) (?:a )?respirer",
            r"(?:du |de )?mal a respirer|difficult\w* (?:a |pour )respir\w*|difficultes? respiratoires?",
            r"(?:detresse|gene|insuffisance) respiratoire|essouffl\w*|suffoqu\w*",
            r"(?:s')?etouff(?:e|es|ent|ait|aient|er|ement)",
            r"(?:peu[tx]|arrive|arrivait|parvien[st]) (?:pas|plus) a reprendre (?:mon|son|sa|leur) (?:souffle|respiration)",
            r"manque d'air|manquer d'air|manque de souffle|(?:a )?bout de souffle|souffle court",
            r"(?:ne |n')?respire (?:presque |quasiment |pratiquement |a peine )?(?:pas|plus)"
            r"|respire (?:mal|difficilement|a peine)",
            r"levres (?:bleues|violettes|bleutees|violacees)|devien\w* (?:bleu|violet)\w*|se creuse sous les cotes|tirage",
        ),
        es=(
            r"no (?:puede|puedo|podia|pudo|pueden|podemos|logra|logro|consigue|consigo) respirar",
            r"(?:le|me|te|nos|les) cuesta (?:mucho )?respirar|respira (?:mal|con dificultad)",
            r"dificultad(?:es)? (?:para |al )?respirar|dificultad respiratoria|problemas? (?:para|al) respirar",
            r"(?:se )?ahog\w*|asfixi\w*",
            r"(?:le|me|te|les|nos) falta (?:el )?aire|falta de aire|sin aire",
            r"no respira|(?:dejo|ha dejado|deja|dejado) de respirar|apenas (?:puede )?respira\w*|casi no (?:puede )?respira\w*",
            r"labios (?:azules|morados)|se (?:puso|esta poniendo) (?:azul|morad[oa])",
        ),
    ),
    RuleSpec(
        "chest_pain",
        "critical",
        "chest pain",
        en=(
            r"chest (?:pains?|tightness|pressure|discomfort|hurts?|is hurting|was hurting)",
            r"pains? in (?:his|her|my|the|their) chest|tight(?:ness)? (?:in|across) (?:his|her|my|the|their) chest",
            r"heart attack|cardiac arrest|crushing pain",
            r"chest(?: [\w']+){0,3}? (?:tight|heavy|crushing|squeezing|crushed|in a vice)",
            r"chest (?:feels|felt) like|(?:elephant|weight|brick) (?:is )?(?:sitting )?on (?:his|her|my|their) chest",
            r"(?:pressure|heaviness|weight|squeezing) (?:in|on|across) (?:his|her|my|the|their) chest",
            r"pain (?:is )?(?:going|radiating|spreading|shooting) (?:down|into|to|up) (?:his|her|my|the|their) "
            r"(?:left )?(?:arm|jaw)",
        ),
        fr=(
            r"douleurs? (?:a la |dans la |de la |en |de )?poitrine|douleurs? thoraciques?",
            r"mal (?:a|dans) la poitrine",
            r"(?:oppression|serrement|pression|poids) (?:a la |dans la |sur la )?poitrine|oppression thoracique",
            r"crise cardiaque|infarctus|arret cardiaque",
            r"(?:ecrase|serre|comprime|oppresse|broie)\w* (?:la|ma|sa) poitrine",
            r"poitrine (?:est |etait )?(?:serree|oppressee|ecrasee)|(?:oppression|serrement|poids|pression) "
            r"\w+ (?:a la |dans la |sur la )poitrine",
        ),
        es=(
            r"dolor(?:es)? (?:en el |de |del |en )?pecho|dolor(?:es)? toracicos?",
            r"(?:me|le|te|les|nos) duele (?:mucho )?el pecho",
            r"(?:opresion|presion|peso) (?:en el|del) pecho",
            r"ataque (?:al|de|del) corazon|infarto|paro cardiaco",
            r"(?:me|le|te|les|nos) aprieta el pecho|dolor (?:muy )?(?:fuerte|intenso|opresivo) (?:en el|del) pecho",
        ),
    ),
    RuleSpec(
        "unresponsive",
        "critical",
        "unresponsive or collapsed",
        en=(
            r"unconscious|unresponsive|collaps\w*|lost consciousness|loss of consciousness|lifeless|motionless",
            _NOT_WAKING_EN + r" (?:wake|wakes|waking|woke|woken)(?: up)?(?! (?:me|us|you)\b)",
            r"(?:can'?t|cannot|can not|could ?n'?t|could not|unable to) (?:wake|rouse) (?:him|her|them|my \w+)",
            r"(?:won'?t|will not|doesn'?t|does not|didn'?t|can'?t) (?:respond|answer me|answer us|wake)"
            r"|stopped (?:answering|responding|making sense)"
            r"|(?:breathing|breath) (?:sounds? )?(?:like )?(?:snoring|gurgling|rattling)|has gone (?:very |all )?(?:quiet|still|silent)"
            r" and",
            _SUBJECT_EN + r" (?:is|was|isn'?t|wasn'?t) (?:not )?(?:responding|responsive|reacting)",
            r"(?:not|isn'?t|wasn'?t|stopped) respond\w* to (?:me|us|anything|anyone|his name|her name|voices?)",
            r"(?:went|gone|going|go|is|was|has gone) (?:all |completely )?(?:floppy|limp)|eyes (?:rolled|rolling|rolls) "
            r"(?:back|up)",
        ),
        fr=(
            r"inconscient\w*|(?:perdu|perte de|perd|sans) connaissance|(?:s'est |se sont )?effondr\w*",
            r"(?:ne |n')?(?:se )?reveill\w* (?:pas|plus)",
            r"(?:ne |n')?(?:arriv|parvien|peu|pouv)\w* (?:pas|plus) a (?:le|la|les) reveiller",
            r"(?:ne |n')?reagi\w* (?:pas|plus)|depuis (?:\w+ ){1,3}sans (?:reagir|bouger)",
            r"(?:devenu|devenue|est) (?:tout |toute )?(?:mou|molle)|yeux (?:revulses|qui se revulsent)",
            r"(?:il|elle|" + _KIN_FR + r") (?:ne |n')?repond (?:pas|plus)",
        ),
        es=(
            r"inconsciente|sin conocimiento|(?:perdio|perdido|pierde) (?:el conocimiento|la conciencia|el sentido)",
            r"(?:se )?desplom\w*|se (?:ha )?colaps\w*|(?:se )?(?:cayo|ha caido) (?:al suelo )?inconsciente",
            r"no (?:se )?despierta|no (?:lo|la|los|las) (?:podemos|puedo|pueden|logramos|logro) despertar",
            r"no (?:podemos|puedo|pueden|logramos|logro|consigo|conseguimos) despertar(?:lo|la|los|las|le)",
            r"no reacciona|"
            + _KIN_ES
            + r" no responde|(?:desmayado|desplomado|caido) y no (?:responde|reacciona|contesta)|no responde a (?:estimulos|nada|nadie|su nombre)",
            r"(?:lleva|llevaba)(?: [\w']+){0,3} sin (?:reaccionar|responder|moverse)|(?:se quedo|esta) (?:flojit[oa]|flacid[oa])"
            r"|ojos en blanco",
        ),
    ),
    RuleSpec(
        "severe_bleeding",
        "critical",
        "severe bleeding",
        en=(
            r"bleed(?:ing|s)? (?:heavily|badly|profusely|a lot|so much|everywhere|out|non ?stop"
            r"|uncontrollably|all over)",
            r"(?:heavy|severe|major|massive|uncontrolled|profuse|serious|lots of) bleeding|bleeding to death",
            r"(?:won'?t|will not|wouldn'?t|doesn'?t|does not|can'?t|cannot|didn'?t) stop bleeding",
            r"(?:lots?|a lot|pools?|puddles?) of blood|blood (?:everywhere|all over|pouring|gushing|spurting)",
            r"ha?emorrhag\w*|(?:vomit\w*|throw\w* up|cough\w*(?: up)?|spit\w*(?: up)?) blood",
        ),
        fr=(
            r"saign\w* (?:beaucoup|abondamment|enormement|fort|sans arret|partout|de partout|tellement)",
            r"saignements? (?:abondants?|importants?|graves?|massifs?|enormes?)|hemorragi\w*",
            r"(?:beaucoup|flaque|mare|plein) de sang|du sang partout|perd\w* beaucoup de sang",
            r"(?:n'arret\w*|ne cess\w*) (?:pas )?de saigner|(?:vomi\w*|crach\w*|touss\w*) du sang",
        ),
        es=(
            r"sangr\w* (?:mucho|muchisimo|abundantemente|sin parar|sin control|a chorros|por todas partes)",
            r"sangrado (?:abundante|intenso|grave|masivo|fuerte|profuso|importante)|hemorragi\w*",
            r"(?:mucha|charco de) sangre|sangre por todas partes|pierde mucha sangre",
            r"no (?:para|deja|paraba|dejaba) de sangrar|(?:vomit\w*|tos\w*|escup\w*) sangre",
        ),
    ),
    RuleSpec(
        "stroke_signs",
        "critical",
        "stroke signs",
        en=(
            r"(?:face|mouth|smile) (?:is |was |has |had |started |starting )?(?:droop\w*|lopsided|twisted)",
            r"droop\w* (?:face|mouth|eye|eyelid|smile)|stroke(?! of)",
            r"slurr\w*(?: [\w']+)? (?:speech|words|talking)|speech (?:is |was |became )?slurr\w*|slurring",
            r"(?:can'?t|cannot|can not|unable to|couldn'?t) (?:talk|speak) (?:properly|clearly|normally|right)",
            r"(?:can'?t|cannot|can not|unable to|couldn'?t) (?:move|feel|lift) (?:his|her|my|their|the) "
            r"(?:left |right )?(?:side|arm|leg|hand)",
            r"(?:one side|left side|right side|half) of (?:his|her|my|the|their) (?:face|body) "
            r"(?:is |was |went |has gone )?(?:numb|weak|paralys\w*|paralyz\w*|droop\w*)",
            r"sudden(?:ly)? (?:confus\w*|numb\w*|weak\w*)",
            r"(?:arm|leg|face|side|hand) (?:is |has gone |went |feels |gone |has gone all )?(?:numb|dead|limp|floppy|useless)",
        ),
        fr=(
            r"(?:visage|bouche|levre) (?:qui |est |etait )?(?:tombe|tombant|affaiss\w*|paralys\w*|deform\w*|de travers|tordue?)",
            r"paralysie faciale|hemipleg\w*|avc|accident vasculaire cerebral|attaque cerebrale",
            r"(?:ne |n')?(?:peu[tx]|pouvait|arrive|arrivait) (?:pas|plus) (?:a )?(?:parler|bouger "
            r"(?:le|la|son|sa|un|une) (?:cote|bras|jambe|main))(?! (?:francais|anglais|espagnol))",
            r"(?:parle|parlait|elocution|parole) (?:difficile\w*|confuse|pateuse|incomprehensible)",
            r"difficult\w* (?:a |pour )?parler|bafouill\w*|articul\w* mal",
            r"(?:un|le) cote (?:du corps |du visage )?(?:paralys\w*|engourdi\w*|insensible)",
        ),
        es=(
            r"(?:cara|boca|labio) (?:caida|torcida|paralizada|de lado|chueca)",
            r"se le (?:cae|cayo|tuerce|torcio) (?:la cara|la boca|un lado)",
            r"paralisis facial|hemipleji\w*|derrame cerebral|ictus|accidente cerebro ?vascular|embolia",
            r"(?:habla|hablaba) (?:arrastrad\w*|enredad\w*|trabad\w*|rar[oa])|arrastra(?:ba)? las palabras",
            r"no (?:puede|podia|logra) (?:hablar|mover (?:el|la|un|una|su) (?:lado|brazo|pierna|mano))"
            r"(?! (?:ingles|espanol|frances))",
            r"un lado (?:del cuerpo |de la cara )?(?:paralizado|dormido|adormecido|insensible)",
        ),
    ),
    RuleSpec(
        "self_harm",
        "critical",
        "suicidal ideation or self-harm",
        en=(
            r"suicid\w*|kill(?:ing)? (?:my|him|her|them)sel(?:f|ves)|self harm\w*",
            r"end (?:my|his|her) (?:own )?life|end it all|(?:going to|gonna|want to|will) end it"
            r"|take (?:my|his|her) (?:own )?life|no (?:point|reason) (?:in )?living",
            r"want(?:s|ed)? to (?:die|be dead)|wish (?:i|he|she) (?:was|were) dead|better off dead",
            r"(?:don'?t|doesn'?t|do not|does not) want to (?:live|be alive|go on)|no (?:reason|will) to live",
            r"(?:hurt|harm|cut)(?:ting|s)? (?:my|him|her|them)sel(?:f|ves)",
            r"(?:took|taken|take|taking) an overdose|overdos\w*",
            r"(?:drank|drunk|drink|drinking|swallowed|ate|eaten|has eaten|chewed) (?:some |a bottle of |a cup of |the |a |his |her )?"
            r"(?:\w+ )?(?:bleach|antifreeze|weed ?killer|poison|detergent|dishwasher tablets?|button batter(?:y|ies)|batter(?:y|ies)"
            r"|rat poison|paraquat|methadone)",
            r"(?:putting|put|set|setting|kept|keeping|hiding|hidden) (?:my |his |her |all )?(?:tablets|pills|meds) (?:aside|away|by)"
            r"|enough (?:pills|tablets|meds) (?:now|to|saved)|(?:won'?t|will not|shan'?t) (?:need|be needing) (?:the|a|any|my) "
            r"(?:follow ?up|appointment|next|review|medication|meds|tablets)",
            r"(?:wrote|written|writing|left) (?:a |my |some )?(?:letters?|notes?) (?:to|for) (?:everyone|everybody|each|my|the family)",
            r"(?:going to|gonna|threaten\w* to|wants? to|about to) jump|on the (?:edge|ledge) of the (?:window|roof|bridge)"
            r"|better off without (?:me|him|her)|(?:won'?t|will not|not going to) be (?:a )?(?:burden|around|here|a problem)"
            r"(?: to anyone| for anyone| much)?(?: longer| for long| tomorrow| anymore)?",
            r"(?:said|saying|say|written|wrote|writing) (?:my |his |her |our )?goodbyes?|(?:letters?|notes?) (?:to|for) "
            r"(?:my|his|her) (?:family|kids|children|wife|husband|mum|mom)",
            r"giv(?:e|es|ing|en) away (?:all )?(?:my|his|her) (?:things|stuff|belongings|possessions)"
            r"|(?:saved|saving|stockpil\w*|hoard\w*|collect\w*|stash\w*) (?:up )?(?:all )?(?:my|his|her|the)? ?"
            r"(?:pills|tablets|meds|medication|painkillers)",
            r"(?:no|not any|don'?t see (?:the|any)) (?:point|reason) (?:in |me )?(?:going on|carrying on|living|being here"
            r"|to go on|going home)|gave (?:away )?(?:my|all my) \w+(?: and (?:my )?\w+)? (?:away|to (?:my|his|her))"
            r"|can'?t (?:go on|carry on|do this) any ?(?:more|longer)|(?:want|wants|wanted) (?:it )?(?:all )?to (?:end|stop) (?:for good|forever)"
            r"|(?:don'?t|do not) want to (?:wake up|be here) any ?more|(?:end|ending) (?:it|things|everything)(?: tonight| today| now)?",
            r"(?:swallowed|took|taken|downed|necked|had) (?:a |the |his |her |my )?(?:whole|entire|all (?:of )?(?:my|his|her|the)"
            r"|full|\d+|twenty|thirty|forty|fifty) (?:\w+ )?(?:antidepressants|sleeping pills|ibuprofen|tramadol|codeine|diazepam"
            r"|lithium|medicines?|bottle|box|packet|pack|strip|tub|lot|pills|tablets|paracetamol"
            r"|sleeping|painkillers|meds)",
        ),
        fr=(
            r"suicid\w*|(?:me|se|te) tuer|(?:me|se) suicider",
            r"(?:veux|veut|voulais|voulait|voudrais|voudrait|envie de|souhaite) mourir",
            r"en finir(?: avec la vie)?|mettre fin a (?:mes|ses|tes) jours",
            r"(?:n'(?:ai|a|avait|avais) )?plus (?:envie|gout|le gout|la force) de vivre",
            r"(?:ne |n')?veu[xt] plus vivre",
            r"(?:me|se) faire du mal|automutil\w*|scarifi\w*|(?:me|se) couper les veines",
            r"(?:bu|avale|ingere|ingurgite|mange)\w* (?:de l'|du |de la |des |une? |la |le |les )?(?:eau de )?(?:javel|produit menager"
            r"|detergent|poison|piles?|pile bouton|mort aux rats|antigel|desherbant)",
            r"(?:flacon|boite|plaquette|tube) entiere?|surdos\w*|(?:avale|pris|prend|bu) (?:toute? (?:la|le|les|sa|ma|mes|ses) |une boite |tout le |un flacon )"
            r"(?:\w+ )?(?:boite|plaquette|flacon|tube|cachets|comprimes|medicaments|pilules|somniferes|doliprane)",
            r"(?:va|vais|veut|veux) sauter|(?:est|suis|assise?|debout|monte\w*) (?:sur le rebord|au bord) de la fenetre"
            r"|mieux sans moi|(?:plus|pas) (?:etre )?un (?:poids|fardeau)|(?:fait|faire|dit|dire) (?:mes|ses) adieux"
            r"|dire adieu|lettres? (?:d'adieu|a (?:ma|sa) famille)|donne (?:toutes )?(?:mes|ses) affaires",
            r"(?:garde|accumule|stocke|cache|mis de cote)\w* (?:tous )?(?:mes|ses|des) (?:cachets|comprimes|medicaments|pilules)",
            r"(?:plus|aucune) (?:la force|raison) de (?:continuer|vivre)|(?:je|il|elle) (?:ne )?(?:peux|peut|veux|veut) plus continuer"
            r"|(?:plus|pas) (?:me|se) reveiller|disparaitre pour (?:de bon|toujours)",
        ),
        es=(
            r"suicid\w*|matarme|matarse|quitarme la vida|quitarse la vida|(?:me|se) (?:quiero|quiere|queria) matar",
            r"(?:quiero|quiere|queria|quisiera|deseo|desea) morir(?:me|se)?|(?:me|se) (?:quiero|quiere|queria) morir",
            r"no (?:quiero|quiere|queria) (?:vivir|seguir viviendo)|(?:sin|no tengo|no tiene) ganas de vivir",
            r"(?:me|se) (?:voy|va|vas) a hacer dano",
            r"acabar con (?:mi|su) vida|hacerme dano|hacerse dano|autolesi\w*|cortarme las venas",
            r"(?:bebi\w*|trag\w*|ingiri\w*|tomo|tomado|comi\w*) (?:\w+ )?(?:de )?(?:lejia|veneno|detergente|pilas?|lavavajillas"
            r"|salfuman|amoniaco|raticida|anticongelante)",
            r"sobredosis|(?:tome|tomo|trague|trago|tomado|tragado) (?:toda? (?:la|el|las|los|mis|sus) |una caja |un bote )"
            r"(?:\w+ )?(?:caja|bote|frasco|blister|pastillas|pildoras|comprimidos|medicamentos|somniferos|paracetamol)",
            r"(?:va|voy|quiere|quiero) a saltar|(?:quiere|quiero) saltar|(?:en )?el borde de la ventana|mejor sin mi|(?:ser|seguir siendo|sere) una carga|(?:me|se) (?:despedi|despidio|he despedido|ha despedido)"
            r"|despedirme de todos|cartas? de despedida|regal\w* (?:todas )?(?:mis|sus) cosas",
            r"(?:guard|junt|acumul|escond|ahorr)\w* (?:todas )?(?:mis|sus|las) (?:pastillas|pildoras|medicinas|medicamentos)",
            r"no (?:aguanto|aguanta|puedo|puede) (?:mas|seguir)|(?:sin|no (?:tengo|tiene|hay)) (?:razon|motivo)(?:es)? para"
            r" (?:vivir|seguir)|acabar con todo|no (?:quiero|quiere) despertar|desaparecer para siempre",
        ),
    ),
    RuleSpec(
        "seizure",
        "critical",
        "seizure",
        en=(
            r"seizur\w*|convuls\w*|(?:having|had|has) (?:a )?fits?|fitting|epileptic (?:fit|attack|seizure)s?",
            r"shaking all over|foaming at the mouth|(?:jerking|twitching) (?:all over|uncontrollably)",
        ),
        fr=(
            r"convuls\w*|crises? (?:d'epilepsie|epileptiques?|convulsives?)|(?:de l')?ecume aux levres",
            r"(?:bave|mousse|ecume) (?:aux levres|a la bouche)|secousses|tremble de partout|tout raide|se raidit",
        ),
        es=(
            r"convulsi\w*|(?:ataque|crisis) (?:epileptic[oa]|de epilepsia|convulsiv[oa])",
            r"espuma por la boca|(?:a |con )?sacudidas|(?:se ha quedado|se quedo|esta) (?:rigid[oa]|ties[oa])",
        ),
    ),
    RuleSpec(
        "fall_with_injury",
        "critical",
        "fall with injury",
        en=(
            r"(?:fell|fallen|falls?|slipped|tripped)(?! asleep)(?: [\w']+){0,6} (?:hit|hurt|injur\w*|broke|broken|bang\w*"
            r"|cut|bleed\w*|bled|fractur\w*|bruis\w*|smash\w*)",
            r"(?:hit|banged|bumped|struck|cracked) (?:his|her|my|their) head",
            _SUBJECT_EN
            + r"(?:'s been|s been| is| was| has been| had been| were| lay| lies| lying| left| still)+ on the (?:floor"
            r"|ground)",
            r"found (?:him|her|them|my \w+) (?:lying )?on the (?:floor|ground)",
            r"(?:fell|fallen|slipped|tripped)(?! asleep)(?: [\w']+){0,6} (?:and|but) (?:he |she |they )?(?:is |isn'?t |"
            r"can'?t |cannot |couldn'?t |won'?t )(?:not )?(?:moving|move|get up|getting up|respond\w*)",
        ),
        fr=(
            r"(?:tomb\w*|chut\w*)(?: [\w']+){0,6} (?:et )?(?:(?:s'est |se )?(?:bless\w*|cogn\w*|cass\w*"
            r"|fractur\w*|ouvert\w*)|saign\w*)",
            r"(?:s'est |se )?(?:cogne\w*|tape\w*) la tete",
            r"(?:tomb\w*|chut\w*)(?: [\w']+){0,6} et (?:il |elle )?(?:ne |n')(?:bouge|se releve|repond|reagit)\w* "
            r"(?:pas|plus)",
            r"(?:(?:allonge|etendu|reste|retrouve|couche)e?s?|gis\w*) (?:par terre|au sol|sur le sol)",
            r"(?:il|elle|"
            + _KIN_FR
            + r") (?:est |etait |a ete )(?:encore |toujours )?(?:par terre|au sol|sur le sol)",
        ),
        es=(
            r"(?:se )?(?:cayo|cayeron|caido|caida|resbalo|tropezo)(?: [\w']+){0,6} (?:y )?(?:se )?(?:golpe\w*|pego"
            r"|herid\w*|lastim\w*|rompi\w*|fractur\w*|sangr\w*|cort\w*|abri\w*)",
            r"se (?:golpeo|pego|dio) (?:en )?la cabeza|golpe en la cabeza",
            r"(?:tirad[oa]|tendid[oa]|encontr\w*(?: a \w+)?|dejaron(?: a \w+)?) en el (?:suelo|piso)",
            r"lleva\w*(?: [\w']+){0,3} en el (?:suelo|piso)",
            r"(?:cayo|caido|resbalo|tropezo)(?: [\w']+){0,6} y no (?:se )?(?:mueve|levanta|puede levantar|responde"
            r"|reacciona|contesta)",
        ),
    ),
    RuleSpec(
        "violence",
        "critical",
        "violence or a weapon",
        en=(
            r"knife(?! and fork)|knives(?! and forks)|guns?|weapons?|firearm|pistol|armed (?:man|men|person|intruder"
            r"|visitor|patient)|(?:is|was) armed",
            r"(?:hit|hits|hitting|punch\w*|slap\w*|kick\w*|beat|beating|beaten|shov\w*|grab\w*|strangl\w*|chok\w*|attack\w*"
            r"|assault\w*|stab\w*|rap(?:e|ed|ing)|molest\w*) (?:me|him|her|us|them|my "
            + _KIN_EN
            + r"|(?:a|the|another) (?:patient|nurse|man|woman|lady|doctor|visitor|child|baby)|staff|people|everyone)",
            r"(?:was|been|being|got|is being|were) (?:physically |sexually )?(?:attacked|assaulted|raped|stabbed|punched"
            r"|beaten|molested)",
            r"sexual\w* (?:assault|touch)\w*|touched (?:me|her|him) inappropriately",
            r"(?:is|are|was|getting|got|became|become) (?:very |really )?(?:violent|aggressive and (?:hitting|punching|throwing))",
            r"(?:feel|felt|feels|feeling|am|was|were|is) (?:unsafe|in danger(?! of))",
            r"fight broke out|fist ?fight|brawl|(?:started|were|are|is) fighting|throwing (?:chairs|punches|things)"
            r"|smashing (?:up )?(?:chairs|things|windows|the place|the reception|the ward)"
            r"|(?:will|going to|gonna|threaten\w* to) (?:hurt|kill|stab|shoot) (?:people|someone|everyone|you|us|me|him|her|them)",
        ),
        fr=(
            r"couteaux?|armes?|pistolets?|revolvers?|fusils?",
            r"agresse\w*|violen(?:t|te|ts|tes|ce|ces)|viol|violee?s?|coups? de (?:poing|pied|couteau)",
            r"(?:m'|l'|nous |les |me |le |la |lui )(?:a |ont |avait |avaient )?(?:frapp|gifl|battu|bouscul"
            r"|etrangl)\w*|(?:m'|l')(?:a |ont )tape",
            r"(?:frapp|gifl|bouscul|etrangl)\w* (?:un|une|le|la|les|des|mon|ma|mes) (?:infirmi\w*|patient\w*|medecins?"
            r"|soignant\w*|aide soignant\w*|personnel|agent\w*|enfants?|bebes?|" + _KIN_FR + ")",
            r"(?:me sens|me sentais|se sent|se sentait|sommes|suis|est|etait) en (?:danger|insecurite)",
            r"bagarre\w*|se (?:battent|battaient)",
        ),
        es=(
            r"(?:cuchillos?|navajas?)(?! de plastico| y tenedor)|pistolas?|armas?|armad[oa]s?|revolver",
            r"(?:golpe\w*|peg(?:o|aron|ando|a|an|ado)|empuj\w*|abofete\w*|agredi\w*|atac\w*) a (?:un|una|el|la|los|las|mi|su"
            r"|otr[oa]) (?:enfermer\w*"
            r"|pacientes?|medic\w*|doctor\w*|personal|trabajador\w*|nin[oa]s?|bebes?|" + _KIN_ES + ")",
            r"(?:me|le|la|lo|nos|les) (?:ha |han |habia |habian |esta |estan )?(?:pego|pegaron|pegando|golpe\w*"
            r"|empujo|empujaron|abofete\w*|agredi\w*|estrangul\w*|atac\w*|apunal\w*|manose\w*)",
            r"agredi\w*|violent[oa]s?|violencia|violacion|violad[oa]|abuso sexual|pelea\w*|pele(?:an|ando)",
            r"(?:me siento|se siente|nos sentimos|me sentia|estoy|esta|estamos) (?:insegur[oa]s?|en peligro)",
        ),
    ),
    RuleSpec(
        "allergic_reaction",
        "critical",
        "allergic reaction",
        en=(
            r"anaphyla\w*|allergic reaction|hives all over|epi ?pen",
            r"(?:throat|tongue|lips?|face|airway) (?:is |was |are |were |has |started |starting )?"
            r"(?:swell\w*|swollen|closing(?: up)?|tight)",
            r"swollen (?:throat|tongue|lips)|(?:throat|tongue|lips?|face|eyes) (?:is |are |was |started )?(?:puff\w* up|blow\w* up"
            r"|balloon\w*)|(?:can'?t|cannot|unable to|struggling to) swallow",
        ),
        fr=(
            r"anaphyla\w*|reaction allergique|choc allergique|oedeme de quincke",
            r"(?:gorge|langue|levres?|visage)(?: [\w']+)? (?:qui )?(?:\w+ )?(?:a |avait |est |etait )?(?:gonfl\w*|enfl\w*|se ferme)",
            r"(?:gonflement|oedeme) (?:de la |des |du )?(?:gorge|langue|levres|visage)",
        ),
        es=(
            r"anafila\w*|reaccion alergica|choque alergico|shock anafilactico|edema de glotis",
            r"(?:garganta|lengua|labios?|cara) (?:se )?(?:le |me )?(?:hinch\w*|inflam\w*|cierra|cerro)",
            r"se (?:le|me) (?:esta |estaba )?(?:hinch\w*|inflam\w*|cierra\w*|cerr\w*) (?:la garganta|la lengua"
            r"|los labios|la cara)",
        ),
    ),
    RuleSpec(
        "patient_missing",
        "critical",
        "patient missing",
        en=(
            r"wander\w* (?:off|away|out of (?:the )?(?:ward|hospital|unit|building))|eloped",
            _SUBJECT_EN + r" (?:is|was|went|has gone|had gone|has been|gone) missing|missing patient",
            r"(?:can'?t|cannot|can not|couldn'?t|could not|unable to) find (?:the patient|my "
            + _KIN_EN
            + r"|(?:him|her"
            r"|them)(?= (?:anywhere|in|on|at|and|since|for)\b|[.,;:!?]|$))",
            r"(?:left|escaped|ran away from|snuck out of|walked out of) the (?:ward|unit|hospital|building) "
            r"(?:alone|unsupervised"
            r"|on (?:his|her|their) own|without (?:anyone|supervision|telling))",
            r"disappeared from (?:his|her|their|the) (?:room|bed|ward)",
            r"(?:dementia|confus\w*|alzheimer\w*|memory (?:problems|loss))(?: [\w']+){0,12}? (?:(?:not|isn'?t) in (?:his|her|their)"
            r" (?:bed|room|bay)|(?:gone|missing) from (?:the|his|her) (?:ward|bed|bay|room)|nobody knows where|no one knows where)",
            r"(?:confused|demen\w*|disoriented|wandering|alzheimer\w*)(?: [\w']+){0,8}? (?:left|leaving|walked out|walking out"
            r"|wandered|heading|outside|in the car park|by the exit|out (?:the|of the) (?:door|ward|building|hospital)"
            r"|towards the (?:road|exit|main door|lifts?)|trying to (?:leave|get out|go home|escape)|got out|gone out)",
            r"(?:trying|tried|keeps trying|keeps going|managed) to (?:leave|get out|escape|climb out|go home)(?: [\w']+){0,3}? "
            r"(?:in (?:his|her) (?:gown|nightie|pyjamas|pajamas)|barefoot|with (?:his|her) (?:drip|cannula|catheter))",
            r"(?:in (?:his|her|a|the) (?:gown|nightie|pyjamas|pajamas|hospital gown)|barefoot|with (?:a|his|her) (?:drip|cannula)"
            r"(?: still)?(?: in)?)(?: [\w']+){0,6}? (?:outside|car park|street|road|bus stop|main entrance|front door)",
        ),
        fr=(
            _KIN_FR + r" (?:a |avait |est |etait )?(?:disparu|introuvable)",
            r"s'est (?:enfui|echappe|sauve|egare)e?|fugu\w*|err\w* dans les couloirs",
            r"(?:parti|partie|sorti|sortie|sortir|partir|quitte|quitter) (?:\w+ )?(?:seule?|tout seul|toute seule"
            r"|sans surveillance|sans prevenir)",
            r"(?:confuse?|desoriente\w*|dement\w*|alzheimer)(?: [\w']+){0,12}? (?:n'est (?:plus )?(?:dans|a) (?:son|sa)"
            r" (?:lit|chambre)|personne ne sait ou|introuvable)",
            r"(?:confuse?|desoriente\w*|dement\w*|alzheimer)(?: [\w']+){0,8}? (?:sort\w*|part\w*|quitt\w*|dehors|sur le parking"
            r"|vers la (?:sortie|route)|dans la rue|essaie de (?:partir|sortir|s'en aller|rentrer))",
            r"(?:en (?:blouse|chemise de nuit|pyjama)|pieds nus|avec sa perfusion)(?: [\w']+){0,6}? (?:dehors|parking|rue|route"
            r"|arret de bus|entree|sortie)",
        ),
        es=(
            _KIN_ES + r" (?:ha |habia |se ha |se habia )?(?:desaparecido|desaparecio|perdido|extraviado)",
            r"no (?:encontramos|encuentro|encuentran|encontraban|encontraron|aparece) (?:a )?(?:mi|el|la|su) "
            + _KIN_ES,
            r"se escapo|se (?:fue|salio) sol[oa]|salio sol[oa] del|deambul\w*",
            r"(?:confundid[oa]|confus[oa]|desorientad[oa]|demencia|alzheimer)(?: [\w']+){0,12}? (?:no (?:esta|aparece) en su"
            r" (?:cama|habitacion)|nadie (?:sabe donde|la ha visto|lo ha visto))",
            r"(?:confundid[oa]|confus[oa]|desorientad[oa]|demencia|alzheimer)(?: [\w']+){0,8}? (?:se (?:fue|va|salio|sale|escapa)|sali\w*"
            r"|fuera|en el (?:aparcamiento|parking)|hacia la (?:salida|calle|carretera)|en la calle|intenta(?:ndo)? (?:irse|salir|escaparse))",
            r"(?:en (?:bata|camison|pijama)|descalz[oa]|con (?:el|su) suero)(?: [\w']+){0,6}? (?:fuera|aparcamiento|parking|calle"
            r"|carretera|parada|entrada|salida)",
        ),
    ),
    RuleSpec(
        "unattended_child",
        "critical",
        "small child alone or unattended",
        en=(
            _CHILD_EN
            + r"(?: [\w']+){0,6}? (?:alone|on (?:his|her|their) own|by (?:him|her)self|unattended|unsupervised"
            r"|with no (?:adult|parent|one)|without (?:an? )?(?:adult|parent|anyone)|wandering|crying for (?:his|her) (?:mum|mom|dad|mummy|mommy|parents?))",
            r"(?:no (?:adult|parent|one|body)|nobody|no one) (?:is )?(?:with|watching|looking after|supervising) "
            r"(?:the|a|this|that) " + _CHILD_EN,
            _CHILD_EN
            + r"(?: [\w']+){0,5}? (?:near|by|at|on|towards|climbing|heading (?:for|to)) (?:the )?(?:top of the )?"
            r"(?:stairs|stairwell|exit|main door|doors|road|car park|lift shaft|window|balcony|pond|river)",
            r"(?:lost|missing) (?:child|toddler|little (?:boy|girl))|(?:can'?t|cannot) find (?:his|her|their) (?:parents?|mum|mom|dad)",
        ),
        fr=(
            _CHILD_FR
            + r"(?: [\w']+){0,6}? (?:tout seul|toute seule|seule?|sans surveillance|sans (?:ses |aucun |un )?"
            r"(?:parents?|adulte)|livree? a (?:lui|elle) meme|qui erre|errant|qui pleure (?:pour|sa|son))",
            r"(?:personne|aucun adulte|aucun parent) (?:ne |n')?(?:surveille|garde|s'occupe (?:de|du)|est avec) "
            r"(?:le|la|l'|un|une|cet|cette|ce) ?" + _CHILD_FR,
            _CHILD_FR
            + r"(?: [\w']+){0,5}? (?:pres|pres de|au bord|en haut|vers|devant|dans) (?:de |des |du |la |le |l')?"
            r"(?:escaliers?|sortie|porte|route|parking|fenetre|ascenseur|balcon)",
        ),
        es=(
            _CHILD_ES
            + r"(?: [\w']+){0,6}? (?:sol[oa]s?|solit[oa]|sin vigilancia|sin (?:sus |ningun |un )?(?:padres?"
            r"|adultos?|mama|papa)|desatendid[oa]|deambulando|llorando (?:por|llamando a) (?:su )?(?:mama|papa|madre))",
            r"(?:nadie|ningun adulto) (?:esta )?(?:vigila|cuida|esta con|acompana) (?:a )?(?:el|la|un|una|ese|esa|este|esta) "
            + _CHILD_ES,
            _CHILD_ES
            + r"(?: [\w']+){0,5}? (?:cerca de|junto a|al borde de|en lo alto de|hacia|en) (?:la |las |el |los )?"
            r"(?:escaleras?|salida|puerta|carretera|calle|aparcamiento|parking|ventana|ascensor|balcon)",
        ),
    ),
    RuleSpec(
        "wrong_patient_or_site",
        "critical",
        "wrong patient, site or treatment about to happen",
        en=(
            r"wrong (?:patient|person|man|woman|lady|name|bed|baby|leg|arm|side|knee|hip|eye|ear|kidney|hand|foot|site"
            r"|operation|surgery|procedure|blood)",
            r"(?:not|isn'?t|wasn'?t) (?:my|his|her|their) (?:name|wristband|operation|surgery|procedure|blood|medication"
            r"|drip|bag|bed|leg|knee|notes)",
            r"(?:marked|marking|drew on|prepped|prepping|shaving|cleaning) (?:the|his|her|my) (?:wrong|other) (?:leg|arm|side"
            r"|knee|hip|eye|foot|hand)",
            r"(?:meant|supposed|prescribed|intended) for (?:someone else|another patient|the (?:man|woman|lady|patient) in)",
            r"(?:theatre|operation|surgery|procedure|scan|endoscopy|colonoscopy|biopsy)(?: [\w']+){0,6}? but (?:she|he|i)"
            r"(?:'s| is| am|'m) (?:only )?(?:here|in|booked) for",
            r"(?:different|someone else'?s|another (?:patient|person|child|baby)'?s?) (?:name|date of birth|wristband|label|details)"
            r"|name (?:of|for) (?:another|someone else|a different)",
            r"(?:left|right)(?: [\w']+){0,8}? (?:but|when|whereas|and) (?:it'?s|its|it is) (?:my |his |her |the )?(?:left|right)",
            r"(?:allergic to|allergy to) (?:it|that|penicillin|\w+)(?: [\w']+){0,6}? (?:about to|going to|getting ready to|trying to) "
            r"(?:give|inject|put)",
            r"(?:about to|going to|getting ready to) (?:operate|give|inject|take|put|remove)(?: [\w']+){0,6}? (?:wrong|other (?:leg|side"
            r"|arm|knee|eye)|someone else)",
        ),
        fr=(
            r"(?:mauvais|mauvaise|faux|fausse) (?:patiente?|personne|nom|lit|bebe|jambe|bras|cote|genou|hanche|oeil|rein"
            r"|main|pied|operation|intervention|sang)",
            r"(?:ce n'est pas|c'est pas|ce n'etait pas|ne sont pas) (?:mon|ma|mes|son|sa|ses|le bon|la bonne) (?:nom|bracelet"
            r"|operation|jambe|genou|perfusion|medicaments?|dossier|cote)",
            r"(?:destinee?s?|prescrite?s?|prevue?s?) (?:a|pour) (?:quelqu'un d'autre|un autre patient|une autre patiente"
            r"|la dame|le monsieur|l'autre)",
            r"(?:se trompe\w*|s'est trompe\w*|se sont trompe\w*|erreur) de (?:patiente?|personne|jambe|cote|bras|lit|nom|bebe)"
            r"|confondu\w* (?:avec|de) (?:un autre|une autre|quelqu'un)",
            r"(?:bloc|operation|intervention|examen|endoscopie)(?: [\w']+){0,8}? (?:mais|alors qu')(?: [\w']+){0,3}? (?:est|suis)"
            r" (?:la|ici|venue?) pour",
            r"(?:l'autre|la mauvaise|le mauvais) (?:jambe|genou|cote|bras|oeil) (?:qu'ils|qu'on|que) (?:vont|va) (?:operer|marquer)",
            r"(?:nom|date de naissance|bracelet|etiquette) d'(?:une? autre|quelqu'un d'autre)",
            r"(?:droite?|gauche)(?: [\w']+){0,8}? (?:alors que|mais|or|et) (?:c'est|c est|ce n'est pas) (?:le |la )?(?:droite?|gauche)",
        ),
        es=(
            r"(?:paciente|persona|nombre|cama|bebe|pierna|brazo|lado|rodilla|cadera|ojo|rinon|mano|pie|operacion"
            r"|cirugia|sangre) equivocad[oa]",
            r"(?:no es|no son|no era) (?:mi|su|sus|mis|el|la) (?:nombre|pulsera|operacion|pierna|rodilla|suero|medicamentos?"
            r"|medicacion|historia|lado|cama|correcto|correcta)",
            r"(?:equivoc\w*|confundi\w*|error) (?:de|con (?:el|la|otr[oa])) (?:paciente|persona|pierna|lado|brazo|cama"
            r"|nombre|bebe)",
            r"(?:era|es|son|eran) para (?:otr[oa] paciente|otra persona|el senor|la senora|el de la cama)",
            r"(?:quirofano|operacion|cirugia|prueba|endoscopia)(?: [\w']+){0,8}? pero (?:ella |el |yo )?(?:esta|estoy|viene|vengo)"
            r" (?:aqui )?(?:por|para)",
            r"(?:la otra|el otro) (?:pierna|rodilla|lado|brazo|ojo)(?: [\w']+){0,4}? (?:van a|iban a|quieren) (?:operar|marcar)",
            r"(?:nombre|fecha de nacimiento|pulsera|etiqueta) de otr[oa]|nombre de (?:otra persona|alguien)",
            r"(?:derech[oa]|izquierd[oa])(?: [\w']+){0,8}? (?:y|pero|cuando) (?:es|era) (?:el |la )?(?:derech[oa]|izquierd[oa])",
        ),
    ),
    RuleSpec(
        "danger_signs",
        "critical",
        "danger signs",
        en=(
            r"(?:gone|going|turned|turning|looks?|looking|went|face|skin|lips)(?: [\w']+){0,3}? (?:grey|gray|ashen|putty|dusky"
            r"|mottled|blotchy|purple|bluish|blue ?ish)|(?:white|pale) as a (?:sheet|ghost)|the colou?r of (?:ash|putty|chalk)",
            r"gurgl\w*|grunt\w* (?:with|every|when|sounds?|noises?)|rattl\w* (?:breath|noise|sound)|froth\w*"
            r"|coughing up (?:blood|pink\w*)",
            r"eyes (?:are |keep |keeps )?(?:fixed|glazed)|keel\w* over|man down|(?:clawing|clutching|gripping)"
            r" (?:at )?(?:his|her|my) (?:chest|left arm|throat)",
            r"(?:he|she|baby|man|woman|lady|child|kid|boy|girl|patient|dad|mum|mom|husband|wife|son|daughter)(?:'s| is| has)? "
            r"(?:not moving|stopped moving|not making (?:any|a) sound|gone (?:still|silent|very quiet|stiff)"
            r"|went (?:still|silent|very quiet|stiff))|(?:can'?t|cannot) see (?:her|his) chest (?:move|moving|rise)",
            r"(?:going|gone|goes) (?:all )?stiff|(?:twitching|jerking) (?:and|his|her|on the floor|all over)"
            r"|shaking (?:on the floor|his arms|her arms)",
            r"(?:feels?|felt|says?|said|think)(?: [\w']+){0,3}? (?:going to|gonna|about to) die|(?:he'?s|she'?s|i'?m|i am) dying(?! (?:to|for|of)\b)",
            r"worst (?:headache|pain)(?: [\w']+){0,5}? (?:ever|life)|thunderclap",
            r"(?:rash|spots)(?: [\w']+){0,6}? (?:doesn'?t|don'?t|does not|do not|won'?t) (?:fade|go away|disappear)|purple spots"
            r"|non ?blanching",
            r"coffee grounds?|black (?:tarry|sticky) (?:poo|stool)|tarry (?:poo|stool)",
            r"cold (?:and )?clammy|clammy|cold sweat|(?:soaked|dripping|drenched)(?: through)? (?:in|with) sweat",
            r"blade|machete|axe|screwdriver|scissors|broken bottle|(?:bottle|glass) smashed|head ?butt\w*",
            r"(?:took|snatched|grabbed|taken) (?:a|the|her|his|my|their) (?:baby|newborn|toddler|child)(?: [\w']+){0,3}? "
            r"(?:and|away|from)|face down (?:in|on)|in the (?:fountain|pond|river|canal)",
            r"\brope\b|noose|hang (?:myself|himself|herself)|jump(?:ing)? (?:off|from)|(?:standing|stood|sitting|sat|climbed)"
            r" (?:on|onto) (?:the )?(?:top|edge|roof|ledge|railings?|parapet|bridge|balcony)|walk\w* in front of",
            r"(?:took|taken|swallowed|injected|used) (?:all|a handful|the whole lot|every one|all the) (?:of )?(?:my |his |her "
            r"|the |my \w+'?s )?(?:\w+ )?(?:pills|tablets|insulin|morphine|meds|medication|painkillers|pens|antidepressants"
            r"|sleeping pills|paracetamol|methadone)"
            r"|handful of (?:\w+ )?(?:pills|tablets)",
            r"(?:throat|tongue|mouth)(?: [\w']+){0,3}? (?:feels? )?(?:tight|thick|huge|swollen|closing|tingling)|swelling shut"
            r"|welts|hives",
        ),
        fr=(
            r"(?:teint|visage|peau|levres)(?: [\w']+){0,3}? (?:gris|grise|cireux|cireuse|marbre\w*|violet\w*|bleu\w*)|marbrures",
            r"\brale\w*|gargouill\w*|yeux (?:revulses|fixes|dans le vide)|fixe le vide|ne bouge plus|s'est effondre\w*",
            r"pire mal de tete|taches? (?:violettes|qui ne s'effacent)|vomi\w* (?:du sang|noir|marc de cafe)|selles noires",
            r"\blame\b|cutter|ciseaux|tesson|coup de tete|\bcorde\b|(?:me|se) pendre|sauter (?:du|de la|par)"
            r"|(?:est|suis|assise?|debout|monte\w*) sur le (?:toit|rebord|pont|parapet)",
            r"(?:tous|toutes) (?:mes|ses) (?:medicaments|comprimes|cachets|pilules)|avale \w+ (?:comprimes|cachets|pilules)",
            r"gorge (?:qui )?(?:serre|gonfle|se ferme)|langue (?:gonflee|enorme)|plaques partout|sueurs? froides?"
            r"|(?:va|vais|allait) mourir|(?:il|elle|je) (?:meurt|meurs)(?! d'| de)",
        ),
        es=(
            r"(?:se ha puesto|se puso|esta|tiene la (?:piel|cara)|cara|labios)(?: [\w']+){0,3}? (?:gris|grisacea?|cenicient[oa]"
            r"|morad[oa]|moteado|amoratad[oa]|azulad[oa])|blanc[oa] como (?:la pared|un papel)",
            r"gorgote\w*|estertor\w*|quejido|(?:ojos|mirada) (?:perdida|fija)|mirando al vacio|como ida?\b"
            r"|se ha quedado (?:quiet[oa]|inmovil|ido|ida)",
            r"peor dolor de cabeza|manchas (?:moradas|que no desaparecen)|vomit\w* (?:sangre|negro|posos de cafe)|heces negras",
            r"cuchilla|navaja|tijeras|botella rota|cabezazo|\bcuerda\b|ahorcar\w*|tirarme|saltar (?:desde|del|de la)"
            r"|en la azotea",
            r"(?:todas|todos) (?:mis|sus) (?:pastillas|medicamentos)|(?:un|una) (?:bote|caja|blister) (?:entero|entera)",
            r"garganta (?:cerrada|hinchada|que se cierra)|lengua (?:hinchada|enorme)|habones|ronchas|sud\w* frio|sudor frio"
            r"|manos heladas|(?:se va a|me voy a|se esta) mor\w*",
        ),
    ),
    RuleSpec(
        "fire_smoke",
        "critical",
        "fire or smoke",
        en=(
            r"(?:on|caught|catch|catching) fire|fire (?:in|on|at|near|broke out|started|spreading)|flames",
            r"(?:smell|smells|smelled|smelling) (?:of )?(?:smoke|burning|gas)|burning smell|gas leak",
            r"(?<!to )(?<!us )(?<!me )(?<!we )smoke (?:in|coming|everywhere|from|filling|is)|(?:full of|filled with) smoke"
            r"|(?:a |the )?(?:haze|smoky|smokey) (?:in|on|coming|haze)|(?:sparks?|sparking|melted|melting|burning) (?:from|in|on|out)",
        ),
        fr=(
            r"incendie|(?:il y a le|au) feu|(?:prend|pris|prendre) feu|en feu|feu (?:dans|a|au)|flammes?",
            r"fumee|odeur de (?:brule|fumee|gaz)|ca sent le (?:brule|gaz)|fuite de gaz",
        ),
        es=(r"incendio|fuego|humo|(?:huele|olor) a (?:quemado|humo|gas)|fuga de gas|en llamas",),
    ),
    # --- high: needs attention the same day ------------------------------------------------
    RuleSpec(
        "severe_pain",
        "high",
        "severe or unmanaged pain",
        en=(
            r"(?:severe|excruciating|unbearable|terrible|extreme|agonizing|agonising|horrible|awful|intense"
            r"|immense|horrendous) pain",
            r"pain (?:is |was |has been )?(?:unbearable|excruciating|out of control|not (?:managed|controlled)"
            r"|(?:getting )?worse)",
            r"in (?:agony|(?:so much|a lot of|terrible|severe|excruciating|unbearable|extreme|constant) pain)",
            r"(?:screaming|crying|writhing|howling) (?:in|with|from) pain"
            r"|pain(?: [\w']+){0,4}? (?:10|ten) out of (?:10|ten)|(?:10|ten) out of (?:10|ten)(?: [\w']+){0,3}? pain",
            r"no (?:pain relief|painkillers?|pain (?:killers?|meds|medication|medicine))",
            r"(?:didn'?t|did not|never|wouldn'?t|refused to) (?:get|give|receive|got)(?: (?:him|her|me|us|them))? "
            r"(?:any )?(?:pain relief|painkillers?|pain (?:killers?|meds|medication|medicine)|morphine|analgesi\w*)",
        ),
        fr=(
            r"douleurs? (?:insupportables?|atroces?|terribles?|intenses?|horribles?|severes?|tres fortes?"
            r"|enormes?|insoutenables?|epouvantables?)",
            r"(?:ai|a|avait|avais|avons) (?:tres|si|trop|tellement|terriblement|horriblement) mal",
            r"souffr\w* (?:enormement|atrocement|beaucoup|terriblement|le martyre)|(?:hurl|cri|pleur)\w* de douleur",
            r"(?:pas|aucun|sans|jamais|rien) (?:\w+ ){0,2}(?:d')?(?:antidouleurs?|calmants?|antalgiques?"
            r"|morphine|soulagement)",
            r"douleurs? (?:non|pas|mal) (?:soulagee?s?|controlee?s?|prises? en charge|calmee?s?)",
        ),
        es=(
            r"dolor(?:es)? (?:insoportables?|terribles?|intensos?|horribles?|fuertes?|severos?|muy fuertes?"
            r"|inaguantables?|espantosos?|atroz|atroces)",
            r"(?:mucho|muchisimo|tanto|demasiado) dolor|(?:me|le|te|les|nos) duele (?:muchisimo|mucho|demasiado)",
            r"(?:grit|llor)\w* (?:de|del|por el) dolor|retorciendose de dolor",
            r"(?:sin|ningun|ni un|no (?:le |me |nos |les )?(?:dieron|dio|dan|da|han dado|ha dado|pusieron|ponen"
            r"|administraron)(?: [\w']+)?) (?:calmantes?|analgesicos?|morfina|nada para el dolor|algo para el dolor)",
            r"dolor (?:no|sin|mal) (?:controlado|tratado|atendido)",
        ),
    ),
    RuleSpec(
        "medication_error",
        "high",
        "medication error or missed dose",
        en=(
            r"wrong (?:medication|medicine|meds|drug|dose|dosage|pills?|tablets?|injection|blood|iv|drip|infusion)",
            r"(?:medication|drug|dosing|dose|prescription) (?:error|mistake|mix ?up)s?|overdos\w*",
            r"(?:late|double|extra|incorrect) (?:his |her |my |the |their )?(?:dose|doses|medication|meds|insulin"
            r"|antibiotics?|injection)",
            r"(?:missed|skipped|forgotten|forgot|forget)(?: [\w']+){0,4} (?:dose|doses"
            r"|medication|medications|medicine|meds|insulin|antibiotics?|pills?|tablets?|injection)",
            r"(?:medication|medications|medicine|meds|dose|doses|insulin|antibiotics?|pills?|tablets?) (?:was |were "
            r"|is |are )?(?:late|missed|forgotten|skipped|not given|never given|wrong)",
            r"(?:didn'?t|did not|never|haven'?t|hasn'?t|has not|have not|wasn'?t|was not|weren'?t|not been) "
            r"(?:get|give|given|receive|received|got|had|been given)(?: (?:him|her|me|us|them))? "
            r"(?:his |her |my |their |the |any |its )?(?:medication|medications|medicine|meds|insulin|dose|doses"
            r"|antibiotics?|pills?|tablets?|injection)",
            r"(?:someone else'?s|another patient'?s) (?:medication|meds|medicine|pills?|tablets?)",
        ),
        fr=(
            r"(?:mauvais|faux) (?:medicaments?|traitements?|dosages?|comprimes?)|mauvaises? (?:doses?|posologies?"
            r"|perfusions?|injections?|pilules?)",
            r"erreurs? (?:de |d'|dans (?:le|la|les) )(?:medicaments?|medication|traitement|dosage|dose|posologie"
            r"|administration|prescription|perfusion)",
            r"(?:oubli\w*|(?:pas|jamais) (?:\w+ ){0,2}?(?:eu|recu|donne|administre|pris))(?: [\w']+)? (?:son |ses |mon "
            r"|mes |le |les |la |sa |de |leur |leurs )?(?:d')?(?:medicaments?|traitements?|doses?|insuline"
            r"|antibiotiques?|comprimes?|cachets?|injections?|perfusions?)",
            r"surdos\w*|double dose|dose double|(?:medicament|traitement|comprime)s? d'un autre patient",
        ),
        es=(
            r"(?:medicamento|medicacion|medicina|dosis|pastilla|inyeccion|tratamiento)s? (?:equivocad[oa]s?"
            r"|incorrect[oa]s?|errone[oa]s?)",
            r"error(?:es)? (?:de|en la|en el|con la|con el) (?:medicacion|medicamento|dosis|tratamiento|receta)",
            r"(?:olvid\w*|no (?:le |me |nos |les )?(?:dieron|dio|han dado|ha dado|administraron|pusieron"
            r"|han puesto|ha puesto))(?: [\w']+)? (?:la |su |mi |el |sus |mis |los |las )?(?:medicacion|medicamentos?"
            r"|medicinas?|dosis|insulina|antibioticos?|pastillas?|inyeccion|tratamiento)",
            r"sobredosis|doble dosis|dosis doble|(?:medicacion|medicamento|medicina|pastillas?|dosis) de otr[oa] "
            r"paciente",
        ),
    ),
    RuleSpec(
        "bleeding",
        "high",
        "bleeding",
        en=(
            r"bleed(?:ing|s)?|bled|blood (?:in|from) (?:his|her|my|the) (?:urine|stool|mouth|nose|wound|ears?)",
        ),
        fr=(r"saign\w*|du sang dans (?:les|ses|mes|le|la) (?:urines?|selles|bouche|nez|plaie)",),
        es=(
            r"sangr(?:a|an|ando|o|aba|ado|e)|sangre en (?:la|las|el|su|mi) (?:orina|heces|boca|nariz|herida)",
        ),
    ),
    RuleSpec(
        "fall",
        "high",
        "fall",
        en=(
            r"(?:fell|fallen)(?! (?:asleep|apart|ill|sick|behind|silent|short|through|for it|in love))",
            r"had a fall|(?:falls|falling|slipped|tripped) (?:out of|from|off|down|over)",
            r"found (?:him|her|them|my \w+) on the floor",
        ),
        fr=(
            r"(?<!fievre est )(?<!temperature est )(?<!tension est )tombee?s?"
            r"(?! (?:malade|amoureu\w*|en panne|d'accord|sur (?:une|un) \w+|bien|juste|enceinte))",
            r"(?:(?:fait|faite) une )?chutes?(?! de (?:tension|cheveux|temperature|fievre))",
        ),
        es=(
            r"(?:se )?(?:cayo|cayeron|ha caido|habia caido|resbalo|tropezo)(?! en (?:la )?cuenta)"
            r"(?! (?:el|la|los|las|un|una|mi|su)\b)",
            r"(?:sufrio|tuvo) una caida|una caida(?! de (?:pelo|cabello|tension))|caida de la cama",
        ),
    ),
    RuleSpec(
        "fainting",
        "high",
        "fainting",
        en=(r"faint(?:ed|ing|s)|(?:feel|feels|felt|feeling) faint|passed out|blacked out|black out",),
        fr=(
            r"(?:s'est |se sont )?evanoui\w*|tombee? dans les pommes|(?:fait|faite|fais) (?:un|des) malaises?",
        ),
        es=(r"(?:se )?desmay\w*|perdio el sentido un momento",),
    ),
    RuleSpec(
        "pressure_sore",
        "high",
        "pressure sore",
        en=(r"pressure (?:sores?|ulcers?|injur\w*|wounds?)|bed ?sores?|decubitus",),
        fr=(r"escarres?|plaies? de pression|ulceres? de (?:pression|decubitus)",),
        es=(
            r"escaras?|ulceras? (?:por|de) (?:presion|decubito)|llagas? (?:por|de) (?:presion|estar en cama)",
        ),
    ),
    RuleSpec(
        "no_food_or_water",
        "high",
        "no food or water for a long time",
        en=(
            r"(?:no|without|nothing to) (?:food|water|drink|drinks|fluids|eat|meals?)(?: (?:or|and) (?:food|water"
            r"|drink|fluids|eat))? (?:for|since|in|all)",
            r"(?:hasn'?t|haven'?t|hadn'?t|has not|have not|had not|didn'?t|did not|not) (?:eaten|drunk|drank"
            r"|had (?:anything|any (?:food|water)|a drink|food|water|a meal)|been (?:fed|given (?:food|water"
            r"|anything|a drink))|eat|drink)(?: (?:or|and) (?:drunk|drank|eaten|drink|eat))?(?: anything)? "
            r"(?:for|since|in|all)",
            r"dehydrat\w*|starving|nil by mouth for",
        ),
        fr=(
            r"(?:pas|rien|jamais) (?:\w+ ){0,2}?(?:mange|bu|manger|boire|d'eau|a manger|a boire|de repas|nourri\w*)"
            r"(?: [\w']+){0,3}? (?:depuis|pendant|de la journee|de toute la journee)",
            r"(?:sans|pas de) (?:manger|boire|eau|nourriture|repas|boisson)(?: [\w']+){0,3}? (?:depuis|pendant)",
            r"a jeun depuis|deshydrat\w*|(?:meurt|meurs|mourir|mourait) de (?:faim|soif)",
        ),
        es=(
            r"(?:sin|no (?:ha|han|hemos|he|habia|le han|le dieron|nos dieron|me dieron|le dan)) (?:\w+ ){0,2}?"
            r"(?:comer|comido|beber|bebido|agua|comida|de comer|de beber|tomado agua)(?: [\w']+){0,3}? "
            r"(?:desde|durante|en todo|en|por)",
            r"deshidrat\w*|(?:muerto|muriendo|muero|muere) de (?:hambre|sed)|en ayunas desde",
        ),
    ),
    RuleSpec(
        "child_fever",
        "high",
        "fever in a child",
        en=(
            r"(?:child|baby|son|daughter|kid|toddler|infant|newborn|boy|girl)(?:'?s)?(?: [\w']+){0,6} "
            r"(?:fever|temperature|febrile|feverish)",
            r"(?:fever|temperature|feverish)(?: [\w']+){0,4} (?:child|baby|son|daughter|kid|toddler|infant|newborn)",
        ),
        fr=(
            r"(?:enfant|bebe|fils|fille|petit|petite|nourrisson|garcon)(?: [\w']+){0,6} (?:fievre|temperature|febrile)",
            r"(?:fievre|temperature)(?: [\w']+){0,4} (?:enfant|bebe|fils|fille|nourrisson)",
        ),
        es=(
            r"(?:nino|nina|bebe|hijo|hija|nene|nena|pequeno|pequena)(?: [\w']+){0,6} (?:fiebre|temperatura|calentura"
            r"|febril)",
            r"(?:fiebre|temperatura|calentura)(?: [\w']+){0,4} (?:nino|nina|bebe|hijo|hija)",
        ),
    ),
    RuleSpec(
        "infection_signs",
        "high",
        "signs of infection",
        en=(
            r"infect(?:ed|ion|ions)|pus|oozing|seps\w*|septic|fever|feverish|chills|rigors|shivering",
            r"(?:has|had|have|having|with|running|spiked) (?:a )?(?:high |raised )?temperature",
            r"(?:wound|incision|cut|stitches|scar|drip|iv|line|cannula|catheter|site) (?:is |was |looks |looked "
            r"|got |getting |became )?(?:red|hot|swollen|inflamed|smelly|smells|weeping)",
        ),
        fr=(
            r"infect(?:e|ee|es|ees|ion|ions|ieux|ieuse)|pus|suint\w*|seps\w*|septi(?:que|cemie)|fievre|frissons",
            r"(?:plaie|cicatrice|perfusion|catheter) (?:est |etait )?(?:rouge|gonflee|chaude|enflammee|qui suinte)",
        ),
        es=(
            r"infecci\w*|infectad[oa]s?|pus|supura\w*|seps\w*|septic\w*|fiebre|calentura|escalofrios",
            r"(?:herida|cicatriz|via|cateter) (?:esta |estaba )?(?:roja|hinchada|caliente|inflamada)",
        ),
    ),
    RuleSpec(
        "abuse_or_threats",
        "high",
        "abuse, threats or aggression",
        en=(
            r"abus(?:e|ed|ing|ive)(?! of (?:power|process|trust))|threat(?:en|ened|ening|s)?(?! of (?:closure|legal))"
            r"|harass\w*|bull(?:y|ied|ying)",
            r"aggressi(?:ve|on)|intimidat\w*|(?:don'?t|didn'?t|do not|did not|doesn'?t|never) feel safe"
            r"|(?:feel|felt|feels|feeling) (?:unsafe|threatened|scared of (?:him|her|them|the))",
        ),
        fr=(
            r"maltrait\w*|(?<!a )menac\w*|harcel\w*|agressi(?:f|ve|vite)|intimid\w*|humili\w*",
            r"(?:ne )?(?:me|se) sen\w* pas en securite",
        ),
        es=(
            r"maltrat\w*|amenaz\w*|acos\w*|agresiv[oa]|intimid\w*|humill\w*",
            r"no me siento segur[oa]",
        ),
    ),
    RuleSpec(
        "privacy_breach",
        "high",
        "privacy breach",
        en=(
            r"privacy (?:breach|violation|was (?:breached|violated|not respected))|hipaa",
            r"breach (?:of|in) (?:my |his |her |patient )?(?:privacy|confidentiality)",
            r"(?:violat\w*|breach\w*|invad\w*|disrespect\w*) (?:my|his|her|our|patient'?s?) (?:privacy"
            r"|confidentiality)",
            r"(?:shared|disclosed|leaked|discussed|read out|announced|posted|gave out|revealed) (?:about )?"
            r"(?:my|his|her|our) (?:medical |personal |private )?(?:records?|results?|diagnosis|information"
            r"|details|condition|history|status|hiv)",
            r"in front of (?:everyone|everybody|other patients|the whole (?:ward|room|waiting room))",
            r"(?:everyone|everybody|the whole (?:ward|room|waiting room)) could hear",
            r"(?:no|without) privacy|curtains? (?:left )?open",
            r"(?:someone else'?s|another patient'?s|other patients'?) (?:medical )?(?:records?|results?|files?|notes"
            r"|letters?|details)",
        ),
        fr=(
            r"(?:violation|atteinte|non respect|manque|absence) (?:de |du |a |d')?(?:la |l')?(?:vie privee"
            r"|confidentialite|secret medical|intimite|discretion)",
            r"(?:divulgu|partag|revel|racont|annonc)\w* (?:mon|ma|mes|son|sa|ses|leur) (?:dossier|diagnostic"
            r"|resultats?|informations?|donnees|maladie|etat)",
            r"devant tout le monde|devant (?:les )?autres (?:patients|personnes)",
            r"tout le monde (?:a pu|pouvait|pourrait) (?:entendre|voir)|(?:pas|aucune|sans) (?:d')?intimite",
            r"(?:dossier|resultats?|compte rendu|courrier|ordonnance)s? (?:medica\w* )?d'(?:un autre|une autre|autres) "
            r"patient\w*",
        ),
        es=(
            r"(?:violacion|falta|ausencia|sin) (?:de |a )?(?:la |mi |su )?(?:privacidad|intimidad|confidencialidad)",
            r"(?:divulg|compart|revel|cont|dij|public|ley)\w* (?:mi|su|sus|mis) (?:diagnostico|historial"
            r"|resultados?|informacion|datos|enfermedad|condicion|expediente)",
            r"delante de (?:todos|todo el mundo|otros pacientes|los demas|la gente)",
            r"todos (?:pudieron|podian|podrian) (?:oir|escuchar|ver)",
            r"(?:expediente|historial|resultados?|informe|receta)s? (?:medic\w* )?de otr[oa]s? pacientes?",
        ),
    ),
    RuleSpec(
        "call_unanswered",
        "high",
        "calls for help unanswered",
        en=(
            r"(?:call bell|call button|buzzer|bell)(?: [\w']+){0,6}? (?:unanswered|ignored|(?:for|over) (?:\d+|an|half"
            r"|ages|hours?)|no (?:one|body) (?:came|comes|answered)|nobody (?:came|comes|answered))",
            r"(?:rang|pressed|pushed|rung|ringing|pressing|buzzed)(?: [\w']+){0,3}? (?:the )?(?:call )?(?:bell|button"
            r"|buzzer)(?: [\w']+){0,6}? (?:no one|nobody|no answer|no response|ignored|for \d+|for (?:an|ages|hours"
            r"|over|half|almost|nearly))",
            r"(?:no one|nobody|no body) (?:has |have |had |ever |even |is |was )*(?:comes?|came|answer\w*"
            r"|respond\w*|coming|showed up|shows up|help\w*|check\w*|been)",
        ),
        fr=(
            r"(?:sonnette|bouton d'appel)(?: [\w']+){0,6}? (?:personne|pas de reponse|sans reponse|ignor\w*"
            r"|pendant (?:\d+|des heures|une heure|longtemps))",
            r"personne (?:ne |n')(?:vient|venait|est venu\w*|repond\w*|arrive|est passe\w*|s'occupe|nous aide)",
            r"(?:sonne|appuye|appele)(?: [\w']+){0,4}? (?:sans (?:reponse|que personne)|pendant (?:\d+|des heures"
            r"|une heure|longtemps))",
        ),
        es=(
            r"timbre(?: [\w']+){0,6}? (?:nadie|sin respuesta|no (?:vienen|viene|contestan|responden|hacen caso)"
            r"|durante (?:\d+|horas|una hora|mucho))",
            r"nadie (?:nos |le |me |la |lo )?(?:viene|vino|venia|contesta|contesto|responde|respondio|acude"
            r"|acudio|atiende|atendio|ha venido|hace caso|ayuda|ayudo)",
            r"no (?:viene|vino|venia|ha venido|contesta|responde|acude|atiende) nadie",
        ),
    ),
    # --- medium: only unambiguous ones; the rest is left to the analyzer -------------------
    RuleSpec(
        "long_wait",
        "medium",
        "long wait",
        en=(
            r"wait(?:ed|ing)?(?: [\w']+){0,3}? (?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
            r"|several|many|an|over an) (?:hours?|hrs?|h)|wait(?:ed|ing)? (?:for )?hours",
            r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve|several|many) (?:hours?|hrs?|h) "
            r"(?:wait|waiting|in the waiting room|in a&e|in the er|in (?:the )?emergency)",
        ),
        fr=(
            r"attend\w*(?: [\w']+){0,3}? (?:\d+|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|plusieurs) ?"
            r"(?:heures?|h)",
            r"(?:\d+ ?h|\w+ heures?) d'attente|attend\w* (?:pendant )?des heures",
        ),
        es=(
            r"esper\w*(?: [\w']+){0,3}? (?:\d+|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|doce|varias"
            r"|muchas) ?(?:horas?|h)",
            r"(?:\d+|\w+) horas de espera|esper\w* (?:durante )?horas",
        ),
    ),
)

# --- scope tables --------------------------------------------------------------------------

# Tokens that negate what follows: "no", "denies", "pas", "sin", any "...n't".
NEGATION_CUES = _words(
    "no not non never without nor neither denies denied deny denying nobody noone",
    "dont doesnt didnt isnt wasnt arent werent hasnt havent hadnt wont wouldnt cant couldnt aint",
    "pas jamais aucun aucune sans ni ne n' rien nie niait",
    "nunca jamas sin ningun ninguna ninguno tampoco niega nego negaba descarta descarto descartado nadie",
)

# Function words a negation reaches across: "denies ANY chest pain", "n'a PAS DE douleur",
# "no TIENE dolor". A content word ("the nurse did not CHECK his chest pain") ends the scope.
NEGATION_FILLERS = _words(
    "a an the any his her my their your our its this that some have has had having",
    "feel feels felt feeling experience experienced experiencing complain complained complaining of",
    "report reported reports sign signs evidence symptom symptoms history further more ever",
    "been be is was are were being am i i'm im he she it they there he's she's it's",
    "do does did get gets got getting show shows showed showing suffer suffers suffered suffering",
    "from with to him me really at all significant obvious apparent acute new longer such like as",
    "currently now today anymore or um uh erm er euh eh",
    "de d' du des la le les l' un une a ai as avait avais avons ont eu est etait ete sa son ses ma mon",
    "mes leur leurs il elle je j' on y plus signe signes presente presentait ressent ressenti ressentait",
    "sent senti sentait trace vraiment encore tout toute se s' me m' suis sommes nous ce cette",
    "actuellement ou fait fais faisait",
    "del el los las lo unos unas algun alguna tiene tengo tenia tuvo tuve tenemos hay habia hubo ha he",
    "han presenta presento presentaba siente siento sentia senti refiere su mi sus mis es era fue esta",
    "estaba estoy ya mas nada signos signo sintomas ahora o",
)

# "no chest pain OR breathing problems": a negation reaches across a coordinated finding.
NEGATION_COORDINATORS = _words("or nor ni ou o u")

# Words just before a finding that say it is over: "se me PASO el dolor", "RECOVERED from".
PRE_RESOLUTION = _words(
    "recovered recovering resolved healed cured",
    "recupere recuperee remis remise gueri guerie",
    "desaparecio desaparecieron paso quito recupero recuperado recuperada curo",
)

# Words between a finding and a later resolution that keep them linked: "chest pain
# yesterday BUT IT'S fine now". People are excluded on purpose: in "he can't breathe and
# the nurse went away" it is the nurse who went away.
RESOLUTION_FILLERS = _words(
    "is was has have had it it's its that this which but and now then since already finally",
    "completely totally fully all yesterday today earlier before last week night morning evening",
    "afternoon ago a an few days day hours hour minutes minute so thankfully luckily quickly",
    "eventually soon after mostly pretty much seems seemed been got get i i'm im am feel feeling",
    "the on in at for by , really fully went fuerte grave bad severe mild well properly um uh erm euh eh pues",
    "came with are were much lot from my his her their nose arm leg head knee hand foot stomach wound cut",
    "monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi vendredi weekend",
    "samedi dimanche lunes martes miercoles jueves viernes sabado domingo",
    "il c' ca cela est a etait avait s' se mais et maintenant depuis hier deja completement",
    "totalement enfin heureusement finalement rapidement la le les semaine derniere dernier nuit",
    "matin soir jours jour heures heure minutes tout toute ce y en qui que qu' puis apres bien",
    "je j' suis me m' vais va ai",
    "ya me le que es era fue ha han habia pero y ahora ayer hoy anoche completamente totalmente por",
    "fin afortunadamente rapidamente el semana pasada pasado noche manana tarde dias dia horas hora",
    "minutos todo toda esta estaba eso luego despues a yo estoy lo su mi se fue casa",
)

# The patient's pronoun between a finding and a resolution: "fell last week, SHE is fine
# now". Right after one, only a phrase about the person's state counts (RESOLVED_STATES),
# so in "he can't breathe and SHE went away" (the nurse) nothing is resolved.
RESOLUTION_PRONOUNS = _words("he she he's she's they il elle ils elles el ella ellos")
RESOLVED_STATES: tuple[str, ...] = (
    r"(?:is|was|has|'s) (?:fine|ok|okay|alright|all right|better|recovered|stable|well)",
    r"(?:has|have) (?:recovered|improved)|feels? (?:fine|better|well)",
    r"(?:va|allait) (?:bien|mieux)|(?:est|etait) (?:gueri|remis|stable)e?",
    r"(?:esta|estaba) (?:bien|mejor|estable|recuperad[oa])|se (?:recupero|encuentra bien)",
)

# Phrases, tried at each token after a finding, that say it has resolved.
RESOLUTION_PHRASES: tuple[str, ...] = (
    r"gone|went away|go(?:ne)? away|resolved|subsided|settled|eased|healed|cleared(?: up)?|disappeared",
    r"recovered|recuperad[oa]s?|went home|sent home|passed(?! out)|stopped|improved|better|under control|(?:is|was|it'?s) over|over now",
    r"(?:fine|ok|okay|alright|all right|good|normal|stable|well) (?:now|again)",
    r"disparu\w*|(?:c'est|s'est|est|sont) passee?s?|(?:calme|arrete|estompe|resorbe|stabilise)e?s?",
    r"gueri\w*|resolu\w*|termine\w*|fini\w*|soulage\w*",
    r"(?:va|allait|vais|allons) mieux|mieux maintenant|(?:ca|tout) va bien|sous controle",
    r"(?:est|a) (?:tombee?|baisse|redescendue?)",
    r"desaparec\w*|(?:ya )?se (?:me|le|te|nos|les) (?:fue|paso|quito)|ya se (?:fue|paso|quito)|ya paso",
    r"se (?:calmo|detuvo|curo|resolvio|controlo|estabilizo|alivio)|curad[oa]|resuelt[oa]|controlad[oa]",
    r"(?:esta|estoy|estamos) (?:mejor|estable)|(?:esta|estoy) bien ahora|ya esta bien|mucho mejor",
    r"(?:mejor|bien) ahora|ahora (?:mejor|bien|estable)",
)

# Negation words that do not negate: "il n'arrete pas de saigner" means he keeps bleeding.
PSEUDO_NEGATIONS: tuple[str, ...] = (
    r"can'?t stop|won'?t stop|not only",
    r"n'arret\w* pas|ne cess\w*(?: pas)?|ne fai\w* que|(?:ne )?(?:sai[st]|savai[st]) pas",
    r"no (?:para|paraba|deja|dejaba) de",
)
