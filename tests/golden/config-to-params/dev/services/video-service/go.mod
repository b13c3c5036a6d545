module github.com/example/platform/services/video-service

go 1.24

require github.com/example/platform/packages/common-go v0.0.0
