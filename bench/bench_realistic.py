"""Benchmark gitops-bot on a generated monorepo of a real platform's shape and size.

bench_remove_service.py generates tiny files; real platform monorepos are not tiny. This script
generates (deterministically, standard library only) a tree of the DOMAIN.md shape at the size
of a real one: about 1,200 files and 12 MB by default, with comment-heavy YAML (Korean comments
included), Makefiles of 1,000+ lines, shell scripts of several hundred lines, Helm templates of
100+ lines, a Markdown file with a ~1,000-row table, large generated files (a ~1 MB Grafana
dashboard, CRD bundles, a package-lock.json) that never name the target, and about 10% of the
files naming the target service in its many spellings (video-service, video_service,
videoService, VIDEO_SERVICE_URL). Istio 1.24.0 is written in every form set-version knows, next
to look-alikes that must not change (Go 1.24.0, charts named `base` or `common` from other
repositories).

It then times, in the same run and interleaved, each command as a user runs it (a new process
each time, output discarded):
  plan remove-service service=TARGET   plan set-version tool=istio version=1.28.2   check
and two baselines over the same tree: `git grep --no-index -n TARGET` and `PY -c pass`. For each
it reports the median, min and max wall time of --runs runs, the median CPU time (user + system,
less sensitive than wall time to other work on the machine), the peak RSS of the process (from
os.wait4 in a small spawning process, see SPAWN) and the wall-time ratios to both baselines. One
extra run per command with --format json counts what it changes (or reports) and its exit code
(0 or 1 expected; 2 or 3 means the bot refused or crashed on the tree, and its stderr is shown).

--scale pads the same tree (the files naming the target unchanged) to --scale-files files
(default 50,000) with files of realistic sizes that never mention the target, and measures again
(plan remove-service only, unless --scale-commands all: set-version and check read every YAML
file and take minutes per run there): does the cost follow the file count and bytes of the whole
tree, or the files that mention the target?

Children run with a private PYTHONPYCACHEPREFIX (and without PYTHONDONTWRITEBYTECODE), so
bytecode is compiled once during the untimed warm-up and the installations compared are not
written to. Not a test: the numbers go in notes, never in assertions.

    python bench/bench_realistic.py [--python [LABEL=]PY ...] [--runs 5] [--files 1200]
                                    [--keep DIR] [--scale] [--scale-files 50000]
                                    [--scale-commands remove-service|all] [--scale-runs N]
                                    [--profile] [--profile-only] [--top 15] [--generate-only]
                                    [--review-size] [--json FILE]

Examples:
    python bench/bench_realistic.py --python base=/work/base/.venv/bin/python --runs 5 --scale
    python bench/bench_realistic.py --generate-only --keep /tmp/platform
    python bench/bench_realistic.py --python old=../old/.venv/bin/python --python new=.venv/bin/python
    python bench/bench_realistic.py --profile-only     # the top 15 functions of each command
    python bench/bench_realistic.py --review-size      # what a reviewer reads of remove-service

--review-size measures what a reviewer reads, not time: the line count of `plan remove-service`'s
text output (no colour, as in a pipe) and the length of the pull-request body `pr` would write
for it (delivery/pr.py render_body, slug example/platform, the tree's own origin), then stops.

The machine's load average is printed at the start and the end: other work skews every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = 20240611
TARGET = "video-service"
ISTIO = "1.24.0"  # the version set-version moves
GO = "1.24.0"  # look-alikes that must stay: Go toolchain, other charts that happen to be 1.24.0
NEW_ISTIO = "1.28.2"
ADDONS = f"https://raw.githubusercontent.com/istio/istio/release-{ISTIO.rsplit('.', 1)[0]}/samples/addons"
REGISTRY = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com"
REPO_URL = "https://github.com/example/platform.git"
GO_MODULE = "github.com/example/platform"
GO_SERVICES = [
    "auth-service", "user-service", "board-service", "video-service", "chat-service",
    "payment-service", "order-service", "search-service", "media-service", "billing-service",
    "inventory-service", "catalog-service", "review-service", "feed-service", "admin-service",
    "report-service", "audit-service", "schedule-service", "coupon-service", "point-service",
    "storage-service",
]
JAVA_SERVICE = "notification-service"
FRONTEND = "frontend"
SERVICES = GO_SERVICES + [JAVA_SERVICE, FRONTEND]
# Services that call the target (their clients, compose env and values name it).
CALLERS = ["board-service", "chat-service", "feed-service", "media-service", "admin-service"]
TARGET_SPELLING = re.compile(rb"(?i)video[-_]?service")

EN = [
    "Values here are overridden by the environment files that ArgoCD passes as valueFiles.",
    "Keep this list sorted; the CI job diffs it against the services/ directory.",
    "Resource requests were sized from last quarter's load test (p95 plus 30% headroom).",
    "Do not put secrets here: use ExternalSecrets backed by AWS Secrets Manager.",
    "The HPA reads CPU only; memory-bound workloads scale on the custom metric instead.",
    "Changing this requires a platform team review (see CODEOWNERS).",
    "Probes are deliberately lenient during startup: migrations run in an init container.",
    "When you add a service, add it to the Makefile variables, compose, ECR and the workflows too.",
    "Local kind clusters use the latest tag; dev and prod pin an immutable tag from CI.",
    "Ambient mode: no sidecars are injected, ztunnel carries mTLS (HBONE on port 15008).",
    "See docs/runbook.md for the rollback procedure before touching production values.",
    "This block is rendered only when the service is enabled in the environment file.",
    "Timeouts are aligned with the gateway (30s) so that clients see one consistent error.",
    "Topology spread keeps replicas in different zones; required in prod, preferred in dev.",
]
KO = [
    "운영 환경에서는 반드시 플랫폼 팀의 리뷰를 받은 후 변경하세요.",
    "이 값은 ArgoCD 동기화 시 환경별 values 파일로 덮어써집니다.",
    "리소스 요청량은 지난 분기 부하 테스트 결과를 기준으로 산정했습니다.",
    "HPA 최소 레플리카 수를 낮추기 전에 SLO 대시보드를 확인하세요.",
    "Istio ambient 모드에서는 사이드카가 주입되지 않습니다.",
    "비밀 값은 여기에 넣지 말고 External Secrets 를 사용하세요.",
    "로컬 kind 클러스터에서는 이미지 태그로 latest 를 사용합니다.",
    "장애 발생 시 런북의 롤백 절차를 따르세요.",
    "데이터베이스 마이그레이션은 배포 전에 수동으로 실행합니다.",
    "새 서비스를 추가하면 이 목록에도 추가해야 합니다.",
    "주의: 이 설정은 모든 환경에 공통으로 적용됩니다.",
    "프로덕션 배포는 deploy 브랜치에서만 동기화됩니다.",
]
ENTITIES = ["Account", "Session", "Item", "Record", "Event", "Ticket", "Batch", "Entry", "Task",
            "Profile", "Message", "Report", "Quota", "Token", "Asset", "Channel", "Policy", "Job"]
TARGET_ENTITIES = ["Room", "Recording", "Participant", "Stream", "Egress"]
PKGS = ["handler", "service", "repository", "model", "client", "config", "middleware", "worker",
        "cache", "events", "metrics", "validate", "server", "store", "auth", "jobs"]


# -- spellings ------------------------------------------------------------------------------------
def snake(name: str) -> str:
    return name.replace("-", "_")


def camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(w.capitalize() for w in rest)


def pascal(name: str) -> str:
    return "".join(w.capitalize() for w in name.split("-"))


def upper(name: str) -> str:
    return snake(name).upper()


def short(name: str) -> str:
    return name.removesuffix("-service")


def port(name: str) -> int:
    return 8001 + SERVICES.index(name) if name in SERVICES else 8080


def fill(template: str, **kw: object) -> str:
    """Replace <<key>> markers (Helm's {{ }} stay untouched)."""
    for key, value in kw.items():
        template = template.replace(f"<<{key}>>", str(value))
    return template


def svc_kw(name: str) -> dict[str, object]:
    return {"svc": name, "snake": snake(name), "camel": camel(name), "pascal": pascal(name),
            "upper": upper(name), "short": short(name), "port": port(name)}


# -- the tree ----------------------------------------------------------------------------------
class Tree:
    """Generated files (path -> text) and the random source that shapes them."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.files: dict[str, str] = {}

    def add(self, path: str, text: str) -> None:
        self.files[path] = text

    def comment(self, prefix: str = "#", lines: int = 4, korean: float = 0.35) -> str:
        """A comment block of `lines` sentences, some of them Korean."""
        rng = self.rng
        out = []
        for _ in range(lines):
            pool = KO if rng.random() < korean else EN
            line = f"{prefix} {rng.choice(pool)}\n"
            out.append(line if not out or line != out[-1] else f"{prefix} {rng.choice(EN)}\n")
        return "".join(out)

    def banner(self, prefix: str, title: str, lines: int = 8) -> str:
        rule = f"{prefix} {'=' * 96}\n"
        return rule + f"{prefix} {title}\n" + rule + self.comment(prefix, lines) + rule

    def write(self, root: Path) -> None:
        made: set[str] = set()
        for rel, text in self.files.items():
            folder = os.path.dirname(rel)
            if folder not in made:
                os.makedirs(root / folder, exist_ok=True)
                made.add(folder)
            with open(root / rel, "w", encoding="utf-8", newline="") as f:
                f.write(text)


# -- Go, Java and TypeScript sources ------------------------------------------------------------
GO_FUNCS = [
    """// <<fn>> loads a <<ent>> by id and maps storage errors to API errors.
func (s *<<ent>>Service) <<fn>>(ctx context.Context, id string) (*<<ent>>, error) {
	ctx, span := tracer.Start(ctx, "<<svc>>.<<fn>>")
	defer span.End()
	if id == "" {
		return nil, ErrInvalidID
	}
	item, err := s.repo.Find<<ent>>(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("<<ent>> %s: %w", id, ErrNotFound)
	}
	if err != nil {
		s.log.Error("find <<ent>>", "service", "<<svc>>", "id", id, "err", err)
		return nil, fmt.Errorf("find <<ent>> %s: %w", id, err)
	}
	s.metrics.<<fn>>Total.Inc()
	return item, nil
}
""",
    """// <<fn>> decodes the request, validates it and writes the JSON response.
func (h *<<ent>>Handler) <<fn>>(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), <<n>>*time.Second)
	defer cancel()
	var req <<fn>>Request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		h.log.Warn("decode request", "handler", "<<fn>>", "err", err)
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if err := req.Validate(); err != nil {
		writeError(w, http.StatusUnprocessableEntity, err)
		return
	}
	out, err := h.svc.<<fn>>(ctx, req)
	if err != nil {
		writeError(w, statusFor(err), err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}
""",
    """// <<fn>>Request is the body of <<fn>>.
type <<fn>>Request struct {
	ID        string            `json:"id"`
	OwnerID   string            `json:"ownerId"`
	Labels    map[string]string `json:"labels,omitempty"`
	Limit     int               `json:"limit,omitempty"`
	PageToken string            `json:"pageToken,omitempty"`
	CreatedAt time.Time         `json:"createdAt"`
}

// Validate checks the fields the storage layer relies on.
func (r <<fn>>Request) Validate() error {
	if r.OwnerID == "" {
		return errors.New("ownerId is required")
	}
	if r.Limit < 0 || r.Limit > <<n>>00 {
		return fmt.Errorf("limit %d out of range", r.Limit)
	}
	return nil
}
""",
    """func (r *pg<<ent>>Repository) <<fn>>(ctx context.Context, ownerID string, limit int) ([]<<ent>>, error) {
	const q = `SELECT id, owner_id, status, created_at, updated_at
	             FROM <<table>>
	            WHERE owner_id = $1 AND deleted_at IS NULL
	            ORDER BY created_at DESC
	            LIMIT $2`
	rows, err := r.db.QueryContext(ctx, q, ownerID, limit)
	if err != nil {
		return nil, fmt.Errorf("query <<table>>: %w", err)
	}
	defer rows.Close()
	var out []<<ent>>
	for rows.Next() {
		var e <<ent>>
		if err := rows.Scan(&e.ID, &e.OwnerID, &e.Status, &e.CreatedAt, &e.UpdatedAt); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
""",
    """// <<fn>> runs until ctx is cancelled, draining the queue every <<n>> seconds.
func (w *<<ent>>Worker) <<fn>>(ctx context.Context) error {
	ticker := time.NewTicker(<<n>> * time.Second)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
			n, err := w.drain(ctx)
			if err != nil {
				w.log.Error("drain", "worker", "<<fn>>", "err", err)
				continue
			}
			w.processed.Add(float64(n))
		}
	}
}
""",
]
GO_HEADER = """// Copyright 2024 Example Corp. All rights reserved.
// Use of this source code is governed by the company's internal license.
//
// Package <<pkg>> is part of <<svc>>.
"""


def go_source(t: Tree, svc: str, pkg: str, entities: list[str], funcs: int) -> str:
    """One Go file of `svc`: header, imports of its own module, then `funcs` functions."""
    rng = t.rng
    parts = [fill(GO_HEADER, pkg=pkg, svc=svc), t.comment("//", rng.randint(1, 4), 0.2),
             f"package {pkg}\n\nimport (\n\t\"context\"\n\t\"database/sql\"\n\t\"encoding/json\"\n"
             f"\t\"errors\"\n\t\"fmt\"\n\t\"net/http\"\n\t\"time\"\n\n"
             f"\t\"{GO_MODULE}/packages/common-go/log\"\n"
             f"\t\"{GO_MODULE}/services/{svc}/internal/{rng.choice(PKGS)}\"\n)\n\n"]
    for i in range(funcs):
        ent = rng.choice(entities)
        fn = rng.choice(["Get", "List", "Create", "Update", "Delete", "Sync", "Expire", "Archive",
                         "Refresh", "Resolve"]) + ent + (str(i) if i > 4 else "")
        parts.append(fill(rng.choice(GO_FUNCS), fn=fn, ent=ent, svc=svc, n=rng.randint(2, 30),
                          table=snake(short(svc)) + "_" + ent.lower() + "s") + "\n")
    return "".join(parts)


def go_funcs(t: Tree) -> int:
    """Functions per Go file: most files are small, a few are large (mean ~11 KB)."""
    return min(60, int(t.rng.lognormvariate(2.75, 0.6)) + 2)


def gen_go_service_skeleton(t: Tree, svc: str) -> None:
    base = f"services/{svc}"
    t.add(f"{base}/go.mod", f"module {GO_MODULE}/services/{svc}\n\ngo {GO}\n\nrequire (\n"
          "\tgithub.com/jackc/pgx/v5 v5.7.1\n\tgo.opentelemetry.io/otel v1.32.0\n"
          f"\t{GO_MODULE}/packages/common-go v0.0.0\n)\n\n"
          f"replace {GO_MODULE}/packages/common-go => ../../packages/common-go\n")
    t.add(f"{base}/go.sum", "".join(
        f"github.com/dep{i}/mod{i} v1.{i}.0 h1:{'%040x' % t.rng.getrandbits(160)}=\n" for i in range(60)))
    t.add(f"{base}/Dockerfile", f"# syntax=docker/dockerfile:1.7\nFROM golang:{GO}-alpine AS build\n"
          "WORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/go-build \\\n"
          f"    CGO_ENABLED=0 go build -o /out/server ./services/{svc}/cmd/server\n\n"
          "FROM gcr.io/distroless/static:nonroot\nCOPY --from=build /out/server /server\n"
          f"EXPOSE 8080\nUSER nonroot\nENTRYPOINT [\"/server\"]\n")
    t.add(f"{base}/README.md", f"# {svc}\n\n{t.comment('', 6).replace('  ', ' ')}\n"
          f"## Running locally\n\n```bash\nmake {svc}-build\nmake {svc}-redeploy\n```\n")
    ents = TARGET_ENTITIES if svc == TARGET else t.rng.sample(ENTITIES, 4)
    t.add(f"{base}/cmd/server/main.go", go_source(t, svc, "main", ents, 3))


def gen_go_files(t: Tree, count: int) -> None:
    """`count` Go files spread round-robin over the Go services."""
    made = {s: 0 for s in GO_SERVICES}
    for i in range(count):
        svc = GO_SERVICES[i % len(GO_SERVICES)]
        k = made[svc]
        made[svc] += 1
        pkg = PKGS[k % len(PKGS)]
        ents = TARGET_ENTITIES if svc == TARGET else ENTITIES[k % 7: k % 7 + 5]
        t.add(f"services/{svc}/internal/{pkg}/{pkg}_{k // len(PKGS)}.go",
              go_source(t, svc, pkg, ents, go_funcs(t)))


def gen_callers(t: Tree) -> None:
    """Clients of the target in other services (application code: the bot leaves them as residue)."""
    for svc in CALLERS:
        t.add(f"services/{svc}/internal/clients/{snake(short(TARGET))}.go", fill(
            """package clients

import (
	"net/http"
	"os"
	"time"
)

// <<tpascal>>Client calls <<target>> (rooms, recordings) on behalf of <<svc>>.
type <<tpascal>>Client struct {
	baseURL string
	http    *http.Client
}

// New<<tpascal>>Client reads <<tupper>>_URL, e.g. http://<<target>>:<<tport>>.
func New<<tpascal>>Client() *<<tpascal>>Client {
	url := os.Getenv("<<tupper>>_URL")
	if url == "" {
		url = "http://<<target>>:8080"
	}
	return &<<tpascal>>Client{baseURL: url, http: &http.Client{Timeout: 10 * time.Second}}
}
""", tpascal=pascal(TARGET), target=TARGET, svc=svc, tupper=upper(TARGET), tport=port(TARGET)))


def gen_common_go(t: Tree) -> None:
    t.add("packages/common-go/go.mod", f"module {GO_MODULE}/packages/common-go\n\ngo {GO}\n")
    for pkg in ("log", "config", "tracing", "httpx", "pgx", "health", "ratelimit", "retry"):
        for k in range(2):
            t.add(f"packages/common-go/{pkg}/{pkg}_{k}.go",
                  go_source(t, "common-go", pkg, ENTITIES[:6], go_funcs(t)).replace(
                      f"{GO_MODULE}/services/common-go/internal", f"{GO_MODULE}/packages/common-go"))


def gen_java(t: Tree) -> None:
    base = f"services/{JAVA_SERVICE}"
    t.add(f"{base}/pom.xml", "<project>\n  <modelVersion>4.0.0</modelVersion>\n"
          "  <groupId>com.example</groupId>\n  <artifactId>notification-service</artifactId>\n"
          "  <version>1.0.0</version>\n  <parent>\n    <groupId>org.springframework.boot</groupId>\n"
          "    <artifactId>spring-boot-starter-parent</artifactId>\n    <version>3.3.5</version>\n"
          "  </parent>\n" + "".join(
              f"  <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-{d}"
              "</artifactId></dependency>\n" for d in ("web", "actuator", "data-jpa", "mail", "amqp"))
          + "</project>\n")
    t.add(f"{base}/Dockerfile", "FROM eclipse-temurin:21-jre\nCOPY target/app.jar /app.jar\n"
          "ENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n")
    t.add(f"{base}/src/main/resources/application.yml", fill(
        """# Spring configuration. Environment variables win over these defaults.
spring:
  application:
    name: notification-service
  datasource:
    url: jdbc:postgresql://${DB_HOST:postgres}:5432/app_notification
management:
  endpoints:
    web:
      exposure:
        include: health,prometheus
clients:
  user:
    url: ${USER_SERVICE_URL:http://user-service:8080}
  # 녹화 완료 알림 (<<target>>)
  <<tshort>>:
    url: ${<<tupper>>_URL:http://<<target>>:8080}
    timeout: 5s
""", target=TARGET, tshort=short(TARGET), tupper=upper(TARGET)))
    for k in range(14):
        cls = f"{ENTITIES[k]}Notifier"
        body = "".join(f"    public void send{i}(String to) {{\n        log.info(\"send {i} to {{}}\", to);\n"
                       f"        template.convertAndSend(\"notifications.{k}.{i}\", to);\n    }}\n\n"
                       for i in range(t.rng.randint(10, 40)))
        t.add(f"{base}/src/main/java/com/example/notification/{cls}.java",
              f"package com.example.notification;\n\nimport org.slf4j.Logger;\n\n/** {cls}. */\n"
              f"public class {cls} {{\n    private static final Logger log = null;\n{body}}}\n")


def gen_frontend(t: Tree) -> None:
    base = f"services/{FRONTEND}"
    t.add(f"{base}/package.json", json.dumps({
        "name": "frontend", "private": True, "version": "2.14.0",
        "scripts": {"dev": "vite", "build": "tsc && vite build", "test": "vitest"},
        "dependencies": {"react": "^18.3.1", "react-dom": "^18.3.1", "livekit-client": "^2.6.0"}},
        indent=2) + "\n")
    t.add(f"{base}/src/api/endpoints.ts", "// API endpoints behind the Istio gateway.\nexport const endpoints = {\n"
          + "".join(f"  {camel(s)}: \"/svc/{short(s)}\",\n" for s in GO_SERVICES) + "};\n")
    t.add(f"{base}/src/api/{camel(TARGET)}.ts", fill(
        """import { endpoints } from "./endpoints";

// Rooms and recordings, served by <<target>>.
export const <<camel>> = {
  rooms: () => fetch(`${endpoints.<<camel>>}/rooms`).then((r) => r.json()),
  join: (id: string) => fetch(`${endpoints.<<camel>>}/rooms/${id}/join`, { method: "POST" }),
};
""", target=TARGET, camel=camel(TARGET)))
    for k in range(36):
        comp = f"{ENTITIES[k % len(ENTITIES)]}{['List', 'Card', 'Form', 'Page'][k % 4]}"
        rows = "".join(f"      <td key=\"c{i}\">{{row.field{i}}}</td>\n" for i in range(t.rng.randint(8, 60)))
        t.add(f"{base}/src/components/{comp}.tsx",
              f"import React from \"react\";\n\n// {comp}\nexport function {comp}({{ rows }}: {{ rows: any[] }}) {{\n"
              f"  return (\n    <table>\n      {{rows.map((row) => (\n    <tr>\n{rows}    </tr>\n      ))}}\n"
              "    </table>\n  );\n}\n")


# -- Helm charts ----------------------------------------------------------------------------------
CHART_YAML = """apiVersion: v2
name: <<svc>>
description: Helm chart for <<svc>>
type: application
version: 0.<<minor>>.0
appVersion: "1.<<minor>>.3"
dependencies:
  # Shared helpers (labels, probes); versioned with the platform, not with Istio.
  - name: common
    version: <<go>>
    repository: file://../common
"""
DEPLOYMENT = """{{- /*
  Deployment for <<svc>>.
  Values come from values.yaml, then the environment files ArgoCD passes (base.yaml, <env>.yaml),
  then the Application's helm.parameters.
*/ -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "<<svc>>.fullname" . }}
  labels:
    {{- include "<<svc>>.labels" . | nindent 4 }}
  {{- with .Values.deploymentAnnotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ .Values.revisionHistoryLimit | default 5 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  selector:
    matchLabels:
      {{- include "<<svc>>.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
        {{- with .Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      labels:
        {{- include "<<svc>>.selectorLabels" . | nindent 8 }}
        version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
    spec:
      serviceAccountName: {{ include "<<svc>>.serviceAccountName" . }}
      {{- with .Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      {{- if .Values.migrations.enabled }}
      initContainers:
        - name: migrate
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          command: ["/server", "migrate", "up"]
          envFrom:
            - secretRef:
                name: {{ include "<<svc>>.fullname" . }}-db
      {{- end }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
            - name: metrics
              containerPort: {{ .Values.metrics.port | default 9090 }}
              protocol: TCP
          env:
            - name: SERVICE_NAME
              value: <<svc>>
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: {{ .Values.global.otlpEndpoint | default "http://otel-collector.observability:4317" | quote }}
            {{- range $key, $value := .Values.config }}
            - name: {{ $key }}
              value: {{ $value | quote }}
            {{- end }}
            {{- range $key, $value := .Values.env }}
            - name: {{ $key }}
              value: {{ $value | quote }}
            {{- end }}
          envFrom:
            - configMapRef:
                name: {{ include "<<svc>>.fullname" . }}
            {{- if .Values.externalSecret.enabled }}
            - secretRef:
                name: {{ include "<<svc>>.fullname" . }}-secrets
            {{- end }}
          startupProbe:
            httpGet:
              path: {{ .Values.probes.path | default "/healthz" }}
              port: http
            failureThreshold: 30
            periodSeconds: 2
          livenessProbe:
            httpGet:
              path: {{ .Values.probes.path | default "/healthz" }}
              port: http
            periodSeconds: 10
          readinessProbe:
            httpGet:
              path: {{ .Values.probes.readyPath | default "/readyz" }}
              port: http
            periodSeconds: 5
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .Values.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir: {}
        {{- with .Values.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: topology.kubernetes.io/zone
          whenUnsatisfiable: {{ .Values.topologySpread.whenUnsatisfiable | default "ScheduleAnyway" }}
          labelSelector:
            matchLabels:
              {{- include "<<svc>>.selectorLabels" . | nindent 14 }}
      {{- with .Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
"""
HELPERS = """{{/*
Expand the name of the chart.
*/}}
{{- define "<<svc>>.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name (63 characters, the DNS label limit).
*/}}
{{- define "<<svc>>.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- printf "%s" $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "<<svc>>.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "<<svc>>.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: platform
{{- end }}

{{- define "<<svc>>.selectorLabels" -}}
app.kubernetes.io/name: {{ include "<<svc>>.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "<<svc>>.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "<<svc>>.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}
"""
SMALL_TEMPLATES = {
    "service.yaml": """apiVersion: v1
kind: Service
metadata:
  name: {{ include "<<svc>>.fullname" . }}
  labels:
    {{- include "<<svc>>.labels" . | nindent 4 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "<<svc>>.selectorLabels" . | nindent 4 }}
""",
    "serviceaccount.yaml": """{{- if .Values.serviceAccount.create -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "<<svc>>.serviceAccountName" . }}
  labels:
    {{- include "<<svc>>.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
""",
    "hpa.yaml": """{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "<<svc>>.fullname" . }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "<<svc>>.fullname" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end }}
""",
    "pdb.yaml": """{{- if gt (int .Values.replicaCount) 1 }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "<<svc>>.fullname" . }}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      {{- include "<<svc>>.selectorLabels" . | nindent 6 }}
{{- end }}
""",
    "configmap.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "<<svc>>.fullname" . }}
data:
  LOG_LEVEL: {{ .Values.logLevel | default "info" | quote }}
  {{- range $k, $v := .Values.global.serviceUrls }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
""",
    "servicemonitor.yaml": """{{- if .Values.metrics.serviceMonitor }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "<<svc>>.fullname" . }}
spec:
  endpoints:
    - port: metrics
      interval: 30s
  selector:
    matchLabels:
      {{- include "<<svc>>.selectorLabels" . | nindent 6 }}
{{- end }}
""",
    "networkpolicy.yaml": """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "<<svc>>.fullname" . }}
spec:
  podSelector:
    matchLabels:
      {{- include "<<svc>>.selectorLabels" . | nindent 6 }}
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: istio-system
        - podSelector: {}
""",
    "NOTES.txt": """<<svc>> is deployed as {{ include "<<svc>>.fullname" . }} in {{ .Release.Namespace }}.
  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ include "<<svc>>.fullname" . }} <<port>>:{{ .Values.service.port }}
""",
}


VALUES_HEAD = """
# -- Number of replicas when autoscaling is off.
replicaCount: 2
revisionHistoryLimit: 5

image:
  # -- ECR repository (terraform/prod/foundation/ecr.tf creates it).
  repository: <<reg>>/prod/<<svc>>
  pullPolicy: IfNotPresent
  # -- Overrides the image tag whose default is the chart appVersion.
  tag: latest

imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""

serviceAccount:
  create: true
  # -- Annotations to add to the service account (EKS Pod Identity needs none).
  annotations: {}
  name: ""

podAnnotations: {}
deploymentAnnotations: {}

service:
  type: ClusterIP
  port: 8080

metrics:
  port: 9090
  serviceMonitor: false

probes:
  path: /healthz
  readyPath: /readyz

migrations:
  enabled: false

externalSecret:
  enabled: false

logLevel: info

# -- Environment passed to the container (see templates/deployment.yaml).
config:
  LOG_LEVEL: info
  HTTP_ADDR: ":8080"

env:<<env>>

"""
VALUES_TAIL = """resources:
  requests:
    cpu: 100m
    memory: 128Mi
  limits:
    memory: 512Mi

autoscaling:
  enabled: false
  minReplicas: 2
  maxReplicas: 10
  targetCPUUtilizationPercentage: 70

topologySpread:
  whenUnsatisfiable: ScheduleAnyway

nodeSelector: {}
tolerations: []
affinity: {}
extraVolumes: []
extraVolumeMounts: []

global:
  otlpEndpoint: http://otel-collector.observability:4317
  serviceUrls: {}
"""


def chart_values(t: Tree, svc: str) -> str:
    """A values.yaml in the style of `helm create`, with the team's own comment blocks."""
    return (t.banner("#", f"Default values for {svc}.", 10)
            + fill(VALUES_HEAD, svc=svc, reg=REGISTRY, env=chart_env(svc))
            + t.comment("#", 6) + fill(VALUES_TAIL, **svc_kw(svc)))


def chart_env(svc: str) -> str:
    """The chart's `env:` map: callers name the target; media-service also has a `video:` key
    that is a codec setting, not the target (a realistic trap for a short-name match)."""
    text = f"\n  {upper(TARGET)}_URL: http://{TARGET}:8080\n  {upper(TARGET)}_TIMEOUT: 10s" if svc in CALLERS else " {}"
    if svc == "media-service":
        text += "\ntranscoding:\n  video:\n    codec: h264\n    bitrate: 2500k\n  audio:\n    codec: opus"
    return text


def gen_service_chart(t: Tree, svc: str) -> None:
    base = f"k8s/helm/charts/{svc}"
    kw = svc_kw(svc)
    t.add(f"{base}/Chart.yaml", fill(CHART_YAML, minor=SERVICES.index(svc) + 1, go=GO, **kw))
    t.add(f"{base}/values.yaml", chart_values(t, svc))
    t.add(f"{base}/templates/_helpers.tpl", fill(HELPERS, **kw))
    t.add(f"{base}/templates/deployment.yaml", fill(DEPLOYMENT, **kw))
    for name, text in SMALL_TEMPLATES.items():
        t.add(f"{base}/templates/{name}", fill(text, **kw))
    t.add(f"{base}/templates/tests/test-connection.yaml", fill(
        """apiVersion: v1
kind: Pod
metadata:
  name: "{{ include "<<svc>>.fullname" . }}-test-connection"
  annotations:
    "helm.sh/hook": test
spec:
  containers:
    - name: wget
      image: busybox:1.36
      command: ['wget']
      args: ['{{ include "<<svc>>.fullname" . }}:{{ .Values.service.port }}/healthz']
  restartPolicy: Never
""", **kw))


def gen_common_chart(t: Tree) -> None:
    """A library chart named `common`, version 1.24.0 like Go: set-version must leave it alone."""
    base = "k8s/helm/charts/common"
    t.add(f"{base}/Chart.yaml", f"apiVersion: v2\nname: common\ntype: library\nversion: {GO}\n"
          "description: Shared named templates for the platform charts\n")
    for name in ("_labels.tpl", "_probes.tpl", "_resources.tpl", "_names.tpl", "_images.tpl"):
        t.add(f"{base}/templates/{name}", "".join(
            f"{{{{- define \"common.{name[1:-4]}.{i}\" -}}}}\n{{{{- toYaml .Values.{name[1:-4]}{i} }}}}\n"
            "{{- end }}\n\n" for i in range(12)))


# -- platform charts: istio-config, monitoring, infra, livekit ----------------------------------
ROUTE = """{{- if .Values.services.<<camel>>.enabled }}
---
<<note>>apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: <<svc>>
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/part-of: platform
spec:
  parentRefs:
    - name: {{ .Values.gateway.name }}
      namespace: {{ .Values.gateway.namespace }}
  hostnames:
    - {{ .Values.gateway.host | quote }}
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /svc/<<short>>
      filters:
        - type: URLRewrite
          urlRewrite:
            path:
              type: ReplacePrefixMatch
              replacePrefixMatch: /
      backendRefs:
        - name: <<svc>>
          port: {{ .Values.services.<<camel>>.port }}
      timeouts:
        request: {{ .Values.services.<<camel>>.timeout | default "30s" }}
{{- end }}
"""
VS_ROUTE = """    - match:
        - uri:
            prefix: /svc/<<short>>
      route:
        - destination:
            host: <<svc>>
            port:
              number: 8080
      retries:
        attempts: 3
        perTryTimeout: 5s
"""
AUTHZ = """{{- if .Values.services.<<camel>>.enabled }}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: <<svc>>-allow
  namespace: {{ .Release.Namespace }}
spec:
  targetRefs:
    - kind: Service
      group: ""
      name: <<svc>>
  action: ALLOW
  rules:
    - from:
        - source:
            principals:
              - cluster.local/ns/istio-system/sa/platform-gateway-istio
              {{- range .Values.services.<<camel>>.callers }}
              - cluster.local/ns/{{ $.Release.Namespace }}/sa/{{ . }}
              {{- end }}
{{- end }}
"""
DR = """{{- if .Values.services.<<camel>>.enabled }}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: <<svc>>
spec:
  host: <<svc>>.{{ .Release.Namespace }}.svc.cluster.local
  trafficPolicy:
    connectionPool:
      http:
        http2MaxRequests: {{ .Values.services.<<camel>>.maxRequests | default 1000 }}
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 30s
      baseEjectionTime: 60s
{{- end }}
"""


def gen_istio_config(t: Tree) -> None:
    base = "k8s/helm/charts/istio-config"
    t.add(f"{base}/Chart.yaml", "apiVersion: v2\nname: istio-config\nversion: 0.9.0\n"
          "description: Gateway API routes and Istio policies of the platform\n")
    backends = [s for s in SERVICES if s != FRONTEND]
    note = {TARGET: "# 비디오 서비스 라우트 (LiveKit 시그널링 포함)\n"}
    t.add(f"{base}/templates/httproute.yaml",
          "{{- /* One HTTPRoute per service, rendered when the service is enabled. */ -}}\n" + "".join(
              fill(ROUTE, note=note.get(s, ""), **svc_kw(s)) for s in backends))
    t.add(f"{base}/templates/virtualservice.yaml",
          "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: internal-routes\n"
          "  namespace: {{ .Release.Namespace }}\nspec:\n  hosts:\n    - internal.{{ .Values.gateway.host }}\n"
          "  http:\n" + "".join(fill(VS_ROUTE, **svc_kw(s)) for s in backends))
    t.add(f"{base}/templates/authorization-policy.yaml", "".join(fill(AUTHZ, **svc_kw(s)) for s in backends))
    t.add(f"{base}/templates/destinationrule.yaml", "".join(fill(DR, **svc_kw(s)) for s in backends))
    t.add(f"{base}/templates/peerauthentication.yaml",
          "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
          "spec:\n  mtls:\n    mode: {{ .Values.mtls.mode | default \"STRICT\" }}\n")
    t.add(f"{base}/values.yaml", istio_config_values(t, backends))


def istio_config_values(t: Tree, backends: list[str]) -> str:
    out = [t.banner("#", "istio-config: routes and policies", 12),
           "gateway:\n  name: platform-gateway\n  namespace: istio-system\n  host: api.example.com\n\n"
           "mtls:\n  mode: STRICT\n\n# Which routes are rendered. Keys are camelCase service names.\nservices:\n"]
    for s in backends:
        callers = [c for c in CALLERS if c != s][:2] if s == TARGET else ["frontend"]
        out.append(f"  {camel(s)}:\n    enabled: true\n    port: 8080\n    timeout: 30s\n"
                   f"    callers: [{', '.join(callers)}]\n")
    return "".join(out)


def gen_monitoring(t: Tree) -> None:
    base = "k8s/helm/charts/monitoring"
    backends = [s for s in SERVICES if s != FRONTEND]
    t.add(f"{base}/Chart.yaml", "apiVersion: v2\nname: monitoring\nversion: 2.3.0\n")
    targets = "".join(f"    {camel(s)}:\n      enabled: true\n      host: {s}\n      port: {port(s)}\n"
                      f"      path: {'/actuator/prometheus' if s == JAVA_SERVICE else '/metrics'}\n"
                      for s in backends)
    t.add(f"{base}/values.yaml", t.banner("#", "Monitoring stack values", 10)
          + "prometheus:\n  retention: 15d\n  # 스크랩 대상: 서비스마다 하나씩\n  scrapeTargets:\n"
          + targets
          + "\nalerting:\n  slackChannel: \"#platform-alerts\"\n  pagerduty:\n    enabled: true\n")
    jobs = "|".join(backends[:12])
    rate = "\n              or ".join(
        f"sum(rate({snake(s)}_http_requests_total{{code=~\"5..\"}}[5m]))" for s in backends[:8])
    t.add(f"{base}/templates/alert-rules.yaml", fill(ALERTS, jobs=jobs, rate=rate, **svc_kw(TARGET)))
    t.add(f"{base}/templates/prometheus-config.yaml", PROM_CONFIG + "".join(
        f"      - job_name: {s}-extra\n        static_configs:\n          - targets: [\"{s}:9102\"]\n"
        for s in (TARGET, "media-service")))
    for name in ("grafana-datasources.yaml", "otel-collector.yaml", "tempo.yaml"):
        t.add(f"{base}/templates/{name}", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
              f"  name: {name[:-5]}\ndata:\n  config.yaml: |\n" + "".join(
                  f"    key{i}: {{{{ .Values.{camel(name[:-5].replace('-', '_'))}.key{i} | default \"v{i}\" }}}}\n"
                  for i in range(40)))


ALERTS = """apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: platform-alerts
spec:
  groups:
    - name: services
      rules:
        - alert: ServiceDown
          expr: up{job=~"<<jobs>>"} == 0
          for: 2m
          labels:
            severity: critical
          annotations:
            summary: '{{ "{{" }} $labels.job {{ "}}" }} is down'
        - alert: HighErrorRate
          expr: |
            <<rate>>
            > 1
          for: 5m
          labels:
            severity: warning
        - alert: <<pascal>>RecordingBacklog
          expr: sum(<<snake>>_recordings_pending) > 50
          for: 15m
          labels:
            severity: warning
"""
PROM_CONFIG = """apiVersion: v1
kind: ConfigMap
metadata:
  name: prometheus-config
data:
  prometheus.yml: |
    global:
      scrape_interval: 30s
    scrape_configs:
      {{- range $name, $t := .Values.prometheus.scrapeTargets }}
      {{- if $t.enabled }}
      - job_name: {{ $t.host }}
        metrics_path: {{ $t.path }}
        static_configs:
          - targets: ["{{ $t.host }}:{{ $t.port }}"]
      {{- end }}
      {{- end }}
"""


def gen_infra_chart(t: Tree) -> None:
    base = "k8s/helm/charts/infra"
    t.add(f"{base}/Chart.yaml", "apiVersion: v2\nname: infra\nversion: 1.4.0\n")
    dbs = "".join(f"  - name: app_{snake(short(s))}{'   # rooms and recordings' if s == TARGET else ''}\n"
                  f"    user: {snake(short(s))}\n" for s in GO_SERVICES)
    t.add(f"{base}/values.yaml", t.banner("#", "Shared infrastructure (postgres, redis, minio)", 8)
          + "postgres:\n  image: postgres:16\n  storage: 50Gi\n"
          "  # One database and owner per service (created by templates/postgres-init.yaml)\n  databases:\n"
          + dbs + "\nredis:\n  enabled: true\n  maxmemory: 512mb\n\nminio:\n  enabled: true\n"
          "  buckets: [avatars, recordings, attachments, exports]\n")
    t.add(f"{base}/templates/postgres-init.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
          "  name: postgres-init\ndata:\n  init.sql: |\n    {{- range .Values.postgres.databases }}\n"
          "    CREATE USER {{ .user }};\n    CREATE DATABASE {{ .name }} OWNER {{ .user }};\n    {{- end }}\n")
    t.add(f"{base}/templates/statefulset.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n"
          "  name: postgres\nspec:\n  serviceName: postgres\n  template:\n    spec:\n      containers:\n"
          "        - name: postgres\n          image: {{ .Values.postgres.image }}\n")
    t.add("k8s/helm/charts/livekit/Chart.yaml", "apiVersion: v2\nname: livekit\nversion: 1.7.2\n")
    t.add("k8s/helm/charts/livekit/values.yaml", t.banner("#", "LiveKit SFU (used by the video rooms)", 6)
          + "livekit:\n  port: 7880\n  rtc:\n    udp_port: 7882\n    port_range_start: 50000\n"
          "    port_range_end: 60000\n  redis:\n    address: redis:6379\n")
    t.add("k8s/helm/charts/livekit/templates/statefulset.yaml", "apiVersion: apps/v1\nkind: StatefulSet\n"
          "metadata:\n  name: livekit\nspec:\n  template:\n    spec:\n      containers:\n"
          "        - name: livekit\n          image: livekit/livekit-server:v1.8.0\n")


# -- environments and ArgoCD ------------------------------------------------------------------
def gen_environments(t: Tree) -> None:
    env_dir = "k8s/helm/environments"
    width = max(len(upper(s)) for s in SERVICES) + 6
    urls = "".join(f"  {(upper(s) + '_URL:').ljust(width)} \"http://{s}:{port(s)}\"\n" for s in SERVICES)
    t.add(f"{env_dir}/base.yaml", t.banner("#", "Shared values for every environment", 16)
          + "global:\n  namespace: platform\n  imagePullPolicy: IfNotPresent\n"
          "  otlpEndpoint: http://otel-collector.observability:4317\n\n"
          + t.comment("#", 5) + "env:\n" + urls + "  LIVEKIT_URL: \"ws://livekit:7880\"\n")
    for env in ("dev", "prod"):
        t.add(f"{env_dir}/{env}.yaml", env_values(t, env))


def env_values(t: Tree, env: str) -> str:
    rng = t.rng
    out = [t.banner("#", f"{env} environment overrides", 14),
           f"global:\n  env: {env}\n  domain: {'dev.example.internal' if env == 'dev' else 'example.com'}\n"
           f"  jwtMode: {'local' if env == 'dev' else 'jwks'}\n\n"]
    for s in SERVICES:
        out.append(rng.choice(["", t.comment("#", rng.randint(1, 3), 0.6)]))
        out.append(f"{s}:\n  replicaCount: {1 if env == 'dev' else rng.choice([2, 3, 4])}\n")
        if s == TARGET:
            out.append(f"  config:\n"
                       f"    SERVER_BASE_PATH: \"\"  # 빈 값: 이미지 기본값(/{short(s)})을 덮어씀\n"
                       f"    ROOM_TTL: \"{'30m' if env == 'dev' else '2h'}\"\n    MAX_ROOMS: 500\n"
                       "    RECORDING_ENABLED: true\n    storage:\n      bucket: recordings\n"
                       "      path.prefix: rooms/\n")
        elif rng.random() < 0.6:
            keys = rng.sample(["PAGE_SIZE", "CACHE_TTL", "FEATURE_FLAGS", "DB_POOL_SIZE", "RATE_LIMIT",
                               "SERVER_BASE_PATH", "LOG_FORMAT", "TIMEOUT"], rng.randint(1, 4))
            empty = '""'  # meaningful: overrides the image's default
            out.append("  config:\n" + "".join(
                f"    {k}: {empty if k == 'SERVER_BASE_PATH' else rng.randint(1, 500)}\n" for k in keys))
        if s in CALLERS:
            out.append(f"  env:\n    {upper(TARGET)}_URL: \"http://{TARGET}.platform.svc.cluster.local:8080\"\n")
        out.append("\n")
    out.append("istio:\n  mode: ambient\n  services:\n" + "".join(
        f"    - {short(s)}\n" for s in GO_SERVICES))
    return "".join(out)


APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: <<svc>>-<<env>>
  namespace: argocd
  labels:
    team: <<team>>
  finalizers:
    - resources-finalizer.argocd.argoproj.io
spec:
  project: platform
  source:
    repoURL: <<repo>>
    targetRevision: <<rev>>
    path: k8s/helm/charts/<<svc>>
    helm:
      valueFiles:
        - ../../environments/base.yaml
        - ../../environments/<<env>>.yaml
<<params>>  destination:
    server: https://kubernetes.default.svc
    namespace: platform
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    syncOptions:
      - CreateNamespace=true
      - ServerSideApply=true
"""
CHART_APP = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: <<name>>
  namespace: argocd
  annotations:
    argocd.argoproj.io/sync-wave: "<<wave>>"
spec:
  project: <<project>>
  source:
    repoURL: <<repo>>
    chart: <<chart>>
    targetRevision: <<rev>>
    helm:
      releaseName: <<name>>
  destination:
    server: https://kubernetes.default.svc
    namespace: <<ns>>
"""
ISTIO_REPO = "https://istio-release.storage.googleapis.com/charts"
# (app name, repository, chart, version, namespace): Istio charts move with set-version, the others
# (generic names like base and common, or the same 1.24.0) must not.
CHART_APPS = [
    ("istio-base", ISTIO_REPO, "base", ISTIO, "istio-system"),
    ("istiod", ISTIO_REPO, "istiod", ISTIO, "istio-system"),
    ("istio-cni", ISTIO_REPO, "cni", f'"{ISTIO}"', "istio-system"),
    ("ztunnel", ISTIO_REPO, "ztunnel", ISTIO, "istio-system"),
    ("platform-base", "https://charts.example.com/platform", "base", GO, "platform"),
    ("bitnami-common", "oci://registry-1.docker.io/bitnamicharts", "common", "2.27.0", "platform"),
    ("cert-manager", "https://charts.jetstack.io", "cert-manager", "v1.16.2", "cert-manager"),
    ("kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts",
     "kube-prometheus-stack", "66.3.1", "observability"),
    ("kube-state-metrics", "https://prometheus-community.github.io/helm-charts",
     "kube-state-metrics", GO, "observability"),
    ("external-secrets", "https://charts.external-secrets.io", "external-secrets", "0.10.7",
     "external-secrets"),
]


def app_params(t: Tree, svc: str, env: str) -> str:
    """Some Applications already carry parameters; one names a key the chart does not have."""
    rng = t.rng
    params = []
    if rng.random() < 0.4:
        params.append(("image.tag", f"\"1.{rng.randint(0, 30)}.{rng.randint(0, 9)}\""))
    if rng.random() < 0.2:
        params.append(("config.LOG_LEVEL", "debug" if env == "dev" else "info"))
    if svc in ("search-service", "feed-service") and env == "prod":
        params.append(("podLabels.tier", "critical"))
    if not params:
        return ""
    return "      parameters:\n" + "".join(f"        - name: {n}\n          value: {v}\n" for n, v in params)


def gen_argocd(t: Tree) -> None:
    teams = ["identity", "media", "community", "commerce", "platform"]
    for env in ("dev", "prod"):
        for i, s in enumerate(SERVICES):
            t.add(f"k8s/argocd/apps/{env}/{s}.yaml", fill(
                APP, svc=s, env=env, team=teams[i % 5], repo=REPO_URL,
                rev="develop" if env == "dev" else "deploy", params=app_params(t, s, env)))
        for comp in ("istio-config", "monitoring", "infra", "livekit"):
            t.add(f"k8s/argocd/apps/{env}/{comp}.yaml", fill(
                APP, svc=comp, env=env, team="platform", repo=REPO_URL,
                rev="develop" if env == "dev" else "deploy", params=""))
        t.add(f"k8s/argocd/apps/{env}/kustomization.yaml",
              "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + "".join(
                  f"  - {s}.yaml\n" for s in SERVICES + ["istio-config", "monitoring", "infra", "livekit"]))
    for wave, (name, repo, chart, rev, ns) in enumerate(CHART_APPS):
        t.add(f"k8s/argocd/apps/infra/{name}.yaml", fill(
            CHART_APP, name=name, repo=repo, chart=chart, rev=rev, ns=ns, wave=wave,
            project="infra" if ns != "observability" else "observability"))
    gen_projects(t)
    gen_appset(t)


def gen_projects(t: Tree) -> None:
    repos = {"platform": [REPO_URL], "infra": [ISTIO_REPO, "https://charts.jetstack.io",
                                               "https://charts.example.com/platform",
                                               "registry-1.docker.io/bitnamicharts",
                                               "https://charts.external-secrets.io"],
             "observability": ["https://prometheus-community.github.io/helm-charts"]}
    for name, urls in repos.items():
        t.add(f"k8s/argocd/projects/{name}.yaml", t.comment("#", 3) + fill(
            "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: <<name>>\n"
            "  namespace: argocd\nspec:\n  description: <<name>> applications\n  sourceRepos:\n",
            name=name) + "".join(f"    - {u}\n" for u in urls) + "  destinations:\n" + "".join(
                f"    - namespace: {ns}\n      server: https://kubernetes.default.svc\n"
                for ns in ("platform", "istio-system", "observability", "cert-manager")))


def gen_appset(t: Tree) -> None:
    elems = "".join(f"          - name: {s}\n            port: \"{port(s)}\"\n" for s in GO_SERVICES[:10])
    t.add("k8s/argocd/appsets/preview.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\n"
          "metadata:\n  name: preview\n  namespace: argocd\nspec:\n  generators:\n    - list:\n"
          "        elements:\n" + elems + "  template:\n    metadata:\n      name: 'preview-{{name}}'\n"
          "    spec:\n      project: platform\n      source:\n        repoURL: " + REPO_URL + "\n"
          "        targetRevision: develop\n        path: 'k8s/helm/charts/{{name}}'\n"
          "      destination:\n        server: https://kubernetes.default.svc\n        namespace: preview\n")


# -- Makefiles ------------------------------------------------------------------------------------
SERVICE_RULES = """##@ <<svc>>
<<comment>>.PHONY: <<svc>>-build <<svc>>-push <<svc>>-load <<svc>>-redeploy <<svc>>-logs <<svc>>-test <<svc>>-lint <<svc>>-all
<<svc>>-build: ## Build the <<svc>> image
	@echo "==> building <<svc>> ($(GIT_SHA))"
	docker build \\
		--build-arg SERVICE=<<svc>> \\
		--build-arg GO_VERSION=$(GO_VERSION) \\
		-t $(REGISTRY)/$(ENV)/<<svc>>:$(GIT_SHA) \\
		-t $(REGISTRY)/$(ENV)/<<svc>>:latest \\
		-f services/<<svc>>/Dockerfile .

<<svc>>-push: <<svc>>-build ## Push the <<svc>> image to ECR
	aws ecr get-login-password --region $(AWS_REGION) | docker login --username AWS --password-stdin $(REGISTRY)
	docker push $(REGISTRY)/$(ENV)/<<svc>>:$(GIT_SHA)
	docker push $(REGISTRY)/$(ENV)/<<svc>>:latest

<<svc>>-load: <<svc>>-build ## Load the <<svc>> image into kind
	kind load docker-image $(REGISTRY)/$(ENV)/<<svc>>:latest --name $(KIND_CLUSTER)

<<svc>>-redeploy: ## Restart the <<svc>> deployment
	kubectl -n $(NAMESPACE) rollout restart deployment/<<svc>>
	kubectl -n $(NAMESPACE) rollout status deployment/<<svc>> --timeout=180s

<<svc>>-logs: ## Tail the <<svc>> logs
	kubectl -n $(NAMESPACE) logs -f deployment/<<svc>> --all-containers --since=10m

<<svc>>-test: ## Run the <<svc>> unit tests
	cd services/<<svc>> && go test -race -count=1 ./...

<<svc>>-lint: ## Lint <<svc>> (go vet, staticcheck, helm lint)
	cd services/<<svc>> && go vet ./... && staticcheck ./...
	helm lint k8s/helm/charts/<<svc>> -f k8s/helm/environments/base.yaml -f k8s/helm/environments/$(ENV).yaml

<<svc>>-port-forward: ## Forward localhost:<<port>> to <<svc>>
	kubectl -n $(NAMESPACE) port-forward svc/<<svc>> <<port>>:8080

<<svc>>-migrate: ## Run the <<svc>> database migrations
	kubectl -n $(NAMESPACE) exec deploy/<<svc>> -- /server migrate up

<<svc>>-shell: ## Open a shell in a <<svc>> pod
	kubectl -n $(NAMESPACE) exec -it deploy/<<svc>> -- sh

<<svc>>-mocks: ## Regenerate the <<svc>> mocks
	cd services/<<svc>> && go generate ./...

<<svc>>-all: <<svc>>-build <<svc>>-load <<svc>>-redeploy ## Build, load and restart <<svc>>

"""


def gen_makefiles(t: Tree) -> None:
    go_list = " \\\n              ".join(GO_SERVICES)
    t.add("Makefile", t.banner("#", "Platform monorepo: top-level entry points", 10)
          + "# 각 서비스의 빌드 규칙은 makefiles/ 아래에 있습니다.\n\n"
          + "".join(f"include makefiles/{m}.mk\n" for m in
                    ("_variables", "services", "validation", "kind", "argo", "docker", "test"))
          + "\n.DEFAULT_GOAL := help\n\n.PHONY: help build-all up down\n"
          "help: ## Show this help\n\t@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort\n\n"
          "build-all: ## Build every backend image\n\t@for svc in $(BACKEND_SERVICES); do \\\n"
          "\t\t$(MAKE) $$svc-build || exit 1; \\\n\tdone\n\n"
          "up: ## Start the local stack\n\tdocker compose -f docker/compose/docker-compose.yml up -d\n\n"
          "down:\n\tdocker compose -f docker/compose/docker-compose.yml down -v\n")
    t.add("makefiles/_variables.mk", t.banner("#", "Shared variables for all makefiles", 6)
          + f"REGISTRY      ?= {REGISTRY}\nAWS_REGION    ?= ap-northeast-2\nENV           ?= dev\n"
          f"NAMESPACE     ?= platform\nKIND_CLUSTER  ?= platform\n"
          f"GIT_SHA       ?= $(shell git rev-parse --short HEAD)\n"
          f"ISTIO_VERSION ?= {ISTIO}\nGO_VERSION    ?= {GO}\nGATEWAY_API_VERSION ?= v1.2.1\n"
          f"ARGO_ROLLOUTS_VERSION ?= v1.8.3\n\n# Go services (built with the shared Go toolchain)\n"
          f"GO_SERVICES = {go_list}\n\n# Every backend service that ships an image\n"
          f"BACKEND_SERVICES = $(GO_SERVICES) {JAVA_SERVICE}\n\n"
          f"# 미디어 팀 서비스\nMEDIA_SERVICES = {TARGET} media-service\n\n"
          "INFRA_COMPONENTS = infra livekit monitoring istio-config\n")
    t.add("makefiles/services.mk", t.banner("#", "Per-service build, push, load and redeploy rules", 12)
          + "".join(fill(SERVICE_RULES, comment=t.comment("#", t.rng.randint(0, 3), 0.5), **svc_kw(s))
                    for s in GO_SERVICES)
          + f"##@ {JAVA_SERVICE} (Spring Boot)\n.PHONY: {JAVA_SERVICE}-build\n{JAVA_SERVICE}-build:\n"
          f"\tcd services/{JAVA_SERVICE} && ./mvnw -q package -DskipTests\n"
          f"\tdocker build -t $(REGISTRY)/$(ENV)/{JAVA_SERVICE}:latest services/{JAVA_SERVICE}\n")
    gen_validation_mk(t)
    gen_small_mks(t)


def gen_validation_mk(t: Tree) -> None:
    lint = "".join(f"\thelm lint k8s/helm/charts/{s}\n" for s in SERVICES + ["istio-config", "monitoring", "infra"])
    build = "".join(f"\t@echo \"==> go build {s}\"\n\tcd services/{s} && go build ./...\n" for s in GO_SERVICES[:6])
    loop = " ".join(GO_SERVICES[6:])
    title = "Static validation: helm lint every chart, go build every service"
    t.add("makefiles/validation.mk", t.banner("#", title, 6)
          + ".PHONY: validate lint-charts build-go template-all\nvalidate: lint-charts build-go\n\n"
          "lint-charts:\n\t@echo \"==> helm lint\"\n" + lint + "\nbuild-go:\n" + build
          + f"\t@for svc in {loop}; do \\\n\t\techo \"==> go build $$svc\"; \\\n"
          "\t\t(cd services/$$svc && go build ./...) || exit 1; \\\n\tdone\n\n"
          "template-all:\n\t@for env in dev prod; do \\\n\t\tfor svc in $(GO_SERVICES); do \\\n"
          "\t\t\thelm template $$svc k8s/helm/charts/$$svc -f k8s/helm/environments/$$env.yaml \\\n"
          "\t\t\t\t> /dev/null || exit 1; \\\n"
          "\t\tdone; \\\n\tdone\n")


def gen_small_mks(t: Tree) -> None:
    t.add("makefiles/kind.mk", t.banner("#", "Local kind cluster", 4)
          + ".PHONY: kind-up kind-down kind-load-all istio-install addons\nkind-up:\n"
          "\tkind create cluster --name $(KIND_CLUSTER) --config k8s/kind/cluster.yaml\n\t$(MAKE) istio-install\n\n"
          "istio-install:\n\tcurl -L https://istio.io/downloadIstio | ISTIO_VERSION=$(ISTIO_VERSION) sh -\n"
          "\t./istio-$(ISTIO_VERSION)/bin/istioctl install -y --set profile=ambient\n\n"
          f"addons:\n\tkubectl apply -f {ADDONS}/kiali.yaml\n\tkubectl apply -f {ADDONS}/prometheus.yaml\n\n"
          "kind-load-all:\n\tfor svc in " + " ".join(GO_SERVICES[:8]) + "; do \\\n"
          "\t\tkind load docker-image $(REGISTRY)/$(ENV)/$$svc:latest --name $(KIND_CLUSTER); \\\n\tdone\n\n"
          "kind-down:\n\tkind delete cluster --name $(KIND_CLUSTER)\n")
    apps = " ".join(SERVICES[:-1] + ["livekit", "infra"])
    t.add("makefiles/argo.mk", "# ArgoCD helpers.\n\nARGO_APPS = " + apps + "\n\n.PHONY: argo-sync argo-status\n"
          "argo-sync:\n\t@for app in $(ARGO_APPS); do argocd app sync $$app-$(ENV); done\n\n"
          "argo-status:\n\tbash k8s/argocd/scripts/status.sh $(ENV)\n")
    t.add("makefiles/test.mk", "# Tests across services.\n.PHONY: test-all cover\ntest-all:\n"
          "\t@for svc in $(GO_SERVICES); do \\\n\t\t(cd services/$$svc && go test ./...) || exit 1; \\\n\tdone\n\n"
          f"e2e-media:\n\tgo test ./e2e/... -run 'Test(Media|{pascal(TARGET)})' -tags e2e\n")


# -- shell scripts --------------------------------------------------------------------------------
SH_HEAD = """#!/usr/bin/env bash
<<comment>>set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "${SCRIPT_DIR}/../.." && pwd)"
NAMESPACE="${NAMESPACE:-platform}"
ENV="${1:-dev}"

log()  { printf '\\033[1;34m[%s]\\033[0m %s\\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '\\033[1;33m[%s] WARN\\033[0m %s\\n' "$(date +%H:%M:%S)" "$*" >&2; }
die()  { printf '\\033[1;31m[%s] ERROR\\033[0m %s\\n' "$(date +%H:%M:%S)" "$*" >&2; exit 1; }

"""
SH_FUNC = """# <<doc>>
<<name>>() {
  local attempt=0 max="${2:-<<n>>}"
  until <<cmd>>; do
    attempt=$((attempt + 1))
    if [[ ${attempt} -ge ${max} ]]; then
      warn "<<name>>: giving up after ${attempt} attempts"
      return 1
    fi
    sleep $((attempt * 2))
  done
  log "<<name>>: ok after ${attempt} retries"
}

"""
SH_CMDS = ["kubectl -n \"${NAMESPACE}\" get pods >/dev/null 2>&1",
           "kubectl wait --for=condition=Available deployment --all -n \"${NAMESPACE}\" --timeout=10s",
           "helm status \"${1}\" -n \"${NAMESPACE}\" >/dev/null 2>&1",
           "argocd app wait \"${1}-${ENV}\" --health --timeout 30",
           "curl -fsS \"http://localhost:15021/healthz/ready\" >/dev/null"]


def shell_funcs(t: Tree, count: int, prefix: str) -> str:
    rng = t.rng
    return "".join(fill(SH_FUNC, doc=rng.choice(EN + KO), name=f"{prefix}_{i}_{rng.choice(['wait', 'check', 'retry'])}",
                        n=rng.randint(3, 30), cmd=rng.choice(SH_CMDS)) for i in range(count))


def gen_scripts(t: Tree) -> None:
    gen_install_istio(t)
    gen_bootstrap(t)
    apps = "".join(f"  {s}\n" for s in SERVICES[:-1] + ["livekit"])
    t.add("k8s/argocd/scripts/sync-all.sh", fill(SH_HEAD, comment=t.comment("#", 2))
          + f"APPS=(\n{apps})\n\nfor app in \"${{APPS[@]}}\"; do\n"
          "  argocd app sync \"${app}-${ENV}\" --timeout 300\ndone\n")
    echo = "".join(f"echo \"  - {s}\"\n" for s in SERVICES[:8])
    head = fill(SH_HEAD, comment="# Print the sync status of the platform applications.\n")
    t.add("k8s/argocd/scripts/status.sh", head
          + "echo \"Applications checked:\"\n" + echo + "\nfor app in " + " ".join(SERVICES[:8])
          + "; do\n  argocd app get \"${app}-${ENV}\" -o json | jq -r '.status.sync.status'\ndone\n")
    smoke = "".join(f"check \"{s}\" \"${{{upper(s)}_URL:-http://localhost:{port(s)}}}/healthz\"\n" for s in GO_SERVICES)
    t.add("scripts/smoke-test.sh", fill(SH_HEAD, comment=t.comment("#", 3))
          + "FAILED=()\ncheck() {\n  if ! curl -fsS --max-time 5 \"$2\" >/dev/null; then\n"
          "    warn \"$1 is not healthy ($2)\"\n    FAILED+=(\"$1\")\n  fi\n}\n\n" + smoke
          + "\nif [[ ${#FAILED[@]} -gt 0 ]]; then die \"unhealthy: ${FAILED[*]}\"; fi\nlog \"all healthy\"\n")
    t.add("scripts/install-rollouts.sh", fill(SH_HEAD, comment="# Argo Rollouts controller and kubectl plugin.\n")
          + "ARGO_ROLLOUTS_VERSION=\"v1.8.3\"\n"
          "kubectl create namespace argo-rollouts --dry-run=client -o yaml | kubectl apply -f -\n"
          "kubectl apply -n argo-rollouts -f "
          "https://github.com/argoproj/argo-rollouts/releases/download/${ARGO_ROLLOUTS_VERSION}/install.yaml\n")
    t.add("scripts/db-backup.sh", fill(SH_HEAD, comment=t.comment("#", 4)) + "DATABASES=(\n" + "".join(
        f"  app_{snake(short(s))}\n" for s in GO_SERVICES) + ")\n\nfor db in \"${DATABASES[@]}\"; do\n"
        "  pg_dump -h \"${PGHOST:-localhost}\" -U postgres -Fc \"${db}\" > \"backup-${db}-$(date +%F).dump\"\ndone\n"
        + shell_funcs(t, 8, "backup"))


def gen_install_istio(t: Tree) -> None:
    minor = ISTIO.rsplit(".", 1)[0]
    body = fill(SH_HEAD, comment="# Installs Istio (ambient) and its addons into the current cluster.\n"
                + t.comment("#", 6)) + f"""ISTIO_VERSION="{ISTIO}"
GO_VERSION="{GO}"
GATEWAY_API_VERSION="${{GATEWAY_API_VERSION:-v1.2.1}}"
REVISION="${{REVISION:-${{ISTIO_VERSION//./-}}}}"
ADDONS=(kiali prometheus grafana jaeger)

download_istio() {{
  if [[ ! -d "./istio-{ISTIO}" ]]; then
    curl -L https://istio.io/downloadIstio | ISTIO_VERSION={ISTIO} TARGET_ARCH=x86_64 sh -
  fi
  export PATH="$PWD/istio-{ISTIO}/bin:$PATH"
}}

install_istio() {{
  ./istio-{ISTIO}/bin/istioctl install -y --set profile=ambient --set revision="${{REVISION}}"
  kubectl label namespace "${{NAMESPACE}}" istio.io/dataplane-mode=ambient --overwrite
}}

install_addons() {{
  for addon in "${{ADDONS[@]}}"; do
    kubectl apply -f "https://raw.githubusercontent.com/istio/istio/release-{minor}/samples/addons/${{addon}}.yaml"
  done
  kubectl apply -f https://raw.githubusercontent.com/istio/istio/release-{minor}/samples/addons/kiali.yaml
}}

"""
    body += shell_funcs(t, 22, "istio")
    body += "\ncase \"${2:-all}\" in\n  download) download_istio ;;\n  install) download_istio; install_istio ;;\n" \
            "  addons) install_addons ;;\n  all) download_istio; install_istio; install_addons ;;\n" \
            "  *) die \"unknown step: ${2}\" ;;\nesac\n"
    t.add("scripts/install-istio.sh", body)


def gen_bootstrap(t: Tree) -> None:
    """A several-hundred-line bootstrap script with arrays, a case per service and a heredoc."""
    cases = "".join(f"    {s})\n      kubectl -n \"${{NAMESPACE}}\" create secret generic {s}-db "
                    f"--from-literal=DB_NAME=app_{snake(short(s))} --dry-run=client -o yaml | kubectl apply -f -\n"
                    "      ;;\n" for s in GO_SERVICES)
    t.add("scripts/bootstrap-cluster.sh", fill(SH_HEAD, comment=t.comment("#", 8))
          + "SERVICES=(\n" + "".join(f"  {s}\n" for s in GO_SERVICES) + ")\n\n"
          + shell_funcs(t, 20, "bootstrap")
          + "create_db_secret() {\n  case \"$1\" in\n" + cases
          + "    *)\n      warn \"no database for $1\"\n      ;;\n  esac\n}\n\n"
          + "for svc in \"${SERVICES[@]}\"; do\n  create_db_secret \"${svc}\"\ndone\n\n"
          + "cat <<EOF\nCluster ready. Next steps:\n  make argo-sync ENV=${ENV}\n"
          f"  kubectl -n platform get deploy {TARGET}\n  "
          "bash scripts/smoke-test.sh ${ENV}\nEOF\n")


# -- docker compose -----------------------------------------------------------------------------
def gen_compose(t: Tree) -> None:
    out = ["# Local development stack.\n# Usage: make up\n", t.comment("#", 4), "name: platform\n\n"
           "x-go-service: &go-service\n  restart: unless-stopped\n  environment: &go-env\n    LOG_LEVEL: debug\n"
           "    OTEL_EXPORTER_OTLP_ENDPOINT: http://otel-collector:4317\n\nservices:\n"
           "  postgres:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: postgres\n"
           "    volumes:\n      - pgdata:/var/lib/postgresql/data\n\n  redis:\n    image: redis:7.4\n\n"
           "  livekit:\n    image: livekit/livekit-server:v1.8.0\n    command: [\"--dev\", \"--bind\", \"0.0.0.0\"]\n"
           "    ports:\n      - \"7880:7880\"\n\n"]
    for s in GO_SERVICES:
        out.append(compose_service(t, s))
    out.append(f"  # Spring Boot Service\n  {JAVA_SERVICE}:\n    build: ../../services/{JAVA_SERVICE}\n"
               f"    ports:\n      - \"{port(JAVA_SERVICE)}:8080\"\n    environment:\n"
               f"      {upper(TARGET)}_URL: http://{TARGET}:8080\n    depends_on:\n      - postgres\n\n"
               "volumes:\n  pgdata:\n")
    t.add("docker/compose/docker-compose.yml", "".join(out))
    t.add("docker/compose/.env", "".join(f"{upper(s)}_PORT={port(s)}\n" for s in SERVICES))
    t.add("docker/compose/docker-compose.observability.yml", "services:\n  otel-collector:\n"
          "    image: otel/opentelemetry-collector-contrib:0.114.0\n  tempo:\n    image: grafana/tempo:2.6.1\n"
          "  grafana:\n    image: grafana/grafana:11.3.0\n")


def compose_service(t: Tree, s: str) -> str:
    text = (f"  {s}:\n    <<: *go-service\n    build:\n      context: ../..\n"
            f"      dockerfile: services/{s}/Dockerfile\n"
            f"    ports:\n      - \"{port(s)}:8080\"\n")
    if s in CALLERS:
        text += (f"    environment:\n      <<: *go-env\n      {upper(TARGET)}_URL: http://{TARGET}:8080\n"
                 f"    depends_on:\n      - postgres\n      - {TARGET}\n")
    elif s == TARGET:
        text = "  # Video rooms (WebRTC through LiveKit)\n" + text + (
            "    environment:\n      <<: *go-env\n      LIVEKIT_URL: ws://livekit:7880\n      LIVEKIT_API_KEY: devkey\n"
            "    depends_on:\n      - livekit\n      - auth-service\n")
    else:
        text += "    depends_on:\n      - postgres\n"
    return text + "\n"


# -- Terraform ------------------------------------------------------------------------------------
POD_IDENTITY = """<<comment>>module "pod_identity_<<snake>>" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 1.7"

  name = "<<svc>>"
  associations = {
    main = {
      cluster_name    = module.eks.cluster_name
      namespace       = "platform"
      service_account = "<<svc>>"
    }
  }
<<extra>>
  tags = local.tags
}

"""


def gen_terraform(t: Tree) -> None:
    for env in ("prod", "dev"):
        gen_terraform_env(t, env)
    for name in ("main.tf", "variables.tf", "outputs.tf"):
        t.add(f"terraform/modules/service-bucket/{name}", t.comment("#", 3) + "".join(
            f"variable \"v{i}\" {{\n  type    = string\n  default = \"d{i}\"\n}}\n\n" for i in range(15)))


def gen_terraform_env(t: Tree, env: str) -> None:
    base = f"terraform/{env}"
    names = "".join(f"    \"{env}/{s}\",\n" for s in SERVICES)
    t.add(f"{base}/foundation/ecr.tf", "# ECR repositories for every service image.\n"
          "# 새 서비스를 추가하면 여기에도 추가하세요.\n"
          "module \"ecr\" {\n  source  = \"terraform-aws-modules/ecr/aws\"\n"
          "  version = \"~> 2.3\"\n\n  repository_names = [\n" + names + "  ]\n\n"
          "  repository_image_tag_mutability = \"MUTABLE\"\n}\n")
    t.add(f"{base}/foundation/vpc.tf", t.comment("#", 6)
          + "module \"vpc\" {\n  source  = \"terraform-aws-modules/vpc/aws\"\n"
          "  version = \"~> 5.16\"\n  name    = \"platform-" + env + "\"\n  cidr    = \"10.0.0.0/16\"\n"
          "  azs             = [\"ap-northeast-2a\", \"ap-northeast-2b\", \"ap-northeast-2c\"]\n"
          "  private_subnets = [\"10.0.1.0/24\", \"10.0.2.0/24\", \"10.0.3.0/24\"]\n}\n")
    extra = {TARGET: "\n  additional_policy_arns = {\n    recordings = aws_iam_policy.recordings_write.arn\n  }\n"}
    note = {TARGET: "# 비디오 서비스: S3 녹화 버킷 접근\n"}
    t.add(f"{base}/compute/pod-identity.tf", "# EKS Pod Identity: one IAM role per service account.\n\n"
          "locals {\n  tags = { Environment = \"" + env + "\", ManagedBy = \"terraform\" }\n}\n\n" + "".join(
              fill(POD_IDENTITY, comment=note.get(s, ""), extra=extra.get(s, ""), **svc_kw(s)) for s in GO_SERVICES)
          + "resource \"aws_iam_policy\" \"recordings_write\" {\n  name   = \"recordings-write\"\n"
          "  policy = data.aws_iam_policy_document.recordings_write.json\n}\n")
    width = max(len(snake(s)) for s in GO_SERVICES)
    t.add(f"{base}/compute/outputs.tf", "output \"cluster_name\" {\n  value = module.eks.cluster_name\n}\n\n"
          "output \"pod_identity_role_arns\" {\n  description = \"IAM role ARN per service account\"\n  value = {\n"
          + "".join(f"    {snake(s).ljust(width)} = module.pod_identity_{snake(s)}.iam_role_arn\n" for s in GO_SERVICES)
          + "  }\n}\n")
    t.add(f"{base}/compute/eks.tf", EKS_TF.replace("<<env>>", env))
    t.add(f"{base}/compute/helm-releases.tf", helm_releases_tf())
    t.add(f"{base}/compute/variables.tf", t.comment("#", 4) + "".join(
        f"variable \"{n}\" {{\n  description = \"{t.rng.choice(EN)}\"\n  type        = string\n"
        f"  default     = \"{d}\"\n}}\n\n"
        for n, d in (("region", "ap-northeast-2"), ("cluster_version", "1.31"), ("go_version", GO),
                     ("node_instance_type", "m6i.xlarge"), ("environment", env))))
    t.add(f"{base}/compute/versions.tf", "terraform {\n  required_version = \">= 1.9.0\"\n  required_providers {\n"
          "    aws  = { source = \"hashicorp/aws\", version = \"~> 5.80\" }\n"
          "    helm = { source = \"hashicorp/helm\", version = \"~> 2.16\" }\n  }\n}\n")


EKS_TF = """module "eks" {
  source          = "terraform-aws-modules/eks/aws"
  version         = "~> 20.31"
  cluster_name    = "platform-<<env>>"
  cluster_version = var.cluster_version

  # Node-to-node rules. HBONE (15008) is required by Istio ambient mode.
  node_security_group_additional_rules = {
    ingress_istio_hbone = {
      description = "Istio ambient HBONE"
      protocol    = "tcp"
      from_port   = 15008
      to_port     = 15008
      type        = "ingress"
      self        = true
    }
    ingress_livekit_rtc = {
      description = "LiveKit WebRTC media (UDP)"
      protocol    = "udp"
      from_port   = 50000
      to_port     = 60000
      type        = "ingress"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
"""


def helm_releases_tf() -> str:
    out = []
    for name, repo, chart, version in (
            ("istio_base", ISTIO_REPO, "base", ISTIO), ("istiod", ISTIO_REPO, "istiod", ISTIO),
            ("istio_cni", ISTIO_REPO, "cni", ISTIO), ("ztunnel", ISTIO_REPO, "ztunnel", ISTIO),
            ("platform_base", "https://charts.example.com/platform", "base", GO),
            ("bitnami_common", "oci://registry-1.docker.io/bitnamicharts", "common", GO),
            ("kube_state_metrics", "https://prometheus-community.github.io/helm-charts", "kube-state-metrics", GO),
            ("livekit", "https://helm.livekit.io", "livekit-server", "1.7.2")):
        out.append(f"resource \"helm_release\" \"{name}\" {{\n  name             = \"{name.replace('_', '-')}\"\n"
                   f"  repository       = \"{repo}\"\n  chart            = \"{chart}\"\n"
                   f"  version          = \"{version}\"\n  namespace        = \"istio-system\"\n"
                   "  create_namespace = true\n}\n\n")
    return "".join(out)


# -- GitHub workflows ---------------------------------------------------------------------------
def gen_workflows(t: Tree) -> None:
    wf = ".github/workflows"
    paths = "".join(f"      - 'services/{s}/**'\n" for s in GO_SERVICES)
    matrix = ", ".join(GO_SERVICES)
    t.add(f"{wf}/build.yaml", "name: build\n\non:\n  push:\n    branches: [main]\n    paths:\n"
          "      - 'services/**'\n      - 'packages/**'\n  pull_request:\n    paths:\n" + paths
          + "\njobs:\n  build:\n    runs-on: ubuntu-latest\n    strategy:\n      fail-fast: false\n      matrix:\n"
          f"        service: [{matrix}]\n    steps:\n      - uses: actions/checkout@v4\n"
          f"      - uses: actions/setup-go@v5\n        with:\n          go-version: '{GO}'\n"
          "      - name: Build ${{ matrix.service }}\n"
          "        run: cd services/${{ matrix.service }} && go build ./...\n")
    options = "".join(f"          - {s}\n" for s in SERVICES)
    include = "".join(f"          - service: {s}\n            context: services/{s}\n" for s in GO_SERVICES[:8])
    t.add(f"{wf}/deploy.yaml", "name: deploy\n\non:\n  workflow_dispatch:\n    inputs:\n      service:\n"
          "        description: Service to deploy\n        type: choice\n        options:\n" + options
          + "      environment:\n        type: choice\n        options: [dev, prod]\n\njobs:\n  images:\n"
          "    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        include:\n" + include
          + "    steps:\n      - uses: actions/checkout@v4\n      - name: Push ${{ matrix.service }}\n"
          "        run: docker build -t ${{ matrix.service }} ${{ matrix.context }}\n")
    t.add(f"{wf}/e2e.yaml", "name: e2e\non:\n  schedule:\n    - cron: '0 3 * * *'\n"
          f"env:\n  ISTIO_VERSION: \"{ISTIO}\"\n"
          f"  GO_VERSION: \"{GO}\"\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - uses: actions/checkout@v4\n      - uses: helm/kind-action@v1\n"
          "      - run: make kind-up\n      - run: bash scripts/smoke-test.sh dev\n")
    charts = ", ".join(SERVICES + ["istio-config", "monitoring", "infra"])
    t.add(f"{wf}/helm-lint.yaml", "name: helm-lint\non:\n  pull_request:\n    paths: ['k8s/helm/**']\njobs:\n"
          f"  lint:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n        chart: [{charts}]\n"
          "    steps:\n      - uses: actions/checkout@v4\n      - run: helm lint k8s/helm/charts/${{ matrix.chart }}\n")
    t.add(f"{wf}/terraform.yaml", "name: terraform\non:\n  pull_request:\n    paths: ['terraform/**']\njobs:\n"
          "  plan:\n    runs-on: ubuntu-latest\n    strategy:\n      matrix:\n"
          "        dir: [terraform/prod/foundation, terraform/prod/compute,\n"
          "              terraform/dev/foundation, terraform/dev/compute]\n"
          "    steps:\n      - uses: actions/checkout@v4\n      - uses: hashicorp/setup-terraform@v3\n"
          "      - run: terraform -chdir=${{ matrix.dir }} init -backend=false\n"
          "      - run: terraform -chdir=${{ matrix.dir }} validate\n")
    t.add(".github/dependabot.yml", "version: 2\nupdates:\n" + "".join(
        f"  - package-ecosystem: gomod\n    directory: /services/{s}\n    schedule:\n      interval: weekly\n"
        for s in GO_SERVICES))
    t.add(".github/CODEOWNERS", "".join(f"/services/{s}/ @example/{['identity', 'media', 'community'][i % 3]}\n"
                                        for i, s in enumerate(SERVICES)) + "/k8s/ @example/platform\n")


# -- docs, dashboards, generated files --------------------------------------------------------
def gen_docs(t: Tree) -> None:
    rows = "".join(f"| {s} | {'Java' if s == JAVA_SERVICE else 'TypeScript' if s == FRONTEND else 'Go'} | "
                   f"{port(s)} | {['identity', 'media', 'community', 'commerce'][i % 4]} |\n"
                   for i, s in enumerate(SERVICES))
    t.add("README.md", "# Platform monorepo\n\nServices, charts and infrastructure for the platform.\n\n"
          "| Service | Language | Port | Owner |\n|---|---|---|---|\n" + rows
          + f"\nComponents: Postgres, Redis, MinIO, LiveKit (video rooms), Istio {ISTIO} in ambient mode.\n\n"
          "## Getting started\n\n- `make up` starts the local stack.\n"
          "- `make kind-up` creates a kind cluster with Istio.\n")
    t.add("docs/services.md", "# Services\n\n## Backend\n\n" + "".join(
        f"- **{s}**: {t.rng.choice(EN)}\n" for s in SERVICES)
        + f"\n## Infrastructure\n\n- **livekit**: WebRTC SFU, used by {TARGET} for rooms.\n"
          f"\nThe {TARGET} records rooms to the `recordings` bucket.\n")
    t.add("docs/runbook.md", "# Runbook\n\n" + "".join(
        f"## {s}\n\n```bash\nkubectl -n platform rollout restart deployment/{s}\n```\n\n{t.comment('', 3)}\n"
        for s in GO_SERVICES))
    t.add("docs/versions.md", "# Version matrix\n\n| Component | dev | prod |\n|---|---|---|\n"
          f"| Kubernetes | 1.31 | 1.31 |\n| Istio | {ISTIO} | {ISTIO} |\n| Go | {GO} | {GO} |\n"
          "| Gateway API | v1.2.1 | v1.2.1 |\n| Argo Rollouts | v1.8.3 | v1.8.3 |\n")
    t.add("docs/api-catalog.md", api_catalog(t))
    gen_adrs(t)
    t.add("CHANGELOG.md", "# Changelog\n\n" + "".join(
        f"## 2024.{w // 4 + 1}.{w % 4}\n\n- {t.rng.choice(SERVICES)}: {t.rng.choice(EN)}\n"
        f"- {t.rng.choice(SERVICES)}: {t.rng.choice(EN)}\n\n" for w in range(160)))


def api_catalog(t: Tree) -> str:
    """The large Markdown file: a ~1,000-row endpoint table (a few dozen rows are the target's)."""
    rng = t.rng
    out = ["# API catalog\n\nGenerated from the OpenAPI files, then edited by hand.\n\n"
           "| Service | Method | Path | Auth | Owner | SLO p99 | Notes |\n|---|---|---|---|---|---|---|\n"]
    for i in range(1000):
        s = TARGET if i % 25 == 3 else rng.choice(SERVICES[:-1])
        ent = rng.choice(TARGET_ENTITIES if s == TARGET else ENTITIES).lower()
        out.append(f"| {s} | {rng.choice(['GET', 'POST', 'PUT', 'DELETE'])} | /svc/{short(s)}/{ent}s/{{id}} | "
                   f"{rng.choice(['jwt', 'mTLS', 'public'])} | {rng.choice(['identity', 'media', 'community'])} | "
                   f"{rng.choice([50, 100, 200, 500])} ms | {rng.choice(EN + KO)[:60]} |\n")
    return "".join(out)


def gen_adrs(t: Tree) -> None:
    titles = ["use-istio-ambient", "one-chart-per-service", "argocd-app-per-env", "pod-identity",
              "gateway-api", "otel-everywhere", "postgres-per-service", "livekit-for-rooms",
              "kind-for-local", "renovate", "external-secrets", "monorepo", "deploy-branch",
              "hpa-defaults", "spring-for-notifications"]
    for i, title in enumerate(titles):
        mention = f"\nThis affects {TARGET}, whose rooms depend on it.\n" if i % 4 == 3 else ""
        t.add(f"docs/adr/{i + 1:04d}-{title}.md", f"# {i + 1}. {title.replace('-', ' ').capitalize()}\n\n"
              "## Status\n\nAccepted\n\n## Context\n\n" + t.comment("", 12).replace("\n", " ")
              + "\n\n## Decision\n\n" + t.comment("", 10).replace("\n", " ") + "\n" + mention
              + "\n## Consequences\n\n" + t.comment("-", 8))


def dashboard(t: Tree, title: str, services: list[str], panels: int) -> str:
    """A Grafana dashboard as exported (JSON, indent 2)."""
    rng = t.rng
    return json.dumps({"title": title, "uid": f"{rng.getrandbits(48):012x}", "schemaVersion": 39,
                       "version": 17, "panels": [panel(t, i, services) for i in range(panels)]}, indent=2) + "\n"


def panel(t: Tree, i: int, services: list[str]) -> dict[str, object]:
    rng = t.rng
    cpu = 'sum by (pod) (rate(container_cpu_usage_seconds_total{namespace="%s",container!=""}[5m]))'
    return {
        "id": i, "type": rng.choice(["timeseries", "stat", "table"]),
        "title": f"{rng.choice(services)} {rng.choice(['requests', 'latency', 'errors', 'saturation'])}",
        "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": i * 8},
        "datasource": {"type": "prometheus", "uid": "prometheus"},
        "targets": [{"refId": r, "expr": cpu % rng.choice(services), "legendFormat": "{{pod}}"} for r in "ABCD"],
        "fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [
            {"color": "green", "value": None}, {"color": "red", "value": 80}]}}, "overrides": []},
    }


def gen_dashboards(t: Tree) -> None:
    infra = ["kube-system", "istio-system", "observability", "argocd", "cert-manager", "external-secrets"]
    t.add("dashboards/cluster-overview.json", dashboard(t, "Kubernetes cluster overview", infra, 680))
    t.add("dashboards/platform-overview.json", json.dumps({"title": "Platform overview", "panels": [
        {"title": "Up", "expr": "up{job=~\"" + "|".join(GO_SERVICES[:10]) + "\"}"}]}, indent=2) + "\n")
    for s in GO_SERVICES[:8]:
        t.add(f"dashboards/{s}.json", dashboard(t, s, [s], 30))


def crd_bundle(t: Tree, group: str, kinds: list[str], props: int) -> str:
    """A generated CRD bundle (openAPIV3Schema with descriptions), as upstream projects ship."""
    rng = t.rng
    out = []
    for kind in kinds:
        fields = "".join(
            f"                  field{i}{kind}:\n                    description: {rng.choice(EN)}\n"
            f"                    type: {rng.choice(['string', 'integer', 'boolean'])}\n" for i in range(props))
        out.append(f"---\n# Source: crds/{kind.lower()}.yaml\napiVersion: apiextensions.k8s.io/v1\n"
                   f"kind: CustomResourceDefinition\nmetadata:\n  name: {kind.lower()}s.{group}\n"
                   f"  labels:\n    app: istio-pilot\nspec:\n  group: {group}\n  names:\n    kind: {kind}\n"
                   f"    plural: {kind.lower()}s\n  scope: Namespaced\n  versions:\n    - name: v1\n"
                   "      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n"
                   "          type: object\n          properties:\n            spec:\n              type: object\n"
                   "              properties:\n                nested:\n                  type: object\n"
                   + fields)
    return "".join(out)


def gen_generated(t: Tree) -> None:
    istio_kinds = ["AuthorizationPolicy", "DestinationRule", "EnvoyFilter", "Gateway", "PeerAuthentication",
                   "ProxyConfig", "RequestAuthentication", "ServiceEntry", "Sidecar", "Telemetry",
                   "VirtualService", "WasmPlugin", "WorkloadEntry", "WorkloadGroup"]
    t.add("k8s/crds/istio/crd-all.gen.yaml", crd_bundle(t, "networking.istio.io", istio_kinds, 420))
    t.add("k8s/crds/gateway-api/standard-install.yaml",
          crd_bundle(t, "gateway.networking.k8s.io", ["GatewayClass", "Gateway", "HTTPRoute", "GRPCRoute",
                                                      "ReferenceGrant"], 700))
    pkgs = {f"node_modules/@scope{i % 40}/pkg-{i}": {
        "version": f"{i % 7}.{i % 13}.{i % 5}", "resolved": f"https://registry.npmjs.org/pkg-{i}/-/pkg-{i}-1.0.0.tgz",
        "integrity": f"sha512-{t.rng.getrandbits(256):064x}", "dev": i % 3 == 0,
        "dependencies": {f"pkg-{(i * 7 + k) % 2000}": "^1.0.0" for k in range(i % 4)}} for i in range(2200)}
    t.add(f"services/{FRONTEND}/package-lock.json", json.dumps(
        {"name": "frontend", "lockfileVersion": 3, "requires": True, "packages": pkgs}, indent=2) + "\n")


def gen_manifests(t: Tree) -> None:
    """Plain manifests; the gateway's proxy image drifted behind the Istio version."""
    t.add("k8s/manifests/ingress-gateway.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
          "  name: ingress-gateway\n  namespace: istio-system\nspec:\n  template:\n    spec:\n      containers:\n"
          "        - name: istio-proxy\n          image: docker.io/istio/proxyv2:1.23.2\n"
          "        - name: debug\n          image: busybox:1.36\n")


def gen_root(t: Tree) -> None:
    t.add("go.work", f"go {GO}\n\nuse (\n\t./packages/common-go\n" + "".join(
        f"\t./services/{s}\n" for s in sorted(GO_SERVICES)) + ")\n")
    t.add(".gitignore", "bin/\n*.out\n.terraform/\nnode_modules/\nistio-*/\n")
    t.add(".editorconfig", "root = true\n\n[*]\nindent_style = space\nindent_size = 2\n\n"
          "[{Makefile,*.mk}]\nindent_style = tab\n")
    t.add("renovate.json", json.dumps({"extends": ["config:recommended"], "packageRules": [
        {"matchPaths": [f"services/{s}/**"], "groupName": s} for s in GO_SERVICES]}, indent=2) + "\n")
    t.add("k8s/kind/cluster.yaml", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n"
          "  - role: control-plane\n    image: kindest/node:v1.31.2\n  - role: worker\n  - role: worker\n")


# -- the whole tree ---------------------------------------------------------------------------
def generate(files: int = 1200, seed: int = SEED) -> Tree:
    """The monorepo as path -> text: the platform's skeleton, then Go files up to `files`."""
    t = Tree(seed)
    for gen in (gen_root, gen_manifests, gen_makefiles, gen_compose, gen_terraform, gen_workflows, gen_docs,
                gen_dashboards, gen_generated, gen_scripts, gen_environments, gen_argocd,
                gen_istio_config, gen_monitoring, gen_infra_chart, gen_common_chart, gen_common_go,
                gen_java, gen_frontend, gen_callers, gen_target_mentions, gen_constructs):
        gen(t)
    for s in SERVICES:
        gen_service_chart(t, s)
    for s in GO_SERVICES:
        gen_go_service_skeleton(t, s)
    gen_go_files(t, max(0, files - len(t.files)))
    return t


def tree_stats(root: Path, target: str) -> dict[str, object]:
    """Files, bytes, and the files that name the target (exactly, in any spelling, or by its
    short word: the last is what the bot's prefilter selects for a `-service` name)."""
    spelled = re.compile(b"(?i)" + b"[-_]?".join(re.escape(w.encode()) for w in target.split("-")))
    word = re.compile(b"(?i)" + re.escape(target.removesuffix("-service").encode()))
    stats = {"files": 0, "bytes": 0, "exact": 0, "spellings": 0, "spellings_bytes": 0, "short_word": 0}
    exact = target.encode()
    for folder, _, names in os.walk(root):
        for name in names:
            data = Path(folder, name).read_bytes()
            stats["files"] += 1
            stats["bytes"] += len(data)
            stats["exact"] += exact in data
            if spelled.search(data):
                stats["spellings"] += 1
                stats["spellings_bytes"] += len(data)
            stats["short_word"] += bool(word.search(data))
    return stats


def largest(root: Path, n: int = 6) -> list[tuple[str, int]]:
    sizes = [(str(Path(f).relative_to(root) / x), os.path.getsize(Path(f, x)))
             for f, _, xs in os.walk(root) for x in xs]
    return sorted(sizes, key=lambda p: -p[1])[:n]


def gen_constructs(t: Tree) -> None:
    """Legitimate constructs of real repositories around the target: YAML merge keys, Terraform
    for_each maps and heredoc policies, make define/call and ifeq, Helm `range list`, a workflow
    `if: contains(...)`, a Markdown file with CRLF line endings."""
    t.add("k8s/helm/environments/staging-defaults.yaml", "x-defaults: &svc-defaults\n  replicaCount: 2\n"
          "  resources:\n    requests:\n      cpu: 200m\n\n" + "".join(
              f"{s}:\n  <<: *svc-defaults\n  podLabels:\n    team: media\n" for s in (TARGET, "media-service")))
    t.add("terraform/prod/foundation/s3.tf", S3_TF.replace("<<target>>", TARGET))
    t.add("makefiles/docker.mk", "# Docker helpers.\n\ndefine build_image\n"
          "\tdocker build -t $(REGISTRY)/$(ENV)/$(1):$(GIT_SHA) -f services/$(1)/Dockerfile .\nendef\n\n"
          f".PHONY: prune images-media\nimages-media:\n\t$(call build_image,{TARGET})\n"
          "\t$(call build_image,media-service)\n\n"
          f"ifeq ($(ENV),prod)\nMEDIA_REPLICAS = {TARGET}=4 media-service=2\n"
          f"else\nMEDIA_REPLICAS = {TARGET}=1 media-service=1\nendif\n\n"
          "prune:\n\tdocker system prune -f\n\tdocker image prune -af --filter \"until=72h\"\n")
    t.add("k8s/helm/charts/istio-config/templates/serviceentry.yaml",
          f"{{{{- range $svc := list \"auth-service\" \"{TARGET}\" \"media-service\" }}}}\n---\n"
          "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: {{ $svc }}-external\n"
          "spec:\n  hosts:\n    - {{ $svc }}.partner.example.com\n  ports:\n    - number: 443\n      name: https\n"
          "      protocol: TLS\n  resolution: DNS\n{{- end }}\n")
    t.add(".github/workflows/preview.yaml", "name: preview\non:\n  pull_request:\n    types: [labeled]\njobs:\n"
          f"  media:\n    if: contains(github.event.pull_request.labels.*.name, '{TARGET}')\n"
          "    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
          f"      - run: make images-media ENV=dev\n      - run: argocd app sync preview-{TARGET}\n")
    t.add("docs/windows-notes.md", (f"# Notes from the Windows build agents\n\n- {TARGET} builds need WSL2.\n"
                                    "- media-service builds natively.\n").replace("\n", "\r\n"))
    gen_video_namesakes(t)


def gen_video_namesakes(t: Tree) -> None:
    """A file named `video.go` that belongs to another service (a codec ladder): it shares the
    target's short name but is not the target's. (A folder such as src/components/video/ would make
    `video` a component of its own and change how the bot reads the target's short name.)"""
    t.add("services/media-service/internal/transcode/video.go", "package transcode\n\n"
          "// VideoProfile is an ffmpeg encoding ladder rung (media-service transcodes uploads).\n"
          "type VideoProfile struct {\n\tCodec   string\n\tBitrate int\n\tHeight  int\n}\n\n"
          "var Ladder = []VideoProfile{{\"h264\", 800, 360}, {\"h264\", 2500, 720}, {\"h264\", 5000, 1080}}\n")


S3_TF = """locals {
  # 서비스별 버킷
  service_buckets = {
    "<<target>>"   = "recordings"
    "media-service" = "thumbnails"
  }
}

resource "aws_s3_bucket" "service" {
  for_each = local.service_buckets
  bucket   = "platform-prod-${each.value}"
}

data "aws_iam_policy_document" "recordings_write" {
  statement {
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${aws_s3_bucket.service["<<target>>"].arn}/*"]
  }
}

resource "aws_iam_policy" "media_legacy" {
  name   = "media-legacy"
  policy = <<EOT
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::platform-prod-recordings/<<target>>/*"}]
}
EOT
}
"""


def gen_target_mentions(t: Tree) -> None:
    """Mentions of the target outside its own folders and the shared lists: tests, pages, notes."""
    tp, tc, tu = pascal(TARGET), camel(TARGET), upper(TARGET)
    for svc in CALLERS:
        t.add(f"services/{svc}/internal/clients/{snake(TARGET)}_test.go",
              f"package clients\n\nimport \"testing\"\n\nfunc TestNew{tp}Client(t *testing.T) {{\n"
              f"\tt.Setenv(\"{tu}_URL\", \"http://{TARGET}.test:8080\")\n\tif New{tp}Client().baseURL == \"\" {{\n"
              "\t\tt.Fatal(\"empty base URL\")\n\t}\n}\n")
    for page in ("Room", "Recording", "Lobby"):
        t.add(f"services/{FRONTEND}/src/pages/{page}Page.tsx",
              f"import React from \"react\";\nimport {{ {tc} }} from \"../api/{tc}\";\n\n"
              f"export function {page}Page() {{\n  const [rooms, setRooms] = React.useState([]);\n"
              f"  React.useEffect(() => {{ {tc}.rooms().then(setRooms); }}, []);\n"
              f"  return <ul>{{rooms.map((r: any) => <li key={{r.id}}>{{r.name}}</li>)}}</ul>;\n}}\n")
    for name in ("rooms", "recordings"):
        t.add(f"e2e/media/{name}_test.go", f"//go:build e2e\n\npackage media\n\nimport \"testing\"\n\n"
              f"// {name} through the gateway: /svc/{short(TARGET)} routes to {TARGET}.\n"
              f"func Test{tp}{name.capitalize()}(t *testing.T) {{\n\tt.Skip(\"needs a cluster\")\n}}\n")
    t.add("docs/teams/media.md", f"# Media team\n\nOwns **{TARGET}**, media-service and livekit.\n\n"
          + t.comment("-", 10) + f"\nOn-call: `#media-oncall`. Dashboards: dashboards/{TARGET}.json.\n")
    for date in ("2024-03-14", "2024-07-02", "2024-09-27"):
        t.add(f"docs/incidents/{date}.md", f"# Incident {date}\n\n## Summary\n\n"
              f"{TARGET} returned 503 for {t.rng.randint(5, 90)} minutes.\n\n## Timeline\n\n" + t.comment("-", 12)
              + f"\n## Follow-ups\n\n- [ ] alert on `{snake(TARGET)}_recordings_pending`\n")
    t.add(".github/workflows/media-e2e.yaml", "name: media-e2e\non:\n  pull_request:\n    paths:\n"
          f"      - 'services/{TARGET}/**'\n      - 'services/media-service/**'\njobs:\n  e2e:\n"
          f"    runs-on: ubuntu-latest\n    env:\n      {tu}_URL: http://localhost:{port(TARGET)}\n"
          "    steps:\n      - uses: actions/checkout@v4\n      - run: go test -tags e2e ./e2e/media/...\n")
    t.add("scripts/media/cleanup-recordings.sh", fill(SH_HEAD, comment="# Deletes recordings older than 30 days.\n")
          + f"{tu}_URL=\"${{{tu}_URL:-http://localhost:{port(TARGET)}}}\"\n"
          f"curl -fsS -X POST \"${{{tu}_URL}}/admin/recordings/cleanup?olderThan=720h\"\n")


# -- padding for --scale --------------------------------------------------------------------------
def padding_pool(t: Tree) -> list[tuple[str, str, str]]:
    """(folder pattern, suffix, text) of files that never mention the target, of realistic sizes."""
    others = [s for s in GO_SERVICES if s != TARGET]
    pool = []
    for i in range(240):
        s = others[i % len(others)]
        funcs = min(40, int(t.rng.lognormvariate(2.0, 0.7)) + 1)  # smaller than hand-written code
        pool.append((f"services/{s}/internal/gen/pb{{n}}", ".pb.go",
                     go_source(t, s, "pb", ENTITIES[i % 9: i % 9 + 6], funcs)))
        if i % 3 == 0:
            pool.append(("services/frontend/src/generated/m{n}", ".tsx",
                         t.comment("//", 3) + "export const rows = [\n" + "".join(
                             f"  {{ id: {k}, label: \"{t.rng.choice(ENTITIES)}\" }},\n"
                             for k in range(t.rng.randint(20, 200)))
                         + "];\n"))
            pool.append((f"k8s/manifests/generated/{s}/n{{n}}", ".yaml", t.comment("#", 4) + "".join(
                f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {s}-cfg-{k}\n  namespace: platform\n"
                f"data:\n  KEY_{k}: \"{t.rng.randint(0, 10**6)}\"\n" for k in range(t.rng.randint(3, 40)))))
        if i % 4 == 0:
            pool.append(("docs/archive/d{n}", ".md", f"# Notes {i}\n\n" + t.comment("-", t.rng.randint(10, 80))))
        if i % 12 == 0:
            pool.append(("dashboards/archive/a{n}", ".json", dashboard(t, f"archive {i}", others[:4], 6)))
    spelled = re.compile(r"(?i)" + re.escape(short(TARGET)))
    return [p for p in pool if not spelled.search(p[2])]


def pad(root: Path, total: int, seed: int = SEED) -> int:
    """Add files that do not mention the target until the tree holds `total` files; returns how many."""
    have = sum(len(names) for _, _, names in os.walk(root))
    pool = padding_pool(Tree(seed + 1))
    made: set[Path] = set()
    for i in range(max(0, total - have)):
        folder, suffix, text = pool[i % len(pool)]
        path = root / folder.replace("{n}", str(i // 40 % 400)) / f"f{i}{suffix}"
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        header = "#" if suffix in (".yaml", ".md") else "//"
        if suffix == ".json":
            path.write_text(text, encoding="utf-8")
        else:
            path.write_text(f"{header} generated file {i}\n" + text, encoding="utf-8")
    return max(0, total - have)


# -- measuring ------------------------------------------------------------------------------------
def child_env(cache: Path) -> dict[str, str]:
    """The user's environment, with bytecode caching on but written to our own folder."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


# The peak RSS of a child includes the image of the process that spawned it (Linux folds the old
# address space's high-water mark into maxrss at exec), so children are spawned from this small
# wrapper rather than from the benchmark, which holds the generated tree in memory.
SPAWN = """import json, os, sys, time
start = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    json.dump([wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, os.waitstatus_to_exitcode(status)], f)
"""


def run_child(cmd: list[str], cwd: Path, env: dict[str, str], capture: bool = False) -> dict[str, object]:
    """Run one process; its wall time, its own peak RSS (os.wait4), exit code, output."""
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        report = os.path.join(tmp, "r")
        subprocess.run([sys.executable, "-I", "-S", "-c", SPAWN, report] + cmd, cwd=cwd, env=env,
                       stdout=out if capture else subprocess.DEVNULL, stderr=err)
        with open(report) as f:
            wall, cpu, rss, rc = json.load(f)
        out.seek(0)
        err.seek(0)
        return {"wall": wall, "cpu": cpu, "rss_kib": rss, "rc": rc,
                "stdout": out.read().decode("utf-8", "replace") if capture else "",
                "stderr": err.read().decode("utf-8", "replace")}


def bot_commands(py: str, tree: Path, target: str) -> dict[str, list[str]]:
    cli = [py, "-m", "gitops_bot.cli"]
    return {"remove-service": cli + ["plan", "remove-service", f"service={target}", "--repo", str(tree)],
            "set-version": cli + ["plan", "set-version", "tool=istio", f"version={NEW_ISTIO}", "--repo", str(tree)],
            "check": cli + ["check", "--repo", str(tree)]}


def outcome(name: str, result: dict[str, object]) -> str:
    """What one --format json run did: files changed, residue and refusals, or problems by rule."""
    rc = result["rc"]
    if rc not in (0, 1):
        tail = " | ".join(str(result["stderr"]).strip().splitlines()[-3:])
        return f"exit {rc} (REFUSED OR CRASHED): {tail}"
    try:
        doc = json.loads(str(result["stdout"]))
    except json.JSONDecodeError:
        return f"exit {rc}, output is not JSON"
    if name == "check":
        rules: dict[str, int] = {}
        for p in doc["problems"]:
            rules[p["rule"]] = rules.get(p["rule"], 0) + 1
        return f"exit {rc}: {len(doc['problems'])} problems " + ", ".join(f"{k} {v}" for k, v in sorted(rules.items()))
    status: dict[str, int] = {}
    for f in doc["files"]:
        status[f["status"]] = status.get(f["status"], 0) + 1
    lines = sum(1 for f in doc["files"] for ln in (f.get("diff") or "").splitlines()
                if ln[:1] in "+-" and ln[:3] not in ("+++", "---"))
    failed = sum(1 for v in doc["validation"] if not v.get("ok", True))
    kinds = ", ".join(f"{v} {k}" for k, v in sorted(status.items()))
    return (f"exit {rc}: {len(doc['files'])} files changed ({kinds}), "
            f"{lines} diff lines, residue {len(doc['residue'])}, refused {len(doc['refused'])}, "
            f"validation failures {failed}")


def measure(tree: Path, pythons: list[tuple[str, str]], runs: int, target: str, cache: Path,
            wanted: set[str] | None = None) -> list[dict]:
    """Interleaved runs of the baselines and the commands (all, or `wanted`) of every installation."""
    env = child_env(cache)
    jobs = [("git grep", "", ["git", "grep", "--no-index", "-n", target])]
    for label, py in pythons:
        jobs.append(("python -c pass", label, [py, "-c", "pass"]))
        jobs += [(name, label, cmd) for name, cmd in bot_commands(py, tree, target).items()
                 if wanted is None or name in wanted]
    notes = {}
    for name, label, cmd in jobs:  # warm-up (compiles bytecode), and what each command does
        if label and name in ("remove-service", "set-version", "check"):
            notes[(name, label)] = outcome(name, run_child(cmd + ["--format", "json"], tree, env, capture=True))
        else:
            run_child(cmd, tree, env)
    samples: dict[tuple[str, str], list[dict]] = {(n, lb): [] for n, lb, _ in jobs}
    for _ in range(runs):
        for name, label, cmd in jobs:
            samples[(name, label)].append(run_child(cmd, tree, env))
    return [summarize(name, label, samples, notes) for name, label, _ in jobs]


def summarize(name: str, label: str, samples: dict, notes: dict) -> dict[str, object]:
    walls = [s["wall"] for s in samples[(name, label)]]
    grep = statistics.median(s["wall"] for s in samples[("git grep", "")])
    bare = statistics.median(s["wall"] for s in samples[("python -c pass", label)]) if label else None
    med = statistics.median(walls)
    cpu = statistics.median(s["cpu"] for s in samples[(name, label)])
    return {"command": name, "python": label, "median_s": med, "min_s": min(walls), "max_s": max(walls),
            "cpu_s": cpu, "x_git_grep": med / grep, "x_python": med / bare if bare else None,
            "peak_rss_mb": max(s["rss_kib"] for s in samples[(name, label)]) / 1024,
            "exit_codes": sorted({s["rc"] for s in samples[(name, label)]}), "outcome": notes.get((name, label), "")}


def print_table(title: str, stats: dict[str, object], rows: list[dict]) -> None:
    print(f"\n## {title}\n")
    print(f"tree: {stats['files']:,} files, {stats['bytes'] / 1e6:.1f} MB; naming {TARGET}: {stats['exact']} files "
          f"exactly, {stats['spellings']} in any spelling ({stats['spellings_bytes'] / 1e6:.2f} MB), "
          f"{stats['short_word']} with the word '{short(TARGET)}'")
    print(f"peak RSS is measured from a small spawning process: {stats['rss_floor_mb']:.1f} MB (its own image, "
          "what `true` reports) is the floor of every figure")
    print("\n| command | python | median s | min s | max s | CPU s | x git grep | x python -c pass | peak RSS MB "
          "| exit |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        xpy = f"{r['x_python']:.1f}" if r["x_python"] is not None else ""
        print(f"| {r['command']} | {r['python']} | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_s']:.3f} | "
              f"{r['cpu_s']:.3f} | "
              f"{r['x_git_grep']:.1f} | {xpy} | {r['peak_rss_mb']:.1f} | {','.join(map(str, r['exit_codes']))} |")
    for r in rows:
        if r["outcome"]:
            print(f"- {r['command']} [{r['python']}]: {r['outcome']}")


def profile(tree: Path, label: str, py: str, target: str, cache: Path, top: int) -> None:
    """One cProfile run per command; the `top` functions by cumulative time."""
    env = child_env(cache)
    for name, cmd in bot_commands(py, tree, target).items():
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "prof"
            run_child([py, "-m", "cProfile", "-o", str(out)] + cmd[1:], tree, env)
            report = run_child([py, "-c", PSTATS, str(out), str(top)], tree, env, capture=True)
        print(f"\n### profile: {name} [{label}] (cumulative, cProfile overhead included)\n")
        print(report["stdout"] or report["stderr"])


PSTATS = """import pstats, sys
st = pstats.Stats(sys.argv[1])
total = max(v[3] for v in st.stats.values())
def entry(path, func):  # the interpreter's and the CLI's own frames: every command passes through them
    return path in ("~", "<string>") or path.startswith("<frozen") or \\
        (path.endswith("gitops_bot/cli.py") and func in ("<module>", "main", "_run", "cmd_plan", "cmd_check"))
rows = [(k, v) for k, v in st.stats.items() if not entry(k[0], k[2])]
rows = sorted(rows, key=lambda kv: -kv[1][3])[:int(sys.argv[2])]
print(f"whole process {total:.2f}s under the profiler\\n")
print("| cumulative s | own s | calls | function | file:line |")
print("|---:|---:|---:|---|---|")
for (path, line, func), (cc, nc, tt, ct, _) in rows:
    short = path.split("site-packages/")[-1].split("/gitops_bot/")[-1]
    print(f"| {ct:.3f} | {tt:.3f} | {nc} | {func} | {short}:{line} |")
"""


REVIEW = """import sys
from pathlib import Path
from gitops_bot.delivery.pr import render_body
from gitops_bot.engine.changeset import deleted_folders
from gitops_bot.engine.recipe import builtin_recipes
from gitops_bot.engine.run import run_recipe
root, target = Path(sys.argv[1]), sys.argv[2]
recipe, params = builtin_recipes()["remove-service"], {"service": target}
changes = run_recipe(root, recipe, params)
folders = deleted_folders(root, {f.path for f in changes.files if f.status == "deleted"})
body = render_body(recipe, params, changes, "example/platform", "main", "a" * 40, "b" * 40, folders=folders)
print(len(body), len(changes.files), len(changes.residue), len(changes.refused))
"""


def review_size(tree: Path, pys: list[tuple[str, str]], target: str, cache: Path) -> None:
    """The plan's text line count and the PR body's length, per installation (see --review-size)."""
    env = dict(child_env(cache), NO_COLOR="1")
    print("\n| python | plan text lines | PR body characters | files | residue | refused |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, py in pys:
        plan = run_child(bot_commands(py, tree, target)["remove-service"], tree, env, capture=True)
        body = run_child([py, "-c", REVIEW, str(tree), target], tree, env, capture=True)
        if body["rc"] != 0:
            sys.exit(f"{label}: the PR body could not be rendered: {str(body['stderr']).strip()[-500:]}")
        chars, files, residue, refused = str(body["stdout"]).split()
        print(f"| {label} | {len(str(plan['stdout']).splitlines()):,} | {int(chars):,} | {files} | {residue} | "
              f"{refused} |")


# -- main -------------------------------------------------------------------------------------------
def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", action="append", metavar="[LABEL=]PY",
                        help="interpreter with gitops_bot installed (repeatable; default: this one)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=1200,
                        help="files in the generated tree (Go sources fill it; the rest is ~690 files, 5 MB)")
    parser.add_argument("--keep", metavar="DIR", help="write the tree to DIR (new or empty) and keep it")
    parser.add_argument("--scale", action="store_true", help="also measure with the tree padded to --scale-files")
    parser.add_argument("--scale-files", type=int, default=50_000)
    parser.add_argument("--scale-commands", default="remove-service",
                        help="commands measured on the padded tree: comma-separated, or all "
                             "(set-version and check read every YAML file: minutes per run at 50,000 files)")
    parser.add_argument("--scale-runs", type=int, help="runs on the padded tree (default: --runs)")
    parser.add_argument("--profile", action="store_true", help="also profile each command once (first --python)")
    parser.add_argument("--profile-only", action="store_true", help="profile, and measure nothing")
    parser.add_argument("--top", type=int, default=15, help="rows of each profile")
    parser.add_argument("--generate-only", action="store_true", help="write the tree (with --keep) and stop")
    parser.add_argument("--review-size", action="store_true",
                        help="print plan's text line count and the PR body's length for remove-service, and stop")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    return parser.parse_args()


def pythons(specs: list[str] | None) -> list[tuple[str, str]]:
    out = []
    for spec in specs or [sys.executable]:
        label, sep, path = spec.partition("=")
        if not sep:
            label, path = Path(spec).absolute().parent.parent.parent.name or spec, spec
        out.append((label, path))
    return out


def tree_root(keep: str | None, work: Path) -> Path:
    if not keep:
        return work / "tree"
    root = Path(keep).resolve()
    if root.exists() and any(root.iterdir()):
        sys.exit(f"--keep {keep}: not empty")
    return root


def main() -> None:
    args = parse_args()
    pys = pythons(args.python)
    with tempfile.TemporaryDirectory(prefix="bench-realistic-") as tmp:
        work = Path(tmp)
        root = tree_root(args.keep, work)
        root.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        generate(args.files).write(root)
        print(f"generated {root} in {time.perf_counter() - start:.2f}s; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
        if args.generate_only:
            return print_tree(root)
        if args.review_size:
            return review_size(root, pys, TARGET, work / "pycache")
        if args.profile_only:
            return profile(root, *pys[0], TARGET, work / "pycache", args.top)
        results = {"small": run_size(root, pys, args, work)}
        if args.profile:
            profile(root, *pys[0], TARGET, work / "pycache", args.top)
        if args.scale:
            start = time.perf_counter()
            added = pad(root, args.scale_files)
            print(f"\npadded with {added:,} files in {time.perf_counter() - start:.1f}s")
            wanted = None if args.scale_commands == "all" else set(args.scale_commands.split(","))
            results["scaled"] = run_size(root, pys, args, work, wanted, args.scale_runs or args.runs)
        print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


def run_size(root: Path, pys: list[tuple[str, str]], args: argparse.Namespace, work: Path,
             wanted: set[str] | None = None, runs: int | None = None) -> dict:
    runs = runs or args.runs
    stats = tree_stats(root, TARGET)
    stats["rss_floor_mb"] = run_child(["true"], root, dict(os.environ))["rss_kib"] / 1024
    rows = measure(root, pys, runs, TARGET, work / "pycache", wanted)
    print_table(f"{stats['files']:,} files, {runs} runs", stats, rows)
    return {"tree": stats, "rows": rows}


def print_tree(root: Path) -> None:
    stats = tree_stats(root, TARGET)
    print(json.dumps(stats))
    for rel, size in largest(root, 8):
        print(f"{size:>10,}  {rel}")


if __name__ == "__main__":
    main()
