"""Find a settlement by what a person types: Greek or Latin, any case, with or without accents.

Pure functions, usable with or without the database: :func:`find_settlement` takes any
objects that have ``code``, ``name_el``, ``name_latin`` and ``municipal_unit`` (the gazetteer's
:class:`planner.gazetteer.Settlement`, the register's ORM rows, or :class:`Place`).

How a name becomes a search key (:func:`normalise`): Unicode NFD, combining marks dropped,
case folded (so final ς is σ), Greek transliterated to Latin with an ELOT 743-like table, and
punctuation turned into single spaces. "Αίγιον", "ΑΙΓΙΟΝ", "aigion" give the same key
``aigion``.

Official ELSTAT names are often katharevousa (Αίγιον, Διακοπτόν, Δάφναι) while people write the
everyday form (Αίγιο, Διακοπτό, Δάφνες). :func:`name_variants` derives the everyday forms of a
key from its ending; GeoNames names shipped in the extended gazetteer CSV
(:func:`gazetteer_aliases`) add the rest (Πτέρη / Φτέρη, Σελινούς / Σελινούντας).

A search tries, in order, exact keys, then variant forms, then a loose spelling (y/i, mb/mp,
double letters, ...), and stops at the first tier with a hit. One settlement is an answer;
two or more are reported as ambiguous (there are two Λάκκα), never guessed; none gives up to
three "did you mean" suggestions (difflib on the keys).
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, Protocol, TypeVar

from planner.gazetteer import SETTLEMENTS_CSV, outside_note

__all__ = [
    "Match",
    "Place",
    "SettlementLike",
    "find_settlement",
    "gazetteer_aliases",
    "loose_key",
    "name_variants",
    "normalise",
]


class SettlementLike(Protocol):
    """What the search needs from a settlement (gazetteer dataclass, ORM row, :class:`Place`)."""

    @property
    def code(self) -> str: ...
    @property
    def name_el(self) -> str: ...
    @property
    def name_latin(self) -> str: ...
    @property
    def municipal_unit(self) -> str: ...


S = TypeVar("S", bound=SettlementLike)
T = TypeVar("T")  # Match's own parameter is unbounded: see the note on Match


@dataclass(frozen=True)
class Place:
    """A minimal searchable settlement: ELSTAT code, names and municipal unit."""

    code: str
    name_el: str
    name_latin: str
    municipal_unit: str


# --- normalisation --------------------------------------------------------------------------

_VOICELESS = set("θκξπστφχψ")  # after these (and at a word's end) αυ/ευ/ηυ sound -af/-ef/-if
_SINGLE = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip
_DIAERESIS = "\u0308"
_GREEK = re.compile(r"[\u0370-\u03ff]")


def _transliterate_word(word: str) -> str:
    """One lowercase, accentless Greek word (σ for every sigma) -> Latin, ELOT 743-like.

    A vowel carrying a diaeresis arrives as a Latin letter already (ϊ -> i, ϋ -> y), so it
    never forms a digraph: Πιμπαίϊκα -> pimpaiika.
    """
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        c = word[i]
        nxt = word[i + 1] if i + 1 < n else ""
        pair = c + nxt
        if pair == "ου":
            out.append("ou")
            i += 2
        elif c in "αεη" and nxt == "υ":
            after = word[i + 2] if i + 2 < n else ""
            out.append(_SINGLE[c] + ("f" if after == "" or after in _VOICELESS else "v"))
            i += 2
        elif pair == "μπ":
            out.append("b" if i == 0 else "mp")
            i += 2
        elif pair == "γκ":
            out.append("gk")
            i += 2
        elif c == "γ" and nxt in ("γ", "ξ", "χ"):
            out.append("n")  # γγ -> ng, γξ -> nx, γχ -> nch
            i += 1
        else:
            out.append(_SINGLE.get(c, c))
            i += 1
    return "".join(out)


def fold(text: str) -> str:
    """Lower case without accents (``"Κινητή"`` -> ``"κινητη"``), for matching and ordering."""
    return "".join(
        ch for ch in unicodedata.normalize("NFD", text.casefold()) if not unicodedata.combining(ch)
    )


def normalise(text: str) -> str:
    """The search key of a name: accentless, case-folded, Greek transliterated, spaces tidied.

    ``normalise("Αίγιον") == normalise("AIGION") == "aigion"``; ``normalise("Aígio") == "aigio"``.
    Hyphens, dots, commas, apostrophes and brackets become spaces; runs of spaces collapse.
    """
    decomposed = unicodedata.normalize("NFD", text.casefold())
    # A diaeresis splits a digraph (αϊ, αϋ): turn the marked vowel into its Latin letter now.
    decomposed = decomposed.replace("ι" + _DIAERESIS, "i").replace("υ" + _DIAERESIS, "y")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("ς", "σ")
    words = re.split(r"[^\w]+|_", bare)
    return " ".join(_transliterate_word(w) if _GREEK.search(w) else w for w in words if w)


# Katharevousa endings of the last word -> their everyday forms (on the Latin key). Other
# everyday names (Σελινούντας, Ελαιώνας, Φτέρη) come from the GeoNames aliases.
_ENDING_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ion", ("io", "i")),  # Πυργάκιον -> Πυργάκι(ο), Κράθιον -> Κράθι
    ("on", ("o",)),  # Αίγιον -> Αίγιο, Διακοπτόν -> Διακοπτό
    ("ai", ("es",)),  # Δάφναι -> Δάφνες, Καμάραι -> Καμάρες, Νεραντζιαί -> Νεραντζιές
)


def name_variants(key: str) -> frozenset[str]:
    """A key and the everyday forms of its last word: ``aigion`` -> {aigion, aigio, aigi}.

    Over-generation is harmless: a made-up form only matters if someone types it, and the
    search prefers exact keys to variants.
    """
    forms = {key}
    head, _, last = key.rpartition(" ")
    prefix = head + " " if head else ""
    for ending, replacements in _ENDING_VARIANTS:
        if last.endswith(ending) and len(last) > len(ending) + 1:
            stem = last[: -len(ending)]
            forms.update(prefix + stem + r for r in replacements)
            break
    return frozenset(forms)


_LOOSE_STEPS: tuple[tuple[str, str], ...] = (
    ("kh", "ch"), ("ch", "H"), ("ph", "f"), ("c", "k"), ("mb", "mp"), ("nd", "nt"),
    ("gk", "g"), ("gg", "ng"), ("y", "i"), ("w", "o"), ("ai", "e"), ("ei", "i"), ("oi", "i"),
    ("pt", "ft"),
)  # fmt: skip


def loose_key(key: str) -> str:
    """A coarser spelling of a key for the last search tier: Ayia ~ Agia is not here, but
    y/i, mb/mp, nd/nt, gk/g, kh/ch, ai/e, ei/i, oi/i and doubled letters all fold together,
    and so do πτ/φτ: the learned and everyday forms of one name (Διακοπτό is «Διακοφτό» in
    speech and in many office lists, as Πτέρη is Φτέρη)."""
    out = key
    for old, new in _LOOSE_STEPS:
        out = out.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", out)


# --- aliases from the shipped gazetteer ------------------------------------------------------


def gazetteer_aliases(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """ELSTAT code -> other names of the settlement, from the extended gazetteer CSV.

    The names are GeoNames' Greek and Latin names (``geonames_name_el``, ``geonames_name``),
    mostly the everyday demotic forms (Φτέρη for Πτέρη, Καμάρες for Καμάραι). Names equal to
    the official ones are left out. Raises ``FileNotFoundError`` when the file is missing.
    """
    csv_path = SETTLEMENTS_CSV if path is None else Path(path)
    aliases: dict[str, tuple[str, ...]] = {}
    with csv_path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            official = {normalise(row.get("name_el", "")), normalise(row.get("name_latin", ""))}
            names: list[str] = []
            for column in ("geonames_name_el", "geonames_name"):
                name = (row.get(column) or "").strip()
                if name and normalise(name) not in official and name not in names:
                    names.append(name)
            aliases[row["elstat_code_2011"].strip()] = tuple(names)
    return aliases


# --- search ---------------------------------------------------------------------------------

Status = Literal["found", "ambiguous", "not_found"]


@dataclass(frozen=True)
class Match(Generic[T]):
    """The answer of a search: one settlement, several (ambiguous) or none (with suggestions).

    ``settlement`` is set only when ``status == "found"``; ``candidates`` lists every settlement
    the query names when it is ambiguous; ``suggestions`` up to three near misses when nothing
    matched. ``message_el`` / ``message_en`` say it in words (empty when found).

    (Its type parameter carries no bound: mypy checks a bound written in an annotation such as
    ``Match[OrmSettlement]`` before the ORM class's ``Mapped`` attributes are analysed, and
    wrongly rejects it. :func:`find_settlement` keeps the bound.)
    """

    query: str
    status: Status
    settlement: T | None = None
    candidates: tuple[T, ...] = ()
    suggestions: tuple[T, ...] = ()
    message_el: str = ""
    message_en: str = ""

    @property
    def found(self) -> bool:
        """True when the query names exactly one settlement."""
        return self.status == "found"

    @property
    def message(self) -> str:
        """The message in Greek, then English (empty when found)."""
        if not self.message_el:
            return ""
        return f"{self.message_el} / {self.message_en}"


def _label(s: SettlementLike) -> str:
    """``Λάκκα (Δ.Ε. Αιγίου, 3702010902)``: a name a person can tell apart from its namesake."""
    return f"{s.name_el} (Δ.Ε. {s.municipal_unit}, {s.code})"


def _label_en(s: SettlementLike) -> str:
    return f"{s.name_latin} (municipal unit of {s.municipal_unit}, {s.code})"


# The separators between a settlement and its municipal unit: «Λάκκα (Αιγίου)», «Λάκκα, Αιγίου»,
# «Λάκκα - Συμπολιτείας» (a dash with a space on either side: a hyphen inside a name is kept).
_UNIT_BRACKETS = re.compile(r"\s*(.+?)\s*\(\s*(.+?)\s*\)\s*")
_UNIT_DASH = re.compile(r"\s*(.+?)\s+[-–—]\s*(.+?)\s*|\s*(.+?)\s*[–—]\s+(.+?)\s*")


def _split_unit(query: str) -> tuple[str, str]:
    """``"Λάκκα (Αιγίου)"``, ``"Λάκκα, Αιγίου"`` or ``"Λάκκα - Αιγίου"`` -> (name,
    municipal-unit hint); ``(query, "")`` when it has none of these."""
    m = _UNIT_BRACKETS.fullmatch(query)
    if m:
        return m.group(1), m.group(2)
    name, sep, unit = query.partition(",")
    if sep:
        return name, unit
    m = _UNIT_DASH.fullmatch(query)
    if m:
        return (m.group(1), m.group(2)) if m.group(1) is not None else (m.group(3), m.group(4))
    return query, ""


# The words that may come before a unit's name: «Δ.Ε.», «ΔΕ», «Δημοτική Ενότητα», "municipal unit".
_UNIT_WORDS = frozenset(
    {"de", "d", "e", "dimotiki", "dimotikis", "dimot", "dim", "enotita", "enotitas", "enot", "en",
     "municipal", "unit", "of"}
)  # fmt: skip


def _unit_matches(hint: str, unit: str) -> bool:
    """A municipal-unit hint ("Αιγίου", "Aigio", "ΔΕ Αιγίου", "Δημοτική Ενότητα Αιγίου") against
    a unit's name.

    The hint must share all but the last two letters of the unit's key (Αιγίου ~ Aigio,
    Ερινεού ~ Erineos) and at least three: Aigeira does not pass for Αιγίου.
    """
    words = [w for w in normalise(hint).split() if w not in _UNIT_WORDS]
    h, u = " ".join(words), normalise(unit)
    common = 0
    for a, b in zip(h, u, strict=False):
        if a != b:
            break
        common += 1
    return bool(h) and common >= max(3, len(u) - 2, len(h) - 2)


# Abbreviations offices write for a name's first words (on the key): «Αγ. Νικόλαος», «Άγ.
# Ανδρέας», "Ag. Varvara", «Κ. Μαυρίκι», «Α. Διακοπτό». Each is tried in all its expansions; a
# query is found only when exactly one settlement answers (Μ. could be Μεγάλο or Μικρό: both
# answering is ambiguous, listed, never picked).
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "ag": ("agios", "agia", "agioi", "agies"),
    "agg": ("agios", "agia", "agioi", "agies"),
    "k": ("kato",),
    "a": ("ano",),
    "m": ("megalo", "megali", "megas", "mikro", "mikri", "mikros"),
}


def _expansions(key: str) -> set[str]:
    """The key with its abbreviated words written out (``ag nikolaos`` -> ``agios nikolaos``,
    ``agia nikolaos``, ...); empty when it has none."""
    words = key.split()
    if not any(w in _ABBREVIATIONS for w in words):
        return set()
    forms = [""]
    for w in words:
        options = _ABBREVIATIONS.get(w, (w,))
        forms = [f"{f} {o}".strip() for f in forms for o in options]
    return set(forms) - {key}


def find_settlement(
    query: str,
    settlements: Iterable[S],
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> Match[S]:
    """Find the settlement a person means by ``query`` among ``settlements``.

    ``aliases`` maps an ELSTAT code to other names of that settlement (see
    :func:`gazetteer_aliases`). The query may be a 10-digit ELSTAT code, and may name the
    municipal unit to settle an ambiguity: in brackets, after a comma or a dash, or after the
    name (``"Λάκκα (Αιγίου)"``, ``"Λάκκα - Αιγίου"``, ``"Λάκκα Αιγίου"``, ``"Λάκκα (Δημοτική
    Ενότητα Αιγίου)"``). Abbreviated first words are written out (``Αγ.`` Άγιος/Αγία/Άγιοι,
    ``Κ.`` Κάτω, ``Α.`` Άνω, ``Μ.`` Μεγάλο/Μικρό) when exactly one settlement answers. A unit
    the settlement is not in is not found, and the message names the unit it is in.
    """
    pool = list(settlements)
    aliases = aliases or {}
    text = query.strip()
    if re.fullmatch(r"\d{10}", text):
        by_code = [s for s in pool if s.code == text]
        if by_code:
            return Match(query, "found", settlement=by_code[0])
    index = _Index(pool, aliases)
    name, unit_hint = _split_unit(text)
    narrowed: set[str] | None = None
    if unit_hint:
        narrowed = {s.code for s in pool if _unit_matches(unit_hint, s.municipal_unit)} or None
        if narrowed is None:
            name, unit_hint = text, ""  # not a unit after all: search the whole text
    key = normalise(name)
    if not key:
        return Match(
            query, "not_found",
            message_el="Δεν δόθηκε όνομα οικισμού.", message_en="No settlement name was given.",
        )  # fmt: skip
    hits = index.search(key, narrowed)
    if hits:
        return _answer(query, hits)
    if narrowed is not None:
        elsewhere = index.search(key, None)
        if elsewhere:
            return _other_unit(query, name, unit_hint, elsewhere)
    else:  # «Λάκκα Αιγίου», «Πλάτανος Ακράτας»: the unit's name after the settlement's
        words = text.split()
        for n in (1, 2, 3):
            if len(words) <= n:
                break
            hint, head = " ".join(words[-n:]), " ".join(words[:-n])
            units = {s.code for s in pool if _unit_matches(hint, s.municipal_unit)}
            if not units or not normalise(head):
                continue
            hits = index.search(normalise(head), units)
            if hits:
                return _answer(query, hits)
            elsewhere = index.search(normalise(head), None)
            if elsewhere:
                return _other_unit(query, head, hint, elsewhere)

    outside = outside_note(name)  # «Ζαχλωρού»: a well-known place of another municipality
    if outside is not None:
        message_el, message_en, meant = outside
        return Match(
            query, "not_found", suggestions=tuple(s for s in pool if s.code == meant),
            message_el=message_el, message_en=message_en,
        )  # fmt: skip
    suggestions = index.suggest(key, narrowed)
    if suggestions:
        el_tail = " Μήπως εννοείτε " + ", ".join(_label(s) for s in suggestions) + ";"
        en_tail = " Did you mean " + ", ".join(_label_en(s) for s in suggestions) + "?"
    else:
        el_tail = en_tail = ""
    return Match(
        query, "not_found", suggestions=suggestions,
        message_el=f"Δεν βρέθηκε οικισμός «{query}».{el_tail}",
        message_en=f"No settlement '{query}' was found.{en_tail}",
    )  # fmt: skip


class _Index(Generic[S]):
    """The search keys of a pool of settlements: exact names (official and aliases), their
    everyday variants, and loose spellings of those."""

    def __init__(self, pool: Sequence[S], aliases: Mapping[str, Sequence[str]]) -> None:
        exact: dict[str, list[S]] = {}
        for s in pool:
            names = (s.name_el, s.name_latin, *aliases.get(s.code, ()))
            for k in {normalise(n) for n in names if n}:
                exact.setdefault(k, []).append(s)
        variant: dict[str, list[S]] = {}
        for k, owners in exact.items():
            for v in name_variants(k):
                variant.setdefault(v, []).extend(owners)
        loose: dict[str, list[S]] = {}
        for k, owners in variant.items():
            loose.setdefault(loose_key(k), []).extend(owners)
        self.exact, self.variant, self.loose = exact, variant, loose

    def _tiers(self, keys: Iterable[str], allowed: set[str] | None) -> tuple[S, ...]:
        """The settlements of the first tier with a hit (exact, variant, loose), among
        ``allowed`` codes (``None``: all), sorted by unit and code."""
        keys = set(keys)
        variants = {v for k in keys for v in name_variants(k)}
        tiers: tuple[tuple[dict[str, list[S]], Iterable[str]], ...] = (
            (self.exact, keys),
            (self.variant, variants),
            (self.loose, {loose_key(v) for v in variants}),
        )
        for index, wanted in tiers:
            hits: dict[str, S] = {}
            for k in wanted:
                for s in index.get(k, ()):
                    if allowed is None or s.code in allowed:
                        hits.setdefault(s.code, s)
            if hits:
                return tuple(sorted(hits.values(), key=lambda s: (s.municipal_unit, s.code)))
        return ()

    def search(self, key: str, allowed: set[str] | None) -> tuple[S, ...]:
        """The settlements ``key`` names as typed, else with its abbreviations written out."""
        return self._tiers((key,), allowed) or self._tiers(_expansions(key), allowed)

    def suggest(self, key: str, allowed: set[str] | None, limit: int = 3) -> tuple[S, ...]:
        """Up to ``limit`` distinct settlements whose loose keys are closest to the query's."""
        loose = {
            k: [s for s in owners if allowed is None or s.code in allowed] for k, owners in self.loose.items()
        }
        return _suggest(key, {k: v for k, v in loose.items() if v}, limit)


def _answer(query: str, hits: Sequence[S]) -> Match[S]:
    """One settlement found, or several (ambiguous) listed with the way to tell them apart."""
    if len(hits) == 1:
        return Match(query, "found", settlement=hits[0])
    found = tuple(hits)
    if len({normalise(s.name_el) for s in found}) > 1:  # «Μ. …»: Μεγάλο or Μικρό, not namesakes
        how_el = "Γράψτε ολόκληρο το όνομα του οικισμού ή δώστε τον κωδικό ΕΛΣΤΑΤ."
        how_en = "Write the settlement's whole name, or give the ELSTAT code."
    else:
        how_el = (
            f"Διευκρινίστε τη δημοτική ενότητα, π.χ. «{found[0].name_el} ({found[0].municipal_unit})», ή "
            "δώστε τον κωδικό ΕΛΣΤΑΤ."
        )
        how_en = (
            f"Name the municipal unit, e.g. '{found[0].name_el} ({found[0].municipal_unit})', or give the "
            "ELSTAT code."
        )
    return Match(
        query, "ambiguous", candidates=found,
        message_el=f"Το «{query}» ταιριάζει σε {len(found)} οικισμούς: "
        + ", ".join(_label(s) for s in found) + ". " + how_el,
        message_en=f"'{query}' matches {len(found)} settlements: "
        + ", ".join(_label_en(s) for s in found) + ". " + how_en,
    )  # fmt: skip


def _other_unit(query: str, name: str, hint: str, elsewhere: Sequence[S]) -> Match[S]:
    """``name`` is a settlement, but not of the municipal unit ``hint`` names: not found, with
    the unit(s) it is in (never taken silently: the name or the unit may be the mistake)."""
    places_el = ", ".join(_label(s) for s in elsewhere)
    places_en = ", ".join(_label_en(s) for s in elsewhere)
    return Match(
        query, "not_found", suggestions=tuple(elsewhere),
        message_el=f"Ο οικισμός «{name.strip()}» δεν ανήκει στη δημοτική ενότητα «{hint.strip()}»: υπάρχει "
        f"ως {places_el}. Διορθώστε τη δημοτική ενότητα ή δώστε τον κωδικό ΕΛΣΤΑΤ.",
        message_en=f"The settlement '{name.strip()}' is not in the municipal unit '{hint.strip()}': there is "
        f"{places_en}. Correct the municipal unit, or give the ELSTAT code.",
    )  # fmt: skip


def _suggest(key: str, loose: Mapping[str, list[S]], limit: int = 3) -> tuple[S, ...]:
    """Up to ``limit`` distinct settlements whose loose keys are closest to the query's."""
    close = difflib.get_close_matches(loose_key(key), list(loose), n=limit * 4, cutoff=0.7)
    picked: dict[str, S] = {}
    for k in close:
        for s in loose[k]:
            picked.setdefault(s.code, s)
    return tuple(picked.values())[:limit]
