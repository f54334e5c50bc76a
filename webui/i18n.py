"""Greek first, English second: Flask-Babel set-up, the language switch, and Greek dates.

Every user-facing string is a msgid (English) in the catalogue; ``translations/el`` holds the
Greek and ``translations/en`` the English (identity) messages, compiled ``.mo`` files beside
them (committed; ``make translations`` rebuilds them after ``pybabel extract/update``).
The language is the one the user chose in this session, else their account's, else Greek.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from babel.dates import format_date, format_datetime
from flask import Flask, current_app, g, session
from flask_babel import Babel, format_decimal, get_locale, lazy_gettext

__all__ = [
    "TRANSLATIONS",
    "WEEKDAYS",
    "current_language",
    "init_i18n",
    "listed",
    "long_date",
    "short_date",
    "when",
]

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

# ISO weekday number -> name; lazy, so each request shows its own language
WEEKDAYS = {
    1: lazy_gettext("Monday"),
    2: lazy_gettext("Tuesday"),
    3: lazy_gettext("Wednesday"),
    4: lazy_gettext("Thursday"),
    5: lazy_gettext("Friday"),
    6: lazy_gettext("Saturday"),
    7: lazy_gettext("Sunday"),
}


def current_language() -> str:
    """The request's language code (``el`` or ``en``)."""
    languages: tuple[str, ...] = tuple(current_app.config["LANGUAGES"])
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    user = g.get("user")
    if user is not None and user.locale in languages:
        return str(user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def in_language(text: str) -> str:
    """A message of the command line's kind ("Greek / English") in the interface's language."""
    greek, _sep, english = text.partition(" / ")
    return (english or greek) if current_language() == "en" else greek


def listed(items: Iterable[str]) -> str:
    """Items of a sentence's list: «; » in English, « · » in Greek (where «;» is the question
    mark)."""
    return (" · " if current_language() == "el" else "; ").join(items)


def long_date(day: date) -> str:
    """``Δευτέρα 7 Δεκεμβρίου 2026`` in Greek, ``Monday 7 December 2026`` in English."""
    return format_date(day, "EEEE d MMMM y", locale=str(get_locale()))


def short_date(day: date) -> str:
    """``Δευ 7/12``: a weekday and a date for tables."""
    return format_date(day, "EEE d/M", locale=str(get_locale()))


def when(instant: datetime | None) -> str:
    """An instant in Athens time: ``7 Δεκ 2026, 14:05``."""
    if instant is None:
        return ""
    return format_datetime(
        instant, "d MMM y, HH:mm", tzinfo=current_app.config["BABEL_DEFAULT_TIMEZONE"],
        locale=str(get_locale()),
    )  # fmt: skip


def person(username: str | None) -> str:
    """Who did something, as the office knows them: the account's display name for a user name
    (``odigos`` -> «Γιώργος Οδηγός»), else the name as logged (a command's operating-system
    user, a demo history's ``demo-sw``); the request's accounts are read once."""
    if not username:
        return ""
    names = g.get("account_names")
    if names is None:
        from sqlalchemy import select

        from planner.register.models import User
        from webui.store import reader

        with reader() as s:
            names = {u: d for u, d in s.execute(select(User.username, User.display_name)) if d}
        g.account_names = names
    return str(names.get(username, username))


def decimal(value: float, digits: int = 1) -> str:
    """A number with ``digits`` decimals as the interface's language writes it: «347,7» in
    Greek, "347.7" in English."""
    return str(format_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0"))


def init_i18n(app: Flask) -> None:
    """Flask-Babel with the package's catalogues and the date filters for templates."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=current_language)
    app.add_template_filter(long_date, "long_date")
    app.add_template_filter(short_date, "short_date")
    app.add_template_filter(when, "when")
    app.add_template_filter(person, "person")
    app.add_template_filter(decimal, "decimal")
    app.jinja_env.globals["WEEKDAYS"] = WEEKDAYS
    app.add_template_global(current_language, "current_language")
