"""A security walkthrough's findings, each fixed: imports that would take the server's memory,
an open redirect after log-in, sessions that outlived log-out and password resets, formulas
in the management export, unaudited password resets, Werkzeug's English 413 page and a 500 on
a huge id in an address."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from webui_helpers import ADMIN, COORDINATOR, DRIVER, PASSWORDS, csrf_token, login, post

from planner.register import importer
from planner.register.db import session_scope
from planner.register.importer import FileError, read_table
from planner.register.models import AuditLog, Staff, User

HOME = "/register/beneficiaries"
ROOT = Path(__file__).resolve().parents[2]


# --- defect 1: files that would take the server's memory ------------------------------------


def _workbook(rows: bytes, dimension: str | None = None) -> bytes:
    """A minimal XLSX file: one sheet of inline-string cells as given, an optional <dimension>."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            f'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Φύλλο1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship Id="rId1" '
            f'Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'.encode()
        if dimension:
            head += f'<dimension ref="{dimension}"/>'.encode()
        z.writestr("xl/worksheets/sheet1.xml", head + b"<sheetData>" + rows + b"</sheetData></worksheet>")
    return out.getvalue()


def _row(number: int, *cells: tuple[str, str]) -> bytes:
    inner = "".join(f'<c r="{ref}{number}" t="inlineStr"><is><t>{text}</t></is></c>' for ref, text in cells)
    return f'<row r="{number}">{inner}</row>'.encode()


HEADER = _row(1, ("A", "Ονοματεπώνυμο"), ("B", "Οικισμός"))
PERSON = _row(2, ("A", "Δοκιμή Δοκιμαστική"), ("B", "Αίγιο"))


def test_a_declared_size_of_the_whole_sheet_is_not_padded_to(tmp_path: Path) -> None:
    """<dimension ref="A1:XFD1048576"/> (1.6 KB) made every row 16,384 cells and read a million
    rows: memory without limit. Only the cells present are read now. Run in a child process
    with 2 GB of address space and a minute, so the old code fails instead of taking the machine."""
    path = tmp_path / "dimension.xlsx"
    last = _row(1_048_576, ("A", "Τελευταία γραμμή"))
    path.write_bytes(_workbook(HEADER + PERSON + last, dimension="A1:XFD1048576"))
    assert path.stat().st_size < 2000
    code = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        from pathlib import Path
        from planner.register.importer import read_table
        table = read_table(Path({str(path)!r}))
        print(table.header[:2], len(table.rows), len(table.rows[0][1]))
    """)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["['Ονοματεπώνυμο',", "'Οικισμός']", "2", "2"]
    assert time.monotonic() - started < 30


def test_a_used_range_down_to_the_last_row_imports_quickly_and_lean(tmp_path: Path) -> None:
    """A real workbook whose used range runs to row 1,048,576 (a formatted cell there) with one
    person: the rows in between are not built (before: a million 13-cell rows kept, ~300 MB)."""
    last = b'<row r="1048576" s="1" customFormat="1"><c r="M1048576" s="1"/></row>'
    path = tmp_path / "used-range.xlsx"
    path.write_bytes(_workbook(HEADER + PERSON + last, dimension="A1:M1048576"))
    tracemalloc.start()
    try:
        table = read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.header == ["Ονοματεπώνυμο", "Οικισμός"]
    assert [(n, v[:2]) for n, v in table.rows] == [(2, ["Δοκιμή Δοκιμαστική", "Αίγιο"])]
    assert peak < 40 * 2**20, f"{peak / 2**20:.0f} MB"


def test_a_value_past_column_200_refuses_the_file(tmp_path: Path) -> None:
    """At most 200 columns are read: a value further right is a clear refusal naming the column
    and the limit (before, a row was padded to its last cell, XFD: 16,384 cells a row)."""
    path = tmp_path / "wide.xlsx"
    path.write_bytes(_workbook(HEADER + _row(2, ("A", "x"), ("GS", "y"))))
    with pytest.raises(FileError) as refused:
        read_table(path)
    assert "GS" in refused.value.en and "200" in refused.value.en
    assert "GS" in refused.value.el and "200" in refused.value.el


def test_more_than_100000_data_rows_are_refused(tmp_path: Path) -> None:
    """At most 100,000 data rows (here in a CSV): the refusal names the limit in both languages."""
    path = tmp_path / "many.csv"
    path.write_text("Ονοματεπώνυμο;Οικισμός\n" + "Πρόσωπο;Αίγιο\n" * 100_001, encoding="utf-8")
    with pytest.raises(FileError) as refused:
        read_table(path)
    assert "100,000" in refused.value.en and "100.000" in refused.value.el
    path.write_text("Ονοματεπώνυμο;Οικισμός\n" + "Πρόσωπο;Αίγιο\n" * 100_000, encoding="utf-8")
    assert len(read_table(path).rows) == 100_000


def test_millions_of_empty_rows_are_refused_before_openpyxl_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An 89 KB file of ten million <row/> took a minute and a gigabyte: openpyxl keeps every
    row it has read. The parts are counted first, as a stream (the limit lowered here)."""
    monkeypatch.setattr(importer, "XLSX_MAX_ELEMENTS", 5_000)
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_workbook(HEADER + PERSON + b"<row/>" * 6_000))
    with pytest.raises(FileError) as refused:
        read_table(path)
    assert "5,000" in refused.value.en and "5.000" in refused.value.el
    path.write_bytes(_workbook(HEADER + PERSON + b"<row/>" * 4_000))
    assert len(read_table(path).rows) == 1


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parts' unpacked size is checked before anything is read (the limit lowered here)."""
    monkeypatch.setattr(importer, "XLSX_MAX_UNPACKED", 50_000)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_workbook(HEADER + PERSON + _row(3, ("C", "x" * 60_000))))
    assert path.stat().st_size < 5_000
    with pytest.raises(FileError) as refused:
        read_table(path)
    assert "MB" in refused.value.en and "MB" in refused.value.el


def _upload(client: FlaskClient, name: str, data: bytes) -> Any:
    token = csrf_token(client, "/register/import")
    return client.post(
        "/register/import",
        data={"csrf_token": token, "kind": "beneficiaries", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_a_csv_field_over_the_csv_limit_is_a_clear_refusal_not_a_500(coordinator: FlaskClient) -> None:
    """A cell over csv's field limit (an unclosed quote makes the rest of the file one cell)
    raised an uncaught _csv.Error: a server error. Now the report says what is wrong."""
    data = ('Ονοματεπώνυμο;Οικισμός\n"' + "x" * 200_000 + '";Αίγιο\n').encode()
    response = _upload(coordinator, "huge.csv", data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "131.072 χαρακτήρες" in page and "εισαγωγικό" in page


def test_an_uploaded_dimension_bomb_shows_the_report(coordinator: FlaskClient) -> None:
    """The walkthrough's upload, through the web (new code only: the old one would not return)."""
    data = _workbook(HEADER + _row(2, ("A", "x"), ("XFD", "y")), dimension="A1:XFD1048576")
    started = time.monotonic()
    response = _upload(coordinator, "wide.xlsx", data)
    assert response.status_code == 200 and time.monotonic() - started < 20
    assert "XFD" in response.get_data(as_text=True)


# --- defect 2: the address followed after log-in ---------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example", "/%0a/x", "/%0d%0a/x", "/%5C/evil.example", "/%5Cevil.example", "//evil.example",
     "https://evil.example/", "/%E2%80%8B/evil.example"],
)  # fmt: skip
def test_next_is_only_followed_to_a_clean_local_path(client: FlaskClient, target: str) -> None:
    """A tab (Werkzeug dropped it: Location //evil.example) or a line break (a 500 after a
    successful log-in) or a backslash in ``next``: the role's first page instead."""
    data = {"username": COORDINATOR, "password": PASSWORDS[COORDINATOR], "csrf_token": csrf_token(client)}
    response = client.post(f"/login?next={target}", data=data)
    assert response.status_code == 302
    assert response.location == HOME


def test_a_clean_next_is_still_followed(client: FlaskClient) -> None:
    """A local path with a query goes on working."""
    data = {"username": COORDINATOR, "password": PASSWORDS[COORDINATOR], "csrf_token": csrf_token(client)}
    response = client.post("/login?next=/register/stops%3Fq%3D1", data=data)
    assert response.location == "/register/stops?q=1"


def test_the_language_switch_does_not_redirect_away(coordinator: FlaskClient) -> None:
    """The language form's ``next`` obeys the same rule."""
    response = post(coordinator, "/language", {"lang": "en", "next": "/\t/evil.example"})
    assert response.status_code == 302 and not response.location.startswith("//")


# --- defects 3 and 5: sessions that log-out and a password reset did not end; the reset unaudited


def _cookie(client: FlaskClient, app: Flask) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def test_a_cookie_copied_before_log_out_no_longer_works(client: FlaskClient, app: Flask) -> None:
    """Replaying the cookie of a session after its log-out went on working until it expired."""
    login(client, COORDINATOR)
    assert client.get(HOME).status_code == 200
    copied = _cookie(client, app)
    post(client, "/logout")
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], copied)
    response = thief.get(HOME)
    assert response.status_code == 302 and response.location.startswith("/login")
    assert login(client, COORDINATOR).status_code == 302  # logging in again works at once
    assert client.get(HOME).status_code == 200


def test_log_out_ends_the_users_sessions_on_every_device_and_is_not_audited(
    client: FlaskClient, app: Flask
) -> None:
    """Log-out ends every session of the user begun before it (documented), and leaves no
    audit row (it changes no one's data)."""
    login(client, COORDINATOR)
    other = app.test_client()
    login(other, COORDINATOR)
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows_before = len(s.scalars(select(AuditLog)).all())
    post(client, "/logout")
    assert other.get(HOME).status_code == 302
    with session_scope(app.extensions["kinito_engine"]) as s:
        assert len(s.scalars(select(AuditLog)).all()) == rows_before


def _driver_form(app: Flask, password: str) -> dict[str, str]:
    with session_scope(app.extensions["kinito_engine"]) as s:
        user = s.scalars(select(User).where(User.username == DRIVER)).one()
        return {"username": DRIVER, "display_name": user.display_name, "role": "driver", "locale": "el",
                "unit_id": str(user.unit_id), "active": "y", "password": password}  # fmt: skip


def _driver_id(app: Flask) -> int:
    with session_scope(app.extensions["kinito_engine"]) as s:
        return int(s.scalars(select(User.id).where(User.username == DRIVER)).one())


def test_a_password_reset_ends_the_users_sessions_and_is_audited(client: FlaskClient, app: Flask) -> None:
    """The admin resets a driver's password: the driver's open session ends at its next request
    (it went on working), the new password logs in, and the audit log has a row for the reset
    (it had none: the hash is never logged, so the change looked empty) without the hash."""
    driver = app.test_client()
    login(driver, DRIVER)
    assert driver.get("/driver/today.json").status_code == 200
    login(client, ADMIN)
    reset = post(client, f"/admin/users/{_driver_id(app)}", _driver_form(app, "a brand new secret"))
    assert reset.status_code == 302
    assert driver.get("/driver/today.json").status_code == 401
    assert login(driver, DRIVER).status_code == 401  # the old password no longer works
    assert login(driver, DRIVER, "a brand new secret").status_code == 302
    assert driver.get("/driver/today.json").status_code == 200
    with session_scope(app.extensions["kinito_engine"]) as s:
        row = s.scalars(
            select(AuditLog)
            .where(AuditLog.entity == "users", AuditLog.entity_id == str(_driver_id(app)))
            .order_by(AuditLog.id.desc())
        ).first()
        assert row is not None and row.action == "update" and row.actor == ADMIN
        assert row.before == {"password": "previous"} and row.after == {"password": "changed"}
        hashes = list(s.scalars(select(User.password_hash)))
        assert not any(h in str(entry.before) + str(entry.after) for entry in s.scalars(select(AuditLog))
                       for h in hashes)  # fmt: skip


def test_a_password_reset_leaves_an_audit_row_without_the_hash(client: FlaskClient, app: Flask) -> None:
    """The hash is never logged, so a reset was an empty change: no audit row at all. Now the
    row says the password changed, who changed it and when."""
    login(client, ADMIN)
    assert (
        post(client, f"/admin/users/{_driver_id(app)}", _driver_form(app, "another new secret")).status_code
        == 302
    )
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = s.scalars(
            select(AuditLog).where(AuditLog.entity == "users", AuditLog.entity_id == str(_driver_id(app)))
        ).all()
        assert [(r.action, r.actor, r.before, r.after) for r in rows if r.action == "update"] == [
            ("update", ADMIN, {"password": "previous"}, {"password": "changed"})
        ]
        new_hash = s.scalars(select(User.password_hash).where(User.username == DRIVER)).one()
        assert all(new_hash not in str(r.before) + str(r.after) for r in rows)


def test_saving_an_account_without_a_new_password_keeps_its_sessions(client: FlaskClient, app: Flask) -> None:
    """Only a new password ends sessions: an edit with the password left blank does not, and
    it leaves no password row in the audit log."""
    driver = app.test_client()
    login(driver, DRIVER)
    login(client, ADMIN)
    form = {**_driver_form(app, ""), "display_name": "Οδηγός Νέο Όνομα"}
    assert post(client, f"/admin/users/{_driver_id(app)}", form).status_code == 302
    assert driver.get("/driver/today.json").status_code == 200
    with session_scope(app.extensions["kinito_engine"]) as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "users")).all()
        assert not any("password" in (r.after or {}) for r in rows)


def test_the_admin_changing_their_own_password_stays_logged_in(client: FlaskClient, app: Flask) -> None:
    """The admin's own reset ends the admin's other sessions, not the one that made it."""
    login(client, ADMIN)
    elsewhere = app.test_client()
    login(elsewhere, ADMIN)
    with session_scope(app.extensions["kinito_engine"]) as s:
        admin = s.scalars(select(User).where(User.username == ADMIN)).one()
        form = {"username": ADMIN, "display_name": admin.display_name, "role": "admin", "locale": "el",
                "unit_id": "", "active": "y", "password": "the admin's new secret"}  # fmt: skip
        admin_id = admin.id
    assert post(client, f"/admin/users/{admin_id}", form).status_code == 302
    assert client.get("/admin/users").status_code == 200
    assert elsewhere.get("/admin/users").status_code == 302


def test_a_session_from_before_the_fix_must_log_in_again(client: FlaskClient, app: Flask) -> None:
    """A cookie without the password's fingerprint (made before this version) is not trusted."""
    login(client, COORDINATOR)
    with client.session_transaction() as session:
        del session["pwf"]
    assert client.get(HOME).status_code == 302


# --- defect 4 (the management export), 6 and 7 ----------------------------------------------


def test_the_management_xlsx_writes_formula_like_text_as_text(hand_manager: FlaskClient) -> None:
    """A staff member's name typed as a formula was written as a live formula in export.xlsx."""
    from openpyxl import load_workbook

    app = hand_manager.application
    evil = '=HYPERLINK("http://evil.example/?x","Μαρία")'
    with session_scope(app.extensions["kinito_engine"]) as s:
        for staff in s.scalars(select(Staff)):
            staff.name = evil
    data = hand_manager.get("/management/export.xlsx?from=2026-W45&to=2026-W48").data
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any(b"<f>" in x or b"<f " in x for x in sheets)
    book = load_workbook(io.BytesIO(data))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)


def test_an_upload_over_the_limit_gets_the_apps_page_with_the_limit(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Werkzeug's English 413 page became the application's page, naming the limit."""
    app.config["MAX_CONTENT_LENGTH"] = 256 * 1024  # (a small body: the test client keeps it in memory)
    token = csrf_token(coordinator, "/register/import")
    response = coordinator.post(
        "/register/import",
        data={"csrf_token": token, "kind": "", "file": (io.BytesIO(b"x" * 300_000), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Request Entity Too Large" not in page
    assert "σφάλμα 413" in page and "0.25 MB" in page


@pytest.mark.parametrize(
    "url",
    ["/register/beneficiaries/99999999999999999999999", "/register/beneficiaries/9223372036854775808",
     "/register/stops/99999999999999999999999"],
)  # fmt: skip
def test_a_huge_id_in_an_address_is_not_found(coordinator: FlaskClient, url: str) -> None:
    """An id past SQLite's largest integer raised OverflowError in the driver: a 500."""
    assert coordinator.get(url).status_code == 404


def test_the_largest_id_is_still_an_ordinary_not_found(coordinator: FlaskClient) -> None:
    """2**63 - 1 reaches the page, which finds no such person."""
    assert coordinator.get("/register/beneficiaries/9223372036854775807").status_code == 404


def test_a_huge_id_from_a_form_or_query_is_not_found_either(db_file: Path, tmp_path: Path) -> None:
    """The same overflow from an id in a form or a query string (not a path) is 404 too; another
    OverflowError stays a server error."""
    from planner.register.models import Beneficiary
    from webui import create_app
    from webui.store import reader

    app = create_app(
        {"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True}
    )

    def person() -> str:
        with reader() as s:
            return str(s.get(Beneficiary, 10**30))

    def other() -> str:
        raise OverflowError("math range error")

    app.add_url_rule("/overflow/person", view_func=person)
    app.add_url_rule("/overflow/other", view_func=other)
    client = app.test_client()
    assert client.get("/overflow/person").status_code == 404
    with pytest.raises(OverflowError):
        client.get("/overflow/other")
    app.extensions["kinito_jobs"].stop_all()
    app.extensions["kinito_engine"].dispose()
