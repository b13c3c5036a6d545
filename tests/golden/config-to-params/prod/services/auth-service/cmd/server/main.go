package main

import (
	"log"
	"net/http"

	"github.com/example/platform/packages/common-go/config"
)

func main() {
	cfg := config.Load("auth-service")
	http.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	log.Printf("auth-service listening on %s", cfg.Addr)
	log.Fatal(http.ListenAndServe(cfg.Addr, nil))
}
