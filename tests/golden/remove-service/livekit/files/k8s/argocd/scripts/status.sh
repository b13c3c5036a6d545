#!/usr/bin/env bash
# Print the sync status of the platform applications.
set -euo pipefail
ENV="${1:-dev}"

echo "Applications checked:"
echo "  - auth-service"
echo "  - user-service"
echo "  - video-service"
echo "  - board-service"

for app in auth-service user-service video-service board-service; do
  argocd app get "${app}-${ENV}" -o json | jq -r '.status.sync.status'
done
