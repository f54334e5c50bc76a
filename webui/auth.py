"""Log-in, log-out, the language switch, and the vendored Leaflet files (public pages)."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

import planner
from planner.register.models import User
from webui.forms import LanguageForm, LoginForm
from webui.security import HOME, LoginThrottle, check_password, form_page, start_session
from webui.store import reader, transaction

bp = Blueprint("auth", __name__)

LEAFLET_DIR = Path(planner.__file__).resolve().parent / "static"
# a fixed hash to compare against when the user name is unknown, so that a wrong name and a
# wrong password take the same time (no user-name probing by timing)
_DUMMY_HASH = (
    "scrypt:32768:8:1$kinitodummysalt0$"
    "8f2a1f0c6a0b4f7d1e9c3b5a7d9e1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d"
    "7f9a1c3e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a"
)


def users_named(session: Any, name: str) -> list[User]:
    """The accounts whose user name is ``name`` whatever its case, the one typed exactly first
    (an old pair «Odigos», «odigos»). Folded in Python: SQLite's lower() folds ASCII letters
    only, so «Μαρία» and «μαρία» would not meet (the accounts are few)."""
    key = name.casefold()
    found = [u for u in session.scalars(select(User).order_by(User.id)) if u.username.casefold() == key]
    return sorted(found, key=lambda u: u.username != name)


def _safe_next(target: str | None) -> str | None:
    """Only a clean path on this site is followed after log-in: one leading "/" (not "//" or
    "/\\"), no backslash, no control or invisible character (Werkzeug and browsers drop a tab
    or a line break: ``next=/%09/evil.example`` would send the browser to //evil.example, and
    a line break in the Location header is a server error), and no scheme or host as urlsplit
    reads it. Anything else: None (the caller goes to the role's first page)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if "\\" in target or any(unicodedata.category(ch)[0] == "C" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# the role each blueprint's pages are for (their require_role); the log-in's own pages are anyone's
BLUEPRINT_ROLES = {
    "coordinator": "coordinator",
    "desk": "coordinator",
    "outcomes": "coordinator",
    "driver": "driver",
    "management": "management",
    "admin": "admin",
}


def _next_for(role: str, target: str | None) -> str | None:
    """Where to go after log-in: ``target`` when it is safe (:func:`_safe_next`) and a page the
    user's role may open, else None (the role's first page). The log-in page keeps the page a
    previous session was sent away from: after /admin/users, a coordinator logging in on the
    same computer met a 403 page instead of their own first page."""
    path = _safe_next(target)
    if path is None:
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        try:
            endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
        except RequestRedirect as moved:  # "/desk" to "/desk/": the page it is sent on to
            endpoint, _args = adapter.match(urlsplit(moved.new_url).path, method="GET")
    except HTTPException:  # no such page (or not opened with GET): the role's first page
        return None
    blueprint = endpoint.rpartition(".")[0]
    if blueprint in BLUEPRINT_ROLES:
        return path if BLUEPRINT_ROLES[blueprint] == role else None
    return path if blueprint == "auth" else None


@bp.route("/")
def index() -> Any:
    """Each role's first page, or the log-in page."""
    user = g.get("user")
    if user is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME[user.role]))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The log-in form; too many failures lock the name at that address (and, after many more,
    the address): a name is locked where it was guessed, so no one can lock a colleague out of
    the office, or a driver out on the road, from somewhere else."""
    form = LoginForm()
    throttle: LoginThrottle = current_app.extensions["kinito_throttle"]
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip() if form.username.data else ""
        with reader() as s:
            # whatever the case typed (a tablet's keyboard capitalises «Odigos»): user names are
            # unique regardless of case (webui.admin, the CLI)
            user = next(iter(users_named(s, username)), None)
            # the lock is the account's, however its name was spelt: keyed on the folding the
            # look-up uses (lower() left «ſ» and «ﬆ» apart, so «odigoſ2» had 5 more tries and
            # logged in while «odigos2» was locked)
            name = (user.username if user is not None else username).casefold()
            keys = (f"user:{name}@{request.remote_addr}", f"ip:{request.remote_addr}")
            if throttle.locked(*keys):
                minutes = current_app.config["LOGIN_LOCK_MINUTES"]
                message = _("Too many failed log-ins. Try again in %(minutes)s minutes.", minutes=minutes)
                flash(message, "error")
                return render_template("auth/login.html", form=form), 429
            ok = check_password(user.password_hash if user else _DUMMY_HASH, form.password.data or "")
            ok = ok and user is not None and user.active
            if ok and user is not None:
                throttle.succeeded(keys[0])
                start_session(user)
                return redirect(_next_for(user.role, request.args.get("next")) or url_for(HOME[user.role]))
        throttle.failed(*keys)
        flash(_("Wrong user name or password."), "error")
        status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/session/alive")
def keepalive() -> Any:
    """204 for a logged-in user (loading the user refreshed the session's idle clock), 401 if
    the session has ended: what the office pages' keep-alive asks while someone types."""
    if g.get("user") is None:
        abort(401)
    return "", 204


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """End the session (POST, with the CSRF token, so no other site can log a user out), and
    every other session of the user begun before now, on any device: a copy of the cookie
    no longer works."""
    user = g.get("user")
    if user is not None:
        with transaction() as s:
            row = s.get(User, user.id)
            if row is not None:
                row.sessions_after = datetime.now(UTC)
    from webui.coordinator import forget_pending_upload

    forget_pending_upload()  # a checked file waiting for its import: personal data, not left behind
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def language() -> Any:
    """Switch the interface language for this session."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["lang"] = form.lang.data
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.index"))


@bp.route("/vendor/leaflet/<path:name>")
def leaflet(name: str) -> Response:
    """Leaflet, served from the planner's vendored copy: maps need no CDN."""
    if name.startswith("images/"):
        name = name.removeprefix("images/")
    if name not in {"leaflet.js", "leaflet.css", "layers.png", "layers-2x.png"}:
        abort(404)
    return send_from_directory(LEAFLET_DIR, name, max_age=3600)


def _answers_json() -> bool:
    """Whether the request is one a script sends and reads (the tablet's data and outcomes, the
    office pages' keep-alive): its errors are JSON, not a page."""
    return request.path.endswith(".json") or request.endpoint == "auth.keepalive"


@bp.app_errorhandler(401)
def not_logged_in(_error: Exception) -> Any:
    """No session (never logged in, or ended): the scripts get JSON with the same 401 they
    check for, a page gets the app's own page rather than Werkzeug's English one."""
    message = _("Your session has expired. Please log in again.")
    if _answers_json():
        return jsonify({"ok": False, "error": message, "login": url_for("auth.login")}), 401
    return render_template("error.html", code=401, message=message), 401


@bp.app_errorhandler(403)
def forbidden(_error: Exception) -> Any:
    """A page the user's role may not open."""
    return render_template(
        "error.html", code=403, message=_("Your role does not give access to this page.")
    ), 403


@bp.app_errorhandler(404)
def not_found(_error: Exception) -> Any:
    """No such page."""
    return render_template("error.html", code=404, message=_("This page does not exist.")), 404


@bp.app_errorhandler(OverflowError)
def number_too_large(error: OverflowError) -> Any:
    """An id past the largest integer SQLite holds, from a form or a query string (ids in a
    path never get here: webui.security's converter refuses them): no such row, so 404. Any
    other overflow is a server error."""
    if "SQLite INTEGER" not in str(error):
        raise error
    if _answers_json():
        return jsonify({"ok": False, "error": _("This page does not exist.")}), 404
    return not_found(error)


@bp.app_errorhandler(400)
def bad_request(error: Exception) -> Any:
    """A bad request, most often a form sent without its security token."""
    if "CSRF" not in str(error):
        return render_template("error.html", code=400, message=_("The request could not be understood.")), 400
    if request.endpoint == "auth.login":
        # a log-in page left open (its cookie gone with a closed browser): a fresh one, the name kept
        form = LoginForm(formdata=None)
        form.username.data = (request.form.get("username") or "")[:150]
        flash(_("The log-in page had expired. Please log in again."), "info")
        return render_template("auth/login.html", form=form), 400
    message = _(
        "The form could not be accepted (its security token was missing or expired), so nothing "
        "was saved. What you typed is kept: go back to the form, log in if asked, and send it again."
    )
    return render_template("error.html", code=400, message=message, back=_safe_next(form_page())), 400


@bp.app_errorhandler(405)
def method_not_allowed(_error: Exception) -> Any:
    """A page opened the wrong way (e.g. an address typed in for what a button sends)."""
    return render_template(
        "error.html",
        code=405,
        message=_("This page cannot be opened this way. Use the application's buttons and links."),
    ), 405


@bp.app_errorhandler(413)
def too_large(_error: Exception) -> Any:
    """An upload over ``MAX_CONTENT_LENGTH``: the limit, in the user's language."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    message = _(
        "The file is too large: at most %(mb)s MB can be uploaded. Split it into smaller files.",
        mb=format(limit / 2**20, "g"),
    )
    return render_template("error.html", code=413, message=message), 413


@bp.app_errorhandler(500)
def server_error(_error: Exception) -> Any:
    """An unexpected error: a page in the user's language, nothing of the error itself."""
    message = _(
        "Something went wrong on the server and the action was not completed. "
        "Please try again; if it happens again, tell the administrator."
    )
    return render_template("error.html", code=500, message=message), 500
