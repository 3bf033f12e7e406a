"""Dependency files parsed with packaging (every supported format) and the dependency rules."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet

from mldebt.scan import depfiles
from mldebt.scan.dependencies import check, compatible, end_of_support
from mldebt.scan.depfiles import Dependency, parse


def deps_of(tmp_path: Path, rel: str, text: str) -> list[tuple[str, int | None, str]]:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    found, errors = parse(tmp_path, rel, path.read_text())
    assert errors == []
    return [(d.name, d.line, str(d.specifier)) for d in found]


def test_requirements_with_includes_continuations_markers_and_wildcards(tmp_path):
    (tmp_path / "base.txt").write_text("Scikit_Learn==1.4.*\n")
    assert deps_of(tmp_path, "requirements.txt", """\
        # comment
        -r base.txt
        --index-url https://example.org/simple
        numpy>=1.26,\\
            <2.0  # trailing comment
        torch==2.1.0 ; python_version >= "3.10"
        -e .
        git+https://example.org/x.git#egg=x
        pandas
        """) == [("scikit-learn", 1, "==1.4.*"), ("numpy", 4, "<2.0,>=1.26"), ("torch", 6, "==2.1.0"),
                 ("pandas", 9, "")]


def test_pyproject_pep621_and_poetry(tmp_path):
    assert deps_of(tmp_path, "pyproject.toml", """\
        [project]
        name = "x"
        dependencies = ["numpy>=1.26", "Pandas==2.2.2"]
        [project.optional-dependencies]
        ml = ["torch>=2.1"]
        [tool.poetry.dependencies]
        python = "^3.11"
        scipy = "^1.11.2"
        lightgbm = {version = "~4.1", optional = true}
        xgboost = "2.0.3"
        shap = "*"
        """) == [("numpy", 3, ">=1.26"), ("pandas", 3, "==2.2.2"), ("torch", 5, ">=2.1"),
                 ("scipy", 8, "<2,>=1.11.2"), ("lightgbm", 9, "<4.2,>=4.1"), ("xgboost", 10, "==2.0.3"),
                 ("shap", 11, "")]


def test_setup_py_is_read_from_the_ast_never_executed(tmp_path):
    assert deps_of(tmp_path, "setup.py", """\
        import sys
        sys.exit("executed!")
        from setuptools import setup
        BASE = ["numpy>=1.26"]
        setup(install_requires=BASE + [], extras_require={"gpu": ["cupy==13.0"]},
              tests_require=["pytest"])
        """) == [("cupy", 5, "==13.0"), ("pytest", 6, "")]
    assert deps_of(tmp_path, "a/setup.py", """\
        from setuptools import setup
        REQS = ["numpy>=1.26", "scipy"]
        setup(install_requires=REQS)
        """) == [("numpy", 2, ">=1.26"), ("scipy", 2, "")]


def test_setup_cfg_pipfile_and_conda(tmp_path):
    assert deps_of(tmp_path, "setup.cfg", """\
        [options]
        install_requires =
            numpy>=1.26
            requests
        [options.extras_require]
        ml = torch==2.1.0
        """) == [("numpy", 3, ">=1.26"), ("requests", 4, ""), ("torch", 6, "==2.1.0")]
    assert deps_of(tmp_path, "Pipfile", """\
        [packages]
        numpy = "==1.26.4"
        requests = "*"
        torch = {version = ">=2.1", index = "pytorch"}
        [dev-packages]
        pytest = "*"
        """) == [("numpy", 2, "==1.26.4"), ("requests", 3, ""), ("torch", 4, ">=2.1"), ("pytest", 6, "")]
    assert deps_of(tmp_path, "environment.yml", """\
        name: train
        channels: [conda-forge]
        dependencies:
          - python=3.11
          - numpy=1.26
          - conda-forge::scipy=1.11.4=py311h
          - pandas>=2.1
          - pip
          - pip:
            - torch==2.1.0
        """) == [("numpy", 5, "==1.26.*"), ("scipy", 6, "==1.11.4"), ("pandas", 7, ">=2.1"), ("torch", 10, "==2.1.0")]


def test_other_conda_yaml_is_recognised_by_content(tmp_path):
    assert deps_of(tmp_path, "ci/gpu.yaml", """\
        channels: [pytorch, conda-forge]
        dependencies:
          - pytorch=2.1
        """) == [("pytorch", 3, "==2.1.*")]
    assert depfiles.looks_like_conda("ci/gpu.yaml", "channels: []\ndependencies: []\n")
    assert not depfiles.looks_like_conda("k8s/deploy.yaml", "kind: Deployment\ndependencies: []\n")


def test_unreadable_dependency_file_is_an_error_string(tmp_path):
    found, errors = parse(tmp_path, "pyproject.toml", "[project\n")
    assert found == [] and len(errors) == 1 and errors[0].startswith("pyproject.toml: cannot read dependencies")


@pytest.mark.parametrize(("a", "b", "ok"), [
    ("==1.26.4", "==1.26.4", True), ("==1.26.4", "==1.24.0", False), (">=1.20", "==1.26.4", True),
    ("==1.21.*", "==1.21.2", True), (">1.0", "<2.0", True), (">=2.0", "<2.0", False), ("", "==1.0", True),
    ("<1.0", ">=1.0", False), ("~=1.4", "==1.5.0", True), ("~=1.4.0", "==1.5.0", False),
])
def test_compatibility_of_two_constraints(a, b, ok):
    assert compatible(SpecifierSet(a), SpecifierSet(b)) is ok


def dep(name: str, spec: str, file: str = "r.txt", marker: str | None = None) -> Dependency:
    return Dependency(file, 1, name, f"{name}{spec}", SpecifierSet(spec), marker)


@pytest.mark.parametrize(("name", "spec", "eol"), [
    ("numpy", "==1.24.4", "numpy 1.24 left support on 2024-12-17"),
    ("numpy", "==2.2.1", None), ("numpy", ">=1.20", None), ("numpy", "<1.25", "numpy 1.24 left support on 2024-12-17"),
    ("numpy", "<2.0", "numpy 1.26 left support on 2025-09-15"), ("numpy", "==3.1.0", None),
    ("scikit-learn", "~=1.2", None), ("pandas", "==2.2.*", "pandas 2.2 left support on 2026-01-18"),
    ("tensorflow", "==1.15.5", "TensorFlow 1.x reached end of support"), ("tensorflow", ">=2.15", None),
    ("requests", "==2.0.0", None),
])
def test_end_of_support_table(name, spec, eol):
    found = end_of_support(dep(name, spec), dt.date(2026, 11, 25))
    assert (found is None) if eol is None else (found is not None and found.startswith(eol))


def test_scikit_learn_compatible_release_bound():
    assert end_of_support(dep("scikit-learn", "~=1.2"), dt.date(2026, 11, 25)) is None
    assert end_of_support(dep("scikit-learn", "~=1.2.0"), dt.date(2026, 11, 25)).startswith(
        "scikit-learn 1.2 left support on 2024-12-07")


def test_conflict_needs_two_files_and_same_markers():
    rules = {h.rule_id for h in check([dep("numpy", "==1.0", "a.txt"), dep("numpy", "==2.0", "a.txt")],
                                      lambda f: False, dt.date(2026, 1, 1))}
    assert "MLD101" not in rules
    hits = check([dep("numpy", "==1.0", "a.txt", 'python_version < "3.9"'), dep("numpy", "==2.0", "b.txt")],
                 lambda f: False, dt.date(2026, 1, 1))
    assert "MLD101" not in {h.rule_id for h in hits}


def test_lock_file_names():
    assert all(depfiles.is_lock_file(n) for n in ("poetry.lock", "a/uv.lock", "Pipfile.lock", "conda-lock.yml"))
    assert not depfiles.is_lock_file("requirements.txt")
    assert depfiles.is_dependency_file("requirements/prod.txt") and depfiles.is_dependency_file("dev-requirements.in")
    assert not depfiles.is_dependency_file("docs/readme.txt")
