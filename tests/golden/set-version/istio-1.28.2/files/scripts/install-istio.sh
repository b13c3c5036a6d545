#!/usr/bin/env bash
# Installs Istio and its addons into the current cluster.
set -euo pipefail

ISTIO_VERSION="1.28.2"
REVISION="${REVISION:-${ISTIO_VERSION:-1.28.2}}"

curl -L https://istio.io/downloadIstio | ISTIO_VERSION=1.28.2 TARGET_ARCH=x86_64 sh -
./istio-1.28.2/bin/istioctl install -y --set revision="${REVISION//./-}"

# Addons follow the release branch.
kubectl apply -f https://raw.githubusercontent.com/istio/istio/release-1.28/samples/addons/kiali.yaml
kubectl apply -f https://raw.githubusercontent.com/istio/istio/release-1.28/samples/addons/prometheus.yaml
