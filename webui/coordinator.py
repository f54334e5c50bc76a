"""The coordinator's register: beneficiaries and their care plans, village stops, staff, units, calendar.

Lists with an accent-insensitive search in Greek or Latin (:func:`planner.register.places.
normalise` on both sides: "Παπαδοπουλος", "papadopoulos" and "ΠΑΠΑΔΌΠΟΥΛΟΣ" find the same
person; so do Greeklish spellings such as "papadopulos", :mod:`webui.greeklish`); add, edit
and pause; a person's exact point set by clicking on a map. Every change runs in
:func:`webui.store.transaction`, so the audit log records the coordinator's name.

Two coordinators may edit the same row: each edit form carries the id of the row's newest
audit entry when it was shown (``last_change``), and a save over a later change is refused
and the form shown again with the stored values that differ (:func:`_conflict`). Pause and
resume buttons send the state they show (``to=paused|active``), not a toggle. A save is
confirmed («Αποθηκεύτηκε.») only after its transaction committed; a database that cannot be
written (locked, full, read-only) shows the form again with the input kept (:func:`_respond`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TypeVar, cast

from babel.dates import format_datetime, get_timezone
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import Date, DateTime, Time, inspect, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, selectinload
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

import planner.register
from planner.model import HOUR, WEEKLY_MAX_WORK
from planner.register.calendar import holidays_closed
from planner.register.calendar import today as calendar_today
from planner.register.db import is_full, is_read_only
from planner.register.fleet_cli import MAX_WEEKLY_HOURS, parse_weekly_hours, same_name_unit
from planner.register.geocode import municipality_bounds
from planner.register.importer import (
    CellError,
    FileError,
    ImportReport,
    Issue,
    Kind,
    _id_key,
    import_file,
    normalise_phone,
    read_table,
)
from planner.register.models import (
    CALENDAR_KINDS,
    FREQUENCY_KINDS,
    ROLES,
    AuditLog,
    Base,
    Beneficiary,
    CalendarDay,
    CarePlan,
    Settlement,
    Staff,
    Unit,
    User,
    VillageStop,
    plain_text,
)
from planner.register.places import normalise
from planner.register.rules import (
    CARE_PLAN_DURATION,
    DAY_START,
    LATEST_END,
    STOP_DURATION,
    Problem,
    announced_time_problem,
    plan_date_problem,
    stop_weekday_problem,
    weekly_count_problem,
    window_problem,
    working_days,
)
from webui import greeklish
from webui.coverage import pseudonym_id
from webui.forms import (
    CALENDAR_LABELS,
    FREQUENCY_LABELS,
    PRIORITY_GROUP_LABELS,
    ROLE_LABELS,
    DecimalTextField,
    PostForm,
    WholeNumberField,
    between,
    collation_key,
    format_windows,
    options,
    parse_times,
    parse_windows,
    time_of,
    weekday_choices,
)
from webui.i18n import WEEKDAYS, current_language, decimal, long_date, when
from webui.security import require_role
from webui.store import engine, reader, transaction

bp = Blueprint("coordinator", __name__, url_prefix="/register")
bp.before_request(require_role("coordinator"))

LIST_LIMIT = 300


class MultiCheckboxField(SelectMultipleField):
    """Several choices as check boxes."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _settlement_choices(s: Session, *, blank: bool = False) -> list[SelectChoice]:
    """The gazetteer's settlements by name; with ``blank`` (a new person or stop) a «— choose —»
    first, so that a form sent without a choice is refused, not saved in the first settlement."""
    rows = sorted(s.scalars(select(Settlement)), key=lambda r: (collation_key(r.name_el), r.code))
    pairs: list[tuple[object, object]] = [("", _("— choose —"))] if blank else []
    return options([*pairs, *((r.code, f"{r.name_el} ({r.municipal_unit})") for r in rows)])


def _staff_choices(s: Session, named: Staff | None = None) -> list[SelectChoice]:
    """The staff a care plan may name: the active ones, and the one the plan names (``named``)
    if no longer active, marked so: otherwise the form would show «anyone with the role» for
    them, and saving the plan for any other reason would clear the name."""
    rows = sorted(s.scalars(select(Staff).where(Staff.active)), key=lambda r: (collation_key(r.name), r.id))
    pairs: list[tuple[object, object]] = [
        ("", _("anyone with the role")),
        *((r.id, f"{r.name} ({ROLE_LABELS[r.role]})") for r in rows),
    ]
    if named is not None and not named.active:
        pairs.append((named.id, _("%(name)s (%(role)s, inactive staff member)", name=named.name,
                                  role=ROLE_LABELS[named.role])))  # fmt: skip
    return options(pairs)


def matches(query: str, *texts: str | None) -> bool:
    """Whether every word of ``query`` is in one of ``texts``, ignoring case, accents, script and
    the common Greeklish spellings ("aggeliki" finds Αγγελική: :mod:`webui.greeklish`)."""
    haystack = " ".join(normalise(t) for t in texts if t)
    missing = [word for word in normalise(query).split() if word not in haystack]
    if not missing:  # the usual case: no Greeklish key to build for this row
        return True
    key = greeklish.loose(haystack)
    return all(greeklish.pattern(word).search(key) for word in missing)


_PHONE_QUERY = re.compile(r"\+?[0-9][0-9 ()./-]*")


def _national_digits(text: str) -> str:
    """A phone's digits without the country code: ``+30 694 123 4567``, ``00306941234567`` and
    ``6941234567`` are all ``6941234567`` (a stored ``+30…`` or ``30…`` of 12 digits too)."""
    digits = re.sub(r"[^0-9]", "", text)
    if digits.startswith("0030"):
        return digits[4:]
    if text.strip().startswith("+30") or (len(digits) == 12 and digits.startswith("30")):
        return digits[2:]
    return digits


def phone_matches(query: str, phone: str | None) -> bool:
    """Whether ``query``, typed as a phone number (digits, spaces, dashes, dots, brackets, a
    ``+30``/``0030`` in front), is part of ``phone``'s digits, however either was written; five
    digits at least (an office ID such as «047» is no phone search)."""
    if not phone or not _PHONE_QUERY.fullmatch(query.strip()):
        return False
    wanted = _national_digits(query)
    return len(wanted) >= 5 and wanted in _national_digits(phone)


# --- saving: after the commit, and never over a change made after the form was shown --------


def _plain(value: Any) -> Any:
    """A one-line text field's value as the register stores it (:func:`planner.register.models.
    plain_text`), so that checks against stored rows (a name already taken) see what is stored."""
    return plain_text(value, multiline=False) if isinstance(value, str) else value


def _plain_lines(value: Any) -> Any:
    """The same for a text area: its line breaks kept."""
    return plain_text(value) if isinstance(value, str) else value


class RegisterForm(FlaskForm):
    """A form that edits one row of the register. ``last_change`` is the id of the row's newest
    audit entry when the form was shown (0: none), so that a save over a later change, someone
    else's or another tab's, is caught (:func:`_conflict`) instead of writing every field back.
    Every text field is cleaned of control characters as it is read (:func:`_plain`)."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            kind = unbound_field.field_class
            if issubclass(kind, StringField):  # a text area too
                clean = _plain_lines if issubclass(kind, TextAreaField) else _plain
                kwargs = {
                    **unbound_field.kwargs,
                    "filters": [*unbound_field.kwargs.get("filters", ()), clean],
                }
                unbound_field = kind(*unbound_field.args, **kwargs)
            return unbound_field.bind(form=form, **options)

    last_change = HiddenField()


@dataclass(frozen=True)
class Conflict:
    """The row changed after the form was shown: who and when (``message``), and the fields
    changed meanwhile, as (label, stored value) pairs: ``taken``, only they changed it, and the
    form now holds the stored value; ``clashes``, the user changed it too, and the form keeps
    the user's value."""

    message: str
    taken: list[tuple[str, str]]
    clashes: list[tuple[str, str]]


@dataclass(frozen=True)
class Saved:
    """A change written: where to go next, and what to say there once the transaction committed
    (category, message)."""

    location: str
    messages: tuple[tuple[str, str], ...] = ()


Handler = Callable[[Session, bool], "Saved | dict[str, Any]"]
"""A form page's work in one session: given ``write`` (a POST whose change may be written) it
returns :class:`Saved` or the template's context (the form with the user's input, on a POST)."""


def _not_saved_message(exc: BaseException | None = None) -> str:
    """The message of a save the database refused, nothing stored: a full disk and a read-only
    register said as such (a full disk was told as a busy register, "save again in a moment"),
    else busy."""
    if exc is not None and is_full(exc):
        return str(_("Nothing was saved: the server's disk is full. Tell the administrator: space must be "
                     "freed before anything can be saved."))  # fmt: skip
    if exc is not None and is_read_only(exc):
        return str(_("Nothing was saved: the register cannot be written (its file or disk is read-only). "
                     "Tell the administrator."))  # fmt: skip
    return str(_("Nothing was saved: the register could not store the change just now (it may be busy "
                 "with another change). Please save again in a moment; if it keeps happening, tell "
                 "the administrator."))  # fmt: skip


def _respond(template: str, handle: Handler) -> Any:
    """Run a form page: ``handle`` in one transaction (a read-only session for a GET); the
    messages of a save flashed only once it committed. A database that cannot be written
    (locked beyond the wait, disk full, read-only: SQLAlchemy's ``OperationalError``) is no
    error page: the form is shown again, with the user's input, saying nothing was saved."""
    writing = request.method == "POST"
    try:
        with transaction() if writing else reader() as s:
            result = handle(s, writing)
    except OperationalError as refused:
        if not writing:
            raise
        current_app.logger.warning("%s: nothing saved, the register refused the write", request.path,
                                   exc_info=True)  # fmt: skip
        try:
            with reader() as s:
                result = handle(s, False)  # the same form, the user's input, nothing written
        except OperationalError:
            return render_template("error.html", code=503, message=_not_saved_message(refused)), 503
        assert not isinstance(result, Saved)
        flash(_not_saved_message(refused), "error")
        return render_template(template, **result), 503
    if isinstance(result, Saved):
        for category, message in result.messages:
            flash(message, category)
        return redirect(result.location)
    return render_template(template, **result), 409 if result.get("conflict") else 200


def _entity(row: Base) -> tuple[str, str]:
    """The audit log's name of a row: its table, and its primary key as text."""
    return row.__tablename__, str(cast(Any, row).id)


def _newest_change(s: Session, row: Base | None) -> int:
    """The id of the row's newest audit entry, 0 if none (or no row yet)."""
    if row is None:
        return 0
    entity, key = _entity(row)
    stmt = select(AuditLog.id).where(AuditLog.entity == entity, AuditLog.entity_id == key)
    return int(s.scalars(stmt.order_by(AuditLog.id.desc()).limit(1)).first() or 0)


def _note_last_change(s: Session, form: RegisterForm, row: Base | None) -> None:
    """On showing a form: the row's newest audit entry, the baseline a save is checked against."""
    form.last_change.data = str(_newest_change(s, row))


def _changes_after(s: Session, form: RegisterForm, row: Base) -> list[AuditLog]:
    """The changes to ``row`` made after ``form`` was shown, newest first: with ``last_change``
    (every form shown since this check exists), the audit entries after it; without it, as
    :func:`_changed_since_page`."""
    entity, key = _entity(row)
    seen = str(form.last_change.data or "").strip()
    if not seen.isdigit():
        return _changed_since_page(s, row)
    stmt = select(AuditLog).where(
        AuditLog.entity == entity, AuditLog.entity_id == key, AuditLog.id > int(seen)
    )
    return list(s.scalars(stmt.order_by(AuditLog.id.desc())))


def _changed_since_page(s: Session, row: Base) -> list[AuditLog]:
    """The changes to ``row`` after the page that sent this request was shown, newest first, for
    a page that does not say it (shown before this check existed, or a hand-made request).

    The page's time is read from its CSRF token, which Flask-WTF signs with the time at every
    page it serves: a change in a later second counts (one in the same second as the page does
    not: it cannot be told from one just before). A token that cannot be read (none sent):
    a change by someone else since this session's log-in, when the page was shown at the earliest
    (the user's own changes are not held against them here, nor can they be told apart)."""
    entity, key = _entity(row)
    stmt = select(AuditLog).where(
        AuditLog.entity == entity, AuditLog.entity_id == key, AuditLog.action != "insert"
    )
    shown = _page_shown_at()
    if shown is not None:
        stmt = stmt.where(AuditLog.at >= shown + timedelta(seconds=1))
    else:
        since = datetime.fromtimestamp(float(session.get("since") or 0), UTC)
        stmt = stmt.where(AuditLog.at > since, AuditLog.actor != g.user.username)
    return list(s.scalars(stmt.order_by(AuditLog.id.desc())))


def _page_shown_at() -> datetime | None:
    """When the page that sent this POST was served (to the second, UTC), from the timestamp of
    its CSRF token (``flask_wtf.csrf.generate_csrf``); None if there is none or it cannot be read."""
    token = request.form.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    if not token or not secret:
        return None
    try:
        signed = URLSafeTimedSerializer(secret, salt="wtf-csrf-token")
        stamp = cast(datetime, signed.loads(token, return_timestamp=True)[1])
    except BadData:
        return None
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=UTC)


def _conflict(
    s: Session, form: RegisterForm, row: Base | None, stored: Callable[[Any], FlaskForm]
) -> Conflict | None:
    """Whether saving ``form`` would undo a change made to ``row`` after the form was shown.

    ``stored(obj)`` is the form as a GET shows ``obj``: the row now ("theirs"), and the row as it
    was when the form was shown ("base": the audit log's earlier values put back). A field they
    changed and the user sent otherwise is a conflict: then nothing is saved, and the form is
    shown again with the user's own changes kept, each field only they changed filled in with its
    stored value (so that saving again keeps their change), and ``last_change`` moved to the
    newest change, so that saving again goes through. Changes that touch no field the user sent
    otherwise (the same edit twice, a column the form does not show) are no conflict: saving
    undoes nothing."""
    if row is None:
        return None
    changes = _changes_after(s, form, row)
    if not changes:
        return None
    theirs, base = stored(row), stored(_as_it_was(row, changes))
    taken: list[tuple[str, str]] = []
    clashes: list[tuple[str, str]] = []
    for field in theirs:
        if field.name in ("csrf_token", "last_change"):
            continue
        mine, before, now = form[field.name], base[field.name], _comparable(field)
        if now == _comparable(before) or now == _comparable(mine):
            continue
        if _comparable(mine) == _comparable(before):  # only they changed it: the form takes theirs
            mine.data, mine.raw_data, mine.errors = field.data, [], []
            taken.append((str(field.label.text), _shown(field)))
        else:
            clashes.append((str(field.label.text), _shown(field)))
    if not taken and not clashes:
        return None
    form.last_change.data = str(changes[0].id)
    message = _("This record was changed by %(actor)s at %(time)s, after you opened the form. Your "
                "changes were not saved: check the current values below and save again.",
                actor=_actor_name(s, changes[0].actor), time=_change_time(changes[0].at))  # fmt: skip
    return Conflict(message, taken, clashes)


_Form = TypeVar("_Form", bound=RegisterForm)


def _edit(
    s: Session,
    write: bool,
    row: Base | None,
    form_of: Callable[..., _Form],
    taken: Callable[[_Form], bool] | None = None,
) -> tuple[_Form, Conflict | None, bool]:
    """An edit page's form for ``row`` (None: a new one), what conflicts, and whether to store it.

    ``form_of(s, row, stored=...)`` makes the form: as stored for a GET, which also notes the
    row's newest change (the baseline a save is checked against); with the browser's input for
    a POST. A POST that may write (``write``) is stored when the form validates, ``taken(form)``
    finds nothing in its way (a name or ID another row has) and saving would undo no change made
    since the form was shown (:func:`_conflict`)."""
    shown = request.method != "POST"
    form = form_of(s, row, stored=shown)
    if shown:
        _note_last_change(s, form, row)
        return form, None, False
    if not write:
        return form, None, False
    valid = form.validate_on_submit() and not (taken is not None and taken(form))
    conflict = _conflict(s, form, row, lambda obj: form_of(s, obj, stored=True))
    return form, conflict, bool(valid) and conflict is None


def _as_it_was(row: Base, changes: list[AuditLog]) -> SimpleNamespace:
    """``row``'s column values before ``changes`` (newest first), from the audit log's before-values."""
    mapper = inspect(row).mapper
    values = {attr.key: getattr(row, attr.key) for attr in mapper.column_attrs}
    for change in changes:
        for key, value in (change.before or {}).items():
            if key in values:
                values[key] = _from_log(mapper.columns[key].type, value)
    return SimpleNamespace(**values)


def _from_log(kind: Any, value: Any) -> Any:
    """A value as the audit log keeps it (JSON: dates and times as ISO text) back as the column's."""
    if not isinstance(value, str):
        return value
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return dt_time.fromisoformat(value)
    return value


def _comparable(field: Field) -> Any:
    """A field's value for telling whether the stored and the sent one differ (spaces, and the
    order of ticked boxes, aside)."""
    data = field.data
    if isinstance(field, BooleanField):
        return bool(data)
    if isinstance(field, SelectMultipleField):
        return sorted(str(v) for v in data or [])
    if isinstance(field, SelectField):
        return str(data or "")
    if isinstance(field, StringField):  # text areas too
        return " ".join(str(data or "").split())
    return data


def _shown(field: Field) -> str:
    """A stored value as the form shows it: a choice's label, yes/no, the text."""
    if isinstance(field, BooleanField):
        return str(_("yes") if field.data else _("no"))
    if isinstance(field, SelectMultipleField | SelectField):
        chosen = (
            {str(v) for v in field.data or []}
            if isinstance(field, SelectMultipleField)
            else {str(field.data or "")}
        )
        labels = [str(c.label) for c in cast(list[SelectChoice], field.choices) if c.value in chosen]
        return ", ".join(labels) or "—"
    return str(field._value()).strip() or "—"


def _actor_name(s: Session, actor: str) -> str:
    """An audit actor as people know them: the account's name, else the name as logged (a user
    name, or ``system`` for a command without one)."""
    user = s.scalars(select(User).where(User.username == actor)).first()
    return user.display_name if user is not None and user.display_name else actor


def _change_time(at: datetime) -> str:
    """When a change was made, in Athens time: ``14:32`` today, else ``7 Δεκ 2026, 14:32``."""
    instant = at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # SQLite gives UTC back bare
    zone = get_timezone(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    if instant.astimezone(zone).date() == datetime.now(zone).date():
        return str(format_datetime(instant, "HH:mm", tzinfo=zone, locale=str(get_locale())))
    return when(instant)


def _wanted_state() -> str | None:
    """The state a pause/resume button asks for (``paused`` or ``active``); None from a page
    shown before the buttons said it (they toggled)."""
    to = request.values.get("to")
    return to if to in ("paused", "active") else None


def _stale_toggle(s: Session, row: Base) -> bool:
    """A pause/resume button from a page shown before the buttons said their state: whether the
    row changed after that page was shown (:func:`_changed_since_page`), so that toggling could
    undo that change (or a double click undo the first)."""
    return bool(_changed_since_page(s, row))


# --- beneficiaries --------------------------------------------------------------------------


def _within(field: DecimalTextField, low: float, high: float) -> None:
    """A coordinate from ``low`` to ``high``, said with the language's decimal mark (text that is
    no number is told the same: the one thing the field wants)."""
    if field.unreadable or (field.data is not None and not low <= field.data <= high):
        raise ValidationError(
            _(
                "Outside the Municipality of Aigialeia: enter a number from %(min)s to %(max)s.",
                min=decimal(low, 3),
                max=decimal(high, 3),
            )
        )


class BeneficiaryForm(RegisterForm):
    """A person in the register."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    external_id = StringField(_l("Office ID"), validators=[Optional(), Length(max=64)])
    settlement_code = SelectField(_l("Settlement"), validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    # inside the municipality's box, the importer's and the geocoder's (a click far outside is
    # a mistake, not a home; a wider box let points in that an import of the export refused)
    lat = DecimalTextField(_l("Latitude"), validators=[Optional()])
    lon = DecimalTextField(_l("Longitude"), validators=[Optional()])
    priority_groups = MultiCheckboxField(
        _l("Priority groups"), choices=options(PRIORITY_GROUP_LABELS.items())
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])
    active = BooleanField(_l("Active (visits are planned)"), default=True)

    def validate_lat(self, field: DecimalTextField) -> None:
        """Inside the municipality: :func:`planner.register.geocode.municipality_bounds`."""
        box = municipality_bounds()
        _within(field, box.south, box.north)

    def validate_lon(self, field: DecimalTextField) -> None:
        """Inside the municipality: :func:`planner.register.geocode.municipality_bounds`."""
        box = municipality_bounds()
        _within(field, box.west, box.east)

    def validate_phone(self, field: StringField) -> None:
        """A Greek number as the importer reads it: 10 digits (landline 2…, mobile 69…), spaces,
        dashes, dots and brackets allowed, +30 or 0030 in front."""
        try:
            normalise_phone(field.data or "")
        except CellError as exc:
            raise ValidationError(
                _("Not a phone number: 10 digits (landline 2xxxxxxxxx, mobile 69xxxxxxxx), +30 in front "
                  "if you wish.")
            ) from exc  # fmt: skip

    def validate(self, extra_validators: Any = None) -> bool:
        """Both coordinates or neither (checked here: an empty field skips its own validators)."""
        ok = bool(super().validate(extra_validators))
        if (self.lat.data is None) != (self.lon.data is None) and not (self.lat.errors or self.lon.errors):
            self.lon.errors = [*self.lon.errors, _("Give both latitude and longitude, or neither.")]
            return False
        return ok


@bp.route("/")
@bp.route("/beneficiaries")
def beneficiaries() -> Any:
    """The register's people, with search; paused people are listed too, marked. A query that
    is management's pseudonym (``Ψ-0042``, ``ψ42``: :func:`webui.coverage.pseudonym`) finds
    that person, active or paused, and anyone whose own code is typed so."""
    query = request.args.get("q", "").strip()
    show = request.args.get("show", "active")
    wanted = pseudonym_id(query)
    with reader() as s:
        stmt = select(Beneficiary).options(
            selectinload(Beneficiary.settlement), selectinload(Beneficiary.care_plans)
        )
        if show == "active" and wanted is None and not query:  # a query: paused matches counted
            stmt = stmt.where(Beneficiary.active)
        rows = sorted(s.scalars(stmt), key=lambda b: (collation_key(b.full_name), b.id))
    paused_found = 0
    if wanted is not None:
        rows = [b for b in rows if b.id == wanted or normalise(b.external_id or "") == normalise(query)]
    elif query:
        key = _id_key(query)
        rows = [
            b for b in rows
            if matches(query, b.full_name, b.settlement.name_el, b.settlement.name_latin, b.address,
                       b.external_id, b.phone)
            or phone_matches(query, b.phone) or (b.external_id and _id_key(b.external_id) == key)
        ]  # fmt: skip
        # the person whose office ID is the query first (``demo-047`` before ``demo-0470``)
        rows.sort(key=lambda b: not (b.external_id and _id_key(b.external_id) == key))
        if show == "active":
            paused_found = sum(1 for b in rows if not b.active)
            rows = [b for b in rows if b.active]
    today = calendar_today()
    in_force = {b.id: sum(1 for p in b.care_plans if _in_force(p, today)) for b in rows}
    total = len(rows)
    pages = max(1, -(-total // LIST_LIMIT))
    asked = request.args.get("page", "1")
    # ASCII digits only, a few of them ("²" passes isdigit(), 5,000 digits are too many for int())
    page = min(int(asked), pages) if re.fullmatch(r"[0-9]{1,6}", asked) and int(asked) > 0 else 1
    first = (page - 1) * LIST_LIMIT
    return render_template(
        "coordinator/beneficiaries.html", rows=rows[first:first + LIST_LIMIT], total=total,
        query=query, show=show, page=page, pages=pages, first=first, in_force=in_force,
        paused_found=paused_found,
    )  # fmt: skip


def _in_force(plan: CarePlan, today: date) -> bool:
    """Whether a care plan's visits are planned now: active (not paused), started, not ended."""
    ended = plan.end_date is not None and plan.end_date < today
    return plan.status == "active" and plan.start_date <= today and not ended


def _beneficiary_form(s: Session, person: Beneficiary | None, *, stored: bool) -> BeneficiaryForm:
    """The person's form: as stored (``stored``, a GET), else with what the browser sent."""
    form = BeneficiaryForm(formdata=None, obj=person) if stored else BeneficiaryForm(obj=person)
    form.settlement_code.choices = _settlement_choices(s, blank=person is None)
    return form


@bp.route("/beneficiaries/new", methods=["GET", "POST"])
@bp.route("/beneficiaries/<int:bid>", methods=["GET", "POST"])
def beneficiary(bid: int | None = None) -> Any:
    """One person: details, exact point on the map, care plans."""

    def handle(s: Session, write: bool) -> Saved | dict[str, Any]:
        person = s.get(Beneficiary, bid) if bid is not None else None
        if bid is not None and person is None:
            abort(404)
        form, conflict, store = _edit(
            s, write, person, _beneficiary_form, taken=lambda f: _office_id_taken(s, f, person)
        )
        if store:
            if person is None:
                person = Beneficiary()
                s.add(person)
            person.full_name = str(form.full_name.data).strip()
            person.external_id = (form.external_id.data or "").strip() or None
            person.settlement_code = str(form.settlement_code.data)
            person.address = (form.address.data or "").strip() or None
            # stored as the importer stores it (+30 and 10 digits), not as typed: «+30 694 123 4567»
            person.phone = normalise_phone(form.phone.data or "")  # checked by validate_phone
            person.lat, person.lon = form.lat.data, form.lon.data
            offered = set(PRIORITY_GROUP_LABELS)  # a code the form does not offer is kept as it is
            kept = {g for g in (person.priority_groups or []) if g not in offered}
            person.priority_groups = sorted(kept | set(form.priority_groups.data or []))
            person.notes = (form.notes.data or "").strip() or None
            person.active = bool(form.active.data)
            s.flush()
            return Saved(url_for("coordinator.beneficiary", bid=person.id), (("info", _("Saved.")),))
        return {
            "form": form, "person": person, "plans": list(person.care_plans) if person else [],
            "settlements": {r.code: (r.lat, r.lon) for r in s.scalars(select(Settlement))},
            "staff_names": {st.id: st.name for st in s.scalars(select(Staff))}, "post": PostForm(),
            "conflict": conflict, "today": calendar_today(), "format_windows": format_windows,
        }  # fmt: skip

    return _respond("coordinator/beneficiary.html", handle)


def _office_id_taken(s: Session, form: BeneficiaryForm, person: Beneficiary | None) -> bool:
    """Whether another person already has the form's office ID, matched as the importer matches
    IDs (:func:`planner.register.importer._id_key`: ``κκ-2026/17``, Latin ``KK-2026/17`` and
    ``ΚΚ-2026/17`` are one ID, else an import could no longer tell them apart); then the field
    says who."""
    office_id = (form.external_id.data or "").strip()
    if not office_id:
        return False
    key = _id_key(office_id)
    stmt = select(Beneficiary).where(Beneficiary.external_id.is_not(None)).order_by(Beneficiary.id)
    others = (b for b in s.scalars(stmt) if b is not person)
    other = next((b for b in others if _id_key(b.external_id or "") == key), None)
    if other is None:
        return False
    message = _("This office ID is already used by %(name)s.", name=other.full_name)
    form.external_id.errors = [*form.external_id.errors, message]
    return True


@bp.route("/beneficiaries/<int:bid>/pause", methods=["POST"])
def beneficiary_pause(bid: int) -> Any:
    """Pause a person (no visits planned) or resume them: the button says which (``to``), so a
    click on a page shown before someone else's pause or resume does not undo it."""
    if not PostForm().validate_on_submit():
        abort(400)
    to = _wanted_state()
    back = redirect(url_for("coordinator.beneficiary", bid=bid))
    try:
        with transaction() as s:
            person = s.get(Beneficiary, bid)
            if person is None:
                abort(404)
            if to is None and _stale_toggle(s, person):
                flash(_("This page was out of date, so nothing was changed: check the state below and use "
                        "the button again."), "error")  # fmt: skip
                return back
            wanted = (not person.active) if to is None else to == "active"
            changed = person.active != wanted
            person.active = wanted
    except OperationalError as refused:
        current_app.logger.warning("%s: nothing saved", request.path, exc_info=True)
        flash(_not_saved_message(refused), "error")
        return back
    if not changed:
        flash(_("This person is already active: nothing was changed.") if wanted
              else _("This person is already paused: nothing was changed."), "info")  # fmt: skip
    else:
        flash(_("Resumed.") if wanted else _("Paused: no visits will be planned."), "info")
    return back


# --- care plans ------------------------------------------------------------------------------


class CarePlanForm(RegisterForm):
    """What a person gets and how often."""

    service = StringField(
        _l("Service"),
        validators=[DataRequired(), Length(max=60)],
        description=_l("e.g. home visit, psychological support"),
    )
    required_role = SelectField(
        _l("Staff role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES if r != "driver")
    )
    staff_id = SelectField(_l("Named staff member"), validators=[Optional()])
    duration_min = WholeNumberField(
        _l("Duration (minutes)"), validators=[InputRequired(), between(*CARE_PLAN_DURATION)]
    )
    frequency_kind = SelectField(
        _l("Frequency"), choices=options((k, FREQUENCY_LABELS[k]) for k in FREQUENCY_KINDS)
    )
    frequency_count = WholeNumberField(
        _l("How many / N"), default=1, validators=[InputRequired(), between(1, 12)]
    )
    allowed_weekdays = MultiCheckboxField(_l("Allowed weekdays (none: any)"), coerce=int)
    time_windows = StringField(
        _l("Time windows"), validators=[Optional()], description=_l("e.g. 09:00-12:00, 14:00-16:00")
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired()], default=calendar_today)
    end_date = DateField(_l("End date"), validators=[Optional()])
    active = BooleanField(_l("Active (not paused)"), default=True)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

    def validate_frequency_count(self, field: WholeNumberField) -> None:
        """A weekly plan's visits fall on different days: no more than the working days it allows."""
        if self.frequency_kind.data != "weekly" or field.data is None or field.errors:
            return
        days = working_days(self.allowed_weekdays.data)
        if days and field.data > len(days):
            raise ValidationError(
                _("%(count)d visits a week need as many different days, and this plan allows only "
                  "%(days)d working days.", count=field.data, days=len(days))
            )  # fmt: skip

    def validate_allowed_weekdays(self, field: MultiCheckboxField) -> None:
        """At least one of the days ticked is a day the Centre works."""
        if field.data and not working_days(field.data):
            raise ValidationError(
                _("The Centre works Monday to Friday: a plan allowed only on Saturday or Sunday is "
                  "never planned.")
            )  # fmt: skip

    def validate_time_windows(self, field: StringField) -> None:
        """Windows as HH:MM-HH:MM, start before end, each long enough for the visit."""
        try:
            windows = parse_windows(field.data or "")
        except ValueError as exc:
            raise ValidationError(_("Not a time window: %(text)s", text=str(exc))) from exc
        duration = self.duration_min.data
        if not isinstance(duration, int) or self.duration_min.errors:
            return
        _refuse(window_problem(windows, duration))  # long enough, inside the Centre's hours

    def validate_start_date(self, field: DateField) -> None:
        """A year the importer accepts too (2206 typed for 2026: a plan never due)."""
        if field.data:
            _refuse(plan_date_problem(field.data))

    def validate_end_date(self, field: DateField) -> None:
        """The end is not before the start, in a year the importer accepts too."""
        if field.data:
            _refuse(plan_date_problem(field.data))
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_("The end date is before the start date."))


def chosen_id(value: object) -> int | None:
    """A select's chosen id, None for no choice: an optional select lets blank input through
    (``Optional`` stops its checks), so "" and " " both mean none."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None  # not "²", which isdigit() allows


def _refuse(problem: Problem | None) -> None:
    """A rule the importer checks too (:mod:`planner.register.rules`), in the page's language."""
    if problem is not None:
        raise ValidationError(problem.el if current_language() == "el" else problem.en)


def _minutes_of(value: str | dt_time) -> int:
    """``"09:30"`` or a time as minutes after midnight."""
    if isinstance(value, dt_time):
        return value.hour * 60 + value.minute
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _staff_mismatch(
    member: Staff, role: str, weekdays: list[int] | None, windows: list[list[str]], duration: int | None
) -> str | None:
    """Why ``member`` cannot make a plan's visits (its role, allowed weekdays, hours and visit
    length), None if they can: another role; no working day among the plan's days; or none of
    the plan's hours (none given: the Centre's day, to 20:00 on a pilot day) that holds the whole
    visit inside the member's working hours."""
    if member.role != role:
        return str(_("%(name)s is a %(role)s; this plan needs a %(required)s.", name=member.name,
                     role=ROLE_LABELS[member.role], required=ROLE_LABELS.get(role, role)))  # fmt: skip
    if not working_days(weekdays).intersection(member.weekdays or []):
        return str(_("%(name)s works on none of the days this plan allows.", name=member.name))
    if duration is None:
        return None
    first, last = _minutes_of(member.day_start), _minutes_of(member.day_end)
    spans = [(_minutes_of(a), _minutes_of(b)) for a, b in windows] or [
        (_minutes_of(DAY_START), _minutes_of(LATEST_END))
    ]
    if any(max(a, first) + duration <= min(b, last) for a, b in spans):
        return None
    return str(_("%(name)s works %(start)s-%(end)s: none of this plan's hours leaves room for the "
                 "%(minutes)d-minute visit then.", name=member.name, start=member.day_start.strftime("%H:%M"),
                 end=member.day_end.strftime("%H:%M"), minutes=duration))  # fmt: skip


def _wrong_staff_member(s: Session, form: CarePlanForm) -> bool:
    """Whether the named staff member cannot make the plan's visits (:func:`_staff_mismatch`:
    another role, no working day among the plan's allowed days, or working hours that hold the
    visit in none of the plan's hours); then the field says why."""
    sid = chosen_id(form.staff_id.data)
    member = s.get(Staff, sid) if sid is not None else None
    if member is None:
        return False
    try:
        windows = parse_windows(form.time_windows.data or "")
    except ValueError:  # the windows' field says so already
        windows = []
    duration = form.duration_min.data if isinstance(form.duration_min.data, int) else None
    message = _staff_mismatch(
        member, str(form.required_role.data), form.allowed_weekdays.data, windows,
        None if form.duration_min.errors or form.time_windows.errors else duration,
    )  # fmt: skip
    if message is None:
        return False
    form.staff_id.errors = [*form.staff_id.errors, message]
    return True


def _care_plan_form(s: Session, plan: CarePlan | None, *, stored: bool) -> CarePlanForm:
    """The plan's form: as stored (``stored``, a GET), else with what the browser sent."""
    form = CarePlanForm(formdata=None, obj=plan) if stored else CarePlanForm(obj=plan)
    form.allowed_weekdays.choices = weekday_choices()
    named = s.get(Staff, plan.staff_id) if plan is not None and plan.staff_id is not None else None
    form.staff_id.choices = _staff_choices(s, named)
    if named is not None and not named.active:
        form.staff_id.description = _(
            "%(name)s is no longer an active staff member: this plan's visits are planned with anyone "
            "of the role until you choose someone else.", name=named.name)  # fmt: skip
    if stored and plan is not None:
        form.time_windows.data = format_windows(plan.time_windows)
        form.staff_id.data = str(plan.staff_id or "")
        form.active.data = plan.status == "active"
    return form


@bp.route("/beneficiaries/<int:bid>/plans/new", methods=["GET", "POST"])
@bp.route("/beneficiaries/<int:bid>/plans/<int:pid>", methods=["GET", "POST"])
def care_plan(bid: int, pid: int | None = None) -> Any:
    """Add or edit a care plan of a person."""

    def handle(s: Session, write: bool) -> Saved | dict[str, Any]:
        person = s.get(Beneficiary, bid)
        plan = s.get(CarePlan, pid) if pid is not None else None
        if person is None or (pid is not None and (plan is None or plan.beneficiary_id != bid)):
            abort(404)
        form, conflict, store = _edit(
            s, write, plan, _care_plan_form, taken=lambda f: _wrong_staff_member(s, f)
        )
        if store:
            if plan is None:
                plan = CarePlan(beneficiary_id=bid)
                s.add(plan)
            plan.service = str(form.service.data).strip()
            plan.required_role = str(form.required_role.data)
            plan.staff_id = chosen_id(form.staff_id.data)
            plan.duration_min = int(form.duration_min.data or 0)
            plan.frequency_kind = str(form.frequency_kind.data)
            plan.frequency_count = int(form.frequency_count.data or 1)
            plan.allowed_weekdays = sorted(form.allowed_weekdays.data or [])
            plan.time_windows = parse_windows(form.time_windows.data or "")
            plan.start_date = form.start_date.data or calendar_today()
            plan.end_date = form.end_date.data
            plan.status = "active" if form.active.data else "paused"
            plan.notes = (form.notes.data or "").strip() or None
            s.flush()
            return Saved(url_for("coordinator.beneficiary", bid=bid), (("info", _("Saved.")),))
        return {"form": form, "person": person, "plan": plan, "conflict": conflict}

    return _respond("coordinator/care_plan.html", handle)


@bp.route("/beneficiaries/<int:bid>/plans/<int:pid>/pause", methods=["POST"])
def care_plan_pause(bid: int, pid: int) -> Any:
    """Pause a care plan or resume it: the button says which (``to``), so a click on a page shown
    before someone else's pause or resume does not undo it."""
    if not PostForm().validate_on_submit():
        abort(400)
    to = _wanted_state()
    back = redirect(url_for("coordinator.beneficiary", bid=bid))
    try:
        with transaction() as s:
            plan = s.get(CarePlan, pid)
            if plan is None or plan.beneficiary_id != bid:
                abort(404)
            if to is None and _stale_toggle(s, plan):
                flash(_("This page was out of date, so nothing was changed: check the state below and use "
                        "the button again."), "error")  # fmt: skip
                return back
            wanted = ("paused" if plan.status == "active" else "active") if to is None else to
            changed = plan.status != wanted
            plan.status = wanted
    except OperationalError as refused:
        current_app.logger.warning("%s: nothing saved", request.path, exc_info=True)
        flash(_not_saved_message(refused), "error")
        return back
    if not changed:
        flash(_("This care plan is already active: nothing was changed.") if wanted == "active"
              else _("This care plan is already paused: nothing was changed."), "info")  # fmt: skip
    else:
        flash(_("Resumed.") if wanted == "active" else _("Paused: no visits will be planned."), "info")
    return back


# --- village stops ---------------------------------------------------------------------------


class StopForm(RegisterForm):
    """A village stop."""

    settlement_code = SelectField(_l("Settlement"), validators=[DataRequired()])
    place = StringField(
        _l("Place"),
        validators=[Optional(), Length(max=200)],
        description=_l("e.g. the square, the community office"),
    )
    duration_min = WholeNumberField(
        _l("Duration (minutes)"), validators=[InputRequired(), between(*STOP_DURATION)]
    )
    announced_times = StringField(
        _l("Announced start times"), validators=[Optional()], description=_l("e.g. 10:00, 12:30")
    )
    frequency_kind = SelectField(
        _l("Frequency"), choices=options((k, FREQUENCY_LABELS[k]) for k in FREQUENCY_KINDS)
    )
    frequency_count = WholeNumberField(
        _l("How many / N"), default=1, validators=[InputRequired(), between(1, 12)]
    )
    usual_weekday = SelectField(_l("Usual weekday"), validators=[Optional()])
    required_role = SelectField(
        _l("Staff role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES if r != "driver")
    )
    active = BooleanField(_l("Active"), default=True)

    def validate_announced_times(self, field: StringField) -> None:
        """Times as HH:MM, each letting the stop begin and end inside the Centre's hours."""
        try:
            times = parse_times(field.data or "")
        except ValueError as exc:
            raise ValidationError(_("Not a time: %(text)s", text=str(exc))) from exc
        duration = self.duration_min.data
        if isinstance(duration, int) and not self.duration_min.errors:
            _refuse(announced_time_problem(times, duration))

    def validate_usual_weekday(self, field: SelectField) -> None:
        """A day the Centre works (one of the choices: the choice's own check said if not)."""
        if field.data and not field.errors:
            _refuse(stop_weekday_problem(int(field.data)))

    def validate_frequency_count(self, field: WholeNumberField) -> None:
        """A weekly stop at most once a working day."""
        if field.data is not None and not field.errors:
            _refuse(weekly_count_problem(str(self.frequency_kind.data), field.data))


@bp.route("/stops")
def stops() -> Any:
    """The village stops, with search by village."""
    query = request.args.get("q", "").strip()
    with reader() as s:
        rows = list(s.scalars(select(VillageStop).options(selectinload(VillageStop.settlement))))
    rows.sort(key=lambda r: (collation_key(r.settlement.name_el), r.id))
    if query:
        rows = [r for r in rows if matches(query, r.settlement.name_el, r.settlement.name_latin, r.place)]
    return render_template("coordinator/stops.html", rows=rows, query=query)


def _stop_form(s: Session, row: VillageStop | None, *, stored: bool) -> StopForm:
    """The stop's form: as stored (``stored``, a GET), else with what the browser sent."""
    form = StopForm(formdata=None, obj=row) if stored else StopForm(obj=row)
    form.settlement_code.choices = _settlement_choices(s, blank=row is None)
    form.usual_weekday.choices = options([("", "—"), *WEEKDAYS.items()])
    if stored and row is not None:
        form.announced_times.data = ", ".join(row.announced_times)
        form.usual_weekday.data = str(row.usual_weekday or "")
    return form


@bp.route("/stops/new", methods=["GET", "POST"])
@bp.route("/stops/<int:sid>", methods=["GET", "POST"])
def stop(sid: int | None = None) -> Any:
    """Add or edit a village stop."""

    def handle(s: Session, write: bool) -> Saved | dict[str, Any]:
        row = s.get(VillageStop, sid) if sid is not None else None
        if sid is not None and row is None:
            abort(404)
        form, conflict, store = _edit(s, write, row, _stop_form)
        if store:
            if row is None:
                row = VillageStop()
                s.add(row)
            row.settlement_code = str(form.settlement_code.data)
            row.place = (form.place.data or "").strip() or None
            row.duration_min = int(form.duration_min.data or 0)
            row.announced_times = parse_times(form.announced_times.data or "")
            row.frequency_kind = str(form.frequency_kind.data)
            row.frequency_count = int(form.frequency_count.data or 1)
            row.usual_weekday = chosen_id(form.usual_weekday.data)
            row.required_role = str(form.required_role.data)
            row.active = bool(form.active.data)
            s.flush()
            return Saved(url_for("coordinator.stops"), (("info", _("Saved.")),))
        return {"form": form, "row": row, "conflict": conflict}

    return _respond("coordinator/stop.html", handle)


# --- staff ------------------------------------------------------------------------------------


class StaffForm(RegisterForm):
    """A staff member's role, working weekdays and hours."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=options((r, ROLE_LABELS[r]) for r in ROLES))
    part_time = BooleanField(_l("Part-time"))
    weekdays = MultiCheckboxField(_l("Working weekdays"), coerce=int)
    day_start = StringField(_l("Starts at"), default="08:00", validators=[DataRequired()])
    day_end = StringField(_l("Ends at"), default="16:00", validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)

    def validate_weekdays(self, field: MultiCheckboxField) -> None:
        """Staff who ride in the unit work at least one weekday (the driver may have none)."""
        if not field.data and self.role.data != "driver":
            raise ValidationError(_("Tick at least one working weekday."))

    def validate_day_end(self, field: StringField) -> None:
        """Both times valid, the start before the end."""
        try:
            start, end = time_of(self.day_start.data or ""), time_of(field.data or "")
        except ValueError as exc:
            raise ValidationError(_("Not a time: %(text)s", text=str(exc))) from exc
        if start >= end:
            raise ValidationError(_("The day ends before it starts."))


@bp.route("/staff")
def staff() -> Any:
    """The staff and their working days."""
    with reader() as s:
        rows = sorted(s.scalars(select(Staff)), key=lambda r: (not r.active, collation_key(r.name), r.id))
    return render_template("coordinator/staff.html", rows=rows, role_labels=ROLE_LABELS)


def _staff_form(s: Session, row: Staff | None, *, stored: bool) -> StaffForm:
    """The staff member's form: as stored (``stored``, a GET), else with what the browser sent."""
    form = StaffForm(formdata=None, obj=row) if stored else StaffForm(obj=row)
    form.weekdays.choices = weekday_choices()
    if stored and row is not None:
        form.day_start.data = row.day_start.strftime("%H:%M")
        form.day_end.data = row.day_end.strftime("%H:%M")
    elif stored:
        form.weekdays.data = [1, 2, 3, 4, 5]
    return form


def _plans_naming(s: Session, member: Staff | None) -> list[tuple[CarePlan, Beneficiary]]:
    """The care plans that name ``member`` and have not ended, with their person, by name."""
    if member is None or member.id is None:
        return []
    rows = s.execute(
        select(CarePlan, Beneficiary)
        .join(Beneficiary, CarePlan.beneficiary_id == Beneficiary.id)
        .where(
            CarePlan.staff_id == member.id,
            or_(CarePlan.end_date.is_(None), CarePlan.end_date >= calendar_today()),
        )
    ).all()
    return sorted(((p, b) for p, b in rows), key=lambda pb: (collation_key(pb[1].full_name), pb[0].id))


def _unfit_plans(s: Session, member: Staff | None) -> dict[int, str]:
    """The care plans naming ``member`` (not ended) that they cannot make, by id, with why
    (:func:`_staff_mismatch`): after a change of their role, working days or hours."""
    if member is None or not member.active:
        return {}
    unfit: dict[int, str] = {}
    for plan, _person in _plans_naming(s, member):
        why = _staff_mismatch(member, plan.required_role, plan.allowed_weekdays, plan.time_windows or [],
                              plan.duration_min)  # fmt: skip
        if why is not None:
            unfit[plan.id] = why
    return unfit


@bp.route("/staff/new", methods=["GET", "POST"])
@bp.route("/staff/<int:sid>", methods=["GET", "POST"])
def staff_member(sid: int | None = None) -> Any:
    """Add or edit a staff member; the care plans that name them are listed, since making them
    inactive leaves those plans' visits to anyone of the role."""

    def handle(s: Session, write: bool) -> Saved | dict[str, Any]:
        row = s.get(Staff, sid) if sid is not None else None
        if sid is not None and row is None:
            abort(404)
        form, conflict, store = _edit(s, write, row, _staff_form)
        if store:
            was_active = row is not None and row.active
            unfit_before = set(_unfit_plans(s, row))
            if row is None:
                row = Staff()
                s.add(row)
            row.name = str(form.name.data).strip()
            row.role = str(form.role.data)
            row.part_time = bool(form.part_time.data)
            row.weekdays = sorted(form.weekdays.data or [])
            row.day_start = time_of(form.day_start.data or "")
            row.day_end = time_of(form.day_end.data or "")
            row.active = bool(form.active.data)
            s.flush()
            naming = _plans_naming(s, row) if was_active and not row.active else []
            # a new role, days or hours that no longer fit plans naming them: said as a deactivation is
            broken = set() if naming or not row.active else set(_unfit_plans(s, row)) - unfit_before
            if naming:
                warning = ngettext(
                    "%(name)s is now inactive, and %(num)d care plan still names them: see below.",
                    "%(name)s is now inactive, and %(num)d care plans still name them: see below.",
                    len(naming), name=row.name,
                )  # fmt: skip
            elif broken:
                warning = ngettext(
                    "%(name)s's new role, days or hours no longer fit %(num)d care plan that names them: "
                    "see below.",
                    "%(name)s's new role, days or hours no longer fit %(num)d care plans that name them: "
                    "see below.",
                    len(broken), name=row.name,
                )  # fmt: skip
            else:
                return Saved(url_for("coordinator.staff"), (("info", _("Saved.")),))
            return Saved(url_for("coordinator.staff_member", sid=row.id),
                         (("info", _("Saved.")), ("error", warning)))  # fmt: skip
        return {"form": form, "row": row, "conflict": conflict, "naming": _plans_naming(s, row),
                "unfit": _unfit_plans(s, row)}  # fmt: skip

    return _respond("coordinator/staff_member.html", handle)


# --- units -----------------------------------------------------------------------------------

KEEP_BASE = "current"
"""The base field's value for "keep the unit's base as it is": a base set with ``kinito unit add
--base-lat/--base-lon`` or ``--base-name`` (the demo's Community Centre) is no settlement's point."""
MAX_SEATS = 20
"""The most seats for staff (besides the driver) a unit may have: a van has a few, a minibus some more."""


class UnitForm(RegisterForm):
    """A mobile unit: its name, base, seats for staff and its driver's working hours a week."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    base = SelectField(
        _l("Base"),
        validators=[DataRequired()],
        description=_l("The settlement the unit leaves from each morning and returns to."),
    )
    capacity = WholeNumberField(
        _l("Seats"),
        default=2,
        validators=[InputRequired(), between(1, MAX_SEATS)],
        description=_l("For staff, besides the driver."),
    )
    weekly_hours = StringField(_l("Driver's hours a week"), validators=[Optional()])
    active = BooleanField(_l("In service (planned)"), default=True)

    def validate_weekly_hours(self, field: StringField) -> None:
        """Hours a week, over 0 and at most 168, as the register keeps them (to the minute)."""
        try:
            parse_weekly_hours(field.data or "")
        except ValueError as exc:
            raise ValidationError(
                _("Hours a week: more than 0 and at most %(most)d, e.g. 20 or 20,5.", most=MAX_WEEKLY_HOURS)
            ) from exc


@bp.app_template_global()
def weekly_hours_text(hours: float | None) -> str:
    """A unit's weekly hours in the request's language: ``20,5``; None, the engine's default:
    ``40 (προεπιλογή)``."""
    if hours is not None:
        return str(format_decimal(hours, format="0.##"))
    return str(_("%(hours)s (default)", hours=weekly_hours_text(WEEKLY_MAX_WORK / HOUR)))


def _base_choices(s: Session, unit: Unit | None) -> tuple[list[SelectChoice], str | None]:
    """The settlements to choose the base from, and the one the unit's base is (None if none):
    a base that is no settlement's point and name comes first, as "keep the current base"."""
    choices = _settlement_choices(s)
    if unit is None:
        return choices, None
    point = (Settlement.lat == unit.base_lat, Settlement.lon == unit.base_lon)
    here = s.scalars(select(Settlement.code).where(Settlement.name_el == unit.base_name, *point)).first()
    if here is not None:
        return choices, here
    # the point with the language's decimal mark (Greek «38,24979»), each number named: in Greek
    # a comma also parts the two numbers
    current = _("Current base: %(name)s (latitude %(lat)s, longitude %(lon)s)", name=unit.base_name,
                lat=decimal(unit.base_lat, 5), lon=decimal(unit.base_lon, 5))  # fmt: skip
    return [SelectChoice(KEEP_BASE, current), *choices], KEEP_BASE


def _unit_name_taken(s: Session, form: UnitForm, unit: Unit | None) -> bool:
    """Whether another unit already has the form's name, case and accents aside (``kinito week
    --units`` names units so), then the field says so."""
    other = same_name_unit(s, str(form.name.data), unit)
    if other is None:
        return False
    form.name.errors = [*form.name.errors, _("There is already a unit called %(name)s.", name=other.name)]
    return True


@bp.route("/units")
def units() -> Any:
    """The mobile units: base, seats, the driver's hours a week."""
    with reader() as s:
        rows = sorted(s.scalars(select(Unit)), key=lambda u: (not u.active, collation_key(u.name), u.id))
    return render_template("coordinator/units.html", rows=rows)


def _unit_form(s: Session, row: Unit | None, *, stored: bool) -> UnitForm:
    """The unit's form: as stored (``stored``, a GET), else with what the browser sent."""
    form = UnitForm(formdata=None, obj=row) if stored else UnitForm(obj=row)
    form.base.choices, current = _base_choices(s, row)
    form.weekly_hours.description = _(
        "e.g. 20 or 20,5 for a part-time driver; empty: %(default)s.",
        default=weekly_hours_text(None),
    )
    if stored and row is not None:
        form.base.data = current
        form.weekly_hours.data = "" if row.weekly_hours is None else weekly_hours_text(row.weekly_hours)
    return form


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:uid>", methods=["GET", "POST"])
def unit(uid: int | None = None) -> Any:
    """Add or edit a mobile unit; a base that is no settlement's point is kept unless another is chosen."""

    def handle(s: Session, write: bool) -> Saved | dict[str, Any]:
        row = s.get(Unit, uid) if uid is not None else None
        if uid is not None and row is None:
            abort(404)
        form, conflict, store = _edit(s, write, row, _unit_form, taken=lambda f: _unit_name_taken(s, f, row))
        if store:
            # one of the choices, read in this transaction; None: keep the base (only a unit has one)
            place = None if form.base.data == KEEP_BASE else s.get(Settlement, str(form.base.data))
            if row is None:
                row = Unit()
                s.add(row)
            row.name = str(form.name.data).strip()
            if place is not None:
                row.base_name, row.base_lat, row.base_lon = place.name_el, place.lat, place.lon
            row.capacity = int(form.capacity.data or 0)
            hours = str(form.weekly_hours.data or "").strip()  # empty: the engine's default
            row.weekly_hours = parse_weekly_hours(hours) if hours else None
            row.active = bool(form.active.data)
            s.flush()
            return Saved(url_for("coordinator.units"), (("info", _("Saved.")),))
        return {"form": form, "row": row, "conflict": conflict}

    return _respond("coordinator/unit.html", handle)


# --- calendar --------------------------------------------------------------------------------


class CalendarForm(FlaskForm):
    """A day that is not ordinary."""

    day = DateField(_l("Date"), validators=[InputRequired()])
    kind = SelectField(_l("Kind"), choices=options((k, CALENDAR_LABELS[k]) for k in CALENDAR_KINDS))
    unit_id = SelectField(_l("Unit"), validators=[Optional()])
    staff_id = SelectField(_l("Staff member"), validators=[Optional()])
    name = StringField(_l("Description"), validators=[Optional(), Length(max=200)])

    def validate_day(self, field: DateField) -> None:
        """A year the care plans' dates take too (:func:`planner.register.rules.plan_date_problem`,
        inside :data:`CALENDAR_YEARS`): «12/01/26» was saved as the year 26, a day the calendar
        then never listed nor let remove."""
        if field.data:
            _refuse(plan_date_problem(field.data))

    def validate(self, extra_validators: Any = None) -> bool:
        """A unit only, and always, for a day a unit is unavailable; a staff member only, and
        always, for a day one is away (checked here: an empty field skips its own validators)."""
        ok = bool(super().validate(extra_validators))
        if self.kind.data == "unit_unavailable" and chosen_id(self.unit_id.data) is None:
            self.unit_id.errors = [*self.unit_id.errors, _("Choose the unit that is unavailable.")]
            return False
        if self.kind.data == "staff_unavailable" and chosen_id(self.staff_id.data) is None:
            self.staff_id.errors = [*self.staff_id.errors, _("Choose the staff member who is away.")]
            return False
        # a unit or a person chosen with another kind would be dropped, and the day closed for
        # everyone (a walkthrough: a person chosen, «Είδος» left at «Αργία», saved a holiday)
        if chosen_id(self.unit_id.data) is not None and self.kind.data != "unit_unavailable":
            self.kind.errors = [*self.kind.errors, _("A unit is chosen: the kind is «Unit unavailable», "
                                                     "or leave the unit empty.")]  # fmt: skip
            return False
        if chosen_id(self.staff_id.data) is not None and self.kind.data != "staff_unavailable":
            self.kind.errors = [*self.kind.errors, _("A staff member is chosen: the kind is «Staff member "
                                                     "away», or leave the staff member empty.")]  # fmt: skip
            return False
        return ok


CLOSED_KINDS = frozenset({"holiday", "closure"})
"""Calendar kinds that close the Centre for the day: one such entry a day is enough."""


def _calendar_unit(form: CalendarForm) -> int | None:
    return chosen_id(form.unit_id.data) if form.kind.data == "unit_unavailable" else None


def _calendar_staff(form: CalendarForm) -> int | None:
    return chosen_id(form.staff_id.data) if form.kind.data == "staff_unavailable" else None


def _day_already_entered(s: Session, form: CalendarForm) -> bool:
    """Whether the day already has this entry (the same kind, for the same unit or staff
    member), or is already closed and the form closes it again (then the date field says so)."""
    kind, unit_id, staff_id = str(form.kind.data), _calendar_unit(form), _calendar_staff(form)
    for row in s.scalars(select(CalendarDay).where(CalendarDay.day == form.day.data)):
        same = row.kind == kind and row.unit_id == unit_id and row.staff_id == staff_id
        if same or (kind in CLOSED_KINDS and row.kind in CLOSED_KINDS):
            label = CALENDAR_LABELS.get(row.kind, row.kind)
            message = _("This day is already in the calendar: %(kind)s%(name)s.", kind=label,
                        name=f" ({row.name})" if row.name else "")  # fmt: skip
            form.day.errors = [*form.day.errors, message]
            return True
    return False


def _pilot_day_closed(s: Session, form: CalendarForm) -> bool:
    """Whether the form adds a pilot day (extended hours) on a day the Centre does not work: a
    Saturday or Sunday, a public holiday or Aigio's, or a holiday or closure in the calendar. It
    was saved and did nothing (the week builder opens no unit then); the date field says why."""
    day = form.day.data
    if form.kind.data != "pilot_extended_hours" or day is None:
        return False
    if day.isoweekday() > 5:
        message = _("A Saturday or Sunday: the Centre does not work then, so a pilot day would extend "
                    "nothing.")  # fmt: skip
    else:
        closed = dict(public_holidays(day.year))
        stored = s.scalars(
            select(CalendarDay).where(CalendarDay.day == day, CalendarDay.kind.in_(CLOSED_KINDS))
        ).first()
        if stored is not None:
            closed.setdefault(day, stored.name or str(CALENDAR_LABELS.get(stored.kind, stored.kind)))
        if day not in closed:
            return False
        message = _("A day the Centre is closed (%(name)s): a pilot day would extend nothing.",
                    name=closed[day])  # fmt: skip
    form.day.errors = [*form.day.errors, message]
    return True


CALENDAR_YEARS = (1990, 2100)
"""The years the calendar page shows (others: a message, not an error page)."""


@bp.route("/calendar", methods=["GET", "POST"])
def calendar() -> Any:
    """Holidays, closures, pilot days, unit unavailability and staff absences, by year; add a day."""
    try:
        year = int(request.args.get("year", calendar_today().year))
    except ValueError:
        year = 0
    if not CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:
        flash(_("Choose a year from %(first)d to %(last)d.", first=CALENDAR_YEARS[0], last=CALENDAR_YEARS[1]),
              "error")  # fmt: skip
        return redirect(url_for("coordinator.calendar"))

    def handle(s: Session, write: bool) -> Saved | dict[str, Any]:
        form = CalendarForm()
        units = list(s.scalars(select(Unit).order_by(Unit.name)))
        form.unit_id.choices = options([("", "—"), *((u.id, u.name) for u in units)])
        # the staff who ride in a unit first, then the drivers, each by name (Greek order)
        people = sorted(
            s.scalars(select(Staff)), key=lambda p: (p.role == "driver", collation_key(p.name), p.id)
        )
        form.staff_id.choices = options([("", "—"), *((p.id, p.name) for p in people if p.active)])
        if (
            write
            and form.validate_on_submit()
            and not _day_already_entered(s, form)
            and not _pilot_day_closed(s, form)
        ):
            day = form.day.data
            assert day is not None
            s.add(CalendarDay(day=day, kind=str(form.kind.data), unit_id=_calendar_unit(form),
                              staff_id=_calendar_staff(form),
                              name=(form.name.data or "").strip() or None))  # fmt: skip
            s.flush()
            return Saved(url_for("coordinator.calendar", year=day.year), (("info", _("Saved.")),))
        rows = list(
            s.scalars(
                select(CalendarDay)
                .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
                .order_by(CalendarDay.day)
            )
        )
        # days saved before the year was checked (0026 for 2026): no year's page lists them
        first, last = date(CALENDAR_YEARS[0], 1, 1), date(CALENDAR_YEARS[1], 12, 31)
        strays = list(
            s.scalars(
                select(CalendarDay)
                .where(or_(CalendarDay.day < first, CalendarDay.day > last))
                .order_by(CalendarDay.day)
            )
        )
        return {
            "strays": strays, "years": CALENDAR_YEARS,
            "form": form, "rows": rows, "year": year, "unit_names": {u.id: u.name for u in units},
            "staff_names": {p.id: p.name for p in s.scalars(select(Staff))},
            "kind_labels": CALENDAR_LABELS, "post": PostForm(), "public_holidays": public_holidays(year),
        }  # fmt: skip

    return _respond("coordinator/calendar.html", handle)


def public_holidays(year: int) -> list[tuple[date, str]]:
    """Greece's public holidays of ``year`` (Orthodox Easter included) and Aigio's local one,
    named in the page's language: the week builder leaves them out of every week without a
    calendar entry. Named as :func:`planner.register.calendar.national_holidays` names them (the
    holidays package's own «Εικοστή Πέμπτη Μαρτίου», «Ημέρα του Όχι», «(παρατηρήθηκε)» were shown)."""
    from planner.register.calendar import aigio_local_holidays, national_holidays

    found = dict(national_holidays([year], "el" if current_language() == "el" else "en"))
    for day, _name in aigio_local_holidays([year]):
        found.setdefault(day, _("Panagia Trypiti, patron saint of Aigio (local holiday)"))
    return sorted((day, str(name)) for day, name in found.items())


@bp.route("/calendar/<int:cid>/delete", methods=["POST"])
def calendar_delete(cid: int) -> Any:
    """Remove a calendar day."""
    if not PostForm().validate_on_submit():
        abort(400)
    try:
        with transaction() as s:
            row = s.get(CalendarDay, cid)
            if row is None:  # removed already (another tab, a colleague): nothing to do
                flash(_("This calendar entry had already been removed."), "info")
                return redirect(url_for("coordinator.calendar"))
            year, day = row.day.year, row.day
            s.delete(row)
    except OperationalError as refused:
        current_app.logger.warning("%s: nothing saved", request.path, exc_info=True)
        flash(_not_saved_message(refused), "error")
        return redirect(url_for("coordinator.calendar"))
    flash(_("Removed."), "info")
    holiday = holidays_closed([year]).get(day) if CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1] else None
    if holiday is not None:  # the week builder closes it whatever the calendar says: said, not hidden
        flash(
            _(
                "%(day)s stays closed all the same: it is a public holiday (%(name)s), which Kinito always "
                "closes. A day the Centre works on a public holiday cannot be opened in Kinito yet.",
                day=long_date(day),
                name=holiday,
            ),
            "warning",
        )
    if not CALENDAR_YEARS[0] <= year <= CALENDAR_YEARS[1]:  # a day of a year no page shows
        return redirect(url_for("coordinator.calendar"))
    return redirect(url_for("coordinator.calendar", year=year))


@bp.app_template_global()
def frequency_text(kind: str, count: int) -> str:
    """``2 φορές την εβδομάδα`` / ``κάθε 2 εβδομάδες`` / ``1 φορά τον μήνα``."""
    from flask_babel import ngettext

    if kind == "weekly":
        return str(ngettext("%(num)d time a week", "%(num)d times a week", count))
    if kind == "every_n_weeks":
        return str(ngettext("every week", "every %(num)d weeks", count))
    return str(ngettext("%(num)d time a month", "%(num)d times a month", count))


@bp.app_template_global()
def role_label(role: str) -> str:
    """A staff role in the request's language."""
    return str(ROLE_LABELS.get(role, role))


# --- import ----------------------------------------------------------------------------------

TEMPLATES = Path(planner.register.__file__).resolve().parent / "templates"
IMPORT_SUFFIXES = (".csv", ".xlsx")


UPLOAD_MAX_AGE = 3600  # seconds an unconfirmed upload (personal data) is kept


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _sweep_uploads(folder: Path | None = None) -> None:
    """Delete uploads nobody confirmed within the hour (a closed tab, a session that expired,
    leaves one behind): at every upload, when the import page is opened and at the app's start."""
    now = time.time()
    folder = _upload_dir() if folder is None else folder
    try:
        paths = list(folder.iterdir())
    except OSError:  # no uploads folder yet
        return
    for path in paths:
        try:
            if now - path.stat().st_mtime > UPLOAD_MAX_AGE:
                path.unlink()
        except OSError:
            continue


@bp.record_once
def _sweep_at_start(state: Any) -> None:
    """At the app's start: uploads left by a server stopped while they waited."""
    _sweep_uploads(Path(state.app.instance_path) / "uploads")


def _pending_upload() -> Path | None:
    """The file this session uploaded and has not confirmed yet (None if none or gone)."""
    token = session.get("import_token")
    suffix = session.get("import_suffix")
    if not token or suffix not in IMPORT_SUFFIXES:
        return None
    path = _upload_dir() / f"{token}{suffix}"
    return path if path.is_file() else None


def _forget_upload() -> None:
    path = _pending_upload()
    if path is not None:
        path.unlink(missing_ok=True)
    for key in ("import_token", "import_suffix", "import_kind", "import_name", "import_digest"):
        session.pop(key, None)


def forget_pending_upload() -> None:
    """Delete this session's checked file waiting for its import (personal data), if any: at
    log-out, and when the session is found expired (:mod:`webui.auth`, :mod:`webui.security`)."""
    _forget_upload()


def _changes_digest(report: ImportReport) -> str:
    """A digest of what a checked import would change (row by row, column by column, with the
    old values): a confirmation writes only the change list the user saw."""
    seen = (report.kind, report.added, report.updated, report.unchanged, report.changes)
    return hashlib.sha256(repr(seen).encode("utf-8")).hexdigest()


@bp.route("/import", methods=["GET", "POST"])
def import_upload() -> Any:
    """Upload an XLSX/CSV file; see its validation report before anything is written."""
    form = PostForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        upload = request.files.get("file")
        kind = cast(Kind | None, request.form.get("kind") or None)
        name = Path(upload.filename or "").name if upload else ""
        suffix = Path(name).suffix.lower()
        if (
            upload is None
            or not name
            or suffix not in IMPORT_SUFFIXES
            or kind not in (None, "beneficiaries", "stops")
        ):
            flash(_("Choose an .xlsx or .csv file."), "error")
            return redirect(url_for("coordinator.import_upload"))
        _forget_upload()
        _sweep_uploads()
        token = secrets.token_urlsafe(16)
        path = _upload_dir() / f"{token}{suffix}"
        upload.save(path)
        path.chmod(0o600)
        if suffix == ".xlsx" and not _looks_like_a_workbook(path):
            report = ImportReport(path=str(path), kind=kind)
            text = _("The file cannot be read as XLSX: it is damaged, or it is not an Excel workbook. "
                     "Open it in Excel and save it again as .xlsx, or as CSV UTF-8.")  # fmt: skip
            report.error(None, None, "", text, text)
        else:
            report = import_file(engine(), path, kind=kind, actor=g.user.username, dry_run=True)
        need_kind = kind is None and _kind_unknown(report, path)
        if report.ok:
            session.update(
                import_token=token, import_suffix=suffix, import_kind=report.kind, import_name=name,
                import_digest=_changes_digest(report),
            )  # fmt: skip
        else:
            path.unlink(missing_ok=True)
        return render_template(
            "coordinator/import.html", form=form, report=report, name=name, need_kind=need_kind, upload=token
        )
    _sweep_uploads()
    return render_template("coordinator/import.html", form=form, report=None, name="", need_kind=False)


def _looks_like_a_workbook(path: Path) -> bool:
    """Whether a file named .xlsx is a whole ZIP archive of an Office document, as an XLSX
    workbook is (or an old .xls, which the importer names as such). The importer reads any
    other file as CSV text, which then fails on its headers, and a damaged archive's message
    would carry the ZIP library's English words."""
    with path.open("rb") as f:
        if f.read(4) == b"\xd0\xcf\x11\xe0":
            return True
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _kind_unknown(report: ImportReport, path: Path) -> bool:
    """If the importer could not tell beneficiaries from stops by the headers, put its
    message, which names the command line's ``--kind``, in the web's words (the form's
    «Contents» field); True if so. The importer reports it on the header's row (row 1, or the
    row below a title) with no kind guessed."""
    at = next((n for n, i in enumerate(report.issues) if i.severity == "error" and i.row is not None), None)
    if report.kind is not None or at is None:
        return False
    text = _("The contents of the file cannot be told from its headers. Choose them in the "
             "«Contents» field below (beneficiaries or village stops) and check the file again.")  # fmt: skip
    try:
        table = read_table(path)
    except FileError:
        table = None
    if table is not None and table.other_sheets:
        others = ", ".join(f"«{sheet}»" for sheet in table.other_sheets)
        text += " " + _("Only the first sheet, «%(sheet)s», was read (the file also has %(others)s): "
                        "put the data on the first sheet.", sheet=table.sheet, others=others)  # fmt: skip
    report.issues[at] = Issue(report.issues[at].row, None, "", text, text)  # the header's row
    return True


@bp.route("/import/confirm", methods=["POST"])
def import_confirm() -> Any:
    """Write the file checked a moment ago, in one transaction (all or nothing)."""
    if not PostForm().validate_on_submit():
        abort(400)
    path = _pending_upload()
    if path is None:
        flash(_("There is no checked file waiting to be imported; upload it again."), "error")
        return redirect(url_for("coordinator.import_upload"))
    if request.form.get("upload") != session.get("import_token"):
        # the page checked another file: one checked since (another tab of this session) is the
        # one waiting, and would have been written in place of the one this page showed
        flash(_("This page's check is out of date: another file was checked since (in another tab). "
                "Nothing was imported; check the file again."), "error")  # fmt: skip
        return redirect(url_for("coordinator.import_upload"))
    kind = session.get("import_kind")
    checked = session.get("import_digest")
    if checked is not None:  # (none: a check shown before digests were kept, written as before)
        # the register may have changed since the check (a colleague's edit): the import would
        # then write other changes than those the user saw and confirmed; the check is run again
        again = import_file(engine(), path, kind=kind, actor=g.user.username, dry_run=True)
        if again.ok and _changes_digest(again) != checked:  # (not ok: refused below, as before)
            session["import_digest"] = _changes_digest(again)  # the file stays waiting, as now checked
            flash(_("The register has changed since the file was checked, so the import would now make "
                    "other changes than those shown. Nothing was imported: check the changes below and "
                    "import again if they are right."), "warning")  # fmt: skip
            return render_template(
                "coordinator/import.html", form=PostForm(), report=again,
                name=session.get("import_name") or "", need_kind=False, upload=session.get("import_token"),
            ), 409  # fmt: skip
    try:
        report = import_file(engine(), path, kind=kind, actor=g.user.username)
    finally:
        _forget_upload()
    if not report.written:
        flash(_("The file changed or no longer passes the checks: nothing was imported."), "error")
        return render_template("coordinator/import.html", form=PostForm(), report=report, name="")
    flash(
        _("Imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.",
          added=report.added, updated=report.updated, unchanged=report.unchanged),
        "info",
    )  # fmt: skip
    return redirect(url_for("coordinator.beneficiaries" if kind == "beneficiaries" else "coordinator.stops"))


@bp.route("/import/cancel", methods=["POST"])
def import_cancel() -> Any:
    """Throw the checked file away."""
    if not PostForm().validate_on_submit():
        abort(400)
    _forget_upload()
    return redirect(url_for("coordinator.import_upload"))


@bp.route("/import/template/<name>")
def import_template(name: str) -> Any:
    """The import templates (Greek headers, an example row), as shipped with the register."""
    if name not in {f"{k}{s}" for k in ("beneficiaries", "stops") for s in IMPORT_SUFFIXES}:
        abort(404)
    return send_from_directory(TEMPLATES, name, as_attachment=True)
