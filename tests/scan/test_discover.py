"""Which files a scan reads, and the warning (exit 2) when `.gitignore` leaves none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scan.conftest import git
from tests.support.cli import enter_tmp, run


@pytest.fixture
def ignored_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose .gitignore (line 2) ignores build/, which holds two files with debt."""
    enter_tmp(tmp_path, monkeypatch)
    root = tmp_path / "repo"
    (root / "build" / "pkg").mkdir(parents=True)
    (root / ".gitignore").write_text("*.log\nbuild/\n")
    (root / "build" / "pkg" / "job.py").write_text("x = 1  # TODO: retry on timeouts\n")
    (root / "build" / "notes.txt").write_text("notes\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_a_folder_that_gitignore_hides_is_a_warning_and_exit_2_not_a_clean_scan(capsys, ignored_build):
    folder = ignored_build / "build"
    code, out, err = run(capsys, "scan", str(folder), "--format", "json")
    assert code == 2
    assert err.strip().splitlines()[-1] == (
        f"warning: no file scanned: all 2 files under {folder.resolve()} are ignored by "
        f"{(ignored_build / '.gitignore').resolve()} (line 2: 'build/'); use --no-gitignore to scan them")
    assert json.loads(out)["runs"][0]["files"] == 0


def test_no_gitignore_scans_the_ignored_files(capsys, ignored_build):
    code, out, err = run(capsys, "scan", str(ignored_build / "build"), "--no-gitignore", "--no-store",
                         "--format", "json")
    assert code == 0 and "warning" not in err
    run_ = json.loads(out)["runs"][0]
    assert (run_["files"], run_["nothing_scanned"]) == (2, None)
    assert [(f["rule_id"], f["file"], f["line"], f["message"]) for f in run_["findings"]] == [
        ("MLD301", "pkg/job.py", 1, "TODO: retry on timeouts")]


def test_an_empty_folder_says_so_and_exits_2(capsys, tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "scan", str(tmp_path / "empty"), "--no-store")
    assert code == 2
    assert err.strip().splitlines()[-1] == f"warning: no file scanned: no file under {(tmp_path / 'empty').resolve()}"


def test_one_empty_path_among_scanned_ones_warns_but_does_not_fail(capsys, ignored_build):
    (ignored_build / "src").mkdir()
    (ignored_build / "src" / "app.py").write_text("y = 2\n")
    code, _, err = run(capsys, "scan", str(ignored_build / "src"), str(ignored_build / "build"), "--no-store")
    assert code == 0
    assert "warning: no file scanned: all 2 files under" in err


def test_a_scan_that_read_nothing_is_not_stored_so_no_finding_is_marked_fixed(capsys, ignored_build):
    folder = ignored_build / "build"
    code, _, _ = run(capsys, "scan", str(folder), "--no-gitignore", "--format", "json")
    assert code == 0
    code, _, _ = run(capsys, "scan", str(folder), "--format", "json")
    assert code == 2
    code, out, _ = run(capsys, "scan", str(folder), "--no-gitignore", "--format", "json")
    assert code == 0
    assert json.loads(out)["runs"][0]["stored"] == {"new": 0, "reopened": 0, "fixed": 0}
