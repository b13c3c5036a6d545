#!/usr/bin/env bash
# Installs Istio and enrols the application namespaces.
set -euo pipefail
istioctl install -y --set profile=default
for ns in apps jobs; do
  kubectl label namespace "$ns" istio-injection=enabled --overwrite
done
