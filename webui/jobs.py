"""Planning jobs: a week's solve in a child process, its progress kept by the web server.

Why a child process and not a thread: OR-Tools holds Python's global lock for up to half a
second at a time while it searches, which would stall every page of a threaded server; a
child process also keeps a crash of the engine away from the server. The child
(``python -m webui.planjob``) reads its job on stdin and writes one JSON line per progress
report and a last line with the stored plan version (see :mod:`webui.planjob`). A reader
thread here turns those lines into the :class:`Job`'s state, which the planning desk polls.

Jobs live in this registry, keyed by a random id: closing the page does not stop a job, and
the coordinator finds it again from the desk. Finished ones are in the database as plan
versions anyway. A running job also leaves a note in the instance folder (``jobs/<id>.json``,
removed when it ends): a server stopped or killed mid-run leaves it behind, and the next server
lists that run as failed, «interrupted when the server stopped: nothing was stored; start it
again», instead of forgetting it (its child ends with the server, before storing anything).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from planner import child_env

__all__ = ["Job", "JobRunner", "WeekBusy"]


@dataclass
class Job:
    """One planning run and what is known of it so far."""

    id: str
    iso_week: str
    actor: str
    started_at: float = field(default_factory=time.time)
    state: str = "running"  # running | done | failed | cancelled
    elapsed: float = 0.0
    time_limit: float = 0.0
    # "prepare" (the week read from the register, before any progress), "compile" (the
    # search compiled before its time starts, once), "search"
    stage: str = "prepare"
    clock_from: float | None = None  # when the reported stage's clock started (time.time())
    objective: int | None = None
    served: int = 0
    wanted: int = 0
    unassigned: int = 0  # when explaining (stage "explain"): how many visits are being explained
    plan_version_id: int | None = None
    version: int | None = None
    error: str | None = None
    expected_error: bool = False  # the week builder's message ("Greek / English"), not a fault
    finished_at: float | None = None
    base_plan_version_id: int | None = None  # an adjustment of this stored version
    problem_digest: str | None = None  # of the adjusted problem: the same adjustment sent twice
    # days before the first planned anew are kept (a week planned or adjusted mid-week): the
    # progress counts only the visits of the days planned again, the stored version all of them
    partial: bool = False

    @property
    def started(self) -> datetime:
        """When the job started (UTC), for the desk's list of runs."""
        return datetime.fromtimestamp(self.started_at, UTC)

    @property
    def counts_part(self) -> bool:
        """Whether ``served`` / ``wanted`` count only the days planned again: the search's
        progress of a partial run (its last report, ``done``, counts the whole week)."""
        return self.partial and self.plan_version_id is None

    def as_dict(self) -> dict[str, Any]:
        """The job as JSON for the desk's progress page."""
        data = asdict(self)
        data["counts_part"] = self.counts_part
        if self.state == "running":  # the stage's own clock: the search's starts after a compile
            # (none while preparing: the search's clock would then start again from 0)
            data["elapsed"] = 0.0 if self.clock_from is None else round(time.time() - self.clock_from, 1)
        return data


def problem_digest(problem: dict[str, Any]) -> str:
    """A problem document's fingerprint: two adjustments are the same request only if equal."""
    return hashlib.sha256(json.dumps(problem, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _terminate(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to the job's process group (the child and the solver workers it started)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(proc.pid, signal.SIGTERM)


LOST = (
    "Ο προγραμματισμός διακόπηκε όταν σταμάτησε ο διακομιστής: δεν αποθηκεύτηκε τίποτα. Ξεκινήστε "
    "τον ξανά. / The planning was interrupted when the server stopped: nothing was stored. Start "
    "it again."
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _lost_jobs(journal: Path) -> list[Job]:
    """The runs a server that is no longer running left in ``journal``: failed, saying so. Their
    notes are removed (listed once, by this server); a note of a server still running (another
    process on the same instance folder) is left alone."""
    lost = []
    for path in sorted(journal.glob("*.json")) if journal.is_dir() else []:
        try:
            note = json.loads(path.read_text(encoding="utf-8"))
            pid = int(note.get("pid", 0))
            if pid and pid != os.getpid() and _alive(pid):
                continue
            job = Job(
                id=str(note["id"]),
                iso_week=str(note["iso_week"]),
                actor=str(note["actor"]),
                started_at=float(note["started_at"]),
                time_limit=float(note.get("time_limit", 0)),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        job.state, job.error, job.expected_error = "failed", LOST, True
        job.finished_at = job.started_at
        lost.append(job)
        with contextlib.suppress(OSError):
            path.unlink()
    return lost


def _partial(iso_week: str, problem: dict[str, Any] | None, today: date | None) -> bool:
    """Whether a run keeps days of the week before ``today`` (they are not planned anew): some
    day of the problem's (else of the week's Monday to Friday) is before it."""
    if today is None:
        return False
    try:
        if problem is not None and problem.get("dates"):
            days = [date.fromisoformat(str(d)) for d in problem["dates"]]
        else:
            days = [date.fromisocalendar(int(iso_week[:4]), int(iso_week[6:]), 1)]
    except (ValueError, TypeError):
        return False
    return any(d < today for d in days)


class WeekBusy(Exception):
    """The week is being planned already: ``job`` is that run (one run of a week at a time)."""

    def __init__(self, job: Job) -> None:
        super().__init__(job.iso_week)
        self.job = job


class JobRunner:
    """Starts planning jobs and keeps their state; one per application."""

    def __init__(self, database_url: str, python: str = sys.executable, journal: Path | None = None) -> None:
        self.database_url = database_url
        self.python = python
        self.journal = journal
        self._jobs: dict[str, Job] = {}
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()
        if journal is not None:
            self._jobs.update({job.id: job for job in _lost_jobs(journal)})

    def _note(self, job: Job) -> None:
        """The running job's note in the journal (see the module)."""
        if self.journal is None:
            return
        with contextlib.suppress(OSError):  # a read-only instance folder: the run goes on
            self.journal.mkdir(parents=True, exist_ok=True)
            note = {"id": job.id, "iso_week": job.iso_week, "actor": job.actor, "started_at": job.started_at,
                    "time_limit": job.time_limit, "pid": os.getpid()}  # fmt: skip
            (self.journal / f"{job.id}.json").write_text(json.dumps(note), encoding="utf-8")

    def _unnote(self, job: Job) -> None:
        if self.journal is not None:
            with contextlib.suppress(OSError):
                (self.journal / f"{job.id}.json").unlink(missing_ok=True)

    def start_if_idle(self, iso_week: str, actor: str, **options: Any) -> Job:
        """:meth:`start`, unless a run of ``iso_week`` is running: then :class:`WeekBusy` with it.
        Checked and started under one lock: two requests arriving together (a form sent twice,
        two coordinators) start one run, where «running?» then «start» started two."""
        return self.start(iso_week, actor, _if_idle=True, **options)

    def start(
        self,
        iso_week: str,
        actor: str,
        *,
        time_limit: float,
        workers: int = 1,
        seed: int = 1,
        problem: dict[str, Any] | None = None,
        unit_set: str | None = None,
        base_plan_version_id: int | None = None,
        today: date | None = None,
        partial: bool | None = None,
        _if_idle: bool = False,
    ) -> Job:
        """Start planning ``iso_week``; or solve ``problem`` for it (an adjusted plan: then
        ``unit_set`` names the version series and ``base_plan_version_id`` what it adjusts).
        ``partial``: whether days of the week are kept, not planned anew (default: those before
        ``today``; the caller knows when today's published route is kept too)."""
        job = Job(id=secrets.token_urlsafe(12), iso_week=iso_week, actor=actor, time_limit=time_limit,
                  base_plan_version_id=base_plan_version_id,
                  problem_digest=problem_digest(problem) if problem is not None else None,
                  partial=_partial(iso_week, problem, today) if partial is None else partial)  # fmt: skip
        with self._lock:  # the run is listed before its child starts: a second request sees it
            if _if_idle:
                busy = [j for j in self._jobs.values() if j.state == "running" and j.iso_week == iso_week]
                if busy:
                    raise WeekBusy(max(busy, key=lambda j: j.started_at))
            self._jobs[job.id] = job
        spec = {
            "database_url": self.database_url,
            "iso_week": iso_week,
            "actor": actor,
            "time_limit": time_limit,
            "workers": workers,
            "seed": seed,
            "problem": problem,
            "unit_set": unit_set,
            "base_plan_version_id": base_plan_version_id,
            # days before it are not planned anew, and a published route of it is kept
            "today": today.isoformat() if today is not None else None,
        }
        env = child_env()  # so the child imports this very package
        # closed by the reader thread when the child ends
        errors = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        try:
            proc = subprocess.Popen(
                [self.python, "-m", "webui.planjob"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
                encoding="utf-8",
                env=env,
                start_new_session=True,  # its own process group: stopping it stops its solver workers too
            )
        except BaseException:  # not started: the week is free again
            errors.close()
            with self._lock:
                self._jobs.pop(job.id, None)
            raise
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(spec))
        proc.stdin.close()
        with self._lock:
            self._procs[job.id] = proc
        self._note(job)
        threading.Thread(
            target=self._follow, args=(job, proc, errors), daemon=True, name=f"job-{job.id}"
        ).start()
        return job

    def _follow(self, job: Job, proc: subprocess.Popen[str], errors: Any) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                continue
            with self._lock:
                if "progress" in message:
                    p = message["progress"]
                    job.elapsed = float(p["elapsed"])
                    job.stage = str(p.get("stage", "search"))
                    job.clock_from = time.time() - job.elapsed
                    job.objective = int(p["objective"])
                    job.served, job.wanted = int(p["served"]), int(p["wanted"])
                    job.unassigned = int(p.get("unassigned", 0))
                elif "done" in message:
                    d = message["done"]
                    job.plan_version_id, job.version = int(d["plan_version_id"]), int(d["version"])
                    job.served, job.wanted = int(d["served"]), int(d["wanted"])
                    job.objective = int(d["objective"])
                elif "error" in message:
                    job.error = str(message["error"])
                    job.expected_error = bool(message.get("expected"))
        proc.stdout.close()
        code = proc.wait()
        errors.seek(0)
        tail = errors.read()[-2000:]
        errors.close()
        with self._lock:
            job.finished_at = time.time()
            job.elapsed = round(job.finished_at - job.started_at, 1)
            if job.error == "cancelled":
                job.state = "cancelled"
            elif code == 0 and job.plan_version_id is not None:
                job.state = "done"
            else:
                job.state = "failed"
                if job.error is None:
                    job.error = tail.strip().splitlines()[-1] if tail.strip() else f"exit code {code}"
            self._procs.pop(job.id, None)
        self._unnote(job)

    def get(self, job_id: str) -> Job | None:
        """A job by id (None if unknown)."""
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """All jobs of this server, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.started_at, reverse=True)

    def running(self, iso_week: str | None = None) -> list[Job]:
        """The jobs still running (for one week, if given)."""
        return [j for j in self.jobs() if j.state == "running" and iso_week in (None, j.iso_week)]

    def wait(self, job_id: str, timeout: float) -> Job | None:
        """Block until the job ends or ``timeout`` seconds pass (for the CLI and tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job = self.get(job_id)
            if job is None or job.state != "running":
                return job
            time.sleep(0.05)
        return self.get(job_id)

    def cancel(self, job_id: str) -> bool:
        """Stop a running job (its child is terminated; nothing is stored). False if not running."""
        with self._lock:
            job, proc = self._jobs.get(job_id), self._procs.get(job_id)
            if job is None or proc is None or job.state != "running":
                return False
            job.error = "cancelled"
        _terminate(proc)
        return True

    def stop_all(self) -> None:
        """End every running child (server shutdown)."""
        with self._lock:
            procs = list(self._procs.values())
        for proc in procs:
            _terminate(proc)
