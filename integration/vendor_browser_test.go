package integration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/consentgate/consentgate/middleware"
)

// vendorPage loads Google Analytics 4 and the Meta pixel (script and
// noscript image) in its head and a YouTube video in a paragraph, as
// WordPress writes embeds.
const vendorPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bake along</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-TEST123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-TEST123');</script>
<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');fbq('init','1234567890');fbq('track','PageView');</script>
</head><body>
<noscript><img height="1" width="1" style="display:none" alt="" src="https://www.facebook.com/tr?id=1234567890&amp;ev=PageView&amp;noscript=1"></noscript>
<h1>Bake along</h1>
<p>Watch the first loaves go into the oven:</p>
<p><iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Baking video" allowfullscreen></iframe></p>
<p id="after">Open every day from 07:00.</p>
</body></html>`

// The hosts of each vendor of vendorPage.
var (
	ga4Hosts     = []string{"googletagmanager.com", "google-analytics.com"}
	pixelHosts   = []string{"facebook.net", "facebook.com"}
	youtubeHosts = []string{"youtube.com"}
)

// vendorSite serves vendorPage at / behind the middleware, and returns its
// URL as the browser reaches it and as this process does.
func vendorSite(t *testing.T) (browserURL, localURL string) {
	t.Helper()
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		t.Fatal(err)
	}
	port := serveHTTP(t, mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, vendorPage)
	})))
	return "http://" + siteHost + ":" + port + "/", "http://127.0.0.1:" + port + "/"
}

// requestsTo counts the requests to any of hosts (or their subdomains).
func requestsTo(reqs []string, hosts []string) int {
	n := 0
	for _, r := range reqs {
		h := hostOf(r)
		for _, want := range hosts {
			if h == want || strings.HasSuffix(h, "."+want) {
				n++
				break
			}
		}
	}
	return n
}

// decisionOf reads the decision the tab's consent cookie holds from the
// endpoint, as JSON.
func decisionOf(t *testing.T, tb *tab, localURL string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", localURL+".well-known/consent", nil)
	for _, c := range tb.cookies() {
		if c.Name == "consentgate" {
			req.Header.Set("Cookie", c.Name+"="+c.Value)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	return d
}

// list returns a JSON list of strings, sorted.
func list(v any) []string {
	var out []string
	items, _ := v.([]any)
	for _, x := range items {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// wantYouTubeOnly checks that the decision grants YouTube and nothing
// optional besides.
func wantYouTubeOnly(t *testing.T, d map[string]any) {
	t.Helper()
	if d["decided"] != true || !slices.Equal(list(d["granted"]), []string{"necessary"}) ||
		!slices.Equal(list(d["vendors_granted"]), []string{"youtube"}) ||
		!slices.Equal(list(d["denied"]), []string{"analytics", "marketing", "preferences"}) {
		t.Errorf("after allowing YouTube alone, the decision is %v; want YouTube granted, every category refused", d)
	}
}

// wantYouTubeRefused checks that the decision no longer allows YouTube.
func wantYouTubeRefused(t *testing.T, d map[string]any) {
	t.Helper()
	if d["decided"] != true || slices.Contains(list(d["vendors_granted"]), "youtube") || slices.Contains(list(d["granted"]), "marketing") {
		t.Errorf("after withdrawing YouTube, the decision is %v", d)
	}
}

// checkOthersInert fails when GA4 or the pixel made a request.
func checkOthersInert(t *testing.T, when string, reqs []string) {
	t.Helper()
	if n := requestsTo(reqs, ga4Hosts); n > 0 {
		t.Errorf("%s: %d requests to GA4: %q", when, n, offSite(reqs))
	}
	if n := requestsTo(reqs, pixelHosts); n > 0 {
		t.Errorf("%s: %d requests to the Meta pixel: %q", when, n, offSite(reqs))
	}
}

const (
	placeholderButton = `[data-consent-placeholder="youtube"] button[name=action][value=grant]`
	youtubeLive       = `iframe[src^="https://www.youtube.com/embed/"]`
	youtubeSwitch     = `input[name=vendor][value=youtube]`
)

// TestBrowserVendorPlaceholderWithoutScript: with JavaScript off, an
// undecided visitor sees the YouTube video's placeholder; its button posts
// the form, and the page comes back with the video live while GA4 and the
// pixel stay inert. Unticking YouTube in the customise layer (the choices
// page the re-open link leads to) and saving makes it inert again.
func TestBrowserVendorPlaceholderWithoutScript(t *testing.T) {
	url, local := vendorSite(t)
	tb := newBrowser(t, siteHost).newTab(t)
	tb.disableScript()
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("before a choice: %d tracker requests: %q", len(got), got)
	}
	tb.do(chromedp.WaitVisible(chromedp.CSS(placeholderButton)))
	tb.clickAndLoad(placeholderButton)
	if !eval[bool](tb, `!!document.querySelector('`+youtubeLive+`') && !document.querySelector("[data-consent-placeholder]")`) {
		t.Error("after allowing YouTube, the page came back without the video live")
	}
	reqs := tb.takeRequests()
	if n := requestsTo(reqs, youtubeHosts); n == 0 {
		t.Errorf("after allowing YouTube, no request to YouTube: %q", offSite(reqs))
	}
	checkOthersInert(t, "after allowing YouTube", reqs)
	wantYouTubeOnly(t, decisionOf(t, tb, local))

	// Withdraw: the re-open link leads to the choices page, where YouTube
	// is listed, ticked, under marketing.
	tb.clickAndLoad(`[data-consent-reopen]`)
	tb.openDetails(`details.cg-more`)
	tb.openDetails(`details:has(> #cg-s-marketing)`)
	tb.do(chromedp.WaitVisible(chromedp.CSS(youtubeSwitch)))
	checked, err := chromedp.Run(tb.ctx, chromedp.JavascriptAttribute[bool](chromedp.CSS(youtubeSwitch), "checked"))
	if err != nil || !checked {
		t.Fatalf("the choices page does not show YouTube allowed (%v)", err)
	}
	tb.do(chromedp.Click(chromedp.CSS(youtubeSwitch)))
	tb.clickAndLoad(`button[value=save]`)
	if !eval[bool](tb, `!!document.querySelector('`+placeholderButton+`') && location.pathname === "/"`) {
		t.Error("after withdrawing YouTube, the page came back without its placeholder")
	}
	if n := requestsTo(tb.takeRequests(), youtubeHosts); n != 0 {
		t.Errorf("after withdrawing YouTube, the next page made %d requests to YouTube", n)
	}
	wantYouTubeRefused(t, decisionOf(t, tb, local))
}

// TestBrowserVendorPlaceholderWithScript: with JavaScript on, the
// placeholder's button (pressed with the keyboard) allows YouTube and
// starts the video in place, without a reload; GA4 and the pixel stay
// inert. In the customise layer a category's switch sets its vendors'
// switches; unticking YouTube and saving makes it inert on the next page.
func TestBrowserVendorPlaceholderWithScript(t *testing.T) {
	url, local := vendorSite(t)
	tb := newBrowser(t, siteHost).newTab(t)
	tb.do(chromedp.Navigate(url), settle())
	if got := offSite(tb.takeRequests()); len(got) != 0 {
		t.Fatalf("before a choice: %d tracker requests: %q", len(got), got)
	}
	// The placeholder's box lies over the frame's, which the page's
	// paragraph still lays out.
	fits := eval[bool](tb, `(() => {
		const box = document.querySelector('[data-consent-placeholder="youtube"] .cg-ph-box').getBoundingClientRect();
		const frame = document.querySelector('iframe[data-consent]').getBoundingClientRect();
		return Math.abs(box.top - frame.top) < 1 && Math.abs(box.left - frame.left) < 1 &&
			Math.abs(box.width - frame.width) < 1 && Math.abs(box.height - frame.height) < 1 && frame.height > 300;
	})()`)
	if !fits {
		t.Error("the placeholder does not cover the video's box")
	}
	eval[bool](tb, `window.cgStay = true`)
	tb.do(chromedp.Focus(chromedp.CSS(placeholderButton)), chromedp.KeyEvent("\r"))
	tb.waitTrue(`!!document.querySelector('`+youtubeLive+`')`, 10*time.Second)
	tb.do(settle())
	if !eval[bool](tb, `window.cgStay === true`) {
		t.Error("the page reloaded: the video should start in place")
	}
	if eval[bool](tb, `!!document.querySelector("[data-consent-placeholder]")`) {
		t.Error("the placeholder stays after the video started")
	}
	if !eval[bool](tb, `document.querySelector("[data-consent-banner]").hidden && !document.querySelector("[data-consent-reopen]").hidden`) {
		t.Error("the banner still asks, or the re-open link is missing, after the visitor decided in the placeholder")
	}
	reqs := tb.takeRequests()
	if n := requestsTo(reqs, youtubeHosts); n == 0 {
		t.Errorf("after allowing YouTube, no request to YouTube: %q", offSite(reqs))
	}
	checkOthersInert(t, "after allowing YouTube", reqs)
	wantYouTubeOnly(t, decisionOf(t, tb, local))

	// The customise layer shows YouTube ticked; ticking marketing ticks
	// its vendors, unticking it unticks them.
	tb.do(chromedp.Click(chromedp.CSS(`[data-consent-reopen]`)))
	tb.openDetails(`details.cg-more`)
	tb.openDetails(`details:has(> #cg-s-marketing)`)
	tb.do(chromedp.WaitVisible(chromedp.CSS(youtubeSwitch)))
	state := func() string {
		return eval[string](tb, `["youtube", "meta-pixel"].map(v => v + "=" + document.querySelector("input[name=vendor][value=" + v + "]").checked).join(" ")`)
	}
	if got := state(); got != "youtube=true meta-pixel=false" {
		t.Errorf("customise layer after the grant: %s", got)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#cg-c-marketing`)))
	if got := state(); got != "youtube=true meta-pixel=true" {
		t.Errorf("ticking marketing: %s", got)
	}
	tb.do(chromedp.Click(chromedp.CSS(`#cg-c-marketing`)))
	if got := state(); got != "youtube=false meta-pixel=false" {
		t.Errorf("unticking marketing: %s", got)
	}
	tb.takeRequests()
	tb.do(chromedp.Click(chromedp.CSS(`button[value=save]`)))
	// Withdrawn: the page reloads without the video.
	tb.waitTrue(`window.cgStay === undefined && document.readyState === "complete" && !!document.querySelector('`+placeholderButton+`')`, 10*time.Second)
	tb.do(settle())
	reqs = tb.takeRequests()
	if n := requestsTo(reqs, youtubeHosts); n != 0 {
		t.Errorf("after withdrawing YouTube, %d requests to YouTube", n)
	}
	checkOthersInert(t, "after withdrawing YouTube", reqs)
	wantYouTubeRefused(t, decisionOf(t, tb, local))
	tb.do(chromedp.Navigate(url), settle())
	if n := requestsTo(tb.takeRequests(), youtubeHosts); n != 0 {
		t.Errorf("the next page after withdrawing YouTube made %d requests to YouTube", n)
	}
}

// openDetails opens a <details> element by clicking its summary, unless it
// is open already.
func (tb *tab) openDetails(details string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	open, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(details), "open"))
	if err != nil {
		tb.t.Fatalf("reading %s: %v", details, err)
	}
	if !open.Exists {
		tb.do(chromedp.Click(chromedp.CSS(details+" > summary")), chromedp.WaitVisible(chromedp.CSS(details+" > :not(summary)")))
	}
}

// TestBrowserVendorScreenshots takes the pictures of docs/: the customise
// layer with the marketing vendors' switches open, and the demo site's
// video behind its placeholder, in light and dark mode. Each also checks
// what the picture shows: the banner within the viewport, the
// placeholder's box over the video's, its button large enough to tap.
func TestBrowserVendorScreenshots(t *testing.T) {
	url := demoSite(t, middleware.Config{PolicyURL: "/privacy.html"})
	b := newBrowser(t, siteHost)
	for _, scheme := range []string{"light", "dark"} {
		t.Run("switches/"+scheme, func(t *testing.T) {
			tb := b.newTab(t)
			tb.emulate(1280, 800, false, scheme)
			tb.do(chromedp.Navigate(url), settle())
			tb.openDetails(`details.cg-more`)
			tb.openDetails(`details:has(> #cg-s-marketing)`)
			eval[bool](tb, `document.querySelector("#cg-s-marketing").scrollIntoView({block: "start"}), true`)
			if n := eval[int](tb, `document.querySelectorAll("details.cg-vendors[open] input[name=vendor]:not(:checked)").length`); n < 2 {
				t.Errorf("%d unticked vendor switches shown, want the marketing vendors of the demo site", n)
			}
			fits := eval[bool](tb, `(() => { const r = document.querySelector("[data-consent-banner]").getBoundingClientRect(); return r.left >= 0 && r.right <= innerWidth + 1 && r.top >= 0 && r.bottom <= innerHeight + 1; })()`)
			if !fits {
				t.Error("the banner overflows the viewport")
			}
			tb.screenshot("vendor-switches-" + scheme + ".png")
		})
		t.Run("placeholder/"+scheme, func(t *testing.T) {
			tb := b.newTab(t)
			tb.emulate(1280, 800, false, scheme)
			tb.do(chromedp.Navigate(url), settle(), chromedp.Click(rejectButton), chosen)
			eval[bool](tb, `document.querySelector("#watch-title").scrollIntoView({block: "start"}), true`)
			tb.do(chromedp.Sleep(300 * time.Millisecond))
			covers := eval[bool](tb, `(() => {
				const box = document.querySelector('[data-consent-placeholder="youtube"] .cg-ph-box').getBoundingClientRect();
				const frame = document.querySelector('.video iframe').getBoundingClientRect();
				return Math.abs(box.top - frame.top) < 1 && Math.abs(box.width - frame.width) < 1 && Math.abs(box.height - frame.height) < 1;
			})()`)
			if !covers {
				t.Error("the placeholder does not cover the video")
			}
			if h := eval[float64](tb, `document.querySelector('[data-consent-placeholder] button').getBoundingClientRect().height`); h < 44 {
				t.Errorf("the placeholder's button is %.0f px high, want at least 44", h)
			}
			tb.screenshot("placeholder-" + scheme + ".png")
		})
	}
}

// clickAndLoad clicks an element that leads to another document (a form
// post, a link) and waits until that document has loaded.
func (tb *tab) clickAndLoad(sel string) {
	tb.t.Helper()
	eval[bool](tb, `document.documentElement.setAttribute("data-test-before", ""), true`)
	tb.do(chromedp.Click(chromedp.CSS(sel)))
	tb.waitTrue(`document.readyState === "complete" && !document.documentElement.hasAttribute("data-test-before")`, 15*time.Second)
	tb.do(settle())
}

// TestBrowserVendorSwitchesKeyboard: the vendor switches work from the
// keyboard alone: Tab to a category's vendor list, Enter unfolds it, Space
// ticks YouTube, Enter on Save allows it; its video then starts in place.
func TestBrowserVendorSwitchesKeyboard(t *testing.T) {
	url, local := vendorSite(t)
	tb := newBrowser(t, siteHost).newTab(t)
	tb.do(chromedp.Navigate(url), settle())
	eval[bool](tb, `window.cgStay = true`)
	focused := func() string {
		return eval[string](tb, `(e => e.id || e.value || e.textContent.trim())(document.activeElement)`)
	}
	tabTo := func(want string) {
		t.Helper()
		var seen []string
		for range 30 {
			if f := focused(); f == want {
				return
			} else {
				seen = append(seen, f)
			}
			tb.do(chromedp.KeyEvent("\t"))
		}
		t.Fatalf("Tab never reached %s; it went through %q", want, seen)
	}
	tabTo("Choose")
	tb.do(chromedp.KeyEvent("\r"))
	tabTo("cg-s-marketing")
	tb.do(chromedp.KeyEvent("\r"))
	tabTo("cg-v-youtube")
	tb.do(chromedp.KeyEvent(" "))
	if !eval[bool](tb, `document.querySelector("#cg-v-youtube").checked && !document.querySelector("#cg-v-meta-pixel").checked && !document.querySelector("#cg-c-marketing").checked`) {
		t.Fatal("Space on YouTube's switch did not tick it alone")
	}
	tabTo("save")
	tb.do(chromedp.KeyEvent("\r"))
	tb.waitTrue(`!!document.querySelector('`+youtubeLive+`')`, 10*time.Second)
	tb.do(settle())
	if !eval[bool](tb, `window.cgStay === true && !document.querySelector("[data-consent-placeholder]")`) {
		t.Error("the video did not start in place")
	}
	reqs := tb.takeRequests()
	if requestsTo(reqs, youtubeHosts) == 0 {
		t.Errorf("no request to YouTube: %q", offSite(reqs))
	}
	checkOthersInert(t, "after allowing YouTube in the customise layer", reqs)
	wantYouTubeOnly(t, decisionOf(t, tb, local))
}
