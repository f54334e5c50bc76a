"""The web application's settings: defaults, then the instance folder, then the environment.

Every setting has a safe default, so ``kinito serve`` needs none. Read, in order (later wins):

1. :data:`DEFAULTS` below;
2. ``instance/webui.toml`` if present (a ``[webui]`` table or top-level keys);
3. environment variables ``KINITO_<NAME>`` (e.g. ``KINITO_TILE_URL``) and Flask's ``FLASK_<NAME>``;
4. the mapping given to :func:`webui.create_app` (tests).

The secret key signing the session cookie comes from ``KINITO_SECRET_KEY`` / ``SECRET_KEY``
or, failing both, from ``instance/secret_key``, generated once with 32 random bytes and
readable by its owner only.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

__all__ = ["DEFAULTS", "load_settings", "secret_key"]

DEFAULTS: Mapping[str, Any] = {
    # None: the register's own choice (KINITO_DATABASE_URL, DATABASE_URL, instance/kinito.sqlite3)
    "DATABASE_URL": None,
    # Map tiles are optional: with none, routes and markers draw on a blank background, which
    # is what a machine with no internet shows anyway. E.g. an office tile server:
    # "https://tiles.example.gr/{z}/{x}/{y}.png" with its attribution.
    "TILE_URL": None,
    "TILE_ATTRIBUTION": "",
    # A session ends after this much inactivity, and in any case after SESSION_MAX_AGE.
    "SESSION_IDLE_MINUTES": 30,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=10),
    # The driver's tablet: a visit and the drive to the next often take over 30 minutes, and
    # logging in again needs signal, so a driver's session lasts a working day (the tablet's
    # page also refreshes it while online).
    "DRIVER_SESSION_IDLE_MINUTES": 12 * 60,
    "DRIVER_SESSION_MAX_HOURS": 14,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # True behind HTTPS (a municipality's reverse proxy); False for http://127.0.0.1.
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_NAME": "kinito_session",
    # Log-in throttling: this many failures for one user name lock that name out; an address
    # (an office behind one NAT, a reverse proxy) is locked only after many more.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 50,
    # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust for the client's
    # address (0: none, the connection's address is the client's).
    "TRUSTED_PROXIES": 0,
    "LOGIN_LOCK_MINUTES": 15,
    "BABEL_DEFAULT_LOCALE": "el",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Athens",
    "LANGUAGES": ("el", "en"),
    "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session, which expires itself
    # The planning desk: search budget of a week's plan, and how many cores it may use.
    "PLAN_TIME_LIMIT": 30.0,
    "PLAN_WORKERS": 2,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
}

_ENV_NAMES = (*DEFAULTS, "SECRET_KEY")


_NUMBERS: Mapping[str, type] = {"WTF_CSRF_TIME_LIMIT": int}
"""Settings whose default is None but whose value is a number (Flask-WTF's seconds)."""


def _coerce(name: str, raw: str) -> Any:
    """An environment string as the type of the default it replaces. A duration
    (``PERMANENT_SESSION_LIFETIME``) is given in minutes, as the other session limits are."""
    if name in _NUMBERS:
        return _NUMBERS[name](raw)
    default = DEFAULTS.get(name)
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, timedelta):
        return timedelta(minutes=float(raw))
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def _from_toml(name: str, value: Any) -> Any:
    """A ``webui.toml`` value as the type of the default it replaces, as the environment's are
    (:func:`_coerce`): text as the environment's text; a number for a duration in minutes
    (``permanent_session_lifetime = 480``: eight hours; Flask would read 480 as seconds, and
    the server's own check could not use a number at all), a whole number for a decimal one,
    a list for a tuple."""
    if isinstance(value, str):
        return _coerce(name, value)
    default = DEFAULTS.get(name)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, timedelta) and number:
        return timedelta(minutes=value)
    if isinstance(default, float) and not isinstance(default, bool) and number:
        return float(value)
    if isinstance(default, tuple) and isinstance(value, list):
        return tuple(value)
    return value


def load_settings(instance: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings from the defaults, ``instance/webui.toml`` and the environment."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = dict(DEFAULTS)
    toml_file = instance / "webui.toml"
    if toml_file.is_file():
        with toml_file.open("rb") as fh:
            data = tomllib.load(fh)
        table = data.get("webui", data)
        for key, value in table.items():
            name = str(key).upper()
            settings[name] = _from_toml(name, value)
    for name in _ENV_NAMES:
        for var in (f"KINITO_{name}", f"FLASK_{name}"):
            if env.get(var):
                settings[name] = _coerce(name, env[var])
                break
    if settings.get("SECRET_KEY") is None and env.get("SECRET_KEY"):
        settings["SECRET_KEY"] = env["SECRET_KEY"]
    return settings


def secret_key(instance: Path) -> str:
    """The key in ``instance/secret_key``, created (owner-readable only) if missing."""
    path = instance / "secret_key"
    if path.is_file():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
