"""JUnit XML test results (pytest --junitxml, Jenkins, GitLab): counts and the pass rate.

Counts come from the `<testcase>` elements (a `<failure>`, `<error>` or `<skipped>` child marks
each), which is what the file actually reports; the `tests=`/`failures=` attributes of the suites
are used only when a file has no test cases. Parsed with defusedxml: a CI artifact is untrusted input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring


class ReportError(ValueError):
    """The file is not a report of the expected kind; the message says why."""


@dataclass(frozen=True)
class JUnitReport:
    tests: int
    failures: int
    errors: int
    skipped: int
    seconds: float
    suites: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return self.tests - self.failures - self.errors - self.skipped

    @property
    def pass_rate(self) -> float | None:
        ran = self.tests - self.skipped
        return round(self.passed / ran, 6) if ran else None

    def to_dict(self) -> dict[str, Any]:
        return {"tests": self.tests, "passed": self.passed, "failures": self.failures, "errors": self.errors,
                "skipped": self.skipped, "pass_rate": self.pass_rate, "seconds": self.seconds,
                "suites": self.suites, "failed": self.failed}


def parse_xml(data: bytes, expected: tuple[str, ...]) -> Element:
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise ReportError(f"not well-formed XML: {exc}") from None
    if root.tag not in expected:
        raise ReportError(f"root element <{root.tag}> is not one of " + ", ".join(f"<{t}>" for t in expected))
    return root


def _int(value: str | None) -> int:
    try:
        return int(float(value or 0))
    except ValueError:
        return 0


def _float(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0


def parse_junit(data: bytes) -> JUnitReport:
    root = parse_xml(data, ("testsuites", "testsuite"))
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    cases = list(root.iter("testcase"))
    if not cases:
        return JUnitReport(sum(_int(s.get("tests")) for s in suites), sum(_int(s.get("failures")) for s in suites),
                           sum(_int(s.get("errors")) for s in suites), sum(_int(s.get("skipped")) for s in suites),
                           sum(_float(s.get("time")) for s in suites), [s.get("name", "") for s in suites])
    failures = errors = skipped = 0
    failed = []
    for case in cases:
        name = f"{case.get('classname', '')}::{case.get('name', '')}".strip(":")
        if case.find("failure") is not None:
            failures += 1
            failed.append(name)
        elif case.find("error") is not None:
            errors += 1
            failed.append(name)
        elif case.find("skipped") is not None:
            skipped += 1
    return JUnitReport(len(cases), failures, errors, skipped, round(sum(_float(c.get("time")) for c in cases), 6),
                       [s.get("name", "") for s in suites], failed[:100])
