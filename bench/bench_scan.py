"""Compare gitops-bot installations on the scanning commands: same output, and how fast.

For each tree and command (`plan set-version tool=istio version=1.28.2`, `check`,
`plan pin-versions` by default), it first runs every installation once with `--format json`
and says whether their outputs are byte-identical (the first differing line otherwise); that
run also compiles the bytecode, into a private PYTHONPYCACHEPREFIX. Then it times --runs
rounds, each installation once per round in turn (paired runs: the machine's load hits both),
as a user runs it (a new process, output discarded) and reports, per installation, the median
wall and CPU (user + system) seconds, the peak RSS (os.wait4) and the ratios of the medians to
the first installation's. No GitHub token reaches the children (pin-versions looks nothing up).
Not a test: the numbers go in notes, never in assertions.

    python bench/bench_scan.py --python base=/path/to/old/python --python new=.venv/bin/python \\
        --tree examples/monorepo --tree /tmp/platform [--runs 5] [--command check ...] [--json FILE]

Trees: examples/monorepo, or one from bench/bench_remove_service.py's generate() or
bench/bench_realistic.py --generate-only --keep DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "set-version": ["plan", "set-version", "tool=istio", "version=1.28.2"],
    "check": ["check"],
    "pin-versions": ["plan", "pin-versions"],
}


def child_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_TOKEN", "GITHUB_API_URL", "PYTHONDONTWRITEBYTECODE")}
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    (work / "cwd").mkdir()
    env["BENCH_SCAN_CWD"] = str(work / "cwd")
    return env


def package_of(python: str, env: dict[str, str]) -> str:
    """Where an installation's gitops_bot comes from (so that a report shows what ran)."""
    out = subprocess.run([python, "-c", "import gitops_bot; print(gitops_bot.__file__)"], env=env,
                         cwd=env["BENCH_SCAN_CWD"], capture_output=True, text=True)
    return out.stdout.strip() or out.stderr.strip().splitlines()[-1]


def run(argv: list[str], env: dict[str, str], capture: bool = False) -> dict:
    """One child process: wall and CPU seconds, peak RSS (MiB), exit code, stdout if asked.
    It runs in an empty folder: `python -m` puts the working directory first on sys.path, so
    from a checkout every installation would run the checkout's code."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=env["BENCH_SCAN_CWD"])
    out = proc.stdout.read() if capture else b""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
            "rss_mb": usage.ru_maxrss / 1024, "code": proc.returncode, "out": out}


def first_difference(a: bytes, b: bytes) -> str:
    for n, (x, y) in enumerate(zip(a.splitlines(), b.splitlines()), start=1):
        if x != y:
            return f"line {n}: {x[:120]!r} != {y[:120]!r}"
    return f"lengths {len(a.splitlines())} != {len(b.splitlines())} lines"


def measure(tree: Path, command: str, pythons: list[tuple[str, str]], runs: int, env: dict[str, str]) -> dict:
    argv = {label: [py, "-m", "gitops_bot.cli", *COMMANDS[command], "--repo", str(tree)] for label, py in pythons}
    outputs = {label: run(a + ["--format", "json"], env, capture=True) for label, a in argv.items()}
    reference = outputs[pythons[0][0]]["out"]
    same = {label: o["out"] == reference for label, o in outputs.items()}
    timings: dict[str, list[dict]] = {label: [] for label, _ in pythons}
    for _ in range(runs):
        for label, a in argv.items():
            timings[label].append(run(a, env))
    row = {"tree": str(tree), "command": command, "runs": runs, "identical_json": all(same.values()),
           "json_bytes": len(reference), "codes": {label: o["code"] for label, o in outputs.items()}, "by": {}}
    if not row["identical_json"]:
        row["difference"] = {label: first_difference(reference, outputs[label]["out"])
                             for label, ok in same.items() if not ok}
    for label, ts in timings.items():
        row["by"][label] = {"wall": statistics.median(t["wall"] for t in ts),
                            "cpu": statistics.median(t["cpu"] for t in ts),
                            "rss_mb": max(t["rss_mb"] for t in ts)}
    base = row["by"][pythons[0][0]]
    for stats in row["by"].values():
        stats["wall_ratio"] = stats["wall"] / base["wall"]
        stats["cpu_ratio"] = stats["cpu"] / base["cpu"]
    return row


def print_row(row: dict) -> None:
    files = sum(len(names) for _, _, names in os.walk(row["tree"]))
    print(f"\n{row['command']} on {row['tree']} ({files:,} files), {row['runs']} paired runs: "
          f"JSON output {'identical' if row['identical_json'] else 'DIFFERENT'} "
          f"({row['json_bytes']:,} bytes; exit codes {row['codes']})")
    for label, why in row.get("difference", {}).items():
        print(f"  {label}: {why}")
    for label, s in row["by"].items():
        print(f"  {label:>6}: wall {s['wall']:7.3f}s (x{s['wall_ratio']:.3f})  cpu {s['cpu']:7.3f}s "
              f"(x{s['cpu_ratio']:.3f})  peak RSS {s['rss_mb']:6.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", action="append", required=True, metavar="LABEL=PY",
                        help="an installation's interpreter; the first is the reference of ratios")
    parser.add_argument("--tree", action="append", required=True, type=Path)
    parser.add_argument("--command", action="append", choices=sorted(COMMANDS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()
    pythons = [tuple(p.split("=", 1)) if "=" in p else (Path(p).parts[-4] if len(Path(p).parts) > 3 else p, p)
               for p in args.python]
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-scan-") as tmp:
        env = child_env(Path(tmp))
        for label, py in pythons:
            print(f"{label}: {py} runs {package_of(py, env)}")
        for tree in args.tree:
            for command in args.command or list(COMMANDS):
                rows.append(measure(tree.resolve(), command, pythons, args.runs, env))
                print_row(rows[-1])
                sys.stdout.flush()
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
