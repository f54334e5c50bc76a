"""Kinito's web application: log-in with roles, the coordinator's register and planning desk.

Flask the flaskr way (DESIGN.md, principle 8): :func:`create_app` builds the app from
settings (:mod:`webui.config`), registers one blueprint per role and nothing heavy happens at
import time. The register is reached through :mod:`planner.register`; a week is solved in a
child process (:mod:`webui.jobs`), never on a request thread.

    from webui import create_app
    app = create_app({"DATABASE_URL": "instance/kinito.sqlite3"})
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The application, configured from the defaults, the instance folder, the environment and
    ``test_config`` (later wins). ``INSTANCE_PATH`` in ``test_config`` moves the instance folder
    (default: ``instance/`` under the current directory, where the register's database is)."""
    from webui import admin, auth, coordinator, desk, driver, management, outcomes
    from webui.config import load_settings, secret_key
    from webui.i18n import init_i18n
    from webui.jobs import JobRunner
    from webui.security import init_security
    from webui.store import init_store

    overrides = dict(test_config or {})
    instance = Path(overrides.pop("INSTANCE_PATH", None) or Path.cwd() / "instance").resolve()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.config.update(load_settings(instance))
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(instance)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # the client's address from the proxies' X-Forwarded-For (log-in throttling)
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]

    init_store(app)
    init_i18n(app)
    init_security(app)
    app.extensions["kinito_jobs"] = JobRunner(app.config["DATABASE_URL_RESOLVED"], journal=instance / "jobs")
    for module in (auth, coordinator, desk, outcomes, driver, management, admin):
        app.register_blueprint(module.bp)
    return app
