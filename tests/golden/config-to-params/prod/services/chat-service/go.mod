module github.com/example/platform/services/chat-service

go 1.24

require github.com/example/platform/packages/common-go v0.0.0
