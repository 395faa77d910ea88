package caddymodule

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"

	// The directives the golden files put next to consent.
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

var update = flag.Bool("update", false, "rewrite the expected JSON of testdata/*.caddyfiletest with the adapter's output")

// goldenSeparator splits a .caddyfiletest file into its Caddyfile and the
// JSON `caddy adapt` gives for it, as in Caddy's own caddyfile_adapt tests.
const goldenSeparator = "----------"

// readGolden returns the Caddyfile and the expected JSON of a
// .caddyfiletest file.
func readGolden(t *testing.T, path string) (caddyfile, expected string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`\r?\n`).ReplaceAllString(string(data), "\n")
	before, after, ok := strings.Cut(text, goldenSeparator)
	if !ok {
		t.Fatalf("%s: no %q line between the Caddyfile and the JSON", path, goldenSeparator)
	}
	caddyfile, expected = strings.TrimSpace(before)+"\n", strings.TrimSpace(after)
	// file_server hides the Caddyfile under an OS-specific path.
	hide, _ := json.Marshal("." + string(filepath.Separator) + "Caddyfile")
	expected = strings.ReplaceAll(expected, `"./Caddyfile"`, string(hide))
	// Files the Caddyfile names are made absolute against its folder.
	expected = strings.ReplaceAll(expected, dirPlaceholder, jsonDir(t))
	return caddyfile, expected
}

// dirPlaceholder stands in golden JSON for the absolute path of the
// folder of the Caddyfile (the test's working directory), which differs
// from machine to machine.
const dirPlaceholder = "{{dir}}"

// jsonDir is the working directory as it appears inside a JSON string.
func jsonDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := json.Marshal(wd)
	return string(q[1 : len(q)-1])
}

// adapt runs the Caddyfile adapter as `caddy adapt` does, for a file
// called Caddyfile.
func adapt(t *testing.T, caddyfile string) ([]byte, error) {
	t.Helper()
	out, warnings, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
	for _, w := range warnings {
		t.Logf("warning: %s:%d: %s: %s", w.File, w.Line, w.Directive, w.Message)
	}
	return out, err
}

// TestAdaptGolden adapts every testdata/*.caddyfiletest and compares the
// JSON with the file's, the way Caddy's own adapt tests do. Run with
// -update to rewrite the expected JSON after a deliberate change.
func TestAdaptGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.caddyfiletest"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d golden files in testdata, want at least 3", len(files))
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			caddyfile, expected := readGolden(t, path)
			if *update {
				out, err := adapt(t, caddyfile)
				if err != nil {
					t.Fatal(err)
				}
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, out, "", "\t"); err != nil {
					t.Fatal(err)
				}
				out = bytes.ReplaceAll(pretty.Bytes(), []byte(jsonDir(t)), []byte(dirPlaceholder))
				data := caddyfile + goldenSeparator + "\n" + string(out) + "\n"
				if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !caddytest.CompareAdapt(t, path, caddyfile, "caddyfile", expected) {
				out, err := adapt(t, caddyfile)
				t.Errorf("%s: adapted JSON differs from the golden file (diff on stdout; rerun with -update if the change is deliberate)\nerror: %v\ngot:\n%s", path, err, out)
			}
		})
	}
}

// handlerNames flattens the handlers of routes, in the order a request
// meets them, descending into subroutes. reverse_proxy with the fastcgi
// transport is named php_fastcgi. Each name is paired with whether its
// route (or an enclosing one) has a matcher.
func handlerNames(routes []any, matched bool) (names []string, conditional []bool) {
	for _, r := range routes {
		route, _ := r.(map[string]any)
		m := matched || route["match"] != nil
		for _, h := range asSlice(route["handle"]) {
			handler, _ := h.(map[string]any)
			name, _ := handler["handler"].(string)
			if tr, ok := handler["transport"].(map[string]any); ok && tr["protocol"] == "fastcgi" {
				name = "php_fastcgi"
			}
			if name == "subroute" {
				n, c := handlerNames(asSlice(handler["routes"]), m)
				names, conditional = append(names, n...), append(conditional, c...)
				continue
			}
			names, conditional = append(names, name), append(conditional, m)
		}
	}
	return names, conditional
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// TestDirectiveOrder checks that consent orders itself without an `order`
// global option: inside encode (which compresses what consent writes) and
// before templates, reverse_proxy, php_fastcgi and file_server (whose
// output consent must see), on every request (its route has no matcher).
func TestDirectiveOrder(t *testing.T) {
	tests := []struct {
		name         string
		in           string   // a golden file or a Caddyfile
		order        []string // handlers in the order a request must meet them
		everyRequest bool     // consent's route has no matcher
	}{
		{"bare", "testdata/bare.caddyfiletest", []string{"consent", "file_server"}, true},
		{"every neighbour", "testdata/order.caddyfiletest", []string{"encode", "consent", "templates", "reverse_proxy", "php_fastcgi", "file_server"}, true},
		{"inside a handle block", ":8080 {\n\thandle /shop/* {\n\t\tfile_server\n\t\tconsent\n\t\treverse_proxy localhost:9000\n\t\tencode zstd gzip\n\t}\n}\n", []string{"encode", "consent", "reverse_proxy", "file_server"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caddyfile := tt.in
			if strings.HasSuffix(tt.in, ".caddyfiletest") {
				caddyfile, _ = readGolden(t, tt.in)
			}
			out, err := adapt(t, caddyfile)
			if err != nil {
				t.Fatal(err)
			}
			var cfg struct {
				Apps struct {
					HTTP struct {
						Servers map[string]struct {
							Routes []any `json:"routes"`
						} `json:"servers"`
					} `json:"http"`
				} `json:"apps"`
			}
			if err := json.Unmarshal(out, &cfg); err != nil {
				t.Fatal(err)
			}
			names, conditional := handlerNames(cfg.Apps.HTTP.Servers["srv0"].Routes, false)
			at := map[string]int{}
			for i, n := range names {
				if _, seen := at[n]; !seen {
					at[n] = i
				}
			}
			prev := -1
			for _, want := range tt.order {
				i, ok := at[want]
				if !ok {
					t.Fatalf("no %s handler in %v", want, names)
				}
				if i < prev {
					t.Errorf("handlers in order %v, want %v", names, tt.order)
					break
				}
				prev = i
			}
			if tt.everyRequest && conditional[at["consent"]] {
				t.Errorf("consent's route has a matcher: it would not see every request")
			}
		})
	}
}

// TestCaddyfileErrors checks that a bad consent block fails to adapt with
// the file and line of the mistake and a message saying what is wrong.
// Caddy 2.11's Dispenser.Errf writes "<message>, at <file>:<line>", and
// the adapter prefixes "parsing caddyfile tokens for 'consent': ".
func TestCaddyfileErrors(t *testing.T) {
	block := func(lines ...string) string {
		return ":8080 {\n\tconsent {\n\t\t" + strings.Join(lines, "\n\t\t") + "\n\t}\n\tfile_server\n}\n"
	}
	tests := []struct {
		name string
		in   string
		line int
		want string // in the message
	}{
		{"unknown sub-directive", block("mode remove", "banana yes"), 4, `unknown sub-directive "banana"`},
		{"duplicate sub-directive", block("mode remove", "revision 2", "mode report"), 5, `duplicate sub-directive "mode"`},
		{"bad mode", block("mode block"), 3, `mode: unknown value "block", want neutralize, remove or report`},
		{"bad unknown_cookies", block("unknown_cookies deny"), 3, `unknown_cookies: unknown value "deny", want allow or block`},
		{"missing argument", block("cookie_name"), 3, `wrong argument count or unexpected line ending after 'cookie_name'`},
		{"missing list", block("categories"), 3, `wrong argument count or unexpected line ending after 'categories'`},
		{"extra argument", block("revision 1 2"), 3, `wrong argument count or unexpected line ending after '2'`},
		{"argument to a flag", block("no_catalogue yes"), 3, `wrong argument count or unexpected line ending after 'yes'`},
		{"vendor without category", block("vendor acme {", "\thosts acme.example", "}"), 3, `vendor acme: missing category`},
		{"vendor without id", block("vendor {", "\tcategory analytics", "}"), 3, `wrong argument count or unexpected line ending after 'vendor'`},
		{"unknown vendor property", block("vendor acme {", "\tcategory analytics", "\tdomains acme.example", "}"), 5, `vendor acme: unknown property "domains"`},
		{"duplicate vendor property", block("vendor acme {", "\tcategory analytics", "\thosts a.example", "\thosts b.example", "}"), 6, `vendor acme: duplicate "hosts"`},
		{"vendor property without value", block("vendor acme {", "\tcategory analytics", "\tcookies", "}"), 5, `wrong argument count or unexpected line ending after 'cookies'`},
		{"text with two arguments", block("text en title"), 3, `text: want <lang> <key> <text>, got 2 arguments`},
		{"text with four arguments", block(`text en title "Cookies" extra`), 3, `text: want <lang> <key> <text>, got 4 arguments`},
		{"duplicate text", block(`text en title "One"`, `text sv title "Ett"`, `text en title "Two"`), 5, `text: en title given twice`},
		{"bad size", block("max_buffer_size lots"), 3, `max_buffer_size: "lots" is not a size`},
		{"zero size", block("max_decoded_size 0"), 3, `max_decoded_size: "0" is not a size`},
		{"bad duration", block("cookie_max_age forever"), 3, `cookie_max_age: `},
		{"bad tcf purpose", block("tcf_purposes analytics 8 99"), 3, `tcf_purposes: "99" is not a TCF purpose (1 to 24)`},
		{"duplicate tcf category", block("tcf_purposes analytics 8", "tcf_purposes analytics 9"), 4, `tcf_purposes: analytics given twice`},
		{"onetrust_group arity", block("onetrust_group C0004"), 3, `onetrust_group: want two arguments, got 1`},
		{"duplicate cmp_service", block("cmp_service hotjar analytics", "cmp_service hotjar marketing"), 4, `cmp_service: hotjar given twice`},
		{"block after a sub-directive", block("mode remove {", "\tvendor x", "}"), 3, `mode takes no block`},
		{"consent with an argument", ":8080 {\n\tconsent on\n\tfile_server\n}\n", 2, `wrong argument count or unexpected line ending after 'on'`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := adapt(t, tt.in)
			if err == nil {
				t.Fatalf("adapting succeeded, want an error at Caddyfile:%d", tt.line)
			}
			msg := err.Error()
			at := fmt.Sprintf("Caddyfile:%d", tt.line)
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if !strings.HasSuffix(msg, ", at "+at) {
				t.Errorf("error %q does not end with the place %q", msg, ", at "+at)
			}
			if !strings.Contains(msg, "'consent'") {
				t.Errorf("error %q does not name the consent directive", msg)
			}
		})
	}
}

// validate loads a Caddyfile's config as `caddy validate` does: adapted,
// then every module provisioned, without starting a server. Logs are left
// out, so that no log file is opened.
func validate(t *testing.T, caddyfile string) error {
	t.Helper()
	out, err := adapt(t, caddyfile)
	if err != nil {
		t.Fatalf("adapting: %v", err)
	}
	var cfg caddy.Config
	if err := json.Unmarshal(out, &cfg); err != nil {
		t.Fatal(err)
	}
	cfg.Logging = nil
	return caddy.Validate(&cfg)
}

// validateHandler loads, as `caddy validate` does, a JSON config whose
// only handler is h: the way a config reaches Caddy without the
// Caddyfile, through the admin API or a JSON file.
func validateHandler(t *testing.T, h Handler) error {
	t.Helper()
	app := caddyhttp.App{Servers: map[string]*caddyhttp.Server{"srv0": {
		Listen: []string{":8080"},
		Routes: caddyhttp.RouteList{{HandlersRaw: []json.RawMessage{caddyconfig.JSONModuleObject(h, "handler", "consent", nil)}}},
	}}}
	cfg := caddy.Config{AppsRaw: caddy.ModuleMap{"http": caddyconfig.JSON(app, nil)}}
	return caddy.Validate(&cfg)
}

// TestProvisionErrors checks the second net: a JSON config (which no
// Caddyfile parser has checked) with settings the middleware refuses
// fails to load, naming the module and the problem.
func TestProvisionErrors(t *testing.T) {
	tests := []struct {
		name string
		h    Handler
		want string
	}{
		{"revision with a space", Handler{Mode: "remove", Revision: "a b"}, `revision "a b": want 1 to 64 letters, digits, '-' or '_'`},
		{"bad category name", Handler{Categories: []string{"necessary", "Analytics"}}, `categories: category name "Analytics": want lower-case letters`},
		{"category listed twice", Handler{Categories: []string{"analytics", "analytics"}}, `categories: "analytics" listed twice`},
		{"cookie over 13 months", Handler{CookieMaxAge: caddy.Duration(9481 * time.Hour)}, `cookie max age 9481h0m0s is longer than 13 months (395 days)`},
		{"cookie under an hour", Handler{CookieMaxAge: caddy.Duration(30 * time.Minute)}, `cookie max age 30m0s is shorter than an hour`},
		{"bad cookie name", Handler{CookieName: "con sent"}, `cookie name "con sent" is not a valid cookie name`},
		{"endpoint with a trailing slash", Handler{Endpoint: "/consent/"}, `endpoint "/consent/": want an absolute path without a trailing slash`},
		{"script policy URL", Handler{PolicyURL: "javascript:alert(1)"}, `policy URL "javascript:alert(1)": want a path or an http(s) URL`},
		{"small buffer", Handler{MaxBufferSize: 100}, `max buffer size 100 is below 1024 bytes`},
		{"bad gpc date", Handler{GPCLastUpdate: "15.01.2026"}, `gpc last update "15.01.2026": want a date as YYYY-MM-DD`},
		{"bad mode", Handler{Mode: "block"}, `mode "block": want neutralize, remove or report`},
		{"missing rule file", Handler{RuleFiles: []string{"testdata/no-such-rules.json"}}, `testdata/no-such-rules.json`},
		{"missing banner template", Handler{BannerTemplate: "testdata/no-such-banner.html"}, `banner template`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := validateHandler(t, tt.h)
			if err == nil {
				t.Fatalf("config loaded, want an error saying %q", tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			if !strings.Contains(msg, "http.handlers.consent") {
				t.Errorf("error %q does not name the module http.handlers.consent", msg)
			}
		})
	}
	// A relative rule file in JSON is relative to the working directory,
	// as every path of Caddy's JSON config is.
	if err := validateHandler(t, Handler{RuleFiles: []string{"testdata/rules.json"}, Categories: []string{"support"}}); err != nil {
		t.Errorf("a rule file relative to the working directory: %v", err)
	}
}

// TestGoldenConfigsLoad provisions every golden file's config, so that
// each sub-directive's value is one the middleware accepts.
func TestGoldenConfigsLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.caddyfiletest"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			caddyfile, _ := readGolden(t, path)
			if err := validate(t, caddyfile); err != nil {
				t.Fatal(err)
			}
		})
	}
}
