"""The backlog pages' view helpers: which refs become links, and how edits and history read."""

import pytest

from mldebt.errors import UserInputError
from mldebt.service.backlog_view import BacklogFilters, form_changes, history_rows
from mldebt.service.evidence_links import evidence_link, web_url

ITEM = {"status": "open", "owner": None, "effort": {"low_hours": 2.0, "high_hours": 6.0},
        "accepted": {"reason": None, "until": None}}


@pytest.mark.parametrize("ref", [
    "javascript:alert(1)", " javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x",
    "//evil.example/x", "/relative", "http:/no-host", "https://", "https://@evil", "https://a.example/x y",
    "https://a.example/\"onclick=x", "https://a.example/\nx", "ftp://a.example/f", "mailto:a@example.com",
])
def test_only_absolute_http_urls_with_a_host_are_links(ref):
    assert web_url(ref) is None
    assert evidence_link({"kind": "ticket", "ref": ref}, "recommender", {}).external is False


def test_an_http_url_is_linked_as_it_is_and_an_id_through_its_page():
    assert web_url("https://sentry.example/issues/42/?x=1") == "https://sentry.example/issues/42/?x=1"
    assert evidence_link({"kind": "drift_run", "ref": "4x"}, "a", {}).href is None  # not a run id
    assert evidence_link({"kind": "ticket", "ref": "ZD-1"}, "a/b?c", {}).href == "/inventory/a%2Fb%3Fc"
    assert evidence_link({"kind": "incident", "ref": "7"}, "c", {}).href == "/incidents#incident-7"
    assert evidence_link({"kind": "incident", "ref": "7#x"}, "c", {}).href is None


def test_the_form_sends_only_what_changed():
    form = {"status": "open", "owner": " ana ", "effort_low_hours": "2", "effort_high_hours": "6.0"}
    assert form_changes(ITEM, form) == {"owner": " ana "}
    assert form_changes(ITEM, {**form, "owner": "", "status": "planned"}) == {"status": "planned"}
    assert form_changes(ITEM, {**form, "owner": "", "effort_high_hours": "8"}) == {
        "effort": {"low_hours": 2.0, "high_hours": 8.0}}
    with pytest.raises(UserInputError, match=r"^effort_high_hours: expected a number of hours, not 'nan'$"):
        form_changes(ITEM, {**form, "effort_high_hours": "nan"})
    with pytest.raises(UserInputError, match=r"^nothing changed"):
        form_changes(ITEM, {**form, "owner": ""})


def test_history_reads_newest_first_as_field_old_to_new():
    rows = history_rows([
        {"at": "2026-11-01T08:00:00+00:00", "actor": "mldebt", "action": "created",
         "changes": {"status": [None, "open"], "rule_ids": [None, ["MLD302", "MLD303"]]}, "note": None},
        {"at": "2026-11-02T09:30:00+01:00", "actor": "token:ed", "action": "updated",
         "changes": {"status": ["open", "in-progress"], "effort_low_hours": [2.0, 3.5]}, "note": "n"}])
    assert [(r["at_text"], r["changes"]) for r in rows] == [
        ("2026-11-02 08:30 UTC", ["status: open → in-progress", "effort_low_hours: 2 → 3.5"]),
        ("2026-11-01 08:00 UTC", ["status: none → open", "rule_ids: none → MLD302, MLD303"])]


def test_blank_filters_mean_any_and_the_active_statuses_are_shown_by_default():
    filters = BacklogFilters.of(" ", "", ["", "open", "open"], None)
    assert (filters.component, filters.category, filters.statuses, filters.owner) == (None, None, ("open",), None)
    assert BacklogFilters.of(None, None, None, None).shown_statuses == ("open", "planned", "in-progress")
    with pytest.raises(UserInputError, match=r"^component: at most 100 characters, not 101$"):
        BacklogFilters.of("c" * 101, None, None, None).check()
