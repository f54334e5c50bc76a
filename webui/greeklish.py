"""Greeklish in the register's search: "aggeliki", "angeliki" and "Αγγελική" find the same person.

:func:`planner.register.places.normalise` writes Greek in Latin letters one way (ELOT 743-like:
Αγγελική -> ``angeliki``, Χρήστος -> ``christos``, Θεοδώρα -> ``theodora``). People type Greek
in Latin letters many ways: γγ/γκ as gg, gk, ng, nk or g; ου as ou or u; ι/η/υ/ει/οι as i, h, y,
ei or oi; ο/ω as o or w; χ as ch, kh, h or x; ξ as x or ks; θ as th or 8; αι as ai or e; μπ as
mp or b; β as v or b.

Both sides are folded to a coarser key (:func:`loose`): every spelling of one sound becomes
the same letters, and doubled letters become one. Some Greeklish spellings stand for two
sounds, ``h`` (η or χ), ``x`` (χ or ξ), ``b`` (μπ or β), ``th`` (θ or τη), ``kh`` (χ or κη):
in a query they become a choice (:func:`pattern`); the name's key, made from Greek, is never
ambiguous. The fold is coarse on purpose (δ and ντ stay apart, but ε and αι, ι and υ do not):
a search lists candidates for a person to pick from.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["loose", "pattern"]

# Applied in order to a normalised (lower-case, Latin) text; the name side and the query side
# share them. ELOT writes ξ as x and χ as ch: ξ becomes ks first, then every χ spelling x.
_COMMON: tuple[tuple[str, str], ...] = (
    ("th", "8"),  # θ
    ("ps", "ps"),
    ("ou", "u"),  # ου
    ("gg", "g"),  # γγ, γκ: gg, ng, gk, nk, g
    ("ng", "g"),
    ("gk", "g"),
    ("nk", "g"),
    ("mp", "b"),  # μπ
    ("ph", "f"),
    ("ai", "e"),  # αι
    ("ei", "i"),  # ει
    ("oi", "i"),  # οι
    ("y", "i"),  # υ, η, ι (ELOT writes η as i already)
    ("w", "o"),  # ω
    ("au", "av"),  # αυ, ευ: au/av/af, eu/ev/ef
    ("eu", "ev"),
    ("af", "av"),
    ("ef", "ev"),
)
_NAME_FIRST = (("x", "ks"), ("ch", "x"))  # ξ, χ as ELOT writes them
# In a query th, ph, ch and kh are read before a lone h (th is θ or τη, kh χ or κη); the
# choices are marked with Greek capitals, which no rule touches.
_QUERY_FIRST = (
    ("th", "Θ"), ("kh", "Κ"), ("ph", "f"), ("ch", "x"), ("x", "Χ"), ("h", "Η"), ("b", "Β"), ("c", "k"),
)  # fmt: skip
_CHOICES = {"Θ": "(?:8|t[ix])", "Κ": "(?:x|k[ix])", "Χ": "(?:x|ks)", "Η": "[ix]", "Β": "[bv]"}


def _fold(text: str, first: tuple[tuple[str, str], ...]) -> str:
    for old, new in (*first, *_COMMON):
        text = text.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", text)


def loose(normalised_text: str) -> str:
    """The coarse key of a name already passed through ``normalise``."""
    return _fold(normalised_text, _NAME_FIRST)


@lru_cache(maxsize=256)
def pattern(normalised_word: str) -> re.Pattern[str]:
    """A regular expression finding one normalised query word in a :func:`loose` key."""
    folded = _fold(normalised_word, _QUERY_FIRST)
    return re.compile("".join(_CHOICES.get(ch, re.escape(ch)) for ch in folded))
