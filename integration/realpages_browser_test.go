package integration

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/consentgate/consentgate/internal/corpus"
	"github.com/consentgate/consentgate/middleware"
	"github.com/consentgate/consentgate/rules"
)

// realPages are the corpus pages the browser visits through Caddy: every
// real-world page, and the privacy test pages that load trackers or test
// blocking. trackers says whether a page loads trackers the catalogue
// knows once they are allowed (the spec, Wikipedia and the Guardian
// article load none; request-blocking's script is not in the corpus).
var realPages = []struct {
	path     string // under the corpora folder
	trackers bool
}{
	{"real-world-pages/lol-html/cloudflare.com.html", true},
	{"real-world-pages/lol-html/html-parsing-spec.html", false},
	{"real-world-pages/minify/sample_amazon.html", true},
	{"real-world-pages/minify/sample_bbc.html", true},
	{"real-world-pages/minify/sample_blogpost.html", true}, // ga.js put together in script
	{"real-world-pages/minify/sample_stackoverflow.html", true},
	{"real-world-pages/minify/sample_wikipedia.html", false},
	{"real-world-pages/readability/article-author-tag.html", true},
	{"real-world-pages/readability/bbc-1.html", true},
	{"real-world-pages/readability/breitbart.html", true}, // Taboola images in style attributes and sheets
	{"real-world-pages/readability/buzzfeed-1.html", true},
	{"real-world-pages/readability/cnn.html", true},
	{"real-world-pages/readability/gitlab-blog.html", true},
	{"real-world-pages/readability/guardian-1.html", false},
	{"real-world-pages/readability/lemonde-1.html", true},
	{"real-world-pages/readability/liberation-1.html", true},     // Weborama URLs put together in script
	{"real-world-pages/readability/medicalnewstoday.html", true}, // a DoubleClick tag written by document.write
	{"real-world-pages/readability/nytimes-1.html", true},
	{"real-world-pages/readability/pixnet.html", true},
	{"real-world-pages/readability/quanta-1.html", true},
	{"real-world-pages/readability/seattletimes-1.html", true},
	{"real-world-pages/readability/spiceworks.html", true},
	{"real-world-pages/readability/telegraph.html", true},
	{"real-world-pages/readability/tmz-1.html", true},
	{"real-world-pages/readability/videos-2.html", true},
	{"real-world-pages/readability/wikia.html", true},
	{"privacy-test-pages/tracker-reporting/1major-via-script.html", true},
	{"privacy-test-pages/tracker-reporting/1major-via-img.html", true},
	{"privacy-test-pages/privacy-protections/request-blocking/index.html", false},
	{"privacy-test-pages/privacy-protections/click-to-load/index.html", true},
	{"privacy-test-pages/privacy-protections/surrogates/index.html", true},
}

// The cookies the pages' upstream sets with every page, as a site with
// Google Analytics, the Meta pixel and Hotjar does once their scripts ran
// (here from the server, one of them HttpOnly, which no script could
// delete), beside its session cookie.
var upstreamCookies = []string{
	"_ga=GA1.1.1234567890.1764230400; Path=/; Max-Age=3600; HttpOnly",
	"_fbp=fb.1.1764230400000.1234567890; Path=/; Max-Age=3600",
	"_hjSessionUser_1=eyJpZCI6IjEyMyJ9; Path=/; Max-Age=3600",
	"PHPSESSID=sess0123456789; Path=/; HttpOnly",
}

var trackerCookieNames = []string{"_ga", "_fbp", "_hjSessionUser_1"}

// corpusUpstream serves the HTML files of the corpora folder at their
// paths under it, each with upstreamCookies; anything else is a 404.
func corpusUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(corpusHandler(t))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// corpusHandler is corpusUpstream's handler.
func corpusHandler(t *testing.T) http.Handler {
	t.Helper()
	root := filepath.Dir(corpus.Dir(t, "real-world-pages"))
	corpus.Dir(t, "privacy-test-pages")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean(r.URL.Path)
		if !strings.HasSuffix(p, ".html") || !(strings.HasPrefix(p, "/real-world-pages/") || strings.HasPrefix(p, "/privacy-test-pages/")) {
			http.NotFound(w, r)
			return
		}
		page, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		for _, c := range upstreamCookies {
			w.Header().Add("Set-Cookie", c)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
}

// trackerRequests picks the requests the catalogue attributes to a
// vendor that needs more than the necessary category.
func trackerRequests(rs *rules.Ruleset, reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if isTrackerURL(rs, r) {
			out = append(out, r)
		}
	}
	return out
}

func isTrackerURL(rs *rules.Ruleset, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return false
	}
	pq := u.EscapedPath()
	if u.RawQuery != "" {
		pq += "?" + u.RawQuery
	}
	m, ok := rs.MatchURL(strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), pq)
	return ok && m.Need&^rs.NecessarySet() != 0
}

// jarCookies returns the cookies the tab's jar holds for siteURL, by
// name. It names the URL: without one, a tab between two documents
// answers with none.
func jarCookies(tb *tab, siteURL string) map[string]*network.Cookie {
	tb.t.Helper()
	jar := map[string]*network.Cookie{}
	for _, c := range call(tb, network.GetCookies, network.GetCookiesParams{URLs: []string{siteURL}}).Cookies {
		jar[c.Name] = c
	}
	return jar
}

// requestCount is what one phase of a visit requested: all requests, and
// those to trackers.
type requestCount struct{ all, trackers int }

func (c requestCount) String() string { return fmt.Sprintf("%3d/%-2d", c.all, c.trackers) }

// TestBrowserRealPages serves real-world and privacy test pages through
// Caddy (consent in front of reverse_proxy) to Chromium, records every
// request the browser makes and judges each with the catalogue: none to a
// tracker before a choice or after reject, some after accept on every
// page that has trackers, none again after consent is withdrawn through
// the re-open link. The tracker cookies the upstream sets are dropped
// before consent, stored after accept (the HttpOnly one included) and
// gone from the browser after the withdrawal, while the session cookie
// stays.
func TestBrowserRealPages(t *testing.T) {
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rs := mw.Rules()
	upstream := corpusUpstream(t)
	// runCaddy's site answers as localhost; every other host resolves to
	// nothing, so the trackers' requests are recorded and go nowhere.
	b := newBrowser(t, "localhost")
	site := runCaddy(t, "", fmt.Sprintf("\treverse_proxy %s\n\tconsent\n", upstream))

	var (
		mu    sync.Mutex
		table = map[string]string{}
	)
	t.Run("pages", func(t *testing.T) {
		for _, pg := range realPages {
			t.Run(pg.path, func(t *testing.T) {
				t.Parallel()
				line := visitRealPage(t, b, rs, site.url+"/"+pg.path, pg.trackers)
				mu.Lock()
				table[pg.path] = line
				mu.Unlock()
			})
		}
	})
	var lines []string
	for _, pg := range realPages {
		if l, ok := table[pg.path]; ok {
			lines = append(lines, fmt.Sprintf("%-70s %s", pg.path, l))
		}
	}
	t.Logf("requests all/trackers: before a choice | after reject (and the next page) | after accept (in place, or a reload where a document.write script is activated) | next page after accept | next page after withdrawal\n%-70s %-7s %-7s %-7s %-7s %-7s\n%s",
		"page", "before", "reject", "accept", "next", "withdr.", strings.Join(lines, "\n"))
}

// judgePhase takes the requests a tab made since the last phase and
// judges them: none may go to a tracker, or (wantTrackers) at least one
// must, and then the phase lasts until one came (10 s at most).
func judgePhase(t *testing.T, tb *tab, rs *rules.Ruleset, name string, wantTrackers bool) requestCount {
	t.Helper()
	var reqs []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		reqs = append(reqs, tb.takeRequests()...)
		if !wantTrackers || len(trackerRequests(rs, reqs)) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	trackers := trackerRequests(rs, reqs)
	switch {
	case !wantTrackers && len(trackers) > 0:
		t.Errorf("%s: %d requests to trackers: %q", name, len(trackers), trackers)
	case wantTrackers && len(trackers) == 0:
		t.Errorf("%s: no request to a tracker; requests: %q", name, reqs)
	}
	return requestCount{len(reqs), len(trackers)}
}

// visitRealPage runs one visit in a fresh tab: undecided, reject, accept
// through the re-open link, withdraw through it. It returns the request
// counts of each phase as a table line.
func visitRealPage(t *testing.T, b *browser, rs *rules.Ruleset, pageURL string, hasTrackers bool) string {
	tb := b.newTab(t)
	phase := func(name string, wantTrackers bool) requestCount {
		t.Helper()
		return judgePhase(t, tb, rs, name, wantTrackers)
	}
	jarHas := func(when string, want map[string]bool) {
		t.Helper()
		jar := jarCookies(tb, pageURL)
		for name, present := range want {
			if c, ok := jar[name]; ok != present {
				t.Errorf("%s: cookie %s in the jar %v, want %v (jar: %v)", when, name, ok, present, cookieNames(jar))
			} else if ok && (name == "_ga" || name == "PHPSESSID") && !c.HTTPOnly {
				t.Errorf("%s: cookie %s lost its HttpOnly flag", when, name)
			}
		}
	}
	noTrackerCookies := map[string]bool{"PHPSESSID": true, "_ga": false, "_fbp": false, "_hjSessionUser_1": false}
	reopen := chromedp.Click(chromedp.CSS(`[data-consent-reopen]`))

	// An undecided visitor: the banner, no tracker, no tracker cookie.
	tb.do(chromedp.Navigate(pageURL), settle())
	before := phase("before a choice", false)
	if !eval[bool](tb, `!!document.querySelector("[data-consent-banner]") && !document.querySelector("[data-consent-banner]").hidden`) {
		t.Fatal("no banner shown to an undecided visitor")
	}
	jarHas("before a choice", noTrackerCookies)

	// Reject, then the next page.
	tb.do(chromedp.Click(rejectButton), chosen, chromedp.Navigate(pageURL), settle())
	rejected := phase("after reject", false)
	jarHas("after reject", noTrackerCookies)

	// A change of mind: accept through the re-open link. The page's
	// trackers are activated in place, and come with the next page, which
	// stores the tracker cookies.
	tb.do(reopen, chromedp.Click(acceptButton), chosen, settle())
	accepted := phase("after accept", hasTrackers)
	tb.do(chromedp.Navigate(pageURL), settle())
	acceptedNext := phase("the next page after accept", hasTrackers)
	jarHas("after accept", map[string]bool{"PHPSESSID": true, "_ga": true, "_fbp": true, "_hjSessionUser_1": true})

	// Withdrawal through the re-open link: the page reloads and the
	// tracker cookies are expired, HttpOnly or not; the session stays.
	// The old document, whose trackers ran, is marked, so that its last
	// requests (beacons sent as it unloads) are told from the new one's
	// however slowly the reload comes.
	tb.do(chromedp.Evaluate[chromedp.Void](`window.consentgateOldDocument = true`), reopen, chromedp.Click(rejectButton))
	tb.waitTrue(`!window.consentgateOldDocument && document.readyState === "complete"`, 30*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && hasAny(jarCookies(tb, pageURL), trackerCookieNames) {
		time.Sleep(100 * time.Millisecond)
	}
	jarHas("after withdrawal", noTrackerCookies)
	tb.do(settle())
	tb.takeRequests() // the page before and during its reload
	tb.do(chromedp.Navigate(pageURL), settle())
	withdrawn := phase("after withdrawal", false)
	return fmt.Sprintf("%s  %s  %s  %s  %s", before, rejected, accepted, acceptedNext, withdrawn)
}

func hasAny(jar map[string]*network.Cookie, names []string) bool {
	for _, n := range names {
		if _, ok := jar[n]; ok {
			return true
		}
	}
	return false
}

func cookieNames(jar map[string]*network.Cookie) []string {
	var names []string
	for n, c := range jar {
		flag := ""
		if c.HTTPOnly {
			flag = " (HttpOnly)"
		}
		names = append(names, n+flag)
	}
	return names
}

// TestBrowserBannerForeignBase visits a real page whose <base href> names
// another site (pixnet's blog page): the banner must still be styled,
// scripted and able to record a choice on this site, since its
// stylesheet, script, form and re-open link belong to the endpoint here.
func TestBrowserBannerForeignBase(t *testing.T) {
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rs := mw.Rules()
	upstream := corpusUpstream(t)
	tb := newBrowser(t, "localhost").newTab(t)
	site := runCaddy(t, "", fmt.Sprintf("\treverse_proxy %s\n\tconsent\n", upstream))
	pageURL := site.url + "/real-world-pages/readability/pixnet.html"
	tb.do(chromedp.Navigate(pageURL), settle())
	if tr := trackerRequests(rs, tb.takeRequests()); len(tr) > 0 {
		t.Errorf("before a choice: %d requests to trackers: %q", len(tr), tr)
	}
	pos := eval[string](tb, `getComputedStyle(document.querySelector("[data-consent-banner]")).position`)
	css := eval[string](tb, `document.querySelector("link[href*='/.well-known/consent/']").href`)
	action := eval[string](tb, `new URL(document.querySelector("[data-consent-banner] form").getAttribute("action"), document.baseURI).href`)
	tb.do(chromedp.Click(rejectButton), chosen)
	loc := eval[string](tb, `location.href`)
	_, decided := jarCookies(tb, pageURL)["consentgate"]
	t.Logf("banner position %q, stylesheet %s, form action %s; after reject the tab is at %s, decision recorded: %v", pos, css, action, loc, decided)
	failIf(t, pos != "fixed" || loc != pageURL || !decided,
		"under a <base href> to another site the banner must stay styled, and choosing must stay on the page and record the decision")
}

// TestBrowserRealPagesGuard visits every real page with the run-time
// guard on and off, one visit each, and requires the guard to add no
// uncaught exception and no console error to what the page shows without
// it (and no tracker request before a choice). The guard's phases (after
// reject, accept, withdrawal) are TestBrowserRealPages', which runs with
// the guard on, as a bare consent does.
func TestBrowserRealPagesGuard(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Chromium")
	}
	chromiumPath(t)
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	noGuard, err := middleware.New(middleware.Config{Guard: "off"})
	if err != nil {
		t.Fatal(err)
	}
	rs := mw.Rules()
	pages := corpusHandler(t)
	on := serveHTTP(t, mw.Handler(pages))
	off := serveHTTP(t, noGuard.Handler(pages))
	b := newBrowser(t, "localhost")
	var (
		mu    sync.Mutex
		table = map[string]string{}
	)
	t.Run("pages", func(t *testing.T) {
		for _, pg := range realPages {
			t.Run(pg.path, func(t *testing.T) {
				t.Parallel()
				line := visitWithGuard(t, b, rs, on, off, pg.path)
				mu.Lock()
				table[pg.path] = line
				mu.Unlock()
			})
		}
	})
	var lines []string
	for _, pg := range realPages {
		if l, ok := table[pg.path]; ok {
			lines = append(lines, fmt.Sprintf("%-70s %s", pg.path, l))
		}
	}
	t.Logf("with the guard: requests all/trackers before a choice; console errors and exceptions without | with the guard\n%-70s %-7s %s\n%s",
		"page", "before", "errors", strings.Join(lines, "\n"))
}

// pageErrors collects a tab's uncaught exceptions and console.error
// calls, by their first line, with the server's port taken out.
type pageErrors struct {
	mu   sync.Mutex
	list []string
}

func listenPageErrors(tb *tab, port string) *pageErrors {
	pe := &pageErrors{}
	norm := func(s string) string {
		s, _, _ = strings.Cut(s, "\n")
		return strings.ReplaceAll(s, "localhost:"+port, "localhost")
	}
	chromedp.Listen(tb.ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + norm(e.ExceptionDetails.Exception.Description)
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			msg = "console.error:"
			for _, a := range e.Args {
				if a.Description != "" {
					msg += " " + norm(a.Description)
				} else {
					msg += " " + norm(string(a.Value))
				}
			}
		default:
			return
		}
		pe.mu.Lock()
		pe.list = append(pe.list, norm(msg))
		pe.mu.Unlock()
	})
	if _, err := chromedp.Call(tb.ctx, runtime.Enable, struct{}{}); err != nil {
		tb.t.Fatalf("enabling runtime events: %v", err)
	}
	return pe
}

func (pe *pageErrors) take() []string {
	pe.mu.Lock()
	defer pe.mu.Unlock()
	out := pe.list
	pe.list = nil
	return out
}

func visitWithGuard(t *testing.T, b *browser, rs *rules.Ruleset, on, off, page string) string {
	// Without the guard, once.
	plain := b.newTab(t)
	plainErrs := listenPageErrors(plain, off)
	plain.do(chromedp.Navigate("http://localhost:"+off+"/"+page), settle())
	without := plainErrs.take()

	tb := b.newTab(t)
	errs := listenPageErrors(tb, on)
	pageURL := "http://localhost:" + on + "/" + page
	tb.do(chromedp.Navigate(pageURL), settle())
	if !eval[bool](tb, `!!window.__consentgate`) {
		t.Fatal("the guard is not on the page")
	}
	before := judgePhase(t, tb, rs, "before a choice", false)
	with := errs.take()
	if extra := subtract(with, without); len(extra) > 0 {
		t.Errorf("the guard adds errors: %q (without it: %q)", extra, without)
	}
	return fmt.Sprintf("%s  %d | %d", before, len(without), len(with))
}
