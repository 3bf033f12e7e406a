"""`/monitors`: schedules with their last result, firing alerts with acknowledgement, noisy monitors of
the last 30 days, and `?key=` for one monitor's recent runs; monitor data is escaped and its links
kept only when safe."""

import datetime as dt
import re

from tests.support.monitor_rows import DAY, HOUR, T0, alert, delivery, run, schedule

HOSTILE = "<script>alert(1)</script>"
MINUTE = dt.timedelta(minutes=1)


def rows_of(page, section_id):
    """The text of each cell of each row of the table in the section labelled `section_id`."""
    section = page[page.index(f'id="{section_id}"'):]
    table = section[section.index("<tbody>"):section.index("</tbody>")]
    cells = r"<t[hd][^>]*>(.*?)</t[hd]>"
    return [[" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in re.findall(cells, row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def add_monitors(store):
    with store.session() as session:
        drift = run(session, "recs/drift", T0, "breach", value=0.4, threshold=0.3, summary="4 of 10 columns drifted",
                    evidence_url="/drift/12")
        schedule(session, "recs/drift", next_due_at=T0 + HOUR, last_run_id=drift.id)
        latency = run(session, "recs/latency", T0 + MINUTE, "error", kind="slo", summary="Prometheus unreachable")
        schedule(session, "recs/latency", kind="slo", every=300, next_due_at=T0 + 6 * MINUTE, last_run_id=latency.id)
        schedule(session, "churn/quality", kind="model-quality", every=86400, enabled=False)
        schedule(session, "recs/gone", removed_at=T0)
        session.commit()


def test_schedules_show_kind_every_last_result_next_run_and_evidence(client, store, token):
    add_monitors(store)
    page = client.get("/monitors", headers=token()).text
    assert rows_of(page, "schedules-title") == [
        ["churn/quality", "model-quality", "1d", "never ran", "", "", "disabled", "-"],
        ["recs/drift", "drift", "1h", "breach 4 of 10 columns drifted", "0.4 (threshold 0.3)", "2026-11-02 08:01 UTC",
         "2026-11-02 09:00 UTC", "evidence"],
        ["recs/latency", "slo", "5m", "error Prometheus unreachable", "", "2026-11-02 08:02 UTC",
         "2026-11-02 08:06 UTC", "-"]]
    assert '<span class="badge bad">breach</span>' in page and '<span class="badge warn">error</span>' in page
    assert '<a href="/drift/12">evidence</a>' in page and 'href="/monitors?key=recs%2Fdrift"' in page
    assert '<a href="/monitors" aria-current="page">Monitors</a>' in page
    assert "runs-title" not in page  # no monitor chosen, no runs


def test_an_empty_store_says_what_to_do(client, token):
    page = client.get("/monitors", headers=token()).text
    assert "No monitors are scheduled." in page and "No alert is firing." in page
    assert "No monitor fired or sent a message in the last 30 days." in page


def test_firing_alerts_show_acknowledgement_and_the_latest_delivery_per_channel(client, store, token):
    with store.session() as session:
        acked = alert(session, "recs/drift", starts_at=T0, acknowledged_at=T0 + HOUR, acknowledged_by="ana",
                      fire_count=2, summary="drift share 0.4")
        delivery(session, "recs/drift", T0, alert_id=acked.id, status="failed", http_status=503)
        delivery(session, "recs/drift", T0 + MINUTE, alert_id=acked.id, http_status=200)
        delivery(session, "recs/drift", T0, alert_id=acked.id, channel="team-slack", status="folded")
        alert(session, "recs/latency", starts_at=T0 + DAY, summary="p95 latency 900 ms")
        alert(session, "churn/quality", status="resolved")
        session.commit()
    page = client.get("/monitors", headers=token()).text
    assert rows_of(page, "alerts-title") == [
        ["recs/latency", "warning", "p95 latency 900 ms", "2026-11-03 08:00 UTC", "1", "not acknowledged", "none"],
        ["recs/drift", "warning", "drift share 0.4", "2026-11-02 08:00 UTC", "2", "by ana, 2026-11-02 09:00 UTC",
         "ops-alertmanager: sent (HTTP 200); team-slack: folded"]]


def test_noisy_monitors_of_the_last_30_days_with_their_action_rate(client, store, token):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with store.session() as session:
        for days, status in ((40, "breach"), (20, "ok"), (10, "breach"), (9, "ok"), (8, "breach"), (7, "ok")):
            run(session, "recs/drift", now - days * DAY, status)
        run(session, "churn/quality", now - 5 * DAY, "breach", kind="model-quality")
        recs = alert(session, "recs/drift", acknowledged_at=now - 10 * DAY + HOUR, acknowledged_by="ana")
        for status in ("sent", "sent", "folded"):
            delivery(session, "recs/drift", now - 10 * DAY, status=status, alert_id=recs.id)
        delivery(session, "recs/drift", now - 40 * DAY, alert_id=recs.id)  # before the 30 days
        session.commit()
    page = client.get("/monitors", headers=token()).text
    assert rows_of(page, "noisy-title") == [["recs/drift", "2", "2", "1", "0", "0", "1", "50%"],
                                            ["churn/quality", "1", "0", "0", "0", "0", "0", "0%"]]


def test_the_key_filter_shows_that_monitors_recent_runs_newest_first(client, store, token):
    add_monitors(store)
    with store.session() as session:
        run(session, "recs/drift", T0 + HOUR, "ok", value=0.1, threshold=0.3, trigger="catch-up")
        run(session, "recs/drift", T0 + 2 * HOUR, "running")
        session.commit()
    page = client.get("/monitors?key=recs/drift", headers=token()).text
    assert "Recent runs of recs/drift" in page
    assert rows_of(page, "runs-title") == [
        ["2026-11-02 10:00 UTC", "schedule", "running", "", "", "", "-"],
        ["2026-11-02 09:00 UTC", "catch-up", "ok", "0.1 (threshold 0.3)", "", "2026-11-02 09:01 UTC", "-"],
        ["2026-11-02 08:00 UTC", "schedule", "breach", "0.4 (threshold 0.3)", "4 of 10 columns drifted",
         "2026-11-02 08:01 UTC", "evidence"]]
    assert 'href="/monitors?key=recs%2Fdrift" aria-current="true"' in page
    unknown = client.get("/monitors?key=nope/none", headers=token()).text
    assert "No runs of this monitor are stored." in unknown
    assert client.get("/monitors?key=" + "x" * 211, headers=token()).status_code == 422


def test_a_hostile_summary_is_escaped_and_an_unsafe_evidence_url_is_not_a_link(client, store, token):
    with store.session() as session:
        bad = run(session, "recs/drift", T0, "breach", summary=HOSTILE, evidence_url="javascript:alert(1)")
        schedule(session, "recs/drift", last_run_id=bad.id)
        run(session, "recs/latency", T0, "breach", summary="x", evidence_url="//evil.example/x")
        alert(session, "recs/drift", summary=HOSTILE, generator_url="javascript:alert(2)",
              acknowledged_by=HOSTILE, acknowledged_at=T0)
        session.commit()
    for path in ("/monitors", "/monitors?key=recs/drift", "/monitors?key=recs/latency",
                 "/monitors?key=%3Cscript%3Ealert(1)%3C/script%3E"):
        page = client.get(path, headers=token()).text
        assert "<script>" not in page and "javascript:" not in page and "evil.example" not in page, path
    page = client.get("/monitors?key=recs/drift", headers=token()).text
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4  # schedule, alert, acknowledger, run


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/monitors?key=recs/drift", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login?next=/monitors%3Fkey%3Drecs/drift"
