"""Drift runs for components: stored, findings recorded, retrain triggers fired (real HTTP server)."""

import json
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from mldebt.service.drift import DriftRequest, run_drift
from mldebt.service.retrain import approve, list_requests
from mldebt.store.drift import drift_runs
from mldebt.store.findings import open_findings


def write_catalog(tmp_path, retrain: str) -> object:
    path = tmp_path / "mldebt.yaml"
    path.write_text(textwrap.dedent(f"""\
        version: 1
        components:
          - name: shop-model
            kind: model
            owner: team
            lifecycle: production
            customer_facing: true
            training_data: shop-data
            retrain: {retrain}
          - name: shop-data
            kind: dataset
            owner: team
            lifecycle: production
            schema:
              - {{name: price, type: float}}
              - {{name: channel, type: categorical}}
        drift:
          alpha: 0.01
        """))
    return path


def write_data(tmp_path, rng, shift):
    paths = []
    for name, s in (("ref", 0.0), ("cur", shift)):
        n = 4000
        table = pa.table({"price": rng.normal(10 + s, 1, n),
                          "channel": rng.choice(["web", "app"], n, p=[0.6 - s / 5, 0.4 + s / 5])})
        pq.write_table(table, tmp_path / f"{name}.parquet")
        paths.append(tmp_path / f"{name}.parquet")
    return paths


class Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append(json.loads(body))
        self.send_response(202)
        self.end_headers()
        self.wfile.write(b"queued")

    def log_message(self, *args):
        pass


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def webhook():
    Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/retrain", Hook.received
    server.shutdown()
    server.server_close()


def test_approve_mode_records_one_pending_request_until_approved(store, tmp_path, rng):
    marker = tmp_path / "retrained.txt"
    script = tmp_path / "retrain.py"
    script.write_text(f"open({str(marker)!r}, 'w').write('ok')\n")
    catalog = write_catalog(tmp_path, f"{{mode: approve, command: {json.dumps(f'{sys.executable} {script}')}}}")
    ref, cur = write_data(tmp_path, rng, shift=1.0)
    request = DriftRequest(ref, cur, component="shop-model", catalog=catalog)
    first = run_drift(store, request)
    assert first.report.dataset_drift and [r.status for r in first.retrain] == ["pending"]
    assert {f.rule_id for f in first.findings} >= {"DRIFT001", "DRIFT002"}
    second = run_drift(store, request)
    assert [r.status for r in second.retrain] == ["already-pending"]
    assert len(list_requests(store)) == 1 and not marker.exists()
    result = approve(store, "shop-model")
    assert result["status"] == "succeeded" and result["outcome"]["exit_code"] == 0
    assert marker.read_text() == "ok"
    with store.session() as session:
        assert [r.dataset_drift for r in drift_runs(session, "shop-model")] == [True, True]
        assert {f.rule_id for f in open_findings(session, "shop-model", "drift")} >= {"DRIFT001", "DRIFT002"}


def test_auto_mode_posts_json_to_the_webhook(store, tmp_path, rng, webhook):
    url, received = webhook
    catalog = write_catalog(tmp_path, f"{{mode: auto, webhook: '{url}'}}")
    ref, cur = write_data(tmp_path, rng, shift=1.0)
    outcome = run_drift(store, DriftRequest(ref, cur, component="shop-data", catalog=catalog))
    assert [(r.component, r.status) for r in outcome.retrain] == [("shop-model", "succeeded")]
    assert outcome.retrain[0].detail["http_status"] == 202
    assert received[0]["component"] == "shop-model" and received[0]["drifted_columns"] == ["price", "channel"]


def test_no_drift_fixes_earlier_findings_and_fires_nothing(store, tmp_path, rng):
    catalog = write_catalog(tmp_path, "{mode: off}")
    ref, cur = write_data(tmp_path, rng, shift=1.0)
    assert run_drift(store, DriftRequest(ref, cur, component="shop-model", catalog=catalog)).findings
    same = run_drift(store, DriftRequest(ref, ref, component="shop-model", catalog=catalog))
    assert same.retrain == [] and same.findings == [] and len(same.synced.fixed) >= 2
    assert np.isclose(same.report.drift_share, 0.0)


def test_catalog_policy_applies_without_a_component(tmp_path, rng):
    catalog = write_catalog(tmp_path, "{mode: off}")
    text = catalog.read_text().replace("alpha: 0.01", "alpha: 0.01\n  methods: {price: psi}")
    catalog.write_text(text)
    ref, cur = write_data(tmp_path, rng, shift=1.0)
    outcome = run_drift(None, DriftRequest(ref, cur, catalog=catalog))
    assert {c.name: c.method for c in outcome.report.columns}["price"] == "psi" and outcome.run_id is None
