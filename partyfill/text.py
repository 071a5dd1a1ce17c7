"""Names, places and text for the filled party, from fixed lists and a seeded random
generator (the same seed gives the same party). Text is Swedish-ish prose built from
a small vocabulary: real words, so full-text search has something to find."""

from __future__ import annotations

import random

from deliberation.markdown import render_markdown

FIRST = [
    "Alva",
    "Elias",
    "Maja",
    "Liam",
    "Ella",
    "Noah",
    "Wilma",
    "Hugo",
    "Alice",
    "Oscar",
    "Saga",
    "William",
    "Freja",
    "Lucas",
    "Ebba",
    "Adam",
    "Astrid",
    "Ali",
    "Selma",
    "Nils",
    "Vera",
    "Leo",
    "Signe",
    "Axel",
    "Tyra",
    "Isak",
    "Elsa",
    "Ludvig",
    "Greta",
    "Viktor",
    "Agnes",
    "Olle",
    "Klara",
    "Sixten",
    "Linnea",
    "Omar",
    "Sara",
    "Erik",
    "Nora",
    "Anton",
    "Ines",
    "Mohammed",
]
LAST = [
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Hansson",
    "Lindberg",
    "Lindqvist",
    "Berg",
    "Holm",
    "Sandberg",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Lundgren",
    "Axelsson",
    "Hussein",
    "Ali",
    "Nordin",
    "Ekström",
    "Lund",
    "Björk",
    "Åberg",
    "Falk",
    "Hedlund",
    "Sundberg",
    "Öberg",
    "Mattsson",
    "Hosseini",
    "Lindholm",
]

REGIONS = [
    "Stockholm",
    "Uppsala",
    "Södermanland",
    "Östergötland",
    "Jönköping",
    "Kronoberg",
    "Kalmar",
    "Gotland",
    "Blekinge",
    "Skåne",
    "Halland",
    "Västra-Götaland",
    "Värmland",
    "Örebro",
    "Västmanland",
    "Dalarna",
    "Gävleborg",
    "Västernorrland",
    "Jämtland",
    "Västerbotten",
    "Norrbotten",
]
PLACE_HEADS = [
    "Ås",
    "Berg",
    "Sand",
    "Lind",
    "Ek",
    "Björk",
    "Holm",
    "Sjö",
    "Mal",
    "Kar",
    "Väst",
    "Öst",
    "Norr",
    "Sö",
    "Stor",
    "Lill",
    "Hög",
    "Fager",
    "Rönn",
    "Al",
    "Gran",
    "Hag",
    "Vik",
    "Ny",
    "Sol",
    "Kung",
    "Strand",
    "Brunn",
    "Lövs",
    "Tall",
]
PLACE_TAILS = [
    "by",
    "köping",
    "holm",
    "sund",
    "torp",
    "vik",
    "berga",
    "hult",
    "dal",
    "stad",
    "näs",
    "ås",
    "fors",
    "lund",
    "ö",
    "hamn",
    "å",
    "ryd",
    "bo",
    "red",
    "sjö",
    "mark",
]
BRANCH_TAILS = ("centrum", "norra", "södra", "östra", "västra", "hamnen", "gamla stan")

TOPICS = [
    ("Klimat och miljö", "klimat"),
    ("Bostäder", "bostader"),
    ("Skola och utbildning", "skola"),
    ("Vård och omsorg", "vard"),
    ("Arbete och ekonomi", "arbete"),
    ("Demokrati och öppenhet", "demokrati"),
    ("Kollektivtrafik", "trafik"),
    ("Kultur", "kultur"),
    ("Landsbygd", "landsbygd"),
    ("Digitalisering", "digitalisering"),
    ("Partiets organisation", "organisation"),
    ("Jämlikhet", "jamlikhet"),
]

SUBJECTS = [
    "kommunen",
    "regionen",
    "partiet",
    "styrelsen",
    "skolan",
    "vårdcentralen",
    "biblioteket",
    "kollektivtrafiken",
    "bostadsbolaget",
    "föreningen",
    "medlemmarna",
    "förvaltningen",
]
VERBS = [
    "inför",
    "utreder",
    "bygger ut",
    "sänker avgiften för",
    "öppnar",
    "finansierar",
    "prioriterar",
    "redovisar",
    "förstärker",
    "samordnar",
    "digitaliserar",
    "upphandlar",
]
OBJECTS = [
    "cykelbanor",
    "solpaneler på skolor",
    "gratis kollektivtrafik för unga",
    "hyresrätter",
    "fritidsgårdar",
    "öppna protokoll",
    "en klimatbudget",
    "fler lärare",
    "nattbussar",
    "medborgarbudget",
    "lokala matbutiker",
    "laddstolpar",
    "simundervisning",
    "trygghetsvandringar",
    "bredband på landsbygden",
    "läxhjälp",
    "sommarjobb för unga",
    "ett öppet register",
]
OPENERS = [
    "Jag tycker att",
    "Bra förslag, men",
    "Jag håller inte med:",
    "En fråga:",
    "Enligt min mening",
    "I vår lokalavdelning har vi sett att",
    "Det viktiga är att",
    "Kanske borde vi",
    "Jag stödjer detta eftersom",
    "Hur ska det finansieras om",
    "Erfarenheten visar att",
]
REASONS = [
    "det sparar pengar på sikt",
    "fler får möjlighet att delta",
    "det minskar utsläppen",
    "det gynnar de som har minst",
    "det redan fungerar i grannkommunen",
    "medlemmarna har efterfrågat det länge",
    "det stärker förtroendet",
    "det blir tryggare för barnen",
    "kostnaden är osäker",
    "vi behöver mer underlag",
    "det skapar jobb lokalt",
    "det ger bättre service",
]


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST), rng.choice(LAST)


def place(rng: random.Random) -> str:
    return rng.choice(PLACE_HEADS) + rng.choice(PLACE_TAILS)


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(OPENERS)} {rng.choice(SUBJECTS)} {rng.choice(VERBS)} "
        f"{rng.choice(OBJECTS)}, eftersom {rng.choice(REASONS)}."
    )


def title(rng: random.Random) -> str:
    subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
    return f"Att {subject} {verb} {obj}"[:200]


def clause(rng: random.Random) -> str:
    return f"att {rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"


def rationale(rng: random.Random) -> str:
    paragraphs = [
        " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))
        for _ in range(rng.randint(1, 3))
    ]
    return "\n\n".join(paragraphs)


class ParagraphPool:
    """Comment text: a pool of paragraphs rendered once by the real Markdown
    renderer. A comment is one or two of them; its HTML is their rendered HTML
    joined (the renderer gives paragraphs that way: a test checks it), so a million
    comments need a few thousand renders, not a million."""

    def __init__(self, rng: random.Random, size: int = 3000) -> None:
        self.texts = [
            " ".join(sentence(rng) for _ in range(rng.randint(1, 3)))
            for _ in range(size)
        ]
        self.html = [render_markdown(t) for t in self.texts]

    def body(self, rng: random.Random) -> tuple[str, str]:
        a = rng.randrange(len(self.texts))
        if rng.random() < 0.7:
            return self.texts[a], self.html[a]
        b = rng.randrange(len(self.texts))
        return (
            self.texts[a] + "\n\n" + self.texts[b],
            self.html[a] + self.html[b],
        )


def slug(name: str) -> str:
    table = str.maketrans(
        {"å": "a", "ä": "a", "ö": "o", "Å": "a", "Ä": "a", "Ö": "o", " ": "-"}
    )
    return name.translate(table).lower()
