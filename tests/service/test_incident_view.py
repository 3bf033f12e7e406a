"""The incidents page's data: weekly counts, exact MTTR order statistics, recurring findings, the filtered list."""

import datetime as dt

import pytest

from mldebt.errors import UserInputError
from mldebt.service import incident_view as view
from mldebt.service.incidents import mttr_report
from mldebt.store.incident_queries import IncidentFilter
from tests.support.incident_rows import add_finding, add_incident

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)  # a Wednesday; its week starts Monday 2026-11-23
START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)  # 25 weeks before that Monday


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def seeded(store):
    with store.session() as session:
        add_incident(session, 1, "recs-api", "latency", [(at("2026-11-23 00:00:00"), 30)])  # on a week boundary
        add_incident(session, 2, "recs-api", "latency", [(at("2026-11-22 23:59:59"), 90)])
        add_incident(session, 3, "recs-api", "data-quality", [(at("2026-11-10 10:00"), 60),
                                                               (at("2026-11-11 10:00"), 3000)])  # reopened once
        add_incident(session, 4, "fraud-model", "model-error", [(at("2026-10-30 00:00"), 14400)])
        add_incident(session, 5, "fraud-model", "model-error", [(at("2026-05-31 23:00"), 5)])  # before the window
        add_incident(session, 6, None, "infrastructure", [(at("2026-11-24 08:00"), None)], source="alertmanager")
        add_incident(session, 7, "fraud-model", "model-error", [(at("2026-06-01 00:00"), 5)])  # before MTTR's month
    return store


def test_the_window_is_26_weeks_of_mondays_ending_with_the_current_week():
    assert view.window_start(NOW) == START
    labels = view.week_labels(START)
    assert (len(labels), labels[0], labels[-1]) == (26, "2026-06-01", "2026-11-23")


def test_the_timeline_counts_incidents_opened_per_week_and_category_and_the_reopenings(seeded):
    timeline = view.timeline(seeded, NOW)
    zero = [0] * 26
    assert timeline.total == 6 and timeline.reopened == [*zero[:23], 1, 0, 0]  # incident 3 reopened in week 23
    assert list(timeline.chart_series()) == [*timeline.series, "reopened (any category)"]
    assert list(timeline.series) == ["latency", "model-error", "data-quality", "infrastructure"]
    assert timeline.series["latency"] == [*zero[:24], 1, 1]
    assert timeline.series["data-quality"] == [*zero[:23], 1, 0, 0]
    assert timeline.series["infrastructure"] == [*zero[:25], 1]
    assert timeline.series["model-error"] == [1, *zero[:20], 1, 0, 0, 0, 0]


def test_mttr_per_component_is_exact_with_four_keys_verdicts(seeded):
    rows = [r.to_dict() for r in view.mttr_tables(seeded, NOW).by_component]
    assert rows == [
        {"group": "(unlinked)", "intervals": 1, "resolved": 0, "open": 1, "mean_minutes": None,
         "median_minutes": None, "p90_minutes": None, "verdict": None},
        {"group": "fraud-model", "intervals": 1, "resolved": 1, "open": 0, "mean_minutes": 14400.0,
         "median_minutes": 14400.0, "p90_minutes": 14400.0, "verdict": "bad"},
        {"group": "recs-api", "intervals": 4, "resolved": 4, "open": 0, "mean_minutes": 795.0,
         "median_minutes": 75.0, "p90_minutes": 2127.0, "verdict": "good"},
    ]


def test_mttr_per_category_is_exact(seeded):
    rows = {r.group: (r.intervals, r.mean_minutes, r.median_minutes, r.p90_minutes, r.verdict)
            for r in view.mttr_tables(seeded, NOW).by_category}
    assert rows == {"data-quality": (2, 1530.0, 1530.0, pytest.approx(2706.0), "warning"),
                    "infrastructure": (1, None, None, None, None),
                    "latency": (2, 60.0, 60.0, pytest.approx(84.0), "good"),
                    "model-error": (1, 14400.0, 14400.0, 14400.0, "bad")}


@pytest.mark.parametrize("by", ["component", "category"])
def test_mttr_agrees_with_the_mttr_report_over_the_same_window(seeded, by):
    tables = view.mttr_tables(seeded, NOW)
    assert tables.since == NOW - dt.timedelta(days=30)
    ours = [{k: v for k, v in r.to_dict().items() if k not in ("verdict", "intervals")} | {"incidents": r.intervals}
            for r in (tables.by_component if by == "component" else tables.by_category)]
    theirs = [r.to_dict() for r in mttr_report(seeded, by, since=tables.since)]
    assert ours == theirs


def test_mttr_reads_at_most_the_newest_intervals_and_says_where_its_window_starts(seeded):
    tables = view.mttr_tables(seeded, NOW, most=3)
    assert tables.capped and tables.since == at("2026-11-22 23:59:59")  # the third newest interval opened then
    assert [(r.group, r.intervals, r.mean_minutes) for r in tables.by_component] == [
        ("(unlinked)", 1, None), ("recs-api", 2, 60.0)]
    assert [r.to_dict()["mean_minutes"] for r in tables.by_component] == [
        r.to_dict()["mean_minutes"] for r in mttr_report(seeded, "component", since=tables.since)]
    assert not view.mttr_tables(seeded, NOW, most=6).capped  # six intervals in the month: all of them
    assert view.mttr_tables(seeded, NOW, most=5).since == at("2026-11-10 10:00")


def test_the_verdict_thresholds_are_a_day_and_a_week():
    assert [view.verdict(m) for m in (None, 1439.9, 1440, 10079, 10080)] == [None, "good", "warning", "warning", "bad"]


def test_recurring_failures_are_the_open_recurrence_findings_most_severe_first(store):
    with store.session() as session:
        medium = add_finding(session, 1, "INC001", "medium", "recs-api", at("2026-11-20 00:00"),
                             evidence={"kind": "fingerprint", "occurrences": 4, "window_days": 30,
                                       "categories": ["latency"],
                                       "incidents": [{"incident_id": 1, "opened_at": "x", "title": "first"},
                                                     {"incident_id": 2, "opened_at": "y", "title": "latest"}]})
        high = add_finding(session, 2, "INC001", "high", "fraud-model", at("2026-10-01 00:00"))
        add_finding(session, 3, "INC001", "high", "recs-api", at("2026-11-21 00:00"), status="fixed")
        add_finding(session, 4, "FB001", "high", "recs-api", at("2026-11-21 00:00"), source="feedback")
    recurring = view.recurring_failures(store)
    assert recurring.total == 2 and [f["id"] for f in recurring.findings] == [high, medium]
    second = recurring.findings[1]
    assert (second["occurrences"], second["window_days"], second["categories"], second["last_incident"]["title"]) == (
        4, 30, ["latency"], "latest")
    assert view.recurring_failures(store, limit=1).findings[0]["id"] == high


@pytest.mark.parametrize(("where", "numbers"), [
    (IncidentFilter(), [6, 1, 2, 3, 4, 7, 5]),
    (IncidentFilter(status="open"), [6]),
    (IncidentFilter(status="resolved"), [1, 2, 3, 4, 7, 5]),
    (IncidentFilter(component="recs-api"), [1, 2, 3]),
    (IncidentFilter(category="model-error"), [4, 7, 5]),
    (IncidentFilter(source="alertmanager"), [6]),
    (IncidentFilter(component="recs-api", category="latency"), [1, 2]),
])
def test_the_list_is_newest_first_and_filtered(seeded, where, numbers):
    total, rows = view.incident_list(seeded, where, 0, 50)
    assert total == len(numbers) and [r["title"] for r in rows] == [f"incident {n}" for n in numbers]


def test_the_list_pages_and_sums_each_incidents_outages(seeded):
    total, rows = view.incident_list(seeded, IncidentFilter(), 2, 2)
    assert total == 7 and [r["title"] for r in rows] == ["incident 2", "incident 3"]
    assert [(r["intervals"], r["outage_minutes"], r["reopens"]) for r in rows] == [(1, 90.0, 0), (2, 3060.0, 1)]
    [still_open] = view.incident_list(seeded, IncidentFilter(status="open"), 0, 1)[1]
    assert (still_open["intervals"], still_open["outage_minutes"], still_open["resolved_at"]) == (1, 0.0, None)


@pytest.mark.parametrize(("values", "message"), [
    (("", "nope", "", ""), "category: 'nope' is not one of api-mismatch"),
    (("", "", "jira", ""), "source: 'jira' is not one of alertmanager, sentry"),
    (("", "", "", "closed"), "status: 'closed' is not one of open, resolved"),
    (("x" * 101, "", "", ""), "component: at most 100 characters, got 101"),
])
def test_a_bad_filter_names_the_problem(values, message):
    with pytest.raises(UserInputError, match=message):
        view.incident_filter(*values)


def test_an_empty_store_has_an_empty_timeline_and_no_mttr(store):
    empty = view.timeline(store, NOW)
    assert (empty.total, empty.series, empty.reopened, empty.chart_series()) == (0, {}, [0] * 26, {})
    tables = view.mttr_tables(store, NOW)
    assert tables.by_component == [] and tables.by_category == []
    assert view.recurring_failures(store).total == 0 and view.incident_list(store, IncidentFilter(), 0, 50) == (0, [])
