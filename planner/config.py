"""The solver settings of a ``--config`` TOML file (its ``[solver]`` table), checked.

Every key is checked for its type and range before any search: a wrong one is a
:class:`ConfigError` (exit code 2) naming the file, the table and the key, the value found
and what is allowed, in Greek and English as the command line's other errors; a TOML syntax
error names the file and the line. The meaning of each setting is told at
:class:`planner.solver.SolveParams`; this module gives the values each may take (kept here,
not read from OR-Tools, which only :mod:`planner.solver` imports).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

# OR-Tools' first-solution strategies (``routing_enums_pb2.FirstSolutionStrategy``, 9.15)
# that this model can use: UNSET is "not set", and SWEEP and EVALUATOR_STRATEGY need a
# sweep arranger or an evaluator the model does not give (they find no solution at all).
FIRST_SOLUTIONS: tuple[str, ...] = (
    "SAVINGS",
    "PARALLEL_SAVINGS",
    "PARALLEL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_INSERTION",
    "LOCAL_CHEAPEST_COST_INSERTION",
    "SEQUENTIAL_CHEAPEST_INSERTION",
    "BEST_INSERTION",
    "AUTOMATIC",
    "PATH_CHEAPEST_ARC",
    "PATH_MOST_CONSTRAINED_ARC",
    "GLOBAL_CHEAPEST_ARC",
    "LOCAL_CHEAPEST_ARC",
    "FIRST_UNBOUND_MIN_VALUE",
    "CHRISTOFIDES",
    "ALL_UNPERFORMED",
)
# OR-Tools' local search metaheuristics (``routing_enums_pb2.LocalSearchMetaheuristic``).
METAHEURISTICS: tuple[str, ...] = (
    "GUIDED_LOCAL_SEARCH",
    "GREEDY_DESCENT",
    "SIMULATED_ANNEALING",
    "TABU_SEARCH",
    "GENERIC_TABU_SEARCH",
    "AUTOMATIC",
)
SEARCHES: tuple[str, ...] = ("auto", "ruin", "ortools")
# Later episodes of OR-Tools' search vary the SAVINGS route shape by -0.1 to +0.6, and
# OR-Tools refuses a shape (arc coefficient) of 0 or less.
MIN_SAVINGS_SHAPE = 0.1


class ConfigError(ValueError):
    """A settings file that cannot be used: ``file``, ``where`` (the table and key, or the
    line), ``detail`` in English and ``el`` in Greek; the message gives both, Greek first."""

    def __init__(self, file: str | Path, where: str, detail: str, el: str) -> None:
        self.file = str(file)
        self.where = where
        self.detail = detail
        self.detail_el = el
        place = f"{self.file}: {where}" if where else self.file
        super().__init__(f"{place}: {el} / {detail}")


def _show(value: object, el: bool = False) -> str:
    """A TOML value as it would be written in the file, shortened (a table or an array named,
    in Greek with ``el``)."""
    if isinstance(value, Mapping):
        return "πίνακας [..]" if el else "a table"
    if isinstance(value, list):
        return "λίστα [..]" if el else "an array"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:36] + '..."'
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    return repr(value)


@dataclass(frozen=True)
class _Rule:
    """What one setting may be: ``kind`` (number, integer, boolean, name), a range check on
    the value, and what is allowed in English and Greek."""

    kind: str
    en: str
    el: str
    ok: Callable[[Any], bool] = lambda _v: True
    names: tuple[str, ...] = ()


def _seconds(low: float, strict: bool) -> _Rule:
    if strict:
        return _Rule(
            "number",
            f"a number of seconds greater than {low:g}",
            f"αριθμός δευτερολέπτων μεγαλύτερος του {low:g}",
            lambda v: v > low,
        )
    return _Rule(
        "number",
        f"a number of seconds, {low:g} or more",
        f"αριθμός δευτερολέπτων, {low:g} ή περισσότερα",
        lambda v: v >= low,
    )


_SHARE = _Rule("number", "a number from 0 to 1", "αριθμός από 0 έως 1", lambda v: 0 <= v <= 1)


def _names(names: tuple[str, ...], what_en: str = "", what_el: str = "") -> _Rule:
    """One of ``names``; a long list is given once, in the English half (as the problem
    file's errors give the allowed field names)."""
    listing = ", ".join(names)
    if not what_en:
        return _Rule("name", f"one of {listing}", f"ένα από {listing}", names=names)
    return _Rule("name", f"{what_en}, one of {listing}", what_el, names=names)


_FIRST = _names(
    FIRST_SOLUTIONS, "an OR-Tools first-solution strategy", "στρατηγική πρώτης λύσης του OR-Tools"
)

SEED_LIMIT = 10**18  # a seed's absolute value is below this (it fits the search's 64 bits)

RULES: dict[str, _Rule] = {
    "time_limit": _seconds(0, strict=True),
    # the search's generators take 64 bits: a 20-digit seed passed the check and failed inside
    # the search as an internal error
    "seed": _Rule(
        "integer", "an integer of at most 18 digits", "ακέραιος έως 18 ψηφία", lambda v: abs(v) < SEED_LIMIT
    ),
    "workers": _Rule("integer", "an integer, at least 1", "ακέραιος, τουλάχιστον 1", lambda v: v >= 1),
    "first_solution": _FIRST,
    "portfolio": _FIRST,  # an array of them, each checked (the path names its index)
    "metaheuristic": _names(
        METAHEURISTICS, "an OR-Tools local search metaheuristic", "μεταευρετική του OR-Tools"
    ),
    "savings_shape": _Rule(
        "number",
        f"a number greater than {MIN_SAVINGS_SHAPE:g}",
        f"αριθμός μεγαλύτερος του {MIN_SAVINGS_SHAPE:g}",
        lambda v: v > MIN_SAVINGS_SHAPE,
    ),
    "pattern_share": _SHARE,
    "round_time": _seconds(0, strict=True),
    "min_rounds": _Rule("integer", "an integer, 0 or more", "ακέραιος, 0 ή περισσότεροι", lambda v: v >= 0),
    "lns_size": _Rule("integer", "an integer, at least 1", "ακέραιος, τουλάχιστον 1", lambda v: v >= 1),
    "stage_share": _Rule("number", "a number, 0 or more", "αριθμός, 0 ή περισσότερο", lambda v: v >= 0),
    "stage_time": _SHARE,
    "stage_uniform": _Rule("boolean", "true or false", "true ή false"),
    "episode": _seconds(0, strict=True),
    "episode_per_visit": _seconds(0, strict=False),
    "polish_share": _SHARE,
    "polish_max": _seconds(0, strict=False),
    "log_search": _Rule("boolean", "true or false", "true ή false"),
    "search": _names(SEARCHES),
}


def _check(rule: _Rule, value: object, path: str | Path, at: str) -> object:
    """``value`` as the setting at ``at`` of the file ``path`` takes it (an int as a float
    for a number, a whole float as an int for an integer); a :class:`ConfigError` saying
    what is wrong and what is allowed when it cannot be."""

    def fail(en: str, el: str) -> ConfigError:
        return ConfigError(path, at, en, el)

    got, got_el = _show(value), _show(value, el=True)
    hint = hint_el = ""
    if isinstance(value, str) and rule.kind in ("number", "integer", "boolean"):
        hint, hint_el = " (a string: write it without quotes)", " (κείμενο: γράψτε το χωρίς εισαγωγικά)"
    wrong = fail(f"expected {rule.en}, got {got}{hint}", f"αναμενόταν {rule.el}, βρέθηκε {got_el}{hint_el}")
    checked: object
    if rule.kind == "boolean":
        if not isinstance(value, bool):
            raise wrong
        return value
    if rule.kind == "name":
        if value in rule.names:
            return value
        text = value if isinstance(value, str) else ""
        close = [text.lower()] if text.lower() in rule.names else []
        close = close or difflib.get_close_matches(text.upper(), rule.names, n=1)
        if close:
            raise fail(
                f"expected {rule.en}, got {got}; did you mean {_show(close[0])}?",
                f"αναμενόταν {rule.el}, βρέθηκε {got_el}· μήπως εννοείτε {_show(close[0])};",
            )
        raise wrong
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise wrong
    if rule.kind == "integer":
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise wrong
        checked = int(value)
    else:
        if not math.isfinite(value):
            raise wrong
        checked = float(value)
    if not rule.ok(checked):
        raise wrong
    return checked


_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)$")


def read_toml(path: str | Path) -> dict[str, Any]:
    """The TOML document in ``path``; not UTF-8 or a syntax error is a :class:`ConfigError`
    naming the file and the line (``OSError`` when it cannot be read)."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(
            path,
            "",
            f"not UTF-8 text (byte {e.start}); save it as UTF-8",
            f"δεν είναι κείμενο UTF-8 (byte {e.start}); αποθηκεύστε το ως UTF-8",
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e).splitlines()[0]
        line, column = getattr(e, "lineno", None), getattr(e, "colno", None)
        match = _TOML_PLACE.search(message)
        if line is None and match:
            line, column = int(match[1]), int(match[2])
        reason = _TOML_PLACE.sub("", getattr(e, "msg", None) or message).strip()
        if line is None:  # "at end of document"
            raise ConfigError(path, "", f"invalid TOML: {message}", "μη έγκυρο TOML") from None
        raise ConfigError(
            path,
            "",
            f"invalid TOML at line {line}, column {column}: {reason}",
            f"μη έγκυρο TOML στη γραμμή {line}, στήλη {column}",
        ) from None


def solver_settings(path: str | Path) -> dict[str, Any]:
    """The settings the ``[solver]`` table of the TOML file ``path`` gives, each checked (see
    :data:`RULES`), as keyword arguments of :class:`~planner.solver.SolveParams`; only the
    keys the file sets.

    Without a ``[solver]`` table, the top level's plain keys are the solver's (other tables,
    such as ``[roads]``, are other parts' settings); with one, a plain key at the top level
    is refused rather than ignored (written above the table, it is not in it).
    """
    data = read_toml(path)
    if "solver" in data:
        table, where = data["solver"], "[solver]"
        if not isinstance(table, dict):
            raise ConfigError(
                path,
                "solver",
                f"expected a table ([solver] and its keys below it), got {_show(table)}",
                f"αναμενόταν πίνακας ([solver] και τα κλειδιά του από κάτω), βρέθηκε {_show(table, el=True)}",
            )
        stray = sorted(k for k, v in data.items() if k != "solver" and not isinstance(v, dict))
        if stray:
            raise ConfigError(
                path,
                stray[0],
                "a key outside the [solver] table (written above it); move it under [solver]",
                "κλειδί έξω από τον πίνακα [solver] (γραμμένο πάνω από αυτόν)· "
                "μετακινήστε το κάτω από το [solver]",
            )
    else:
        table, where = {k: v for k, v in data.items() if not isinstance(v, dict)}, ""
        for name in (k for k, v in data.items() if isinstance(v, dict)):
            if difflib.get_close_matches(name, ["solver"], n=1, cutoff=0.7):
                raise ConfigError(
                    path,
                    f"[{name}]",
                    'unknown table; did you mean "[solver]"?',
                    'άγνωστος πίνακας· μήπως εννοείτε "[solver]";',
                )

    return {
        key: _setting(path, f"{where} {key}" if where else key, key, value) for key, value in table.items()
    }


def _setting(path: str | Path, at: str, key: str, value: object) -> object:
    """Setting ``key`` (at ``at`` in the file ``path``) checked by its rule."""
    rule = RULES.get(key)
    if rule is None:
        close = difflib.get_close_matches(key, list(RULES), n=1)
        hint = f'did you mean "{close[0]}"? ' if close else ""
        hint_el = f'· μήπως εννοείτε "{close[0]}";' if close else ""
        raise ConfigError(
            path,
            at,
            f"unknown setting; {hint}allowed: {', '.join(RULES)}",
            f"άγνωστη ρύθμιση{hint_el}",  # the allowed names follow in English
        )
    if key != "portfolio":
        return _check(rule, value, path, at)
    if not isinstance(value, list):
        raise ConfigError(
            path,
            at,
            f'expected an array of first-solution strategies, e.g. ["SAVINGS"], got {_show(value)}',
            f'αναμενόταν λίστα στρατηγικών πρώτης λύσης, π.χ. ["SAVINGS"], βρέθηκε {_show(value, el=True)}',
        )
    return tuple(_check(rule, item, path, f"{at}[{i}]") for i, item in enumerate(value))


def seed_arg(text: str) -> int:
    """A ``--seed``: an integer of at most 18 digits (the search's generators take 64 bits; a
    20-digit seed failed inside the search as an internal error)."""
    rule = RULES["seed"]  # the [solver] table's rule, words and all
    try:
        seed = int(text)
    except ValueError:
        seed = SEED_LIMIT
    if not rule.ok(seed):
        raise argparse.ArgumentTypeError(f"{text}: {rule.el} / {rule.en}")
    return seed
