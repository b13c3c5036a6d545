package main

// scopes granted to internal callers.
var internalScopes = map[string][]string{
	"user-service":  {"users:read"},
	"video-service": {"rooms:write"},
}
