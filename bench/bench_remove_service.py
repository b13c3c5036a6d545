"""Benchmark `gitops-bot plan remove-service` on synthetic monorepos against `git grep`.

Generates a monorepo of the DOMAIN.md shape with N services (about 50 files each: Go sources,
a chart, ArgoCD apps; plus shared Makefiles, compose, Istio templates, monitoring values,
Terraform and workflows that list every service), then times, in the same run:
- the baseline: `git grep --no-index -n NAME` over the same tree (a plain text search);
- `gitops-bot plan remove-service service=NAME` as a user runs it (a new process each time).
Reports the median wall time of several runs, the ratio to the baseline, and the peak resident
memory of the gitops-bot process. Not a test: numbers go in notes, never in assertions.

    python bench/bench_remove_service.py [--services 200] [--runs 3] [--sizes 24,200,400]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GO_FILES_PER_SERVICE = 38


def service_names(n: int) -> list[str]:
    return [f"svc{i:03d}-service" for i in range(n)]


def camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(w.capitalize() for w in rest)


def generate(root: Path, n: int) -> int:
    """Write a synthetic monorepo with n services under root; returns the number of files."""
    names = service_names(n)
    files: dict[str, str] = {}
    for i, s in enumerate(names):
        snake = s.replace("-", "_")
        for k in range(GO_FILES_PER_SERVICE):
            files[f"services/{s}/internal/pkg{k}/file.go"] = (
                f"package pkg{k}\n\n// Handler {k} of {s}.\nfunc Handle{k}() string {{ return \"{s}\" }}\n")
        files[f"services/{s}/go.mod"] = f"module example.com/{s}\n\ngo 1.24\n"
        files[f"services/{s}/Dockerfile"] = "FROM golang:1.24\nCOPY . .\nRUN go build ./...\n"
        chart = f"k8s/helm/charts/{s}"
        files[f"{chart}/Chart.yaml"] = f"apiVersion: v2\nname: {s}\nversion: 0.1.0\n"
        files[f"{chart}/values.yaml"] = f"replicaCount: 2\nimage:\n  repository: registry/{s}\n  tag: latest\n"
        for t in ("deployment", "service", "hpa"):
            files[f"{chart}/templates/{t}.yaml"] = (
                f"apiVersion: v1\nkind: {t.capitalize()}\nmetadata:\n  name: {{{{ .Chart.Name }}}}\n")
        for env in ("dev", "prod"):
            files[f"k8s/argocd/apps/{env}/{s}.yaml"] = (
                f"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {s}-{env}\n"
                f"spec:\n  source:\n    path: k8s/helm/charts/{s}\n")
        files[f"terraform/prod/compute/pod-identity-{i:03d}.tf"] = (
            f'module "pod_identity_{snake}" {{\n  name = "{s}"\n}}\n')
    files["go.work"] = "go 1.24\n\nuse (\n" + "".join(f"\t./services/{s}\n" for s in names) + ")\n"
    files["makefiles/_variables.mk"] = "BACKEND_SERVICES = " + " \\\n\t".join(names) + "\n"
    files["makefiles/services.mk"] = "".join(
        f"##@ {s}\n.PHONY: {s}-build\n{s}-build:\n\tdocker build services/{s}\n\n" for s in names)
    files["docker/compose/docker-compose.yml"] = "services:\n" + "".join(
        f"  {s}:\n    build: ../../services/{s}\n    environment:\n      LOG_LEVEL: info\n\n" for s in names)
    files["k8s/helm/charts/istio-config/templates/httproute.yaml"] = "".join(
        f"{{{{- if .Values.services.{camel(s)}.enabled }}}}\n---\nkind: HTTPRoute\nmetadata:\n  name: {s}\n"
        f"spec:\n  rules:\n    - backendRefs:\n        - name: {s}\n{{{{- end }}}}\n" for s in names)
    files["k8s/helm/charts/monitoring/values.yaml"] = "prometheus:\n  scrapeTargets:\n" + "".join(
        f"    {camel(s)}:\n      host: {s}\n      port: 8080\n" for s in names)
    files["k8s/helm/environments/base.yaml"] = "env:\n" + "".join(
        f'  {s.replace("-", "_").upper()}_URL: "http://{s}:8080"\n' for s in names)
    files["terraform/prod/foundation/ecr.tf"] = (
        'module "ecr" {\n  repository_names = [\n' + "".join(f'    "prod/{s}",\n' for s in names) + "  ]\n}\n")
    files[".github/workflows/build.yaml"] = (
        "on:\n  pull_request:\n    paths:\n" + "".join(f"      - 'services/{s}/**'\n" for s in names)
        + "jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make build\n")
    files["docs/services.md"] = "| Service | Owner |\n|---|---|\n" + "".join(f"| {s} | team |\n" for s in names)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return len(files)


def timed(cmd: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and the peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def measure(n: int, runs: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        count = generate(root, n)
        target = service_names(n)[n // 2]
        grep = [timed(["git", "grep", "--no-index", "-n", target], root)[0] for _ in range(runs)]
        plan_cmd = [sys.executable, "-m", "gitops_bot.cli", "plan", "remove-service",
                    f"service={target}", "--repo", str(root)]
        plans = []
        peak = 0
        for _ in range(runs):
            # A fresh child per run: RUSAGE_CHILDREN's maxrss is the largest child so far.
            wall, rss = timed(plan_cmd, root)
            plans.append(wall)
            peak = max(peak, rss)
        help_wall = statistics.median(timed([sys.executable, "-m", "gitops_bot.cli", "--help"], root)[0]
                                      for _ in range(runs))
        mentioning = subprocess.run(["git", "grep", "--no-index", "-l", target], cwd=root,
                                    capture_output=True, text=True).stdout.count("\n")
    return {"services": n, "files": count, "files_mentioning": mentioning,
            "git_grep_s": statistics.median(grep), "plan_s": statistics.median(plans),
            "ratio": statistics.median(plans) / statistics.median(grep),
            "peak_rss_mb": peak / 1024, "help_s": help_wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="24,200,400",
                        help="comma-separated service counts (24 ~ 1,200 files, 200 ~ 10,000 files)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'services':>8} {'files':>7} {'mention':>7} {'git grep':>9} {'plan':>7} {'ratio':>6} "
          f"{'peak RSS':>9} {'--help':>7}")
    for n in (int(x) for x in args.sizes.split(",")):
        r = measure(n, args.runs)
        print(f"{r['services']:>8} {r['files']:>7} {r['files_mentioning']:>7} {r['git_grep_s']:>8.3f}s "
              f"{r['plan_s']:>6.3f}s {r['ratio']:>5.1f}x {r['peak_rss_mb']:>7.1f}MB {r['help_s']:>6.3f}s")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
