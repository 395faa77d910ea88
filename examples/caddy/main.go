// Command caddy is Caddy with the standard modules and consentgate's
// consent directive, the same binary
//
//	xcaddy build --with github.com/consentgate/consentgate/caddymodule
//
// builds. Run it from the repository root to serve the demo site:
//
//	go run ./examples/caddy run --config Caddyfile.example
//
// or in front of a site of your own on port 8000:
//
//	go run ./examples/caddy consent-proxy --from :8080 --to localhost:8000
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddyserver/caddy/v2/modules/standard"

	_ "github.com/consentgate/consentgate/caddymodule"
)

func main() {
	caddycmd.Main()
}
