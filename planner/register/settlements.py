"""The settlements table: filled from the shipped ELSTAT gazetteer, searched by name.

:func:`load_gazetteer` is idempotent: run it on every ``kinito init``; it adds missing
settlements, corrects changed ones and never deletes (beneficiaries refer to them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from planner import gazetteer
from planner.register.models import Settlement
from planner.register.places import Match, find_settlement, gazetteer_aliases, normalise

__all__ = ["GazetteerLoad", "find_in_register", "load_gazetteer"]


@dataclass(frozen=True)
class GazetteerLoad:
    """What :func:`load_gazetteer` did: rows added, rows corrected, rows already right."""

    added: int
    updated: int
    unchanged: int

    @property
    def total(self) -> int:
        """Settlements in the gazetteer file."""
        return self.added + self.updated + self.unchanged


def _columns(s: gazetteer.Settlement, aliases: Sequence[str]) -> dict[str, Any]:
    return {
        "name_el": s.name_el,
        "name_latin": s.name_latin,
        "search_key": normalise(s.name_el),
        "aliases": list(aliases),
        "municipal_unit": s.municipal_unit,
        "community": s.community,
        "terrain": s.terrain,
        "lat": s.lat,
        "lon": s.lon,
        "elevation_m": s.elevation_m,
        "population": s.population,
    }


def load_gazetteer(
    session: Session,
    settlements: Iterable[gazetteer.Settlement] | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
    path: Path | None = None,
) -> GazetteerLoad:
    """Put the municipality's settlements into the register (idempotent upsert by ELSTAT code).

    By default reads the shipped gazetteer (``path`` overrides the CSV) and its GeoNames
    aliases. Runs inside the caller's transaction: nothing is committed here.
    """
    rows = tuple(gazetteer.load_settlements(path) if settlements is None else settlements)
    if aliases is None:
        aliases = gazetteer_aliases(path)
    existing = {s.code: s for s in session.scalars(select(Settlement))}
    added = updated = unchanged = 0
    for s in rows:
        values = _columns(s, aliases.get(s.code, ()))
        row = existing.get(s.code)
        if row is None:
            session.add(Settlement(code=s.code, **values))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            updated += 1
        else:
            unchanged += 1
    session.flush()
    return GazetteerLoad(added=added, updated=updated, unchanged=unchanged)


def find_in_register(session: Session, query: str) -> Match[Settlement]:
    """:func:`~planner.register.places.find_settlement` over the register's settlements."""
    rows = list(session.scalars(select(Settlement).order_by(Settlement.code)))
    return find_settlement(query, rows, {s.code: s.aliases for s in rows})
