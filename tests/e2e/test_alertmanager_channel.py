"""mldebt's alertmanager channel against a real Alertmanager: what it posts is what Alertmanager keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from mldebt.domain.alerts import AlertStatus
from mldebt.integrations.alert_channels import CHANNELS
from tests.conftest import missing_service
from tests.support.alert_samples import Sleeps, drift_alert, notification, target
from tests.support.alertmanager_process import AlertmanagerProcess, binary


@pytest.fixture
def alertmanager(tmp_path: Path):
    if binary() is None:
        missing_service("prometheus-alertmanager not installed; run scripts/ensure-services as root")
    process = AlertmanagerProcess(tmp_path).start()
    yield process
    process.stop()


def kept(url: str, key: str) -> list[dict]:
    response = httpx.get(f"{url}/api/v2/alerts", params={"filter": f'mldebt_alert="{key}"'}, timeout=5)
    assert response.status_code == 200
    return response.json()


def test_a_firing_alert_is_kept_with_its_labels_and_resolving_it_removes_it(alertmanager):
    started = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=2)
    firing = drift_alert(starts_at=started)
    channel = CHANNELS["alertmanager"]
    result = channel.send(target(alertmanager.url), notification(firing), sleep=Sleeps())
    assert (result.ok, result.attempts, result.http_status) == (True, 1, 200)
    [active] = kept(alertmanager.url, firing.key)
    assert active["labels"] == firing.labels
    assert active["annotations"] == firing.annotations
    assert active["status"]["state"] == "active"
    assert active["generatorURL"] == "https://mldebt.example.com/drift/runs/7"
    assert dt.datetime.fromisoformat(active["startsAt"]) == started
    ends = dt.datetime.fromisoformat(active["endsAt"])
    assert ends > dt.datetime.now(dt.UTC)  # no endsAt sent: Alertmanager holds it for its resolve_timeout

    resolved = drift_alert(AlertStatus.RESOLVED, starts_at=started, ends_at=started + dt.timedelta(minutes=1))
    assert channel.send(target(alertmanager.url), notification(resolved), sleep=Sleeps()).ok
    assert kept(alertmanager.url, firing.key) == []  # resolved: no longer among the active alerts
    listed = httpx.get(f"{alertmanager.url}/api/v2/alerts/groups", timeout=5).json()
    assert all(a["labels"] != firing.labels for group in listed for a in group["alerts"])


def test_a_digest_is_accepted_by_alertmanager(alertmanager):
    alerts = [drift_alert(monitor=f"m{i}") for i in range(3)]
    assert CHANNELS["alertmanager"].send(target(alertmanager.url), notification(*alerts, digest=True),
                                         sleep=Sleeps()).ok
    [digest] = kept(alertmanager.url, "fraud-model/digest")
    assert digest["labels"]["alertname"] == "MldebtAlertDigest" and digest["annotations"]["folded"] == "3"


def test_alertmanager_refuses_a_malformed_alert_and_the_channel_does_not_retry(alertmanager):
    broken = drift_alert(starts_at=dt.datetime.now(dt.UTC),
                         ends_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), status=AlertStatus.RESOLVED)
    sleeps = Sleeps()
    result = CHANNELS["alertmanager"].send(target(alertmanager.url), notification(broken), sleep=sleeps)
    assert (result.ok, result.attempts, result.http_status, sleeps) == (False, 1, 400, [])
    assert result.error is not None and "start time must be before end time" in result.error
