#!/usr/bin/env bash
# Argo Rollouts controller and kubectl plugin.
set -euo pipefail

ARGO_ROLLOUTS_VERSION="v1.8.3"

kubectl create namespace argo-rollouts --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -n argo-rollouts -f https://github.com/argoproj/argo-rollouts/releases/download/${ARGO_ROLLOUTS_VERSION}/install.yaml
curl -sLO https://github.com/argoproj/argo-rollouts/releases/download/${ARGO_ROLLOUTS_VERSION}/kubectl-argo-rollouts-linux-amd64
