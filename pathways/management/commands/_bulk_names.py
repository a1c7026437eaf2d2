"""The invented names of the bulk practice's clients, their requests and escorts.

A practice has few people who share both a first and a last name. Drawn from the staff's
40 first names and 30 surnames (1,200 names), the 22,000 people of a practice of 10,000
clients came out about 18 to a name: the inbox then flagged nearly every request as a
possible duplicate (its check compares names), reading some 400 candidates a page, and a
search by a full name found a screen of namesakes (issue 14 §1 asks for a realistic
practice). Here a surname is a root and an ending (Ash + ford, Hollo + way): 111 first
names by 60 roots by 30 endings, about 200,000 names, so that about one person in ten
(10.6% of 22,000 drawn) shares theirs with someone, as the common names of a real
practice do. A few carry accents, which the duplicate check sets aside
(intake.models.name_key) and an e-mail address leaves out (`email_address`).
"""

from __future__ import annotations

import random

from intake.models import without_accents
from pathways.management.commands._bulk_staff import FIRST_NAMES, LAST_NAMES

FIRST = [
    "Aaliyah",
    "Abel",
    "Adaeze",
    "Aiden",
    "Aisha",
    "Alba",
    "Alejandro",
    "Alice",
    "Amara",
    "Amir",
    "Ana",
    "Andre",
    "Anika",
    "Arjun",
    "Asha",
    "Ava",
    "Beatriz",
    "Ben",
    "Bianca",
    "Bruno",
    "Caleb",
    "Camila",
    "Carmen",
    "Chloe",
    "Chidi",
    "Clara",
    "Cyrus",
    "Dalia",
    "Daniel",
    "Dara",
    "Darius",
    "Delia",
    "Diego",
    "Dmitri",
    "Eden",
    "Elena",
    "Eli",
    "Elif",
    "Emeka",
    "Emma",
    "Ethan",
    "Farah",
    "Felix",
    "Fiona",
    "Gabriel",
    "Grace",
    "Hana",
    "Hassan",
    "Helena",
    "Henry",
    "Ian",
    "Imani",
    "Ines",
    "Isaac",
    "Ivy",
    "Jamal",
    "Jana",
    "Jasper",
    "Jia",
    "José",
    "Julia",
    "Kamal",
    "Kara",
    "Keiko",
    "Kofi",
    "Laila",
    "Leo",
    "Lucia",
    "Luis",
    "Mara",
    "Marcus",
    "Maya",
    "Mei",
    "Miguel",
    "Mira",
    "Nadia",
    "Naomi",
    "Nathan",
    "Nikhil",
    "Noah",
    "Nora",
    "Obi",
    "Olivia",
    "Omar",
    "Pablo",
    "Priya",
    "Quinn",
    "Rafael",
    "Rania",
    "Renée",
    "Rhea",
    "Rohan",
    "Rosa",
    "Ruth",
    "Sami",
    "Sara",
    "Sean",
    "Selin",
    "Simone",
    "Sofia",
    "Tariq",
    "Tessa",
    "Theo",
    "Uma",
    "Valeria",
    "Victor",
    "Wei",
    "Yusuf",
    "Zainab",
    "Zara",
    "Zoë",
]
ROOTS = [
    "Ash",
    "Black",
    "Brad",
    "Brook",
    "Cald",
    "Chad",
    "Crane",
    "Dal",
    "Dun",
    "Els",
    "Fair",
    "Fen",
    "Gar",
    "Glen",
    "Hal",
    "Har",
    "Hart",
    "Haw",
    "Hollo",
    "Kend",
    "Kings",
    "Lang",
    "Lin",
    "Marl",
    "Mel",
    "Mid",
    "Mor",
    "Nor",
    "Oak",
    "Pem",
    "Red",
    "Ren",
    "Rock",
    "Roth",
    "Rut",
    "Sal",
    "Sand",
    "Sher",
    "Stan",
    "Stock",
    "Sum",
    "Thorn",
    "Tal",
    "Wal",
    "War",
    "Wes",
    "Whit",
    "Wil",
    "Win",
    "York",
    "Alder",
    "Birch",
    "Cope",
    "Dray",
    "Elm",
    "Frost",
    "Gale",
    "Heath",
    "Lock",
    "Pres",
]
ENDINGS = [
    "ford",
    "well",
    "ton",
    "by",
    "ley",
    "wood",
    "field",
    "man",
    "son",
    "er",
    "ridge",
    "worth",
    "more",
    "dale",
    "stone",
    "brook",
    "land",
    "wick",
    "combe",
    "ham",
    "hurst",
    "low",
    "mont",
    "gate",
    "ward",
    "bury",
    "den",
    "way",
    "croft",
    "shaw",
]


# How many ways the practice's own stream drew a first name and a surname when it drew
# them from the staff's lists.
STAFF_FIRST_WAYS, STAFF_SURNAME_WAYS = len(FIRST_NAMES), len(LAST_NAMES)


def person_name(rng: random.Random, names: random.Random) -> tuple[str, str]:
    """A first name and a surname, drawn from `names`. The practice's stream `rng` makes
    the two draws it made when the names came from the staff's lists, and they are set
    aside: every other draw stays where it was, so that a seed builds the same practice
    as before around the new names (the same clients, courses, sessions and scores)."""
    rng.randrange(STAFF_FIRST_WAYS)
    rng.randrange(STAFF_SURNAME_WAYS)
    return names.choice(FIRST), names.choice(ROOTS) + names.choice(ENDINGS)


def first_name(rng: random.Random, names: random.Random) -> str:
    """A first name (an escort's), with the practice's own draw set aside likewise."""
    rng.randrange(STAFF_FIRST_WAYS)
    return names.choice(FIRST)


def email_address(first: str, last: str, tag: str) -> str:
    """The person's invented address (`tag` makes it theirs alone), in ASCII: an accent
    in it (josé.…) is refused by the e-mail check of every form that edits it."""
    return without_accents(f"{first.lower()}.{last.lower()}{tag}@example.com")
