"""A plan version's page says what its changes are compared with, and compares with the version
that is published now: not with one that has been replaced since (third walkthrough)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from webui_helpers import MON, TUE, post, store_version

from planner.model import HOUR, MINUTE, Plan, Route, Stop

WEEK = "2026-W50"


def _stop(visit_id: str, start: int, minutes: int) -> Stop:
    return Stop(visit_id, 0, start, start, start + minutes * MINUTE, 900, 10_000)


def _plan(*routes: Route) -> Plan:
    return Plan("x", routes, (), 0, 1, 1.0, 0.1)


def _route(day: Any, *stops: Stop) -> Route:
    return Route("van1", day, 8 * HOUR, 14 * HOUR, stops, 900, 10_000)


def _store(app: Flask, plan: Plan, version: int, summary: dict[str, Any] | None = None) -> int:
    return store_version(app, plan, version, summary=summary)


def _heading(page: str) -> str:
    """The heading of the list of changes: what they are compared with."""
    start = page.index('<h2 id="changes-against"')
    return page[page.index(">", start) + 1 : page.index("</h2>", start)]


def _changes(page: str) -> str:
    changes = page[page.index('id="changes"') :]
    return changes[: changes.index("</ul>")]


# Version 1 (published first): Αικατερίνη Ν. 09:00, the stop, Σοφία Ι. 13:00, all on Monday.
FIRST = _plan(_route(MON, _stop("hv-1", 9 * HOUR, 45), _stop("vs-2", 10 * HOUR + 30 * MINUTE, 90),
                     _stop("hv-3", 13 * HOUR, 30)))  # fmt: skip
# Version 2 (re-planned while version 1 was published): Αικατερίνη Ν. at 11:08 instead.
SECOND = _plan(_route(MON, _stop("hv-1", 11 * HOUR + 8 * MINUTE, 45),
                      _stop("vs-2", 10 * HOUR + 30 * MINUTE, 90), _stop("hv-3", 13 * HOUR, 30)))  # fmt: skip
# Version 3 (re-planned while version 1 was published, then published): Σοφία Ι. on Tuesday.
THIRD = _plan(
    _route(MON, _stop("hv-1", 9 * HOUR, 45), _stop("vs-2", 10 * HOUR + 30 * MINUTE, 90)),
    _route(TUE, _stop("hv-3", 9 * HOUR, 30)),
)


def test_a_draft_is_compared_with_the_version_published_now_not_a_replaced_one(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Versions 2 and 3 were both re-planned while version 1 was published; then version 3
    was published (version 1 replaced). Version 2's page compares it with version 3, the one
    the drivers have now (Σοφία Ι. back from Tuesday to Monday), not with version 1; in
    Greek and in English."""
    first = _store(app, FIRST, 1)
    assert post(coordinator, f"/desk/plans/{first}/publish").status_code == 302
    second = _store(app, SECOND, 2, {"based_on_published": 1, "changes": ["(γραμμές της γραμμής εντολών)"]})
    url = f"/desk/plans/{second}"
    page = coordinator.get(url).get_data(as_text=True)
    assert _heading(page) == "Αλλαγές σε σχέση με τη δημοσιευμένη έκδοση (έκδοση 1)"
    assert _changes(page).count("<li>") == 1  # only Αικατερίνη Ν.'s new time

    third = _store(app, THIRD, 3, {"based_on_published": 1})
    assert post(coordinator, f"/desk/plans/{third}/publish").status_code == 302
    page = coordinator.get(url).get_data(as_text=True)
    assert _heading(page) == "Αλλαγές σε σχέση με τη δημοσιευμένη έκδοση (έκδοση 3)"
    assert "έκδοση 1)" not in page
    changes = _changes(page)
    assert "Άλλη ώρα: Αικατερίνη Ν., Δευτέρα 7/12, 09:00 → 11:08" in changes
    assert re.search(r"Αλλαγή ημέρας: Σοφία Ι., Τρίτη 8/12 \d\d:\d\d → Δευτέρα 7/12 \d\d:\d\d", changes)
    assert changes.count("<li>") == 2

    post(coordinator, "/language", {"lang": "en"})
    page = coordinator.get(url).get_data(as_text=True)
    assert _heading(page) == "Changes against the published version (version 3)"
    assert re.search(r"Day changed: Σοφία Ι., Tuesday 8/12 \d\d:\d\d → Monday 7/12 \d\d:\d\d", _changes(page))


def test_the_published_version_and_a_replaced_one_name_the_version_they_were_made_from(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Version 2, re-planned while version 1 was published and then published itself, is not
    compared with "the published version (version 1)": that one is replaced, and version 2 is
    the published one. Its page names version 1 for what it is, the version published when
    version 2 was made; so it does once version 3 replaces version 2 in turn."""
    first = _store(app, FIRST, 1)
    assert post(coordinator, f"/desk/plans/{first}/publish").status_code == 302
    second = _store(app, THIRD, 2, {"based_on_published": 1})
    assert post(coordinator, f"/desk/plans/{second}/publish").status_code == 302
    url = f"/desk/plans/{second}"
    heading = "Αλλαγές σε σχέση με την έκδοση 1, που ήταν δημοσιευμένη όταν δημιουργήθηκε αυτή"
    page = coordinator.get(url).get_data(as_text=True)
    assert 'class="badge published" id="status"' in page
    assert _heading(page) == heading and "δημοσιευμένη έκδοση (έκδοση" not in page
    moved = r"Αλλαγή ημέρας: Σοφία Ι., Δευτέρα 7/12 \d\d:\d\d → Τρίτη 8/12 \d\d:\d\d"
    assert re.search(moved, _changes(page))

    third = _store(app, FIRST, 3, {"based_on_published": 2})
    assert post(coordinator, f"/desk/plans/{third}/publish").status_code == 302
    page = coordinator.get(url).get_data(as_text=True)
    assert 'class="badge replaced" id="status"' in page
    assert _heading(page) == heading and "δημοσιευμένη έκδοση (έκδοση" not in page
    post(coordinator, "/language", {"lang": "en"})
    page = coordinator.get(url).get_data(as_text=True)
    assert _heading(page) == "Changes against version 1, the version published when this one was made"


def test_a_draft_adjusted_from_another_draft_is_compared_with_the_published_version(
    coordinator: FlaskClient, app: Flask
) -> None:
    """Version 1 is published; version 2, a draft, moved Σοφία Ι. to Tuesday; version 3
    adjusts version 2 (Αικατερίνη Ν. at 11:08). Version 3's page compares it with version 1,
    the one the drivers and the people have (third walkthrough: it listed only what changed
    against draft 2), so both changes show; once version 3 is published, with version 2."""
    first = _store(app, FIRST, 1)
    assert post(coordinator, f"/desk/plans/{first}/publish").status_code == 302
    _store(app, THIRD, 2, {"based_on_published": 1})
    moved = _plan(
        _route(MON, _stop("hv-1", 11 * HOUR + 8 * MINUTE, 45), _stop("vs-2", 10 * HOUR + 30 * MINUTE, 90)),
        _route(TUE, _stop("hv-3", 9 * HOUR, 30)),
    )
    third = _store(
        app, moved, 3, {"base_version": 2, "changes": [{"el": "(αλλαγές της προσαρμογής)", "en": "x"}]}
    )
    page = coordinator.get(f"/desk/plans/{third}").get_data(as_text=True)
    assert _heading(page) == "Αλλαγές σε σχέση με τη δημοσιευμένη έκδοση (έκδοση 1)"
    changes = _changes(page)
    assert "Άλλη ώρα: Αικατερίνη Ν., Δευτέρα 7/12, 09:00 → 11:08" in changes
    assert re.search(r"Αλλαγή ημέρας: Σοφία Ι., Δευτέρα 7/12 \d\d:\d\d → Τρίτη 8/12 \d\d:\d\d", changes)
    assert post(coordinator, f"/desk/plans/{third}/publish").status_code == 302
    page = coordinator.get(f"/desk/plans/{third}").get_data(as_text=True)
    assert _heading(page) == "Αλλαγές σε σχέση με την έκδοση 2"
    assert "(αλλαγές της προσαρμογής)" in _changes(page)


def test_a_version_compared_and_unchanged_says_so(coordinator: FlaskClient, app: Flask) -> None:
    """A re-plan that changes nothing against the published version says so under the
    heading (third walkthrough: the section was missing, so nothing told that it was
    compared at all)."""
    first = _store(app, FIRST, 1)
    assert post(coordinator, f"/desk/plans/{first}/publish").status_code == 302
    same = _store(app, FIRST, 2, {"based_on_published": 1})
    page = coordinator.get(f"/desk/plans/{same}").get_data(as_text=True)
    assert _heading(page) == "Αλλαγές σε σχέση με τη δημοσιευμένη έκδοση (έκδοση 1)"
    assert 'id="no-changes"' in page and "Καμία αλλαγή" in page and 'id="changes"' not in page
