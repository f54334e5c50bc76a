"""Settings: the secret key file, the environment, the optional tile server."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from webui_helpers import COORDINATOR, login

from webui import create_app
from webui.config import load_settings, secret_key


def test_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    """No key configured: one is written to instance/secret_key (owner-only) and reused."""
    first = secret_key(tmp_path / "instance")
    path = tmp_path / "instance" / "secret_key"
    assert len(first) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key(tmp_path / "instance") == first


def test_environment_overrides_defaults_with_the_right_types(tmp_path: Path) -> None:
    """KINITO_ variables win over the defaults and instance/webui.toml; numbers stay numbers."""
    (tmp_path / "webui.toml").write_text(
        '[webui]\nsession_idle_minutes = 20\ntile_url = "x"\n', encoding="utf-8"
    )
    settings = load_settings(
        tmp_path, {"KINITO_SESSION_IDLE_MINUTES": "45", "KINITO_LOGIN_MAX_FAILURES": "3"}
    )
    assert settings["SESSION_IDLE_MINUTES"] == 45 and settings["LOGIN_MAX_FAILURES"] == 3
    assert settings["TILE_URL"] == "x"
    assert load_settings(tmp_path, {})["SESSION_IDLE_MINUTES"] == 20


def test_a_configured_tile_server_is_drawn_and_allowed_by_the_csp(
    db_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """KINITO_TILE_URL adds the tile layer to the point map and its host to img-src, nothing else."""
    monkeypatch.setenv("KINITO_TILE_URL", "https://tiles.example.gr/{z}/{x}/{y}.png")
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "i")})
    try:
        client: FlaskClient = app.test_client()
        login(client, COORDINATOR)
        response = client.get("/register/beneficiaries/1")
        assert 'data-tiles="https://tiles.example.gr/{z}/{x}/{y}.png"' in response.get_data(as_text=True)
        csp = response.headers["Content-Security-Policy"]
        assert "img-src 'self' data: https://tiles.example.gr;" in csp and "script-src 'self';" in csp
    finally:
        app.extensions["kinito_engine"].dispose()


def test_leaflet_is_served_from_this_server(client: FlaskClient) -> None:
    """The point map's Leaflet comes from the planner's vendored copy; nothing else is served there."""
    with client.get("/vendor/leaflet/leaflet.js") as js:
        assert js.status_code == 200 and b"Leaflet 1.9.4" in js.data
    with client.get("/vendor/leaflet/images/layers.png") as png:
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    assert client.get("/vendor/leaflet/../cli.py").status_code == 404
    assert client.get("/vendor/leaflet/README.md").status_code == 404
