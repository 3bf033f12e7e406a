"""Dependency rules over every dependency file of the tree (parsed by `depfiles`).

A conflict is reported only when two files' constraints cannot both hold (no version satisfies
both), not merely when they are written differently: `numpy>=1.20` in a library and `numpy==1.26.4`
in a service agree. Unpinned requirements and missing lock files matter only for deployable code
(production services, models and pipelines of the inventory; requirements files without one).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from mldebt.scan.depfiles import Dependency
from mldebt.scan.source import Hit
from mldebt.scan.tables import RELEASES, RETIRED_MAJORS, SUPPORT_WINDOW_DAYS

PINNING_OPERATORS = {"==", "===", "~=", "<", "<="}
PYTHON2 = re.compile(r"python_(?:full_)?version\s*(?:<|<=|==)\s*['\"]2|python_version\s*<\s*['\"]3['\"]")


def _version(text: str) -> Version | None:
    try:
        return Version(text.replace(".*", ""))
    except InvalidVersion:
        return None


def _candidates(specs: Iterable[SpecifierSet]) -> set[Version]:
    found: set[Version] = set()
    for spec_set in specs:
        for spec in spec_set:
            version = _version(spec.version)
            if version is not None:
                found |= {version, Version(f"{version.base_version}.0.0.1")}
    return found


def compatible(a: SpecifierSet, b: SpecifierSet) -> bool:
    """Whether some version satisfies both (checked on the versions the two mention, and just above)."""
    if not str(a) or not str(b):
        return True
    return any(a.contains(v, prereleases=True) and b.contains(v, prereleases=True) for v in _candidates((a, b)))


def conflicts(deps: list[Dependency]) -> list[Hit]:
    by_name: dict[str, list[Dependency]] = defaultdict(list)
    for dep in deps:
        if str(dep.specifier):
            by_name[dep.name].append(dep)
    hits = []
    for name, group in sorted(by_name.items()):
        group.sort(key=lambda d: (d.file, d.line or 0))
        clash = any(a.file != b.file and a.marker == b.marker and not compatible(a.specifier, b.specifier)
                    for i, a in enumerate(group) for b in group[i + 1:])
        if not clash:
            continue
        listing = [f"{d.file}: {d.specifier}" for d in group]
        first = group[0]
        hits.append(Hit("MLD101", first.file, first.line,
                        f"{name} is constrained to incompatible versions: " + "; ".join(listing),
                        {"package": name, "constraints": listing}, key=name))
    return hits


def _unbounded(spec: SpecifierSet) -> bool:
    return not any(s.operator in PINNING_OPERATORS for s in spec)


def _max_allowed(spec: SpecifierSet) -> tuple[Version, bool] | None:
    """The highest version allowed, and whether that bound is exclusive (`<X`)."""
    pins = [s for s in spec if s.operator in ("==", "===")]
    if pins:
        version = _version(pins[0].version)
        return (version, False) if version else None
    uppers = [(s, v) for s in spec if s.operator in ("<", "<=", "~=") if (v := _version(s.version)) is not None]
    if not uppers:
        return None
    spec_, version = min(uppers, key=lambda item: item[1])
    if spec_.operator == "~=":
        release = version.release[:-1] if len(version.release) > 1 else version.release
        return Version(".".join(map(str, (*release[:-1], release[-1] + 1)))), True
    return version, spec_.operator == "<"


def end_of_support(dep: Dependency, as_of: dt.date) -> str | None:
    bound = _max_allowed(dep.specifier)
    if bound is None:
        return None
    version, exclusive = bound
    if dep.name in RETIRED_MAJORS:
        major, reason = RETIRED_MAJORS[dep.name]
        if version < Version(major) or (exclusive and version == Version(major)):
            return reason
    releases = RELEASES.get(dep.name)
    if not releases:
        return None
    series = [(Version(s), date) for s, date in releases]
    allowed = [(v, date) for v, date in series if v < version or (v <= version and not exclusive)]
    if not allowed or version > Version(f"{series[-1][0]}.9999"):
        return None
    newest, released = allowed[-1]
    if version.release[:2] > newest.release[:2] and not exclusive:
        return None  # a newer series than the table knows
    ends = released + dt.timedelta(days=SUPPORT_WINDOW_DAYS)
    if ends < as_of:
        return f"{dep.name} {newest} left support on {ends.isoformat()} (SPEC 0: 24 months after release)"
    return None


def _prerelease(spec: SpecifierSet) -> str | None:
    for s in spec:
        version = _version(s.version)
        if version is not None and version.is_prerelease and s.operator in ("==", "===", "~=", ">="):
            return str(s)
    return None


def check(deps: list[Dependency], deployable: Callable[[str], bool], as_of: dt.date) -> list[Hit]:
    unique = {(d.file, d.line, d.name, str(d.specifier)): d for d in deps}
    deps = list(unique.values())
    hits = conflicts(deps)
    for dep in deps:
        if deployable(dep.file) and _unbounded(dep.specifier):
            hits.append(Hit("MLD102", dep.file, dep.line, f"{dep.name} is not pinned or bounded "
                            f"({dep.specifier or 'any version'})", {"package": dep.name}))
        pre = _prerelease(dep.specifier)
        if pre:
            hits.append(Hit("MLD104", dep.file, dep.line, f"{dep.name} pinned to a pre-release ({pre})",
                            {"package": dep.name}))
        reason = end_of_support(dep, as_of)
        if reason:
            hits.append(Hit("MLD105", dep.file, dep.line, reason, {"package": dep.name}))
        if dep.marker and PYTHON2.search(dep.marker):
            hits.append(Hit("MLD106", dep.file, dep.line, f"{dep.name} has a Python 2 marker ({dep.marker})",
                            {"package": dep.name}))
    return hits


def missing_locks(services: dict[str, tuple[list[str], list[str]]], pinned_files: set[str]) -> list[Hit]:
    """MLD103 for each service (name -> (dependency files, lock files)) that has no lock file."""
    hits = []
    for component, (files, locks) in sorted(services.items()):
        if not files or locks or any(f in pinned_files for f in files):
            continue
        hits.append(Hit("MLD103", files[0], None, f"service {component} has dependency files but no lock file",
                        {"component": component, "files": files}, key=component))
    return hits


def fully_pinned(deps: list[Dependency]) -> set[str]:
    """Requirements files in which every requirement is an exact pin (pip-compile output)."""
    by_file: dict[str, list[Dependency]] = defaultdict(list)
    for dep in deps:
        by_file[dep.file].append(dep)
    return {f for f, ds in by_file.items()
            if ds and all(any(s.operator in ("==", "===") and "*" not in s.version for s in d.specifier) for d in ds)}

