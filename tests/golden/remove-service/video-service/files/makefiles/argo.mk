# ArgoCD helpers.

ARGO_APPS = auth-service user-service board-service chat-service notification-service livekit infra

.PHONY: argo-sync argo-status
argo-sync:
	@for app in $(ARGO_APPS); do argocd app sync $$app-$(ENV); done

argo-status:
	bash k8s/argocd/scripts/status.sh $(ENV)
