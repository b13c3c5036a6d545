"""Score gitops-bot against real human refactorings (the corpus in bench/corpus/cases/).

For each case: materialise the repository at the base commit from a local bare mirror, run the
bot as a user would (`gitops-bot apply RECIPE PARAMS` on a copy), rebuild the human's tree (the
base plus the human commits' diffs), and compare the three trees:

- files deleted: recall and precision against the human's deletions;
- lines: of the lines the human removed or changed, how many the bot changed identically
  (recall); lines the bot changed that the human did not, split into those that mention the
  target (over-reach a reviewer sees at once) and those that do not (damage); each over line is
  listed, and those the repository's next commits touching its file made too are counted apart
  (conf, see confirm_over: evidence that the human forgot them);
- files the bot left invalid (they parsed before), references left to paths the bot deleted,
  mentions of the target left (bot vs human), the bot's exit code and time.

Stand-ins for the bot prove the scorer: `truth` replays the human's own diff (it must score
100% with zero damage), `sed` deletes every line and path naming the target (it must score
visibly worse).

    python bench/corpus/score.py --mirrors DIR [--bot gitops,truth,sed] [--case ID ...] [--out FILE]

A case may carry recorded lookup answers (`[case.lookups]`, see `Replay`): the bot is then run
with its real lookup code against local fakes over HTTP on 127.0.0.1 that give those answers,
pointed at them only through its documented environment (GITHUB_TOKEN, GITHUB_API_URL,
GITOPS_BOT_REGISTRY_URLS); nothing goes to the network.

Mirrors are bare clones at DIR/<owner>+<name>/repo. Without them nothing is run: the command
lists the mirrors it needs and exits 0 (CI never needs the network). Standard library and git
only; file validity is checked with the parsers the bot's own environment has, when present.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime
import difflib
import fnmatch
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the scorer's own helpers sit beside it
from dangling_imports import imports_of_deleted, line_reader  # noqa: E402

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
CASES = HERE / "cases"
BOT_TIMEOUT = 600
IGNORED_DIRS = (".git/", ".gitops-bot/apply/")
# git must never run anything of the repositories it reads.
GIT_ENV = {"PATH": os.environ.get("PATH", os.defpath), "HOME": tempfile.gettempdir(), "LC_ALL": "C.UTF-8",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0",
           "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.hooksPath", "GIT_CONFIG_VALUE_0": os.devnull}


# -- cases ----------------------------------------------------------------------------------
@dataclass
class Case:
    id: str
    repo: str
    kind: str
    base: str
    commits: list[str]
    recipe: str
    params: list[str]
    title: str = ""
    mention: str = ""
    exclude_paths: list[str] = field(default_factory=list)
    exclude_lines: list[str] = field(default_factory=list)
    excluded_why: str = ""
    notes: str = ""
    lookups: dict = field(default_factory=dict)  # recorded lookup answers, see Replay

    @property
    def mirror_name(self) -> str:
        return self.repo.replace("/", "+")

    def mention_regex(self) -> re.Pattern[str]:
        """What counts as a mention of the target: the case's own regex, else the spellings of
        the main parameter's value (`video-service`, `video_service`, `videoService`, ...)."""
        if self.mention:
            return re.compile(self.mention, re.IGNORECASE)
        value = self.params[0].split("=", 1)[1] if self.params else self.id
        words = [w for w in re.split(r"[-_.\s]+|(?<=[a-z0-9])(?=[A-Z])", value) if w]
        return re.compile(r"(?<![A-Za-z0-9])" + r"[-_ ]?".join(re.escape(w) for w in words) + r"(?![a-z0-9])",
                          re.IGNORECASE)

    def excluded(self, path: str) -> bool:
        return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(path, g.rstrip("/") + "/*")
                   for g in self.exclude_paths)

    def excluded_line(self, line: str) -> bool:
        return any(re.search(r, line) for r in self.exclude_lines)


def load_cases(folder: Path = CASES) -> list[Case]:
    """Every case of every `cases/*.toml` file, checked for the fields a case needs."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for raw in data.get("case", []):
            missing = [k for k in ("id", "kind", "base", "commits", "recipe", "params") if k not in raw]
            if missing:
                raise SystemExit(f"{path.name}: case {raw.get('id', '?')} lacks {', '.join(missing)}")
            known = {f for f in Case.__dataclass_fields__ if f != "repo"}
            unknown = set(raw) - known
            if unknown:
                raise SystemExit(f"{path.name}: case {raw['id']}: unknown keys {', '.join(sorted(unknown))}")
            case = Case(repo=data["repo"], **raw)
            Replay.check(path.name, case)
            cases.append(case)
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise SystemExit(f"duplicate case ids: {', '.join(duplicates)}")
    return cases


# -- trees ----------------------------------------------------------------------------------
def git(mirror: Path, *args: str, stdin: bytes | None = None, cwd: Path | None = None, env: dict | None = None) -> bytes:
    proc = subprocess.run(["git", f"--git-dir={mirror}", *args], input=stdin, capture_output=True, cwd=cwd,
                          env={**GIT_ENV, **(env or {})})
    if proc.returncode:
        raise RuntimeError(f"git {' '.join(args[:3])}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def materialise(mirror: Path, commit: str, target: Path) -> int:
    """The tree of `commit` written to `target` from git's objects (no checkout, so no hooks and
    no filters); returns how many blobs the mirror lacks (a mirror may omit very large files)."""
    target.mkdir(parents=True)
    entries = []
    for record in git(mirror, "ls-tree", "-r", "-z", "--full-tree", commit).split(b"\0"):
        if record:
            meta, path = record.split(b"\t", 1)
            mode, kind, sha = meta.split()
            if kind == b"blob":
                entries.append((mode.decode(), sha.decode(), path.decode("utf-8", "surrogateescape")))
    batch = subprocess.run(["git", f"--git-dir={mirror}", "cat-file", "--batch"], capture_output=True,
                           input="".join(sha + "\n" for _, sha, _ in entries).encode(), env=GIT_ENV).stdout
    missing, pos = 0, 0
    for mode, sha, path in entries:
        end = batch.index(b"\n", pos)
        header = batch[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing":
            missing += 1
            continue
        size = int(header[2])
        data, pos = batch[pos:pos + size], pos + size + 1
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            os.symlink(os.fsdecode(data), out)
        else:
            out.write_bytes(data)
            if mode == "100755":
                out.chmod(0o755)
    return missing


def human_tree(mirror: Path, case: Case, base: Path, target: Path) -> None:
    """The base with each human commit's diff applied in order."""
    shutil.copytree(base, target, symlinks=True)
    for commit in case.commits:
        patch = git(mirror, "diff", "--binary", "--no-renames", "--full-index", f"{commit}^", commit)
        proc = subprocess.run(["git", "apply", "--whitespace=nowarn", "--unsafe-paths", "-"], input=patch,
                              cwd=target, capture_output=True, env={**GIT_ENV, "GIT_CEILING_DIRECTORIES": str(target.parent)})
        if proc.returncode:
            raise RuntimeError(f"the diff of {commit[:12]} does not apply on the base: "
                               f"{proc.stderr.decode(errors='replace').strip().splitlines()[-1]}")


def files(root: Path) -> dict[str, Path]:
    """Every file (and symbolic link) under root by relative POSIX path, without ignored folders."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root).replace(os.sep, "/")
        rel = "" if rel == "." else rel + "/"
        if any((rel + "x").startswith(d) for d in IGNORED_DIRS):
            dirnames[:] = []
            continue
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            found[rel + name] = Path(dirpath) / name
    return found


def text_lines(path: Path | None) -> list[str] | None:
    """A file's lines (without line ends), or None for a binary, a link or a missing file."""
    if path is None or path.is_symlink() or not path.is_file():
        return None
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return None


# -- recorded lookups ---------------------------------------------------------------------
class Replay:
    """The lookup answers a case recorded, served by the project's own fakes (tests/fakes: an OCI
    registry per registry host, GitHub's latest-release, tags and trees endpoints) on 127.0.0.1 while
    the bot runs. The answers are what the human's commit wrote (the tag a floating reference got,
    the commit a `uses:` tag was pinned to), so they say what the registry or GitHub answered then;
    the case's notes say so. Anything not recorded is unknown to the fakes (HTTP 404).

        [case.lookups]
        releases = { "owner/repo" = "v0.2.0" }                       # latest release tag
        tags = { "owner/repo" = { "v4" = "<sha>", "v4.1.1" = "<sha>" } }   # tag -> commit
        images = { "busybox" = ["1.38.0"], "ghcr.io/o/i" = ["2.0.1"] }      # image -> its tags
        digests = { "busybox:1.38.0" = "sha256:..." }                # image:tag -> digest
        trees = { "owner/repo@v1.6.0" = ["config/install.yaml"] }     # files at a ref (GitHub trees)
    """

    KEYS = ("releases", "tags", "images", "digests", "trees")

    @classmethod
    def check(cls, file: str, case: Case) -> None:
        unknown = set(case.lookups) - set(cls.KEYS)
        if unknown:
            raise SystemExit(f"{file}: case {case.id}: unknown lookups {', '.join(sorted(unknown))}")

    @staticmethod
    def registry(image: str) -> tuple[str, str]:
        """(host, repository name) as a registry is asked: `busybox` is docker.io's library/busybox;
        a first component with a dot, a port or `localhost` is the host (Docker's rule)."""
        first, _, rest = image.partition("/")
        if rest and ("." in first or ":" in first or first == "localhost"):
            return first, rest
        return "docker.io", image if "/" in image else "library/" + image

    @classmethod
    @contextlib.contextmanager
    def serving(cls, lookups: dict):
        """The environment that points the bot at fakes answering `lookups` (empty: none)."""
        if not lookups:
            yield {}
            return
        sys.path.insert(0, str(PROJECT))
        from tests.fakes.registries import FakeRegistry
        from tests.fakes.releases import FakeReleases

        hosts: dict[str, dict[str, list[str]]] = collections.defaultdict(dict)
        for image, tags in lookups.get("images", {}).items():
            host, name = cls.registry(image)
            hosts[host][name] = list(tags)
        digests: dict[str, dict[str, str]] = collections.defaultdict(dict)
        for ref, digest in lookups.get("digests", {}).items():
            image, tag = ref.rsplit(":", 1)
            host, name = cls.registry(image)
            digests[host][f"{name}:{tag}"] = digest
            if tag not in hosts[host].setdefault(name, []):  # a digest is a tag's
                hosts[host][name].append(tag)
        with contextlib.ExitStack() as stack:
            github = stack.enter_context(FakeReleases(lookups.get("releases", {}), tags=lookups.get("tags", {}),
                                                      trees=lookups.get("trees", {})))
            registries = {host: stack.enter_context(FakeRegistry(images, digests=digests[host]))
                          for host, images in hosts.items()}
            yield {"GITHUB_TOKEN": "corpus-replay", "GITHUB_API_URL": github.url,
                   "GITOPS_BOT_REGISTRY_URLS": ",".join(f"{h}={r.url}" for h, r in registries.items())}


# -- bots -----------------------------------------------------------------------------------
def run_gitops_bot(case: Case, repo: Path, base: Path, human: Path) -> tuple[int, float, str]:
    env = {k: v for k, v in os.environ.items() if not re.search(r"TOKEN|^GITHUB_|^GH_|^GITOPS_BOT_", k)}
    env["PYTHONPATH"] = str(PROJECT)
    start = time.monotonic()
    with Replay.serving(case.lookups) as replay:
        proc = subprocess.run([sys.executable, "-m", "gitops_bot.cli", "apply", case.recipe, *case.params,
                               "--repo", str(repo), "--format", "json"], capture_output=True, text=True,
                              env={**env, **replay}, timeout=BOT_TIMEOUT)
    message = (proc.stderr.strip().splitlines() or [""])[-1]
    LISTED[repo] = listed_lines(proc.stdout)
    REPORTED[repo] = _entries(proc.stdout)
    return proc.returncode, time.monotonic() - start, message


# The lines each gitops-bot run listed for a human (its residue and refused edits), by the tree it
# ran on, as (path, stripped text): a mention it left is "unlisted" when it is not among them.
LISTED: dict[Path, set[tuple[str, str]]] = {}


REPORTED: dict[Path, int] = {}  # how many entries each run's report held


def _entries(report: str) -> int:
    try:
        data = json.loads(report)
    except ValueError:
        return 0
    return len(data.get("residue", [])) + len(data.get("refused", []))


def listed_lines(report: str) -> set[tuple[str, str]]:
    """(path, stripped text) of every residue and refused entry of an `apply --format json` report."""
    try:
        data = json.loads(report)
    except ValueError:
        return set()
    entries = [*data.get("residue", []), *data.get("refused", [])]
    return {(e.get("path", ""), str(e.get("text", "")).strip()) for e in entries if isinstance(e, dict)}


def run_truth(case: Case, repo: Path, base: Path, human: Path) -> tuple[int, float, str]:
    """The human's own change as the "bot": proves the scorer (100%, zero damage)."""
    shutil.rmtree(repo)
    shutil.copytree(human, repo, symlinks=True)
    return 0, 0.0, ""


def run_sed(case: Case, repo: Path, base: Path, human: Path) -> tuple[int, float, str]:
    """A naive stand-in: removals delete every path and line naming the target; version changes
    replace every match of the mention regex with the new version."""
    regex = case.mention_regex()
    new_version = dict(p.split("=", 1) for p in case.params).get("version")
    removal = case.kind == "remove-service"
    for rel, path in sorted(files(repo).items(), reverse=True):
        if removal and regex.search(rel):
            path.unlink()
            continue
        lines = text_lines(path)
        if lines is None:
            continue
        if removal:
            kept = [line for line in lines if not regex.search(line)]
        elif new_version:
            kept = [regex.sub(new_version, line) for line in lines]
        else:
            continue
        if kept != lines:
            path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
    return 0, 0.0, ""


BOTS = {"gitops": run_gitops_bot, "truth": run_truth, "sed": run_sed}


# -- comparison -----------------------------------------------------------------------------
@dataclass
class Score:
    case: str
    kind: str
    bot: str
    exit_code: int = 0
    seconds: float = 0.0
    message: str = ""
    error: str = ""
    human_deleted: int = 0
    bot_deleted: int = 0
    deleted_both: int = 0
    human_lines: int = 0
    matched_lines: int = 0
    extra_target: int = 0
    damage: int = 0
    invalid: list[str] = field(default_factory=list)
    dangling: int = 0
    dangling_human: int = 0
    dangling_where: list[str] = field(default_factory=list)  # `path:line: text` of each dangling line
    imported: int = 0  # import lines of live files that resolve to a file the bot deleted
    imported_human: int = 0
    mentions_bot: int = 0
    mentions_human: int = 0
    # `path:line: text` of each line naming the target that the bot left and the human's tree lacks
    mentions_where: list[str] = field(default_factory=list)
    # gitops-bot only: `path:line: text` of each mention it left that its report does not list
    # (residue or refused): the ones a reviewer would not be told about; None when not measured
    mentions_unlisted: list[str] | None = None
    missed: dict[str, int] = field(default_factory=dict)  # path -> human lines the bot did not match
    # of the human's removed or changed lines the bot did not reproduce, those its report does not
    # list either (`path:line: text`): the misses a reviewer would not be told about
    silent: list[str] = field(default_factory=list)
    listed: int = 0  # entries of the bot's report (residue and refused edits)
    # gitops-bot only: files a second run of the same command changed (a run must be a no-op on
    # its own result); None when not measured (another bot, or a first run that did not succeed)
    second_run: list[str] | None = None
    damaged: dict[str, int] = field(default_factory=dict)  # path -> damage lines
    # each over line: {path, side, line, text, old, new, confirmed, how}, see _over_entries and confirm_over
    over_where: list[dict] = field(default_factory=list)
    over_confirmed: int = 0  # over lines a later commit of the repository made too (confirm_over)
    # gitops-bot only: `path:line: text` of each mention it left that the repository's next commits
    # touching the file removed (stale_mentions): a reference the repository itself held to be dead,
    # which a reviewer would want gone; None when not measured
    mentions_stale: list[str] | None = None
    mentions_stale_human: int | None = None  # the same count for the human's tree

    @property
    def line_recall(self) -> float:
        return self.matched_lines / self.human_lines if self.human_lines else 1.0

    @property
    def file_recall(self) -> float:
        return self.deleted_both / self.human_deleted if self.human_deleted else 1.0

    @property
    def file_precision(self) -> float:
        return self.deleted_both / self.bot_deleted if self.bot_deleted else 1.0

    @property
    def exact(self) -> bool:
        return (not self.error and self.exit_code in (0, 1) and self.matched_lines == self.human_lines
                and self.deleted_both == self.human_deleted == self.bot_deleted and not self.extra_target
                and not self.damage and not self.invalid)


def line_changes(before: list[str], after: list[str] | None,
                 prefer: set[int] | None = None) -> tuple[set[int], collections.Counter]:
    """(indices of `before` lines removed or replaced, added lines as a multiset).

    A pure deletion among repeated lines can sit at several places with the same result
    (`a: / x / b: / x` less `b: / x` is also less `x / b:`). With `prefer` (the human's removed
    lines), the bot's deletion is placed where it overlaps them most, so an identical deletion
    is matched whatever else in the file made the diff align it elsewhere."""
    if after is None or after == before:
        return set(), collections.Counter()
    removed: set[int] = set()
    added: collections.Counter = collections.Counter()
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    for k, (tag, a1, a2, b1, b2) in enumerate(ops):
        if tag == "delete" and prefer:
            limit = next((op[1] for op in ops[k + 1:] if op[0] != "equal"), len(before))
            a1, a2 = _best_place(before, a1, a2, limit, removed, prefer)
        if tag != "equal":
            removed.update(range(a1, a2))
            added.update(after[b1:b2])
    return removed, added


def inserted_lines(before: list[str], after: list[str] | None) -> collections.Counter:
    """The lines `after` adds where nothing of `before` was removed or replaced (a pure insertion),
    as a multiset: a replaced line's miss is told by the line it replaces (silent misses)."""
    if after is None or after == before:
        return collections.Counter()
    ops = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    return collections.Counter(line for tag, _, _, b1, b2 in ops if tag == "insert" for line in after[b1:b2])


def _best_place(before: list[str], a1: int, a2: int, limit: int, taken: set[int], prefer: set[int]) -> tuple[int, int]:
    """The equivalent place of the deletion before[a1:a2] (slid over equal lines, not past
    `limit` nor into `taken`) that overlaps `prefer` most; the original one on a tie."""
    places = [(a1, a2)]
    up, down = (a1, a2), (a1, a2)
    while up[0] > 0 and up[0] - 1 not in taken and before[up[0] - 1] == before[up[1] - 1]:
        up = (up[0] - 1, up[1] - 1)
        places.append(up)
    while down[1] < limit and before[down[0]] == before[down[1]]:
        down = (down[0] + 1, down[1] + 1)
        places.append(down)
    return max(places, key=lambda p: len(prefer.intersection(range(*p))))


def compare(case: Case, base: Path, human: Path, bot: Path, score: Score) -> None:
    regex = case.mention_regex()
    B, H, T = files(base), files(human), files(bot)
    human_deleted = {p for p in B if p not in H and not case.excluded(p)}
    bot_deleted = {p for p in B if p not in T and not case.excluded(p)}
    score.human_deleted, score.bot_deleted = len(human_deleted), len(bot_deleted)
    score.deleted_both = len(human_deleted & bot_deleted)
    for path in sorted(set(B) | set(H) | set(T)):  # a file the human added counts even if the bot did not
        if case.excluded(path):
            continue
        before = text_lines(B.get(path)) if path in B else []
        if before is None:
            continue
        human_after = text_lines(H.get(path)) if path in H else None
        bot_after = text_lines(T.get(path)) if path in T else None
        damage_before = score.damage
        if path in B and path not in H:  # the human deleted it: scored as a file, not as lines
            if bot_after is not None and bot_after != before:
                _over(score, path, _count_extra(case, regex, score, before, *line_changes(before, bot_after), set(),
                                                collections.Counter(), after=bot_after))
            _note(score.damaged, path, score.damage - damage_before)
            continue
        h_removed, h_added = line_changes(before, human_after)
        h_removed = {i for i in h_removed if not case.excluded_line(before[i])}
        h_added = collections.Counter({k: v for k, v in h_added.items() if not case.excluded_line(k)})
        human_here = len(h_removed) + sum(h_added.values())
        score.human_lines += human_here
        if path not in T and path in B:  # the bot deleted a file the human kept
            _note(score.missed, path, human_here)
            _over(score, path, _count_extra(case, regex, score, before, set(range(len(before))),
                                            collections.Counter(), h_removed, h_added))
            _note(score.damaged, path, score.damage - damage_before)
            continue
        b_removed, b_added = line_changes(before, bot_after, prefer=h_removed)
        if bot in LISTED:  # the human's lines the bot neither changed nor listed: silent misses
            score.silent += [f"{path}:{i + 1}: {before[i].strip()}" for i in sorted(h_removed - b_removed)
                             if (path, before[i].strip()) not in LISTED[bot]]
            # a line the human inserted (nothing of the tree before was replaced there) has no
            # line of its own to list: silent when the report lists nothing in its file (a blank
            # line has nothing to tell)
            # (the human's diff is taken again only when an added line is missed: most files have none)
            if h_added - b_added and not any(listed_path == path for listed_path, _ in LISTED[bot]):
                inserted = inserted_lines(before, human_after) & h_added
                score.silent += [f"{path}: +{text.strip()}" for text in sorted((inserted - b_added).elements())
                                 if text.strip()]
        matched_here = len(h_removed & b_removed) + sum((h_added & b_added).values())
        score.matched_lines += matched_here
        _note(score.missed, path, human_here - matched_here)
        _over(score, path, _count_extra(case, regex, score, before, b_removed, b_added, h_removed, h_added,
                                        edited_mentions(before, bot_after, regex), after=bot_after))
        _note(score.damaged, path, score.damage - damage_before)
        if bot_after is not None and bot_after != before and not _valid(path, bot_after) and _valid(path, before):
            score.invalid.append(path)
    score.dangling_where = _dangling(bot_deleted, T, case)
    score.dangling = len(score.dangling_where)
    score.dangling_human = len(_dangling(human_deleted, H, case))
    score.imported = imports_of_deleted(T, bot_deleted, line_reader([T, B], text_lines))
    score.imported_human = imports_of_deleted(H, human_deleted, line_reader([H, B], text_lines))
    bot_mentions, human_mentions = _mention_lines(T, case, regex), _mention_lines(H, case, regex)
    score.mentions_bot, score.mentions_human = len(bot_mentions), len(human_mentions)
    score.mentions_where = _mentions_beyond(bot_mentions, human_mentions)
    if bot in LISTED:
        score.mentions_unlisted = _unlisted(bot_mentions, LISTED[bot])
        score.listed = REPORTED.get(bot, 0)


def _over(score: Score, path: str, entries: list[dict]) -> None:
    score.over_where += [{"path": path, **e} for e in entries]


def _note(tally: dict[str, int], path: str, n: int) -> None:
    if n:
        tally[path] = tally.get(path, 0) + n


def file_kind(path: str) -> str:
    """A reviewer's name for the kind of file, to group misses and damage."""
    base = path.rsplit("/", 1)[-1].lower()
    suffix = os.path.splitext(base)[1]
    if path.startswith(".github/workflows/"):
        return "workflow YAML"
    if base.startswith(("docker-compose", "compose")) and suffix in (".yml", ".yaml"):
        return "compose"
    if base.startswith(".env") or suffix == ".env":
        return ".env"
    if base.startswith("dockerfile") or suffix == ".dockerfile":
        return "Dockerfile"
    if base in ("kustomization.yaml", "kustomization.yml"):
        return "kustomization"
    if base in ("chart.yaml", "values.yaml") or "/templates/" in "/" + path:
        return "Helm chart"
    if suffix in (".yaml", ".yml"):
        return "other YAML"
    named = {".md": "Markdown", ".tf": "Terraform", ".tfvars": "Terraform", ".hcl": "HCL", ".sh": "shell",
             ".bash": "shell", ".json": "JSON", ".mk": "Makefile", ".py": "Python", ".go": "Go", ".mod": "go.mod",
             ".ts": "TypeScript", ".js": "JavaScript", ".toml": "TOML", ".txt": "text", ".cfg": "config",
             ".ini": "config", ".sql": "SQL", ".rst": "reStructuredText", ".mdx": "Markdown"}
    if base in ("makefile", "gnumakefile"):
        return "Makefile"
    return named.get(suffix, "other")


def edited_mentions(before: list[str], after: list[str] | None, regex: re.Pattern[str]) -> collections.Counter:
    """The lines of `after` that rewrite a line naming the target (`Gitea, Seafile, Jellyfin` ->
    `Gitea, Jellyfin`): in a replaced run of lines, as many added lines as the run has removed lines
    naming the target. Such a line is part of an edit of a mention, over-reach when the human did
    not make it, not damage to a line that never named the target."""
    if after is None or after == before:
        return collections.Counter()
    paired: collections.Counter = collections.Counter()
    for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "replace":
            naming = sum(1 for line in before[a1:a2] if regex.search(line))
            paired.update(after[b1:b1 + min(naming, b2 - b1)])
    return paired


# blank, comment-only, punctuation-only (`},`, `###`), or a shell pause (`sleep 5`: it does nothing
# but wait, so between a removed deploy step and its removed wait it is part of the step)
_STRUCTURAL_RE = re.compile(r"^\s*(?:[#/;*-].*|[\W_]*|sleep\s+\d+[smh]?\s*)$")


def removed_with_mentions(before: list[str], removed: set[int], regex: re.Pattern[str],
                          theirs: set[int] | frozenset[int] = frozenset()) -> set[int]:
    """Removed lines that carry nothing of their own and went with a removed run naming the target:
    in a run of consecutive removed lines whose every other line names it (or is in `theirs`: lines
    the human removed too, or the case excludes, which belong to the target's block by the human's
    own judgement, or lies in the body of such a line: _bodies), those body lines, the blank lines,
    brace- and banner-only lines, and (when the run closes its
    group: a blank line, a comment or the end follows) comment lines. Such a line is part of
    removing the target's block (its heading, its separator, its braces), over-reach when the human
    did not do it, not damage to something else; except one blank line of a run that glues two
    blocks the blank line separated, which is damage.

    Three blocks name the target once, not on each line: a Kubernetes object removed whole whose
    `metadata` `name` or `namespace` names it (a Service `kubearmor-metrics` in namespace
    `kubearmor`: _named_objects), an HTML or JSX element removed whole, its tags on lines of their
    own, whose links all name it (a docs page's card linking to the target's page: _named_elements),
    and a key the removal emptied (`dependsOn:` whose only entry was `- name: volsync`:
    _emptied_keys); each belongs to the target's block as a body does."""
    own = _named_objects(before, removed, regex) | _named_elements(before, removed, regex)
    own |= _emptied_keys(before, removed, regex, set(theirs) | own)
    theirs = set(theirs) | own
    found: set[int] = set(own)
    for start, end in _runs(sorted(removed)):
        lines = before[start:end]
        structural = [i for i in range(start, end) if _STRUCTURAL_RE.match(before[i])]
        content = [i for i in range(start, end) if i not in structural]
        # heads: the run's lines naming the target (a YAML item `- name: ff` is one, though its
        # dash makes it look structural), or the human's own
        heads = [i for i in range(start, end) if regex.search(before[i]) or i in theirs]
        body = _bodies(before, end, heads)
        if not any(regex.search(before[i]) for i in heads) or \
                not all(regex.search(before[i]) or i in theirs or i in body for i in content):
            continue
        found.update(body)
        closed = (not lines[-1].strip() or end >= len(before) or not before[end].strip()
                  or before[end].lstrip().startswith("#"))
        keep = [i for i in structural if closed or not before[i].lstrip().startswith(("#", "//"))]
        blanks = [i for i in keep if not before[i].strip()]
        if blanks and _glues(before, start, end):
            keep.remove(blanks[0])
        found.update(keep)
    return found


_OBJECT_FIELD_RE = re.compile(r"^(?:apiVersion|kind):")
_METADATA_NAME_RE = re.compile(r"^\s+(?:name|namespace):\s*(?P<value>\S.*)$")
_BARE_KEY_RE = re.compile(r"^(?P<indent>\s*)[\w.\-\"']+:\s*(?:#.*)?$")


def _named_objects(before: list[str], removed: set[int], regex: re.Pattern[str]) -> set[int]:
    """The lines of each Kubernetes object (a YAML document with `apiVersion:` and `kind:`) the
    bot removed whole, with the `---` before it when that went too, whose `metadata` gives a
    `name` or `namespace` naming the target: the target's own object, line by line."""
    found: set[int] = set()
    separators = [i for i, line in enumerate(before) if line.rstrip() == "---"]
    for start, end in zip([0] + [i + 1 for i in separators], separators + [len(before)]):
        lines = [i for i in range(start, end) if before[i].strip()]
        if not lines or not all(i in removed for i in lines) or \
                sum(1 for i in lines if _OBJECT_FIELD_RE.match(before[i])) < 2:
            continue
        if any(_METADATA_NAME_RE.match(before[i]) and regex.search(before[i]) for i in _metadata(before, lines)):
            found.update(i for i in range(start, end) if i in removed)
            if start - 1 in removed:
                found.add(start - 1)
    return found


_ELEMENT_OPEN_RE = re.compile(r"^\s*<(?P<tag>[A-Za-z][\w-]*)\b[^<>]*(?<!/)>\s*$")
_LINK_RE = re.compile(r"""\bhref\s*=|\]\(""")


def _named_elements(before: list[str], removed: set[int], regex: re.Pattern[str]) -> set[int]:
    """The lines of each HTML or JSX element the bot removed whole (its opening tag alone on its
    line, through the line of its matching closing tag) whose links all name the target: a card
    of a docs page leading to the target's page."""
    found: set[int] = set()
    for i in sorted(removed):
        m = _ELEMENT_OPEN_RE.match(before[i])
        if not m or i in found:
            continue
        opening, closing = re.compile(rf"<{m.group('tag')}\b[^<>]*?(?<!/)>"), f"</{m.group('tag')}>"
        depth, end = 0, None
        for j in range(i, len(before)):
            depth += len(opening.findall(before[j])) - before[j].count(closing)
            if depth <= 0:
                end = j
                break
        if end is None or end == i:
            continue
        span = range(i, end + 1)
        links = [j for j in span if _LINK_RE.search(before[j])]
        if all(j in removed for j in span if before[j].strip()) and links and \
                all(regex.search(before[j]) for j in links):
            found.update(j for j in span if j in removed)
    return found


def _metadata(before: list[str], lines: list[int]) -> list[int]:
    """The lines under a document's top-level `metadata:` key, at its first level."""
    head = next((i for i in lines if before[i].rstrip() == "metadata:"), None)
    if head is None:
        return []
    body = [i for i in lines if i > head]
    stop = next((k for k, i in enumerate(body) if not before[i][0].isspace()), len(body))
    body = body[:stop]
    if not body:
        return []
    level = min(len(before[i]) - len(before[i].lstrip()) for i in body)
    return [i for i in body if len(before[i]) - len(before[i].lstrip()) == level]


def _emptied_keys(before: list[str], removed: set[int], regex: re.Pattern[str], theirs: set[int]) -> set[int]:
    """Removed keys without a value of their own (`dependsOn:`) whose whole body the bot removed,
    each entry of it naming the target (or removed by the human too), with whatever is nested
    under the entry: the key the removal left empty."""
    found: set[int] = set()
    for i in sorted(removed):
        key = _BARE_KEY_RE.match(before[i])
        if not key:
            continue
        indent, body = len(key.group("indent")), []
        for j in range(i + 1, len(before)):
            if before[j].strip():
                if len(before[j]) - len(before[j].lstrip()) <= indent:
                    break
                body.append(j)
        if not body or not all(j in removed for j in body):
            continue
        level = min(len(before[j]) - len(before[j].lstrip()) for j in body)
        entries = [j for j in body if len(before[j]) - len(before[j].lstrip()) == level]
        if all(regex.search(before[j]) or j in theirs for j in entries):
            found.add(i)
    return found


def _bodies(before: list[str], end: int, heads: list[int]) -> set[int]:
    """The lines indented under each head (up to `end`): the body of the YAML entry or HCL block
    the head line opens (`- name: spegel` and its `namespace:`, `version:` lines; a dashboard
    map under `unpackerr:`). Removing an entry named for the target removes its body with it;
    that is over-reach on the target when the human kept it, not damage to something else."""
    found: set[int] = set()
    for head in heads:
        indent = len(before[head]) - len(before[head].lstrip())
        for i in range(head + 1, end):
            if not before[i].strip():
                continue
            if len(before[i]) - len(before[i].lstrip()) <= indent:
                break
            found.add(i)
    return found


def _glues(before: list[str], start: int, end: int) -> bool:
    """Removing before[start:end], which holds a blank line, joins two blocks that blank line
    separated: non-blank lines on both sides, wherever the same deletion can sit (a diff's choice
    among equal placements, `#### / a / (blank) / ####` or `a / (blank) / #### / ####`, is arbitrary)."""
    places = [(start, end)]
    s, e = start, end
    while s > 0 and before[s - 1] == before[e - 1]:
        s, e = s - 1, e - 1
        places.append((s, e))
    s, e = start, end
    while e < len(before) and before[s] == before[e]:
        s, e = s + 1, e + 1
        places.append((s, e))
    return all(s > 0 and before[s - 1].strip() and e < len(before) and before[e].strip() for s, e in places)


def _runs(indices: list[int]):
    """(start, end) of each run of consecutive indices."""
    start = prev = None
    for i in indices:
        if start is None or i != prev + 1:
            if start is not None:
                yield start, prev + 1
            start = i
        prev = i
    if start is not None:
        yield start, prev + 1


def _count_extra(case, regex, score, before, b_removed, b_added, h_removed, h_added,
                 rewrites: collections.Counter | None = None, after: list[str] | None = None) -> list[dict]:
    """Lines the bot changed that the human did not: mentioning the target (or rewriting a line that
    did: `rewrites`, see edited_mentions; or going with a removed run that names it:
    removed_with_mentions), or damage. Returns the over lines (see _over_entries)."""
    theirs = h_removed | {i for i in b_removed if case.excluded_line(before[i])}
    with_mentions = removed_with_mentions(before, b_removed, regex, theirs)
    over_removed, over_added = [], collections.Counter()
    for i in sorted(b_removed - h_removed):
        if not case.excluded_line(before[i]):
            if regex.search(before[i]) or i in with_mentions:
                score.extra_target += 1
                over_removed.append(i)
            else:
                score.damage += 1
    rewrites = rewrites or collections.Counter()
    for line, n in (b_added - h_added).items():
        if not case.excluded_line(line):
            over = n if regex.search(line) else min(n, rewrites[line])
            score.extra_target += over
            score.damage += n - over
            if over:
                over_added[line] = over
    return _over_entries(before, after, over_removed, over_added)


def _over_entries(before: list[str], after: list[str] | None, removed: list[int],
                  added: collections.Counter) -> list[dict]:
    """Each over line as {side, line, text, old, new}: side `-` is a line of the base (`line`
    numbers it there), side `+` a line of the bot's result (`line` numbers it there); `old` and
    `new` are the two sides of the bot's edit of that line when the edit replaced it, else None."""
    into: dict[int, str] = {}  # base index -> the bot's line in its place
    places: dict[str, list[tuple[int, str | None]]] = collections.defaultdict(list)  # added -> (index, old)
    if after is not None and after != before:
        for tag, a1, a2, b1, b2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
            if tag == "equal":
                continue
            pairs = min(a2 - a1, b2 - b1) if tag == "replace" else 0
            into.update({a1 + k: after[b1 + k] for k in range(pairs)})
            for k in range(b2 - b1):
                places[after[b1 + k]].append((b1 + k, before[a1 + k] if k < pairs else None))
    entries = [{"side": "-", "line": i + 1, "text": before[i], "old": before[i] if i in into else None,
                "new": into.get(i)} for i in removed]
    for text, n in added.items():
        entries += [{"side": "+", "line": j + 1, "text": text, "old": old, "new": text if old is not None else None}
                    for j, old in places.get(text, [])[:n]]
    return entries


def _valid(path: str, lines: list[str]) -> bool:
    """True unless the file's parser rejects it (YAML without template actions, JSON, HCL,
    shell); a parser that is not installed accepts everything."""
    text = "\n".join(lines) + "\n"
    suffix = os.path.splitext(path)[1].lower()
    try:
        if suffix in (".yaml", ".yml") and "{{" not in text:
            from ruamel.yaml import YAML

            list(YAML(typ="safe").load_all(text))
        elif suffix == ".json":
            json.loads(text)
        elif suffix in (".tf", ".tfvars"):
            import hcl2

            hcl2.loads(text)
        elif suffix in (".sh", ".bash"):
            proc = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, timeout=20,
                                  env={"PATH": os.environ.get("PATH", os.defpath)})
            return proc.returncode == 0
    except ImportError:
        return True
    except Exception:  # any parser's error means invalid
        return False
    return True


def _deleted_roots(deleted: set[str], remaining: Iterable[str]) -> set[str]:
    """The deleted paths as a reviewer names them: whole deleted folders (the top-most folder,
    two segments deep or more, none of whose files is left), plus lone files. A folder that
    keeps a file is not deleted: naming it (`path: ./infrastructure/controllers` after one
    file of it went) points at nothing deleted."""
    live = {"/".join(parts[:i]) for p in remaining for parts in [p.split("/")] for i in range(1, len(parts))}
    roots = set()
    for path in deleted:
        parts, root = path.split("/"), path
        for i in range(len(parts) - 1, 1, -1):  # parent folders, deepest first, two segments or more
            folder = "/".join(parts[:i])
            if folder in live:
                break
            root = folder
        roots.add(root)
    return {r for r in roots if not any(r != o and r.startswith(o + "/") for o in roots)}


def _dangling(deleted: set[str], tree: dict[str, Path], case: Case) -> list[str]:
    """Lines of live files that still name a deleted folder or file by its path, each as
    `path:line: text` (the count is their number): from the repository's root, or relative to
    the file's folder (`../add-ons/x.md` in a Markdown link), or in a MkDocs configuration to
    its docs folder (`nav:` entries)."""
    roots = _deleted_roots(deleted, tree)
    if not roots:
        return []
    regex = re.compile(r"(?<![\w.-])(?:\./)?(?:" + "|".join(re.escape(r) for r in sorted(roots)) + r")(?![\w.-])")
    names = re.compile("|".join(re.escape(n) for n in sorted({r.rsplit("/", 1)[-1] for r in roots})))
    found = []
    for path, full in sorted(tree.items()):
        if case.excluded(path):
            continue
        folders = [posixpath.dirname(path)]
        if posixpath.basename(path) in ("mkdocs.yml", "mkdocs.yaml"):
            folders.append(posixpath.join(posixpath.dirname(path), _docs_dir(full)))
        found += [f"{path}:{n}: {line.strip()[:200]}" for n, line in enumerate(text_lines(full) or [], 1)
                  if regex.search(line) or names.search(line) and _names_relative(line, folders, roots)]
    return found


_PATH_WORD_RE = re.compile(r"[\w.@~+-]*(?:/[\w.@~+-]+)+/?")


def _names_relative(line: str, folders: list[str], roots: set[str]) -> bool:
    """Whether a relative path on the line, read from one of `folders`, is or lies in a root."""
    for word in _PATH_WORD_RE.findall(line):
        if word.startswith("/"):
            continue
        for folder in folders:
            path = posixpath.normpath(posixpath.join(folder, word))
            if not path.startswith("..") and any(path == r or path.startswith(r + "/") for r in roots):
                return True
    return False


def _docs_dir(full: Path) -> str:
    m = re.search(r"^docs_dir:[ \t]*['\"]?([^'\"#\s]+)", "\n".join(text_lines(full) or []), re.MULTILINE)
    return m.group(1) if m else "docs"


def _names_target(case: Case, regex: re.Pattern[str], line: str) -> bool:
    """A line that counts as a mention: it names the target and is not one of the case's
    excluded lines (those the scoring already holds to be outside the asked change, such as a
    sentence the human rewrote around new content; they count for neither side)."""
    return bool(regex.search(line)) and not case.excluded_line(line)


Mention = tuple[str, int, str]  # path, line number, the line


def _mention_lines(tree: dict[str, Path], case: Case, regex: re.Pattern[str]) -> list[Mention]:
    """Every line of `tree` that counts as a mention, read once for all the figures below."""
    return [(path, n, line) for path, full in sorted(tree.items()) if not case.excluded(path)
            for n, line in enumerate(text_lines(full) or [], 1) if _names_target(case, regex, line)]


def _where(mention: Mention) -> str:
    path, n, line = mention
    return f"{path}:{n}: {line.strip()[:200]}"


def _mentions_beyond(bot: list[Mention], human: list[Mention]) -> list[str]:
    """The bot's mentions (`path:line: text`) that the human's tree does not have in the same
    file (as many times): the mentions a reviewer would still have to find."""
    kept = collections.Counter((path, line) for path, _, line in human)
    found = []
    for path, n, line in bot:
        if kept[path, line]:
            kept[path, line] -= 1
        else:
            found.append(_where((path, n, line)))
    return found


def _unlisted(bot: list[Mention], listed: set[tuple[str, str]]) -> list[str]:
    """The bot's mentions (`path:line: text`) that are not among the `listed` lines."""
    return [_where(m) for m in bot if (m[0], m[2].strip()) not in listed]


# -- running --------------------------------------------------------------------------------
def score_case(case: Case, mirror: Path, bots: list[str]) -> list[Score]:
    scores = []
    with tempfile.TemporaryDirectory(prefix=f"corpus-{case.id}-") as tmp:
        tmp = Path(tmp)
        base, human = tmp / "base", tmp / "human"
        try:
            materialise(mirror, case.base, base)
            human_tree(mirror, case, base, human)
        except RuntimeError as exc:
            return [Score(case.id, case.kind, bot, error=str(exc)) for bot in bots]
        for bot in bots:
            score = Score(case.id, case.kind, bot)
            tree = tmp / f"bot-{bot}"
            shutil.copytree(base, tree, symlinks=True)
            try:
                score.exit_code, score.seconds, score.message = BOTS[bot](case, tree, base, human)
            except subprocess.TimeoutExpired:
                score.error = f"timed out after {BOT_TIMEOUT} s"
            compare(case, base, human, tree, score)
            if bot == "gitops":
                confirm_over(mirror, case, human, score)
                if case.kind == "remove-service":  # a version case's next bump moves every mention on
                    stale_mentions(mirror, case, human, tree, score)
            if bot == "gitops" and not score.error and score.exit_code in (0, 1):
                score.second_run = second_run(case, tree, base, human)
            scores.append(score)
    return scores


CONFIRM_COMMITS = 5  # how many later commits touching a file confirm_over reads
_TOKEN = re.compile(r"[\w.+-]")  # what a version-like token is made of (where an edited span is widened to)
_NUMBER = re.compile(r"\d+(?:\.\d+)*")


def later_versions(mirror: Path, case: Case, path: str,
                   limit: int = CONFIRM_COMMITS) -> list[tuple[str, list[str] | None]]:
    """(commit, the file's lines there; None where it is deleted) at each of the next `limit`
    commits that touch the file after the human's last commit (its descendants on the way to
    the mirror's HEAD, oldest first)."""
    try:
        shas = git(mirror, "log", "--format=%H", "--reverse", "--ancestry-path", f"{case.commits[-1]}..HEAD", "--",
                   path).decode().split()[:limit]
    except RuntimeError:
        return []
    versions = []
    for sha in shas:
        try:
            data = git(mirror, "show", f"{sha}:{path}")
        except RuntimeError:
            versions.append((sha, None))
            continue
        if b"\0" not in data[:8192]:  # a binary file holds no line
            versions.append((sha, data.decode("utf-8", "replace").splitlines()))
    return versions


def edit_slot(old: str, new: str) -> tuple[str, str, str, str]:
    """(prefix, old token, new token, suffix) of a one-line edit: the span that differs, widened to
    whole version-like tokens (`1.28.0` -> `1.29.0` is the whole number, not its `8`)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    while start and _TOKEN.match(old[start - 1]):
        start -= 1
    while end and _TOKEN.match(old[len(old) - end]):
        end -= 1
    return old[:start], old[start:len(old) - end], new[start:len(new) - end], old[len(old) - end:]


def _number(token: str) -> tuple[int, ...] | None:
    found = _NUMBER.search(token)
    return tuple(int(x) for x in found.group().split(".")) if found else None


def _moved_on(entry: dict, human_lines: list[str], later: list[tuple[str, list[str] | None]]) -> tuple[str, int]:
    """(the first later commit that moves lines shaped as this one-line edit's off its old token to
    a version at least as new as the bot's (`1.28.0` -> the bot's `1.29.0`, later `1.29.1`), how
    many more such lines it has than the human's tree); ("", 0) if there is none."""
    prefix, old, new, suffix = edit_slot(entry["old"], entry["new"])
    shape = re.compile(re.escape(prefix) + "(.+?)" + re.escape(suffix) + "$")
    asked = _number(new)
    if asked is None:
        return "", 0

    def ahead(lines: list[str]) -> int:
        tokens = [m.group(1) for m in map(shape.match, lines) if m and m.group(1) != old]
        return sum(1 for t in tokens if (_number(t) or ()) >= asked)

    mine = ahead(human_lines)
    for sha, lines in later:
        if lines is not None and ahead(lines) > mine:
            return sha, ahead(lines) - mine
    return "", 0


def confirm_over(mirror: Path, case: Case, human: Path, score: Score) -> None:
    """Mark each over line with the evidence the repository's own later history gives, within the
    next CONFIRM_COMMITS commits touching its file (`confirmed`: the commit's sha, `how`):
    `same line`: a version of the file holds the bot's line (a `+` line, or the line a `-` line was
    replaced with) more often than the human's tree does, or, for a line the bot removed without
    replacing it, less often (or the file is gone); `moved on`: lines shaped as the bot's one-line
    edit are moved off the old value to a version at least as new as the bot's (the repository's
    next bump reaches the lines the human left). Each edit is confirmed at most as many times as
    the later file has such lines in excess. Evidence that the human forgot the line, not proof."""
    for path in sorted({e["path"] for e in score.over_where}):
        human_lines = text_lines(human / path) or []
        mine = collections.Counter(human_lines)
        later = later_versions(mirror, case, path)
        used: collections.Counter = collections.Counter()
        for e in (e for e in score.over_where if e["path"] == path):
            e["confirmed"], e["how"] = "", ""
            wanted = e["text"] if e["side"] == "+" else e["new"]
            for sha, lines in later:
                if wanted is not None:  # the bot's line must be there (a deleted file confirms nothing)
                    excess = lines.count(wanted) - mine[wanted] if lines is not None else 0
                else:  # the removed line must be gone
                    excess = mine[e["text"]] - (lines.count(e["text"]) if lines is not None else 0)
                if excess > used[(e["side"], "line", wanted or e["text"])]:
                    e["confirmed"], e["how"] = sha, "same line"
                    used[(e["side"], "line", wanted or e["text"])] += 1
                    break
            if not e["confirmed"] and e["old"] is not None:
                sha, excess = _moved_on(e, human_lines, later)
                key = (e["side"], "moved", edit_slot(e["old"], e["new"])[::3])
                if sha and excess > used[key]:
                    e["confirmed"], e["how"] = sha, "moved on"
                    used[key] += 1
            score.over_confirmed += bool(e["confirmed"])


def stale_mentions(mirror: Path, case: Case, human: Path, bot: Path, score: Score) -> None:
    """The mentions left (by the bot, and by the human) that the repository's next
    CONFIRM_COMMITS commits touching their file removed: the file is gone there, or holds the line
    fewer times than the human's tree. A mention the repository keeps (a changelog entry, another
    component's setting) is not stale; one it later deleted is a reference it held to be dead."""
    regex = case.mention_regex()
    mine = _mention_lines(files(bot), case, regex)
    theirs = _mention_lines(files(human), case, regex)
    later = {path: later_versions(mirror, case, path) for path in sorted({m[0] for m in mine + theirs})}
    human_count = {path: collections.Counter(text_lines(human / path) or []) for path in later}

    def stale(mentions: list[Mention]) -> list[Mention]:
        found, used = [], collections.Counter()
        for path, n, line in mentions:
            for _, lines in later[path]:
                fewer = human_count[path][line] - (lines.count(line) if lines is not None else 0)
                if fewer > used[path, line]:
                    used[path, line] += 1
                    found.append((path, n, line))
                    break
        return found

    score.mentions_stale = [_where(m) for m in stale(mine)]
    score.mentions_stale_human = len(stale(theirs))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under `root` (a link as its target's name), for comparing two runs."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            found[rel] = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
    return found


def second_run(case: Case, tree: Path, base: Path, human: Path) -> list[str]:
    """The files a second gitops-bot run on its own result changes (added, removed or edited)."""
    before = snapshot(tree)
    try:
        run_gitops_bot(case, tree, base, human)
    except subprocess.TimeoutExpired:
        return ["(timed out)"]
    after = snapshot(tree)
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def missing_mirrors(cases: list[Case], mirrors: Path | None) -> list[str]:
    repos = sorted({c.repo for c in cases})
    if mirrors is None:
        return repos
    return [r for r in repos if not (mirrors / r.replace("/", "+") / "repo").is_dir()]


def percent(x: float) -> str:
    return f"{100 * x:.0f}%"


def render(scores: list[Score], cases: list[Case], bots: list[str]) -> str:
    by_case = {c.id: c for c in cases}
    head = subprocess.run(["git", "-C", str(PROJECT), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip() or "?"
    out = ["# Corpus results", "",
           f"Generated by `make corpus` on {datetime.date.today().isoformat()} at gitops-bot {head}: "
           f"{len(cases)} cases from {len({c.repo for c in cases})} repositories.", "",
           "Columns: **lines** = of the lines the human removed or changed, those the bot changed identically; "
           "**files** = deleted files, recall / precision; **over** = lines the bot changed that the human did "
           "not and that mention the target (or carry nothing of their own and went with a removed run naming "
           "it, whose other lines name it or were removed by the human too: its blank lines, braces, banners, "
           "shell pauses, and the comments of a group it closes; or belong to a block that names it once: a "
           "Kubernetes object removed whole whose metadata name or namespace names it, an HTML or JSX element "
           "removed whole whose links all name it, a key the removal emptied of entries naming it); **conf** = of the over lines, those the "
           "repository's later history confirms (the bot's line, or the line moved past the asked version, within "
           f"the next {CONFIRM_COMMITS} commits touching the file; see the corpus README); **damage** = such "
           "lines that do not; **invalid** = files the bot "
           "left unparsable; **dangling** = lines still naming a path the bot deleted, from the root, relative to their "
           "file or as a MkDocs nav entry (human's in brackets); "
           "**imported** = import lines of remaining source files (JS/TS, Python, Go, proto) that resolve to a "
           "file the bot deleted (human's in brackets); **mentions** = lines naming the target left, bot (human), not counting the case's excluded lines; "
           "**unlisted** = of the bot's, those its report (residue or refused edits) does not list; **stale** = "
           f"for removals, mentions left that the repository's next {CONFIRM_COMMITS} commits touching the file "
           "removed, bot (human); "
           "**2nd** = files a second run of the same "
           "command changed (0: the run is idempotent); **exit**, **s** = the bot's exit code and seconds.", ""]
    for bot in bots:
        mine = [s for s in scores if s.bot == bot]
        out += [f"## {bot}", "", _totals(mine), ""]
        if bot != "gitops":
            continue
        out += [_by_file_kind(mine), ""]
        second = [s for s in mine if s.second_run is not None]
        out += [f"Second runs: {sum(not s.second_run for s in second)} of {len(second)} runs that succeeded "
                "change nothing when run again.", ""]
        silent = collections.Counter()
        for s in mine:
            silent[s.kind] += len(s.silent)
        out += ["Silent misses (the human's lines the bot neither reproduced nor listed in its report), by kind: "
                + ", ".join(f"{kind} {n}" for kind, n in sorted(silent.items())) + "; report entries in all: "
                f"{sum(s.listed for s in mine)}.", ""]
        out += ["| case | kind | recipe | lines | files | over | conf | damage | invalid | dangling | imported "
                "| mentions | unlisted | stale | 2nd | exit | s |",
                "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for s in mine:
            case = by_case[s.case]
            call = f"`{case.recipe} {' '.join(case.params)}`"
            if s.error:
                out.append(f"| {s.case} | {s.kind} | {call} | error: {s.error} | | | | | | | | | | | | | |")
                continue
            out.append(f"| {s.case} | {s.kind} | {call} | {s.matched_lines}/{s.human_lines} ({percent(s.line_recall)})"
                       f" | {percent(s.file_recall)} / {percent(s.file_precision)} ({s.deleted_both}/{s.human_deleted}, "
                       f"{s.bot_deleted} by bot) | {s.extra_target} | {s.over_confirmed} | {s.damage} | "
                       f"{len(s.invalid)} | {s.dangling} "
                       f"({s.dangling_human}) | {s.imported} ({s.imported_human}) | {s.mentions_bot} ({s.mentions_human}) | "
                       f"{'' if s.mentions_unlisted is None else len(s.mentions_unlisted)} | "
                       f"{'' if s.mentions_stale is None else f'{len(s.mentions_stale)} ({s.mentions_stale_human})'} | "
                       f"{'' if s.second_run is None else len(s.second_run)} | {s.exit_code} | {s.seconds:.1f} |")
        errors = [s for s in mine if s.exit_code not in (0, 1) and s.message]
        if errors:
            out += ["", "Messages of runs that did not succeed:", ""]
            out += [f"- {s.case} (exit {s.exit_code}): `{s.message[:200]}`" for s in errors]
        out.append("")
    return "\n".join(out)


def _by_file_kind(scores: list[Score]) -> str:
    """Where the human lines the bot missed, and its damage, are: by kind of file and kind of
    case, over the runs that did something (a refused run, exit 2, misses everything)."""
    ran = [s for s in scores if s.exit_code in (0, 1) and not s.error]
    kinds = sorted({s.kind for s in ran})
    tally: dict[tuple[str, str, str], int] = collections.Counter()
    cases: dict[tuple[str, str, str], set[str]] = collections.defaultdict(set)
    for s in ran:
        for what, per_path in (("missed", s.missed), ("damage", s.damaged)):
            for path, n in per_path.items():
                key = (file_kind(path), s.kind, what)
                tally[key] += n
                cases[key].add(s.case)
    file_kinds = sorted({k[0] for k in tally}, key=lambda fk: (-sum(v for k, v in tally.items() if k[0] == fk), fk))
    refused = [s for s in scores if s.exit_code == 2]
    rows = [f"Runs: {sum(s.exact for s in scores)} exact, {len(ran) - sum(s.exact for s in ran)} partial, "
            f"{len(refused)} refused (exit 2: the recipe cannot express the change), "
            f"{sum(s.exit_code == 3 for s in scores)} crashed.", "",
            "Where the runs that did something fall short: human lines missed / damage lines, by kind of "
            "file (cases in brackets):", "",
            "| file kind | " + " | ".join(kinds) + " |", "|---|" + "---:|" * len(kinds)]
    for fk in file_kinds:
        cells = []
        for kind in kinds:
            m, d = (fk, kind, "missed"), (fk, kind, "damage")
            cells.append(f"{tally[m]} ({len(cases[m])}) / {tally[d]} ({len(cases[d])})" if tally[m] or tally[d] else "")
        rows.append(f"| {fk} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _totals(scores: list[Score]) -> str:
    rows = ["| kind | cases | exact | lines | files (recall / precision) | over | conf | damage | invalid "
            "| crashes (exit 3) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    kinds = sorted({s.kind for s in scores})
    for kind in kinds + ["all"]:
        group = [s for s in scores if (kind == "all" or s.kind == kind) and not s.error]
        if not group:
            continue
        human = sum(s.human_lines for s in group)
        matched = sum(s.matched_lines for s in group)
        hd, bd, both = (sum(s.human_deleted for s in group), sum(s.bot_deleted for s in group),
                        sum(s.deleted_both for s in group))
        rows.append(f"| {kind} | {len(group)} | {sum(s.exact for s in group)} | {matched}/{human} "
                    f"({percent(matched / human if human else 1)}) | {percent(both / hd if hd else 1)} / "
                    f"{percent(both / bd if bd else 1)} | {sum(s.extra_target for s in group)} | "
                    f"{sum(s.over_confirmed for s in group)} | "
                    f"{sum(s.damage for s in group)} | {sum(len(s.invalid) for s in group)} | "
                    f"{sum(s.exit_code == 3 for s in group)} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mirrors", type=Path, help="folder of bare mirrors: <owner>+<name>/repo")
    parser.add_argument("--bot", default="truth,sed,gitops", help="comma-separated: gitops, truth, sed")
    parser.add_argument("--case", action="append", help="only this case id (repeatable)")
    parser.add_argument("--out", type=Path, help="write the results table here (Markdown)")
    parser.add_argument("--json", type=Path, help="write every score here (JSON)")
    args = parser.parse_args(argv)
    bots = args.bot.split(",")
    cases = [c for c in load_cases() if not args.case or c.id in args.case]
    missing = missing_mirrors(cases, args.mirrors)
    if missing:
        where = args.mirrors or "MIRRORS"
        print(f"The corpus needs bare mirrors of {len(missing)} repositories under {where}/ "
              "(nothing was run):")
        for repo in missing:
            print(f"  git clone --mirror https://github.com/{repo} {where}/{repo.replace('/', '+')}/repo")
        return 0
    scores = []
    for case in cases:
        print(f"{case.id} ...", file=sys.stderr, flush=True)
        scores.extend(score_case(case, args.mirrors / case.mirror_name / "repo", bots))
    table = render(scores, cases, bots)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps([{**s.__dict__, "line_recall": s.line_recall} for s in scores], indent=1))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
