"""What the command line says besides its result and its errors, and how: the verbosity
(`-q`, `-v`), colour (`--color auto|always|never`, NO_COLOR) and the progress of a long run.

Progress goes to stderr once a run has taken DELAY seconds (a quick run prints nothing): one line
rewritten in place on a terminal, with the recipe step (or check rule) running, the files scanned
(each file a pass over the tree reads), the editors run (remove-service's per-file editors) and
the files edited. It shows only when stderr is a
terminal, unless `-v`, which also prints it where stderr is not one (a line every EVERY_LINE
seconds), each step as it starts and a tally at the end. `-q` shows no progress and no notes
(`note`): only errors and the result. Errors are never silenced.

The code that scans or edits reports to `progress()`, the reporter of the command running (a
silent one outside a command): counting costs an addition per file and a clock read.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, TextIO

DELAY = 1.0  # seconds before progress shows: a run shorter than this prints none
EVERY_LIVE = 0.1  # seconds between rewrites of the line on a terminal
EVERY_LINE = 1.0  # seconds between lines where stderr is not a terminal (-v)
COLORS = ("auto", "always", "never")


@dataclass(frozen=True)
class Settings:
    quiet: bool = False
    verbose: bool = False
    color: str = "auto"


_settings = Settings()


def configure(quiet: bool = False, verbose: bool = False, color: str = "auto") -> None:
    """Set the verbosity and colour of this process's commands (the CLI does, from its flags)."""
    global _settings
    _settings = Settings(quiet, verbose, color)


def settings() -> Settings:
    return _settings


def use_color(stream: TextIO) -> bool:
    """Whether to colour what goes to `stream`: always, never, or (auto) on a terminal unless
    NO_COLOR is set to anything but the empty string (no-color.org)."""
    if _settings.color != "auto":
        return _settings.color == "always"
    return _isatty(stream) and not os.environ.get("NO_COLOR")


def paint(text: str, sgr: str, stream: TextIO) -> str:
    """`text` in the ANSI colour `sgr` (`31`: red) when `stream` is coloured."""
    return f"\033[{sgr}m{text}\033[0m" if use_color(stream) else text


def note(message: str) -> None:
    """An informational line on stderr (`gitops-bot: message`), unless -q."""
    if not _settings.quiet:
        print(f"gitops-bot: {message}", file=sys.stderr)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """Counts of a run and, when shown, their line on `stream` (see the module notes)."""

    def __init__(self, stream: TextIO | None = None, label: str = "", *, live: bool = False,
                 lines: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.label = stream, label
        self.live, self.lines = live, lines  # rewrite one line (a terminal) / print lines (-v elsewhere)
        self.clock = clock
        self.scanned = self.editors = self.edited = 0
        self.step = ""
        self._start = clock()
        self._next = self._start + DELAY
        self._shown = False

    @property
    def enabled(self) -> bool:
        return self.live or self.lines

    def scan(self) -> None:
        """One more file read by a pass over the tree."""
        self.scanned += 1
        if self.live or self.lines:
            self._tick()

    def editor(self) -> None:
        """One more editor run on a file (whether it changes it or not)."""
        self.editors += 1
        if self.live or self.lines:
            self._tick()

    def edit(self) -> None:
        """One more file edited (or deleted)."""
        self.edited += 1
        if self.live or self.lines:
            self._tick()

    def begin(self, step: str, index: int, total: int) -> None:
        """Step `index` of `total` (a recipe operation, a check rule) starts."""
        self.step = f"{step} ({index}/{total})"
        if _settings.verbose and self.stream is not None:  # the step's line stands for the progress line
            self._write(f"gitops-bot: {self.label}: {self.step}", final=True)
        elif self.live or self.lines:
            self._tick()

    def close(self) -> None:
        """Clear the line on a terminal; with -v, the tally."""
        if self.stream is None:
            return
        if self._shown and self.live:
            self.stream.write("\r\033[K")
        if _settings.verbose:
            self.stream.write(f"gitops-bot: {self.label}: {self._counts()} in {self.clock() - self._start:.1f} s\n")
        self.stream.flush()

    def _counts(self) -> str:
        counts = [(self.scanned, "files scanned"), (self.editors, "editors run"), (self.edited, "files edited")]
        return ", ".join(f"{n:,} {what}" for i, (n, what) in enumerate(counts) if n or i == 0)

    def _tick(self) -> None:
        now = self.clock()
        if now < self._next:
            return
        self._next = now + (EVERY_LIVE if self.live else EVERY_LINE)
        step = f"{self.step}, " if self.step else ""
        self._write(f"gitops-bot: {self.label}: {step}{self._counts()}", final=not self.live)
        self._shown = True

    def _write(self, line: str, final: bool) -> None:
        if self.live:  # over the progress line, and a new line when this one stays
            self.stream.write(f"\r\033[K{line}" + ("\n" if final else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


_current = Progress()


def progress() -> Progress:
    """The reporter of the command running (a silent one outside a command)."""
    return _current


@contextmanager
def reporting(label: str, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic
              ) -> Iterator[Progress]:
    """Report the progress of the command `label` on `stream` (stderr) while it runs."""
    global _current
    stream = stream if stream is not None else sys.stderr
    tty = _isatty(stream)
    shown = not _settings.quiet and (tty or _settings.verbose)
    _current = Progress(stream, label, live=shown and tty, lines=shown and not tty, clock=clock)
    try:
        yield _current
    finally:
        if shown or _settings.verbose:
            _current.close()
        _current = Progress()
