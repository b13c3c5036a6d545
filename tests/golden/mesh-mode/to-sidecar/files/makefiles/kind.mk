# Local kind cluster.

.PHONY: kind-up kind-load-all
kind-up:
	kind create cluster --name $(KIND_CLUSTER) --config k8s/kind/cluster.yaml
	curl -L https://istio.io/downloadIstio | ISTIO_VERSION=$(ISTIO_VERSION) sh -
	./istio-$(ISTIO_VERSION)/bin/istioctl install -y --set profile=default

kind-load-all:
	for svc in auth-service user-service board-service video-service chat-service; do \
		kind load docker-image $(REGISTRY)/$(ENV)/$$svc:latest --name $(KIND_CLUSTER); \
	done
