package middleware

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// rewriteBody runs one page through m for an undecided visitor, whole and
// then one byte per write, and fails when the two outputs differ.
func rewriteBody(t *testing.T, m *Middleware, page string) string {
	t.Helper()
	whole := rewriteChunks(m, page, len(page))
	if bytewise := rewriteChunks(m, page, 1); bytewise != whole {
		t.Errorf("%q: written a byte at a time gives\n%q\nwhole gives\n%q", page, bytewise, whole)
	}
	return whole
}

func rewriteChunks(m *Middleware, page string, n int) string {
	req := httptest.NewRequest("GET", "https://www.example.com/dir/page", nil)
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < len(page); i += n {
			w.Write([]byte(page[i:min(i+n, len(page))]))
		}
	})).ServeHTTP(rec, req)
	return rec.Body.String()
}

func TestStyleAttributeURLs(t *testing.T) {
	const fb = "https://www.facebook.com/tr"
	cases := []struct {
		name, in, want string
	}{
		{"background url",
			`<div style="background:url(` + fb + `)">x</div>`,
			`<div data-consent="marketing" data-consent-style="background:url(` + fb + `)">x</div>`},
		{"quoted, as character references",
			`<span style="background-image: url(&quot;http://images.taboola.com/taboola/image/fetch/a.jpg&quot;)"></span>`,
			`<span data-consent="marketing" data-consent-style="background-image: url(&quot;http://images.taboola.com/taboola/image/fetch/a.jpg&quot;)"></span>`},
		{"upper case, spaces, protocol-relative",
			`<p style='x: URL(  //www.facebook.com/tr  )'>`,
			`<p data-consent="marketing" data-consent-style='x: URL(  //www.facebook.com/tr  )'>`},
		{"image-set strings",
			`<div style="background-image: image-set('/a.png' 1x, '` + fb + `' 2x)">`,
			`<div data-consent="marketing" data-consent-style="background-image: image-set('/a.png' 1x, '` + fb + `' 2x)">`},
		{"CSS escape in the function name",
			`<div style="background: \75 rl(` + fb + `)">`,
			`<div data-consent="marketing" data-consent-style="background: \75 rl(` + fb + `)">`},
		{"CSS escape in the host",
			`<div style="background: url(https://www.f\61 cebook.com/tr)">`,
			`<div data-consent="marketing" data-consent-style="background: url(https://www.f\61 cebook.com/tr)">`},
		{"parentheses as character references",
			`<div style="background:url&lpar;` + fb + `&rpar;">x</div><p style='b:url&#40;//www.facebook.com/tr&#x29;'>`,
			`<div data-consent="marketing" data-consent-style="background:url&lpar;` + fb + `&rpar;">x</div><p data-consent="marketing" data-consent-style='b:url&#40;//www.facebook.com/tr&#x29;'>`},
		{"unquoted attribute",
			`<td style=background:url(//www.facebook.com/tr)>x</td>`,
			`<td data-consent="marketing" data-consent-style=background:url(//www.facebook.com/tr)>x</td>`},
		{"with a tracker src: one data-consent",
			`<img src="` + fb + `" style="background:url(https://www.google-analytics.com/collect)">`,
			`<img data-consent="analytics marketing" data-consent-src="` + fb + `" data-consent-style="background:url(https://www.google-analytics.com/collect)">`},
		{"a link, whose ping is its only hint",
			`<a href="/" style="background:url(` + fb + `)">x</a>`,
			`<a data-consent="marketing" href="/" data-consent-style="background:url(` + fb + `)">x</a>`},
		{"SVG",
			`<svg><rect style="fill:url(` + fb + `#p)"/></svg>`,
			`<svg><rect data-consent="marketing" data-consent-style="fill:url(` + fb + `#p)"/></svg>`},
		{"raw-text element",
			`<textarea style="background:url(` + fb + `)"><b></textarea>`,
			`<textarea data-consent="marketing" data-consent-style="background:url(` + fb + `)"><b></textarea>`},
		{"in noscript",
			`<noscript><div style="background:url(` + fb + `)"></div></noscript>`,
			`<noscript><div data-consent="marketing" data-consent-style="background:url(` + fb + `)"></div></noscript>`},
		{"style sheet",
			`<style>.ad{background:url(//cdn.taboola.com/a.png)}</style><p>`,
			`<style type="text/plain" data-consent="marketing">.ad{background:url(//cdn.taboola.com/a.png)}</style><p>`},
		{"style sheet import, typed",
			`<style type="text/css" media="screen">@import "https://www.facebook.com/tr";</style>`,
			`<style type="text/plain" data-consent="marketing" data-consent-type="text/css" media="screen">@import "https://www.facebook.com/tr";</style>`},
		{"unclosed at the end, as CSS allows",
			`<div style="background:url(` + fb + `">`,
			`<div data-consent="marketing" data-consent-style="background:url(` + fb + `">`},
		{"in a comment (judged anyway)",
			`<div style="/* url(` + fb + `) */ color: red">`,
			`<div data-consent="marketing" data-consent-style="/* url(` + fb + `) */ color: red">`},
		{"style sheet, @import with single quotes after a comment",
			`<style>/* x */ @import '` + fb + `' screen;</style>`,
			`<style type="text/plain" data-consent="marketing">/* x */ @import '` + fb + `' screen;</style>`},
		{"table background",
			`<table background="` + fb + `"><tr><td background="/bg.png">x</td></tr></table>`,
			`<table data-consent="marketing" data-consent-background="` + fb + `"><tr><td background="/bg.png">x</td></tr></table>`},
	}
	unchanged := []string{
		`<div style="color: red; width: calc(100% - 2px)">x</div>`,
		`<div style="background:url(/img/a.png)" onclick="go()">x</div>`,
		`<div style="background:url(https://cdn.example.net/a.png)">x</div>`,
		`<div title="url(` + fb + `)">x</div>`,
		`<div data-style="background:url(` + fb + `)">x</div>`,
		`<script type="application/json">{"style":"url(` + fb + `)"}</script>`,
		`<!-- <div style="background:url(` + fb + `)"> -->`,
		`<style>body{color:red;background:url(/bg.png)} .x{content:"a"}</style>`,
		`<style type="text/x-template">.ad{background:url(` + fb + `)}</style>`,
		`<svg><style>.x{fill:red}</style></svg>`,
		`<style>a[href^="https://www.facebook.com/"]{display:none} .x::after{content:"//www.facebook.com/tr"}</style>`,
		`<div style="font-family: 'https://www.facebook.com/tr'">x</div>`,
	}
	m := newTestMiddleware(t, Config{Banner: "off", Guard: "off"})
	for _, c := range cases {
		if got := rewriteBody(t, m, c.in); got != c.want {
			t.Errorf("%s:\n in   %s\n got  %s\n want %s", c.name, c.in, got, c.want)
		}
	}
	for _, in := range unchanged {
		if got := rewriteBody(t, m, in); got != in {
			t.Errorf("changed:\n in  %s\n got %s", in, got)
		}
	}

	remove := newTestMiddleware(t, Config{Banner: "off", Guard: "off", Mode: ModeRemove})
	in := `<div class="ad" style="background:url(` + fb + `)">x</div>`
	if got, want := rewriteBody(t, remove, in), `<div class="ad">x</div>`; got != want {
		t.Errorf("remove mode: got %s, want %s", got, want)
	}
	sheet := `<style>.ad{background:url(` + fb + `)}</style><p>x</p>`
	if got, want := rewriteBody(t, remove, sheet), `<p>x</p>`; got != want {
		t.Errorf("remove mode: got %s, want %s", got, want)
	}
	report := newTestMiddleware(t, Config{Banner: "off", Guard: "off", Mode: ModeReport})
	if got := rewriteBody(t, report, in); got != in {
		t.Errorf("report mode changed %s into %s", in, got)
	}
}

// TestStyleAttributeWithConsent: granted categories leave style alone.
func TestStyleAttributeWithConsent(t *testing.T) {
	m := newTestMiddleware(t, Config{Banner: "off", Guard: "off"})
	in := `<div style="background:url(https://www.facebook.com/tr)">x</div>`
	rs := m.Rules()
	marketing, _ := rs.Set(rules.Marketing)
	others, _ := rs.Set(rules.Analytics, rules.Preferences)
	cookie := encodeConsentCookie(rs, cookieValue{granted: marketing, denied: others, revision: "1", time: time.Now(), id: newConsentID(), method: methodBanner})
	req := httptest.NewRequest("GET", "https://www.example.com/", nil)
	req.Header.Set("Cookie", "consentgate="+cookie)
	rec := httptest.NewRecorder()
	m.Handler(htmlHandler(in)).ServeHTTP(rec, req)
	if got := rec.Body.String(); !strings.Contains(got, in) {
		t.Errorf("with marketing granted the style changed: %s", got)
	}

	// A site's own opt-in style sheet comes alive.
	optIn := `<style type="text/plain" data-consent="marketing">.ad{background:url(https://www.facebook.com/tr)}</style>`
	rec = httptest.NewRecorder()
	m.Handler(htmlHandler(optIn)).ServeHTTP(rec, req)
	if got, want := rec.Body.String(), `<style data-consent="marketing">.ad{`; !strings.Contains(got, want) {
		t.Errorf("opt-in style with marketing granted: got %s, want %s…", got, want)
	}
}

// TestStyleNestedURLsAreBounded: CSS built so that every URL is read
// again and again exhausts the reading budget and is set aside unjudged;
// ordinary CSS as long is judged and kept. (All under max_buffer: a
// longer tag is judged by its name only.)
func TestStyleNestedURLsAreBounded(t *testing.T) {
	m := newTestMiddleware(t, Config{Banner: "off", Guard: "off"})
	for _, css := range []string{
		strings.Repeat("url(a", 40000),
		strings.Repeat("url(", 50000) + ")",
		strings.Repeat(`image-set('a' `, 15000),
		strings.Repeat("image-set(", 20000),
	} {
		out := rewriteChunks(m, `<div style="`+css+`">x</div>`, 32<<10)
		if !strings.HasPrefix(out, `<div data-consent="preferences analytics marketing" data-consent-style="`) {
			t.Errorf("nested CSS of %d bytes not set aside: %.80s…", len(css), out)
		}
	}
	ordinary := strings.Repeat(`.a{background:url(/img/a.png) no-repeat;content:"x"} @import url("/b.css"); .b{background-image:image-set("/c.png" 1x, "/d.png" 2x)}`+"\n", 1500)
	page := `<style>` + ordinary + `</style><div style="` + strings.Repeat("background:url(/a.png);", 5000) + `">x</div>`
	if out := rewriteChunks(m, page, 32<<10); out != page {
		t.Errorf("ordinary CSS of %d bytes changed", len(page))
	}
}

// TestLazyLoadAttributes: the URLs lazy-loading scripts move into src
// later are judged like src.
func TestLazyLoadAttributes(t *testing.T) {
	const fb = "https://www.facebook.com/tr?id=1"
	m := newTestMiddleware(t, Config{Banner: "off", Guard: "off"})
	for in, want := range map[string]string{
		`<img data-lazy-src="` + fb + `" class="lazy">`:                     `<img data-consent="marketing" data-consent-data-lazy-src="` + fb + `" class="lazy">`,
		`<img src="data:," data-original="` + fb + `">`:                     `<img data-consent="marketing" src="data:," data-consent-data-original="` + fb + `">`,
		`<img data-lazy-srcset="/a.png 1x, ` + fb + ` 2x">`:                 `<img data-consent="marketing" data-consent-data-lazy-srcset="/a.png 1x, ` + fb + ` 2x">`,
		`<iframe data-lazy-src="https://www.youtube.com/embed/x"></iframe>`: `<iframe data-consent="marketing" data-consent-data-lazy-src="https://www.youtube.com/embed/x"></iframe>`,
		`<img data-original="/img/cake.jpg" data-lazy-src="/img/cake.jpg">`: `<img data-original="/img/cake.jpg" data-lazy-src="/img/cake.jpg">`,
	} {
		if got := rewriteBody(t, m, in); got != want {
			t.Errorf("\n in   %s\n got  %s\n want %s", in, got, want)
		}
	}
}

// TestAttributionSrc: the URLs an <img>, <script>, <a> or <area> lists in
// attributionsrc, which Chromium requests to register ad attribution, are
// judged; the element keeps its own, harmless src or href.
func TestAttributionSrc(t *testing.T) {
	m := newTestMiddleware(t, Config{Banner: "off", Guard: "off"})
	for in, want := range map[string]string{
		`<img src="/promo.png" attributionsrc="https://www.googleadservices.com/pagead/conversion/1/">`:    `<img data-consent="marketing" src="/promo.png" data-consent-attributionsrc="https://www.googleadservices.com/pagead/conversion/1/">`,
		`<script src="/app.js" attributionsrc="/a https://www.facebook.com/tr?id=1"></script>`:             `<script data-consent="marketing" src="/app.js" data-consent-attributionsrc="/a https://www.facebook.com/tr?id=1"></script>`,
		`<img src="https://www.facebook.com/tr?id=1" attributionsrc>`:                                      `<img data-consent="marketing" data-consent-src="https://www.facebook.com/tr?id=1" attributionsrc>`,
		`<img src="https://www.facebook.com/tr?id=1" attributionsrc="https://www.google-analytics.com/g">`: `<img data-consent="analytics marketing" data-consent-src="https://www.facebook.com/tr?id=1" data-consent-attributionsrc="https://www.google-analytics.com/g">`,
		`<img src="/a.png" attributionsrc="/register">`:                                                    `<img src="/a.png" attributionsrc="/register">`,
		// On a link, the URLs are requested as it is followed.
		`<a href="/offer" attributionsrc="https://ad.doubleclick.net/ddm/clk/1">Offer</a>`:                                  `<a data-consent="marketing" href="/offer" data-consent-attributionsrc="https://ad.doubleclick.net/ddm/clk/1">Offer</a>`,
		`<a href="/offer" ping="https://www.facebook.com/tr" ATTRIBUTIONSRC='https://www.google-analytics.com/g'>Offer</a>`: `<a data-consent="analytics marketing" href="/offer" data-consent-ping="https://www.facebook.com/tr" data-consent-attributionsrc='https://www.google-analytics.com/g'>Offer</a>`,
		`<map><area href="/x" attributionsrc="https://www.facebook.com/tr"></map>`:                                          `<map><area data-consent="marketing" href="/x" data-consent-attributionsrc="https://www.facebook.com/tr"></map>`,
		`<a href="/offer" attributionsrc="/register">Offer</a>`:                                                             `<a href="/offer" attributionsrc="/register">Offer</a>`,
	} {
		if got := rewriteBody(t, m, in); got != want {
			t.Errorf("\n in   %s\n got  %s\n want %s", in, got, want)
		}
	}
}
