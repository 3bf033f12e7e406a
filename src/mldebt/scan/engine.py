"""The scan of one tree: discover files, analyse each once (in a process pool when large), run the
cross-file rules, then turn hits into `Finding`s (component, severity, suppressions, fingerprints).

A fingerprint is built from the rule, the file and the normalised content of the offending line
plus an occurrence index among identical lines, never the line number, so it survives code moving
up or down; rules without a line (a package conflict, a model file) use a key such as the package.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from mldebt.domain.finding import UNASSIGNED, Finding
from mldebt.scan import artifacts, dead_code, dependencies, depfiles, hotspots, markers, tests
from mldebt.scan.analysis import FileResult, analyze_chunk, kind_of
from mldebt.scan.components import ComponentIndex
from mldebt.scan.config import ScanConfig
from mldebt.scan.discover import discover, ignored_by_git, tracked_files
from mldebt.scan.ml_test_score import score
from mldebt.scan.results import ScanResult, debt_totals, model_evidence
from mldebt.scan.rules import RULES
from mldebt.scan.source import Hit, SourceFile, normalise, suppressed_rules

SOURCE = "scan"
POOL_THRESHOLD = 400
BLAME_MAX_FILES = 16
CHUNK = 64
Progress = Callable[[int, int], None]


def _analyze_all(root: Path, rels: list[str], config: ScanConfig, progress: Progress | None,
                 complexity_for: set[str]) -> list[FileResult]:
    if len(rels) < POOL_THRESHOLD or config.workers <= 1:
        results = []
        for start in range(0, len(rels), CHUNK):
            results += analyze_chunk(str(root), rels[start:start + CHUNK], config.huge_file_bytes, complexity_for)
            if progress:
                progress(min(start + CHUNK, len(rels)), len(rels))
        return results
    chunks = [rels[i:i + CHUNK] for i in range(0, len(rels), CHUNK)]
    done = 0
    results = []
    context = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(config.workers, mp_context=context) as pool:
        for chunk_result in pool.map(analyze_chunk, [str(root)] * len(chunks), chunks,
                                     [config.huge_file_bytes] * len(chunks),
                                     [complexity_for & set(chunk) for chunk in chunks]):
            results += chunk_result
            done += len(chunk_result)
            if progress:
                progress(done, len(rels))
    return results


class _Lines:
    """Line texts for hits made outside the workers (read each file at most once)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, SourceFile] = {}

    def source(self, rel: str) -> SourceFile:
        if rel not in self.files:
            self.files[rel] = SourceFile(self.root, rel)
        return self.files[rel]

    def text(self, rel: str | None, line: int | None) -> str:
        return self.source(rel).line(line) if rel and line else ""


def scan_tree(root: Path, catalog: Any | None, config: ScanConfig, progress: Progress | None = None) -> ScanResult:
    """Scan `root` (a folder) with the inventory `catalog` (or None) and return every finding."""
    started = time.perf_counter()
    root = root.resolve()
    components = list(catalog.components) if catalog is not None else []
    prefix = hotspots.git_prefix(root)
    in_git = prefix is not None
    index = ComponentIndex(components, prefix or "")
    rels = discover(root, config.exclude, config.gitignore)
    analysed = [r for r in rels if kind_of(r)]
    background = ThreadPoolExecutor(1)
    dating = background.submit(_date_markers, root) if in_git else None
    changes: Counter[str] = hotspots.change_counts(root, config.since) if config.hotspots and in_git else Counter()
    candidates = {rel for rel, count in changes.items() if count > 1}
    results = _analyze_all(root, analysed, config, progress, candidates)
    lines = _Lines(root)
    hits: list[Hit] = [h for r in results for h in r.hits]
    facts = {r.rel: r.facts for r in results if r.facts is not None}
    python_files = [r.rel for r in results if r.kind == "python"]
    loc = {r.rel: r.lines for r in results if r.kind == "python"}

    hits += _dependency_hits(root, rels, index, config, lines)
    hits += _notebook_location_hits(rels, index)
    application = {rel for rel in python_files if index.component_for(rel) is not None}
    packages = {str(PurePosixPath(rel).parent) for rel in rels if rel.endswith("__init__.py")}
    hits += dead_code.check(facts, {rel: lines.source(rel) for rel in facts}, application, packages)
    imports_of = {rel: f.imported for rel, f in facts.items() if lines.source(rel).is_test}
    hits += tests.check(python_files, set().union(*imports_of.values()), index.name_for, index.has_components)
    test_counts = tests.ratios(python_files, index.name_for, imports_of)
    hits += tests.low_ratio(test_counts, tests.first_sources(python_files, index.name_for))
    committed = tracked_files(root)
    model_files = [r for r in rels if artifacts.is_model_file(r) and (committed is None or r in committed)]
    hits += artifacts.check(root, model_files, config.artifact_max_bytes, index.component_for)

    spots = hotspots.rank(changes, {r.rel: r.complexity for r in results}, config.hotspot_top)
    hits += hotspots.findings(spots)

    hits = [h for h in hits if h.rule_id not in config.disabled]
    ages = _ages(dating.result()) if dating is not None else {}
    background.shutdown()
    ranks = {spot.file: rank for rank, spot in enumerate(spots, start=1)}
    findings, suppressed = _to_findings(hits, index, config, lines, ages, changes, ranks)
    scores = [score(c.name, model_evidence(c, catalog, findings, python_files, index, test_counts, config.as_of),
                    config.answers.get(c.name)) for c in components if str(c.kind) == "model"]
    return ScanResult(
        root=root, findings=findings, suppressed=suppressed, files=len(rels), analysed=len(analysed),
        python_files=len(python_files), lines=sum(loc.values()), hotspots=spots, test_scores=scores,
        debt=debt_totals(findings, loc, index), seconds=time.perf_counter() - started,
        nothing_scanned=None if rels else _why_nothing(root, config, in_git),
    )


def _why_nothing(root: Path, config: ScanConfig, in_git: bool) -> str:
    """The reason a scan found no file, so that it is never mistaken for a clean tree."""
    ignored = ignored_by_git(root) if in_git and config.gitignore else None
    if ignored is not None:
        return ignored.reason(root)
    return f"no file under {root}" + (" outside scan.exclude" if config.exclude else "")


def _dependency_hits(root: Path, rels: list[str], index: ComponentIndex, config: ScanConfig,
                     lines: _Lines) -> list[Hit]:
    deps: list[depfiles.Dependency] = []
    hits: list[Hit] = []
    dep_files = [r for r in rels if depfiles.is_dependency_file(r)
                 or (r.endswith((".yml", ".yaml")) and (root / r).stat().st_size < 1_000_000
                     and depfiles.looks_like_conda(r, lines.source(r).text))]
    for rel in dep_files:
        src = lines.source(rel)
        found, errors = depfiles.parse(root, rel, src.text)
        deps += found
        hits += [Hit("MLD901", rel, None, error, {"reason": error}, key=rel) for error in errors]

    def deployable(rel: str) -> bool:
        component = index.component_for(rel)
        if component is None:
            return not index.has_components and rel.endswith((".txt", ".in", "Pipfile", ".yml", ".yaml")) \
                and "constraints" not in rel
        return str(component.kind) in ("service", "model", "pipeline") and str(component.lifecycle) == "production"

    hits += dependencies.check(deps, deployable, config.as_of)
    services: dict[str, tuple[list[str], list[str]]] = {}
    for component in index.components:
        if str(component.kind) == "service" and str(component.lifecycle) == "production":
            owned = [r for r in rels if index.name_for(r) == component.name]
            services[component.name] = ([r for r in owned if r in dep_files],
                                        [r for r in owned if depfiles.is_lock_file(r)])
    hits += dependencies.missing_locks(services, dependencies.fully_pinned(deps))
    return hits


def _notebook_location_hits(rels: list[str], index: ComponentIndex) -> list[Hit]:
    modules_in: dict[str, int] = defaultdict(int)
    for rel in rels:
        path = PurePosixPath(rel)
        if rel.endswith(".py") and path.name != "__init__.py" and not SourceFile(Path(), rel).is_test:
            modules_in[str(path.parent)] += 1
    hits = []
    for rel in rels:
        if not rel.endswith(".ipynb"):
            continue
        component = index.component_for(rel)
        if component is not None and str(component.lifecycle) == "production":
            hits.append(Hit("MLD201", rel, None, f"notebook inside production component {component.name}",
                            {"component": component.name}, key=rel))
        elif modules_in.get(str(PurePosixPath(rel).parent), 0):
            hits.append(Hit("MLD202", rel, None, "notebook beside package modules", {}, key=rel))
    return hits


def _ages(dates: dict[tuple[str, int], Any]) -> dict[tuple[str, int], float]:
    now = time.time()
    return {key: max(0.0, (now - when.timestamp()) / 86400) for key, when in dates.items()}


def _date_markers(root: Path) -> dict[tuple[str, int], Any]:
    """Runs in a background thread while the workers analyse: git grep, then blame or one history pass."""
    wanted = markers.marked_lines(root)
    return markers.marker_dates(root, wanted, BLAME_MAX_FILES) if wanted else {}


def _to_findings(hits: list[Hit], index: ComponentIndex, config: ScanConfig, lines: _Lines,
                 ages: dict[tuple[str, int], float], changes: Counter[str], ranks: dict[str, int]
                 ) -> tuple[list[Finding], Counter[str]]:
    findings: list[Finding] = []
    suppressed: Counter[str] = Counter()
    occurrences: Counter[tuple[str, str | None, str]] = Counter()
    hits.sort(key=lambda h: (h.file or "", h.line or 0, h.rule_id, h.message))
    for hit in hits:
        text = hit.line_text if hit.line_text is not None else lines.text(hit.file, hit.line)
        silenced = suppressed_rules(text) if text else None
        if silenced and ("*" in silenced or hit.rule_id in silenced):
            suppressed[hit.rule_id] += 1
            continue
        rule = RULES[hit.rule_id]
        component = (index.name_for(hit.file) if hit.file else None) or hit.evidence.get("component") or UNASSIGNED
        identity = hit.key or normalise(text)
        occurrences[(hit.rule_id, hit.file, identity)] += 1
        evidence = dict(hit.evidence)
        effort = rule.effort_minutes
        age = ages.get((hit.file or "", hit.line or 0))
        if age is not None:
            evidence["age_days"] = int(age)
            effort = round(effort * (1 + age / 365))
        if hit.file and changes.get(hit.file):
            evidence["changes"] = changes[hit.file]  # interest: how often this file is touched
        if hit.file in ranks and hit.rule_id != "MLD801":
            evidence["hotspot_rank"] = ranks[hit.file]
        findings.append(Finding.create(
            hit.rule_id, config.severities.get(hit.rule_id, rule.severity), component, hit.message,
            identity=(hit.file or "", identity, occurrences[(hit.rule_id, hit.file, identity)]),
            evidence=evidence, source=SOURCE, file=hit.file, line=hit.line, effort_minutes=effort,
        ))
    return findings, suppressed
