#!/usr/bin/env bash
# Print the sync status of the platform applications.
set -euo pipefail
ENV="${1:-dev}"

echo "Applications checked:"
echo "  - auth-service"
echo "  - user-service"
echo "  - board-service"
echo "  - livekit"

for app in auth-service user-service board-service livekit; do
  argocd app get "${app}-${ENV}" -o json | jq -r '.status.sync.status'
done
