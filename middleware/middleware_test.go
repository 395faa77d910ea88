package middleware

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// TestMain keeps the operational logs of the middlewares under test, which
// go to slog.Default() unless a test sets a logger, out of the output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// recordedLogs is a slog.Handler that keeps every entry as a map of its
// message, level and attributes.
type recordedLogs struct {
	root  *recordedLogs // where entries go; nil for the root itself
	attrs []slog.Attr

	mu      sync.Mutex
	entries []map[string]any
}

func (l *recordedLogs) Enabled(context.Context, slog.Level) bool { return true }

func (l *recordedLogs) Handle(_ context.Context, r slog.Record) error {
	e := map[string]any{"msg": r.Message, "level": r.Level.String()}
	for _, a := range l.attrs {
		e[a.Key] = a.Value.Any()
	}
	r.Attrs(func(a slog.Attr) bool {
		e[a.Key] = a.Value.Any()
		return true
	})
	root := l
	if l.root != nil {
		root = l.root
	}
	root.mu.Lock()
	root.entries = append(root.entries, e)
	root.mu.Unlock()
	return nil
}

func (l *recordedLogs) WithAttrs(attrs []slog.Attr) slog.Handler {
	root := l
	if l.root != nil {
		root = l.root
	}
	return &recordedLogs{root: root, attrs: append(append([]slog.Attr(nil), l.attrs...), attrs...)}
}

func (l *recordedLogs) WithGroup(string) slog.Handler { return l }

func (l *recordedLogs) all() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]any(nil), l.entries...)
}

func newTestMiddleware(t *testing.T, cfg Config) *Middleware {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// serve runs one request through m in front of h.
func serve(t *testing.T, m *Middleware, h http.HandlerFunc, req *http.Request) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler(h).ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const trackerPage = `<!doctype html><html><head>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-TEST123');</script>
<script src="/app.js"></script>
</head><body><h1>Hello</h1>
<img src="https://www.facebook.com/tr?id=1&ev=PageView" alt="">
<img src="/logo.png" alt="logo">
</body></html>`

func htmlHandler(page string, cookies ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for _, c := range cookies {
			w.Header().Add("Set-Cookie", c)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", "12345")
		io.WriteString(w, page)
	}
}

func TestUndecidedVisitorGetsNoTracker(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	req := httptest.NewRequest("GET", "https://shop.example.com/", nil)
	resp := serve(t, m, htmlHandler(trackerPage, "_ga=GA1.1.1; Path=/", "PHPSESSID=abc; HttpOnly", "=_gid=1"), req)
	out := body(t, resp)
	for _, bad := range []string{`async src="https://www.googletagmanager.com`, `<img src="https://www.facebook.com/tr`} {
		if strings.Contains(out, bad) {
			t.Errorf("tracker survived: %s\n%s", bad, out)
		}
	}
	for _, good := range []string{`<script src="/app.js"></script>`, `<img src="/logo.png" alt="logo">`, `<h1>Hello</h1>`} {
		if !strings.Contains(out, good) {
			t.Errorf("non-tracker markup changed: %s missing\n%s", good, out)
		}
	}
	if !strings.Contains(out, `data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-TEST123"`) {
		t.Errorf("gtag.js not neutralised restorably:\n%s", out)
	}
	if got := resp.Header.Values("Set-Cookie"); len(got) != 1 || got[0] != "PHPSESSID=abc; HttpOnly" {
		t.Errorf("Set-Cookie = %q, want only the session cookie", got)
	}
	if resp.Header.Get("Content-Length") != "" {
		t.Error("Content-Length kept on a rewritten body")
	}
}

func TestConsentCookieGrantsAnalytics(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	rs := m.Rules()
	analytics, _ := rs.Set(rules.Analytics, rules.Preferences)
	marketing, _ := rs.Set(rules.Marketing)
	cookie := encodeConsentCookie(rs, cookieValue{granted: analytics, denied: marketing, revision: "1", time: time.Now(), id: newConsentID(), method: methodBanner})
	req := httptest.NewRequest("GET", "https://shop.example.com/", nil)
	req.Header.Set("Cookie", "consentgate="+cookie+"; _ga=GA1.1.1; _fbp=fb.1.1")
	var upstreamCookie string
	h := func(w http.ResponseWriter, r *http.Request) {
		upstreamCookie = r.Header.Get("Cookie")
		htmlHandler(trackerPage, "_ga=GA1.1.2", "_fbp=fb.1.2")(w, r)
	}
	resp := serve(t, m, h, req)
	out := body(t, resp)
	if !strings.Contains(out, `<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST123"></script>`) {
		t.Errorf("GA4 blocked despite analytics consent:\n%s", out)
	}
	if strings.Contains(out, `<img src="https://www.facebook.com/tr`) {
		t.Errorf("Meta pixel loaded without marketing consent:\n%s", out)
	}
	if strings.Contains(upstreamCookie, "_fbp") || !strings.Contains(upstreamCookie, "_ga=GA1.1.1") {
		t.Errorf("upstream Cookie = %q, want _ga kept and _fbp removed", upstreamCookie)
	}
	var sawGA, expiredFBP bool
	for _, l := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "_ga=GA1.1.2") {
			sawGA = true
		}
		if strings.HasPrefix(l, "_fbp=fb.1.2") {
			t.Errorf("marketing Set-Cookie passed: %s", l)
		}
		if strings.HasPrefix(l, "_fbp=;") && strings.Contains(l, "Max-Age=0") {
			expiredFBP = true
		}
	}
	if !sawGA || !expiredFBP {
		t.Errorf("Set-Cookie = %q: want _ga passed and _fbp expired", resp.Header.Values("Set-Cookie"))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequestHost(t *testing.T) {
	for host, want := range map[string]string{
		"Example.COM":        "example.com",
		"example.com:8080":   "example.com",
		"example.com.":       "example.com",
		"example.com.:443":   "example.com",
		"[::1]:8080":         "::1",
		"[::1]":              "::1",
		"::1":                "::1",
		"127.0.0.1:80":       "127.0.0.1",
		"[2001:DB8::1]:8443": "2001:db8::1",
		"":                   "",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Host = host
		if got := requestHost(r); got != want {
			t.Errorf("requestHost(Host: %q) = %q, want %q", host, got, want)
		}
	}
}

// TestOverflowTagMadeInert: a start tag longer than the buffer cap is made
// inert by name with the "block" policy (the default), whichever element
// it is: its tracker URL before the cap must not load.
func TestOverflowTagMadeInert(t *testing.T) {
	m := newTestMiddleware(t, Config{Banner: "off"})
	pad := strings.Repeat("x", 300<<10)
	for _, c := range []struct{ in, want string }{
		{`<script src="https://www.googletagmanager.com/gtm.js" data-x="` + pad + `"></script>`, `<script type="text/plain" data-consent=`},
		{`<link rel="preload" href="https://connect.facebook.net/en_US/fbevents.js" data-x="` + pad + `">`, `<link href="data:," imagesrcset="data:," data-consent=`},
		{`<a ping="https://www.google-analytics.com/collect" data-x="` + pad + `">x</a>`, `<a ping="" data-consent=`},
		{`<img src="https://www.facebook.com/tr" data-x="` + pad + `">`, `<img src="data:," srcset="data:," data-consent=`},
	} {
		out := rewriteChunks(m, c.in, 32<<10)
		if !strings.HasPrefix(out, c.want) {
			t.Errorf("%.40s… (over the cap) became %.120s…, want it to start %s", c.in, out, c.want)
		}
		if len(out) < len(c.in) {
			t.Errorf("%.40s…: output truncated to %d of %d bytes", c.in, len(out), len(c.in))
		}
	}
}
