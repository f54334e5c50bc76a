"""``kinito user`` and ``kinito serve``: accounts from the command line, the app under waitress."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from planner.cli import main
from planner.register.db import make_engine, session_scope
from planner.register.models import AuditLog, User
from webui.security import check_password

ROOT = Path(__file__).resolve().parents[2]


def test_user_add_reads_the_password_from_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The account is created with a scrypt hash of the given password; the audit says the CLI did it."""
    db = tmp_path / "k.sqlite3"
    assert main(["init", "--db", str(db)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long secret pass\n"))
    code = main(
        [
            "user",
            "add",
            "maria",
            "--role",
            "coordinator",
            "--display-name",
            "Μαρία",
            "--password-stdin",
            "--db",
            str(db),
        ]
    )
    assert code == 0 and "maria: coordinator" in capsys.readouterr().out
    engine = make_engine(db)
    with session_scope(engine) as s:
        user = s.scalars(select(User).where(User.username == "maria")).one()
        assert user.role == "coordinator" and user.display_name == "Μαρία"
        assert user.password_hash.startswith("scrypt:") and check_password(
            user.password_hash, "a long secret pass"
        )
        assert s.scalars(select(AuditLog.actor).where(AuditLog.entity == "users")).one() == "kinito-cli"
    engine.dispose()


def test_user_add_refuses_a_short_password_and_an_existing_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Short passwords are refused (exit 2); adding the same name twice needs --update."""
    db = str(tmp_path / "k.sqlite3")
    assert main(["init", "--db", db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "nikos", "--role", "driver", "--password-stdin", "--db", db]) == 2
    assert "10" in capsys.readouterr().err
    for expected in (0, 2):
        monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
        assert main(["user", "add", "nikos", "--role", "driver", "--password-stdin", "--db", db]) == expected
    monkeypatch.setattr("sys.stdin", io.StringIO("another long password\n"))
    assert (
        main(["user", "add", "nikos", "--role", "management", "--password-stdin", "--update", "--db", db])
        == 0
    )


def test_serve_prints_the_url_and_the_demo_accounts_and_answers(tmp_path: Path) -> None:
    """`kinito serve` (waitress) on a fresh file: creates the schema, prints how to log in, serves Greek."""
    db = tmp_path / "serve.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KINITO_SECRET_KEY": "test-secret"}
    env.pop("KINITO_DATABASE_URL", None)
    env.pop("DATABASE_URL", None)
    # the demo accounts on a new register (`kinito user demo` itself now wants a demo register)
    from webui.cli import _prepare_database
    from webui.demo_users import ensure_demo_users

    engine, _where = _prepare_database(str(db))
    with session_scope(engine) as s:
        ensure_demo_users(s)
    engine.dispose()
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "planner.cli", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("Ctrl+C" in line for line in lines):
            lines.append(proc.stdout.readline())
        out = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in out
        assert re.search(r"syntonistria\s+coordinator\s+demo-syntonistria", out), out
        page = _get(f"http://127.0.0.1:{port}/login", deadline)
        assert "Σύνδεση" in page
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def _get(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_user_add_and_user_unit_give_a_driver_a_unit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One unit: a new driver gets it. Two: --unit chooses (by name or id), none is refused
    with the units listed; `kinito user unit` moves a driver; a wrong name lists the units."""
    from planner.register.models import Unit

    db = tmp_path / "k.sqlite3"
    assert main(["init", "--db", str(db)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert main(["user", "add", "maria", "--role", "coordinator", "--password-stdin", "--db", str(db)]) == 0
    engine = make_engine(db)
    with session_scope(engine) as s:
        s.add(Unit(name="Βαν Αιγίου", base_name="Αίγιο", base_lat=38.25, base_lon=22.08))

    def units() -> dict[str, int | None]:
        with session_scope(engine) as s:
            return {u.username: u.unit_id for u in s.scalars(select(User))}

    def add(name: str, *extra: str) -> int:
        monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
        return main(["user", "add", name, "--role", "driver", "--password-stdin", "--db", str(db), *extra])

    assert add("first") == 0
    assert "μονάδα / unit: Βαν Αιγίου" in capsys.readouterr().out
    assert units()["first"] == 1
    with session_scope(engine) as s:
        s.add(Unit(name="Αυτοκίνητο", base_name="Αίγιο", base_lat=38.25, base_lon=22.08))
    assert add("second") == 2
    err = capsys.readouterr().err
    assert "--unit" in err and "1: Βαν Αιγίου" in err and "2: Αυτοκίνητο" in err
    assert "second" not in units()
    assert add("second", "--unit", "αυτοκίνητο") == 0 and units()["second"] == 2
    assert add("third", "--unit", "9") == 2 and "άγνωστη ή αμφίσημη μονάδα" in capsys.readouterr().err
    assert main(["user", "unit", "second", "1", "--db", str(db)]) == 0
    assert units()["second"] == 1 and "Βαν Αιγίου" in capsys.readouterr().out
    # as `kinito week --units` reads a unit: the start of a name or of a word, accents aside
    assert main(["user", "unit", "second", "Αυτοκινητο", "--db", str(db)]) == 0 and units()["second"] == 2
    assert main(["user", "unit", "second", "αιγιου", "--db", str(db)]) == 0 and units()["second"] == 1
    with session_scope(engine) as s:
        s.add(Unit(name="Βαν Καλαβρύτων", base_name="Αίγιο", base_lat=38.25, base_lon=22.08))
    assert main(["user", "unit", "second", "βαν", "--db", str(db)]) == 2  # two vans: which?
    assert "αμφίσημη" in capsys.readouterr().err and units()["second"] == 1
    assert main(["user", "unit", "maria", "1", "--db", str(db)]) == 2  # not a driver
    assert main(["user", "unit", "nobody", "1", "--db", str(db)]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert main(["user", "add", "m", "--role", "management", "--unit", "1", "--password-stdin",
                 "--db", str(db)]) == 2  # fmt: skip
    engine.dispose()


def test_serve_warns_when_it_listens_on_the_network_over_plain_http(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--host 0.0.0.0 without secure cookies: a warning in Greek and English (passwords and
    people's data would travel unencrypted); on 127.0.0.1, or with secure cookies, none."""
    import waitress

    from planner.cli import main

    monkeypatch.setattr(waitress, "serve", lambda *_a, **_k: None)
    monkeypatch.setenv("KINITO_SECRET_KEY", "test-secret")
    db = str(tmp_path / "serve.sqlite3")
    assert main(["serve", "--db", db, "--host", "0.0.0.0", "--port", "8999"]) == 0
    err = capsys.readouterr().err
    assert "με απλό HTTP" in err and "KINITO_SESSION_COOKIE_SECURE=true" in err and "over plain HTTP" in err
    assert main(["serve", "--db", db, "--host", "127.0.0.1", "--port", "8999"]) == 0
    assert "HTTP" not in capsys.readouterr().err
    monkeypatch.setenv("KINITO_SESSION_COOKIE_SECURE", "true")
    assert main(["serve", "--db", db, "--host", "0.0.0.0", "--port", "8999"]) == 0
    assert "HTTP" not in capsys.readouterr().err


def test_user_add_without_a_terminal_says_to_use_password_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """From a script (no terminal) without --password-stdin: a clear message and exit 2, not
    «internal error (EOFError)»; a real register with no users is not pointed to the demo
    accounts, which it would refuse."""
    import io

    import waitress

    from planner.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    db = str(tmp_path / "real.sqlite3")
    assert main(["user", "add", "maria", "--role", "admin", "--db", db]) == 2
    err = capsys.readouterr().err
    assert "--password-stdin" in err and "internal error" not in err
    monkeypatch.setattr(waitress, "serve", lambda *_a, **_k: None)
    monkeypatch.setenv("KINITO_SECRET_KEY", "test-secret")
    assert main(["serve", "--db", db, "--port", "8999"]) == 0
    out = capsys.readouterr().out
    assert "kinito user add NAME --role admin" in out and "user demo" not in out
    assert f"kinito user add NAME --role admin --db {db}" in out  # as it runs: on this register


def test_user_commands_refuse_a_register_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped --db made a new, empty register that got the account while the real one did
    not (a reviewer's walkthrough): now refused, with the path, and nothing created."""
    typo = tmp_path / "kinito.sqlite" / ".." / "kinto.sqlite3"
    for words in (
        ["user", "add", "nikos", "--role", "driver", "--password-stdin"],
        ["user", "unit", "nikos", "1"],
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
        assert main([*words, "--db", str(typo)]) == 2
        err = capsys.readouterr().err
        assert "δεν υπάρχει μητρώο" in err and "no register at" in err and "kinito init" in err
    assert not typo.exists()


def test_serve_says_when_it_cannot_listen_and_refuses_a_port_past_65535(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A port already taken: one clear message naming it, exit 2, and nothing printed as served
    (before: the address and the log-ins, then «cannot use a file: Address already in use»);
    --port 99999 is refused (it wrapped round to another port)."""
    import socket

    db = str(tmp_path / "serve.sqlite3")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--db", db, "--port", str(port)]) == 2
        assert not Path(db).exists()  # no register (nor key) made for a server that cannot run
    out = capsys.readouterr()
    assert (
        f"127.0.0.1:{port}" in out.err and "cannot listen" in out.err and "δεν μπορεί να ακούσει" in out.err
    )
    assert "Kinito: http" not in out.out
    with pytest.raises(SystemExit) as refused:
        main(["serve", "--db", db, "--port", "99999"])
    assert refused.value.code == 2 and "65535" in capsys.readouterr().err


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_file_that_is_no_database_is_said_so_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito serve`, `user add`, `backup` on a file that is not SQLite: exit 2 with SQLite's
    own words, as `week` and `import` had (before: «internal error (DatabaseError ...)», exit 3)."""
    not_db = tmp_path / "notes.sqlite3"
    not_db.write_text("these are notes, not a register\n" * 200, encoding="utf-8")
    for words in (
        ["user", "add", "nikos", "--role", "driver", "--password-stdin"],
        ["serve", "--port", str(_free_port())],
        ["backup", "--out", str(tmp_path / "copy.sqlite3")],
    ):
        monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
        assert main([*words, "--db", str(not_db)]) == 2, words
        err = capsys.readouterr().err
        assert "file is not a database" in err and "internal error" not in err, (words, err)


def test_serve_keeps_its_settings_and_key_beside_the_register_wherever_it_is_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito serve --db /elsewhere/register.sqlite3` took its instance folder (the key that
    signs the sign-ins, webui.toml) from the folder it was started in: started from another
    folder, it made a new key and every tablet was logged out, and its settings were not read.
    Now the folder is the register's, from any folder; --instance chooses another; settings
    left in ./instance by a server set up before are warned about, not silently dropped."""
    import waitress

    from planner.cli import main

    served: list[Any] = []
    monkeypatch.setattr(waitress, "serve", lambda app, **_k: served.append(app))
    monkeypatch.delenv("KINITO_SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    register = tmp_path / "office" / "register.sqlite3"
    (tmp_path / "office").mkdir()
    (tmp_path / "office" / "webui.toml").write_text(
        '[webui]\nTILE_URL = "https://tiles.example.gr/{z}/{x}/{y}.png"\n'
    )
    for start in ("home", "desktop"):
        (tmp_path / start).mkdir()
        monkeypatch.chdir(tmp_path / start)
        assert main(["serve", "--db", str(register), "--port", "8999"]) == 0
        assert not (tmp_path / start / "instance").exists()
    first, second = served
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "office" / "secret_key").read_text().strip() == first.config["SECRET_KEY"]
    assert second.config["TILE_URL"] == "https://tiles.example.gr/{z}/{x}/{y}.png"
    out = capsys.readouterr().out
    assert f"settings and sign-in key: {tmp_path / 'office'}" in out

    # A server set up before: its key and settings in ./instance of the folder it ran from.
    old = tmp_path / "home" / "instance"
    old.mkdir()
    (old / "webui.toml").write_text("[webui]\nSESSION_IDLE_MINUTES = 45\n")
    monkeypatch.chdir(tmp_path / "home")
    other = tmp_path / "data" / "register.sqlite3"
    assert main(["serve", "--db", str(other), "--port", "8999"]) == 0
    err = capsys.readouterr().err
    assert f"--instance {old}" in err and "δεν διαβάζονται πια" in err and "no longer read" in err
    assert served[-1].config["SESSION_IDLE_MINUTES"] == 30  # the default: not read, as said
    assert main(["serve", "--db", str(other), "--port", "8999", "--instance", str(old)]) == 0
    assert "no longer read" not in capsys.readouterr().err
    assert served[-1].config["SESSION_IDLE_MINUTES"] == 45
    # ./instance with a register of its own (the demo's, `make demo`): its settings are that
    # register's, not a server set up before; no warning about them for another register
    (old / "demo.sqlite3").write_bytes(b"")
    assert main(["serve", "--db", str(other), "--port", "8999"]) == 0
    assert "no longer read" not in capsys.readouterr().err
    for app in served:
        app.extensions["kinito_jobs"].stop_all()


def test_user_add_refuses_spaces_for_a_password_and_a_name_in_other_capitals(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from planner.cli import main

    db = str(tmp_path / "r.sqlite3")
    assert main(["init", "--db", db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert main(["user", "add", "odigos", "--role", "admin", "--password-stdin", "--db", db]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(" " * 12 + "\n"))
    assert main(["user", "add", "maria", "--role", "admin", "--password-stdin", "--db", db]) == 2
    assert "όχι μόνο κενά" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough password\n"))
    assert main(["user", "add", "Odigos", "--role", "admin", "--password-stdin", "--db", db]) == 2
    assert "υπάρχει ήδη ο χρήστης odigos" in capsys.readouterr().err
