# Static validation: helm lint every chart, go build every Go service.

.PHONY: validate lint-charts build-go
validate: lint-charts build-go

lint-charts:
	@echo "==> helm lint"
	helm lint k8s/helm/charts/auth-service
	helm lint k8s/helm/charts/user-service
	helm lint k8s/helm/charts/board-service
	helm lint k8s/helm/charts/video-service
	helm lint k8s/helm/charts/chat-service
	helm lint k8s/helm/charts/notification-service
	helm lint k8s/helm/charts/istio-config

build-go:
	@echo "==> go build auth-service"
	cd services/auth-service && go build ./...
	@echo "==> go build video-service"
	cd services/video-service && go build ./...
	@for svc in user-service board-service chat-service; do \
		echo "==> go build $$svc"; \
		(cd services/$$svc && go build ./...) || exit 1; \
	done
