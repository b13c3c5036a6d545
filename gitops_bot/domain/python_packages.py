"""Every requirement on one Python package (PyPI) in a file's text, for `set-version pypi=NAME`.

A requirement is PEP 508's `NAME[extras] OP VERSION[, OP VERSION ...]`, wherever it is written:
requirements files, `pip install "kfp>=2.15.0"` in workflows, scripts, Dockerfiles and Makefiles,
pyproject/setup.py dependency strings. The name matches as PEP 503 normalises it (case, and `-`,
`_`, `.` alike) and never as part of a longer name (`kfp` is not `kfp-server-api` nor `my-kfp`).
The version that moves is the one after `==`, `===`, `>=` or `~=` (the release used, or the least
one); an upper bound (`<2.0.0`) that the new version would not satisfy keeps the requirement as it
is, with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_bot.text.splice import line_numbers

_NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_VERSION = r"[0-9][0-9A-Za-z.+!*-]*"
_OPERATOR = r"===|==|>=|~=|<=|!=|<|>"
_MOVES = ("==", "===", ">=", "~=")


def is_name(text: str) -> bool:
    """Whether `text` is a Python distribution name (PEP 508)."""
    return bool(_NAME_RE.match(text))


@dataclass(frozen=True)
class Requirement:
    """One requirement: `version` spans the version that moves; `reason` is set when it must not."""

    line: int  # 1-based
    start: int
    end: int
    operator: str
    version: str
    reason: str = ""


def mention(name: str) -> re.Pattern[str]:
    """The package's name as a word, in any of its normalised spellings."""
    spelled = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", name))
    return re.compile(rf"(?<![\w./-]){spelled}(?![\w/]|[.-]\w)", re.IGNORECASE)


def requirements(text: str, name: str, new: str) -> list[Requirement]:
    """Every requirement on `name` in `text` whose first version clause is one that moves."""
    spelled = mention(name).pattern
    pattern = re.compile(rf"{spelled}(?:\[[\w,\s.-]*\])?[ \t]*(?P<op>{_OPERATOR})[ \t]*(?P<v>{_VERSION})"
                         rf"(?P<rest>(?:[ \t]*,[ \t]*(?:{_OPERATOR})[ \t]*{_VERSION})*)", re.IGNORECASE)
    line_of = line_numbers(text)
    found = []
    for m in pattern.finditer(text):
        if m.group("op") not in _MOVES:
            continue
        bound = _excluding_bound(m.group("rest"), new)
        reason = f"kept: the requirement's bound {bound} excludes {new}" if bound else ""
        found.append(Requirement(line_of(m.start()), m.start("v"), m.end("v"), m.group("op"), m.group("v"), reason))
    return found


def _excluding_bound(rest: str, new: str) -> str:
    """The first upper bound in the other clauses that `new` does not satisfy ('' if none)."""
    for op, version in re.findall(rf"(<=|<|!=)[ \t]*({_VERSION})", rest):
        key, limit = _key(new), _key(version)
        if (op == "<" and not key < limit) or (op == "<=" and not key <= limit) or (op == "!=" and key == limit):
            return f"{op}{version}"
    return ""


def _key(version: str) -> tuple[int, ...]:
    """The numeric release of a version (1.8.23 -> (1, 8, 23)), zero-padded for comparison."""
    numbers = [int(n) for n in re.findall(r"\d+", version.split("+")[0].split("-")[0])[:4]]
    return tuple(numbers + [0] * (4 - len(numbers)))
