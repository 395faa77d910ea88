package caddymodule

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"

	"github.com/consentgate/consentgate/middleware"
)

// FuzzCaddyfile feeds arbitrary text to the consent directive's parser as
// the body of its block. Whatever it is given, the parser must not panic,
// every error must say where in the file it is, and what it accepts must
// survive a JSON round trip (the form Caddy keeps configs in) and build a
// middleware: the parser checks at parse time what the middleware would
// refuse at load time. Bodies that name files (rules, *_template)
// are skipped: the parser reads those files, and a fuzzer must not make
// it read /dev/zero.
func FuzzCaddyfile(f *testing.F) {
	for _, seed := range []string{
		"mode remove\nunknown_cookies block",
		"categories necessary preferences analytics marketing support\nvendor acme {\n\tcategory analytics\n\thosts acme.example\n\tcookies _acme _acme_*\n}",
		"gpc off\ndnt analytics\ncookie_max_age 8760h\nmax_buffer_size 512KiB\noverflow allow",
		`text en title "Cookies {here}"` + "\ntext sv title Kakor\ndefault_language sv",
		"cmp cookiebot onetrust tcf\nonetrust_group C0004 marketing\ncmp_service hotjar analytics\ntcf_purposes analytics 7 8 9",
		"endpoint /consent\nbanner off\npolicy_url /privacy\nconsent_mode\ngpc_last_update 2026-01-15\nrecord_ip truncate",
		"mode remove {\n\tvendor x\n}",
		"vendor {\n}\n}\n{",
		"text \"unterminated",
		"max_decoded_size 99999999999999999999\nrevision \"\"\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if strings.Contains(body, "rules") || strings.Contains(body, "_template") {
			return
		}
		input := "consent {\n" + body + "\n}\n"
		// Text Caddy's lexer refuses never reaches the directive (and
		// NewTestDispenser would exit the process on it).
		tokens, err := caddyfile.Tokenize([]byte(input), "Testfile")
		if err != nil {
			return
		}
		d := caddyfile.NewDispenser(tokens)
		var h Handler
		if err := h.UnmarshalCaddyfile(d); err != nil {
			if !strings.Contains(err.Error(), "Testfile:") {
				t.Fatalf("error without a place in the file: %v\ninput:\n%s", err, input)
			}
			return
		}
		raw, err := json.Marshal(&h)
		if err != nil {
			t.Fatalf("marshalling the parsed handler: %v", err)
		}
		var back Handler
		if err := json.Unmarshal(raw, &back); err != nil {
			t.Fatalf("the handler's JSON does not load again: %v\n%s", err, raw)
		}
		again, _ := json.Marshal(&back)
		if !bytes.Equal(raw, again) {
			t.Fatalf("JSON round trip changed the config:\n%s\n%s", raw, again)
		}
		if _, err := middleware.New(h.Config()); err != nil {
			t.Fatalf("the parser accepted what middleware.New refuses: %v\ninput:\n%s", err, input)
		}
	})
}
