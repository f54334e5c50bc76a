"""The register: a database of settlements, beneficiaries, care plans, stops, staff and outcomes.

Storage is SQLAlchemy 2 with Alembic migrations shipped in this package; SQLite file by
default, any SQLAlchemy URL (e.g. PostgreSQL) through ``KINITO_DATABASE_URL``/``DATABASE_URL``.
No Flask here: the web app and the CLI call these functions.

    engine = make_engine("instance/kinito.sqlite3")
    upgrade(engine)
    with session_scope(engine) as session:
        load_gazetteer(session)
        match = find_in_register(session, "Αίγιο")

:mod:`planner.register.places` (name search) works without a database too.
"""

from planner.register.db import database_url, make_engine, session_scope
from planner.register.migrate import current_revision, head_revision, upgrade
from planner.register.places import Match, find_settlement, normalise
from planner.register.settlements import GazetteerLoad, find_in_register, load_gazetteer

__all__ = [
    "GazetteerLoad",
    "Match",
    "current_revision",
    "database_url",
    "find_in_register",
    "find_settlement",
    "head_revision",
    "load_gazetteer",
    "make_engine",
    "normalise",
    "session_scope",
    "upgrade",
]
