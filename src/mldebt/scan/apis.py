"""API-level smells: deprecated ML APIs, unsafe model loading, retired BigCommerce endpoints.

Deprecated names come from the shipped table in `tables.py`, matched on names resolved through the
file's imports, so `import tensorflow as tf; tf.Session()` and `from tensorflow import Session`
both fire, and a project's own `Session` class does not.
"""

from __future__ import annotations

import ast
import re

from mldebt.scan.source import Hit, ImportMap, SourceFile, dotted_name
from mldebt.scan.tables import (
    BIGCOMMERCE_V2_REPLACEMENTS,
    DEPRECATED_INDEXERS,
    DEPRECATED_METHODS,
    DEPRECATED_NAMES,
)

PICKLE_LOADERS = {"pickle.load", "pickle.loads", "_pickle.load", "cPickle.load", "dill.load", "dill.loads",
                  "cloudpickle.load", "pandas.read_pickle"}
DOWNLOAD = re.compile(r"download|urlretrieve|urlopen|requests\.get|httpx\.get|boto3|blob|s3", re.I)
DATAFRAME_NAME = re.compile(r"^(df|df_.*|.*_df|.*frame.*)$", re.I)
BIGCOMMERCE_CONTEXT = re.compile(r"bigcommerce|x-auth-token|/stores/", re.I)
BIGCOMMERCE_V2 = re.compile(r"/v2/(" + "|".join(re.escape(k) for k in
                                               sorted(BIGCOMMERCE_V2_REPLACEMENTS, key=len, reverse=True)) + r")\b")


def _deprecated(qname: str | None) -> tuple[str, str] | None:
    if not qname:
        return None
    parts = qname.split(".")
    for end in range(2, len(parts) + 1):
        key = ".".join(parts[:end])
        if key in DEPRECATED_NAMES:
            return key, DEPRECATED_NAMES[key]
    return None


def check(src: SourceFile, imports: ImportMap) -> list[Hit]:
    tree = src.tree
    if tree is None:
        return []
    hits = _deprecated_apis(src, tree, imports)
    if not src.is_test:
        hits += _unsafe_loading(src, tree, imports)
    hits += _bigcommerce(src, tree)
    return hits


def _deprecated_hit(src: SourceFile, line: int, api: str, replacement: str) -> Hit:
    return src.hit("MLD404", line, f"deprecated API {api}: use {replacement}", api=api, replacement=replacement)


def _deprecated_apis(src: SourceFile, tree: ast.Module, imports: ImportMap) -> list[Hit]:
    hits: list[Hit] = []
    attributes = src.nodes(ast.Attribute)
    inner = {id(n.value) for n in attributes}
    frames = {t.id for n in src.nodes(ast.Assign) if isinstance(n.value, ast.Call)
              and (imports.resolve(n.value.func) or "").startswith("pandas.")
              for t in n.targets if isinstance(t, ast.Name)}
    for node in src.nodes(ast.Import, ast.ImportFrom, ast.Attribute, ast.Call, ast.Subscript):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = _deprecated(alias.name)
                if found:
                    hits.append(_deprecated_hit(src, node.lineno, *found))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                found = _deprecated(f"{node.module}.{alias.name}")
                if found:
                    hits.append(_deprecated_hit(src, node.lineno, *found))
                    break
        elif isinstance(node, ast.Attribute) and id(node) not in inner:
            found = _deprecated(imports.resolve(node))
            head = (dotted_name(node) or "").split(".")[0]
            if found and not isinstance(node.ctx, ast.Store) and not _deprecated(imports.aliases.get(head)):
                hits.append(_deprecated_hit(src, node.lineno, *found))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr = node.func.attr
            receiver = node.func.value
            if attr in DEPRECATED_METHODS:
                hits.append(_deprecated_hit(src, node.lineno, f".{attr}()", DEPRECATED_METHODS[attr]))
            elif attr == "append" and isinstance(receiver, ast.Name) and (
                    receiver.id in frames or DATAFRAME_NAME.match(receiver.id)):
                hits.append(_deprecated_hit(src, node.lineno, "DataFrame.append()",
                                            "pd.concat() (DataFrame.append was removed in pandas 2.0)"))
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr in DEPRECATED_INDEXERS:
            attr = node.value.attr
            hits.append(_deprecated_hit(src, node.lineno, f".{attr}[]", DEPRECATED_INDEXERS[attr]))
    # an Attribute already reported through its import line is reported once per line and API
    unique: dict[tuple[int | None, str], Hit] = {}
    for hit in hits:
        unique.setdefault((hit.line, hit.evidence["api"]), hit)
    return list(unique.values())


def _unsafe_loading(src: SourceFile, tree: ast.Module, imports: ImportMap) -> list[Hit]:
    hits: list[Hit] = []
    downloads: bool | None = None
    if "load" not in src.text and "read_pickle" not in src.text:
        return hits
    for node in src.nodes(ast.Call):
        qname = imports.resolve(node.func) or ""
        if qname in PICKLE_LOADERS:
            hits.append(src.hit("MLD405", node.lineno, f"{qname}() runs code from the file it loads", call=qname))
        elif qname == "torch.load":
            weights_only = next((k.value for k in node.keywords if k.arg == "weights_only"), None)
            if not (isinstance(weights_only, ast.Constant) and weights_only.value is True):
                hits.append(src.hit("MLD405", node.lineno, "torch.load() without weights_only=True", call=qname))
        elif qname == "numpy.load":
            allow = next((k.value for k in node.keywords if k.arg == "allow_pickle"), None)
            if isinstance(allow, ast.Constant) and allow.value is True:
                hits.append(src.hit("MLD405", node.lineno, "np.load(allow_pickle=True) unpickles", call=qname))
        elif qname.endswith("joblib.load"):
            if downloads is None:
                downloads = bool(DOWNLOAD.search(src.text))
            if downloads:
                hits.append(src.hit("MLD405", node.lineno, "joblib.load() of a downloaded file unpickles it",
                                    call=qname))
    return hits


def _bigcommerce(src: SourceFile, tree: ast.Module) -> list[Hit]:
    if not BIGCOMMERCE_CONTEXT.search(src.text):
        return []
    hits = []
    for node in src.nodes(ast.Constant):
        if isinstance(node.value, str):
            match = BIGCOMMERCE_V2.search(node.value)
            if match:
                endpoint = f"/v2/{match.group(1)}"
                replacement = BIGCOMMERCE_V2_REPLACEMENTS[match.group(1)]
                hits.append(src.hit("MLD407", node.lineno, f"BigCommerce {endpoint} is deprecated: use {replacement}",
                                    endpoint=endpoint, replacement=replacement))
    return hits
