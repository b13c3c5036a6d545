module github.com/example/platform

go 1.24.0
