"""Operation `remove_references`: remove every structural reference to a component from the
files that mention it, each through the editor for its file type (gitops_bot.edit).

Application source code and binary files are never edited; what is left is the residue report's
job. A file that cannot be parsed stops the run with a UserError (nothing is written).
"""

from __future__ import annotations

from ..changeset import Finding, Validation
from ..edit import EDITORS, classify
from ..edit.base import RemovalContext, Unparsable
from ..errors import UserError
from .state import RunState


def run(state: RunState, args: dict[str, str]) -> None:
    name = state.component(args["name"])
    state.add_residue_name(name)
    tree = state.tree
    ctx = RemovalContext(name, frozenset(p for p in tree.paths() if tree.is_deleted(p)))
    for path in state.candidates(name):
        if tree.is_deleted(path):
            continue
        text = tree.read(path)
        kind = classify(path, text)
        editor = EDITORS.get(kind)
        if editor is None or text is None:
            continue
        try:
            result = editor.remove_service(text, ctx)
        except Unparsable as exc:
            raise UserError(f"cannot parse {path}: {exc}") from exc
        for refusal in result.refused:
            state.refused.append(Finding(path, refusal.line, _line(text, refusal.line), refusal.reason))
            if refusal.reason.startswith("edit refused:"):
                state.validation.append(Validation(path, editor.CHECK, False, refusal.reason))
        if result.text != text:
            tree.write(path, result.text)
            state.validation.append(Validation(path, editor.CHECK, True))
            old_lines = text.splitlines()
            for comment in dict.fromkeys(result.kept_comments):
                if comment in old_lines:
                    state.notes.append(Finding(path, old_lines.index(comment) + 1, comment.strip(),
                                               "comment above a removed entry: check it still applies"))


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""
