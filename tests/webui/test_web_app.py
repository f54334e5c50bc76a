"""The application: log-in, roles, CSRF, throttling, sessions, headers, languages."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import ADMIN, COORDINATOR, DRIVER, MANAGEMENT, PASSWORDS, csrf_token, login, post

from planner.register.db import session_scope
from planner.register.models import AuditLog, Beneficiary, User
from webui import create_app
from webui.i18n import TRANSLATIONS
from webui.security import LoginThrottle

ROLE_PAGES = {
    COORDINATOR: "/register/beneficiaries",
    DRIVER: "/driver/",
    MANAGEMENT: "/management/",
    ADMIN: "/admin/users",
}


def _text(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_login_page_is_in_greek_by_default(client: FlaskClient) -> None:
    """Nobody chose a language: the page is Greek."""
    page = _text(client.get("/login"))
    assert 'lang="el"' in page and "Σύνδεση" in page and "Όνομα χρήστη" in page and "Κωδικός" in page


def test_anonymous_visitor_is_sent_to_log_in(client: FlaskClient) -> None:
    """Every role's page redirects to the log-in page, remembering where to go back."""
    for page in ROLE_PAGES.values():
        response = client.get(page)
        assert response.status_code == 302 and response.location.startswith("/login?next=")


@pytest.mark.parametrize("username", [COORDINATOR, DRIVER, MANAGEMENT, ADMIN])
def test_each_role_lands_on_its_own_page_and_only_reaches_its_own(client: FlaskClient, username: str) -> None:
    """After log-in each role opens its home; every other role's page is 403."""
    response = login(client, username)
    assert response.status_code == 302 and response.location == ROLE_PAGES[username]
    assert client.get(ROLE_PAGES[username]).status_code == 200
    for other, page in ROLE_PAGES.items():
        if other != username:
            assert client.get(page).status_code == 403, page


def test_driver_opening_the_register_is_refused(client: FlaskClient) -> None:
    """The register (people, notes) is the coordinator's only."""
    login(client, DRIVER)
    for page in ("/register/beneficiaries", "/register/beneficiaries/1", "/register/stops", "/desk/"):
        response = client.get(page)
        assert response.status_code == 403, page
        assert "Γεώργιος" not in _text(response)
    assert "Ο ρόλος σας δεν δίνει πρόσβαση" in _text(client.get("/register/beneficiaries"))


def test_management_opening_a_persons_notes_is_refused(client: FlaskClient, db_file: Path) -> None:
    """Management sees no names or notes: the person's page is 403 and shows nothing of them."""
    login(client, MANAGEMENT)
    response = client.get("/register/beneficiaries/1")
    assert response.status_code == 403
    assert "ΕΥΑΙΣΘΗΤΟ" not in _text(response) and "Παπαδόπουλος" not in _text(response)


def test_a_post_without_csrf_token_is_refused(coordinator: FlaskClient, app: Flask) -> None:
    """A form sent without its token changes nothing and answers 400."""
    response = coordinator.post("/register/beneficiaries/1/pause", data={})
    assert response.status_code == 400
    assert "διακριτικό ασφαλείας" in _text(response)
    with session_scope(app.extensions["kinito_engine"]) as s:
        person = s.get(Beneficiary, 1)
        assert person is not None and person.active


def test_log_in_without_csrf_token_is_refused(client: FlaskClient) -> None:
    """Even the log-in form needs its token (no log-in forced from another site)."""
    response = client.post("/login", data={"username": COORDINATOR, "password": PASSWORDS[COORDINATOR]})
    assert response.status_code == 400
    assert client.get("/register/beneficiaries").status_code == 302


def test_wrong_password_six_times_locks_the_account(client: FlaskClient) -> None:
    """Five failures lock the name: the sixth try fails even with the right password."""
    for _ in range(5):
        response = login(client, COORDINATOR, "wrong password")
        assert response.status_code == 401
        assert "Λάθος όνομα χρήστη ή κωδικός" in _text(response)
    response = login(client, COORDINATOR)
    assert response.status_code == 429
    assert "Δοκιμάστε ξανά σε 15 λεπτά" in _text(response)
    assert client.get("/register/beneficiaries").status_code == 302  # not logged in


def test_throttle_locks_the_address_too_and_forgets_after_the_lock() -> None:
    """Guessing over many names from one address is locked too; the lock ends after its time."""
    now = [1000.0]
    throttle = LoginThrottle(5, 900, clock=lambda: now[0], address_max_failures=50)
    for n in range(50):
        assert not throttle.locked(f"user:{n}", "ip:1.2.3.4")
        throttle.failed(f"user:{n}", "ip:1.2.3.4")
    assert throttle.locked("user:f", "ip:1.2.3.4")
    assert not throttle.locked("user:f", "ip:5.6.7.8")
    now[0] += 899
    assert throttle.locked("ip:1.2.3.4")
    now[0] += 2
    assert not throttle.locked("ip:1.2.3.4")


def test_passwords_are_stored_as_scrypt_hashes(app: Flask) -> None:
    """No password in clear: werkzeug's scrypt format, salted."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        hashes = list(s.scalars(select(User.password_hash)))
    assert len(hashes) == 4 and all(h.startswith("scrypt:") for h in hashes)
    assert not any(p in h for h in hashes for p in PASSWORDS.values())


def test_session_expires_after_inactivity(coordinator: FlaskClient) -> None:
    """A session idle longer than SESSION_IDLE_MINUTES is over: back to the log-in page."""
    assert coordinator.get("/register/beneficiaries").status_code == 200
    with coordinator.session_transaction() as session:
        session["seen"] = session["seen"] - 31 * 60
    response = coordinator.get("/register/beneficiaries")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert "Η συνεδρία σας έληξε" in _text(coordinator.get(response.location))


def test_session_ends_at_its_maximum_age_even_when_active(coordinator: FlaskClient) -> None:
    """A session older than its lifetime ends however busy it was."""
    with coordinator.session_transaction() as session:
        session["since"] = session["since"] - 11 * 3600
    assert coordinator.get("/register/beneficiaries").status_code == 302


def test_deactivated_user_is_logged_out_at_the_next_request(coordinator: FlaskClient, app: Flask) -> None:
    """The user is re-read on every request: deactivating the account ends its sessions."""
    with session_scope(app.extensions["kinito_engine"]) as s:
        user = s.scalars(select(User).where(User.username == COORDINATOR)).one()
        user.active = False
    assert coordinator.get("/register/beneficiaries").status_code == 302


def test_log_out_ends_the_session(coordinator: FlaskClient) -> None:
    """Log-out is a POST with the token; afterwards the pages need a log-in again."""
    response = post(coordinator, "/logout")
    assert response.status_code == 302
    assert coordinator.get("/register/beneficiaries").status_code == 302


def test_next_parameter_only_goes_to_this_site(client: FlaskClient) -> None:
    """After log-in, ``next`` is followed only when it is a local path (no open redirect)."""
    token = csrf_token(client)
    data = {"username": COORDINATOR, "password": PASSWORDS[COORDINATOR], "csrf_token": token}
    response = client.post("/login?next=//evil.example/x", data=data)
    assert response.location == "/register/beneficiaries"
    post(client, "/logout")
    token = csrf_token(client)
    response = client.post("/login?next=/register/stops", data={**data, "csrf_token": token})
    assert response.location == "/register/stops"


def test_security_headers_on_every_page(client: FlaskClient) -> None:
    """CSP (scripts from this server only), no framing by others, no sniffing, same-origin referrers."""
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe-inline' ;" not in csp
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_with_personal_data_are_not_cached(coordinator: FlaskClient) -> None:
    """A logged-in page is never stored in the browser's cache."""
    assert coordinator.get("/register/beneficiaries").headers["Cache-Control"] == "no-store"


def test_session_cookie_is_http_only(client: FlaskClient) -> None:
    """Scripts cannot read the session cookie; it is not sent with cross-site requests."""
    response = login(client, COORDINATOR)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_language_switch_to_english_and_back(coordinator: FlaskClient) -> None:
    """The EN button turns the interface English for the session; ΕΛ turns it back."""
    assert "Ωφελούμενοι" in _text(coordinator.get("/register/beneficiaries"))
    post(coordinator, "/language", {"lang": "en", "next": "/register/beneficiaries"})
    page = _text(coordinator.get("/register/beneficiaries"))
    assert 'lang="en"' in page and "Beneficiaries" in page and "Ωφελούμενοι" not in page
    post(coordinator, "/language", {"lang": "el"})
    assert "Ωφελούμενοι" in _text(coordinator.get("/register/beneficiaries"))


def test_dates_are_greek(app: Flask) -> None:
    """Δευτέρα 7 Δεκεμβρίου 2026 in Greek; Monday 7 December 2026 in English."""
    from webui.i18n import long_date, short_date

    with app.test_request_context("/"):
        assert long_date(date(2026, 12, 7)) == "Δευτέρα 7 Δεκεμβρίου 2026"
        assert short_date(date(2026, 12, 8)) == "Τρί 8/12"
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert long_date(date(2026, 12, 7)) == "Monday 7 December 2026"


def _key(value: object) -> object:
    """Plural messages come back from a .mo as lists, from a .po as tuples."""
    return tuple(value) if isinstance(value, list) else value


def test_greek_catalogue_translates_every_message() -> None:
    """Every msgid of the template has a Greek translation, none fuzzy; the .mo files match the .po."""
    template = read_po(io.BytesIO((TRANSLATIONS / "messages.pot").read_bytes()))
    ids = {m.id for m in template if m.id}
    assert len(ids) > 150
    for lang in ("el", "en"):
        po = read_po(io.BytesIO((TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").read_bytes()))
        translated = {m.id: m.string for m in po if m.id}
        assert set(translated) == ids, f"{lang}: catalogue out of date (make translations)"
        assert all(s and (all(s) if isinstance(s, tuple) else True) for s in translated.values()), lang
        assert not [m.id for m in po if m.id and m.fuzzy], lang
        mo = read_mo(io.BytesIO((TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").read_bytes()))
        compiled = {_key(m.id): _key(m.string) for m in mo if m.id}
        assert compiled == translated, f"{lang}: messages.mo is stale (pybabel compile)"


# text a template may show untranslated: names, units, symbols, file extensions
_ALLOWED_WORDS = {"Kinito", "km", "EN", "English", "ΕΛ", "Ελληνικά", "Leaflet", "v", "xlsx", "csv"}


def test_templates_hold_no_text_outside_the_catalogue() -> None:
    """Strip Jinja expressions, statements, comments and HTML tags: no words are left over."""
    templates = Path(__file__).resolve().parents[2] / "webui" / "templates"
    leftovers: dict[str, set[str]] = {}
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", text, flags=re.S)
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
        words = set(re.findall(r"[A-Za-zΑ-Ωα-ωά-ώΆ-Ώ]{2,}", text)) - _ALLOWED_WORDS
        if words:
            leftovers[str(path.relative_to(templates))] = words
    assert leftovers == {}


def test_register_changes_are_audited_with_the_users_name(coordinator: FlaskClient, app: Flask) -> None:
    """Pausing a person through the web writes an audit row naming the coordinator."""
    assert post(coordinator, "/register/beneficiaries/1/pause").status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(1)).one()
    assert (row.actor, row.action, row.entity, row.entity_id) == (COORDINATOR, "update", "beneficiaries", "1")
    assert row.before is not None and row.before["active"] is True
    assert row.after is not None and row.after["active"] is False


def test_one_persons_typos_do_not_lock_the_office_out(client: FlaskClient, app: Flask) -> None:
    """Five failures of one name from the office's one address lock that name only: a colleague
    at the same address logs in. Many failures over many names lock the address too."""
    for _ in range(5):
        assert login(client, "typo-user", "wrong password").status_code == 401
    assert login(client, "typo-user", "wrong password").status_code == 429
    assert login(client, MANAGEMENT).status_code == 302
    post(client, "/logout")
    app.extensions["kinito_throttle"].address_max_failures = 8
    for n in range(3):
        login(client, f"guess-{n}", "wrong password")
    response = login(client, COORDINATOR)
    assert response.status_code == 429  # 8 failures from this address
    assert "Δοκιμάστε ξανά" in _text(response)


def test_trusted_proxy_gives_the_clients_address(db_file: Path, tmp_path: Path) -> None:
    """With TRUSTED_PROXIES = 1 the address is the proxy's X-Forwarded-For: two clients behind
    the proxy are told apart (one locked, the other not)."""
    settings = {"TESTING": True, "TRUSTED_PROXIES": 1, "LOGIN_MAX_FAILURES_PER_ADDRESS": 3}
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"), **settings})
    try:
        first = app.test_client()
        first.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.5"
        for n in range(3):
            login(first, f"guess-{n}", "wrong password")
        assert login(first, COORDINATOR).status_code == 429
        second = app.test_client()
        second.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.6"
        assert login(second, COORDINATOR).status_code == 302
    finally:
        app.extensions["kinito_engine"].dispose()


def test_error_pages_are_greek(coordinator: FlaskClient, db_file: Path, tmp_path: Path) -> None:
    """404, 405 and 403 (and 500, from an app that does not re-raise) are pages of the app in
    Greek, with a way back."""
    page = coordinator.get("/no-such-page")
    assert page.status_code == 404 and "Η σελίδα δεν βρέθηκε" in _text(page)
    page = coordinator.get("/logout")
    assert page.status_code == 405 and "Δεν γίνεται με αυτόν τον τρόπο" in _text(page)
    page = coordinator.get("/admin/users")
    assert page.status_code == 403 and "Χωρίς πρόσβαση" in _text(page)
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance")})
    try:

        @app.route("/boom")
        def boom() -> str:
            raise RuntimeError("internal detail")

        page = app.test_client().get("/boom")
        text = _text(page)
        assert page.status_code == 500 and "Σφάλμα του διακομιστή" in text
        assert "internal detail" not in text and "Internal Server Error" not in text
        assert "Πίσω στην αρχική σελίδα" in text
    finally:
        app.extensions["kinito_engine"].dispose()


def test_wrong_passwords_from_elsewhere_do_not_lock_the_user_out(db_file: Path, tmp_path: Path) -> None:
    """Five wrong passwords for the coordinator from another address (behind the trusted proxy)
    lock the name there only: at the office the right password still logs her in. Before, any
    five anonymous requests every 15 minutes kept her out."""
    settings = {"TESTING": True, "TRUSTED_PROXIES": 1}
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"), **settings})
    try:
        outside = app.test_client()
        outside.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.9"
        for _ in range(5):
            assert login(outside, COORDINATOR, "wrong password").status_code == 401
        assert login(outside, COORDINATOR).status_code == 429
        office = app.test_client()
        office.environ_base["HTTP_X_FORWARDED_FOR"] = "10.0.0.5"
        assert login(office, COORDINATOR).status_code == 302
    finally:
        app.extensions["kinito_engine"].dispose()
