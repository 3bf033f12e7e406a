"""Dependency files to `Dependency` records: requirements, pyproject (PEP 621, Poetry), setup.py,
setup.cfg, Pipfile and conda environment YAMLs.

Names are normalised per PEP 503 and versions parsed with `packaging`; setup.py is read from its AST
and never executed. Each record keeps the line it came from so findings point at it. A file that
does not parse yields an error string, never an exception.
"""

from __future__ import annotations

import ast
import configparser
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

REQUIREMENTS = re.compile(r"(^|/)([^/]*requirements[^/]*|constraints[^/]*)\.(txt|in)$|(^|/)requirements/[^/]+\.txt$")
CONDA = re.compile(r"(^|/)(environment|conda|env)[^/]*\.ya?ml$")
LOCK_FILES = re.compile(r"(^|/)(poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock|conda-lock\.ya?ml|[^/]*\.lock)$")
SKIP_NAMES = {"python", "pip"}


@dataclass(frozen=True)
class Dependency:
    file: str
    line: int | None
    name: str
    raw: str
    specifier: SpecifierSet
    marker: str | None = None


def is_dependency_file(rel: str) -> bool:
    name = PurePosixPath(rel).name
    return (name in ("pyproject.toml", "setup.py", "setup.cfg", "Pipfile") or bool(REQUIREMENTS.search(rel))
            or bool(CONDA.search(rel)))


def is_lock_file(rel: str) -> bool:
    return bool(LOCK_FILES.search(rel))


def _line_of(lines: list[str], needle: str, start: int = 0) -> int | None:
    for index in range(start, len(lines)):
        if needle in lines[index]:
            return index + 1
    return None


def _make(file: str, line: int | None, text: str) -> Dependency | None:
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    name = canonicalize_name(req.name)
    if name in SKIP_NAMES or req.url:
        return None
    return Dependency(file, line, name, text.strip(), req.specifier, str(req.marker) if req.marker else None)


def looks_like_conda(rel: str, text: str) -> bool:
    """Any other YAML file that is a conda environment (top-level `channels:` and `dependencies:`)."""
    return rel.endswith((".yml", ".yaml")) and bool(re.search(r"(?m)^dependencies:", text)) \
        and bool(re.search(r"(?m)^channels:", text))


def parse(root: Path, rel: str, text: str) -> tuple[list[Dependency], list[str]]:
    """The dependencies a file declares, and problems reading it."""
    name = PurePosixPath(rel).name
    try:
        if name == "pyproject.toml":
            return _pyproject(rel, text), []
        if name == "Pipfile":
            return _pipfile(rel, text), []
        if name == "setup.py":
            return _setup_py(rel, text), []
        if name == "setup.cfg":
            return _setup_cfg(rel, text), []
        if CONDA.search(rel) or looks_like_conda(rel, text):
            return _conda(rel, text), []
        return _requirements(root, rel, text, set()), []
    except (tomllib.TOMLDecodeError, configparser.Error, YAMLError, SyntaxError, ValueError) as exc:
        return [], [f"{rel}: cannot read dependencies: {type(exc).__name__}: {str(exc).splitlines()[0][:150]}"]


def _requirements(root: Path, rel: str, text: str, seen: set[str]) -> list[Dependency]:
    seen.add(rel)
    deps: list[Dependency] = []
    logical = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if not logical:
            start = number
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        line, logical = (logical + line).strip(), ""
        if not line:
            continue
        include = re.match(r"^(-r|--requirement|-c|--constraint)\s*=?\s*(\S+)", line)
        if include:
            target = (PurePosixPath(rel).parent / include.group(2)).as_posix()
            path = (root / target).resolve()
            if target not in seen and path.is_file() and path.is_relative_to(root.resolve()):
                deps += _requirements(root, target, path.read_text(encoding="utf-8", errors="replace"), seen)
            continue
        if line.startswith("-"):
            continue
        dep = _make(rel, start, line.split(" --")[0])
        if dep:
            deps.append(dep)
    return deps


def _poetry_spec(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("version")
    if not isinstance(value, str):
        return None
    specs = []
    for part in value.split(","):
        part = part.strip()
        if part in ("", "*"):
            continue
        if part[0] in "^~" and not part.startswith("~="):
            base = part[1:].strip()
            nums = [int(n) for n in re.findall(r"\d+", base)[:3]] or [0]
            if part[0] == "^":
                index = next((i for i, n in enumerate(nums) if n != 0), len(nums) - 1)
            else:
                index = min(1, len(nums) - 1) if len(nums) > 1 else 0
            upper = [*nums[:index], nums[index] + 1]
            specs.append(f">={base},<{'.'.join(map(str, upper))}")
        elif part[0].isdigit():
            specs.append(f"=={part}")
        else:
            specs.append(part)
    return ",".join(specs)


def _table_deps(rel: str, lines: list[str], table: dict[str, Any]) -> list[Dependency]:
    deps = []
    for name, value in table.items():
        spec = _poetry_spec(value)
        if spec is None:
            continue
        line = next((i + 1 for i, text in enumerate(lines)
                     if re.match(rf"\s*['\"]?{re.escape(name)}['\"]?\s*=", text)), None)
        dep = _make(rel, line, f"{name}{spec}" if spec else name)
        if dep:
            deps.append(dep)
    return deps


def _string_deps(rel: str, lines: list[str], items: Any) -> list[Dependency]:
    deps = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            dep = _make(rel, _line_of(lines, item), item)
            if dep:
                deps.append(dep)
    return deps


def _pyproject(rel: str, text: str) -> list[Dependency]:
    data = tomllib.loads(text)
    lines = text.splitlines()
    project = data.get("project", {})
    deps = _string_deps(rel, lines, project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        deps += _string_deps(rel, lines, extra)
    for group in data.get("dependency-groups", {}).values():
        deps += _string_deps(rel, lines, group)
    poetry = data.get("tool", {}).get("poetry", {})
    deps += _table_deps(rel, lines, poetry.get("dependencies", {}))
    deps += _table_deps(rel, lines, poetry.get("dev-dependencies", {}))
    for group in poetry.get("group", {}).values():
        deps += _table_deps(rel, lines, group.get("dependencies", {}))
    return deps


def _pipfile(rel: str, text: str) -> list[Dependency]:
    data = tomllib.loads(text)
    lines = text.splitlines()
    deps = []
    for section in ("packages", "dev-packages"):
        for name, value in data.get(section, {}).items():
            spec = value.get("version", "*") if isinstance(value, dict) else value
            if not isinstance(spec, str):
                continue
            line = next((i + 1 for i, t in enumerate(lines) if re.match(rf"\s*['\"]?{re.escape(name)}['\"]?\s*=", t)),
                        None)
            dep = _make(rel, line, name if spec.strip() == "*" else f"{name}{spec}")
            if dep:
                deps.append(dep)
    return deps


def _literal_strings(node: ast.AST, assigned: Mapping[str, ast.AST]) -> list[ast.Constant]:
    if isinstance(node, ast.Name) and node.id in assigned:
        node = assigned[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        return [e for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if isinstance(node, ast.Dict):
        return [c for v in node.values for c in _literal_strings(v, assigned)]
    return []


def _setup_py(rel: str, text: str) -> list[Dependency]:
    tree = ast.parse(text)
    assigned = {t.id: n.value for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)}
    deps = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "setup":
            for keyword in node.keywords:
                if keyword.arg in ("install_requires", "extras_require", "tests_require"):
                    for const in _literal_strings(keyword.value, assigned):
                        dep = _make(rel, const.lineno, str(const.value))  # a str: _literal_strings keeps only those
                        if dep:
                            deps.append(dep)
    return deps


def _setup_cfg(rel: str, text: str) -> list[Dependency]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    lines = text.splitlines()
    values = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values += [v for _, v in parser.items("options.extras_require")]
    deps = []
    for value in values:
        for item in value.splitlines():
            item = item.split("#")[0].strip()
            if item:
                dep = _make(rel, _line_of(lines, item), item)
                if dep:
                    deps.append(dep)
    return deps


def _conda_spec(text: str) -> str:
    text = text.split("::")[-1].strip()
    if re.search(r"[<>!~]|==", text):
        return text.replace(" ", "")
    match = re.match(r"^([A-Za-z0-9_.-]+)\s*[= ]\s*([^=\s]+)(?:[= ].*)?$", text)
    if not match:
        return text
    name, version = match.groups()
    version = version if "*" in version or version.count(".") >= 2 else f"{version}.*"
    return f"{name}=={version}"


def _conda(rel: str, text: str) -> list[Dependency]:
    data = YAML(typ="rt").load(text)
    if not isinstance(data, dict) or not isinstance(data.get("dependencies"), list):
        return []
    deps = []
    items = data["dependencies"]
    for index, item in enumerate(items):
        line = items.lc.item(index)[0] + 1
        if isinstance(item, str):
            dep = _make(rel, line, _conda_spec(item))
            if dep:
                deps.append(dep)
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            pip = item["pip"]
            for j, entry in enumerate(pip):
                if isinstance(entry, str):
                    dep = _make(rel, pip.lc.item(j)[0] + 1, entry)
                    if dep:
                        deps.append(dep)
    return deps
