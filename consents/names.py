"""Does a typed signature name the client on file? Case, accents and spacing aside.

Both names are normalised the same way (`normalise`): Unicode NFKD, combining marks
dropped, case folded, curly apostrophes made straight, full stops and spaces collapsed
to single spaces. The typed name must then start with the first name on file and end
with the whole last name on file; between them it may give any of the other given
names on file (a middle name in the first-name field), in order, each in full or as
its initial, or leave them out. "J R" does not sign for Jordan Rivera.
"""

from __future__ import annotations

import unicodedata


def normalise(name: str) -> list[str]:
    """The words of a name, compared without case, accents or punctuation spacing."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.casefold().replace("\u2019", "'").replace("\u2018", "'").replace(".", " ")
    return bare.split()


def _same_middle(typed: str, on_file: str) -> bool:
    return typed == on_file or (len(typed) == 1 and on_file.startswith(typed))


def _middle_fits(typed: list[str], on_file: list[str]) -> bool:
    """Each typed middle word is one of the given names on file, in order."""
    remaining = iter(on_file)
    return all(any(_same_middle(word, name) for name in remaining) for word in typed)


def name_matches(typed: str, *, first_name: str, last_name: str) -> bool:
    """True when `typed` is the client's first and last name on file (see the module)."""
    words = normalise(typed)
    given, family = normalise(first_name), normalise(last_name)
    if not given and not family:
        return bool(words)
    required = len(given[:1]) + len(family)
    if len(words) < required:
        return False
    if given and words[0] != given[0]:
        return False
    if family and words[len(words) - len(family) :] != family:
        return False
    middle = words[len(given[:1]) : len(words) - len(family)]
    return _middle_fits(middle, given[1:])
