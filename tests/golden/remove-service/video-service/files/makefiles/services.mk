# Per-service build, load and redeploy rules.

##@ auth-service
.PHONY: auth-service-build auth-service-load auth-service-redeploy auth-service-all
auth-service-build:
	docker build -t $(REGISTRY)/$(ENV)/auth-service:latest services/auth-service
auth-service-load:
	kind load docker-image $(REGISTRY)/$(ENV)/auth-service:latest --name $(KIND_CLUSTER)
auth-service-redeploy:
	kubectl -n platform rollout restart deployment/auth-service
auth-service-all: auth-service-build auth-service-load auth-service-redeploy

##@ user-service
.PHONY: user-service-build user-service-load user-service-redeploy user-service-all
user-service-build:
	docker build -t $(REGISTRY)/$(ENV)/user-service:latest services/user-service
user-service-load:
	kind load docker-image $(REGISTRY)/$(ENV)/user-service:latest --name $(KIND_CLUSTER)
user-service-redeploy:
	kubectl -n platform rollout restart deployment/user-service
user-service-all: user-service-build user-service-load user-service-redeploy

##@ board-service
.PHONY: board-service-build board-service-load board-service-redeploy board-service-all
board-service-build:
	docker build -t $(REGISTRY)/$(ENV)/board-service:latest services/board-service
board-service-load:
	kind load docker-image $(REGISTRY)/$(ENV)/board-service:latest --name $(KIND_CLUSTER)
board-service-redeploy:
	kubectl -n platform rollout restart deployment/board-service
board-service-all: board-service-build board-service-load board-service-redeploy

##@ chat-service
.PHONY: chat-service-build chat-service-load chat-service-redeploy chat-service-all
chat-service-build:
	docker build -t $(REGISTRY)/$(ENV)/chat-service:latest services/chat-service
chat-service-load:
	kind load docker-image $(REGISTRY)/$(ENV)/chat-service:latest --name $(KIND_CLUSTER)
chat-service-redeploy:
	kubectl -n platform rollout restart deployment/chat-service
chat-service-all: chat-service-build chat-service-load chat-service-redeploy

##@ notification-service (Spring Boot)
.PHONY: notification-service-build
notification-service-build:
	cd services/notification-service && ./mvnw -q package -DskipTests
	docker build -t $(REGISTRY)/$(ENV)/notification-service:latest services/notification-service
