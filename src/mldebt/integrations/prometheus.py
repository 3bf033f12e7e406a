"""Prometheus' HTTP API as a source: instant queries (`/api/v1/query`) and ranges (`/api/v1/query_range`).

Every failure becomes one `PrometheusError` with a `reason` a monitor can report in one line (the
`slo` monitor kind turns it into a monitor error, never an incident): the server is `unreachable`,
it did not answer within the `timeout` (or said so itself), its answer is `not_json` (a proxy's
HTML page), Prometheus refused the query (`bad_data`: its own errorType and error, e.g. a PromQL
syntax error), the answer is `too_large`, has `too_many_series` or `too_many_points`, or does not
have the envelope's shape (`malformed`). Sizes are bounded while reading, so a runaway query
cannot fill the memory of the process that runs the monitors.

Values come as strings; "NaN", "+Inf" and "-Inf" become the floats `nan`, `inf` and `-inf` (a
ratio of two zero rates is NaN: no traffic, not an error), anything else non-numeric is malformed.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from mldebt.errors import MldebtError

if TYPE_CHECKING:
    import httpx

MAX_RESPONSE_BYTES = 8 * 1024 * 1024
MAX_SERIES = 200
MAX_POINTS = 11_000  # per series: Prometheus' own limit for a range query
MAX_TOTAL_POINTS = 200_000
REASONS = ("unreachable", "timeout", "not_json", "bad_data", "too_many_series", "too_many_points", "too_large",
           "malformed")


class PrometheusError(MldebtError):
    """A query that gave no usable answer; `reason` is one of `REASONS`."""

    code = "prometheus_error"
    http_status = 502

    def __init__(self, reason: str, message: str) -> None:
        assert reason in REASONS, reason
        super().__init__(message)
        self.reason = reason

    def summary(self) -> str:
        """One line for a monitor run: "Prometheus timeout: no answer within 2s"."""
        return " ".join(f"Prometheus {self.reason}: {self.message}".split())[:500]


@dataclass(frozen=True)
class Sample:
    """One value of an instant query (a scalar has no labels)."""

    labels: dict[str, str]
    at: dt.datetime
    value: float


@dataclass(frozen=True)
class Series:
    """One series of a range query: its points in time order."""

    labels: dict[str, str]
    points: tuple[tuple[dt.datetime, float], ...]

    @property
    def values(self) -> list[float]:
        return [value for _, value in self.points]


class PrometheusClient:
    """A client of one Prometheus server (`url` may carry a path prefix); close it, or use it with `with`."""

    def __init__(self, url: str, timeout: float, bearer: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.bearer = bearer
        self._http: httpx.Client | None = None

    def query(self, promql: str, at: dt.datetime) -> list[Sample]:
        """The instant vector or scalar `promql` gives at `at`."""
        data = self._get("/api/v1/query", {"query": promql, "time": _unix(at)})
        kind, result = data["resultType"], data["result"]
        if kind == "scalar":
            when, value = _point(result, "data.result")
            return [Sample({}, when, value)]
        if kind != "vector":
            raise PrometheusError("bad_data", f"the query gives a {kind}, not an instant vector or a scalar")
        series = _list(result, "data.result")
        if len(series) > MAX_SERIES:
            raise PrometheusError("too_many_series", f"{len(series)} series (at most {MAX_SERIES})")
        samples = []
        for index, item in enumerate(series):
            where = f"data.result[{index}]"
            when, value = _point(_dict(item, where).get("value"), f"{where}.value")
            samples.append(Sample(_labels(item, where), when, value))
        return samples

    def query_range(self, promql: str, start: dt.datetime, end: dt.datetime, step_seconds: float) -> list[Series]:
        """The series `promql` gives from `start` to `end`, one point every `step_seconds`."""
        if step_seconds <= 0 or end < start:
            raise PrometheusError("bad_data", "a range needs start <= end and a positive step")
        expected = math.floor((end - start).total_seconds() / step_seconds + 1e-9) + 1
        if expected > MAX_POINTS:
            raise PrometheusError("too_many_points", f"{expected} points per series (at most {MAX_POINTS}); "
                                                     "use a longer step or a shorter window")
        data = self._get("/api/v1/query_range", {"query": promql, "start": _unix(start), "end": _unix(end),
                                                 "step": f"{step_seconds:g}"})
        if data["resultType"] != "matrix":
            raise PrometheusError("malformed", f"a range query answered a {data['resultType']}, not a matrix")
        series = _list(data["result"], "data.result")
        if len(series) > MAX_SERIES:
            raise PrometheusError("too_many_series", f"{len(series)} series (at most {MAX_SERIES})")
        answer, total = [], 0
        for index, item in enumerate(series):
            where = f"data.result[{index}]"
            values = _list(_dict(item, where).get("values"), f"{where}.values")
            total += len(values)
            if len(values) > MAX_POINTS or total > MAX_TOTAL_POINTS:
                raise PrometheusError("too_many_points", f"more than {min(MAX_POINTS, MAX_TOTAL_POINTS)} points")
            points = tuple(_point(v, f"{where}.values[{i}]") for i, v in enumerate(values))
            answer.append(Series(_labels(item, where), points))
        return answer

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """The envelope's `data` of a successful answer; a PrometheusError for anything else."""
        import httpx

        if self._http is None:
            headers = {"Accept": "application/json", "User-Agent": "mldebt"}
            if self.bearer:
                headers["Authorization"] = f"Bearer {self.bearer}"
            self._http = httpx.Client(timeout=self.timeout, headers=headers)
        params = {**params, "timeout": f"{self.timeout:g}s"}  # Prometheus stops evaluating at it too
        deadline = time.monotonic() + self.timeout
        try:
            with self._http.stream("GET", self.url + path, params=params) as response:
                status = response.status_code
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise PrometheusError("too_large", f"the answer is over {MAX_RESPONSE_BYTES} bytes")
                    if time.monotonic() > deadline:
                        raise PrometheusError("timeout", f"no complete answer within {self.timeout:g}s")
        except httpx.TimeoutException:
            raise PrometheusError("timeout", f"no answer from {self.url} within {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise PrometheusError("unreachable", f"{self.url}: {type(exc).__name__}: {exc}") from None
        return _envelope(bytes(body), status)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _envelope(body: bytes, status: int) -> dict[str, Any]:
    """Prometheus answers errors (400 bad_data, 422 execution, 503 timeout) with the same envelope."""
    try:
        envelope = json.loads(body)
    except ValueError:
        text = body[:200].decode("utf-8", "replace")
        raise PrometheusError("not_json", f"HTTP {status}, not JSON: {text!r}") from None
    if not isinstance(envelope, dict) or envelope.get("status") not in ("success", "error"):
        raise PrometheusError("malformed", f"HTTP {status}: no Prometheus envelope (status success or error)")
    if envelope["status"] == "error":
        error_type, error = str(envelope.get("errorType") or "error"), str(envelope.get("error") or "")
        reason = "timeout" if error_type == "timeout" else "bad_data"
        raise PrometheusError(reason, f"{error_type}: {error[:300]}")
    data = envelope.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("resultType"), str) or "result" not in data:
        raise PrometheusError("malformed", "data.resultType and data.result are missing")
    return data


def _point(raw: Any, where: str) -> tuple[dt.datetime, float]:
    if not isinstance(raw, list) or len(raw) != 2 or not isinstance(raw[0], int | float) or isinstance(raw[0], bool):
        raise PrometheusError("malformed", f"{where} must be [unix time, \"value\"]")
    if not isinstance(raw[1], str):
        raise PrometheusError("malformed", f"{where}: the value must be a string")
    return dt.datetime.fromtimestamp(raw[0], dt.UTC), _value(raw[1], where)


def _value(text: str, where: str) -> float:
    """Prometheus' spellings of special values, then plain numbers; nothing else."""
    special = {"NaN": math.nan, "+Inf": math.inf, "Inf": math.inf, "-Inf": -math.inf}
    if text in special:
        return special[text]
    try:
        return float(text)
    except ValueError:
        raise PrometheusError("malformed", f"{where}: {text[:40]!r} is not a number") from None


def _labels(item: dict[str, Any], where: str) -> dict[str, str]:
    metric = item.get("metric", {})
    if not isinstance(metric, dict):
        raise PrometheusError("malformed", f"{where}.metric must be an object")
    return {str(k): str(v) for k, v in metric.items()}


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise PrometheusError("malformed", f"{where} must be an array")
    return raw


def _dict(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise PrometheusError("malformed", f"{where} must be an object")
    return raw


def _unix(at: dt.datetime) -> str:
    """Seconds since the epoch; a naive datetime is taken as UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return f"{at.timestamp():.3f}"
