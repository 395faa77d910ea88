package middleware

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/rules"
)

const plainPage = "<!doctype html><html><head><title>t</title></head><body><h1>Hi</h1></body></html>"

func pageFor(t *testing.T, m *Middleware, page string, header map[string]string, respHeader map[string]string) string {
	t.Helper()
	req := httptest.NewRequest("GET", "https://shop.example.com/products?id=7", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp := serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for k, v := range respHeader {
			w.Header().Set(k, v)
		}
		w.Write([]byte(page))
	}, req)
	return body(t, resp)
}

func decidedCookie(m *Middleware, granted ...rules.Category) string {
	rs := m.Rules()
	set, _ := rs.Set(granted...)
	return "consentgate=" + encodeConsentCookie(rs, cookieValue{granted: set, denied: rs.Optional() &^ set, revision: "1", time: time.Now(), id: newConsentID(), method: methodBanner})
}

func TestBannerInjection(t *testing.T) {
	m := newTestMiddleware(t, Config{PolicyURL: "/privacy"})
	out := pageFor(t, m, plainPage, nil, nil)
	i := strings.Index(out, "<div data-consent-banner")
	if i < 0 || i > strings.Index(out, "</body>") {
		t.Fatalf("banner not injected before </body>:\n%s", out)
	}
	banner := out[i:strings.Index(out, "</body>")]
	for _, want := range []string{
		`<form method="post" action="/.well-known/consent">`,
		`<button type="submit" class="cg-btn" name="action" value="accept_all">`,
		`<button type="submit" class="cg-btn" name="action" value="reject_all">`,
		`name="action" value="save"`,
		`name="category" value="analytics"`,
		`name="category" value="marketing"`,
		`name="category" value="preferences"`,
		`<input type="hidden" name="return" value="/products?id=7">`,
		`role="dialog"`, `aria-labelledby="cg-title"`,
		`<a href="/privacy">Privacy policy</a>`,
		`<input type="hidden" name="shown" value="b.en.`,
	} {
		if !strings.Contains(banner, want) {
			t.Errorf("banner lacks %s", want)
		}
	}
	if strings.Contains(banner, "checked") && strings.Count(banner, "checked") != 1 {
		t.Errorf("optional categories pre-ticked: %d checked", strings.Count(banner, "checked"))
	}
	if strings.Contains(banner[:strings.Index(banner, ">")], "hidden") {
		t.Error("banner hidden for an undecided visitor")
	}
	// The page around the banner and the guard is the page.
	guard := regexp.MustCompile(`<script src="/\.well-known/consent/guard-[0-9a-f]+\.js" data-granted="necessary"></script>`)
	if g := guard.FindStringIndex(out); g == nil || !strings.HasPrefix(out[:g[0]]+out[g[1]:], plainPage[:strings.Index(plainPage, "</body>")]) || !strings.HasSuffix(out, "</body></html>") {
		t.Errorf("page around the banner and the guard changed:\n%s", out)
	}
}

func TestBannerForDecidedVisitor(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	out := pageFor(t, m, plainPage, map[string]string{"Cookie": decidedCookie(m, rules.Analytics)}, nil)
	if !strings.Contains(out, `data-granted="analytics" hidden>`) {
		t.Errorf("banner not hidden for a decided visitor:\n%s", out)
	}
	if !strings.Contains(out, `<a class="cg-reopen" data-consent-reopen href="/.well-known/consent/choices?return=%2Fproducts%3Fid%3D7" lang="en">`) {
		t.Errorf("no visible re-open link:\n%s", out)
	}
	if !strings.Contains(out, `value="analytics" checked`) || strings.Contains(out, `value="marketing" checked`) {
		t.Error("the re-opened banner does not start from the current choice")
	}
}

func TestBannerWithoutBody(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	page := "<p>fragment"
	out := pageFor(t, m, page, nil, nil)
	if !strings.HasPrefix(out, page) || !strings.Contains(out, "data-consent-banner") || !strings.HasSuffix(strings.TrimSpace(out), "</script>") {
		t.Errorf("banner not appended at the end:\n%s", out)
	}
}

func TestBannerChunkedEqualsWhole(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	page := trackerPage
	req := func() *http.Request { return httptest.NewRequest("GET", "https://shop.example.com/", nil) }
	whole := body(t, serve(t, m, htmlHandler(page), req()))
	for _, size := range []int{1, 2, 3, 7, 64} {
		chunked := body(t, serve(t, m, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			for i := 0; i < len(page); i += size {
				w.Write([]byte(page[i:min(i+size, len(page))]))
				w.(http.Flusher).Flush()
			}
		}, req()))
		if chunked != whole {
			t.Errorf("chunks of %d give a different page", size)
		}
	}
}

func TestBannerSignals(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	// Sec-GPC refuses marketing only: the banner shows and says so.
	out := pageFor(t, m, plainPage, map[string]string{"Sec-GPC": "1"}, nil)
	if !strings.Contains(out, "refused Marketing; those switches start off.") || strings.Contains(out, `data-granted="" hidden`) {
		t.Errorf("GPC note missing or banner hidden:\n%s", out)
	}
	// Signals refusing every optional category: no banner, the re-open
	// link.
	m = newTestMiddleware(t, Config{DNTRefuses: []rules.Category{rules.Preferences, rules.Analytics, rules.Marketing}})
	req := httptest.NewRequest("GET", "https://shop.example.com/", nil)
	req.Header.Set("Sec-GPC", "1")
	req.Header.Set("DNT", "1")
	resp := serve(t, m, htmlHandler(plainPage), req)
	out = body(t, resp)
	if !strings.Contains(out, `data-granted="" hidden>`) || !strings.Contains(out, `lang="en">Privacy choices</a>`) {
		t.Errorf("signals refusing all still show the banner:\n%s", out)
	}
	if c := consentCookieOf(t, resp); c == "" || !strings.HasSuffix(c, ".s") {
		t.Errorf("signals decision not recorded in a cookie: %q", c)
	}
}

func TestBannerLanguageAndEscaping(t *testing.T) {
	m := newTestMiddleware(t, Config{Texts: map[string]map[string]string{"en": {"title": `<script>alert("x")</script> & co`}}})
	out := pageFor(t, m, plainPage, map[string]string{"Accept-Language": "sv-SE,sv;q=0.9,en;q=0.5"}, nil)
	if !strings.Contains(out, `lang="sv"`) || !strings.Contains(out, "Godkänn alla") {
		t.Errorf("Swedish not chosen:\n%s", out)
	}
	out = pageFor(t, m, plainPage, map[string]string{"Accept-Language": "ja, en;q=0.1"}, nil)
	if strings.Contains(out, `<script>alert`) || !strings.Contains(out, `&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co`) {
		t.Errorf("operator text not escaped:\n%s", out)
	}
	out = pageFor(t, m, plainPage, map[string]string{"Accept-Language": "nn-NO"}, nil)
	if !strings.Contains(out, `lang="nb"`) {
		t.Error("Nynorsk did not fall back to Norwegian Bokmål")
	}
}

func TestBannerNonceAndFrames(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	out := pageFor(t, m, plainPage, nil, map[string]string{"Content-Security-Policy": "default-src 'self'; script-src 'self' 'nonce-r4nd0m+/='"})
	if !strings.Contains(out, `defer nonce="r4nd0m&#43;/="></script>`) && !strings.Contains(out, `defer nonce="r4nd0m+/="></script>`) {
		t.Errorf("banner script without the page's nonce:\n%s", out)
	}
	out = pageFor(t, m, plainPage, map[string]string{"Sec-Fetch-Dest": "iframe"}, nil)
	if strings.Contains(out, "data-consent-banner") {
		t.Error("banner injected into a framed page")
	}
}

func TestConsentModeDefaults(t *testing.T) {
	m := newTestMiddleware(t, Config{ConsentMode: true})
	out := pageFor(t, m, plainPage, map[string]string{"Cookie": decidedCookie(m, rules.Analytics)}, nil)
	want := "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('consent','default',{ad_storage:'denied',ad_user_data:'denied',ad_personalization:'denied',analytics_storage:'granted',"
	if !strings.Contains(out, want) {
		t.Errorf("consent mode defaults missing:\n%s", out)
	}
	if !strings.Contains(out, "data-consent-mode") {
		t.Error("banner not told to send consent mode updates")
	}
}

func TestBannerOperatorTemplate(t *testing.T) {
	dir := t.TempDir()
	tmpl := dir + "/banner.html"
	writeFile(t, tmpl, `<div data-consent-banner class="mine">{{.T.title}} {{range .Categories}}[{{.Name}}]{{end}}</div>`)
	m := newTestMiddleware(t, Config{BannerTemplate: tmpl})
	out := pageFor(t, m, plainPage, nil, nil)
	if !strings.Contains(out, `<div data-consent-banner class="mine">Cookies on this site [necessary][preferences][analytics][marketing]</div></body>`) {
		t.Errorf("operator template not used:\n%s", out)
	}
	writeFile(t, tmpl, `{{.Nope.Deeper}}`)
	if _, err := New(Config{BannerTemplate: tmpl}); err == nil {
		t.Error("a template that fails to render was accepted")
	}
}

func TestBannerLanguagePick(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	for header, want := range map[string]string{
		"":                              "en",
		"de-DE,de;q=0.9,en;q=0.8":       "de",
		"DE-at":                         "de",
		"xx, fr;q=0.5, de;q=0.7":        "de", // quality, not order, decides
		"fr;q=0.5, de;q=0.5":            "fr", // ties go to the first
		"de;q=0, fr;q=0.1":              "fr", // q=0 means "not this"
		"*, sv":                         "sv",
		"no":                            "nb",
		"zz-Latn-XX, es-419":            "es",
		"x-" + strings.Repeat("a", 300): "en",
		",,;;q=,":                       "en",
	} {
		if got := m.banner.language(header); got != want {
			t.Errorf("language(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestReturnPath(t *testing.T) {
	for in, want := range map[string]string{
		"/shop/cart?item=3":  "/shop/cart?item=3",
		"/a%20b":             "/a%20b",
		"/?q=%zz":            "/?q=%zz", // queries are not parsed
		"/a%2":               "/",
		"/a%zz":              "/",
		"//evil.example/":    "/",
		"/\\evil.example/":   "/",
		"https://evil.test/": "/",
		"relative":           "/",
		"/line\nbreak":       "/",
		"":                   "/",
	} {
		if got := returnPath(in); got != want {
			t.Errorf("returnPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBannerUnderForeignBase(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	page := `<html><head><base href="https://elsewhere.example/blog/"></head><body><p>x</p></body></html>`
	out := pageFor(t, m, page, nil, nil)
	for _, want := range []string{
		`action="https://shop.example.com/.well-known/consent"`,
		`href="https://shop.example.com/.well-known/consent/banner.`,
		`src="https://shop.example.com/.well-known/consent/banner.`,
		`href="https://shop.example.com/.well-known/consent/choices?return=%2Fproducts%3Fid%3D7"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("banner under a foreign <base href> lacks %s:\n%s", want, out)
		}
	}
	// Without <base>, the same visitor gets root-relative URLs.
	out = pageFor(t, m, plainPage, nil, nil)
	if !strings.Contains(out, `action="/.well-known/consent"`) || strings.Contains(out, "https://shop.example.com/.well-known") {
		t.Errorf("banner without <base href> should use root-relative URLs:\n%s", out)
	}
}

// TestBannerRestoresEveryHeldAttribute: the banner script moves back every
// attribute the element table lets the page set aside.
func TestBannerRestoresEveryHeldAttribute(t *testing.T) {
	js := string(bannerAssets()[1].body)
	for _, a := range elements.Restored() {
		if !strings.Contains(js, `"`+a+`"`) {
			t.Errorf("banner.js does not restore %s", a)
		}
	}
	if strings.Contains(js, "/*restored*/") {
		t.Error("banner.js still holds its placeholder")
	}
}
