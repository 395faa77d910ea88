package caddymodule

import (
	"encoding/json"
	"strings"
	"testing"

	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/spf13/cobra"
)

// commandFlags parses args with the flags of the registered command.
func commandFlags(t *testing.T, name string, args ...string) caddycmd.Flags {
	t.Helper()
	c, ok := caddycmd.Commands()[name]
	if !ok {
		t.Fatalf("no command %s registered", name)
	}
	cmd := &cobra.Command{Use: name}
	c.CobraFunc(cmd)
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parsing %v: %v", args, err)
	}
	return caddycmd.Flags{FlagSet: cmd.Flags()}
}

// proxyConfig is the part of consent-proxy's config the tests look at.
type proxyConfig struct {
	Admin struct {
		Disabled bool `json:"disabled"`
		Config   struct {
			Persist *bool `json:"persist"`
		} `json:"config"`
	} `json:"admin"`
	Apps struct {
		HTTP struct {
			Servers map[string]struct {
				Listen    []string `json:"listen"`
				AutoHTTPS *struct {
					Disable      bool `json:"disable"`
					DisableRedir bool `json:"disable_redirects"`
				} `json:"automatic_https"`
				Logs   *struct{} `json:"logs"`
				Routes []struct {
					Match  []map[string][]string `json:"match"`
					Handle []map[string]any      `json:"handle"`
				} `json:"routes"`
			} `json:"servers"`
		} `json:"http"`
		TLS *json.RawMessage `json:"tls"`
	} `json:"apps"`
}

// TestConsentProxyConfig checks the Caddy config consent-proxy builds
// from its flags: where it listens and with or without TLS, consent before
// reverse_proxy, the consent settings, the upstream, nothing persisted.
func TestConsentProxyConfig(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		listen string
		tls    bool   // automatic HTTPS on
		host   string // host matcher, or ""
		check  func(t *testing.T, consent, proxy map[string]any)
	}{
		{"defaults", []string{"--to", "localhost:8000"}, ":8080", false, "", func(t *testing.T, consent, proxy map[string]any) {
			if len(consent) != 2 || consent["mode"] != "neutralize" {
				t.Errorf("consent handler %v, want the defaults (mode neutralize)", consent)
			}
			if got := upstreams(proxy); got != "localhost:8000" {
				t.Errorf("upstreams %s, want localhost:8000", got)
			}
		}},
		{"port only", []string{"--from", ":9090", "--to", ":8000"}, ":9090", false, "", func(t *testing.T, _, proxy map[string]any) {
			if got := upstreams(proxy); got != "localhost:8000" {
				t.Errorf("upstreams %s, want localhost:8000", got)
			}
		}},
		{"loopback only", []string{"--from", "127.0.0.1:8080", "--to", "http://127.0.0.1:8000"}, "127.0.0.1:8080", false, "", nil},
		{"localhost without a port", []string{"--from", "localhost", "--to", "127.0.0.1:8000"}, "localhost:80", false, "", nil},
		{"a host name over http", []string{"--from", "http://shop.example:8080", "--to", "127.0.0.1:8000"}, ":8080", false, "shop.example", nil},
		{"https", []string{"--from", "https://shop.example", "--to", "https://origin.example", "--insecure", "--change-host-header"}, ":443", true, "shop.example", func(t *testing.T, _, proxy map[string]any) {
			if got := upstreams(proxy); got != "origin.example:443" {
				t.Errorf("upstreams %s, want origin.example:443", got)
			}
			tr, _ := proxy["transport"].(map[string]any)
			tls, _ := tr["tls"].(map[string]any)
			if tls == nil || tls["insecure_skip_verify"] != true {
				t.Errorf("transport %v, want TLS without verification", tr)
			}
			b, _ := json.Marshal(proxy["headers"])
			if !strings.Contains(string(b), `"Host":["{http.reverse_proxy.upstream.hostport}"]`) {
				t.Errorf("headers %s do not set the upstream's Host", b)
			}
		}},
		{"settings", []string{"--to", "localhost:8000", "--mode", "report", "--policy-url", "/privacy", "--categories", "analytics,marketing,support", "--cmp", "auto", "--banner", "on", "--rules", "testdata/rules.json", "--access-log"}, ":8080", false, "", func(t *testing.T, consent, _ map[string]any) {
			b, _ := json.Marshal(consent)
			for _, want := range []string{`"mode":"report"`, `"policy_url":"/privacy"`, `"categories":["analytics","marketing","support"]`, `"cmp":["auto"]`, `"banner":"on"`, `"rule_files":["/`, `/testdata/rules.json"]`} {
				if !strings.Contains(string(b), want) {
					t.Errorf("consent handler %s does not hold %s", b, want)
				}
			}
		}},
		{"balanced", []string{"--to", "127.0.0.1:8001", "--to", "127.0.0.1:8002"}, ":8080", false, "", func(t *testing.T, _, proxy map[string]any) {
			if got := upstreams(proxy); got != "127.0.0.1:8001 127.0.0.1:8002" {
				t.Errorf("upstreams %s, want both", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := consentProxyConfig(commandFlags(t, "consent-proxy", tt.args...))
			if err != nil {
				t.Fatal(err)
			}
			raw, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			var pc proxyConfig
			if err := json.Unmarshal(raw, &pc); err != nil {
				t.Fatal(err)
			}
			if !pc.Admin.Disabled || pc.Admin.Config.Persist == nil || *pc.Admin.Config.Persist {
				t.Errorf("admin %s: want it disabled and nothing persisted", raw)
			}
			srv, ok := pc.Apps.HTTP.Servers["consent"]
			if !ok || len(srv.Routes) != 1 {
				t.Fatalf("want one server with one route: %s", raw)
			}
			if strings.Join(srv.Listen, " ") != tt.listen {
				t.Errorf("listens on %v, want %s", srv.Listen, tt.listen)
			}
			tlsOn := srv.AutoHTTPS == nil || !srv.AutoHTTPS.Disable
			if tlsOn != tt.tls {
				t.Errorf("automatic HTTPS on: %v, want %v (%s)", tlsOn, tt.tls, raw)
			}
			route := srv.Routes[0]
			host := ""
			if len(route.Match) == 1 {
				host = strings.Join(route.Match[0]["host"], " ")
			}
			if host != tt.host {
				t.Errorf("host matcher %q, want %q", host, tt.host)
			}
			if len(route.Handle) != 2 || route.Handle[0]["handler"] != "consent" || route.Handle[1]["handler"] != "reverse_proxy" {
				t.Fatalf("handlers %v, want consent then reverse_proxy", route.Handle)
			}
			if accessLog := srv.Logs != nil; accessLog != strings.Contains(strings.Join(tt.args, " "), "--access-log") {
				t.Errorf("access log on: %v", accessLog)
			}
			if tt.check != nil {
				tt.check(t, route.Handle[0], route.Handle[1])
			}
		})
	}
}

func upstreams(proxy map[string]any) string {
	var dials []string
	list, _ := proxy["upstreams"].([]any)
	for _, u := range list {
		m, _ := u.(map[string]any)
		dial, _ := m["dial"].(string)
		dials = append(dials, dial)
	}
	return strings.Join(dials, " ")
}

// TestConsentProxyFlagErrors checks that consent-proxy refuses bad flags
// before it starts anything, saying which flag is wrong.
func TestConsentProxyFlagErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no upstream", nil, "--to is required"},
		{"bad mode", []string{"--to", ":8000", "--mode", "block"}, `--mode "block": want neutralize, remove or report`},
		{"bad banner", []string{"--to", ":8000", "--banner", "maybe"}, `--banner "maybe": want on or off`},
		{"path in from", []string{"--to", ":8000", "--from", ":8080/shop"}, "a path is not allowed"},
		{"path in upstream", []string{"--to", "http://localhost:8000/app"}, "want only a scheme, a host and a port"},
		{"upstream scheme", []string{"--to", "ftp://localhost"}, `scheme "ftp": want http or https`},
		{"upstream port", []string{"--to", "localhost:99999"}, `port "99999"`},
		{"mixed upstreams", []string{"--to", "http://a.example", "--to", "https://b.example"}, "mix http and https"},
		{"missing rule file", []string{"--to", ":8000", "--rules", "testdata/no-such-rules.json"}, "testdata/no-such-rules.json: no such file"},
		{"bad category", []string{"--to", ":8000", "--categories", "Analytics"}, `category name "Analytics"`},
		{"bad cmp", []string{"--to", ":8000", "--cmp", "usercentrics"}, `unknown consent manager "usercentrics"`},
		{"bad policy URL", []string{"--to", ":8000", "--policy-url", "javascript:alert(1)"}, `policy URL "javascript:alert(1)"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := consentProxyConfig(commandFlags(t, "consent-proxy", tt.args...))
			if err == nil {
				t.Fatalf("%v accepted, want an error saying %q", tt.args, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "invalid configuration") {
				t.Errorf("error %q keeps the middleware's prefix", err)
			}
		})
	}
}
