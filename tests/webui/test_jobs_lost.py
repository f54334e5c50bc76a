"""A planning run the server was stopped or killed in the middle of is not forgotten: its note
in the instance folder makes the next server list it as failed, saying it was interrupted and
nothing was stored; before, the run vanished and its progress page said to see the versions."""

from __future__ import annotations

import json
import time
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import COORDINATOR, login

from planner.schema import problem_to_dict
from webui import create_app
from webui.jobs import JobRunner


def _dead_pid() -> int:
    """A process id no process has (the highest ids are free on a test machine)."""
    import os

    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_a_run_left_by_a_stopped_server_is_listed_as_interrupted(db_file: Path, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    notes = instance / "jobs"
    notes.mkdir(parents=True)
    note = {"id": "lost-run-1", "iso_week": "2026-W50", "actor": COORDINATOR, "started_at": time.time() - 60,
            "time_limit": 30, "pid": _dead_pid()}  # fmt: skip
    (notes / "lost-run-1.json").write_text(json.dumps(note), encoding="utf-8")
    app = create_app({"DATABASE_URL": str(db_file), "INSTANCE_PATH": str(instance), "TESTING": True})
    try:
        client = app.test_client()
        login(client, COORDINATOR)
        state = client.get("/desk/jobs/lost-run-1.json").get_json()
        assert state["state"] == "failed"
        assert state["error"].startswith("Ο προγραμματισμός διακόπηκε όταν σταμάτησε ο διακομιστής")
        desk = client.get("/desk/").get_data(as_text=True)
        row = desk[desk.index('id="jobs"') :]
        assert "2026-W50" in row and "απέτυχε" in row and "Ξεκινήστε τον ξανά" in row
        assert not (notes / "lost-run-1.json").exists()  # listed once, by this server
    finally:
        app.extensions["kinito_engine"].dispose()


def test_a_running_job_leaves_a_note_that_goes_when_it_ends(coordinator: FlaskClient, app: Flask) -> None:
    from webui_helpers import small_problem

    runner: JobRunner = app.extensions["kinito_jobs"]
    assert runner.journal is not None
    job = runner.start("2026-W50", COORDINATOR, time_limit=1.0, problem=problem_to_dict(small_problem()))
    note = runner.journal / f"{job.id}.json"
    assert json.loads(note.read_text(encoding="utf-8"))["iso_week"] == "2026-W50"
    done = runner.wait(job.id, 60)
    assert done is not None and done.state == "done"
    assert not note.exists()
    # a note of a server still running (this one) is not taken for a lost run
    note.write_text(json.dumps({"id": "x", "iso_week": "2026-W50", "actor": "a", "started_at": 0, "pid": 1}))
    assert JobRunner(runner.database_url, journal=runner.journal).get("x") is None
