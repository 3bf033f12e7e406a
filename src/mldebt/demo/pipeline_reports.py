"""The AI pipelines' CI reports for the demo: JUnit results and Cobertura coverage, two quarters of them.

`examples/storefront/reports/<component>/<YYYY-MM-DD>/{junit,coverage}.xml` is laid out like CI
artifacts (written by `scripts/make-storefront-reports`): the folder names the component the report
is about and the day its nightly job ran. They are recorded through `service.test_reports` exactly as
`mldebt ingest junit|coverage --component C` would (coverage restricted to the component's paths,
so shared helpers do not count as its retraining code), dated at 02:00 UTC of that day, so the
pass-rate and coverage KPIs have a value per quarter. Reports dated after `as_of` are left out;
recording them again changes nothing (the store keeps one row per file content and component).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mldebt.service.catalog import require_catalog
from mldebt.service.test_reports import RecordedReport, record_coverage, record_junit
from mldebt.store.database import Store

REPORTS_DIR = "reports"
RUN_TIME = dt.time(2, 0, tzinfo=dt.UTC)


def record_demo_reports(store: Store, scenario: Path, as_of: dt.date) -> list[RecordedReport]:
    recorded = []
    catalog_file = scenario / "mldebt.yaml"
    catalog = require_catalog(catalog_file)
    for folder in sorted((scenario / REPORTS_DIR).glob("*/*")):
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if day > as_of:
            continue
        component, ran_at = folder.parent.name, dt.datetime.combine(day, RUN_TIME)
        if (folder / "junit.xml").is_file():
            recorded.append(record_junit(store, folder / "junit.xml", component, now=ran_at))
        if (folder / "coverage.xml").is_file():
            recorded.append(record_coverage(store, folder / "coverage.xml", component, catalog_file, now=ran_at,
                                            catalog=catalog))
    return recorded
