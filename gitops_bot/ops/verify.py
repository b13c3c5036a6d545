"""Checking that a token-level edit leaves a file as valid as it was, per file type."""

from __future__ import annotations


def verify_text(kind: str, old: str, new: str) -> str | None:
    """None unless `new` fails its file type's parse or lint where `old` passed."""
    if kind == "yaml":
        from ruamel.yaml.error import YAMLError

        from ..edit.yaml_file import load_safe

        try:
            load_safe(old)
        except YAMLError:
            return None
        try:
            load_safe(new)
        except YAMLError as exc:
            return f"the result would not parse ({str(exc).splitlines()[0]})"
        return None
    if kind == "helm":
        from ..edit import helm

        if helm.verify(old, masked_parsed_before=False) is not None:
            return None  # its blocks were unbalanced already: not the edit's doing
        parsed_before = helm.verify(old, masked_parsed_before=True) is None
        return helm.verify(new, masked_parsed_before=parsed_before)
    if kind == "hcl":
        from ..edit.hcl import _parse

        try:
            _parse(old)
        except Exception:
            return None
        try:
            _parse(new)
        except Exception as exc:
            return f"the result would not parse ({str(exc).strip().splitlines()[0]})"
        return None
    if kind == "make":
        from ..edit.make import verify

        return verify(old, new)
    if kind == "shell":
        from ..edit.shell import verify

        return verify(old, new)
    return None
