#!/usr/bin/env bash
# Sync every platform application in an environment.
set -euo pipefail

ENV="${1:-dev}"

APPS=(
  auth-service
  user-service
  board-service
  video-service
  chat-service
  notification-service
)

for app in "${APPS[@]}"; do
  argocd app sync "${app}-${ENV}" --timeout 300
done
