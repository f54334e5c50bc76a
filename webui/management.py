"""Management's pages (part 2 of the web UI brings the coverage review): a placeholder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from webui.security import require_role

bp = Blueprint("management", __name__, url_prefix="/management")
bp.before_request(require_role("management"))


@bp.route("/")
def overview() -> Any:
    """Coverage review: comes with part 2 of the web UI."""
    return render_template("management/overview.html")
