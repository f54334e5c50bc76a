"""The administrator's pages: user accounts (add, change role, set a driver's unit, reset
password, deactivate).

Two administrators may edit the same account: the form carries the id of the account's newest
audit entry when it was shown (``last_change``), and a save that would undo a change made
since (an account deactivated, its role or unit changed, its password reset) is refused with
409, as the register's forms do (:func:`webui.coordinator._conflict`, docs/webui.md "Editing
at the same time")."""

from __future__ import annotations

from typing import Any, cast

from flask import Blueprint, abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from planner.register.models import USER_ROLES, Unit, User
from webui.auth import users_named
from webui.coordinator import Conflict, _actor_name, _change_time, _changes_after, _conflict, _newest_change
from webui.forms import USER_ROLE_LABELS, options
from webui.security import hash_password, password_fingerprint, require_role
from webui.store import reader, transaction

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_role("admin"))

MIN_PASSWORD = 10


class UserForm(FlaskForm):
    """A user account; the password is required for a new one, optional (a reset) for an edit."""

    username = StringField(
        _l("User name"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9_.-]+\Z", message=_l("Latin letters, digits, . _ - only")),  # \Z: no "\n"
        ],
    )
    display_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=options((r, USER_ROLE_LABELS[r]) for r in USER_ROLES))
    locale = SelectField(_l("Language"), choices=options([("el", "Ελληνικά"), ("en", "English")]))
    password = PasswordField(
        _l("Password"),
        # blank keeps the current one; spaces are not blank (Optional() took them for blank, so
        # a password of spaces skipped the length check and locked the account)
        validators=[Optional(strip_whitespace=False), Length(min=MIN_PASSWORD, max=200)],
        description=_l("At least %(n)s characters.", n=MIN_PASSWORD),
    )
    unit_id = SelectField(
        _l("Unit (drivers)"),
        coerce=lambda value: "" if value in (None, "", "None") else str(value),
        description=_l("The mobile unit whose route the driver sees on the tablet."),
    )
    active = BooleanField(_l("Active"), default=True)
    # the account's newest audit entry when the form was shown (see the module)
    last_change = HiddenField()

    def validate_password(self, field: PasswordField) -> None:
        """Not spaces alone (they cannot be typed at the log-in, which takes them for empty)."""
        if field.data and not field.data.strip():
            raise ValidationError(_("A password cannot be spaces alone."))


def unit_choices(session: Any, current: int | None = None) -> list[SelectChoice]:
    """The register's active units (and the account's present one, even if inactive)."""
    rows = session.scalars(select(Unit).order_by(Unit.name))
    choices = [SelectChoice("", _("— none —"))]
    for unit in rows:
        if unit.active or unit.id == current:
            label = unit.name if unit.active else f"{unit.name} ({_('inactive')})"
            choices.append(SelectChoice(str(unit.id), label))
    return choices


def _stored_form(s: Session, obj: Any) -> UserForm:
    """The form as a GET shows ``obj`` (the account now, or as it was): what a save is compared with."""
    form = UserForm(formdata=None, obj=obj)
    form.unit_id.choices = unit_choices(s, getattr(obj, "unit_id", None))
    if form.unit_id.data is None:
        form.unit_id.data = ""
    return form


def _account_conflict(s: Session, form: UserForm, user: User) -> Conflict | None:
    """Whether saving ``form`` would undo a change made to ``user`` after the form was shown
    (another administrator deactivated the account, changed its role or unit, or reset its
    password): the register's check (:func:`webui.coordinator._conflict`), and a new password
    typed over a password reset since. None: nothing in the way."""
    checked = cast(Any, form)  # a UserForm has the register form's last_change
    conflict = _conflict(s, checked, user, lambda obj: _stored_form(s, obj))
    if conflict is not None or not form.password.data:
        return conflict
    changes = _changes_after(s, checked, user)
    if not any("password" in (c.after or {}) for c in changes):
        return None
    form.last_change.data = str(changes[0].id)
    message = _("This record was changed by %(actor)s at %(time)s, after you opened the form. Your "
                "changes were not saved: check the current values below and save again.",
                actor=_actor_name(s, changes[0].actor), time=_change_time(changes[0].at))  # fmt: skip
    return Conflict(message, [], [(str(form.password.label.text), _("set anew"))])


def _plausible_id(value: Any) -> bool:
    """Whether a form's ``last_change`` can be an audit entry's id: blank (a form shown before
    it existed) or a number the register can hold (a longer one overflowed the database driver)."""
    text = str(value or "").strip()
    return not text.isdigit() or int(text) <= 2**63 - 1


def _admins_left(s: Session, user: User, role: str, active: bool) -> bool:
    """Whether saving ``user`` with ``role`` and ``active`` leaves an active administrator, as
    the register has them now (read inside the save's transaction)."""
    if role == "admin" and active:
        return True
    others = select(User.id).where(User.role == "admin", User.active.is_(True), User.id != user.id)
    return s.scalars(others.limit(1)).first() is not None


@bp.route("/users")
def users() -> Any:
    """All accounts."""
    with reader() as s:
        rows = list(s.scalars(select(User).order_by(User.role, User.username)))
        unit_names = {u.id: u.name for u in s.scalars(select(Unit))}
    return render_template(
        "admin/users.html", users=rows, role_labels=USER_ROLE_LABELS, unit_names=unit_names
    )


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int | None = None) -> Any:
    """Add an account, or edit one (a blank password keeps the current one; a new one ends
    the account's open sessions)."""
    with transaction() as s:
        user = s.get(User, user_id) if user_id is not None else None
        if user_id is not None and user is None:
            abort(404)
        form = UserForm(obj=user)
        form.unit_id.choices = unit_choices(s, user.unit_id if user else None)
        if form.unit_id.data is None:  # no unit (WTForms leaves None uncoerced): "— none —"
            form.unit_id.data = ""
        if not form.is_submitted():
            form.last_change.data = str(_newest_change(s, user))
        elif not _plausible_id(form.last_change.data):
            abort(400)  # a hand-made request (the form sends the id it was given): not a 404
        conflict: Conflict | None = None
        if form.validate_on_submit():
            # the acting administrator as the register has them now, inside the write lock: the
            # one check before the request began (webui.security) let two administrators
            # deactivate each other at the same moment, leaving nobody to administer
            me = s.get(User, g.user.id)
            last = user is not None and not _admins_left(s, user, str(form.role.data), bool(form.active.data))
            if (me is None or not me.active or me.role != "admin") and not last:
                abort(403)  # their access ended meanwhile (the last administrator is said below)
            # whatever the case: «Odigos» beside «odigos» shared its log-in lock (webui.auth)
            taken = next(iter(users_named(s, str(form.username.data))), None)
            if user is not None:
                conflict = _account_conflict(s, form, user)
            if conflict is not None:
                pass  # nothing saved: the form again, with what changed meanwhile (409 below)
            elif taken is not None and taken is not user:
                form.username.errors = [*form.username.errors, _("This user name is taken.")]
            elif user is None and not form.password.data:
                form.password.errors = [*form.password.errors, _("A new account needs a password.")]
            elif (
                user is not None
                and user.id == g.user.id
                and (form.role.data != "admin" or not form.active.data)
            ):
                form.role.errors = [*form.role.errors, _("You cannot remove your own administrator access.")]
            elif last:
                form.role.errors = [*form.role.errors, _("At least one active administrator must remain.")]
            elif form.role.data == "driver" and not form.unit_id.data and len(form.unit_id.choices) > 1:
                form.unit_id.errors = [*form.unit_id.errors, _("Choose the unit this driver drives.")]
            else:
                if user is None:
                    user = User(password_hash="")
                    s.add(user)
                user.username = str(form.username.data)
                user.display_name = str(form.display_name.data)
                user.role = str(form.role.data)
                user.locale = str(form.locale.data)
                user.active = bool(form.active.data)
                # only a driver has a unit: it decides which route the tablet shows
                unit = form.unit_id.data if form.role.data == "driver" else ""
                user.unit_id = int(unit) if unit else None
                if form.password.data:  # ends the account's sessions (webui.security), and is
                    user.password_hash = hash_password(form.password.data)  # audited as changed
                    if user.id == g.user.id:  # ... but not the one the admin is using now
                        session["pwf"] = password_fingerprint(user.password_hash)
                flash(_("Saved."), "info")
                return redirect(url_for("admin.users"))
    page = render_template("admin/user_edit.html", form=form, user=user, conflict=conflict)
    return page, 409 if conflict is not None else 200
