"""`kinito plan` and `kinito validate` as a reviewer met them: outputs onto a pipe, a folder
given as the problem, a tampered plan called valid, the validator's words (accounting, timing)."""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.model import Plan, Problem, TimeWindow
from planner.schema import plan_to_dict, problem_to_dict, save_json
from planner.validate import validate
from tests.planner.conftest import MON, TUE, hm, make_problem, make_visit, quick


def _problem() -> Problem:
    """Three visits on two days for one van with a social worker aboard; the last needs a
    social worker at 22:00, after the shift: it stays unassigned (no_time_in_shift)."""
    return make_problem(
        [
            make_visit("a", "temeni", name="Άννα Α."),
            make_visit("b", "diakopto", name="Βασίλης Β."),
            make_visit(
                "night",
                "rododafni",
                name="Νίκος Ν.",
                required_role="social_worker",
                time_windows=(TimeWindow(hm(22), hm(23)),),
            ),
        ],
        dates=(MON, TUE),
    )


@pytest.fixture(scope="module")
def solved() -> tuple[Problem, Plan]:
    problem = _problem()
    plan = quick(problem, 1.0)
    assert validate(problem, plan) == [] and plan.routes
    assert [u.visit_id for u in plan.unassigned] == ["night"]
    return problem, plan


def _files(tmp_path: Path, problem: Problem, plan_dict: dict[str, Any]) -> tuple[str, str]:
    problem_file, plan_file = tmp_path / "problem.json", tmp_path / "plan.json"
    problem_file.write_text(json.dumps(problem_to_dict(problem), ensure_ascii=False), encoding="utf-8")
    plan_file.write_text(json.dumps(plan_dict, ensure_ascii=False), encoding="utf-8")
    return str(problem_file), str(plan_file)


# --- 1: an output path that is a pipe (or a device) is never replaced by a file ---------------


def test_plan_refuses_a_named_pipe_as_output_before_the_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o` (or `--map`) onto an existing named pipe, or a link to one: refused at once with a
    bilingual message, and the pipe is still a pipe (it was replaced by a regular file, and as
    root `-o /dev/null` would have replaced the system's /dev/null)."""
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(json.dumps(problem_to_dict(_problem())), encoding="utf-8")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(fifo)
    for args in (
        ["-o", str(fifo)],
        ["-o", str(link)],
        ["-o", str(tmp_path / "plan.json"), "--map", str(fifo)],
    ):
        assert main(["plan", str(problem_file), *args, "--time-limit", "1"]) == 2
        err = capsys.readouterr().err
        assert "δεν είναι κανονικό αρχείο" in err and "is not a regular file but a pipe" in err, err
        assert "will not be replaced" in err and "Kinito" not in err  # before the search began
        assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
        assert link.is_symlink() and stat.S_ISFIFO(os.stat(link).st_mode)
    assert not (tmp_path / "plan.json").exists()


def test_save_json_never_replaces_a_pipe(tmp_path: Path) -> None:
    """The writer itself refuses a target that is not a regular file (its temporary file and
    rename would replace it), and leaves no temporary file behind."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="is not a regular file"):
        save_json(fifo, {"a": 1})
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
    save_json(tmp_path / "ok.json", {"a": 1})  # a regular file is still written
    assert json.loads((tmp_path / "ok.json").read_text(encoding="utf-8")) == {"a": 1}


# --- 6: a folder (or an unreadable file) given where a file is read ----------------------------


def test_a_folder_given_as_an_input_is_said_so_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`kinito plan adir`, `kinito validate adir x`, `validate p adir`, `--config adir`: one
    bilingual sentence (it was «δεν είναι δυνατή η χρήση του / cannot use adir: Is a
    directory», the Greek cut short and the reason in English only)."""
    folder = tmp_path / "adir"
    folder.mkdir()
    problem_file = tmp_path / "problem.json"
    problem_file.write_text(json.dumps(problem_to_dict(_problem())), encoding="utf-8")
    for words in (
        ["plan", str(folder), "-o", str(tmp_path / "x.json")],
        ["validate", str(folder), str(folder)],
        ["validate", str(problem_file), str(folder)],
        ["plan", str(problem_file), "-o", str(tmp_path / "x.json"), "--config", str(folder)],
    ):
        assert main(words) == 2
        err = capsys.readouterr().err
        assert f"{folder}: είναι φάκελος, όχι αρχείο / is a folder, not a file" in err, err
        assert "Is a directory" not in err and "cannot use" not in err


def test_os_errors_are_sentences_in_both_languages() -> None:
    """No permission, a missing file, and a cause without words of its own."""
    from planner.cli import os_error_message

    denied = os_error_message(PermissionError(errno.EACCES, "Permission denied", "p.json"))
    assert denied == "p.json: δεν επιτρέπεται η πρόσβαση (δικαιώματα) / permission denied"
    missing = os_error_message(FileNotFoundError(errno.ENOENT, "No such file or directory", "x.json"))
    assert missing == "δεν βρέθηκε το αρχείο / file not found: x.json"
    other = os_error_message(OSError(errno.EIO, "Input/output error", "p.json"))
    assert other.startswith("p.json: το σύστημα αρνήθηκε") and "/ the system refused" in other
    assert "EIO" in other


def test_an_unreadable_problem_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A problem file the system will not open (no permission: faked, the tests may run as
    root): the bilingual sentence, exit 2."""
    problem_file = tmp_path / "problem.json"
    problem_file.write_text("{}", encoding="utf-8")

    def refuse(self: Path, *args: object, **kw: object) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    assert main(["validate", str(problem_file), str(problem_file)]) == 2
    err = capsys.readouterr().err
    assert f"{problem_file}: δεν επιτρέπεται η πρόσβαση (δικαιώματα) / permission denied" in err


# --- 3: validate warns of what a plan states falsely but reading ignores ------------------------


def test_validate_warns_of_a_false_crew_summary_and_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], solved: tuple[Problem, Plan]
) -> None:
    """A plan whose route crew, summaries (route and plan km) and unassigned reason code were
    edited to false values: still valid (exit 0: they are derived and ignored on read), but
    each is a warning (it said only «έγκυρο πλάνο / valid plan»)."""
    problem, plan = solved
    d = plan_to_dict(plan, problem)
    d["routes"][0]["crew"] = ["psy1"]
    d["routes"][0]["summary"]["km"] = 1.0
    d["summary"]["km"] = 1.0
    d["unassigned"][0]["reason"] = "no_crew"  # a social worker is aboard every day
    problem_file, plan_file = _files(tmp_path, problem, d)
    assert main(["validate", problem_file, plan_file]) == 0
    out = capsys.readouterr().out
    assert "Warnings (4)" in out and "Προειδοποιήσεις" in out
    assert "έγκυρο πλάνο / valid plan" in out
    assert (
        "[stated_crew]" in out
        and "the plan states the crew psy1, but the problem's crew that day is sw1" in out
    )
    assert out.count("[stated_summary]") == 2 and "km 1.0 (" in out
    assert "[stated_reason] night (Νίκος Ν.)" in out and "the reason no_crew cannot hold" in out
    assert "επιβαίνει κοινωνικός λειτουργός" in out


def test_validate_does_not_warn_of_the_engines_own_plan_or_of_rounding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], solved: tuple[Problem, Plan]
) -> None:
    """The plan as written, with a summary figure off only by its rounding and the crew listed
    in another order: no warning."""
    problem, plan = solved
    d = plan_to_dict(plan, problem)
    d["summary"]["km"] = round(d["summary"]["km"] + 0.04, 2)
    problem_file, plan_file = _files(tmp_path, problem, d)
    assert main(["validate", problem_file, plan_file]) == 0
    out = capsys.readouterr().out
    assert "Warnings" not in out and "valid plan" in out


def test_validate_warns_of_a_reason_that_cannot_hold(solved: tuple[Problem, Plan]) -> None:
    """Reason codes plainly contradicted by the problem are warnings; the true one is not."""
    from planner.validate import stated_warnings

    problem, plan = solved
    d = plan_to_dict(plan, problem)
    assert stated_warnings(problem, plan, d) == []
    for code, words in (
        ("over_capacity", "fits every unit's capacity"),
        ("frequency", "wanted only once"),
        ("no_allowed_date", "a weekday it allows"),
        ("no_available_day", "is available on"),
        ("pinned_date_unavailable", "not pinned"),
    ):
        u = replace(plan.unassigned[0], reason=code)
        (w,) = stated_warnings(problem, replace(plan, unassigned=(u,)), d)
        assert w.code == "stated_reason" and words in w.message, (code, w)


# --- 4: the accounting message names the visit, in words -------------------------------------


def test_accounting_names_the_visit_in_words(solved: tuple[Problem, Plan]) -> None:
    """An unserved visit not listed as unassigned: «night (Νίκος Ν.): δεν εξυπηρετείται ούτε
    αναφέρεται στις μη ανατεθείσες» (it printed «όσες γίνονται [] και όσες μένουν εκτός πλάνου []
    δεν αντιστοιχούν στις 1 επίσκεψη»)."""
    problem, plan = solved
    (v,) = validate(problem, replace(plan, unassigned=()))
    text = str(v)
    assert text == (
        "[accounting] night (Νίκος Ν.): δεν εξυπηρετείται ούτε αναφέρεται στις μη ανατεθείσες / "
        "is neither served nor listed as unassigned"
    )
    served = plan.routes[0].stops[0]
    extra = replace(plan.unassigned[0], visit_id=served.visit_id, occurrence=0)
    (both,) = validate(problem, replace(plan, unassigned=(*plan.unassigned, extra)))
    assert "[accounting]" in str(both) and "is served and also listed as unassigned" in str(both)
    assert "[" not in str(both).split("]", 1)[1]  # no Python list


def test_accounting_numbers_occurrences_from_one_with_plurals() -> None:
    """A visit wanted three times, none served nor listed: «οι επισκέψεις #1, #2, #3 από τις 3
    δεν εξυπηρετούνται» / "visits #1, #2, #3 of 3 are neither…"; one of them: singular."""
    problem = make_problem([make_visit("t", "temeni", frequency=3, name="Τρεις Τ.")], dates=(MON, TUE))
    quick_plan = quick(problem, 0.5)
    (v,) = validate(problem, replace(quick_plan, routes=(), unassigned=()))
    assert "οι επισκέψεις #1, #2, #3 από τις 3 δεν εξυπηρετούνται ούτε αναφέρονται" in v.message_el
    assert v.message == "visits #1, #2, #3 of 3 are neither served nor listed as unassigned"
    listed = [u for u in quick_plan.unassigned if u.visit_id == "t"]
    assert listed  # two days hold at most two of the three
    (one,) = validate(
        problem, replace(quick_plan, unassigned=tuple(x for x in quick_plan.unassigned if x != listed[0]))
    )
    assert one.message == f"visit #{listed[0].occurrence + 1} of 3 is neither served nor listed as unassigned"
    assert f"η επίσκεψη #{listed[0].occurrence + 1} από τις 3 δεν εξυπηρετείται" in one.message_el


# --- 5: timing in minutes, and a stop before the previous one ends said so ---------------------


def test_timing_in_minutes_and_a_start_before_the_previous_stop_ends(solved: tuple[Problem, Plan]) -> None:
    """A stop moved to 06:00, before the previous one ends: said so, in hours and minutes (it
    was «-12647 s από 09:30:47 ως 06:00:00, αλλά χρειάζονται 271 s»); a gap merely too short is
    in minutes too."""
    problem, plan = solved
    route = next(r for r in plan.routes if len(r.stops) >= 2)
    first, second = route.stops[0], route.stops[1]
    moved = replace(second, arrival=hm(6), start=hm(6), end=hm(6) + (second.end - second.start))
    broken = replace(
        plan,
        routes=tuple(
            replace(r, stops=(first, moved, *r.stops[2:])) if r is route else r for r in plan.routes
        ),
    )
    timing = [v for v in validate(problem, broken) if v.code == "timing"]
    assert timing, validate(problem, broken)
    text = str(timing[0])
    assert "before the previous stop ends" in text and "πριν τελειώσει η προηγούμενη στάση" in text
    assert "-" not in text.split(":", 1)[1].split("/")[0].replace("06:00:00", "")  # no negative seconds
    assert " s between" not in text and "min" in text and "λεπτά" in text
    assert " h " in text and "ώρ" in text  # over an hour early: hours
    # a minute after the previous stop: "only 1 min … but N min M s are needed"
    soon = first.end + 60
    short = replace(second, arrival=soon, start=soon, end=soon + (second.end - second.start))
    broken = replace(
        plan,
        routes=tuple(
            replace(r, stops=(first, short, *r.stops[2:])) if r is route else r for r in plan.routes
        ),
    )
    (gap,) = [v for v in validate(problem, broken) if v.code == "timing"]
    assert gap.message.startswith("only 1 min between") and "are needed (travel)" in gap.message
    assert gap.message_el.startswith("μόνο 1 λεπτό από")  # (not «1 λεπτά»)
