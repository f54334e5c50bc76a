"""The re-plan benchmark's script runs and reports what it says (tiny budget)."""

from __future__ import annotations

import re

import pytest

from benchmarks import replan


def test_replan_reports_each_re_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert replan.main(["--time-limit", "1", "--seeds", "2"]) == 0
    out = capsys.readouterr().out
    published = int(re.search(r"published \(seed 1\): (\d+) priority unserved", out)[1])  # type: ignore[index]
    line = re.search(r"seed 2 \(from the published routes\): (\d+) priority unserved; (\d+) not on", out)
    assert line is not None, out
    assert int(line[1]) <= published  # never worse than what it starts from


def test_a_bad_unit_day_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        replan.main(["--time-limit", "1", "--seeds", "2", "--lose", "car1"])
    assert "UNIT:YYYY-MM-DD" in capsys.readouterr().err
