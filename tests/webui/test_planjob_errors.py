"""A planning job that the database refuses says so in words, without the SQL: the statement's
parameters hold the whole plan, people's names and addresses among them."""

from __future__ import annotations

import io
import json
import sqlite3
import sys

import pytest
from sqlalchemy.exc import OperationalError

import webui.planjob as planjob


def test_a_database_error_is_told_without_the_sql_or_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's error line: the register's words in Greek and English, SQLite's cause, nothing
    of the INSERT or its parameters; marked expected, so the desk shows it as it is."""
    refused = OperationalError(
        "INSERT INTO plan_versions (plan_json) VALUES (?)",
        {"plan_json": '{"address": "Οδός Κορίνθου 5, Αίγιο"}'},
        sqlite3.OperationalError("attempt to write a readonly database"),
    )

    def store(*_args: object, **_kw: object) -> tuple[int, int]:
        raise refused

    def plan_week(*_args: object, **_kw: object) -> object:
        raise refused

    monkeypatch.setattr("planner.register.week.plan_week", plan_week)
    monkeypatch.setattr(planjob, "store_problem_plan", store)
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    spec = {"database_url": "sqlite:///:memory:", "iso_week": "2026-W50", "time_limit": 1, "seed": 1,
            "workers": 1, "actor": "coordinator", "today": "2026-12-01"}  # fmt: skip
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(spec)))
    assert planjob.main() == 1
    (line,) = [json.loads(x) for x in out.getvalue().splitlines() if '"error"' in x]
    assert line["expected"] is True
    error = line["error"]
    assert "attempt to write a readonly database" in error
    assert "δεν αποθηκεύτηκε τίποτα" in error and " / The register did not accept the plan" in error
    for secret in ("INSERT", "plan_versions", "Κορίνθου", "plan_json"):
        assert secret not in error, secret
