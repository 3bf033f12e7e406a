"""The rule registry: every rule the scanner can report, with its id, severity, rationale and effort.

One table, read by the scanner (severity and effort of a finding), by `mldebt rules` and by the
generator of `docs/rules.md`, so a rule cannot exist without documentation. Ids are stable: a
baseline or a suppression written today must still mean the same rule next year.
"""

from __future__ import annotations

from dataclasses import dataclass

from mldebt.domain.finding import Severity

FAMILIES = {
    "dependencies": "Dependencies",
    "notebooks": "Notebooks",
    "markers": "Markers",
    "smells": "ML code smells",
    "dead_code": "Dead experimental code paths",
    "artifacts": "Artifacts",
    "tests": "Tests",
    "hotspots": "Hotspots",
    "scanner": "Scanner",
}


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    family: str
    severity: Severity
    effort_minutes: int
    rationale: str
    remediation: str

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "family": self.family, "severity": str(self.severity),
                "effort_minutes": self.effort_minutes, "rationale": self.rationale, "remediation": self.remediation}


S = Severity
_RULES = (
    Rule("MLD101", "conflicting-pins", "dependencies", S.HIGH, 60,
         "The same package is constrained to incompatible versions in different dependency files of one tree: "
         "services that share code or data then behave differently (microservices with inconsistent versioning).",
         "Agree on one version range (a shared constraints file) and pin each service's lock file inside it."),
    Rule("MLD102", "unpinned-requirement", "dependencies", S.MEDIUM, 10,
         "A deployable component that accepts any future release of a dependency changes behaviour on rebuild.",
         "Pin the version (==) or bound it (<next major), and lock the full tree."),
    Rule("MLD103", "no-lock-file", "dependencies", S.MEDIUM, 30,
         "A service without a lock file cannot be rebuilt bit-for-bit; transitive upgrades slip in unseen.",
         "Commit a lock file (poetry.lock, uv.lock, Pipfile.lock, pip-compile output with == pins)."),
    Rule("MLD104", "prerelease-pin", "dependencies", S.MEDIUM, 20,
         "Alpha, beta and release-candidate builds are not supported and change without notice.",
         "Move to the final release."),
    Rule("MLD105", "end-of-support-framework", "dependencies", S.HIGH, 240,
         "The pinned ML framework is past its end of support (SPEC 0 / NEP 29 windows, TensorFlow 1.x): no "
         "security fixes, no wheels for new Pythons, and a growing gap to migrate.",
         "Upgrade to a supported release; read the framework's migration guide."),
    Rule("MLD106", "python2-marker", "dependencies", S.MEDIUM, 15,
         "Environment markers for Python 2 are dead configuration that hides which Pythons are really supported.",
         "Delete the Python 2 branches of the requirement."),
    Rule("MLD201", "notebook-in-production", "notebooks", S.HIGH, 120,
         "A notebook inside a production component's paths is untestable, unreviewable production code.",
         "Move the logic into modules with tests; keep notebooks for exploration and reports."),
    Rule("MLD202", "notebook-beside-modules", "notebooks", S.LOW, 30,
         "A notebook next to package modules tends to hold a diverging copy of their logic.",
         "Move it to a notebooks/ folder and import the package instead of copying code."),
    Rule("MLD203", "notebook-import", "notebooks", S.HIGH, 90,
         "Code that imports or %runs a notebook depends on hidden state and cell order.",
         "Extract the needed code into a module and import that."),
    Rule("MLD204", "notebook-secret-output", "notebooks", S.CRITICAL, 30,
         "A committed notebook output contains a credential: it is in the git history for good.",
         "Revoke the credential, clear the outputs, and strip outputs in a pre-commit hook."),
    Rule("MLD205", "notebook-huge-output", "notebooks", S.LOW, 15,
         "Huge committed outputs bloat the repository and make reviews impossible.",
         "Clear outputs before committing (nbstripout)."),
    Rule("MLD301", "marker", "markers", S.LOW, 15,
         "A TODO, FIXME, HACK or XXX is acknowledged debt; the older it is, the more interest it has cost.",
         "Do it, file it as an issue, or delete it."),
    Rule("MLD302", "hack-in-performance-code", "markers", S.HIGH, 60,
         "A HACK next to caching, batching or latency code usually hides a correctness trade-off under load.",
         "Replace the hack with a measured, tested implementation."),
    Rule("MLD401", "hard-coded-threshold", "smells", S.MEDIUM, 30,
         "A literal decision threshold on a score or probability does not move when the data or the model does "
         "(Sculley et al.: fixed thresholds in a changing world).",
         "Make the threshold configuration, versioned with the model and tuned on validation data."),
    Rule("MLD402", "unseeded-randomness", "smells", S.MEDIUM, 10,
         "Training that draws random numbers without a seed cannot be reproduced or debugged.",
         "Pass random_state / a seeded numpy Generator (np.random.default_rng(seed))."),
    Rule("MLD403", "preprocessing-leakage", "smells", S.HIGH, 45,
         "A scaler or encoder fitted on all data before the train/test split leaks test statistics into "
         "training: offline metrics look better than production.",
         "Split first, fit the preprocessing on the training part only (use a Pipeline)."),
    Rule("MLD404", "deprecated-api", "smells", S.MEDIUM, 30,
         "A deprecated or removed API of pandas, scikit-learn, TensorFlow/Keras or PyTorch breaks on upgrade.",
         "Use the replacement named in the finding."),
    Rule("MLD405", "unsafe-model-loading", "smells", S.HIGH, 30,
         "Unpickling a model runs arbitrary code from the file; a replaced artifact owns the server.",
         "Load weights only (torch.load(weights_only=True), safetensors, ONNX) and verify checksums."),
    Rule("MLD406", "hard-coded-credential", "smells", S.CRITICAL, 30,
         "A credential in source (API tokens, BigCommerce X-Auth-Token values, Sentry DSN secrets) leaks with "
         "every clone and cannot be rotated without a deploy.",
         "Revoke it and read it from the environment or a secret store."),
    Rule("MLD407", "deprecated-bigcommerce-endpoint", "smells", S.MEDIUM, 60,
         "A BigCommerce v2 endpoint that has a v3 replacement is frozen and will be retired: API-mismatch risk.",
         "Move the call to the v3 endpoint named in the finding."),
    Rule("MLD501", "unused-code", "dead_code", S.LOW, 15,
         "Unused functions and classes are dead experimental code paths that still have to be read and kept.",
         "Delete them (git keeps the history)."),
    Rule("MLD502", "unused-module", "dead_code", S.LOW, 30,
         "A module nothing imports and nothing runs is an abandoned experiment.",
         "Delete it or wire it in with a test."),
    Rule("MLD503", "experiment-flag-never-switched", "dead_code", S.MEDIUM, 30,
         "A feature or experiment flag that is set once and never switched keeps a dead branch alive.",
         "Remove the flag and the branch it disables."),
    Rule("MLD601", "large-model-file-in-git", "artifacts", S.MEDIUM, 60,
         "Model binaries committed to git bloat every clone and cannot be versioned with their metadata.",
         "Move them to a model registry or git LFS / DVC and reference them by version."),
    Rule("MLD602", "model-file-without-card", "artifacts", S.MEDIUM, 30,
         "A model file that no inventory entry with a model card and version describes is an undocumented model.",
         "Add the model to mldebt.yaml with a version and a model card."),
    Rule("MLD701", "untested-ml-module", "tests", S.MEDIUM, 120,
         "A training or serving module that no test imports can break silently on any change.",
         "Add a test that imports and exercises it on a tiny data set."),
    Rule("MLD702", "low-test-ratio", "tests", S.LOW, 240,
         "Few test files per source file in a component means most of its code is untested.",
         "Add tests for the most-changed modules first (see the hotspots)."),
    Rule("MLD801", "hotspot", "hotspots", S.INFO, 120,
         "Complex code that changes often is where debt costs the most interest (CodeScene's hotspots).",
         "Refactor the hotspot first: split it and cover it with tests."),
    Rule("MLD901", "unparsable-file", "scanner", S.INFO, 10,
         "A file the scanner could not read or parse (syntax error, binary, encoding, too large) is not checked.",
         "Fix the syntax error or exclude the file."),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}


def get_rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def rules_markdown() -> str:
    """`docs/rules.md`, generated from the registry (a test compares the checked-in file)."""
    lines = [
        "# Scanner rules",
        "",
        "<!-- Generated by `mldebt rules --format md > docs/rules.md`; do not edit by hand. -->",
        "",
        "`mldebt scan` reports these rules. Each has a stable id, a default severity and an estimated "
        "remediation effort (minutes) that the debt totals add up. Disable or re-rank them in `mldebt.yaml` "
        "(`scan:` section, see [scan.md](scan.md)); silence one line with `# mldebt: ignore[RULE]`.",
        "",
    ]
    for family, title in FAMILIES.items():
        lines += [f"## {title}", "", "| id | name | severity | effort (min) | why it is debt | remediation |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r.id} | {r.name} | {r.severity} | {r.effort_minutes} | {r.rationale} | {r.remediation} |"
                  for r in _RULES if r.family == family]
        lines.append("")
    return "\n".join(lines)
