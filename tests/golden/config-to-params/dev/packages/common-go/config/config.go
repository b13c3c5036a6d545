package config

import "os"

// Config is the runtime configuration shared by every Go service.
type Config struct {
	Name string
	Addr string
}

// Load reads the configuration of the named service from the environment.
func Load(name string) Config {
	addr := os.Getenv("LISTEN_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	return Config{Name: name, Addr: addr}
}
