"""The driver's pages (part 2 of the web UI brings today's route, offline): a placeholder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webui.security import require_role

bp = Blueprint("driver", __name__, url_prefix="/driver")
bp.before_request(require_role("driver"))


@bp.route("/")
def today() -> Any:
    """Today's route: comes with part 2 of the web UI."""
    return render_template("driver/today.html")
