"""Shared WTForms helpers: choices in the request's language and small parsers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from typing import Any

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError
from wtforms.widgets import TextInput

from planner.register.places import fold
from webui.i18n import WEEKDAYS

__all__ = [
    "FREQUENCY_LABELS",
    "ROLE_LABELS",
    "USER_ROLE_LABELS",
    "DecimalTextField",
    "LanguageForm",
    "LoginForm",
    "PostForm",
    "WholeNumberField",
    "collation_key",
    "options",
    "parse_times",
    "parse_windows",
    "weekday_choices",
]

ROLE_LABELS = {
    "social_worker": _l("Social worker"),
    "psychologist": _l("Psychologist"),
    "driver": _l("Driver"),
}
USER_ROLE_LABELS = {
    "coordinator": _l("Coordinator"),
    "driver": _l("Driver"),
    "management": _l("Management"),
    "admin": _l("Administrator"),
}
FREQUENCY_LABELS = {
    "weekly": _l("times a week"),
    "every_n_weeks": _l("once every N weeks"),
    "monthly": _l("times a month"),
}
CALENDAR_LABELS = {
    "holiday": _l("Public holiday"),
    "closure": _l("Closure"),
    "pilot_extended_hours": _l("Pilot day (open until 20:00)"),
    "unit_unavailable": _l("Unit unavailable"),
    "staff_unavailable": _l("Staff member away"),
}
# the importer's codes (planner.register.importer.PRIORITY_GROUPS), every one of them: a
# group the form did not offer was dropped when the form was saved
PRIORITY_GROUP_LABELS = {
    "kea": _l("Social solidarity income (KEA)"),
    "poverty": _l("Poverty"),
    "disability": _l("Disability"),
    "living_alone": _l("Living alone"),
    "elderly": _l("Elderly"),
    "child": _l("Child or minor"),
    "unemployed": _l("Unemployed"),
    "roma": _l("Roma"),
    "migrant": _l("Migrant or asylum seeker"),
    "other_vulnerable": _l("Other vulnerable group"),
}


class _Between(NumberRange):
    """:class:`NumberRange`, and one message for text that is no number at all (WTForms' own
    «Δεν είναι ακέραιο νούμερο» was shown joined to the range's, with no full stop between)."""

    def __call__(self, form: Any, field: Field) -> None:
        if getattr(field, "unreadable", False):
            whole = isinstance(field, IntegerField)
            message = _l("Enter a whole number from %(min)s to %(max)s.") if whole else self.message
            raise ValidationError(str(message) % {"min": self.min, "max": self.max})
        super().__call__(form, field)


def between(low: float, high: float) -> NumberRange:
    """A number from ``low`` to ``high``, said as an office would («Δώστε έναν αριθμό από 5 έως
    480.»), not in WTForms' own Greek («Το νούμερο πρέπει να είναι ανάμεσα 5 και 480»); text that
    is no number (on a :class:`WholeNumberField` or :class:`DecimalTextField`) gets one message."""
    return _Between(low, high, message=_l("Enter a number from %(min)s to %(max)s."))


class WholeNumberField(IntegerField):
    """An :class:`IntegerField` whose text that is no whole number («δύο», «2,5») is left to its
    validators (:func:`between`) to say so, once, instead of WTForms' own colloquial message
    before theirs. ``unreadable``: text was sent and it is no whole number."""

    unreadable = False

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip()
        self.unreadable = False
        try:
            self.data = int(text)
        except ValueError:
            self.data = None  # type: ignore[assignment]  # WTForms' own IntegerField does so too
            self.unreadable = bool(text)


_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


class DecimalTextField(Field):
    """A decimal number typed as Greek writes it, «38,25», or with a point, «38.25» (a map click
    fills one in). A text field with ``inputmode=decimal``: a browser's ``type=number`` drops the
    comma of a Greek keyboard, and «38,25» was sent as 3825. ``data`` is a float, None for no
    text; ``unreadable``: text was sent and it is no number (the form's validators say what
    number is wanted: :func:`between`, or the form's own check)."""

    widget = TextInput()
    unreadable = False

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs["render_kw"] = {"inputmode": "decimal", **(kwargs.get("render_kw") or {})}
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = str(valuelist[0]).strip().replace("\u2212", "-")  # a typographic minus too
        self.unreadable = bool(text) and not _DECIMAL.match(text)
        self.data = float(text.replace(",", ".")) if text and not self.unreadable else None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        # every digit stored (a rounded one would be saved back as a change), with the page's
        # decimal mark: «38,25»
        return repr(self.data).replace(".", get_decimal_symbol(get_locale() or "el"))


def options(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs; labels may be lazy strings."""
    return [SelectChoice(str(value), label) for value, label in pairs]


def weekday_choices() -> list[SelectChoice]:
    """ISO weekday numbers with their names, Monday to Sunday."""
    return options(WEEKDAYS.items())


def collation_key(text: str) -> str:
    """Greek alphabetical order ignoring accents and case: ``"Αίγιον" < "Όασις"`` (by code point
    an accented capital such as Ό or Ά comes before every plain letter). The final sigma sorts
    as σ."""
    return fold(text).replace("ς", "σ")


_TIME = re.compile(r"^([01]?\d|2[0-3])(?:[:.]([0-5]\d))?$")  # «9» is 09:00, as the import reads it


def _hhmm(text: str) -> str:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(text.strip())
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def parse_times(text: str) -> list[str]:
    """``"10:00, 12:30"`` -> ``["10:00", "12:30"]``; ValueError names the bad part."""
    return [_hhmm(part) for part in re.split(r"[,;\s]+", text.strip()) if part]


def parse_windows(text: str) -> list[list[str]]:
    """``"09:00-12:00, 14:00-16:00"`` -> ``[["09:00", "12:00"], ["14:00", "16:00"]]``."""
    windows: list[list[str]] = []
    for part in re.split(r"[,;]+", text.strip()):
        if not part.strip():
            continue
        bits = re.split(r"\s*[-–]\s*", part.strip())
        if len(bits) != 2:
            raise ValueError(part.strip())
        start, end = _hhmm(bits[0]), _hhmm(bits[1])
        if start >= end:
            raise ValueError(part.strip())
        windows.append([start, end])
    return windows


def format_windows(windows: list[list[str]]) -> str:
    """The inverse of :func:`parse_windows`."""
    return ", ".join(f"{a}-{b}" for a, b in windows)


def time_of(text: str) -> time:
    """``"08:00"`` -> ``time(8, 0)``."""
    hh, mm = _hhmm(text).split(":")
    return time(int(hh), int(mm))


class LoginForm(FlaskForm):
    """User name and password."""

    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Log in"))


class LanguageForm(FlaskForm):
    """The language switch in the page header."""

    lang = SelectField(_l("Language"), choices=options([("el", "Ελληνικά"), ("en", "English")]))


class PostForm(FlaskForm):
    """A form with nothing but its CSRF token: buttons that change something (pause, publish)."""
