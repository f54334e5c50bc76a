"""Helpers of the web app's tests: the register they run on, CSRF tokens, log-in."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from planner.model import (
    HOUR,
    MINUTE,
    CrewMember,
    Location,
    Problem,
    StaffMember,
    TimeWindow,
    Unit,
    UnitDay,
    Visit,
)
from planner.register.db import make_engine, session_scope
from planner.register.migrate import upgrade
from planner.register.models import Beneficiary, CarePlan, Settlement, Staff, VillageStop
from planner.register.models import Unit as UnitRow
from planner.register.settlements import load_gazetteer
from planner.schema import problem_to_dict
from webui.demo_users import DEMO_USERS, ensure_demo_users

PASSWORDS = {username: password for username, _role, password, _name in DEMO_USERS}
COORDINATOR, DRIVER, MANAGEMENT, ADMIN = (u for u, _r, _p, _n in DEMO_USERS)
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
MON, TUE = date(2026, 12, 7), date(2026, 12, 8)  # ISO week 2026-W50


def settlement_code(session: Any, name_el: str) -> str:
    """The ELSTAT code of a settlement by its official Greek name."""
    return str(session.scalars(select(Settlement.code).where(Settlement.name_el == name_el)).one())


def build_register(path: Path) -> None:
    """A migrated register with the gazetteer, demo accounts, one van, staff and a few people."""
    engine = make_engine(path)
    upgrade(engine)
    with session_scope(engine, actor="fixture") as s:
        load_gazetteer(s)
        s.add(UnitRow(name="van1", base_name="Κέντρο Κοινότητας Αιγίου", base_lat=38.2498, base_lon=22.0816))
        s.flush()
        ensure_demo_users(s)
        maria = Staff(name="Μαρία Κ.", role="social_worker")
        eleni = Staff(
            name="Ελένη Π.", role="psychologist", part_time=True, weekdays=[1, 3], day_end=time(12, 0)
        )
        s.add_all([maria, eleni, Staff(name="Γιώργος Δ.", role="driver")])
        aigio, kounina, diakopto = (settlement_code(s, n) for n in ("Αίγιον", "Κουνινά", "Διακοπτόν"))
        people = [
            Beneficiary(
                full_name="Γεώργιος Παπαδόπουλος",
                settlement_code=aigio,
                address="Μητροπόλεως 3",
                phone="2691012345",
                priority_groups=["kea"],
                notes="ΕΥΑΙΣΘΗΤΟ: ιστορικό υγείας",
            ),
            Beneficiary(
                full_name="Αικατερίνη Νικολάου",
                settlement_code=kounina,
                phone="2691099999",
                priority_groups=["elderly", "living_alone"],
            ),
            Beneficiary(full_name="Δημήτρης Αλεξίου", settlement_code=diakopto, active=False),
            Beneficiary(full_name="Ευάγγελος Μαρίνος", settlement_code=diakopto, phone="2691041111"),
        ]
        s.add_all(people)
        s.flush()
        s.add(
            CarePlan(
                beneficiary_id=people[0].id,
                service="home_visit",
                required_role="social_worker",
                duration_min=45,
                frequency_kind="weekly",
                frequency_count=1,
                start_date=date(2026, 1, 5),
                time_windows=[["09:00", "13:00"]],
            )
        )
        # for the week builder: the psychologist's client on Wednesdays, a weekly visit in
        # Diakopto, and one wanted only on Saturdays, which no one works (unassigned, with why)
        weekly = {"frequency_kind": "weekly", "frequency_count": 1, "start_date": date(2026, 1, 5)}
        s.add_all(
            [
                CarePlan(beneficiary_id=people[0].id, service="psychological_support",
                         required_role="psychologist", duration_min=60, allowed_weekdays=[3], **weekly),
                CarePlan(beneficiary_id=people[3].id, service="home_visit", required_role="social_worker",
                         duration_min=40, **weekly),
                CarePlan(beneficiary_id=people[3].id, service="home_visit", required_role="social_worker",
                         duration_min=30, allowed_weekdays=[6], **weekly),
            ]
        )  # fmt: skip
        s.add(
            VillageStop(
                settlement_code=kounina,
                place="Πλατεία",
                duration_min=90,
                announced_times=["10:00"],
                frequency_kind="weekly",
                frequency_count=1,
                usual_weekday=2,
            )
        )
    engine.dispose()


_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient, page: str = "/login") -> str:
    """The CSRF token as a page gives it to the browser."""
    html = client.get(page, follow_redirects=True).get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """POST a form with its CSRF token, as the browser would."""
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client, "/")}, **kwargs)


def login(client: FlaskClient, username: str, password: str | None = None) -> Any:
    """Log in through the form."""
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password or PASSWORDS[username], "csrf_token": token},
    )


def small_problem() -> Problem:
    """One van at Aigio, two days, four visits; one visit wants a window nobody works in."""
    base = Location("base", 38.2498, 22.0816, "Κέντρο Κοινότητας Αιγίου")
    kounina = Location("kounina", 38.169518, 22.008064, "Κουνινά", "mountainous")
    diakopto = Location("diakopto", 38.190067, 22.196001, "Διακοπτόν")
    return Problem(
        name="Δοκιμαστική εβδομάδα",
        dates=(MON, TUE),
        units=(Unit("van1", "Κινητή μονάδα", base),),
        unit_days=(
            UnitDay("van1", MON, crew=(CrewMember("sw1"),)),
            UnitDay("van1", TUE, crew=(CrewMember("sw1"),)),
        ),
        staff=(StaffMember("sw1", "Μαρία Κ.", ("social_worker",)),),
        visits=(
            Visit("hv-1", kounina, 45 * MINUTE, name="Αικατερίνη Ν.", phone="2691099999"),
            Visit("vs-2", kounina, 90 * MINUTE, kind="village_stop", name="Στάση Κουνινών"),
            Visit("hv-3", diakopto, 30 * MINUTE, name="Σοφία Ι.", address="Οδός 1"),
            Visit(
                "hv-4",
                diakopto,
                60 * MINUTE,
                name="Νυχτερινή",
                time_windows=(TimeWindow(21 * HOUR, 22 * HOUR),),
            ),
        ),
    )


def small_problem_dict() -> dict[str, Any]:
    """The small problem as its JSON document."""
    return problem_to_dict(small_problem())


def only_the_server(base: str, blocked: list[str]) -> Any:
    """A Playwright route handler: requests to ``base`` go through, anything else (a CDN, a
    tile server) is refused and noted in ``blocked``, so a test proves the page needs no
    network."""

    def handler(route: Any) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    return handler


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """``app`` under waitress on a free port of 127.0.0.1, in a thread; its base URL.

    The server's loop runs in short turns until told to stop and closes its own sockets
    in its own thread: closing them from the test's thread while the loop waits in
    select() made that select fail now and then (EBADF), an error at teardown.
    """
    from waitress import wasyncore
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port  # type: ignore[union-attr]
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.is_set():
                wasyncore.loop(timeout=0.05, map=server._map, count=1)  # type: ignore[union-attr]
        finally:
            wasyncore.close_all(server._map)  # type: ignore[union-attr]  # the server, its trigger, open connections
            server.task_dispatcher.shutdown()  # type: ignore[union-attr]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=5)
        app.extensions["kinito_jobs"].stop_all()
        app.extensions["kinito_engine"].dispose()


def store_version(
    app: Flask,
    plan: Any,
    version: int,
    *,
    unit_set: str = "van1",
    summary: dict[str, Any] | None = None,
    iso_week: str = "2026-W50",
    problem: Problem | None = None,
) -> int:
    """A plan version of ``problem`` (the small problem) stored as the week builder stores one
    (a draft)."""
    import json

    from planner.register.models import PlanVersion
    from planner.schema import plan_to_dict

    problem = problem or small_problem()
    with session_scope(app.extensions["kinito_engine"], actor=COORDINATOR) as s:
        row = PlanVersion(
            iso_week=iso_week, unit_set=unit_set, version=version, status="draft",
            plan_json=json.dumps(plan_to_dict(plan, problem), ensure_ascii=False),
            problem_json=json.dumps(problem_to_dict(problem), ensure_ascii=False),
            summary=summary or {}, created_by=COORDINATOR,
        )  # fmt: skip
        s.add(row)
        s.flush()
        return row.id


def upload_import(client: FlaskClient, name: str, data: bytes, kind: str = "") -> Any:
    """Upload ``data`` as the file ``name`` on the import page (checked, nothing written)."""
    import io

    token = csrf_token(client, "/register/import")
    return client.post(
        "/register/import",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def confirm_import(client: FlaskClient, page: Any) -> Any:
    """Press «Εισαγωγή» on the check's page ``page`` (the response or its text): the form names
    the upload it checked."""
    text = page if isinstance(page, str) else page.get_data(as_text=True)
    found = re.search(r'name="upload" value="([^"]*)"', text)
    return post(client, "/register/import/confirm", {"upload": found.group(1) if found else ""})
