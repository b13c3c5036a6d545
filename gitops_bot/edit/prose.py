"""Words about a removed component inside a line of prose that stays: the parts a careful human
cuts, the rest of the sentence untouched.

- a relation clause at the end of a sentence that only says how the subject stands to the
  component: `... sync engine and intended replacement for icloudpd`, `..., a successor to X`
  (after a comma or `and` only: `X is an alternative to Y` would lose its predicate), or
  `... pattern previously used by X` / `... workflow documented previously for X` (a participle
  phrase with previously, formerly or originally, not after an auxiliary: `it was previously
  used by X` would lose its verb), with the short gerund clause it ends when there is one
  (`..., mirroring the pattern previously used for X`: the clause says nothing else);
- a sentence that only records the component's history, whole on a comment line of its own
  (`# Ported 1:1 from the retired volsync-apps provider; same field semantics.`): the component
  is named as retired, former or previous, or as what the text was ported or migrated from;
- a short trailing sentence, never a line's first, whose only name is the component as its last
  word (`... a CSI endpoint. Used in conjunction with volsync.`).

Everything else stays for the residue report. Each function returns spans within the line.
"""

from __future__ import annotations

import re
from typing import Callable

# The component as a word: plain, in backticks, or emphasised.
_NAME = r"(?P<name>[`*_]{0,2}[\w.-]*\w[`*_]{0,2})"
# Where a clause ends: the sentence's end, a colon or semicolon, a closing parenthesis, the line.
_END = r"(?=\s*(?:[.;:)!?](?:\s|$)|$))"
_RELATION_RE = re.compile(
    r"(?:,\s*(?:and\s+)?|\s+and\s+)(?:(?:the|an?)\s+)?(?:[a-z][a-z-]*\s+)?"
    r"(?:replacement|successor|alternative)\s+(?:for|to|of)\s+(?:the\s+)?" + _NAME + _END)
_PARTICIPLE_RE = re.compile(
    r"(?P<gerund>,\s*[a-z]+ing\s+(?:the|an?)\s+[a-z][\w/-]*(?:\s+[a-z][\w/-]*)?)?(?:,\s*|\s+)"
    r"(?P<lead>(?:previously|formerly|originally)\s+[a-z]+ed|[a-z]+ed\s+(?:previously|formerly|originally))"
    r"\s+(?:by|for|with|in|from)\s+(?:the\s+)?" + _NAME + _END)
_AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "not"})
# Sentences of a line: a stop, spaces, then a capital letter.
_SENTENCE_BREAK_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_MAX_SENTENCE_WORDS = 7


def clause_spans(line: str, is_service: Callable[[str], bool]) -> list[tuple[int, int]]:
    """The spans of `line` holding a relation clause about the component (see the module)."""
    spans = []
    for m in _RELATION_RE.finditer(line):
        if is_service(_bare(m.group("name"))):
            spans.append((m.start(), m.end()))
    for m in _PARTICIPLE_RE.finditer(line):
        before = line[:m.start("lead")].split()
        if is_service(_bare(m.group("name"))) and before and before[-1].lower() not in _AUXILIARIES:
            spans.append((m.start(), m.end()))
    return spans


def trailing_sentence_spans(line: str, is_service: Callable[[str], bool]) -> list[tuple[int, int]]:
    """The spans (with the spaces before them) of the line's sentences after its first that are
    short, end with the component's name and name nothing else (no other capitalised word than
    their first, no code, no link)."""
    starts = [0] + [m.end() for m in _SENTENCE_BREAK_RE.finditer(line)]
    spans = []
    for k, start in enumerate(starts[1:], start=1):
        end = starts[k + 1] if k + 1 < len(starts) else len(line)
        sentence = line[start:end].rstrip()
        words = sentence.rstrip(".!?").split()
        if not sentence.endswith(".") or not 2 <= len(words) <= _MAX_SENTENCE_WORDS \
                or any(c in sentence for c in "[]()<>") or not is_service(_bare(words[-1])):
            continue
        if any(w[:1].isupper() or "`" in w for w in words[1:-1]):
            continue
        gap = len(line[:start]) - len(line[:start].rstrip())
        spans.append((start - gap, start + len(sentence)))
    return spans


# Words that name what follows as gone (`the retired X`, `formerly X`), and verbs that say the
# text came from it (`ported from X`, `migrated 1:1 from the old X`).
_GONE_WORDS = frozenset({"retired", "former", "formerly", "previous", "legacy", "deprecated", "decommissioned"})
_FROM_VERBS = frozenset({"ported", "migrated", "moved", "copied", "carried"})


def history_sentence(sentence: str, is_service: Callable[[str], bool]) -> bool:
    """Whether a sentence (whole, `Capitalised ... .`) names the component as gone (see the
    module): a gone-word at most two words before the name, or `from` at most three words before
    it after a porting verb at most two words before that. A record of what the component was,
    which goes with it."""
    sentence = sentence.strip()
    if not (sentence[:1].isupper() and sentence.endswith(".")):
        return False
    tokens = [t.strip(".,;:()\"'").lower() for t in sentence.split()]
    for i, token in enumerate(tokens):
        if not is_service(_bare(token)):
            continue
        if _GONE_WORDS & set(tokens[max(0, i - 2):i]):
            return True
        froms = [j for j in range(max(0, i - 3), i) if tokens[j] == "from"]
        if froms and _FROM_VERBS & set(tokens[max(0, froms[0] - 2):froms[0]]):
            return True
    return False


def _bare(word: str) -> str:
    return word.strip("`*_")
