package integration

import (
	"net/http"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/consentgate/consentgate/middleware"
)

const siteHost = "bakery.test"

// repoRoot is the repository root, for the demo site.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// demoSite serves examples/site behind the middleware and returns its URL
// as the browser reaches it.
func demoSite(t *testing.T, cfg middleware.Config) string {
	t.Helper()
	mw, err := middleware.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(filepath.Join(repoRoot(), "examples", "site")))
	return "http://" + siteHost + ":" + serveHTTP(t, mw.Handler(files)) + "/"
}

// offSite picks the requests to any host but the site (the demo site loads
// nothing else but its trackers).
func offSite(reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if strings.HasPrefix(r, "http") && hostOf(r) != siteHost {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

func containsAny(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

var (
	acceptButton = chromedp.CSS(`button[value=accept_all]`)
	rejectButton = chromedp.CSS(`button[value=reject_all]`)
	// chosen waits for the banner's script to have applied a choice in
	// place: the re-open link shows once the endpoint has answered,
	// however long that takes on a busy machine.
	chosen = chromedp.WaitVisible(chromedp.CSS(`[data-consent-reopen]`))
)

func TestBrowserDemoRejectThenNoTrackers(t *testing.T) {
	url := demoSite(t, middleware.Config{PolicyURL: "/privacy.html"})
	tb := newBrowser(t, siteHost).newTab(t)
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("before a choice: %d tracker requests: %q", len(got), got)
	}
	if !eval[bool](tb, `!document.querySelector("[data-consent-banner]").hidden`) {
		t.Fatal("banner not shown to an undecided visitor")
	}
	tb.do(chromedp.Click(rejectButton), chosen, settle())
	if !eval[bool](tb, `document.querySelector("[data-consent-banner]").hidden && !document.querySelector("[data-consent-reopen]").hidden`) {
		t.Error("after reject the banner still shows, or the re-open link does not")
	}
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("after reject: %d tracker requests: %q", len(got), got)
	}
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("next page after reject: %d tracker requests: %q", len(got), got)
	}
}

func TestBrowserDemoAcceptWithScript(t *testing.T) {
	url := demoSite(t, middleware.Config{})
	tb := newBrowser(t, siteHost).newTab(t)
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("before a choice: %q", got)
	}
	tb.do(chromedp.Click(acceptButton), chosen, settle())
	got := offSite(tb.takeRequests())
	for _, want := range []string{"www.googletagmanager.com/gtm.js", "www.googletagmanager.com/gtag/js", "connect.facebook.net", "static.hotjar.com", "www.youtube.com/embed",
		"www.google-analytics.com/collect", // the beacon in a style attribute
	} {
		if !containsAny(got, want) {
			t.Errorf("after accept (no reload), no request to %s; got %q", want, got)
		}
	}
	if counter := eval[string](tb, `document.querySelector("#visit-counter").textContent`); counter != "Analytics enabled" {
		t.Errorf("opt-in script not activated: #visit-counter = %q", counter)
	}
	if loc := eval[string](tb, `location.pathname`); loc != "/" {
		t.Errorf("the page navigated to %s: the choice should apply in place", loc)
	}
}

// TestBrowserAcceptDocumentWrite accepts, in place, on a page whose
// tracker is written with document.write (the legacy ga.js snippet, still
// common on old sites). Run after the page has loaded, that call would
// replace the whole page with the script tag it writes; the banner
// reloads instead, and the page comes back whole with the tracker live.
func TestBrowserAcceptDocumentWrite(t *testing.T) {
	const page = `<!doctype html><html lang="en"><head><title>Old shop</title></head><body>
<h1 id="shop">Old shop</h1><p>Opening hours: 9 to 5.</p>
<script type="text/javascript">
var gaJsHost = (("https:" == document.location.protocol) ? "https://ssl." : "http://www.");
document.write(unescape("%3Cscript src='" + gaJsHost + "google-analytics.com/ga.js' type='text/javascript'%3E%3C/script%3E"));
</script>
</body></html>`
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	url := "http://" + siteHost + ":" + serveHTTP(t, h) + "/"
	tb := newBrowser(t, siteHost).newTab(t)
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("before a choice: %q", got)
	}
	tb.do(chromedp.Click(acceptButton), chosen, settle())
	if !eval[bool](tb, `!!document.getElementById("shop") && !!document.querySelector("[data-consent-reopen]")`) {
		t.Errorf("after accept the page is gone: %s", eval[string](tb, `document.documentElement.outerHTML`))
	}
	if got := offSite(tb.takeRequests()); !containsAny(got, "google-analytics.com/ga.js") {
		t.Errorf("after accept, no request to ga.js: %q", got)
	}
}

func TestBrowserDemoAcceptWithoutScript(t *testing.T) {
	url := demoSite(t, middleware.Config{})
	tb := newBrowser(t, siteHost).newTab(t)
	tb.disableScript()
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("before a choice, script off: %d tracker requests: %q", len(got), got)
	}
	tb.do(chromedp.Click(acceptButton), chosen, settle())
	got := offSite(tb.takeRequests())
	for _, want := range []string{"www.facebook.com/tr", "www.youtube.com/embed", "www.googletagmanager.com/ns.html"} {
		if !containsAny(got, want) {
			t.Errorf("after accept with script off, no request to %s; got %q", want, got)
		}
	}
}

func TestBrowserBannerKeyboard(t *testing.T) {
	url := demoSite(t, middleware.Config{})
	tb := newBrowser(t, siteHost).newTab(t)
	tb.do(chromedp.Navigate(url), settle())
	var order []string
	for i := 0; i < 4; i++ {
		order = append(order, eval[string](tb, `(document.activeElement.value || document.activeElement.textContent || "").trim()`))
		tb.do(chromedp.KeyEvent("\t"))
	}
	want := []string{"Cookies on this site", "reject_all", "accept_all", "Choose"}
	if strings.Join(order, "|") != strings.Join(want, "|") {
		t.Errorf("focus order %q, want %q", order, want)
	}
	// Focus is now past "Choose": Shift+Tab twice goes back to "Accept
	// all", and Enter chooses it.
	back := chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift))
	tb.do(back, back)
	if v := eval[string](tb, `document.activeElement.value`); v != "accept_all" {
		t.Fatalf("Shift+Tab reached %q, want accept_all", v)
	}
	tb.do(chromedp.KeyEvent("\r"), chosen)
	found := false
	for _, c := range tb.cookies() {
		if c.Name == "consentgate" && strings.HasPrefix(c.Value, "1.preferences+analytics+marketing.") {
			found = true
		}
	}
	if !found {
		t.Errorf("Enter on Accept all set no consent cookie: %v", tb.cookies())
	}
	if visible := eval[bool](tb, `!document.querySelector("[data-consent-banner]").hidden`); visible {
		t.Error("banner still shown after the choice")
	}
	if focus := eval[string](tb, `document.activeElement.getAttribute("data-consent-reopen") !== null ? "reopen" : document.activeElement.tagName`); focus != "reopen" {
		t.Errorf("focus went to %s, want the re-open link", focus)
	}
}

func TestBrowserBannerScreenshots(t *testing.T) {
	url := demoSite(t, middleware.Config{PolicyURL: "/privacy.html"})
	b := newBrowser(t, siteHost)
	for _, c := range []struct {
		name          string
		width, height int64
		mobile        bool
		scheme        string
		open          bool
	}{
		{"banner-desktop-light.png", 1280, 800, false, "light", false},
		{"banner-desktop-dark-choose.png", 1280, 800, false, "dark", true},
		{"banner-mobile-light.png", 390, 844, true, "light", false},
		{"banner-mobile-dark.png", 390, 844, true, "dark", false},
	} {
		tb := b.newTab(t)
		tb.emulate(c.width, c.height, c.mobile, c.scheme)
		tb.do(chromedp.Navigate(url), settle())
		if c.open {
			tb.do(chromedp.Click(chromedp.CSS(`.cg-more > summary`)), chromedp.Sleep(300*time.Millisecond))
		}
		// The banner fits the viewport and its buttons are large enough to
		// tap.
		fits := eval[bool](tb, `(() => { const r = document.querySelector("[data-consent-banner]").getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth + 1 && r.top >= 0 && r.bottom <= innerHeight + 1; })()`)
		if !fits {
			t.Errorf("%s: banner overflows the viewport", c.name)
		}
		if h := eval[float64](tb, `document.querySelector("button[value=accept_all]").getBoundingClientRect().height`); h < 44 {
			t.Errorf("%s: buttons %.0f px high, want at least 44", c.name, h)
		}
		tb.screenshot(c.name)
	}
}
