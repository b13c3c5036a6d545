"""Service names, their spellings, and the reference scan.

A service is written many ways in one repository: `video-service`, `video_service`,
`videoService`, `VideoService`, `VIDEO_SERVICE_URL`, a database `app_video`, and sometimes the bare
`video`. ServiceName answers the three questions every editor asks:

- identifies(value): is this identifier the service itself (any spelling, the short name, or the
  database/user name derived from it)?
- owns(value): is this identifier something of the service's own (`video-service-build`,
  `video-service-recorder`), without mistaking a longer sibling such as `video-service-gateway`?
- mentions(text): where does free text name the service (for the residue report)?
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Iterable

_WORD_RE = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_IDENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# Affixes that turn a service name into the name of one of its resources (app_video, video_db).
_PREFIXES = ("app",)
_SUFFIXES = ("service", "svc", "db", "database", "user")
# Suffixes of keys that point at the service's address: VIDEO_SERVICE_URL, livekitHost.
ADDRESS_SUFFIXES = frozenset({"url", "uri", "host", "hostname", "port", "addr", "address", "endpoint"})


# Vendors and platforms that qualify a product's name, and that prose and settings often drop
# (`Debugger`, `DISABLE_DEBUGGER` for `cloud-debugger`).
_QUALIFIERS = frozenset({"cloud", "google", "gcp", "gke", "aws", "amazon", "azure", "microsoft"})


def without_vendor(raw: str) -> str | None:
    """The name without the vendor word it starts with (`debugger` of `cloud-debugger`), when
    what is left is a word of some length; else None. A form for the residue only: prose drops
    the vendor, but the word alone is too common to edit by."""
    t = words(raw)
    if len(t) > 1 and t[0] in _QUALIFIERS and len("".join(t[1:])) >= 5:
        return "-".join(t[1:])
    return None


@lru_cache(maxsize=1 << 16)
def words(value: str) -> tuple[str, ...]:
    """Lower-case words of an identifier: `videoServiceURL` -> ('video', 'service', 'url')."""
    return tuple(w.lower() for w in _WORD_RE.findall(value))


def _join(t: tuple[str, ...]) -> str:
    return "".join(t)


@dataclass(frozen=True)
class ServiceName:
    """A service (or component) name with its spellings and matching rules.

    Identifiers are compared by their words run together, so a name written as one word
    (`featureflagservice`) is the same identifier as `FEATURE_FLAG_SERVICE` or
    `feature-flag-service`. `split` holds the words of such a name as the repository splits them
    (learned by `learn_split`); they give its short form, comments and the free-text spellings."""

    raw: str
    known: frozenset[tuple[str, ...]] = field(default_factory=frozenset)
    split: tuple[str, ...] = ()
    # The leading words that name the component on their own where its own chart says so
    # (`metallb` for the folder `metallb-system` whose Chart.yaml is `name: metallb`); () for none.
    short_form: tuple[str, ...] = ()

    @cached_property
    def tokens(self) -> tuple[str, ...]:
        return self.split if _join(self.split) == _join(words(self.raw)) and self.split else words(self.raw)

    @cached_property
    def _joined(self) -> tuple[str, str]:
        """The full and short names with their words run together."""
        return _join(self.tokens), _join(self.short)

    @cached_property
    def _known_joined(self) -> frozenset[str]:
        return frozenset(_join(k) for k in self.known)

    def _spans(self, t: tuple[str, ...], start: int) -> int:
        """The end index k such that the words t[start:k] run together spell the full name, or 0."""
        whole, acc = self._joined[0], ""
        for k in range(start, len(t)):
            acc += t[k]
            if acc == whole:
                return k + 1
            if not whole.startswith(acc):
                return 0
        return 0

    @cached_property
    def short(self) -> tuple[str, ...]:
        """The name without a trailing `-service` (or the short form its own chart gives it), or
        the name itself."""
        t = self.tokens
        if self.short_form and self.short_form not in self.known:
            return self.short_form
        short = t[:-1] if len(t) > 1 and t[-1] in ("service", "svc") else t
        return t if short in self.known else short  # `user` may be another component than `user-service`

    @property
    def has_short_form(self) -> bool:
        return self.short != self.tokens

    def spellings(self) -> list[str]:
        """kebab, snake, camel, Pascal and UPPER_SNAKE spellings, most specific first."""
        t = self.tokens
        forms = [
            "-".join(t),
            "_".join(t),
            t[0] + "".join(w.capitalize() for w in t[1:]),
            "".join(w.capitalize() for w in t),
            "_".join(t).upper(),
        ]
        return list(dict.fromkeys(forms))

    # -- identity -------------------------------------------------------------------------
    def identifies(self, value: str) -> bool:
        """True when `value` is a single identifier that names the service itself."""
        if not isinstance(value, str) or not _IDENT_RE.fullmatch(value):
            return False
        t = words(value)
        if _join(t) in self._joined:
            return True
        if _join(t) in self._known_joined:  # `user-service` is not `user` when both are components
            return False
        if t[:1] and t[0] in _PREFIXES and _join(t[1:]) in self._joined:
            return True
        while len(t) > 1 and t[-1] in _SUFFIXES:
            t = t[:-1]
            if _join(t) in self._joined:
                return True
        return False

    def owns(self, value: str) -> bool:
        """True for the service itself and identifiers that extend its full name
        (`video-service-build`, `VIDEO_SERVICE_URL`), unless a longer known component matches."""
        if self.identifies(value):
            return True
        if not isinstance(value, str) or not _IDENT_RE.fullmatch(value):
            return False
        t = words(value)
        return 0 < self._spans(t, 0) < len(t) and not self._longer_known_at(t, 0)

    def names_folder(self, basename: str) -> bool:
        """True for a folder named after the component: a name it owns, or its last word's
        gerund (`tracetest` -> `tracetesting`, the folder of the tests it runs). Only that one
        derived form: a plural (`argo-workflows` beside `argo-workflow`) is often a sibling."""
        if self.owns(basename):
            return True
        t = words(basename)
        if not self.tokens or len(t) != len(self.tokens) or t[:-1] != self.tokens[:-1]:
            return False
        last = self.tokens[-1]
        if last.isdigit() or last in _SUFFIXES:  # `video-servicing` is no form of `video-service`
            return False
        return t[-1] in {last + "ing", last[:-1] + "ing" if last.endswith("e") else None}

    def reorders(self, value: str) -> bool:
        """True for the name's words in another order (`ingress-beta` for `beta-ingress`, among
        `ingress-default`, `ingress-internal`), unless that is another known component."""
        t = words(value)
        return len(t) > 1 and t != self.tokens and sorted(t) == sorted(self.tokens) and t not in self.known

    def spelled_by(self, parent: str, basename: str) -> bool:
        """True when a folder and its parent spell the name between them (`istio/gateway` for
        `istio-gateway`), the parent alone being neither the component nor its short form."""
        head, tail = words(parent), words(basename)
        return bool(head and tail) and head + tail == self.tokens and head != self.short

    def addresses(self, key: str) -> bool:
        """True for keys naming the service (`videoService`) or its address (`VIDEO_SERVICE_URL`)."""
        if not isinstance(key, str) or not _IDENT_RE.fullmatch(key):
            return False
        t = words(key)
        end = self._spans(t, 0)
        return end == len(t) > 0 or (0 < end < len(t) and set(t[end:]) <= ADDRESS_SUFFIXES)

    def address_prefix(self, key: str) -> tuple[str, ...] | None:
        """The words before the service's name in a key that names its address under another
        service's prefix (`('retail', 'orders', 'messaging')` of
        `RETAIL_ORDERS_MESSAGING_RABBITMQ_ADDRESSES`: the name, then address words only, plural
        or not), or None."""
        t = words(key)
        for i in range(1, len(t)):
            end = self._spans(t, i)
            if end and end < len(t) and all({w, w.removesuffix("s"), w.removesuffix("es")} & ADDRESS_SUFFIXES
                                            for w in t[end:]):
                return t[:i]
        return None

    def labels(self, value: str) -> bool:
        """True for names made for the service, as Terraform labels and keys are: owned names
        and names holding its full name as consecutive words (`pod_identity_video_service`,
        `ingress_livekit_rtc`), unless those words belong to a longer known component."""
        if self.owns(value):
            return True
        if not isinstance(value, str) or not _IDENT_RE.fullmatch(value):
            return False
        t = words(value)
        for i in range(1, len(t)):
            end = self._spans(t, i)
            if end and not self._longer_known_ending(t[:end]) and not self._longer_known_at(t, i):
                return True
        return False

    def in_path(self, value: str) -> bool:
        """True when a path or reference (`prod/video-service`, `services/video-service/**`,
        `video-service.yaml`, `../charts/video-service`) points into the service."""
        if not isinstance(value, str) or not re.search(r"[/.:@]", value):
            return False
        for segment in re.split(r"[/:@]", value):
            stem = re.sub(r"(\.(ya?ml|json|tf|md|sh|mk|go))+$", "", segment)
            if stem and self.identifies(stem) and (stem != segment or "/" in value or ":" in value):
                if words(stem) != self.short or self.short == self.tokens:
                    return True
        return False

    def names_others(self, text: str) -> bool:
        """True when `text` also names another known component (so it is shared, not ours)."""
        for word in re.findall(r"[A-Za-z0-9][A-Za-z0-9_-]*", text):
            t = words(word)
            if t and not self.owns(word) and any(t[:len(k)] == k for k in self.known):
                return True
        return False

    @cached_property
    def _longer_known(self) -> tuple[tuple[str, ...], ...]:
        """Known component names that contain this one's words (usually none)."""
        n = len(self.tokens)
        return tuple(k for k in self.known
                     if len(k) > n and any(k[i:i + n] == self.tokens for i in range(len(k) - n + 1)))

    def _longer_known_at(self, t: tuple[str, ...], start: int) -> bool:
        n = len(self.tokens)
        return any(t[start:start + len(k)] == k for k in self._longer_known if k[:n] == self.tokens)

    def _longer_known_ending(self, t: tuple[str, ...]) -> bool:
        n = len(self.tokens)
        return any(t[-len(k):] == k for k in self._longer_known if k[-n:] == self.tokens)

    # -- free text ------------------------------------------------------------------------
    @cached_property
    def _mention_regex(self) -> re.Pattern[str]:
        body = r"[-_ ]?".join(re.escape(w) for w in self.tokens)
        return re.compile(r"(?<![A-Za-z0-9])(?i:" + body + r")(?![a-z0-9])")

    def mention_regex(self) -> re.Pattern[str]:
        """Case-insensitive mentions of the full name in any spelling, at word boundaries."""
        return self._mention_regex

    def mentions(self, text: str) -> list[re.Match[str]]:
        """Mentions of the full name in `text`, except inside a longer known component name."""
        found = []
        for m in self._mention_regex.finditer(text):
            before = text[max(0, m.start() - 40):m.start()]
            prefix = words(re.split(r"[^A-Za-z0-9_-]", before)[-1])
            if prefix and self._longer_known_ending(prefix + self.tokens):
                continue
            found.append(m)
        return found

    def names_in_comment(self, comment: str) -> bool:
        """True when a comment names the service: its full or short name as consecutive words,
        or one word that spells the full name with its own capitals (`# KFServing` for kfserving,
        `# MetalLB` for metallb: split by case, those words are not the name's)."""
        joined = "".join(self.tokens)
        if any(word.lower() == joined for word in re.findall(r"[A-Za-z0-9]+", comment)):
            return True
        w = words(comment)
        for seq in {self.tokens, self.short}:
            k = len(seq)
            if any(w[i:i + k] == seq for i in range(len(w) - k + 1)):
                return True
        return False

    def prefilter(self) -> "Prefilter":
        """A cheap byte test that every file the service could be referenced in passes."""
        return Prefilter(self.short)


class Prefilter:
    """Words (a name's short form, a tool's name), case-insensitively, joined by nothing, `-` or
    `_`, in bytes: the cheap test that picks the files worth reading.

    Python's `re` has no fast path for a case-insensitive pattern (about 130 MB/s here), while
    `bytes.lower` and a substring search run at C speed (5-10x faster), so the text is lowered
    once and searched for its longest word before the pattern runs; the result is the same as
    `(?i)word[-_]?word` (both fold ASCII only)."""

    def __init__(self, words: tuple[str, ...]) -> None:
        lowered = [w.lower() for w in words]
        # the longest word is tested first: the rarest (`e2e-media`: `media`, not `e` which
        # every file holds and which would leave the pattern to run on all of them)
        self.first_text = max(lowered, key=len, default="")
        self.first = self.first_text.encode()
        self.needs = tuple(w.encode() for w in lowered)  # each in every match: see Worktree.grep_many
        self.pattern = re.compile(b"[-_]?".join(re.escape(w.lower().encode()) for w in words))

    def search(self, data: bytes) -> re.Match[bytes] | None:
        """A match in `data` (lowered), or None."""
        return self.search_lowered(data.lower())

    def search_lowered(self, lowered: bytes) -> re.Match[bytes] | None:
        """`search` on bytes already lowered: a grep for several names lowers each file once."""
        return self.pattern.search(lowered) if self.first in lowered else None

    def passes(self, name: str) -> bool:
        """`search` for a file or folder name given as text (most fail the word test on `str`
        without being encoded)."""
        return self.first_text in name.lower() and self.search(name.encode()) is not None


def service_name(raw: str, known: set[str] | frozenset[str] = frozenset(),
                 split: tuple[str, ...] = ()) -> ServiceName:
    """Build a ServiceName; `known` holds the other component names found in the repository,
    `split` the words of a name written as one word (see learn_split)."""
    mine = _join(words(raw))
    return ServiceName(raw, frozenset(words(k) for k in known if _join(words(k)) != mine), split)


def learn_split(raw: str, texts: Iterable[str]) -> tuple[str, ...]:
    """The words a name written as one word (`featureflagservice`) has where the repository
    writes it apart (`feature-flag-service`, `FEATURE_FLAG_SERVICE_PORT`, `FeatureFlagService`):
    the most frequent split in `texts`, or () when the name has words already or is never split."""
    whole = words(raw)
    if len(whole) != 1 or len(whole[0]) < 2:
        return ()
    letters = whole[0]
    pattern = re.compile(r"(?<![A-Za-z0-9])(?i:" + r"[-_ ]?".join(re.escape(c) for c in letters) + r")(?![a-z0-9])")
    counts: dict[tuple[str, ...], int] = {}
    for text in texts:
        for m in pattern.finditer(text):
            split = tuple(w for part in re.split(r"[-_ ]", m.group()) for w in words(part))
            if len(split) > 1 and _join(split) == letters:
                counts[split] = counts.get(split, 0) + 1
    return max(counts, key=lambda k: (counts[k], k)) if counts else ()


def pointer_matches(name: ServiceName, value: Any) -> bool:
    """True when a scalar identifies, belongs to, or points into the service."""
    if not isinstance(value, str):
        return False
    value = value.strip()
    if name.owns(value) or name.in_path(value):
        return True
    if ".svc" in value or value.endswith(".local"):
        return name.identifies(value.split(".")[0])
    return False
