"""The phrase bank the bootstrap corpus is generated from (see GUIDELINE.md for the labels).

Each scenario has a level, an optional trap (the hard case it teaches) and templates per
language. Slots: {who} a person ("my father"), {s}/{o}/{p} their subject, object and
possessive pronouns, {e} the French feminine ending, {a} the Spanish gender ending,
{place} and {dur}. Keep scenarios about situations, not keywords: the judges' corpus is
written by other people.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    key: str
    level: str  # critical | high | medium | low
    trap: str | None  # negation | resolved | sarcasm | polite | no_keyword | figurative | None
    en: tuple[str, ...]
    fr: tuple[str, ...]
    es: tuple[str, ...]


# (noun, subject, object, possessive, fr ending / es ending)
PEOPLE = {
    "en": (
        ("my father", "he", "him", "his", ""),
        ("my mother", "she", "her", "her", ""),
        ("my husband", "he", "him", "his", ""),
        ("my wife", "she", "her", "her", ""),
        ("my son", "he", "him", "his", ""),
        ("my daughter", "she", "her", "her", ""),
        ("the man in bed 4", "he", "him", "his", ""),
        ("the lady in the next bed", "she", "her", "her", ""),
        ("my grandmother", "she", "her", "her", ""),
        ("my partner", "he", "him", "his", ""),
    ),
    "fr": (
        ("mon père", "il", "le", "son", ""),
        ("ma mère", "elle", "la", "sa", "e"),
        ("mon mari", "il", "le", "son", ""),
        ("ma femme", "elle", "la", "sa", "e"),
        ("mon fils", "il", "le", "son", ""),
        ("ma fille", "elle", "la", "sa", "e"),
        ("le monsieur du lit 4", "il", "le", "son", ""),
        ("la dame d'à côté", "elle", "la", "sa", "e"),
        ("ma grand-mère", "elle", "la", "sa", "e"),
    ),
    "es": (
        ("mi padre", "él", "lo", "su", "o"),
        ("mi madre", "ella", "la", "su", "a"),
        ("mi esposo", "él", "lo", "su", "o"),
        ("mi esposa", "ella", "la", "su", "a"),
        ("mi hijo", "él", "lo", "su", "o"),
        ("mi hija", "ella", "la", "su", "a"),
        ("el señor de la cama 4", "él", "lo", "su", "o"),
        ("la señora de al lado", "ella", "la", "su", "a"),
        ("mi abuela", "ella", "la", "su", "a"),
    ),
}
PLACES = {
    "en": ("room 12", "bed 7", "ward 3", "the waiting room", "the corridor", "A&E", "the day unit"),
    "fr": ("la chambre 12", "le lit 7", "le service 3", "la salle d'attente", "le couloir", "les urgences"),
    "es": ("la habitación 12", "la cama 7", "la planta 3", "la sala de espera", "el pasillo", "urgencias"),
}
DURATIONS = {
    "en": ("an hour", "two hours", "45 minutes", "three hours", "most of the night", "since this morning"),
    "fr": ("une heure", "deux heures", "45 minutes", "trois heures", "toute la nuit", "ce matin"),
    "es": ("una hora", "dos horas", "45 minutos", "tres horas", "toda la noche", "esta mañana"),
}

# Neutral openers and closers: they carry no urgency, so the model must not learn them.
OPENERS = {
    "en": ("", "", "", "Hello. ", "Hi, ", "Feedback: ", "To whom it may concern, ", "Ward 5 - "),
    "fr": ("", "", "", "Bonjour. ", "Bonjour, ", "Avis : ", "Madame, Monsieur, "),
    "es": ("", "", "", "Hola. ", "Buenas, ", "Comentario: ", "Estimados, "),
}
CLOSERS = {
    "en": ("", "", "", " Thanks.", " Regards.", " Sent from my phone."),
    "fr": ("", "", "", " Merci.", " Cordialement.", " Envoyé de mon téléphone."),
    "es": ("", "", "", " Gracias.", " Saludos.", " Enviado desde mi móvil."),
}
PRAISE = {
    "en": (
        "The staff have been lovely and I'd give you 5 stars.",
        "Everyone here is so kind, thank you.",
        "Great hospital, really friendly nurses.",
    ),
    "fr": (
        "Le personnel est adorable, je mettrais 5 étoiles.",
        "Tout le monde est très gentil, merci.",
        "Très bon hôpital, infirmières sympathiques.",
    ),
    "es": (
        "El personal es encantador, les daría 5 estrellas.",
        "Todos son muy amables, gracias.",
        "Buen hospital, enfermeras muy simpáticas.",
    ),
}
FILLERS = {
    "en": ("um", "uh", "like", "you know"),
    "fr": ("euh", "ben", "enfin"),
    "es": ("eh", "pues", "este"),
}

SCENARIOS: tuple[Scenario, ...] = (
    # ---------------------------------------------------------------- critical: minutes
    Scenario(
        "breathing",
        "critical",
        None,
        en=(
            "{who} can't breathe properly and {p} lips are going blue",
            "{who} in {place} is struggling to breathe, please send someone now",
            "{who} is gasping for air and nobody is here",
            "I can't catch my breath and my chest is tight, I'm in {place}",
        ),
        fr=(
            "{who} n'arrive plus à respirer, ses lèvres deviennent bleues",
            "{who} a beaucoup de mal à respirer dans {place}, venez vite",
            "{who} suffoque et il n'y a personne",
            "je n'arrive plus à reprendre mon souffle, je suis dans {place}",
        ),
        es=(
            "{who} no puede respirar y tiene los labios morados",
            "a {who} le falta el aire en {place}, manden a alguien ya",
            "{who} se está ahogando y no hay nadie",
            "no puedo respirar bien, estoy en {place}",
        ),
    ),
    Scenario(
        "chest_pain",
        "critical",
        None,
        en=(
            "{who} has crushing chest pain right now",
            "{who} says {p} chest is tight and the pain is going down {p} left arm",
            "I have a heavy pressure in my chest and I'm sweating, I'm in {place}",
        ),
        fr=(
            "{who} a une douleur dans la poitrine qui serre très fort",
            "{who} dit que sa poitrine est serrée et que ça descend dans le bras gauche",
            "j'ai une forte oppression dans la poitrine et je transpire, je suis dans {place}",
        ),
        es=(
            "{who} tiene un dolor muy fuerte en el pecho ahora mismo",
            "{who} dice que le aprieta el pecho y el dolor le baja por el brazo izquierdo",
            "tengo una presión en el pecho y estoy sudando, estoy en {place}",
        ),
    ),
    Scenario(
        "unresponsive",
        "critical",
        None,
        en=(
            "{who} collapsed in {place} and isn't responding",
            "we can't wake {o} up, {s} is not reacting at all",
            "{who} just fainted and is not moving, come quickly",
        ),
        fr=(
            "{who} s'est effondré{e} dans {place} et ne répond plus",
            "on n'arrive pas à {o} réveiller, {s} ne réagit plus",
            "{who} a perdu connaissance et ne bouge plus, venez vite",
        ),
        es=(
            "{who} se desplomó en {place} y no responde",
            "no podemos despertar{o}, no reacciona",
            "{who} perdió el conocimiento y no se mueve, vengan rápido",
        ),
    ),
    Scenario(
        "bleeding",
        "critical",
        None,
        en=(
            "{p} wound is bleeding heavily and it won't stop",
            "there is blood everywhere in {place}, {who} is losing a lot of blood",
            "{who} is vomiting blood",
        ),
        fr=(
            "sa plaie saigne énormément et ça ne s'arrête pas",
            "il y a du sang partout dans {place}, {who} perd beaucoup de sang",
            "{who} vomit du sang",
        ),
        es=(
            "la herida sangra muchísimo y no para",
            "hay sangre por todas partes en {place}, {who} pierde mucha sangre",
            "{who} está vomitando sangre",
        ),
    ),
    Scenario(
        "stroke",
        "critical",
        None,
        en=(
            "{p} face is drooping on one side and {s} can't speak properly",
            "{who} suddenly can't lift {p} right arm and {p} words are slurred",
            "one side of {p} face has gone numb all of a sudden",
        ),
        fr=(
            "son visage est de travers et {s} n'arrive plus à parler",
            "{who} ne peut plus bouger le bras droit et parle de façon confuse",
            "d'un coup, un côté de son visage est paralysé",
        ),
        es=(
            "tiene la cara torcida y habla arrastrando las palabras",
            "{who} de repente no puede mover el brazo derecho",
            "se le cayó un lado de la cara de golpe",
        ),
    ),
    Scenario(
        "self_harm",
        "critical",
        None,
        en=(
            "I don't want to live anymore and I have a plan for tonight",
            "{who} told me {s} wants to end it all and {s} has pills with {o}",
            "I am going to hurt myself, I can't take this any more",
        ),
        fr=(
            "je ne veux plus vivre et j'ai prévu de le faire ce soir",
            "{who} m'a dit qu'{s} voulait en finir, {s} a des médicaments sur {o}",
            "je vais me faire du mal, je n'en peux plus",
        ),
        es=(
            "ya no quiero vivir y tengo un plan para esta noche",
            "{who} me dijo que quiere quitarse la vida",
            "me voy a hacer daño, ya no aguanto más",
        ),
    ),
    Scenario(
        "seizure",
        "critical",
        None,
        en=("{who} is having a seizure in {place}", "{who} is shaking all over and foaming at the mouth"),
        fr=("{who} fait une crise d'épilepsie dans {place}", "{who} convulse et a de l'écume aux lèvres"),
        es=("{who} está convulsionando en {place}", "{who} tiene una crisis epiléptica ahora mismo"),
    ),
    Scenario(
        "allergy",
        "critical",
        None,
        en=(
            "{p} throat is swelling up after the injection",
            "{who} has come out in hives and {p} tongue is swelling",
        ),
        fr=("sa gorge gonfle depuis la piqûre", "{who} a la langue qui gonfle après le médicament"),
        es=("se le está hinchando la garganta después de la inyección", "a {who} se le hincha la lengua"),
    ),
    Scenario(
        "violence",
        "critical",
        "no_keyword",
        en=(
            "a man in {place} is threatening the nurses with a knife",
            "someone is punching a nurse in {place} right now",
            "a visitor is screaming that he will hurt people and is smashing chairs",
        ),
        fr=(
            "un homme menace les infirmières avec un couteau dans {place}",
            "quelqu'un frappe une infirmière dans {place} en ce moment",
            "un visiteur hurle qu'il va blesser des gens et casse les chaises",
        ),
        es=(
            "un hombre amenaza a las enfermeras con un cuchillo en {place}",
            "alguien está golpeando a una enfermera en {place} ahora mismo",
            "un visitante grita que va a hacer daño a la gente y rompe las sillas",
        ),
    ),
    Scenario(
        "wandered",
        "critical",
        "no_keyword",
        en=(
            "{who} has dementia and has walked out of the ward, we can't find {o} anywhere",
            "{who} is confused and just left the building alone in {p} gown",
        ),
        fr=(
            "{who} a la maladie d'Alzheimer et a quitté le service, on ne {o} trouve nulle part",
            "{who} est désorienté{e} et vient de sortir seul{e} de l'hôpital en blouse",
        ),
        es=(
            "{who} tiene demencia y se ha ido de la planta, no {o} encontramos por ningún lado",
            "{who} está desorientad{a} y acaba de salir sol{a} del hospital en bata",
        ),
    ),
    Scenario(
        "fire",
        "critical",
        None,
        en=(
            "there is smoke coming out of {place}",
            "I can smell burning and there are flames near the kitchen",
        ),
        fr=("de la fumée sort de {place}", "ça sent le brûlé et il y a des flammes près de la cuisine"),
        es=("sale humo de {place}", "huele a quemado y hay llamas cerca de la cocina"),
    ),
    Scenario(
        "hidden_critical",
        "critical",
        "no_keyword",
        en=(
            "{who} has gone grey and clammy and keeps clutching {p} arm",
            "the baby is all floppy and won't wake for feeds",
            "I took the whole box of my sleeping tablets an hour ago",
            "{who} is giving away {p} things and saying goodbye to everyone, {s} says tonight is the night",
            "{who} is suddenly confused, sweating and not making any sense",
            "{p} oxygen bottle is empty and {s} is panicking, {p} sats alarm keeps going off",
            "{who} is on the window ledge of {place} and says {s} will jump",
            "{p} insulin pump is broken, {s} is shaking, pale and barely awake",
        ),
        fr=(
            "{who} est devenu{e} tout{e} gris{e} et moite, {s} se tient le bras",
            "le bébé est tout mou et ne se réveille pas pour téter",
            "j'ai avalé toute ma boîte de somnifères il y a une heure",
            "{who} donne ses affaires et dit adieu à tout le monde, {s} dit que c'est pour ce soir",
            "{who} est d'un coup confus{e}, en sueur et ne dit plus rien de cohérent",
            "sa bouteille d'oxygène est vide et l'alarme de saturation sonne sans arrêt",
            "{who} est sur le rebord de la fenêtre de {place} et dit qu'{s} va sauter",
            "sa pompe à insuline est cassée, {s} tremble, est pâle et presque endormi{e}",
        ),
        es=(
            "{who} se puso gris y sudoros{a} y no deja de agarrarse el brazo",
            "el bebé está flojito y no se despierta para comer",
            "me tomé toda la caja de pastillas para dormir hace una hora",
            "{who} está regalando sus cosas y despidiéndose de todos, dice que es esta noche",
            "{who} de repente está confundid{a}, sudando y no dice nada con sentido",
            "la bombona de oxígeno está vacía y la alarma de saturación no para de sonar",
            "{who} está en el borde de la ventana de {place} y dice que va a saltar",
            "su bomba de insulina está rota, está temblando, pálid{a} y casi dormid{a}",
        ),
    ),
    # ---------------------------------------------------------------- high: same day
    Scenario(
        "unmanaged_pain",
        "high",
        None,
        en=(
            "{who} has been in terrible pain for {dur} and nobody has given {o} painkillers",
            "my pain after the operation is unbearable and the nurse said to wait",
            "{who} is crying with pain and the morphine was never brought",
        ),
        fr=(
            "{who} a des douleurs insupportables depuis {dur} et personne ne lui donne d'antidouleur",
            "ma douleur après l'opération est atroce et l'infirmière m'a dit d'attendre",
            "{who} pleure de douleur et on ne lui a toujours pas donné de calmant",
        ),
        es=(
            "{who} tiene un dolor terrible desde hace {dur} y nadie le da calmantes",
            "el dolor después de la operación es insoportable y la enfermera dijo que esperara",
            "{who} llora de dolor y nunca le trajeron la morfina",
        ),
    ),
    Scenario(
        "medication",
        "high",
        None,
        en=(
            "{who} missed {p} insulin dose this morning",
            "the nurse forgot {p} antibiotics again today",
            "they gave {who} the wrong tablets at lunch",
            "{who} was discharged without {p} medication and has none for tonight",
        ),
        fr=(
            "on a oublié de donner son insuline à {who} ce matin",
            "l'infirmière a encore oublié ses antibiotiques aujourd'hui",
            "on a donné les mauvais comprimés à {who} ce midi",
            "{who} est sorti{e} sans son traitement et n'a rien pour ce soir",
        ),
        es=(
            "se olvidaron de darle la insulina a {who} esta mañana",
            "la enfermera volvió a olvidar sus antibióticos hoy",
            "le dieron las pastillas equivocadas a {who} en la comida",
            "dieron de alta a {who} sin su medicación y no tiene nada para esta noche",
        ),
    ),
    Scenario(
        "fall",
        "high",
        None,
        en=(
            "{who} fell out of bed last night and nobody has checked on {o}",
            "{who} slipped in the bathroom this morning, {s} seems ok but no doctor came",
        ),
        fr=(
            "{who} est tombé{e} du lit cette nuit et personne n'est venu {o} voir",
            "{who} a glissé dans la salle de bain ce matin, aucun médecin n'est passé",
        ),
        es=(
            "{who} se cayó de la cama anoche y nadie ha venido a ver{o}",
            "{who} resbaló en el baño esta mañana y ningún médico vino",
        ),
    ),
    Scenario(
        "infection",
        "high",
        None,
        en=(
            "{p} wound is red, hot and oozing since yesterday",
            "{who} has a high temperature and shivers and the drip site is swollen",
            "my little boy has had a fever of 39 since this morning",
        ),
        fr=(
            "sa cicatrice est rouge, chaude et suinte depuis hier",
            "{who} a de la fièvre et des frissons et la perfusion est gonflée",
            "mon petit garçon a 39 de fièvre depuis ce matin",
        ),
        es=(
            "la herida está roja, caliente y supura desde ayer",
            "{who} tiene fiebre alta y escalofríos y la vía está hinchada",
            "mi niño tiene fiebre de 39 desde esta mañana",
        ),
    ),
    Scenario(
        "neglect",
        "high",
        None,
        en=(
            "{who} rang the call bell for {dur} and nobody came",
            "{who} hasn't had anything to drink since yesterday, the jug is out of reach",
            "{who} has been left in a soiled bed since this morning",
            "{who} has a bed sore on {p} heel that nobody has dressed",
        ),
        fr=(
            "{who} a sonné pendant {dur} et personne n'est venu",
            "{who} n'a rien bu depuis hier, la carafe est hors de portée",
            "{who} est laissé{e} dans un lit souillé depuis ce matin",
            "{who} a une escarre au talon que personne n'a soignée",
        ),
        es=(
            "{who} tocó el timbre durante {dur} y nadie vino",
            "{who} no ha bebido nada desde ayer, la jarra está fuera de su alcance",
            "{who} lleva en una cama sucia desde esta mañana",
            "{who} tiene una llaga en el talón que nadie le ha curado",
        ),
    ),
    Scenario(
        "privacy",
        "high",
        None,
        en=(
            "the receptionist read out my test results in front of the whole waiting room",
            "a nurse discussed my diagnosis with my neighbour without asking me",
        ),
        fr=(
            "la secrétaire a lu mes résultats devant toute la salle d'attente",
            "une infirmière a parlé de mon diagnostic à mon voisin sans me demander",
        ),
        es=(
            "la recepcionista leyó mis resultados delante de toda la sala de espera",
            "una enfermera habló de mi diagnóstico con mi vecino sin preguntarme",
        ),
    ),
    Scenario(
        "hidden_high",
        "high",
        "no_keyword",
        en=(
            "the drip in {place} has been beeping empty for {dur} and nobody comes",
            "a nurse shouted at {who} and grabbed {p} arm roughly",
            "{p} catheter bag is full to bursting and nobody has emptied it all day",
            "{who} is diabetic and still hasn't had breakfast, {p} sugar is low",
            "{who} has been vomiting all morning and can't keep anything down",
            "the surgeon said {who} would be seen today and it's now 9pm with no review",
        ),
        fr=(
            "la perfusion de {place} sonne vide depuis {dur} et personne ne vient",
            "une infirmière a crié sur {who} et {o} a attrapé{e} brutalement par le bras",
            "sa poche urinaire est pleine à craquer et personne ne l'a vidée de la journée",
            "{who} est diabétique et n'a toujours pas eu de petit déjeuner, sa glycémie est basse",
            "{who} vomit depuis ce matin et ne garde rien",
            "le chirurgien avait dit que {who} serait vu{e} aujourd'hui, il est 21h et personne",
        ),
        es=(
            "el gotero de {place} lleva {dur} pitando vacío y no viene nadie",
            "una enfermera le gritó a {who} y {o} agarró del brazo con brusquedad",
            "su bolsa de orina está llenísima y nadie la ha vaciado en todo el día",
            "{who} es diabétic{a} y todavía no ha desayunado, tiene el azúcar bajo",
            "{who} lleva toda la mañana vomitando y no retiene nada",
            "el cirujano dijo que verían a {who} hoy y ya son las 9 de la noche sin nadie",
        ),
    ),
    # ---------------------------------------------------------------- medium: days
    Scenario(
        "wait",
        "medium",
        None,
        en=(
            "we waited {dur} in {place} without any update",
            "five hours in A&E just to be told to come back tomorrow",
            "my appointment was cancelled for the third time",
        ),
        fr=(
            "nous avons attendu {dur} dans {place} sans aucune nouvelle",
            "cinq heures aux urgences pour qu'on nous dise de revenir demain",
            "mon rendez-vous a été annulé pour la troisième fois",
        ),
        es=(
            "esperamos {dur} en {place} sin ninguna información",
            "cinco horas en urgencias para que nos digan que volvamos mañana",
            "me cancelaron la cita por tercera vez",
        ),
    ),
    Scenario(
        "attitude",
        "medium",
        None,
        en=(
            "the receptionist was rude and dismissive",
            "the doctor didn't listen and talked down to {who}",
            "nobody explained the results to us, we had to chase for days",
        ),
        fr=(
            "la secrétaire était désagréable et méprisante",
            "le médecin n'a pas écouté et a parlé à {who} avec mépris",
            "personne ne nous a expliqué les résultats, on a dû relancer pendant des jours",
        ),
        es=(
            "la recepcionista fue grosera y despectiva",
            "el médico no escuchó y trató a {who} con desprecio",
            "nadie nos explicó los resultados, tuvimos que insistir durante días",
        ),
    ),
    Scenario(
        "facilities",
        "medium",
        None,
        en=(
            "the toilets in {place} were filthy",
            "the food was cold and tasteless every single day",
            "I was charged twice for the same appointment",
            "my glasses went missing from {place} and nobody will look for them",
            "it was so noisy at night that nobody on the ward could sleep",
        ),
        fr=(
            "les toilettes de {place} étaient sales",
            "les repas étaient froids et sans goût tous les jours",
            "on m'a facturé deux fois la même consultation",
            "mes lunettes ont disparu dans {place} et personne ne veut les chercher",
            "il y avait tellement de bruit la nuit que personne ne pouvait dormir",
        ),
        es=(
            "los baños de {place} estaban sucios",
            "la comida estaba fría y sin sabor todos los días",
            "me cobraron dos veces la misma consulta",
            "mis gafas desaparecieron en {place} y nadie las busca",
            "había tanto ruido por la noche que nadie en la planta podía dormir",
        ),
    ),
    Scenario(
        "resolved",
        "medium",
        "resolved",
        en=(
            "{who} had chest pain last night but it has gone now; still, nobody explained what happened",
            "yesterday {who} couldn't breathe well but {s} is fine now, we'd like a call from the doctor",
            "{who} fell last week, {s} has recovered, but we were never told how it happened",
            "the bleeding stopped on its own after an hour, but I want someone to look at the wound this week",
        ),
        fr=(
            "{who} a eu une douleur dans la poitrine cette nuit mais c'est passé ; personne ne nous a rien expliqué",
            "hier {who} avait du mal à respirer mais ça va mieux maintenant, on voudrait un appel du médecin",
            "{who} est tombé{e} la semaine dernière, {s} va bien, mais on ne nous a jamais dit comment",
            "le saignement s'est arrêté tout seul, mais je voudrais qu'on regarde la plaie cette semaine",
        ),
        es=(
            "{who} tuvo dolor en el pecho anoche pero ya se le pasó; aun así nadie nos explicó nada",
            "ayer {who} respiraba mal pero ya está bien, queremos que nos llame el médico",
            "{who} se cayó la semana pasada, ya se recuperó, pero nunca nos dijeron cómo pasó",
            "el sangrado se detuvo solo, pero quiero que alguien revise la herida esta semana",
        ),
    ),
    Scenario(
        "negated_complaint",
        "medium",
        "negation",
        en=(
            "no chest pain or breathing problems, but the waiting time was ridiculous",
            "{who} didn't fall or get hurt, but the ward was understaffed and chaotic",
            "not bleeding anymore, just annoyed that nobody rang us back about the appointment",
        ),
        fr=(
            "pas de douleur thoracique ni de problème pour respirer, mais l'attente était ridicule",
            "{who} n'est pas tombé{e}, mais le service manquait de personnel et c'était le chaos",
            "ça ne saigne plus, je suis juste agacé qu'on ne nous ait pas rappelés pour le rendez-vous",
        ),
        es=(
            "sin dolor de pecho ni problemas para respirar, pero la espera fue ridícula",
            "{who} no se cayó ni se hizo daño, pero la planta estaba sin personal y era un caos",
            "ya no sangra, solo estoy molesto porque nadie nos llamó por la cita",
        ),
    ),
    Scenario(
        "sarcasm_complaint",
        "medium",
        "sarcasm",
        en=(
            "oh wonderful, another {dur} in {place}, best hospital ever",
            "fantastic service, lost my file twice, truly impressive",
        ),
        fr=(
            "génial, encore {dur} dans {place}, meilleur hôpital du monde",
            "service formidable, mon dossier perdu deux fois, vraiment impressionnant",
        ),
        es=(
            "genial, otras {dur} en {place}, el mejor hospital del mundo",
            "servicio fantástico, perdieron mi expediente dos veces, impresionante",
        ),
    ),
    # ---------------------------------------------------------------- low: praise or minor
    Scenario(
        "praise",
        "low",
        None,
        en=(
            "the nurses in {place} were wonderful with {who}",
            "thank you to the whole team, the care was excellent",
            "the doctor took time to explain everything, very reassuring",
        ),
        fr=(
            "les infirmières de {place} ont été formidables avec {who}",
            "merci à toute l'équipe, les soins étaient excellents",
            "le médecin a pris le temps de tout expliquer, très rassurant",
        ),
        es=(
            "las enfermeras de {place} fueron maravillosas con {who}",
            "gracias a todo el equipo, la atención fue excelente",
            "el médico se tomó el tiempo de explicarlo todo, muy tranquilizador",
        ),
    ),
    Scenario(
        "minor",
        "low",
        None,
        en=(
            "the wifi in {place} is a bit slow",
            "it would be nice to have more vegetarian options",
            "the TV remote in my room doesn't work very well",
            "parking machines only take coins, a card reader would help",
        ),
        fr=(
            "le wifi dans {place} est un peu lent",
            "ce serait bien d'avoir plus de plats végétariens",
            "la télécommande de ma chambre marche mal",
            "les horodateurs du parking ne prennent que les pièces",
        ),
        es=(
            "el wifi de {place} va un poco lento",
            "estaría bien tener más opciones vegetarianas",
            "el mando de la tele de mi habitación funciona mal",
            "las máquinas del parking solo aceptan monedas",
        ),
    ),
    Scenario(
        "minor_facilities",
        "low",
        None,
        en=(
            "the light in the stairwell near {place} is out",
            "the clock in {place} is ten minutes slow",
            "the vending machine by the lifts keeps eating coins",
            "the signs to the x-ray department are a bit confusing",
            "could the visiting hours be a bit longer at weekends",
            "a phone charger point by each bed would be handy",
            "the chairs for relatives in {place} are uncomfortable",
            "the door to {place} squeaks every time it opens",
            "the coffee in the café is expensive for what it is",
            "the appointment letter arrived after the appointment date, luckily I phoned",
            "the hand gel dispenser by the entrance is empty",
            "it was a bit cold in {place} at night, an extra blanket would help",
        ),
        fr=(
            "la lumière de l'escalier près de {place} ne marche plus",
            "l'horloge de {place} retarde de dix minutes",
            "le distributeur près des ascenseurs avale les pièces",
            "les panneaux vers la radiologie ne sont pas très clairs",
            "les horaires de visite pourraient être un peu plus longs le week-end",
            "une prise pour recharger le téléphone près du lit serait pratique",
            "les chaises pour les familles dans {place} sont inconfortables",
            "la porte de {place} grince à chaque ouverture",
            "le café de la cafétéria est cher pour ce que c'est",
            "le distributeur de gel à l'entrée est vide",
            "il faisait un peu froid dans {place} la nuit, une couverture en plus serait bien",
        ),
        es=(
            "la luz de la escalera cerca de {place} está fundida",
            "el reloj de {place} va diez minutos atrasado",
            "la máquina expendedora junto a los ascensores se traga las monedas",
            "los carteles hacia radiología son un poco confusos",
            "el horario de visitas podría ser más largo los fines de semana",
            "un enchufe para cargar el móvil junto a la cama vendría bien",
            "las sillas para los familiares en {place} son incómodas",
            "la puerta de {place} chirría cada vez que se abre",
            "el café de la cafetería es caro para lo que es",
            "el dispensador de gel de la entrada está vacío",
            "hacía un poco de frío en {place} por la noche, una manta más estaría bien",
        ),
    ),
    Scenario(
        "process_complaint",
        "medium",
        None,
        en=(
            "my referral letter was sent to the wrong address and I've had to chase it for two weeks",
            "the consultant cancelled the clinic with one day's notice and no new date",
            "{who} was moved to three different wards in two days and nobody told us",
            "the discharge took all day, we sat waiting for the pharmacy from 10 until 6",
            "nobody answers the phone at the outpatient department",
            "the nurses on {place} seem overworked, call bells ring a long time at night",
            "I was given contradictory information by two doctors about {p} operation",
            "the parking fine I got while visiting {who} is unfair, the machine was broken",
        ),
        fr=(
            "ma lettre d'orientation est partie à la mauvaise adresse, je relance depuis deux semaines",
            "le spécialiste a annulé la consultation la veille sans nouvelle date",
            "{who} a changé trois fois de service en deux jours sans qu'on nous prévienne",
            "la sortie a pris toute la journée, on a attendu la pharmacie de 10h à 18h",
            "personne ne répond au téléphone des consultations externes",
            "deux médecins nous ont donné des informations contradictoires sur l'opération",
            "l'amende de stationnement reçue en rendant visite à {who} est injuste, l'horodateur était en panne",
        ),
        es=(
            "mi carta de derivación se envió a una dirección equivocada y llevo dos semanas reclamando",
            "el especialista canceló la consulta con un día de antelación y sin nueva fecha",
            "a {who} lo cambiaron de planta tres veces en dos días y nadie nos avisó",
            "el alta tardó todo el día, esperamos a farmacia de 10 a 6",
            "nadie contesta el teléfono de consultas externas",
            "dos médicos nos dieron información contradictoria sobre la operación",
            "la multa de aparcamiento que me pusieron visitando a {who} es injusta, la máquina estaba rota",
        ),
    ),
    Scenario(
        "negated_praise",
        "low",
        "negation",
        en=(
            "no pain at all after the procedure, thank you",
            "no complaints, nobody was rude and the wait was short",
            "{who} never had any breathing problems during the stay, great care",
        ),
        fr=(
            "aucune douleur après l'intervention, merci",
            "rien à redire, personne n'a été désagréable et l'attente était courte",
            "{who} n'a jamais eu de problème pour respirer pendant le séjour, très bons soins",
        ),
        es=(
            "ningún dolor después del procedimiento, gracias",
            "sin quejas, nadie fue grosero y la espera fue corta",
            "{who} nunca tuvo problemas para respirar durante la estancia, muy buena atención",
        ),
    ),
    Scenario(
        "figurative",
        "low",
        "figurative",
        en=(
            "the view from {place} took my breath away",
            "I'm dying to get home to my own bed, but the team were lovely",
            "the cake in the café is to die for",
        ),
        fr=(
            "la vue depuis {place} est à couper le souffle",
            "je meurs d'envie de rentrer chez moi, mais l'équipe était adorable",
            "le gâteau de la cafétéria est une tuerie",
        ),
        es=(
            "la vista desde {place} quita el aliento",
            "me muero de ganas de volver a casa, pero el equipo fue encantador",
            "el pastel de la cafetería está de muerte",
        ),
    ),
    Scenario(
        "resolved_praise",
        "low",
        "resolved",
        en=(
            "my knee pain is completely gone after the surgery, thank you so much",
            "{who} came in with a bad chest infection and went home fully recovered, thanks to all",
        ),
        fr=(
            "ma douleur au genou a complètement disparu après l'opération, merci beaucoup",
            "{who} est arrivé{e} avec une grosse bronchite et est rentré{e} guéri{e}, merci à tous",
        ),
        es=(
            "el dolor de rodilla desapareció por completo tras la operación, muchas gracias",
            "{who} llegó con una infección fuerte y se fue a casa recuperad{a}, gracias a todos",
        ),
    ),
)

# Critical scenarios also appear wrapped in praise or sarcasm: tone and rating must not hide them.
POLITE_WRAPS = {
    "en": ("{praise} Just so you know, {text}.", "{praise} By the way {text}."),
    "fr": ("{praise} Pour info, {text}.", "{praise} Au fait, {text}."),
    "es": ("{praise} Por cierto, {text}.", "{praise} Solo para que lo sepan, {text}."),
}
SARCASM_WRAPS = {
    "en": ("Great service as always: {text}.", "Brilliant, just brilliant. {text} and nobody cares."),
    "fr": (
        "Super service comme toujours : {text}.",
        "Bravo, vraiment bravo. {text} et tout le monde s'en fiche.",
    ),
    "es": ("Qué gran servicio: {text}.", "Genial, de verdad. {text} y a nadie le importa."),
}
