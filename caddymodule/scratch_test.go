package caddymodule

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func TestScratch(t *testing.T) {
	for _, in := range []string{":8080 {\n\tconsent\n\tfile_server\n}\n", ":8080 {\n\tencode gzip\n\ttemplates\n\treverse_proxy /api/* localhost:9000\n\tphp_fastcgi localhost:9001\n\tfile_server\n\tconsent\n}\n",
		":8080 {\n\tconsent {\n\t\tmode bogus\n\t}\n}\n", ":8080 {\n\tconsent on\n}\n"} {
		out, warn, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(in), nil)
		var b bytes.Buffer
		json.Indent(&b, out, "", "\t")
		fmt.Println(b.String(), warn, err)
	}
}
