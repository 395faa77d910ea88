package caddymodule

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// trackerPage is a page with one GA4 tag: without consent its script is
// blocked, which counts once under blocked_total.
const trackerPage = `<!doctype html><html><head><title>Shop</title>` +
	`<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>` +
	`</head><body><h1>Shop</h1></body></html>`

// Series of the module's counters, as the Prometheus text format names
// them (labels sorted by name).
const (
	acceptedSeries = `caddy_consent_decisions_total{action="accept_all",source="banner_form"}`
	rejectedSeries = `caddy_consent_decisions_total{action="reject_all",source="banner_form"}`
	blockedSeries  = `caddy_consent_blocked_total{category="analytics",kind="script"}`
)

// scrape returns the series of a Prometheus text exposition and their
// values.
func scrape(t *testing.T, r io.Reader) map[string]float64 {
	t.Helper()
	series := map[string]float64{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return series
}

// gather returns the series of a registry, through the same handler
// Caddy's /metrics uses, so pedantic-registry errors fail the test.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	if _, err := reg.Gather(); err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	rec := httptest.NewRecorder()
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics handler answered %d: %s", rec.Code, rec.Body)
	}
	return scrape(t, rec.Body)
}

// provision loads the consent handler from its JSON in ctx, as Caddy does
// for each handler of a config.
func provision(t *testing.T, ctx caddy.Context, raw string) *Handler {
	t.Helper()
	mod, err := ctx.LoadModuleByID("http.handlers.consent", json.RawMessage(raw))
	if err != nil {
		t.Fatalf("provisioning %s: %v", raw, err)
	}
	return mod.(*Handler)
}

// servePage serves trackerPage through h.
func servePage(t *testing.T, h *Handler, cookie string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", "http://shop.example/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	next := caddyhttp.HandlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, err := io.WriteString(w, trackerPage)
		return err
	})
	if err := h.ServeHTTP(rec, req, next); err != nil {
		t.Fatal(err)
	}
	return rec
}

// decide posts a banner choice to h and returns the consent cookie.
func decide(t *testing.T, h *Handler, action string) string {
	t.Helper()
	req := httptest.NewRequest("POST", "http://shop.example/.well-known/consent", strings.NewReader("action="+action+"&return=/"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://shop.example")
	rec := httptest.NewRecorder()
	if err := h.ServeHTTP(rec, req, caddyhttp.HandlerFunc(func(http.ResponseWriter, *http.Request) error {
		t.Error("the consent POST reached the next handler")
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("consent POST answered %d, want 303", rec.Code)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "consentgate" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("consent POST set no consentgate cookie: %v", rec.Header()["Set-Cookie"])
	return ""
}

// TestMetricsAcrossConfigLoads provisions the handler under two configs
// in a row, as a hot reload does: each config has its own pedantic
// registry, the collectors register on both without error (twice on the
// same registry when a config holds two consent handlers), and what the
// second config's handlers count shows on the second registry only.
func TestMetricsAcrossConfigLoads(t *testing.T) {
	first, cancelFirst := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancelFirst()
	old := provision(t, first, `{}`)
	servePage(t, old, "")
	if got := gather(t, first.GetMetricsRegistry())[blockedSeries]; got != 1 {
		t.Fatalf("first config: %s = %v, want 1", blockedSeries, got)
	}

	// The reload: a new config, still running beside the old one until
	// the old one is cleaned up.
	second, cancelSecond := caddy.NewContext(caddy.Context{Context: context.Background()})
	defer cancelSecond()
	h := provision(t, second, `{"revision": "2"}`)
	other := provision(t, second, `{"revision": "2", "mode": "remove"}`) // a second site of the same config
	reg := second.GetMetricsRegistry()
	before := gather(t, reg)
	for _, s := range []string{acceptedSeries, blockedSeries} {
		if before[s] != 0 {
			t.Errorf("second config before any request: %s = %v, want 0 (counts leaked from the first config)", s, before[s])
		}
	}

	rec := servePage(t, h, "")
	if !strings.Contains(rec.Body.String(), `data-consent-src="https://www.googletagmanager.com/gtag/js`) {
		t.Errorf("the page's GA4 tag was not neutralised:\n%s", rec.Body)
	}
	servePage(t, other, "")
	cookie := decide(t, h, "accept_all")
	decide(t, other, "reject_all")
	if rec := servePage(t, h, cookie); strings.Contains(rec.Body.String(), "data-consent-src") {
		t.Errorf("after accept_all the page is still blocked:\n%s", rec.Body)
	}

	after := gather(t, reg)
	for s, want := range map[string]float64{blockedSeries: 2, acceptedSeries: 1, rejectedSeries: 1} {
		if after[s] != want {
			t.Errorf("second config: %s = %v, want %v", s, after[s], want)
		}
	}
	if got := gather(t, first.GetMetricsRegistry())[blockedSeries]; got != 1 {
		t.Errorf("first config after the second's requests: %s = %v, want 1 (the configs share a collector)", blockedSeries, got)
	}
}

// freePort returns a TCP port free on the loopback interface.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestMetricsOnAdminEndpointAfterReload runs Caddy in-process, reloads
// its config, and reads the consent counters from the admin endpoint's
// /metrics: they come from the running config, and change after a
// blocked page and a consent POST.
func TestMetricsOnAdminEndpointAfterReload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Caddy")
	}
	admin, port, storage := freePort(t), freePort(t), t.TempDir()
	load := func(revision string) {
		t.Helper()
		caddyfile := fmt.Sprintf(`{
	admin localhost:%d
	auto_https off
	persist_config off
	storage file_system %s
}

http://127.0.0.1:%d {
	header Content-Type "text/html; charset=utf-8"
	consent {
		revision %s
	}
	respond %q 200
}
`, admin, storage, port, revision, trackerPage)
		cfg, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := caddy.Load(cfg, false); err != nil {
			t.Fatalf("loading config (revision %s): %v", revision, err)
		}
	}
	load("1")
	t.Cleanup(func() {
		// Stop the site and the admin endpoint.
		if err := caddy.Load([]byte(`{"admin": {"disabled": true, "config": {"persist": false}}}`), true); err != nil {
			t.Errorf("stopping Caddy: %v", err)
		}
	})
	// A connection per request: a reload shuts the old config's server
	// down, and a connection kept from before it may be closed under the
	// next request.
	client := &http.Client{
		Transport:     &http.Transport{DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	site := fmt.Sprintf("http://127.0.0.1:%d", port)
	metrics := func() map[string]float64 {
		t.Helper()
		res, err := client.Get(fmt.Sprintf("http://localhost:%d/metrics", admin))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("admin /metrics answered %s", res.Status)
		}
		return scrape(t, res.Body)
	}
	getPage := func() {
		t.Helper()
		res, err := client.Get(site + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(body), `data-consent-src="https://www.googletagmanager.com/gtag/js`) {
			t.Fatalf("the page's GA4 tag was not neutralised:\n%s", body)
		}
	}

	getPage()
	if got := metrics()[blockedSeries]; got != 1 {
		t.Fatalf("first config: %s = %v, want 1", blockedSeries, got)
	}

	load("2")
	if m := metrics(); m[blockedSeries] != 0 || m[acceptedSeries] != 0 {
		t.Fatalf("after the reload /metrics shows %s = %v and %s = %v, want 0 (the new config's registry)", blockedSeries, m[blockedSeries], acceptedSeries, m[acceptedSeries])
	}
	getPage()
	getPage()
	res, err := client.PostForm(site+"/.well-known/consent", url.Values{"action": {"accept_all"}, "return": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent POST answered %s, want 303", res.Status)
	}
	m := metrics()
	if m[blockedSeries] != 2 {
		t.Errorf("second config: %s = %v, want 2", blockedSeries, m[blockedSeries])
	}
	if m[acceptedSeries] != 1 {
		t.Errorf("second config: %s = %v, want 1", acceptedSeries, m[acceptedSeries])
	}
}

// TestUnclassifiedCookieLabels: unclassified cookies are counted by name,
// for a bounded number of names; names past the bound, too long or not
// UTF-8 are counted together, never panicking the handler.
func TestUnclassifiedCookieLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := newMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.unclassifiedCookie("bakery_cart")
	m.unclassifiedCookie("bakery_cart")
	m.unclassifiedCookie("bad\xff")
	for i := 0; i < maxCookieLabels+10; i++ {
		m.unclassifiedCookie(fmt.Sprintf("made_up_%d", i))
	}
	if got := testutil.ToFloat64(m.unclassified.WithLabelValues("bakery_cart")); got != 2 {
		t.Errorf("bakery_cart counted %v, want 2", got)
	}
	if n := testutil.CollectAndCount(m.unclassified); n != maxCookieLabels+1 {
		t.Errorf("%d label values, want %d names and _other", n, maxCookieLabels)
	}
	if got := testutil.ToFloat64(m.unclassified.WithLabelValues("_other")); got != 12 {
		t.Errorf("_other counted %v, want the 11 names past the bound and the one not UTF-8", got)
	}
}
