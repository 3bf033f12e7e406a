"""Hard-coded credentials: API tokens, BigCommerce `X-Auth-Token` values, Sentry DSNs with secrets.

Line-based so that it also covers YAML, JSON, .env files and notebook cells. Strong patterns (a
token format only a credential has) fire everywhere; the generic `password = "..."` pattern needs a
value that looks random (letters and digits) and skips tests and placeholders to keep false alarms low.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from mldebt.scan.source import Hit, SourceFile

STRONG = (
    ("AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("BigCommerce X-Auth-Token", re.compile(r"""(?i)['"]x-auth-token['"]\s*[:=,]\s*['"]([A-Za-z0-9]{20,})['"]""")),
    ("Sentry DSN with secret", re.compile(r"https?://[0-9a-f]{32}:([0-9a-f]{32})@[\w.-]+(?::\d+)?/\d+")),
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("OpenAI API key", re.compile(r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
)
GENERIC = re.compile(
    r"""(?i)\b[a-z_]*(?:password|passwd|secret|api_?key|token|client_secret)['"]?\s*[:=]\s*"""
    r"""['"]([^'"\s]{8,})['"]""")
PLACEHOLDER = re.compile(r"example|changeme|your|xxx|dummy|placeholder|test|fake|redacted|sample|\*\*\*|<|\{|\$|"
                         r"\.\.\.|1234567|abcdefgh", re.I)
NOT_SECRET_NAMES = re.compile(r"(?i)(page|next|continuation|cursor|csrf)_?token")
TEXT_SUFFIXES = {".py", ".yml", ".yaml", ".json", ".toml", ".cfg", ".ini", ".env", ".conf", ".sh", ".properties"}
MAX_BYTES = 2_000_000


def wants(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(".env") or any(name.endswith(s) for s in TEXT_SUFFIXES)


def _placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.search(value))


def _random_looking(value: str) -> bool:
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value) and not PLACEHOLDER.search(value)


def redact(value: str) -> str:
    return value[:4] + "..." if len(value) > 12 else value[:2] + "..."


def find(text: str, generic: bool = True) -> Iterator[tuple[str, str]]:
    """(kind, secret value) for each credential in a text; callers show only `redact(value)`."""
    for kind, pattern in STRONG:
        match = pattern.search(text)
        if match:
            value = match.group(match.lastindex or 0)
            if not _placeholder(match.group(0)):
                yield kind, value
            return
    if generic:
        match = GENERIC.search(text)
        if match and _random_looking(match.group(1)) and not NOT_SECRET_NAMES.search(match.group(0)):
            yield "hard-coded secret", match.group(1)


def check_lines(src: SourceFile, lines: Iterable[tuple[int | None, str]], rule_id: str = "MLD406",
                where: str = "") -> list[Hit]:
    generic = not src.is_test
    hits = []
    for number, text in lines:
        if len(text) > 4000:
            continue
        for kind, value in find(text, generic):
            hits.append(src.hit(rule_id, number, f"{kind} in {where or 'source'} ({redact(value)})", kind=kind))
    return hits


# Lower-case substrings one of which every pattern above needs: plain `in` tests are much faster than a regex.
INDICATORS = ("akia", "asia", "x-auth-token", "private key", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "xox",
              "passw", "secret", "api_key",
              "apikey", "token", "://")


def check(src: SourceFile) -> list[Hit]:
    """Only lines with a cheap indicator (found in one pass over the text) get the full patterns."""
    text = src.text
    if len(text) > MAX_BYTES:
        return []
    lowered = text.lower()
    keys = [key for key in INDICATORS if key in lowered]
    if not keys:
        return []
    candidates = [(n, line) for n, line in enumerate(src.lines, start=1) if any(k in line.lower() for k in keys)]
    return check_lines(src, candidates)
