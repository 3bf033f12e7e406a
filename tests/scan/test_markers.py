"""Debt markers: in comments and docstrings, never in strings that are values."""

from __future__ import annotations

import textwrap

from mldebt.scan import markers
from mldebt.scan.analysis import analyze
from mldebt.scan.source import SourceFile

MODULE = '''\
"""Module docstring.

TODO: split this module
"""

import os

PLACEHOLDER = 'XXX'
REASON = "TODO"
lower = 'xxx'
label = f"""
FIXME {os.sep}
"""
QUERY = """
SELECT 1
# TODO: not a comment, part of the SQL
"""
MESSAGE = ("first part "
           # XXX: a real comment between two parts
           "second part")


class Loader:
    """Reads files.

    - XXX: the parser ignores BOMs
    """

    def load(self):
        """Load one file.

        FIXME(ana): retries are missing
        Weights from XXX not used in YYY.
        """
        return "# FIXME in a string"


def guide():
    """TODO / FIXME / HACK / XXX are the markers this scanner reads."""
    return REASON, PLACEHOLDER, lower, label, QUERY, MESSAGE


def compiled():
    r"""HACK: cache the compiled pattern \\d+"""
'''


def marker_hits(tmp_path, code: str) -> list[tuple[str, int | None, str]]:
    (tmp_path / "mod.py").write_text(code)
    return [(h.rule_id, h.line, h.message) for h in analyze(tmp_path, "mod.py", 5_000_000).hits
            if h.rule_id in ("MLD301", "MLD302")]


def test_markers_in_module_class_and_function_docstrings_are_found_on_their_own_line(tmp_path):
    assert marker_hits(tmp_path, MODULE) == [
        ("MLD301", 3, "TODO: split this module"),
        ("MLD301", 19, "XXX: a real comment between two parts"),
        ("MLD301", 26, "XXX: the parser ignores BOMs"),
        ("MLD301", 32, "FIXME: ana): retries are missing"),
        ("MLD302", 44, "HACK: cache the compiled pattern \\d+"),
    ]


def test_strings_used_as_values_and_prose_placeholders_are_not_markers(tmp_path):
    code = textwrap.dedent('''\
        """Weights from XXX not used in YYY: the layer XXX is unused."""
        PLACEHOLDER = "XXX"
        REASON = 'TODO'
        TEMPLATE = """
        # TODO: a line of the template
        """
        name = f"""
        FIXME {PLACEHOLDER}
        """
        ''')
    assert marker_hits(tmp_path, code) == []


def test_a_marker_in_a_one_line_docstring_and_in_a_comment_on_the_same_line_counts_once(tmp_path):
    code = 'def f():\n    """TODO: document f"""  # TODO: and test it\n    return 1\n'
    assert marker_hits(tmp_path, code) == [("MLD301", 2, "TODO: and test it")]


def test_a_file_that_does_not_parse_still_reports_its_comment_markers(tmp_path):
    src = SourceFile(tmp_path, "broken.py", 'def broken(:\n    """TODO: docstring"""\n    x = 1  # FIXME: real\n')
    assert [(h.rule_id, h.line) for h in markers.check(src)] == [("MLD301", 3)]
