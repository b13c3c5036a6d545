"""A plan saved to a file (`plan --out F`) and applied later (`apply F`), like terraform's.

The file is the JSON `plan --format json` prints, plus what applying needs: a `saved_plan` mark,
the bot's version, each file's state before the change (`before`: `sha256:<hex>` of its bytes,
or `absent` for a file the plan adds) and its content after (`after`, null for a deleted file),
and `base`, a fingerprint of the states of every file the plan touches::

    {"format_version": 1, "saved_plan": "gitops-bot", "version": "0.1.0",
     "recipe": "remove-service", "params": {"service": "video-service"},
     "base": {"fingerprint": "sha256:<hex>", "files": 2},
     "files": [{"path", "status", "kind", "diff", "before", "after"}, ...],
     "residue": [...], "refused": [...], "validation": [...], "conflicts": [...], "found": [...]}

Applying compares the state of every file the plan touches with the one recorded, under the
tree's apply lock, and refuses with one line naming the first that differs: a saved plan is
applied to the tree it was computed from, or not at all. Nothing of the recipe runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path, PurePosixPath
from typing import Any, Mapping

from gitops_bot import FORMAT_VERSION, __version__
from gitops_bot.domain.findings import Conflict, Finding, Validation
from gitops_bot.engine.changeset import ChangeSet, FileChange
from gitops_bot.engine.journal import ABSENT, file_state
from gitops_bot.errors import UserError

MARK = "gitops-bot"
_STATUSES = ("modified", "deleted", "added")


def save(changes: ChangeSet, root: Path, out: Path) -> None:
    """Write `changes`, computed on the tree at `root`, to `out` as a saved plan (written whole
    or not at all: a temporary file beside it, renamed)."""
    files = []
    for entry, f in zip(changes.to_json()["files"], changes.files):
        # The bytes on disk, which the plan read undecoded but for UTF-8 (no newline translation).
        before = ABSENT if f.status == "added" else file_state(root / f.path)
        files.append(dict(entry, before=before, after=f.after))
    doc = dict(changes.to_json(), saved_plan=MARK, version=__version__, files=files,
               base={"fingerprint": fingerprint({f["path"]: f["before"] for f in files}), "files": len(files)})
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"--out {out}: cannot write the plan: {exc.strerror or exc}") from None


def fingerprint(states: Mapping[str, str]) -> str:
    """One digest of the states of the files a plan touches (path -> `sha256:<hex>` or `absent`)."""
    text = "".join(f"{path}\0{state}\n" for path, state in sorted(states.items()))
    return _digest(text.encode("utf-8"))


def load(path: Path) -> dict[str, Any]:
    """The saved plan at `path`, checked for shape; UserError naming the file otherwise."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path}: not a saved plan ({exc})") from None
    if not isinstance(doc, dict) or doc.get("saved_plan") != MARK:
        raise UserError(f"{path}: not a saved plan (`gitops-bot plan --out FILE` writes one)")
    if doc.get("format_version") != FORMAT_VERSION:
        raise UserError(f"{path}: a saved plan of format_version {doc.get('format_version')!r}; this gitops-bot "
                        f"reads {FORMAT_VERSION}: run plan --out again")
    if not isinstance(doc.get("files"), list) or not all(_valid_file(f) for f in doc["files"]):
        raise UserError(f"{path}: a saved plan whose files are malformed")
    return doc


def _valid_file(f: object) -> bool:
    if not isinstance(f, dict) or not isinstance(f.get("path"), str) or f.get("status") not in _STATUSES:
        return False
    pure = PurePosixPath(f["path"])
    if not pure.parts or pure.is_absolute() or ".." in pure.parts or "\\" in f["path"]:
        return False
    added, deleted = f["status"] == "added", f["status"] == "deleted"
    return ((f.get("before") == ABSENT) == added and isinstance(f.get("before"), str)
            and (f.get("after") is None) == deleted and (deleted or isinstance(f.get("after"), str)))


def changes_to_apply(doc: Mapping[str, Any], root: Path, source: Path) -> ChangeSet:
    """The saved plan as a ChangeSet to write on the tree at `root`, once every file it touches
    is checked to be as it was when the plan was made (call it under the tree's apply lock).
    UserError (exit 2) naming the first file that changed, with nothing written."""
    files = []
    for f in doc["files"]:
        target = root / f["path"]
        if file_state(target) != f["before"]:
            raise UserError(f"{f['path']} changed since the plan in {source} was made; nothing written "
                            "(run plan --out again)")
        before = None if f["status"] == "added" else target.read_bytes().decode("utf-8")
        files.append(FileChange(f["path"], f["status"], before, f["after"], str(f.get("kind", ""))))
    try:
        return ChangeSet(str(doc.get("recipe", "")), dict(doc.get("params") or {}), files=files,
                         residue=[_finding(r) for r in doc.get("residue") or []],
                         refused=[_finding(r) for r in doc.get("refused") or []],
                         validation=[Validation(**v) for v in doc.get("validation") or []],
                         conflicts=[Conflict(**c) for c in doc.get("conflicts") or []],
                         found=[_finding(r) for r in doc.get("found") or []])
    except (TypeError, KeyError, ValueError) as exc:
        raise UserError(f"{source}: a saved plan whose report is malformed ({exc})") from None


def _finding(entry: Mapping[str, Any]) -> Finding:
    return Finding(str(entry["path"]), int(entry["line"]), str(entry["text"]), str(entry["reason"]))


def _digest(data: bytes) -> str:
    return f"sha256:{hashlib.sha256(data).hexdigest()}"
