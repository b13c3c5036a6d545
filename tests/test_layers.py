"""The package's layers, enforced: a module imports only from its own layer or the layers below
it, sibling packages of one layer never import each other, and no two modules import each
other, directly or around a cycle. Imports inside functions count too: they are deferred,
not exempt. Read statically (the code is parsed, not imported)."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "gitops_bot"

# From the top (entry points) to the bottom (primitives). Each entry is one layer; names in a
# layer are packages or modules, and two names of one layer may not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("gitops_bot.cli", "gitops_bot.commands"),
    ("gitops_bot.delivery",),
    ("gitops_bot.engine",),
    ("gitops_bot.ops", "gitops_bot.checks"),
    ("gitops_bot.edit",),
    ("gitops_bot.domain",),
    ("gitops_bot.parse",),
    ("gitops_bot.text",),
    ("gitops_bot.subprocesses",),
    ("gitops_bot.errors", "gitops_bot.data", "gitops_bot.recipes", "gitops_bot.console"),
]
# Entry points may import each other's module (cli lists the commands); nothing else may.
SIBLINGS_MAY_IMPORT = {("gitops_bot.cli", "gitops_bot.commands")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_nodes(tree: ast.AST):
    """Every node of the tree except the bodies of `if TYPE_CHECKING:` (annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            yield from (n for child in node.orelse for n in [child, *_runtime_nodes(child)])
            continue
        yield node
        yield from _runtime_nodes(node)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every gitops_bot module `path` imports at run time, anywhere in the file
    (`from gitops_bot.edit import yaml_file` imports the module yaml_file, not the package)."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gitops_bot"):
            assert node.level == 0, f"{path}: relative import"
            submodules = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= submodules if len(submodules) == len(node.names) else submodules | {node.module}
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("gitops_bot"))
    return found


def _graph() -> dict[str, set[str]]:
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {}
    for name, path in paths.items():
        graph[name] = {m for m in _imports(path, set(paths)) if m in paths and m != name}
    return graph


def _layer(module: str) -> tuple[int, str]:
    """(layer index, the layer entry) of a module; the package's own __init__ is the bottom."""
    if module == "gitops_bot":
        return len(LAYERS) - 1, "gitops_bot"
    for i, names in enumerate(LAYERS):
        for name in names:
            if module == name or module.startswith(name + "."):
                return i, name
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_every_module_is_in_a_layer():
    for module in _graph():
        _layer(module)


def test_imports_point_down_the_layers():
    wrong = []
    for module, imported in sorted(_graph().items()):
        here, own = _layer(module)
        for target in sorted(imported):
            there, theirs = _layer(target)
            if there < here or (there == here and own != theirs and (own, theirs) not in SIBLINGS_MAY_IMPORT):
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_no_import_cycles():
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target):] + [module, target]) if target in stack
                              else f"{module} -> {target}")
            elif target not in state:
                visit(target, stack + [module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])
    assert cycles == []


def test_the_check_sees_a_wrong_import(tmp_path, monkeypatch):
    """The rule is not vacuous: an editor importing the engine is reported."""
    graph = _graph()
    graph["gitops_bot.edit.yaml_file"] = graph["gitops_bot.edit.yaml_file"] | {"gitops_bot.engine.run"}
    monkeypatch.setattr(__import__(__name__, fromlist=["_graph"]), "_graph", lambda: graph)
    try:
        test_imports_point_down_the_layers()
    except AssertionError as exc:
        assert "gitops_bot.edit.yaml_file -> gitops_bot.engine.run" in str(exc)
    else:
        raise AssertionError("a wrong import was not reported")
