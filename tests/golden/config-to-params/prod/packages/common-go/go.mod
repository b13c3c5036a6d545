module github.com/example/platform/packages/common-go

go 1.24
