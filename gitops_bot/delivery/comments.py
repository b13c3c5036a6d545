"""The `/gitops-bot ...` comment grammar. Anchored, whitespace-split, no shell, no quotes:

    /gitops-bot help
    /gitops-bot plan <recipe> [<value>] [key=value ...]
    /gitops-bot <recipe> [<value>] [key=value ...]

Only the comment's first line is read. `<value>` is shorthand for the recipe's positional
parameter (`/gitops-bot remove-service video-service`). Every word must be plain; every value is
then checked against the recipe's own pattern before anything runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gitops_bot.errors import UserError

PREFIX = "/gitops-bot"
_WORD_RE = re.compile(r"^[A-Za-z0-9_.,:/@+-]+$")
_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Command:
    verb: str  # help | plan | run
    recipe: str = ""
    positional: list[str] = field(default_factory=list)
    params: dict[str, str] = field(default_factory=dict)


def is_command(body: str) -> bool:
    """True when the comment's first line addresses the bot."""
    first = (body or "").lstrip("\ufeff").split("\n", 1)[0].strip()
    return first == PREFIX or first.startswith(PREFIX + " ") or first.startswith(PREFIX + "\t")


def parse(body: str) -> Command:
    """The command on the first line; UserError naming the offending word otherwise."""
    first = body.lstrip("\ufeff").split("\n", 1)[0].strip()
    words = first.split()[1:]
    if not words or words == ["help"]:
        return Command("help")
    verb = "run"
    if words[0] == "plan":
        verb, words = "plan", words[1:]
        if not words:
            raise UserError("`/gitops-bot plan` needs a recipe name")
    recipe, rest = words[0], words[1:]
    if not re.fullmatch(r"[a-z][a-z0-9-]*", recipe):
        raise UserError(f"{recipe!r} is not a recipe name")
    positional: list[str] = []
    params: dict[str, str] = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if sep:
            if not _KEY_RE.match(key):
                raise UserError(f"bad parameter name in {word!r}")
            if key in params:
                raise UserError(f"parameter {key!r} given twice")
            _plain(value, word)
            params[key] = value
        else:
            _plain(word, word)
            positional.append(word)
    return Command(verb, recipe, positional, params)


def _plain(value: str, word: str) -> None:
    if not _WORD_RE.match(value) or ".." in value.split("/"):
        raise UserError(f"bad parameter {word!r}: only letters, digits and . , : / @ + - _ are allowed")


def resolve_params(command: Command, recipe) -> dict[str, str]:
    """The parameters for the recipe: the positional word goes to its positional parameter."""
    params = dict(command.params)
    if command.positional:
        main = [p.name for p in recipe.parameters if p.positional]
        if len(command.positional) > 1 or not main:
            raise UserError(f"recipe {recipe.name} takes key=value parameters "
                            f"({', '.join(p.name for p in recipe.parameters)})")
        if main[0] in params:
            raise UserError(f"parameter {main[0]!r} given twice")
        params[main[0]] = command.positional[0]
    return params


HELP = """\
**gitops-bot** runs a recipe and answers with a pull request. Write the command on the first line
of a comment on an issue:

- `/gitops-bot <recipe> [<value>] [key=value ...]`: open (or update) the recipe's pull request
- `/gitops-bot plan <recipe> ...`: show what it would change, without a pull request
- `/gitops-bot help`: this message

Recipes:
"""
