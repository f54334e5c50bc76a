"""`kinito plan --config`: every [solver] setting checked before any search; a wrong one is
exit code 2 with a message naming the file, the table, the key, the value and what is
allowed, in Greek and English; never an internal error (exit 3)."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import pytest

from planner.cli import DEFAULT_TIME_LIMIT, _params, build_parser, main
from planner.solver import SolveParams

SMALL = Path(__file__).resolve().parent / "fixtures" / "schema_problem.json"


def _plan_with(tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, *flags: str) -> tuple[int, str]:
    config = tmp_path / "kinito.toml"
    config.write_text(toml, encoding="utf-8")
    code = main(["plan", str(SMALL), "--config", str(config), "--time-limit", "1", "--workers", "1", *flags])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("toml", "where", "fragments"),
    [
        ('time_limit = "2"', "time_limit", ['"2"', "greater than 0", "without quotes", "μεγαλύτερος"]),
        ('first_solution = "BOGUS"', "first_solution", ['"BOGUS"', "one of SAVINGS", "στρατηγική"]),
        ('first_solution = "savings"', "first_solution", ['did you mean "SAVINGS"', "μήπως"]),
        ('first_solution = "SWEEP"', "first_solution", ['"SWEEP"', "PARALLEL_CHEAPEST_INSERTION"]),
        ("workers = 1.7", "workers", ["1.7", "an integer, at least 1", "ακέραιος"]),
        ("workers = 0", "workers", ["got 0", "at least 1"]),
        ('seed = "abc"', "seed", ['"abc"', "expected an integer", "αναμενόταν ακέραιος"]),
        ("seed = 1.5", "seed", ["1.5", "expected an integer"]),
        # a 20-digit seed failed inside the search (an internal error, exit 3)
        ("seed = 18446744073709551616", "seed", ["18446744073709551616", "at most 18 digits", "18 ψηφία"]),
        ("polish_share = -1", "polish_share", ["-1", "from 0 to 1", "από 0 έως 1"]),
        ("pattern_share = 1.5", "pattern_share", ["1.5", "from 0 to 1"]),
        ("stage_time = 2", "stage_time", ["got 2", "from 0 to 1"]),
        ("time_limit = -5", "time_limit", ["-5", "greater than 0"]),
        ("time_limit = nan", "time_limit", ["got nan", "greater than 0"]),
        ("time_limit = inf", "time_limit", ["got inf"]),
        ("time_limit = true", "time_limit", ["got true"]),
        ("round_time = 0", "round_time", ["got 0", "greater than 0"]),
        ("episode = -1.0", "episode", ["-1.0", "greater than 0"]),
        ("episode_per_visit = -0.1", "episode_per_visit", ["-0.1", "0 or more"]),
        ("polish_max = -2", "polish_max", ["-2", "0 or more"]),
        ("stage_share = -1", "stage_share", ["-1", "0 or more"]),
        ("min_rounds = -1", "min_rounds", ["-1", "0 or more"]),
        ("lns_size = 0", "lns_size", ["got 0", "at least 1"]),
        ("savings_shape = 0", "savings_shape", ["got 0", "greater than 0.1"]),
        ('metaheuristic = "FAST"', "metaheuristic", ['"FAST"', "GUIDED_LOCAL_SEARCH", "μεταευρ"]),
        ('search = "fast"', "search", ['"fast"', "one of auto, ruin, ortools", "ένα από auto"]),
        ('search = "RUIN"', "search", ['did you mean "ruin"']),
        ("stage_uniform = 1", "stage_uniform", ["got 1", "true or false", "true ή false"]),
        ('log_search = "yes"', "log_search", ['"yes"', "true or false"]),
        ('portfolio = "SAVINGS"', "portfolio", ['got "SAVINGS"', "an array", "λίστα"]),
        ('portfolio = ["SAVINGS", "SWEEPS"]', "portfolio[1]", ['"SWEEPS"', "strategy"]),
        ("time_limt = 1", "time_limt", ["unknown setting", 'did you mean "time_limit"', "άγνωστη"]),
    ],
)  # fmt: skip
def test_a_wrong_solver_setting_is_named_with_what_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, where: str, fragments: list[str]
) -> None:
    code, err = _plan_with(tmp_path, capsys, f"[solver]\n{toml}\n")
    assert code == 2, err
    assert f"{tmp_path / 'kinito.toml'}: [solver] {where}: " in err
    assert " / " in err and ("αναμενόταν" in err or "άγνωστη" in err)  # Greek, then English
    for fragment in fragments:
        assert fragment in err
    assert "internal error" not in err and "επίλυση / solving" not in err
    assert "--time-limit" not in err  # the file's value is named, not a flag never used


def test_a_setting_at_the_top_level_is_checked_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a [solver] table the top level's plain keys are the solver's ([roads] aside)."""
    code, err = _plan_with(tmp_path, capsys, 'seed = "abc"\n[roads]\nstop_overhead_min = 2\n')
    assert code == 2
    assert f"{tmp_path / 'kinito.toml'}: seed: αναμενόταν ακέραιος" in err and 'got "abc"' in err


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("solver = 3\n", "solver: αναμενόταν πίνακας"),
        ("seed = 3\n[solver]\nworkers = 1\n", "seed: κλειδί έξω από τον πίνακα [solver]"),
        ("[solvr]\nseed = 3\n", '[solvr]: άγνωστος πίνακας· μήπως εννοείτε "[solver]"; / unknown table'),
    ],
)  # fmt: skip
def test_a_misplaced_setting_is_not_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, expected: str
) -> None:
    code, err = _plan_with(tmp_path, capsys, toml)
    assert code == 2
    assert f"{tmp_path / 'kinito.toml'}: {expected}" in err


def test_a_toml_syntax_error_names_the_file_and_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _plan_with(tmp_path, capsys, "[solver]\nseed = 3\ntime_limit = = 2\n")
    assert code == 2
    expected = "μη έγκυρο TOML στη γραμμή 3, στήλη 14 / invalid TOML at line 3, column 14"
    assert f"{tmp_path / 'kinito.toml'}: {expected}" in err


def test_a_settings_file_not_in_utf8_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "kinito.toml"
    config.write_bytes("[solver]\n# ρυθμίσεις\nseed = 3\n".encode("cp1253"))
    assert main(["plan", str(SMALL), "--config", str(config)]) == 2
    assert f"{config}: δεν είναι κείμενο UTF-8" in capsys.readouterr().err


def _args(*words: str) -> SolveParams:
    return _params(build_parser(plugins=False).parse_args(["plan", str(SMALL), *words]))


def test_flags_override_the_file_and_the_file_the_defaults(tmp_path: Path) -> None:
    config = tmp_path / "kinito.toml"
    config.write_text(
        '[solver]\ntime_limit = 5\nseed = 3\nworkers = 1\nportfolio = ["SAVINGS"]\nsearch = "ortools"\n',
        encoding="utf-8",
    )
    from_file = _args("--config", str(config))
    assert (from_file.time_limit, from_file.seed, from_file.workers) == (5.0, 3, 1)
    assert from_file.portfolio == ("SAVINGS",) and from_file.search == "ortools"
    flags = _args("--config", str(config), "--time-limit", "1", "--seed", "9", "--workers", "2")
    assert (flags.time_limit, flags.seed, flags.workers) == (1.0, 9, 2)
    assert flags.search == "ortools"
    # a file that leaves the time limit out gets the command's default, as without a file
    config.write_text("[solver]\nseed = 4\n", encoding="utf-8")
    assert _args("--config", str(config)).time_limit == _args().time_limit == DEFAULT_TIME_LIMIT


def test_a_bad_value_in_the_file_is_refused_even_when_a_flag_overrides_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The file is wrong whatever the command line says: it is named, not silently passed."""
    code, err = _plan_with(tmp_path, capsys, "[solver]\ntime_limit = -5\n")  # with --time-limit 1
    assert code == 2 and "[solver] time_limit: " in err


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--time-limit", "-5"], "--time-limit -5: πρέπει να είναι θετικός αριθμός δευτερολέπτων / must be"),
        (["--time-limit", "nan"], "--time-limit nan: πρέπει"),
        (["--time-limit", "inf"], "--time-limit inf: πρέπει"),
        (["--workers", "0"], "--workers 0: πρέπει να είναι τουλάχιστον 1 / must be at least 1"),
    ],
)  # fmt: skip
def test_bad_flags_are_named_in_both_languages(flags: list[str], expected: str) -> None:
    """(Through the settings alone: a search of ``nan`` seconds never ended.)"""
    with pytest.raises(ValueError, match="^" + re.escape(expected)):
        _args(*flags)


def test_a_valid_file_plans_with_its_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Whole floats count as integers (as in the problem file), integers as seconds."""
    plan_file = tmp_path / "plan.json"
    toml = (
        "[solver]\ntime_limit = 3\nseed = 7.0\nworkers = 2.0\n"
        'first_solution = "PARALLEL_CHEAPEST_INSERTION"\nmetaheuristic = "TABU_SEARCH"\n'
        "polish_share = 0\nstage_uniform = true\nsearch = 'ortools'\n"
    )
    code, err = _plan_with(tmp_path, capsys, toml, "-o", str(plan_file))
    assert code == 0, err
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    assert plan["seed"] == 7 and isinstance(plan["seed"], int)
    assert plan["time_limit"] == 1.0  # --time-limit 1 wins over the file's 3
    assert main(["validate", str(SMALL), str(plan_file)]) == 0


def test_every_solver_setting_has_a_rule() -> None:
    from planner.config import RULES

    assert set(RULES) == {f.name for f in fields(SolveParams)}


def test_the_allowed_names_are_or_tools_names() -> None:
    """The lists are kept in planner.config (only the solver imports OR-Tools): each name
    must be one of OR-Tools' enums, and the defaults must be allowed."""
    from ortools.constraint_solver import routing_enums_pb2

    from planner.config import FIRST_SOLUTIONS, METAHEURISTICS

    for names, enum in (
        (FIRST_SOLUTIONS, routing_enums_pb2.FirstSolutionStrategy),
        (METAHEURISTICS, routing_enums_pb2.LocalSearchMetaheuristic),
    ):
        for name in names:
            assert isinstance(getattr(enum, name), int)
    defaults = SolveParams()
    assert {defaults.first_solution, *defaults.portfolio} <= set(FIRST_SOLUTIONS)
    assert defaults.metaheuristic in METAHEURISTICS


def test_a_seed_flag_too_long_for_the_search_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """--seed 18446744073709551616 passed and failed inside the search as an internal error."""
    from planner.cli import main

    for command in (["plan", str(SMALL)], ["week", "2026-W50"]):
        with pytest.raises(SystemExit) as stop:
            main([*command, "--seed", "18446744073709551616"])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert "18446744073709551616: ακέραιος έως 18 ψηφία" in err
        assert "an integer of at most 18 digits" in err
    assert _args("--seed", "-999999999999999999").seed == -999999999999999999


def test_more_searches_than_cores_run_one_per_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--workers 64 on 2 cores took 81 s for a 2 s limit: the searches are one per core, and the
    command says so."""
    import os

    from planner import solver
    from planner.model import Problem
    from planner.schema import load_problem

    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    params = _args("--workers", "4", "--time-limit", "1")
    assert "4 searches asked for, the machine has 1 cores: 1 run" in capsys.readouterr().err

    def no_second_process(*_a: object, **_k: object) -> None:
        raise AssertionError("a second search process on a one-core machine")

    monkeypatch.setattr(solver, "_run_workers", no_second_process)
    problem: Problem = load_problem(SMALL)
    assert solver.solve(problem, params).routes
