"""What checks report and what they read: problems, and an index of the repository's
Applications and value files, parsed once for every rule.

Every file is read once (the Worktree keeps its bytes and text) and every text is parsed at
most once per parser for all rules (check_repo opens the run's parse memo, parse.cache): the
rules and the version scanners share every parse."""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from gitops_bot.domain.argocd import Application, Project, applications_in, projects_in
from gitops_bot.domain.config import RepoConfig
from gitops_bot.domain.floating import FLOATING_MARK
from gitops_bot.domain.helm_reads import ValueReads, chart_value_reads
from gitops_bot.domain.unpinned import UNPINNED_MARK, may_hold
from gitops_bot.domain.versions import Tool, load_catalogue
from gitops_bot.domain.worktree import Matcher, Worktree
from gitops_bot.parse.yaml import load_rt

_APPLICATION_MARK = re.compile(b"kind: Application")
_PROJECT_MARK = re.compile(b"kind: AppProject")
# Keys of RepoIndex.candidates.
APPLICATION_FILES = ("mark", "applications")  # files that may hold an ArgoCD Application
FLOATING_FILES = ("mark", "floating")  # files that may hold a floating reference (domain.floating)
UNPINNED_FILES = ("mark", "unpinned")  # files that may hold an unpinned image (domain.unpinned)
PROJECT_FILES = ("mark", "projects")  # files that may hold an ArgoCD AppProject
# The rules' own prefilters, tested in the same one pass (see rule_prefilter).
RULE_PREFILTERS: dict[tuple[str, str], Matcher] = {}


def rule_prefilter(name: str, matcher: Matcher) -> tuple[str, str]:
    """Register a rule's own prefilter (its module does, once) so that `RepoIndex.candidates`
    tests it in the pass that tests all the others; the key to ask `candidates` for."""
    key = ("rule", name)
    RULE_PREFILTERS[key] = matcher
    return key


def tool_key(name: str) -> tuple[str, str]:
    """The RepoIndex.candidates key of the files that may hold a catalogue tool's version."""
    return ("tool", name)


@dataclass(frozen=True)
class Problem:
    """One finding: which rule, how bad, where, what, and the command that fixes it."""

    rule: str
    severity: str  # error | warning
    path: str
    line: int
    message: str
    fix: str = ""


def fix_command(verb: str, recipe: str, *words: str, **params: str) -> str:
    """A fix hint's command, `gitops-bot VERB RECIPE key=value ...`, quoted for a POSIX shell
    so that it runs as shown (a path with a space, a URL with `&`). A hint that names a
    command ends with it: `prose: gitops-bot ...`."""
    return " ".join(["gitops-bot", verb, recipe, *words, *(shlex.quote(f"{k}={v}") for k, v in params.items())])


@dataclass(frozen=True)
class Rule:
    """A check rule: its id, severity and help text live with the function that finds its
    problems (`run(index) -> problems`), so the registry, `--rule`, SARIF and the docs agree."""

    id: str
    severity: str  # error | warning
    help: str  # one line: what the rule finds
    run: Callable[["RepoIndex"], list[Problem]]
    description: str = ""  # a paragraph: why it matters (SARIF fullDescription, help)
    remedy: str = ""  # how to fix it, Markdown; may name the recipe (SARIF help)

    def problem(self, path: str, line: int, message: str, fix: str = "") -> Problem:
        """A problem of this rule at its own severity."""
        return Problem(self.id, self.severity, path, line, message, fix)


@dataclass
class RepoIndex:
    """The repository as checks see it."""

    tree: Worktree
    # The repository's configuration as the caller loaded it (its `tools:` extend the catalogue
    # the version rules use; check_repo reads the tree's own when given none). None: built-ins.
    config: RepoConfig | None = None
    unparsable: list[Problem] = field(default_factory=list)
    # The parameter defaults of recipes a fix hint names (recipe -> given -> full parameters),
    # given by the caller so that checks never load recipes themselves.
    recipe_defaults: Mapping[str, Callable[[dict[str, str]], dict[str, str]]] = field(default_factory=dict)
    _apps: list[Application] | None = None
    _projects: list[Project] | None = None
    _yaml: dict[str, Any] = field(default_factory=dict)
    _catalogue: dict[str, Tool] | None = None
    _candidates: dict[tuple[str, str], list[str]] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # results shared by several rules

    @property
    def catalogue(self) -> dict[str, Tool]:
        """The tool catalogue: the built-in tools and the configuration's `tools:`."""
        if self._catalogue is None:
            self._catalogue = load_catalogue(self.config)
        return self._catalogue

    def candidates(self, key: tuple[str, str]) -> list[str]:
        """The paths that pass one of the rules' prefilters: APPLICATION_FILES, FLOATING_FILES, UNPINNED_FILES, or
        tool_key(name) for a catalogue tool's anchors. All of them are tested in one pass over
        the tree, the first time any is asked for, so that a check reads the tree once."""
        if self._candidates is None:
            prefilters: dict[tuple[str, str], Matcher] = {APPLICATION_FILES: _APPLICATION_MARK,
                                                          PROJECT_FILES: _PROJECT_MARK,
                                                          FLOATING_FILES: FLOATING_MARK, UNPINNED_FILES: UNPINNED_MARK}
            prefilters.update((tool_key(name), tool.anchors()) for name, tool in self.catalogue.items())
            prefilters.update(RULE_PREFILTERS)
            # the unpinned-image rule reads only the files that may hold its forms (not Go or SQL
            # sources with `container:` or `FROM`): the others are not kept for it
            self._candidates = self.tree.grep_many(prefilters, where={UNPINNED_FILES: may_hold})
        return self._candidates[key]

    @staticmethod
    def read_by_path(path: str) -> bool:
        """Whether the rules may read `path` though no prefilter of `candidates` matched it: YAML
        files (values files and charts that Applications name). The Worktree keeps the bytes of
        these (and of the matched files) from the one pass, and lets go of the others."""
        return path.endswith((".yaml", ".yml"))

    def applications(self) -> list[Application]:
        """Every ArgoCD Application of the tree (files that do not parse are reported)."""
        if self._apps is None:
            self._apps = []
            for path in self.candidates(APPLICATION_FILES):
                if not path.endswith((".yaml", ".yml")):
                    continue
                text = self.tree.read(path)
                if text is None or "{{" in text:
                    continue  # templates render Applications; their source is not one
                try:
                    self._apps.extend(applications_in(path, load_rt(text)))
                except YAMLError as exc:
                    self._unparsable(path, exc)
        return self._apps

    def projects(self) -> list[Project]:
        """Every ArgoCD AppProject of the tree's plain YAML files (templates are skipped)."""
        if self._projects is None:
            self._projects = []
            for path in self.candidates(PROJECT_FILES):
                text = self.tree.read(path) if path.endswith((".yaml", ".yml")) else None
                if text is None or "{{" in text:
                    continue
                try:
                    self._projects.extend(projects_in(path, load_rt(text)))
                except YAMLError as exc:
                    self._unparsable(path, exc)
        return self._projects

    def yaml(self, path: str) -> Any:
        """The first document of a YAML file with positions, or None (missing or unparsable).
        The parse is the run's (parse.cache): scanners of the same file share it."""
        if path not in self._yaml:
            text = self.tree.read(path) if self.tree.listed(path) else None
            doc = None
            if text is not None:
                try:
                    docs = load_rt(text)
                    doc = docs[0] if docs else None
                except YAMLError as exc:
                    self._unparsable(path, exc)
            self._yaml[path] = doc
        return self._yaml[path]

    def value_reads(self, chart_dir: str) -> tuple[str, ValueReads] | None:
        """The name (its Chart.yaml's) and the value reads of the repository's chart at
        `chart_dir` (domain.helm_reads: its templates and the named templates they include,
        library charts' too); None when there is no chart there. Worked out once per chart."""
        cached = self.cache.setdefault("value_reads", {})
        if chart_dir not in cached:
            chart = self.yaml(posixpath.join(chart_dir, "Chart.yaml"))
            cached[chart_dir] = None if not isinstance(chart, CommentedMap) else (
                str(chart.get("name") or posixpath.basename(chart_dir)),
                chart_value_reads(chart_dir, chart, self.tree.under, self.tree.read, self.yaml))
        return cached[chart_dir]

    def _unparsable(self, path: str, exc: YAMLError) -> None:
        mark = getattr(exc, "problem_mark", None)
        self.unparsable.append(UNPARSABLE.problem(path, mark.line + 1 if mark else 1,
                                       "YAML does not parse: " + str(exc).strip().splitlines()[0]))


# Problems of this rule come from every rule that reads a file; run_checks reports them last.
UNPARSABLE = Rule("unparsable-file", "error", "A file the checks could not parse",
                  lambda index: list(index.unparsable),
                  "A YAML file the rules needed did not parse, so nothing in it was checked; ArgoCD and Helm will "
                  "refuse it too.",
                  "Fix the syntax error at the line given (a YAML linter shows the same place).")
