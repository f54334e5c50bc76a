"""The register's engine for the web app, and a transaction helper that names the user.

Every change goes through :func:`transaction`, i.e. :func:`planner.register.db.session_scope`
with the logged-in user's name as the actor, so the audit log says who changed what.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from planner.register.db import database_url, make_engine, session_scope

__all__ = ["engine", "init_store", "reader", "transaction"]


def init_store(app: Flask) -> None:
    """Open the register named by ``DATABASE_URL`` (None: the register's own default)."""
    url = database_url(app.config.get("DATABASE_URL"))
    app.config["DATABASE_URL_RESOLVED"] = url.render_as_string(hide_password=False)
    app.extensions["kinito_engine"] = make_engine(url)


def engine() -> Engine:
    """The current app's engine."""
    eng: Engine = current_app.extensions["kinito_engine"]
    return eng


@contextmanager
def transaction() -> Iterator[Session]:
    """A session in one transaction, audited under the logged-in user's name."""
    user = g.get("user")
    with session_scope(engine(), actor=user.username if user else None) as session:
        yield session


@contextmanager
def reader() -> Iterator[Session]:
    """A session for reading (one transaction too, so a page sees one consistent state); it
    does not wait for a writer's lock (a page opens during a long import)."""
    with session_scope(engine(), read_only=True) as session:
        yield session
