"""The register's tables: settlements, people, care plans, stops, staff, units, calendar, plans.

SQLAlchemy 2 typed ORM. Portable on purpose (SQLite by default, PostgreSQL for a
municipality's server): enumerations are short strings with named CHECK constraints, lists and
documents are ``JSON`` columns (text in SQLite, ``json`` in PostgreSQL), times of day are
``"HH:MM"`` strings inside JSON and ``TIME`` columns elsewhere, instants are timezone-aware UTC.
Weekdays are ISO numbers: 1 = Monday ... 7 = Sunday.

Deletion rules, stated once (each foreign key says the same):

- a **settlement** cannot be deleted while a beneficiary or a village stop refers to it
  (RESTRICT): the gazetteer is reference data;
- deleting a **beneficiary** (e.g. the right to erasure) deletes their care plans, and with
  them those plans' visit outcomes (CASCADE);
- deleting a **village stop** deletes its outcomes (CASCADE);
- deleting a **staff member** keeps the care plans and outcomes that named them, with the
  name cleared (SET NULL);
- deleting a **unit** deletes its unavailability days (CASCADE);
- a **plan version** with recorded outcomes cannot be deleted (RESTRICT): it is history;
- the **audit log** has no foreign keys: its rows outlive what they describe.

JSON columns are not mutation-tracked: assign a new list/dict rather than changing one in place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    and_,
    event,
    exists,
    inspect,
    or_,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, aliased, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

__all__ = [
    "CALENDAR_KINDS",
    "FREQUENCY_KINDS",
    "OUTCOME_STATUSES",
    "PLAN_STATUSES",
    "ROLES",
    "TERRAINS",
    "USER_ROLES",
    "AuditLog",
    "Base",
    "Beneficiary",
    "CalendarDay",
    "CarePlan",
    "GeocodeCache",
    "PlanVersion",
    "Settlement",
    "Staff",
    "Unit",
    "User",
    "VillageStop",
    "VisitOutcome",
    "superseded_outcome",
]

TERRAINS = ("plain", "semi_mountainous", "mountainous")
ROLES = ("social_worker", "psychologist", "driver")
# weekly: `frequency_count` times a week; every_n_weeks: once every `frequency_count` weeks;
# monthly: `frequency_count` times a calendar month.
FREQUENCY_KINDS = ("weekly", "every_n_weeks", "monthly")
CARE_PLAN_STATUSES = ("active", "paused")
CALENDAR_KINDS = ("holiday", "closure", "pilot_extended_hours", "unit_unavailable", "staff_unavailable")
PLAN_STATUSES = ("draft", "published")
OUTCOME_STATUSES = ("done", "not_at_home", "cancelled", "postponed")
AUDIT_ACTIONS = ("insert", "update", "delete")
USER_ROLES = ("coordinator", "driver", "management", "admin")

# Constraint names fixed by convention, so migrations can alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A portable CHECK expression: ``column IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of the register; its metadata is what the migrations create."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Control characters nobody types but a paste from a word processor brings (a vertical tab is
# Word's line break, a form feed its page break, a NUL from a broken file): invisible on a
# page, refused in a spreadsheet cell (XML 1.0 forbids them), a NUL makes a CSV look binary.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_BREAKS = re.compile(r"[\x0b\x0c]")


def plain_text(text: str, *, multiline: bool = True) -> str:
    """``text`` without control characters: Word's line and page breaks become line breaks
    (spaces where ``multiline`` is false), the others go; tabs and line breaks stay."""
    return _CONTROL.sub("", _BREAKS.sub("\n" if multiline else " ", text))


@event.listens_for(Session, "before_flush", insert=True)
def _store_plain_text(session: Session, _context: Any, _instances: Any) -> None:
    """Every text the register stores is plain text (:func:`plain_text`; a ``Text`` column keeps
    its line breaks), whichever way it came: a form, an import, a tablet, the command line.
    First of the flush's listeners, so that the audit log records what is stored."""
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, Base):
            continue
        values = inspect(obj).dict
        for attr in obj.__mapper__.column_attrs:
            value = values.get(attr.key)
            if isinstance(value, str) and (_CONTROL.search(value) or _BREAKS.search(value)):
                setattr(obj, attr.key, plain_text(value, multiline=isinstance(attr.columns[0].type, Text)))


class Settlement(Base):
    """An ELSTAT 2011 settlement (οικισμός) of the municipality: reference data, loaded once."""

    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint(_one_of("terrain", TERRAINS), name="terrain"),
        CheckConstraint("lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="lat_lon"),
    )

    code: Mapped[str] = mapped_column(String(10), primary_key=True, comment="ELSTAT 2011 code")
    name_el: Mapped[str] = mapped_column(String(120))
    name_latin: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(120), index=True, comment="places.normalise(name_el)")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list, comment="other names (GeoNames)")
    municipal_unit: Mapped[str] = mapped_column(String(60), index=True)
    community: Mapped[str] = mapped_column(String(120))
    terrain: Mapped[str] = mapped_column(String(20))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    elevation_m: Mapped[int] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer, comment="2011 resident population")


class Beneficiary(Base):
    """A person served (ωφελούμενος). Sensitive personal data: read only what the role needs."""

    __tablename__ = "beneficiaries"
    __table_args__ = (CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="the office's own ID; makes re-imports idempotent"
    )
    full_name: Mapped[str] = mapped_column(String(200))
    settlement_code: Mapped[str] = mapped_column(
        ForeignKey("settlements.code", ondelete="RESTRICT"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float, comment="exact point; else the settlement's")
    lon: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str | None] = mapped_column(String(32))
    priority_groups: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="e.g. kea, disability, living_alone, elderly"
    )
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow, onupdate=_utcnow)

    settlement: Mapped[Settlement] = relationship()
    care_plans: Mapped[list[CarePlan]] = relationship(
        back_populates="beneficiary", cascade="all, delete-orphan", passive_deletes=True
    )


class Staff(Base):
    """A staff member: role, working weekdays and hours (part-time staff work fewer)."""

    __tablename__ = "staff"
    __table_args__ = (
        CheckConstraint(_one_of("role", ROLES), name="role"),
        CheckConstraint("day_start < day_end", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    part_time: Mapped[bool] = mapped_column(Boolean, default=False)
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=lambda: [1, 2, 3, 4, 5])
    day_start: Mapped[time] = mapped_column(Time, default=time(8, 0))
    day_end: Mapped[time] = mapped_column(Time, default=time(16, 0))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Unit(Base):
    """A mobile unit (a van with its driver): base point and seats for staff besides the driver.

    ``weekly_hours`` caps the driver's working hours over a week (a part-time driver's 20 h:
    two and a half full days), in hours, fractions allowed (20.5); NULL leaves the engine's
    default (``planner.model.Unit.weekly_max_work``, 40 h). The week passes it to the engine
    in whole minutes.
    """

    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity"),
        CheckConstraint(
            "weekly_hours IS NULL OR (weekly_hours > 0 AND weekly_hours <= 168)", name="weekly_hours"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    base_name: Mapped[str] = mapped_column(String(200))
    base_lat: Mapped[float] = mapped_column(Float)
    base_lon: Mapped[float] = mapped_column(Float)
    capacity: Mapped[int] = mapped_column(Integer, default=2)
    weekly_hours: Mapped[float | None] = mapped_column(
        Float, comment="the driver's working hours a week; NULL: the engine's default, 40"
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CarePlan(Base):
    """What a beneficiary should get and how often: a service, a role, a duration, a rhythm.

    ``required_role`` is always set; ``staff_id`` optionally names the person (a psychologist's
    client stays with her). ``time_windows`` is a list of ``["HH:MM", "HH:MM"]`` pairs;
    ``allowed_weekdays`` ISO weekday numbers (empty: any working day).
    """

    __tablename__ = "care_plans"
    __table_args__ = (
        CheckConstraint(_one_of("required_role", ROLES), name="required_role"),
        CheckConstraint(_one_of("frequency_kind", FREQUENCY_KINDS), name="frequency_kind"),
        CheckConstraint("frequency_count >= 1", name="frequency_count"),
        CheckConstraint("duration_min > 0", name="duration"),
        CheckConstraint(_one_of("status", CARE_PLAN_STATUSES), name="status"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"), index=True
    )
    service: Mapped[str] = mapped_column(String(60))
    required_role: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    duration_min: Mapped[int] = mapped_column(Integer)
    frequency_kind: Mapped[str] = mapped_column(String(20))
    frequency_count: Mapped[int] = mapped_column(Integer, default=1)
    allowed_weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    time_windows: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="active")
    notes: Mapped[str | None] = mapped_column(Text)

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="care_plans")
    staff: Mapped[Staff | None] = relationship()


class VillageStop(Base):
    """The unit parks in a village and receives walk-ins at announced times.

    ``announced_times`` lists ``"HH:MM"`` start times; ``usual_weekday`` is the ISO weekday the
    village expects the unit (a stable weekly rhythm).
    """

    __tablename__ = "village_stops"
    __table_args__ = (
        CheckConstraint(_one_of("frequency_kind", FREQUENCY_KINDS), name="frequency_kind"),
        CheckConstraint("frequency_count >= 1", name="frequency_count"),
        CheckConstraint("duration_min > 0", name="duration"),
        CheckConstraint("usual_weekday IS NULL OR usual_weekday BETWEEN 1 AND 7", name="weekday"),
        CheckConstraint(_one_of("required_role", ROLES), name="required_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    settlement_code: Mapped[str] = mapped_column(
        ForeignKey("settlements.code", ondelete="RESTRICT"), index=True
    )
    place: Mapped[str | None] = mapped_column(String(200), comment="e.g. the square, the community office")
    duration_min: Mapped[int] = mapped_column(Integer)
    announced_times: Mapped[list[str]] = mapped_column(JSON, default=list)
    frequency_kind: Mapped[str] = mapped_column(String(20))
    frequency_count: Mapped[int] = mapped_column(Integer, default=1)
    usual_weekday: Mapped[int | None] = mapped_column(Integer)
    required_role: Mapped[str] = mapped_column(String(20), default="social_worker")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    settlement: Mapped[Settlement] = relationship()


class CalendarDay(Base):
    """A day that is not ordinary: a public holiday, a local closure, an extended-hours pilot
    day, a day a unit is unavailable (then ``unit_id`` names it, and only then) or a day a
    staff member is away (then ``staff_id`` names them, and only then)."""

    __tablename__ = "calendar_days"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CALENDAR_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'unit_unavailable' AND unit_id IS NOT NULL)"
            " OR (kind <> 'unit_unavailable' AND unit_id IS NULL)",
            name="unit_only_when_unavailable",
        ),
        CheckConstraint(
            "(kind = 'staff_unavailable' AND staff_id IS NOT NULL)"
            " OR (kind <> 'staff_unavailable' AND staff_id IS NULL)",
            name="staff_only_when_away",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), index=True, comment="who is away (staff_unavailable)"
    )
    name: Mapped[str | None] = mapped_column(String(200), comment="e.g. Μεγάλη Παρασκευή")


def register_id(plan_id: str, prefix: str) -> int | None:
    """The register's id in a plan's id for a unit or a staff member (``"unit-3"`` with
    prefix ``"unit-"``, ``"st-7"`` with ``"st-"``); None when it is not one of those."""
    rest = plan_id.removeprefix(prefix)
    return int(rest) if rest != plan_id and rest.isdigit() else None


def unit_ids(unit_set: str) -> set[int]:
    """The unit ids of a version's ``unit_set`` (``"1,2"`` -> ``{1, 2}``)."""
    return {int(x) for x in unit_set.split(",") if x.strip().isdigit()}


class PlanVersion(Base):
    """One numbered version of a week's plan for a set of units: a draft, or published.

    ``unit_set`` is the units' ids sorted and comma-joined (``"1,2"``); ``plan_json`` the
    engine's plan document exactly as written (text, so it round-trips byte for byte).
    """

    __tablename__ = "plan_versions"
    __table_args__ = (
        UniqueConstraint("iso_week", "unit_set", "version", name="uq_plan_versions_week_units_version"),
        CheckConstraint(_one_of("status", PLAN_STATUSES), name="status"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("iso_week LIKE '____-W__'", name="iso_week"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    iso_week: Mapped[str] = mapped_column(String(8), index=True, comment="e.g. 2026-W49")
    unit_set: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    plan_json: Mapped[str] = mapped_column(Text)
    problem_json: Mapped[str | None] = mapped_column(
        Text, comment="the problem document the plan was solved from, for the validator"
    )
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


ONE_SUBJECT = (
    "(CASE WHEN care_plan_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN village_stop_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN beneficiary_id IS NULL THEN 0 ELSE 1 END) = 1"
)
"""An outcome names exactly one of a care plan, a village stop and a person (an urgent visit)."""


class VisitOutcome(Base):
    """What happened at a planned visit or village stop: done, not at home, cancelled, postponed.

    Exactly one of ``care_plan_id``, ``village_stop_id`` and ``beneficiary_id`` is set: a
    care plan's visit, a village stop, or an urgent visit a coordinator added to a plan in
    Adjust (``urgent-b35``: stored against person 35, since no care plan asks for it);
    ``visit_ref`` is the visit's id inside the plan version, when it came from one.
    """

    __tablename__ = "visit_outcomes"
    __table_args__ = (
        CheckConstraint(_one_of("status", OUTCOME_STATUSES), name="status"),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    care_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_plans.id", ondelete="CASCADE"), index=True
    )
    village_stop_id: Mapped[int | None] = mapped_column(
        ForeignKey("village_stops.id", ondelete="CASCADE"), index=True
    )
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", ondelete="CASCADE"),
        index=True,
        comment="an urgent visit's person (no care plan asks for it)",
    )
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="RESTRICT"), index=True
    )
    visit_ref: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    planned_date: Mapped[date | None] = mapped_column(Date)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), comment="when")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(100), comment="the user who recorded it")
    note: Mapped[str | None] = mapped_column(Text)
    client_ref: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="the submitting device's id for it: makes resubmission idempotent"
    )


def superseded_outcome() -> ColumnElement[bool]:
    """True for an outcome that a later one of the same visit on the same day replaces (later
    by ``occurred_at``, then by id): the visit's outcome that day is its last one. A driver who
    taps «done» by mistake and then «not at home», or two devices of one unit that disagree,
    leave two rows; counting both made a visit not made count as done (the week builder then
    did not carry it over) and a visit count twice. A visit found not at home at 09:10 and done
    at 13:00 is done. Rows without a ``visit_ref`` (imported history) are never replaced."""
    later = aliased(VisitOutcome)
    return exists().where(
        later.visit_ref == VisitOutcome.visit_ref,
        later.planned_date == VisitOutcome.planned_date,
        or_(
            later.occurred_at > VisitOutcome.occurred_at,
            and_(later.occurred_at == VisitOutcome.occurred_at, later.id > VisitOutcome.id),
        ),
    )


class AuditLog(Base):
    """One change to the register: who, when, which row, and its values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_one_of("action", AUDIT_ACTIONS), name="action"),
        # one row's history (the forms' check for a later change, management's "as it stood")
        Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(10))
    entity: Mapped[str] = mapped_column(String(60), comment="table name")
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class User(Base):
    """Someone who logs in: a role, a password hash (never the password), optionally the unit a
    driver drives or the staff member the account belongs to.

    ``sessions_after``: log-ins before this instant are over (set when the user logs out, so a
    copy of the cookie no longer works, on any device); NULL: none ended so far."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", USER_ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    locale: Mapped[str] = mapped_column(String(5), default="el")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    sessions_after: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), comment="log-ins before this instant are over (set at log-out)"
    )


class GeocodeCache(Base):
    """A geocoder's answer to one query, kept so the same address is never asked twice.

    ``query_key`` is the normalised query; a query the server could not place is cached too
    (``lat``/``lon`` NULL), so it is not retried on every import.
    """

    __tablename__ = "geocode_cache"
    __table_args__ = (CheckConstraint("(lat IS NULL) = (lon IS NULL)", name="lat_lon_together"),)

    query_key: Mapped[str] = mapped_column(String(400), primary_key=True)
    server: Mapped[str] = mapped_column(String(200), primary_key=True)
    query: Mapped[str] = mapped_column(String(400))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    display_name: Mapped[str | None] = mapped_column(Text)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
