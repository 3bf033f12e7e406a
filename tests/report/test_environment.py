"""Every Jinja2 environment in src/ escapes: the one factory, and no second environment beside it."""

import ast
from pathlib import Path

from mldebt.report.environment import template_environment

SRC = Path(__file__).resolve().parents[2] / "src" / "mldebt"
TEMPLATES = SRC / "report" / "templates"
JINJA_FACTORIES = {"Environment", "SandboxedEnvironment", "NativeEnvironment", "Template"}


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _unescaped_environments(path: Path) -> list[str]:
    """`file:line` of each Jinja2 environment or template built without a literal `autoescape=True`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call) and _callee(node) in JINJA_FACTORIES:
            autoescape = [k.value for k in node.keywords if k.arg == "autoescape"]
            if not (autoescape and isinstance(autoescape[0], ast.Constant) and autoescape[0].value is True):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
        name = getattr(node, "id", None) or getattr(node, "attr", None)
        if isinstance(node, ast.Name | ast.Attribute) and name in ("select_autoescape", "Markup"):
            found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_no_jinja2_environment_in_src_is_created_without_autoescape_true():
    offenders = [hit for path in sorted(SRC.rglob("*.py")) for hit in _unescaped_environments(path)]
    assert offenders == []


def test_the_one_environment_is_in_report_environment_and_escapes():
    builders = [str(path.relative_to(SRC)) for path in sorted(SRC.rglob("*.py"))
                if any(isinstance(n, ast.Call) and _callee(n) in JINJA_FACTORIES
                       for n in ast.walk(ast.parse(path.read_text("utf-8"))))]
    assert builders == ["report/environment.py"]
    env = template_environment()
    assert env.autoescape is True
    assert env.from_string("{{ v }}").render(v="<b onclick=x>'\"&") == "&lt;b onclick=x&gt;&#39;&#34;&amp;"


def test_no_template_marks_a_value_safe_or_turns_escaping_off():
    for template in sorted(TEMPLATES.rglob("*")):
        if template.is_file():
            text = template.read_text("utf-8")
            assert "|safe" not in text.replace(" ", "") and "autoescape false" not in text, template.name
            assert "<script" not in text, f"{template.name}: embed data with |tojson and test it"
