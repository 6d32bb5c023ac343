"""Kwaliteitsplannen written for the tests, paragraph by paragraph, with what each is about.

Each paragraph carries the Kwaliteitskader themes a careful reader would say it is
about (keys of `[plan.themes]` in the rules); the theme tests and
`benchmarks/plan_themes.py` measure the keyword matching against these labels.
The plans are written in the varied wording real plans use; TUNED plans were used
to choose the stems, HELD_OUT plans were written afterwards and only measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

P, W, V, L, G, S, H, I = (  # noqa: E741
    "persoonsgerichte_zorg",
    "wonen_welzijn",
    "veiligheid",
    "leren_verbeteren",
    "leiderschap_governance",
    "personeelssamenstelling",
    "hulpbronnen",
    "informatie",
)
ALL_THEMES = (P, W, V, L, G, S, H, I)


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: tuple[tuple[frozenset[str], str], ...]


@dataclass(frozen=True)
class Plan:
    key: str
    title: tuple[str, ...]
    sections: tuple[Section, ...]
    themes: frozenset[str]  # the themes the plan really covers
    notes: dict[str, str] = field(default_factory=dict)


def _s(heading: str, *paragraphs: tuple[set[str], str]) -> Section:
    return Section(heading, tuple((frozenset(labels), text) for labels, text in paragraphs))


RIJNLAND = Plan(
    "rijnland",
    (
        "Kwaliteitsplan verpleeghuiszorg 2020",
        "Zorggroep Rijnland",
        "AGB-code 73730123",
        "Vastgesteld door de raad van bestuur op 25 november 2019",
    ),
    (
        _s(
            "1. Inleiding",
            (
                {G, L},
                "Voor u ligt het kwaliteitsplan 2020 van Zorggroep Rijnland. Het plan bouwt voort "
                "op het kwaliteitsverslag 2018 en is opgesteld onder verantwoordelijkheid van de "
                "raad van bestuur, samen met de teams van onze vier locaties.",
            ),
            (
                {S},
                "In 2020 investeren wij het kwaliteitsbudget in 22,5 fte extra zorgmedewerkers, "
                "vooral op de huiskamers van de psychogeriatrische afdelingen.",
            ),
        ),
        _s(
            "2. Persoonsgerichte zorg en ondersteuning",
            (
                {P},
                "Iedere bewoner heeft een zorgleefplan waarin zijn wensen, gewoonten en "
                "levensverhaal staan beschreven. Binnen zes weken na opname bespreken wij het "
                "zorgleefplan met de bewoner en zijn eerste contactpersoon.",
            ),
            (
                {P},
                "Wij willen dat bewoners zoveel mogelijk eigen regie houden over hun dag, ook "
                "als zij dementie hebben. Medewerkers nemen de tijd om aan te sluiten bij wat "
                "iemand nog kan en wil.",
            ),
            (
                {P, V},
                "Met iedere bewoner voeren wij gesprekken over advance care planning, zodat "
                "wensen rond het levenseinde tijdig bekend zijn.",
            ),
        ),
        _s(
            "3. Wonen en welzijn",
            (
                {W, S},
                "Op elke huiskamer is overdag altijd een vaste medewerker aanwezig, zodat "
                "bewoners niet alleen zitten en er ruimte is voor een zinvolle daginvulling.",
            ),
            (
                {W},
                "Wij breiden het activiteitenprogramma uit met muziek, bewegen en "
                "tuinactiviteiten, en betrekken familie en vrijwilligers daarbij.",
            ),
            (
                {W},
                "De maaltijden worden op de afdeling bereid, zodat het ruikt naar eten en "
                "bewoners kunnen helpen bij het koken.",
            ),
        ),
        _s(
            "4. Veiligheid",
            (
                {V},
                "Wij verbeteren de medicatieveiligheid door de dubbele controle bij risicovolle "
                "medicijnen digitaal vast te leggen.",
            ),
            (
                {V, L},
                "Meldingen van incidenten worden per kwartaal in het team besproken; de "
                "MIC-commissie analyseert de trends en adviseert over maatregelen.",
            ),
            (
                {V},
                "Vrijheidsbeperkende maatregelen bouwen wij verder af, in lijn met de Wet zorg "
                "en dwang.",
            ),
        ),
        _s(
            "5. Leren en verbeteren",
            (
                {L},
                "Wij nemen deel aan een lerend netwerk met drie andere zorgorganisaties in de "
                "regio. Twee keer per jaar kijken wij bij elkaar in de keuken.",
            ),
            (
                {L, S},
                "Teams reflecteren maandelijks op hun werk in intervisie onder begeleiding van "
                "een praktijkopleider.",
            ),
        ),
        _s(
            "6. Leiderschap, governance en management",
            (
                {G},
                "De raad van bestuur werkt volgens de Zorgbrede Governancecode 2017. De raad "
                "van toezicht bezoekt jaarlijks iedere locatie.",
            ),
            (
                {G},
                "Teamleiders sturen op de kernwaarden van onze visie: aandacht, vakmanschap en "
                "samen.",
            ),
        ),
        _s(
            "7. Personeelssamenstelling",
            (
                {S},
                "Van de 22,5 fte extra zijn er 8 fte voor leerlingen in een BBL-opleiding tot "
                "verzorgende IG; wij leiden zo onze eigen collega's op.",
            ),
            (
                {S},
                "Daarnaast breiden wij de formatie uit met 5 fte verzorgende IG, 3 fte "
                "verpleegkundigen en 2 fte welzijnsmedewerkers.",
            ),
            (
                {S},
                "Het verzuim willen wij terugbrengen van 7,2% naar 6%.",
            ),
        ),
        _s(
            "8. Gebruik van hulpbronnen",
            (
                {H},
                "Met domotica en leefcirkels kunnen bewoners zich vrijer bewegen, terwijl "
                "medewerkers minder tijd kwijt zijn aan nachtelijke rondes.",
            ),
            (
                {H},
                "Wij werken samen met de huisartsen en het ziekenhuis in de regio over "
                "opnames en ontslag.",
            ),
        ),
        _s(
            "9. Gebruik van informatie",
            (
                {I},
                "Wij meten de cliëntervaringen met de Net Promoter Score via ZorgkaartNederland "
                "en bespreken de uitkomsten in de teams.",
            ),
            (
                {I, L},
                "De kwaliteitsindicatoren van het Zorginstituut registreren wij per locatie en "
                "wij gebruiken een dashboard om te zien waar verbetering nodig is.",
            ),
        ),
        _s(
            "10. Begroting en medezeggenschap",
            (
                {H, S},
                "Voor 2020 vragen wij een kwaliteitsbudget aan van € 1.138.000, waarvan "
                "€ 1.033.000 voor extra personeel en € 105.000 voor scholing en domotica.",
            ),
            (
                set(),
                "De cliëntenraad heeft op 12 november 2019 positief geadviseerd over dit plan. "
                "De ondernemingsraad heeft op 18 november 2019 ingestemd.",
            ),
        ),
    ),
    frozenset(ALL_THEMES),
)

AMSTELRING = Plan(
    "amstelring",
    (
        "Stichting Amstelring Zorg",
        "Kwaliteitsplan 2020 — verpleeghuiszorg",
        "AGB 73730456",
    ),
    (
        _s(
            "Samenvatting",
            (
                {S},
                "In het kalenderjaar 2020 breiden wij onze zorgformatie uit met 31 fte, "
                "waarvan het merendeel op niveau 3.",
            ),
            (
                {H},
                "De totale begroting voor de kwaliteitsmiddelen 2020 bedraagt 1,4 miljoen euro.",
            ),
        ),
        _s(
            "De cliënt centraal",
            (
                {P},
                "Onze medewerkers kennen de cliënt: wie hij was, wat hij belangrijk vindt en "
                "hoe hij zijn leven wil leiden. Dat leggen wij vast in het persoonlijk plan.",
            ),
            (
                {P},
                "Wij werken belevingsgericht en nemen de autonomie van de cliënt als "
                "uitgangspunt, ook bij keuzes die wij zelf anders zouden maken.",
            ),
        ),
        _s(
            "Een fijne dag",
            (
                {W},
                "Cliënten moeten een zinvolle dag kunnen hebben, met activiteiten die bij hen "
                "passen. Een welzijnscoach per locatie ondersteunt de teams daarbij.",
            ),
            (
                {W},
                "Familieparticipatie krijgt vorm in de familieraad en in het maandelijkse "
                "familiecafé; mantelzorgers zijn altijd welkom om mee te eten.",
            ),
        ),
        _s(
            "Veilige zorg",
            (
                {V},
                "De apotheek voert per cliënt een medicatiebeoordeling uit; het aantal "
                "medicatie-incidenten daalde in 2019 met een kwart.",
            ),
            (
                {V},
                "Wij voeren een infectiepreventiebeleid met een hygiënist en een jaarlijkse "
                "griepvaccinatiecampagne voor medewerkers.",
            ),
        ),
        _s(
            "Kwaliteit leren en verbeteren",
            (
                {L},
                "Ons kwaliteitsmanagementsysteem is gecertificeerd volgens het HKZ-schema. "
                "Jaarlijks voeren wij interne audits uit op alle afdelingen.",
            ),
            (
                {L},
                "Elke locatie evalueert twee keer per jaar de voortgang op dit plan met de "
                "cliëntenraad en het team.",
            ),
        ),
        _s(
            "Sturing en bestuur",
            (
                {G, I},
                "Het bestuur stuurt op kwaliteit met een kwartaalrapportage per locatie, die "
                "met de managers wordt besproken.",
            ),
            (
                {G},
                "Onze organisatiecultuur is gebaseerd op vertrouwen: teams hebben ruimte om "
                "zelf beslissingen te nemen binnen heldere kaders.",
            ),
        ),
        _s(
            "Personeel",
            (
                {S},
                "Wij werven 31 fte extra, vooral verzorgenden IG en helpenden; 6 fte daarvan "
                "zijn zij-instromers die wij zelf opleiden.",
            ),
            (
                {S},
                "Een strak roosterbeleid moet de inzet van uitzendkrachten verminderen.",
            ),
            (
                {S, L},
                "Alle medewerkers volgen jaarlijks scholing in dementiezorg en omgaan met "
                "onbegrepen gedrag.",
            ),
        ),
        _s(
            "Middelen en technologie",
            (
                {H},
                "Met zorgtechnologie zoals slimme sensoren en beeldzorg in de nacht zetten wij "
                "de schaarse handen zo goed mogelijk in.",
            ),
            (
                {H},
                "De verbouwing van locatie Westwijk levert in 2020 twaalf kleinschalige "
                "woningen op.",
            ),
        ),
        _s(
            "Informatie",
            (
                {I},
                "Uitkomsten van het cliëntervaringsonderzoek zijn openbaar op onze website en "
                "op ZorgkaartNederland.",
            ),
            (
                {I},
                "Wij werken met een elektronisch cliëntdossier (ECD) waarin rapportages en "
                "metingen voor het hele team zichtbaar zijn.",
            ),
        ),
        _s(
            "Medezeggenschap",
            (
                set(),
                "De centrale cliëntenraad en de OR hebben dit plan besproken en hebben ingestemd.",
            ),
        ),
    ),
    frozenset(ALL_THEMES),
)

MARENTE = Plan(
    "marente",
    ("Kwaliteitsplan 2020", "Marente", "Verpleeghuiszorg in de Duin- en Bollenstreek"),
    (
        _s(
            "Onze bewoners",
            (
                {P},
                "Bij Marente staat de bewoner centraal. Wij vragen bij de intake naar de "
                "levensloop en leggen afspraken vast in het zorgplan.",
            ),
            (
                {P},
                "Bewoners bepalen zelf hoe hun dag eruit ziet; wij helpen waar nodig.",
            ),
        ),
        _s(
            "Leven in het huis",
            (
                {W},
                "In de huiskamers organiseren vrijwilligers samen met medewerkers "
                "activiteiten, zoals zingen, wandelen en samen koken.",
            ),
            (
                {W},
                "De binnentuin is opnieuw ingericht zodat bewoners veilig naar buiten kunnen.",
            ),
        ),
        _s(
            "Veilig wonen en zorg",
            (
                {V},
                "Valincidenten bespreken wij in het multidisciplinair overleg met de "
                "fysiotherapeut; wij zetten valpreventie in waar het risico hoog is.",
            ),
            (
                {V},
                "Decubitus en wondzorg hebben onze aandacht: een wondverpleegkundige "
                "ondersteunt de teams.",
            ),
        ),
        _s(
            "Met elkaar verbeteren",
            (
                {L},
                "Teams werken met verbeterplannen die zij zelf opstellen en elk kwartaal "
                "evalueren.",
            ),
        ),
        _s(
            "Medewerkers",
            (
                {S},
                "In 2020 komen er 18 fte bij: zorgassistenten, verzorgenden IG en "
                "gastvrouwen voor de huiskamers.",
            ),
            (
                {S},
                "Nieuwe collega's krijgen een buddy en een inwerkprogramma van drie maanden.",
            ),
        ),
        _s(
            "Hulpbronnen",
            (
                {H},
                "Wij investeren in tilliften en andere hulpmiddelen die het werk lichter maken.",
            ),
            (
                {H, S},
                "De kosten bedragen € 980.500 aan kwaliteitsmiddelen, vooral voor extra personeel.",
            ),
        ),
        _s(
            "Raden",
            (
                set(),
                "De cliëntenraad heeft advies gegeven over het plan.",
            ),
        ),
    ),
    frozenset({P, W, V, L, S, H}),
    {"missing": "no governance and no use-of-information section"},
)

DE_KREEK = Plan(
    "de-kreek",
    (
        "Zorgcentrum <De Kreek> & Zonen",
        "Meerjarig kwaliteitsplan 2019-2021",
        "AGB-code: 73731001",
    ),
    (
        _s(
            "Waar wij voor staan",
            (
                {G, P, W},
                "Onze missie is eenvoudig: mensen wonen bij ons zoals zij thuis woonden. Die "
                "visie vraagt om compassie en om medewerkers die de tijd krijgen.",
            ),
            (
                {G},
                "De directeur-bestuurder legt verantwoording af aan de raad van toezicht, die "
                "drie keer per jaar vergadert over kwaliteit.",
            ),
        ),
        _s(
            "Zorg die past",
            (
                {P},
                "Wij maken met elke bewoner afspraken over zorgdoelen en bespreken die twee "
                "keer per jaar met de familie.",
            ),
            (
                {P, W},
                "Persoonlijke aandacht is voor ons belangrijker dan een strak schema.",
            ),
        ),
        _s(
            "Het dagelijks leven",
            (
                {W},
                "Wij willen dat het huiselijk is: bewoners kunnen hun eigen meubels meenemen "
                "en er is een open keuken op elke groep.",
            ),
            (
                {W},
                "De dagbesteding is er zeven dagen per week, ook in het weekend.",
            ),
        ),
        _s(
            "Veiligheid",
            (
                {V},
                "Wij werken met een protocol voor onvrijwillige zorg en een "
                "Wzd-functionaris die meekijkt bij elke maatregel.",
            ),
            (
                {V},
                "Elke melding van een incident wordt binnen een week besproken in het team.",
            ),
        ),
        _s(
            "Leren",
            (
                {L},
                "Wij leren van fouten en van elkaar: medewerkers geven elkaar feedback in "
                "werkoverleg en in de jaarlijkse kwaliteitsdag.",
            ),
        ),
        _s(
            "Mensen",
            (
                {S},
                "In 2020 komen er 6,5 fte bij, waarvan 2 fte verpleegkundigen voor de "
                "avond- en nachtdienst.",
            ),
            (
                {S},
                "Wij bieden medewerkers die willen doorgroeien een opleiding tot "
                "verpleegkundige aan.",
            ),
        ),
        _s(
            "Geld en gebouw",
            (
                {H, S},
                "Het kwaliteitsbudget van € 450.000 gaat volledig naar extra personeel.",
            ),
            (
                {H},
                "In 2021 vervangen wij het verouderde oproepsysteem door nieuwe zorgtechnologie.",
            ),
        ),
        _s(
            "Cijfers",
            (
                {I},
                "Wij volgen de kwaliteitsindicatoren en de cliëntervaringen via "
                "ZorgkaartNederland en rapporteren daarover in ons jaarverslag.",
            ),
            (
                {I, S},
                "Gegevens over verzuim en verloop bespreken wij maandelijks in het MT.",
            ),
        ),
        _s(
            "Medezeggenschap",
            (
                set(),
                "De cliëntenraad en de ondernemingsraad hebben instemming verleend.",
            ),
        ),
    ),
    frozenset(ALL_THEMES),
)

TUNED = (RIJNLAND, AMSTELRING, MARENTE, DE_KREEK)


def paragraphs(plan: Plan) -> list[tuple[frozenset[str], str]]:
    return [p for section in plan.sections for p in section.paragraphs]


def lines(plan: Plan) -> list[str]:
    """The plan as lines of text: title, then each heading and its paragraphs."""
    out = list(plan.title)
    for section in plan.sections:
        out.append(section.heading)
        out += [text for _, text in section.paragraphs]
    return out


# Written after the stems were chosen; only measured, never tuned on.
HET_BAKEN = Plan(
    "het-baken",
    ("Zorggroep Rijnland — locatie Het Baken", "Kwaliteitsplan 2020-2021", "AGB-code 73730123"),
    (
        _s(
            "Wat wij willen bereiken",
            (
                {P},
                "Wij willen dat iedere bewoner zich gezien en gehoord voelt. Zorgverleners "
                "stemmen de zorg af op wat de bewoner zelf aangeeft, ook als dat betekent dat "
                "een vaste routine wordt losgelaten.",
            ),
            (
                {P},
                "Bij de verhuizing naar Het Baken maken wij kennis met de bewoner en zijn "
                "naasten; wat iemand vroeger deed en graag doet, nemen wij mee in het "
                "dagelijks handelen.",
            ),
        ),
        _s(
            "De dag doorbrengen",
            (
                {W},
                "Niet iedereen wil meedoen in een groep. Daarom bieden wij naast het "
                "groepsprogramma ook individuele bezoekjes, een wandeling of samen de krant "
                "lezen.",
            ),
            (
                {W},
                "De inrichting van de gangen is aangepast met herkenbare kleuren en foto's, "
                "zodat bewoners zich thuis voelen.",
            ),
        ),
        _s(
            "Risico's beperken",
            (
                {V},
                "Elke bewoner krijgt bij opname een risicosignalering op vallen, ondervoeding "
                "en huidletsel.",
            ),
            (
                {V},
                "Wij willen het gebruik van psychofarmaca verminderen en bespreken het "
                "voorschrijven ervan elk halfjaar met de specialist ouderengeneeskunde.",
            ),
        ),
        _s(
            "Ontwikkeling van de teams",
            (
                {L, S},
                "Teams kiezen zelf jaarlijks twee verbeterpunten en werken die uit met "
                "ondersteuning van de kwaliteitsadviseur.",
            ),
            (
                {S},
                "Wij stellen 14 fte extra aan, verdeeld over de dag- en avonddiensten, en "
                "begeleiden nieuwe medewerkers met een coach.",
            ),
            (
                {S},
                "Het ziekteverzuim ligt boven het landelijk gemiddelde; met een vitaliteitsplan "
                "willen wij dat omlaag brengen.",
            ),
        ),
        _s(
            "Organisatie",
            (
                {G},
                "De locatiemanager is verantwoordelijk voor de uitvoering van dit plan en "
                "legt maandelijks verantwoording af aan de bestuurder.",
            ),
            (
                {G},
                "Wij hechten aan korte lijnen tussen bestuur en werkvloer: de bestuurder loopt "
                "elke maand een dienst mee.",
            ),
        ),
        _s(
            "Middelen",
            (
                {H},
                "Het gebouw wordt in 2020 verduurzaamd en krijgt een nieuwe belevingstuin.",
            ),
            (
                {H},
                "Wij gebruiken slimme incontinentiematerialen die melden wanneer verschoning "
                "nodig is.",
            ),
        ),
        _s(
            "Meten en weten",
            (
                {I},
                "Wij vragen bewoners en familie jaarlijks naar hun ervaringen en publiceren de "
                "uitkomsten.",
            ),
            (
                {I},
                "In het zorgdossier leggen wij doelen en afspraken vast, zodat iedere "
                "zorgverlener dezelfde gegevens ziet.",
            ),
        ),
    ),
    frozenset(ALL_THEMES),
)

DUINRAND = Plan(
    "duinrand",
    ("Kwaliteitsplan verpleeghuiszorg 2020", "Stichting Zorggroep De Duinrand"),
    (
        _s(
            "Onze bewoners",
            (
                {P},
                "Uitgangspunt is de vraag van de bewoner: wat heeft u nodig om een goede dag te "
                "hebben?",
            ),
            (
                {P, W},
                "Wij besteden aandacht aan zingeving en spiritualiteit, met een geestelijk "
                "verzorger op elke locatie.",
            ),
        ),
        _s(
            "Wonen",
            (
                {W},
                "Bewoners kunnen meehelpen in de keuken en de tuin, zodat zij zich nuttig voelen.",
            ),
        ),
        _s(
            "Mensen en opleiding",
            (
                {S},
                "Wij breiden het aantal verzorgenden uit met 9 fte en zetten in op het "
                "behoud van ervaren collega's.",
            ),
            (
                {S, L},
                "Elke medewerker heeft een persoonlijk ontwikkelplan en volgt minstens één "
                "training per jaar.",
            ),
        ),
        _s(
            "Technologie en gebouw",
            (
                {H},
                "Met een nieuw alarmeringssysteem op de kamers kunnen medewerkers sneller "
                "reageren.",
            ),
        ),
        _s(
            "Kwaliteit",
            (
                {L},
                "Wij sluiten aan bij het lerend netwerk van de regio en delen daar onze "
                "ervaringen met zelfroosteren.",
            ),
            (
                {I, L},
                "Wij gebruiken de uitkomsten van de kwaliteitsindicatoren om te bepalen waar "
                "wij volgend jaar op inzetten.",
            ),
        ),
    ),
    frozenset({P, W, S, H, L, I}),
    {"missing": "no safety and no governance section"},
)

HELD_OUT = (HET_BAKEN, DUINRAND)


# Written after the second round of stems; only measured.
VEENWEIDE = Plan(
    "veenweide",
    ("Kwaliteitsplan 2020", "Stichting Amstelring Zorg, locatie Veenweide", "AGB-code 73730456"),
    (
        _s(
            "1 Inleiding",
            (
                {G},
                "Dit plan is in oktober 2019 vastgesteld door de bestuurder na bespreking in het "
                "managementteam van de locatie.",
            ),
        ),
        _s(
            "2 Zorg en ondersteuning",
            (
                {P},
                "Medewerkers kennen de voorkeuren van de mensen voor wie zij zorgen, zoals hoe "
                "laat iemand wil opstaan en wat hij graag eet.",
            ),
            (
                {P},
                "In het laatste levensfase-overleg bespreken wij met de huisarts en de familie "
                "hoe wij iemand het beste kunnen begeleiden.",
            ),
        ),
        _s(
            "3 Leven en welbevinden",
            (
                {W},
                "Bewoners gaan wekelijks op pad met de riksja of de duofiets, begeleid door "
                "vrijwilligers uit het dorp.",
            ),
            (
                {W},
                "Het restaurant is voor bewoners en buurtbewoners open, zodat er meer contact "
                "met de omgeving is.",
            ),
        ),
        _s(
            "4 Veilige zorg",
            (
                {V},
                "Het aantal fouten bij het aftekenen van geneesmiddelen willen wij halveren met "
                "een digitaal aftekensysteem.",
            ),
            (
                {V},
                "Bij elke bewoner met een verhoogde kans op vallen worden passende maatregelen "
                "afgesproken.",
            ),
        ),
        _s(
            "5 Werken aan kwaliteit",
            (
                {L},
                "Twee keer per jaar houden wij een kwaliteitsronde waarin teams elkaars werk "
                "bekijken en tips geven.",
            ),
        ),
        _s(
            "6 Medewerkers",
            (
                {S},
                "Met het kwaliteitsbudget stellen wij 11 fte extra zorgpersoneel aan, vooral in "
                "de ochtend en rond de maaltijden.",
            ),
            (
                {S},
                "Leidinggevenden voeren jaarlijks een loopbaangesprek met iedere medewerker.",
            ),
        ),
        _s(
            "7 Inzet van middelen",
            (
                {H},
                "Wij schaffen nieuwe hoog-laagbedden aan en breiden het wifi-netwerk uit naar "
                "alle kamers.",
            ),
        ),
        _s(
            "8 Sturen op cijfers",
            (
                {I, G},
                "Het managementteam bespreekt elk kwartaal de uitkomsten van de "
                "indicatoren basisveiligheid.",
            ),
        ),
    ),
    frozenset(ALL_THEMES),
)

FRESH = (VEENWEIDE,)
