package integration

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/consentgate/consentgate/middleware"
)

// The hosts of the run-time proof. Every one resolves to one local TLS
// server, which counts what reaches it.
const (
	runtimeSite     = "site.test"  // through the middleware and the guard
	runtimePlain    = "plain.test" // the same site without consentgate: the baseline
	runtimeTracker  = "google-analytics.com"
	runtimeOther    = "example.net" // no rule knows it
	runtimePageFile = "testdata/runtime/page.html"
)

// notCovered lists mechanisms the guard cannot stop (see its doc.go):
// counted and reported, never asserted.
var notCovered = map[string]string{
	"dynamic-import": "import() is syntax: no API to patch",
}

// runtimeCounts is what reached the counting server: requests per phase,
// mechanism and host kind, and TLS handshakes per server name.
type runtimeCounts struct {
	mu         sync.Mutex
	reqs       map[string]map[string]map[string]int // phase → mechanism → "tracker"/"other" → n
	frozen     map[string]map[string]map[string]int // phases as they were when their page was done
	handshakes map[string]int
}

// freeze keeps a phase's counts as they are: what comes later for its
// page (released by an in-place choice) is not the phase's.
func (c *runtimeCounts) freeze(phase string) {
	snap := c.snapshot(phase)
	c.mu.Lock()
	c.frozen[phase] = snap
	c.mu.Unlock()
}

func (c *runtimeCounts) add(phase, mech, kind string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reqs[phase] == nil {
		c.reqs[phase] = map[string]map[string]int{}
	}
	if c.reqs[phase][mech] == nil {
		c.reqs[phase][mech] = map[string]int{}
	}
	c.reqs[phase][mech][kind]++
}

func (c *runtimeCounts) get(phase, mech, kind string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.frozen[phase]; ok {
		return f[mech][kind]
	}
	return c.reqs[phase][mech][kind]
}

func (c *runtimeCounts) snapshot(phase string) map[string]map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]map[string]int{}
	for m, k := range c.reqs[phase] {
		out[m] = map[string]int{}
		for kk, n := range k {
			out[m][kk] = n
		}
	}
	return out
}

func (c *runtimeCounts) handshake(sni string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.handshakes[sni]
}

func hostKind(host string) string {
	host, _, _ = strings.Cut(host, ":")
	switch {
	case host == runtimeTracker || strings.HasSuffix(host, "."+runtimeTracker):
		return "tracker"
	case host == runtimeOther || strings.HasSuffix(host, "."+runtimeOther):
		return "other"
	}
	return ""
}

// countingHandler answers the tracker and the other host, counting each
// request by the phase and mechanism in its path (/m/<phase>/<mech>/…),
// with a body of the type the mechanism asks for.
func countingHandler(c *runtimeCounts) http.Handler {
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind := hostKind(r.Host)
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/m/"), "/", 3)
		if kind == "" || !strings.HasPrefix(r.URL.Path, "/m/") || len(parts) < 3 {
			http.NotFound(w, r)
			return
		}
		c.add(parts[0], parts[1], kind)
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Timing-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		switch file := parts[2]; {
		case strings.HasSuffix(file, ".gif"):
			h.Set("Content-Type", "image/gif")
			w.Write(gif)
		case strings.HasSuffix(file, ".js"):
			h.Set("Content-Type", "text/javascript")
			w.Write([]byte("/* counted */\n"))
		case strings.HasSuffix(file, ".css"):
			h.Set("Content-Type", "text/css")
			w.Write([]byte("/* counted */\n"))
		case strings.HasSuffix(file, ".html"):
			h.Set("Content-Type", "text/html")
			w.Write([]byte("<!DOCTYPE html><title>counted</title>"))
		case strings.HasSuffix(file, ".vtt"):
			h.Set("Content-Type", "text/vtt")
			w.Write([]byte("WEBVTT\n"))
		case file == "sse":
			h.Set("Content-Type", "text/event-stream")
			w.Write([]byte("data: counted\n\n"))
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
}

// runtimeUpstream serves the test page and its files, the same for the
// plain site and the one behind consentgate. The page names its phase
// (set by the test as it goes) and, in its response headers, report
// endpoints on the tracker and the other host.
func runtimeUpstream(t *testing.T, phase func() string) http.Handler {
	t.Helper()
	dir := filepath.Dir(runtimePageFile)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/out" {
			// A same-site redirect, as click trackers and ad links do.
			http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/runtime/")
		if name == r.URL.Path || strings.Contains(name, "/") || name == "" {
			http.NotFound(w, r)
			return
		}
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		switch filepath.Ext(name) {
		case ".html":
			h.Set("Content-Type", "text/html; charset=utf-8")
			if name == "page.html" {
				p := phase()
				body = []byte(strings.ReplaceAll(string(body), "{{PHASE}}", p))
				rep := func(host, mech string) string { return "https://" + host + "/m/" + p + "/" + mech + "/r" }
				// Each report-only policy is broken once per page, by its
				// <base href>.
				h.Add("Content-Security-Policy-Report-Only", "base-uri 'none'; report-uri "+rep("www."+runtimeTracker, "csp-report-uri")+" "+rep("cdn."+runtimeOther, "csp-report-uri"))
				h.Set("Reporting-Endpoints", `t="`+rep("www."+runtimeTracker, "reporting-endpoints")+`", o="`+rep("cdn."+runtimeOther, "reporting-endpoints")+`"`)
				h.Add("Content-Security-Policy-Report-Only", "base-uri 'none'; report-to t")
				h.Add("Content-Security-Policy-Report-Only", "base-uri 'none'; report-to o")
				h.Set("Report-To", `{"group":"nel-t","max_age":3600,"endpoints":[{"url":"`+rep("www."+runtimeTracker, "nel")+`"}]}, {"group":"nel-o","max_age":3600,"endpoints":[{"url":"`+rep("cdn."+runtimeOther, "nel")+`"}]}`)
				h.Set("NEL", `{"report_to":"nel-t","max_age":3600,"success_fraction":1.0}`)
			}
		case ".js":
			h.Set("Content-Type", "text/javascript")
		case ".css":
			h.Set("Content-Type", "text/css")
		}
		h.Set("Cache-Control", "no-store")
		w.Write(body)
	})
}

// runtimeServer is the one TLS server every host name resolves to.
type runtimeServer struct {
	port   string
	counts *runtimeCounts
}

func startRuntimeServer(t *testing.T, site, plain http.Handler) *runtimeServer {
	t.Helper()
	c := &runtimeCounts{reqs: map[string]map[string]map[string]int{}, frozen: map[string]map[string]map[string]int{}, handshakes: map[string]int{}}
	count := countingHandler(c)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		switch host {
		case runtimeSite:
			site.ServeHTTP(w, r)
		case runtimePlain:
			plain.ServeHTTP(w, r)
		default:
			count.ServeHTTP(w, r)
		}
	}))
	srv.EnableHTTP2 = false // one connection per host: handshakes are counted per host
	srv.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		c.mu.Lock()
		c.handshakes[hello.ServerName]++
		c.mu.Unlock()
		return nil, nil
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	return &runtimeServer{port: port, counts: c}
}

// newMappedBrowser starts Chromium with every host name resolving to the
// local server at port.
func newMappedBrowser(t *testing.T, port string) *browser {
	t.Helper()
	return startBrowser(t,
		chromedp.Flag("host-resolver-rules", "MAP * 127.0.0.1:"+port),
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.Flag("short-reporting-delay", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("enable-privacy-sandbox-ads-apis", true),
	)
}

// exceptionLog collects the uncaught exceptions of a tab.
type exceptionLog struct {
	mu   sync.Mutex
	list []string
}

func (l *exceptionLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.list
	l.list = nil
	return out
}

func listenExceptions(tb *tab) *exceptionLog {
	l := &exceptionLog{}
	chromedp.Listen(tb.ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			l.mu.Lock()
			l.list = append(l.list, msg)
			l.mu.Unlock()
		}
	})
	if _, err := chromedp.Call(tb.ctx, runtime.Enable, struct{}{}); err != nil {
		tb.t.Fatalf("enabling runtime events: %v", err)
	}
	return l
}

// TestBrowserRuntimeGuard is the run-time guard's proof: a page of the
// site's own scripts tries every mechanism against a catalogued tracker
// host and, mirrored, a host no rule knows; the server they all resolve
// to counts what reaches it. Without consentgate (the baseline) both
// hosts receive everything. Through the middleware and the guard, before
// a choice, after "Reject all" and after a withdrawal, nothing reaches
// the tracker and no refused cookie is stored by script, while the other
// host receives exactly what it receives in the baseline; after "Accept
// all" (reloaded) the tracker receives all it receives in the baseline.
func TestBrowserRuntimeGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Chromium")
	}
	chromiumPath(t)
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	var phaseMu sync.Mutex
	phase := "baseline"
	setPhase := func(p string) { phaseMu.Lock(); phase = p; phaseMu.Unlock() }
	upstream := runtimeUpstream(t, func() string { phaseMu.Lock(); defer phaseMu.Unlock(); return phase })
	srv := startRuntimeServer(t, mw.Handler(upstream), upstream)
	b := newMappedBrowser(t, srv.port)

	type pageResult struct {
		errors     []string
		dom        map[string]bool
		exceptions []string
		names      []string
	}
	results := map[string]pageResult{}
	// load navigates (or, with nav false, waits for a reload) to the page
	// of phase p and waits until its mechanisms have run.
	load := func(tb *tab, ex *exceptionLog, p string, nav bool, host string) {
		t.Helper()
		setPhase(p)
		if nav {
			tb.do(chromedp.Navigate("https://" + host + "/runtime/page.html"))
		}
		tb.waitTrue(fmt.Sprintf(`document.body && document.body.getAttribute("data-phase") === %q && window.mechanismsDone === true`, p), 45*time.Second)
		tb.do(chromedp.Sleep(2500 * time.Millisecond))
		results[p] = pageResult{
			errors:     eval[[]string](tb, `window.mechanismErrors`),
			dom:        eval[map[string]bool](tb, `window.mechanismDOM`),
			exceptions: ex.take(),
			names:      eval[[]string](tb, `window.mechanismNames`),
		}
	}
	// jar returns the site's cookies by the name a server reads back
	// (a nameless cookie's value up to '='), with their values.
	jar := func(tb *tab, host string) map[string]string {
		got := map[string]string{}
		for _, c := range call(tb, network.GetCookies, network.GetCookiesParams{URLs: []string{"https://" + host + "/runtime/page.html"}}).Cookies {
			name, value := c.Name, c.Value
			if name == "" {
				name, value, _ = strings.Cut(c.Value, "=")
			}
			got[strings.TrimSpace(name)] = value
		}
		return got
	}
	refusedCookies := []string{"_ga", "_ga_", "_fbp", "_gcl_au"}
	allowedCookies := []string{"site_pref", "site_cs"}
	// checkJar checks the cookies the page of phase p wrote: the tracker
	// cookies are stored only with consent, the site's own always. (A
	// tracker cookie stored earlier is the server's to expire.)
	checkJar := func(p string, tb *tab, trackersStored bool) {
		t.Helper()
		j := jar(tb, runtimeSite)
		for _, n := range refusedCookies {
			stored := strings.Contains(j[n], p)
			if n == "_ga_" { // the nameless one, read back by its value
				_, stored = j["_ga_"+p]
			}
			if stored != trackersStored {
				t.Errorf("%s: tracker cookie %s written by the page stored: %v, want %v (jar %v)", p, n, stored, trackersStored, j)
			}
		}
		for _, n := range allowedCookies {
			if !strings.Contains(j[n], p) {
				t.Errorf("%s: the site's own cookie %s was not stored (jar %v)", p, n, j)
			}
		}
	}

	// The baseline: the same page without consentgate.
	base := b.newTab(t)
	baseEx := listenExceptions(base)
	load(base, baseEx, "baseline", true, runtimePlain)
	if j := jar(base, runtimePlain); j["_ga"] == "" || !has(j, "_ga_baseline") || j["_gcl_au"] == "" || j["site_pref"] == "" {
		t.Errorf("baseline: the page's cookies were not stored: %v", j)
	}

	tb := b.newTab(t)
	ex := listenExceptions(tb)
	load(tb, ex, "before", true, runtimeSite)
	if !eval[bool](tb, `!!window.__consentgate && !document.querySelector("[data-consent-banner]").hidden`) {
		t.Fatalf("before a choice: no guard, or no banner: %.600s", eval[string](tb, `typeof window.__consentgate + " " + document.documentElement.outerHTML.slice(0, 300) + " ... " + document.head.innerHTML.slice(-300)`))
	}
	checkJar("before", tb, false)

	tb.do(chromedp.Click(rejectButton), chosen)
	load(tb, ex, "reject", true, runtimeSite)
	checkJar("reject", tb, false)

	// Accept in place: the guard releases what it held on this page.
	srv.counts.freeze("reject")
	before := srv.counts.snapshot("reject")
	setPhase("inplace")
	tb.do(chromedp.Click(chromedp.CSS(`[data-consent-reopen]`)), chromedp.Click(acceptButton), chosen, chromedp.Sleep(3*time.Second))
	after := srv.counts.snapshot("reject")
	inplace := map[string]int{}
	for m, k := range after {
		inplace[m] = k["tracker"] - before[m]["tracker"]
	}

	load(tb, ex, "accept", true, runtimeSite)
	checkJar("accept", tb, true)

	// Withdrawal through the re-open link: the banner reloads the page.
	setPhase("withdraw")
	tb.do(chromedp.Click(chromedp.CSS(`[data-consent-reopen]`)), chromedp.Click(rejectButton))
	load(tb, ex, "withdraw", false, runtimeSite)
	checkJar("withdraw", tb, false)
	if j := jar(tb, runtimeSite); j["_ga"] != "" || j["_fbp"] != "" {
		t.Logf("after withdrawal the jar still holds tracker cookies set with consent (the middleware expires them by name; a nameless cookie is not expired so): %v", j)
	}
	tb.do(chromedp.Sleep(2 * time.Second)) // late reports and beacons

	// The verdicts.
	names := append(slices.Clone(results["baseline"].names), "csp-report-uri", "reporting-endpoints", "nel")
	c := srv.counts
	guarded := []string{"before", "reject", "withdraw"}
	for _, m := range names {
		bt, bo := c.get("baseline", m, "tracker"), c.get("baseline", m, "other")
		_, limit := notCovered[m]
		for _, p := range guarded {
			if n := c.get(p, m, "tracker"); !limit && n > 0 {
				t.Errorf("%s: %s: %d requests reached the tracker", p, m, n)
			}
		}
		for _, p := range append(guarded, "accept") {
			if n := c.get(p, m, "other"); n != bo {
				t.Errorf("%s: %s: the other host received %d requests, %d in the baseline", p, m, n, bo)
			}
		}
		if n := c.get("accept", m, "tracker"); n < bt {
			t.Errorf("accept: %s: the tracker received %d requests, %d in the baseline", m, n, bt)
		}
	}
	// Preconnect: TLS handshakes by server name, a host per phase.
	for _, p := range []string{"baseline", "before", "reject", "accept", "withdraw"} {
		tr, ot := c.handshake("pc-"+p+"."+runtimeTracker), c.handshake("pc-"+p+"."+runtimeOther)
		trackerWanted := p == "baseline" || p == "accept"
		if (tr > 0) != trackerWanted && c.handshake("pc-baseline."+runtimeTracker) > 0 {
			t.Errorf("%s: %d TLS handshakes with the tracker's preconnect host", p, tr)
		}
		if ot == 0 && c.handshake("pc-baseline."+runtimeOther) > 0 {
			t.Errorf("%s: no TLS handshake with the other host's preconnect host", p)
		}
	}
	// What the server cannot see here (DNS; preconnects, text tracks and
	// attribution sources, which this headless Chromium does not fetch
	// even in the baseline) is checked in the DOM: the attribute that
	// loads is held for the tracker only.
	for p, r := range results {
		wantTracker := p == "baseline" || p == "accept"
		for _, m := range []string{"link-dns-prefetch", "link-preconnect", "track-src", "attributionsrc"} {
			if r.dom[m+"/tracker"] != wantTracker || !r.dom[m+"/other"] {
				t.Errorf("%s: %s: loading attribute present for the tracker %v, for the other host %v", p, m, r.dom[m+"/tracker"], r.dom[m+"/other"])
			}
		}
	}
	// Nothing the site does fails differently.
	for _, p := range []string{"before", "reject", "accept", "withdraw"} {
		if !slices.Equal(results[p].errors, results["baseline"].errors) {
			t.Errorf("%s: mechanism errors %q, baseline %q", p, results[p].errors, results["baseline"].errors)
		}
		if extra := subtract(results[p].exceptions, results["baseline"].exceptions); len(extra) > 0 {
			t.Errorf("%s: uncaught exceptions the baseline does not have: %q", p, extra)
		}
	}

	// The table.
	var lines []string
	sort.Strings(names)
	for _, m := range names {
		note := ""
		if why, ok := notCovered[m]; ok {
			note = "not covered: " + why
		}
		row := fmt.Sprintf("%-26s", m)
		for _, p := range []string{"baseline", "before", "reject"} {
			row += fmt.Sprintf(" %3d/%-3d", c.get(p, m, "tracker"), c.get(p, m, "other"))
		}
		row += fmt.Sprintf(" %7d", inplace[m])
		for _, p := range []string{"accept", "withdraw"} {
			row += fmt.Sprintf(" %3d/%-3d", c.get(p, m, "tracker"), c.get(p, m, "other"))
		}
		lines = append(lines, row+"  "+note)
	}
	row := fmt.Sprintf("%-26s", "preconnect (TLS by SNI)")
	for _, p := range []string{"baseline", "before", "reject"} {
		row += fmt.Sprintf(" %3d/%-3d", c.handshake("pc-"+p+"."+runtimeTracker), c.handshake("pc-"+p+"."+runtimeOther))
	}
	row += fmt.Sprintf(" %7s", "-")
	for _, p := range []string{"accept", "withdraw"} {
		row += fmt.Sprintf(" %3d/%-3d", c.handshake("pc-"+p+"."+runtimeTracker), c.handshake("pc-"+p+"."+runtimeOther))
	}
	lines = append(lines, row)
	t.Logf("TLS handshakes by server name: %v", c.handshakes)
	t.Logf("requests reaching the tracker/other host, per mechanism and phase (in place: tracker requests released by accepting on the rejected page)\n%-26s %-7s %-7s %-7s %7s %-7s %-7s\n%s",
		"mechanism", "baseline", "before", "reject", "inplace", "accept", "withdraw", strings.Join(lines, "\n"))
}

func has(m map[string]string, k string) bool { _, ok := m[k]; return ok }

// subtract returns the items of a that b lacks.
func subtract(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
