"""Who is logged in, what each role may open, log-in throttling, CSRF and security headers.

- Passwords are stored as werkzeug scrypt hashes (:func:`hash_password`), never in clear.
- The session cookie (signed, HttpOnly, SameSite=Lax) holds the user id and when the user
  was last seen: after ``SESSION_IDLE_MINUTES`` without a request, or
  ``PERMANENT_SESSION_LIFETIME`` after log-in, the session ends. A driver's session lasts a
  working day instead (``DRIVER_SESSION_IDLE_MINUTES``, ``DRIVER_SESSION_MAX_HOURS``): the
  tablet may go an hour between taps, and logging in again needs signal. A deactivated account or a
  changed role ends it at the next request, since the user is re-read every time; so does a
  changed password (the session holds :func:`password_fingerprint` of the hash it began with)
  and a log-out (``User.sessions_after``: every session of that user begun before it ends, on
  every device, so a copied cookie is worthless after log-out).
- Each blueprint calls :func:`require_role` for its role; anyone else gets 403, and someone
  not logged in is sent to the log-in page.
- :class:`LoginThrottle`: ``LOGIN_MAX_FAILURES`` failed log-ins for one user name lock that
  name for ``LOGIN_LOCK_MINUTES``; ``LOGIN_MAX_FAILURES_PER_ADDRESS`` (many more) from one
  address lock the address, so one person's typos behind an office NAT or the municipality's
  proxy do not lock everyone else out, while guessing over many names still is. Kept in
  memory: one server process (waitress, threads) serves the app; a restart forgets the count.
- CSRF: Flask-WTF's CSRFProtect on every POST (forms and fetch calls alike).
- Ids in addresses (``<int:...>``) are at most SQLite's largest integer: a longer number is
  404, not an overflow in the database driver (:class:`RegisterIdConverter`).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, flash, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter, ValidationError
from werkzeug.security import check_password_hash, generate_password_hash

from planner.register.models import User

__all__ = [
    "HOME",
    "CurrentUser",
    "LoginThrottle",
    "check_password",
    "hash_password",
    "init_security",
    "password_fingerprint",
    "require_role",
    "start_session",
]

csrf = CSRFProtect()

HOME = {
    "coordinator": "coordinator.beneficiaries",
    "driver": "driver.today",
    "management": "management.overview",
    "admin": "admin.users",
}
"""Each role's first page after log-in."""


def hash_password(password: str) -> str:
    """A scrypt hash of ``password`` (werkzeug's format, salt included)."""
    return generate_password_hash(password, method="scrypt")


def check_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``."""
    return check_password_hash(stored_hash, password)


def password_fingerprint(password_hash: str) -> str:
    """A short keyed digest of a user's password hash, kept in the session: a new password
    (a new hash) ends every session begun with the old one. Keyed with the app's secret, so
    the (signed, not encrypted) cookie shows nothing of the hash."""
    secret = current_app.config["SECRET_KEY"]
    key = secret if isinstance(secret, bytes) else str(secret).encode()
    message = b"kinito session password " + password_hash.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def start_session(user: User) -> None:
    """Begin ``user``'s session (after a successful log-in): a fresh cookie, the language kept."""
    lang = session.get("lang")
    session.clear()
    session.permanent = True
    now = time.time()
    session.update(
        uid=user.id, role=user.role, since=now, seen=now, pwf=password_fingerprint(user.password_hash)
    )
    if lang:
        session["lang"] = lang


def _session_still_valid(user: User) -> bool:
    """Whether the session was begun with the user's present password and after their last
    log-out."""
    fingerprint = session.get("pwf")
    if not isinstance(fingerprint, str) or not hmac.compare_digest(
        fingerprint, password_fingerprint(user.password_hash)
    ):
        return False
    after = user.sessions_after
    if after is None:
        return True
    if after.tzinfo is None:  # SQLite hands back the stored UTC instant without its zone
        after = after.replace(tzinfo=UTC)
    return float(session.get("since", 0)) > after.timestamp()


class RegisterIdConverter(IntegerConverter):
    """``<int:...>`` in a URL: at most SQLite's (and PostgreSQL's BIGINT's) largest integer, so
    ``/register/beneficiaries/99999999999999999999999`` is 404 rather than an OverflowError."""

    def to_python(self, value: str) -> Any:
        """The id, or no match (404) past ``2**63 - 1``."""
        number = super().to_python(value)
        if number > 2**63 - 1:
            raise ValidationError()
        return number


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in user as the request sees them (a snapshot, not an ORM object)."""

    id: int
    username: str
    display_name: str
    role: str
    locale: str
    unit_id: int | None

    @classmethod
    def of(cls, user: User) -> CurrentUser:
        """The snapshot of a user row."""
        return cls(user.id, user.username, user.display_name, user.role, user.locale, user.unit_id)


class LoginThrottle:
    """Failed log-ins per user name and per address; too many in a row lock for a while.

    ``max_failures`` is the limit of a user name (``user:NAME``), ``address_max_failures`` that
    of an address (``ip:ADDRESS``; default the same)."""

    def __init__(
        self,
        max_failures: int,
        lock_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        address_max_failures: int | None = None,
    ):
        self.max_failures = max_failures
        self.address_max_failures = address_max_failures or max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, time of the last)

    def _count(self, key: str, now: float) -> int:
        count, last = self._failures.get(key, (0, 0.0))
        if count and now - last >= self.lock_seconds:
            del self._failures[key]
            return 0
        return count

    def locked(self, *keys: str) -> bool:
        """Whether any of ``keys`` (``user:NAME``, ``ip:ADDRESS``) is locked out now."""
        now = self.clock()
        with self._lock:
            return any(self._count(k, now) >= self._limit(k) for k in keys)

    def _limit(self, key: str) -> int:
        return self.address_max_failures if key.startswith("ip:") else self.max_failures

    def failed(self, *keys: str) -> None:
        """Record one failed attempt for each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures[key] = (self._count(key, now) + 1, now)

    def succeeded(self, *keys: str) -> None:
        """A successful log-in clears the user name's count (the address keeps its own)."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)


def lifetime(value: Any) -> timedelta:
    """``PERMANENT_SESSION_LIFETIME`` as a duration: a ``timedelta`` as it is, a number (or
    numeric text) in minutes, as ``KINITO_PERMANENT_SESSION_LIFETIME`` and ``webui.toml`` give
    it (480: eight hours). Flask itself would read a bare number as seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"PERMANENT_SESSION_LIFETIME: minutes expected, not {value!r}")
    return timedelta(minutes=float(value))


def session_limits(role: str | None) -> tuple[float, float]:
    """Seconds of inactivity, and seconds since log-in, after which a session of ``role`` ends."""
    config = current_app.config
    if role == "driver":
        return float(config["DRIVER_SESSION_IDLE_MINUTES"]) * 60, float(
            config["DRIVER_SESSION_MAX_HOURS"]
        ) * 3600
    max_age = lifetime(config["PERMANENT_SESSION_LIFETIME"]).total_seconds()
    return float(config["SESSION_IDLE_MINUTES"]) * 60, max_age


class RoleSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, kept by the browser as long as the role's session may last (a
    driver's cookie outlives ``PERMANENT_SESSION_LIFETIME``; the server still checks both limits)."""

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        """When the browser should drop the cookie."""
        expires = super().get_expiration_time(app, session)
        if expires is not None and session.get("role") == "driver":
            expires = max(expires, datetime.now(UTC) + timedelta(seconds=session_limits("driver")[1]))
        return expires


def _load_user() -> None:
    """Put the logged-in user in ``g.user`` (None if nobody, or if the session has expired)."""
    from webui.store import reader

    g.user = None
    uid = session.get("uid")
    if uid is None:
        return
    now = time.time()
    idle, max_age = session_limits(session.get("role"))
    if now - float(session.get("seen", 0)) > idle or now - float(session.get("since", 0)) > max_age:
        _forget_upload()
        session.clear()
        flash(_("Your session has expired. Please log in again."), "info")
        return
    with reader() as s:
        user = s.get(User, uid)
        if user is None or not user.active or user.role != session.get("role"):
            session.clear()
            return
        if not _session_still_valid(user):  # a new password, or a log-out since
            session.clear()
            flash(_("Your session has expired. Please log in again."), "info")
            return
        g.user = CurrentUser.of(user)
    # refreshing the cookie on every request would defeat caching; once a minute is plenty
    if now - float(session.get("seen", 0)) > 60:
        session["seen"] = now


def _forget_upload() -> None:
    """An expired session's checked import file, waiting for its confirmation, is deleted (the
    session that named it is gone; the hourly sweep would find it later)."""
    if session.get("import_token"):
        from webui.coordinator import forget_pending_upload

        forget_pending_upload()


def form_page() -> str | None:
    """The page of this site the request's form was sent from (its path and query), if the
    browser said so: where a form refused for an ended session or an expired token is filled in
    again (webui/static/forms.js)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.scheme not in ("http", "https") or referrer.netloc != request.host:
        return None
    page = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return page if page.startswith("/") and not page.startswith("//") else None


def require_role(*roles: str) -> Callable[[], Any]:
    """A ``before_request`` hook: log-in required, and one of ``roles``, else 403."""

    def check() -> Any:
        user = g.get("user")
        if user is None:
            if request.accept_mimetypes.best == "application/json" or request.path.endswith(".json"):
                abort(401)
            if request.method == "POST":  # a form sent after the session ended: back to its page
                return redirect(url_for("auth.login", next=form_page() or request.path, unsaved=1))
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if user.role not in roles:
            abort(403)
        return None

    return check


def content_security_policy(*, inline_scripts: bool = False) -> str:
    """The CSP: everything from this server only; inline scripts only where a page needs them
    (the folium map page); inline styles because Leaflet positions its layers with them."""
    tile_url = current_app.config.get("TILE_URL") or ""
    tile_origin = ""
    if tile_url.startswith(("http://", "https://")):
        scheme, rest = tile_url.split("://", 1)
        host = rest.split("/", 1)[0].replace("{s}", "*")
        tile_origin = f" {scheme}://{host}"
    scripts = "'self' 'unsafe-inline'" if inline_scripts else "'self'"
    return (
        "default-src 'self'; "
        f"script-src {scripts}; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data:{tile_origin}; "
        "connect-src 'self'; "
        "font-src 'self'; "
        "object-src 'none'; "
        "base-uri 'none'; "
        "form-action 'self'; "
        "frame-ancestors 'self'"
    )


def _headers(response: Response) -> Response:
    inline = bool(g.get("inline_scripts"))
    response.headers.setdefault("Content-Security-Policy", content_security_policy(inline_scripts=inline))
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
    if g.get("user") is not None:
        # personal data: never kept in a shared computer's cache
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    """CSRF protection, the current user, expiring sessions, the log-in throttle, headers."""
    csrf.init_app(app)
    # a number is minutes here (webui.config), never Flask's seconds: the cookie's expiry and the
    # server's own limit (session_limits) read the same duration
    app.config["PERMANENT_SESSION_LIFETIME"] = lifetime(app.config["PERMANENT_SESSION_LIFETIME"])
    app.url_map.converters["int"] = RegisterIdConverter  # before the blueprints add their rules
    app.session_interface = RoleSessionInterface()
    app.extensions["kinito_throttle"] = LoginThrottle(
        int(app.config["LOGIN_MAX_FAILURES"]),
        float(app.config["LOGIN_LOCK_MINUTES"]) * 60,
        address_max_failures=int(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    )
    app.before_request(_load_user)
    app.after_request(_headers)
    app.add_template_global(lambda: g.get("user"), "current_user")
