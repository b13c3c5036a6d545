# Shared variables for all makefiles.
REGISTRY      ?= 123456789012.dkr.ecr.ap-northeast-2.amazonaws.com
ENV           ?= dev
KIND_CLUSTER  ?= platform
ISTIO_VERSION ?= 1.24.0

# Go services (built with the shared Go toolchain)
GO_SERVICES = auth-service user-service board-service chat-service

# Every backend service that ships an image
BACKEND_SERVICES = auth-service user-service board-service \
                   chat-service notification-service

# Infrastructure components deployed from their own charts
INFRA_COMPONENTS = infra livekit monitoring istio-config
