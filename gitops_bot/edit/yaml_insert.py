"""Adding, updating and removing Helm parameters in an ArgoCD Application, as a human would type them.

Locate the source (`spec.source`, or the item of `spec.sources`) with ruamel positions, then
splice new lines after the last existing parameter, or a `parameters:` key after the last entry
of `helm:`, or a `helm:` block after the last entry of the source; indentation, sequence style
(`- ` indented under its key or flush), quote style and line endings are the file's own.
A removed parameter takes its whole item with it (its comment lines too); the last one takes
`parameters:`, and a `helm:` left empty goes as well. Verify: the re-parsed document equals the
original with exactly these parameters added, changed or removed.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from gitops_bot.domain.helm_params import NewParameter
from gitops_bot.edit.blocks import trim_trailing, yaml_entry_stop
from gitops_bot.parse.yaml import load_rt, load_safe, quoted_end
from gitops_bot.text.splice import Cut, Lines, Span, splice

CHECK = "re-parsed; the Application equals the original plus exactly the new parameters"
REMOVE_CHECK = "re-parsed; the Application equals the original less exactly the removed parameters"


class InsertRefused(Exception):
    """The Application's layout is one gitops-bot will not edit (reason in the message)."""


def scalar_extent(line: str, col: int) -> tuple[int, str]:
    """(end column, trailing comment) of the one-line scalar starting at `col`."""
    if line[col:col + 1] in ("'", '"'):
        end = quoted_end(line, col)
    else:
        m = re.search(r"\s#", line[col:])
        end = col + len(line[col:col + m.start() if m else len(line)].rstrip())
    m = re.match(r"\s+(#.*)$", line[end:])
    return end, (m.group(1) if m else "")


def _quote(value: str, style: str, fallback: str = '"') -> str:
    """`value` as a YAML scalar in `style` ('' plain, "'" or '"'); a value that cannot stay plain
    takes the `fallback` quote (the quote the file's neighbours use)."""
    if style == "" and _plain_safe(value):
        return value
    if (style or fallback) == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)


def _plain_safe(value: str) -> bool:
    if not value or value != value.strip() or re.search(r"[#:{}\[\],&*!|>'\"%@`]", value):
        return False
    try:
        return load_safe(f"k: {value}\n")[0] == {"k": value}
    except YAMLError:
        return False


class _Inserter:
    def __init__(self, text: str, doc_index: int, source_index: int | None) -> None:
        self.text = text
        self.lines = Lines(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        docs = load_rt(text)
        self.doc = docs[doc_index]
        spec = self.doc["spec"]
        if source_index is None:
            self.parent, self.key = spec, "source"
        else:
            self.parent, self.key = spec["sources"], source_index
        self.source = self.parent[self.key]
        if not isinstance(self.source, CommentedMap) or self.source.fa.flow_style():
            raise InsertRefused("the source is not a block mapping")
        self.seq_offset = self._sequence_offset()
        self._name_quote = ""  # the quote of existing parameter names, set by cuts()

    # -- layout ---------------------------------------------------------------------------
    def _sequence_offset(self) -> int:
        """How far this file indents a block sequence's dash past its key (0 = flush)."""
        for node, key in _block_seq_keys(self.doc):
            key_col = node.lc.key(key)[1]
            dash = self._dash_col(node[key], 0)
            if dash is not None:
                return dash - key_col
        return 2

    def _dash_col(self, seq: CommentedSeq, index: int) -> int | None:
        line, col = seq.lc.item(index)
        head = self.lines.line(line)[:col]
        dash = head.rstrip().rfind("-")
        return dash if dash >= 0 and not head[:dash].strip() else None

    def _end_of_entry(self, first: int, col: int, is_key: bool = True) -> int:
        """Offset just after the last content line of the block entry starting at line `first`."""
        stop = yaml_entry_stop(self.lines, first, col, is_key)
        return self.lines.end(trim_trailing(self.lines, first, stop, col))

    def _child_col(self, node: CommentedMap) -> int:
        return node.lc.key(next(iter(node)))[1]

    # -- rendering ------------------------------------------------------------------------
    def _item_lines(self, p: NewParameter, dash_col: int, quote: str) -> list[str]:
        pad = " " * dash_col
        inner = " " * (dash_col + 2)
        named = self._name_quote
        fallback = named or '"'
        value = f"{inner}value: {_quote(p.value, quote, fallback)}" + (f"  {p.comment}" if p.comment else "")
        out = [f"{pad}- name: {_quote(p.name, named, fallback)}", value]
        if p.force_string:
            out.append(f"{inner}forceString: true")
        return out

    def _quote_style(self, params: CommentedSeq | None) -> str:
        """The quote character existing parameter values use ('' for plain)."""
        for item in params or []:
            if isinstance(item, CommentedMap) and "value" in item:
                line, col = item.lc.value("value")
                ch = self.lines.line(line)[col:col + 1]
                return ch if ch in "\"'" else ""
        return '"'

    def _names_quote(self, params: CommentedSeq | None) -> str:
        """The quote character existing parameter names use ('' for plain or no parameters): a
        new name is written as they are, and a value that cannot stay plain takes that quote."""
        for item in params or []:
            if isinstance(item, CommentedMap) and "name" in item:
                line, col = item.lc.value("name")
                ch = self.lines.line(line)[col:col + 1]
                return ch if ch in "\"'" else ""
        return ""

    # -- the edit -------------------------------------------------------------------------
    def cuts(self, new: Sequence[NewParameter], replace: dict[str, NewParameter]) -> list[Cut]:
        helm = self.source.get("helm")
        params = helm.get("parameters") if isinstance(helm, CommentedMap) else None
        if params is not None and (not isinstance(params, CommentedSeq) or params.fa.flow_style()):
            raise InsertRefused("helm.parameters is not a block list")
        quote = self._quote_style(params)
        self._name_quote = self._names_quote(params)
        cuts = [self._replace_value(params, name, p, quote) for name, p in replace.items()]
        if not new:
            return cuts
        if params:
            dash = self._dash_col(params, 0)
            if dash is None:
                raise InsertRefused("helm.parameters items are laid out unusually")
            last_line = params.lc.item(len(params) - 1)[0]
            at = self._end_of_entry(last_line, dash, is_key=False)
            body = [line for p in new for line in self._item_lines(p, dash, quote)]
        elif isinstance(helm, CommentedMap) and len(helm):
            col = self._child_col(helm)
            at = self._end_of_entry(helm.lc.key(list(helm)[-1])[0], col)
            body = [" " * col + "parameters:"]
            body += [line for p in new for line in self._item_lines(p, col + self.seq_offset, quote)]
        elif helm is None:
            col = self._child_col(self.source)
            at = self._end_of_entry(self.source.lc.key(list(self.source)[-1])[0], col)
            inner = col + 2
            body = [" " * col + "helm:", " " * inner + "parameters:"]
            body += [line for p in new for line in self._item_lines(p, inner + self.seq_offset, quote)]
        else:
            raise InsertRefused("helm: is empty or not a mapping")
        lead = self.newline if at == len(self.text) and not self.text.endswith("\n") else ""
        cuts.append(Cut(Span(at, at), lead + self.newline.join(body) + self.newline))
        return cuts

    def removal_cuts(self, names: frozenset[str]) -> list[Cut]:
        """Cuts that remove the parameters named `names` (absent names are ignored)."""
        helm = self.source.get("helm")
        params = helm.get("parameters") if isinstance(helm, CommentedMap) else None
        if not isinstance(params, CommentedSeq) or params.fa.flow_style():
            raise InsertRefused("helm.parameters is not a block list")
        gone = [k for k, item in enumerate(params) if isinstance(item, CommentedMap) and str(item.get("name")) in names]
        if not gone:
            return []
        if len(gone) == len(params):  # nothing left: the key goes, and helm: if it held only that
            if len(helm) == 1:
                return [self._entry_cut(self.source, "helm")]
            return [self._entry_cut(helm, "parameters")]
        dash = self._dash_col(params, 0)
        if dash is None:
            raise InsertRefused("helm.parameters items are laid out unusually")
        cuts = []
        for k in gone:
            first = params.lc.item(k)[0]
            cuts.append(Cut(Span(self._first_own_line(first), self._end_of_entry(first, dash, is_key=False)), ""))
        return cuts

    def _entry_cut(self, node: CommentedMap, key: str) -> Cut:
        line, col = node.lc.key(key)
        return Cut(Span(self._first_own_line(line), self._end_of_entry(line, col)), "")

    def _first_own_line(self, line: int) -> int:
        """Offset of the first of the comment lines directly above `line` (they go with it)."""
        while line > 0 and self.lines.line(line - 1).lstrip().startswith("#"):
            line -= 1
        return self.lines.start(line)

    def _replace_value(self, params: CommentedSeq | None, name: str, p: NewParameter, quote: str) -> Cut:
        for item in params or []:
            if isinstance(item, CommentedMap) and str(item.get("name")) == name and "value" in item:
                line, col = item.lc.value("value")
                end, _ = scalar_extent(self.lines.line(line), col)
                if end <= col:
                    raise InsertRefused(f"the value of {name} spans several lines")
                start = self.lines.start(line)
                return Cut(Span(start + col, start + end), _quote(p.value, quote, self._name_quote or '"'))
        raise InsertRefused(f"parameter {name} not found")


def _block_seq_keys(node: Any):
    """(mapping, key) pairs whose value is a non-empty block sequence, depth first."""
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            if isinstance(value, CommentedSeq) and len(value) and not value.fa.flow_style():
                yield node, key
            yield from _block_seq_keys(value)
    elif isinstance(node, CommentedSeq):
        for item in node:
            yield from _block_seq_keys(item)


def update_parameters(text: str, doc_index: int, source_index: int | None,
                      new: Sequence[NewParameter], replace: dict[str, NewParameter]) -> str:
    """The Application text with `new` parameters appended and the values of `replace` changed;
    raises InsertRefused when the layout is not one to edit or verification fails."""
    inserter = _Inserter(text, doc_index, source_index)
    result = splice(text, inserter.cuts(new, replace))
    _verify(text, result, doc_index, source_index, new, replace)
    return result


def remove_parameters(text: str, doc_index: int, source_index: int | None, names: frozenset[str]) -> str:
    """The Application text without the parameters named `names`; raises InsertRefused when the
    layout is not one to edit or verification fails."""
    inserter = _Inserter(text, doc_index, source_index)
    result = splice(text, inserter.removal_cuts(names))
    actual, expected, source = _reparsed(text, result, doc_index, source_index)
    helm = source["helm"]
    helm["parameters"] = [p for p in helm["parameters"] if not (isinstance(p, dict) and str(p.get("name")) in names)]
    if not helm["parameters"]:
        del helm["parameters"]
        if not helm:
            del source["helm"]
    if actual != expected:
        raise InsertRefused("the result's data differs from the intended removal")
    return result


def _reparsed(old: str, new: str, doc_index: int, source_index: int | None):
    """(the new text's data, a copy of the old text's data to edit into what is expected, the
    source of that copy); InsertRefused when the new text does not parse."""
    try:
        actual = load_safe(new)
    except YAMLError as exc:
        raise InsertRefused(f"the result would not parse ({str(exc).splitlines()[0]})") from exc
    expected = copy.deepcopy(load_safe(old))
    spec = expected[doc_index]["spec"]
    return actual, expected, spec["source"] if source_index is None else spec["sources"][source_index]


def _verify(old: str, new: str, doc_index: int, source_index: int | None,
            added: Sequence[NewParameter], replaced: dict[str, NewParameter]) -> None:
    actual, expected, source = _reparsed(old, new, doc_index, source_index)
    helm = source.setdefault("helm", {})
    params = helm.setdefault("parameters", [])
    for item in params:
        if item.get("name") in replaced:
            item["value"] = replaced[item["name"]].value
    for p in added:
        params.append({"name": p.name, "value": p.value, **({"forceString": True} if p.force_string else {})})
    if actual != expected:
        raise InsertRefused("the result's data differs from the intended parameters")
