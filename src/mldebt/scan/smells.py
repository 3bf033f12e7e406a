"""ML code smells from the AST (Sculley et al. 2015; dslinter): thresholds, unseeded randomness, leakage.

Each check reads the file's shared tree and its import map; names are resolved through imports
(`np.random.rand` is `numpy.random.rand`), so a local function that happens to be called `KFold`
does not fire. Test files are skipped: a literal in an assertion is an expectation, not a threshold.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mldebt.scan.source import Hit, ImportMap, SourceFile

SCORE_NAME = re.compile(r"score|prob|confidence|likelihood|pred|logit|sentiment|risk", re.I)
ORDER_OPS = (ast.Gt, ast.GtE, ast.Lt, ast.LtE)

SPLITTERS = {"train_test_split", "shuffle", "resample"}
SHUFFLE_CV = {"KFold", "StratifiedKFold", "GroupKFold"}
ALWAYS_RANDOM_CV = {"ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit", "RepeatedKFold",
                    "RepeatedStratifiedKFold"}
RANDOM_ESTIMATORS = {
    "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
    "GradientBoostingClassifier", "GradientBoostingRegressor", "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor", "DecisionTreeClassifier", "DecisionTreeRegressor", "IsolationForest",
    "KMeans", "MiniBatchKMeans", "SGDClassifier", "SGDRegressor", "MLPClassifier", "MLPRegressor",
    "RandomizedSearchCV", "TSNE", "BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier",
    "AdaBoostRegressor", "GaussianMixture", "LatentDirichletAllocation", "NMF",
    "XGBClassifier", "XGBRegressor", "XGBRanker", "LGBMClassifier", "LGBMRegressor", "LGBMRanker",
    "CatBoostClassifier", "CatBoostRegressor",
}
SEED_KEYWORDS = {"random_state", "random_seed", "seed"}
ML_LIBRARIES = ("sklearn.", "xgboost.", "lightgbm.", "catboost.")
NUMPY_LEGACY = {
    "rand", "randn", "randint", "random", "random_sample", "ranf", "sample", "choice", "shuffle", "permutation",
    "normal", "uniform", "binomial", "poisson", "beta", "exponential", "standard_normal", "multivariate_normal",
}
PREPROCESSORS = {
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer", "QuantileTransformer",
    "PowerTransformer", "OneHotEncoder", "OrdinalEncoder", "TargetEncoder", "SimpleImputer", "KNNImputer",
    "IterativeImputer", "PCA", "TruncatedSVD", "TfidfVectorizer", "CountVectorizer", "SelectKBest",
    "KBinsDiscretizer",
}


def check(src: SourceFile, imports: ImportMap) -> list[Hit]:
    tree = src.tree
    if tree is None or src.is_test:
        return []
    hits = list(_thresholds(src, tree))
    hits += _randomness(src, tree, imports)
    hits += _leakage(src, tree, imports)
    return hits


def _names(node: ast.AST) -> str:
    return " ".join(n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node)
                    if isinstance(n, ast.Name | ast.Attribute))


def _probability_literal(node: ast.AST) -> float | None:
    # 0.01-0.99: decision thresholds; smaller or larger literals are numerical tolerances (1e-9, 0.999)
    if isinstance(node, ast.Constant) and type(node.value) is float and 0.01 <= node.value <= 0.99:
        return node.value
    return None


def _thresholds(src: SourceFile, tree: ast.Module) -> Iterator[Hit]:
    in_assert = {id(n) for a in src.nodes(ast.Assert) for n in ast.walk(a)}
    for node in src.nodes(ast.Compare):
        if id(node) in in_assert:
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands, operands[1:], strict=False):
            if not isinstance(op, ORDER_OPS):
                continue
            for literal, other in ((left, right), (right, left)):
                value = _probability_literal(literal)
                if value is not None and SCORE_NAME.search(_names(other)):
                    yield src.hit("MLD401", node.lineno, f"hard-coded decision threshold {value} on a score",
                                  threshold=value)
                    break


def _kw(call: ast.Call, names: set[str]) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    return None


def _seeded(call: ast.Call) -> bool:
    if any(k.arg is None for k in call.keywords):
        return True  # **kwargs: cannot tell
    value = _kw(call, SEED_KEYWORDS)
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def _randomness(src: SourceFile, tree: ast.Module, imports: ImportMap) -> list[Hit]:
    hits: list[Hit] = []
    numpy_seeded = False
    legacy: list[tuple[ast.Call, str]] = []  # calls and their qualified names
    for node in src.nodes(ast.Call):
        qname = imports.resolve(node.func)
        if qname is None:
            continue
        last = qname.rsplit(".", 1)[-1]
        if qname.startswith("numpy.random."):
            if last == "seed" and node.args:
                numpy_seeded = True
            elif last in NUMPY_LEGACY and qname.count(".") == 2:
                legacy.append((node, qname))
            elif last == "default_rng" and not node.args and not node.keywords:
                hits.append(src.hit("MLD402", node.lineno, "np.random.default_rng() without a seed", call=qname))
            continue
        if not qname.startswith(ML_LIBRARIES) or _seeded(node):
            continue
        shuffles = _kw(node, {"shuffle"})
        shuffled = isinstance(shuffles, ast.Constant) and shuffles.value is True
        if (last in SPLITTERS and qname.startswith("sklearn.")) or last in RANDOM_ESTIMATORS \
                or last in ALWAYS_RANDOM_CV or (last in SHUFFLE_CV and shuffled):
            hits.append(src.hit("MLD402", node.lineno, f"{last}() without random_state", call=qname))
    if not numpy_seeded:
        hits += [src.hit("MLD402", n.lineno, f"global np.random.{qname.rsplit('.', 1)[-1]}() "
                         "without a seeded Generator", call=qname) for n, qname in legacy]
    return hits


def _leakage(src: SourceFile, tree: ast.Module, imports: ImportMap) -> list[Hit]:
    if not imports.imports_any("sklearn") or "train_test_split" not in src.text:
        return []

    def is_preprocessor(node: ast.AST) -> bool:
        qname = imports.resolve(node.func) if isinstance(node, ast.Call) else None
        return bool(qname and qname.startswith("sklearn.") and qname.rsplit(".", 1)[-1] in PREPROCESSORS)

    functions = [(f.lineno, f.end_lineno or f.lineno) for f in src.nodes(ast.FunctionDef, ast.AsyncFunctionDef)]

    def scope_of(line: int) -> int:
        """The innermost function holding the line (0: module level)."""
        return max((start for start, end in functions if start <= line <= end), default=0)

    assigns = src.nodes(ast.Assign)
    fitted = {t.id for n in assigns if is_preprocessor(n.value) for t in n.targets if isinstance(t, ast.Name)}
    targets_of = {id(n.value): {name.id for t in n.targets for name in ast.walk(t) if isinstance(name, ast.Name)}
                  for n in assigns if isinstance(n.value, ast.Call)}
    fits: list[tuple[int, int, set[str]]] = []
    splits: list[tuple[int, int, set[str]]] = []
    for node in src.nodes(ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("fit", "fit_transform") and node.args and (
                (isinstance(func.value, ast.Name) and func.value.id in fitted) or is_preprocessor(func.value)):
            data = {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
            fits.append((scope_of(node.lineno), node.lineno, data | targets_of.get(id(node), set())))
        elif (imports.resolve(func) or "").endswith("train_test_split"):
            names = {n.id for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)}
            splits.append((scope_of(node.lineno), node.lineno, names))
    return [src.hit("MLD403", line, "preprocessing fitted on all data before train_test_split", variables=sorted(names))
            for scope, line, names in sorted(fits)
            if any(s_scope == scope and s_line > line and names & s_names for s_scope, s_line, s_names in splits)]
