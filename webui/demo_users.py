"""Demo accounts, one per role, with published passwords: for the demo register only.

Never use these on a register with real people in it: anyone who reads this file (or the
README) can log in. ``kinito serve`` prints them when they exist so a demo is one command.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from planner.register.demo import DEMO_ACTOR, FICTIONAL
from planner.register.models import AuditLog, Beneficiary, Unit, User
from webui.security import check_password, hash_password

__all__ = ["DEMO_USERS", "demo_register_problem", "demo_users_present", "ensure_demo_users"]

DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    # username, role, password, display name
    ("syntonistria", "coordinator", "demo-syntonistria", "Ελένη Συντονίστρια (demo)"),
    ("odigos", "driver", "demo-odigos", "Γιώργος Οδηγός (demo)"),
    ("dieythynsi", "management", "demo-dieythynsi", "Μαρία Διεύθυνση (demo)"),
    ("admin", "admin", "demo-admin", "Διαχειριστής (demo)"),
)


def demo_register_problem(session: Session) -> str | None:
    """Why this register must not get the demo accounts (Greek / English), or None when it is
    a demo register: made by ``kinito init --demo`` (its audit log says so) and holding no
    person who is not marked fictional."""
    made_by_demo = session.scalar(select(AuditLog.id).where(AuditLog.actor == DEMO_ACTOR).limit(1))
    if made_by_demo is None:
        return (
            "το μητρώο δεν δημιουργήθηκε με `kinito init --demo`: οι λογαριασμοί επίδειξης έχουν "
            "δημοσιευμένους κωδικούς και δεν μπαίνουν σε πραγματικό μητρώο (χρησιμοποιήστε `kinito user "
            "add`) / the register was not made by `kinito init --demo`: the demo accounts have published "
            "passwords and do not go on a real register (use `kinito user add`)"
        )
    real = session.scalar(
        select(func.count()).select_from(Beneficiary).where(~Beneficiary.full_name.endswith(FICTIONAL))
    )
    if real:
        return (
            f"το μητρώο έχει {real} μη πλασματικά πρόσωπα: οι λογαριασμοί επίδειξης έχουν δημοσιευμένους "
            f"κωδικούς και δεν δημιουργούνται / the register holds {real} people who are not fictional: "
            "the demo accounts have published passwords and are not created"
        )
    return None


def ensure_demo_users(session: Session) -> list[str]:
    """Create the demo accounts that are missing (existing ones are left as they are).

    The driver is attached to the first unit, if there is one. Returns the names created.
    """
    created: list[str] = []
    first_unit = session.scalars(select(Unit).order_by(Unit.id).limit(1)).one_or_none()
    for username, role, password, display in DEMO_USERS:
        if session.scalars(select(User).where(User.username == username)).one_or_none() is not None:
            continue
        session.add(
            User(
                username=username,
                display_name=display,
                role=role,
                password_hash=hash_password(password),
                unit_id=first_unit.id if role == "driver" and first_unit else None,
                locale="el",
            )
        )
        created.append(username)
    session.flush()
    return created


def demo_users_present(session: Session) -> list[tuple[str, str, str]]:
    """The demo accounts that exist and still have their published password: (user, role, password)."""
    present = []
    for username, _role, password, _display in DEMO_USERS:
        user = session.scalars(select(User).where(User.username == username)).one_or_none()
        if user is not None and user.active and check_password(user.password_hash, password):
            present.append((username, user.role, password))
    return present
