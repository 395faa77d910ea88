package middleware

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/rules"
)

const youtubeFrame = `<iframe width="560" height="315" src="https://www.youtube.com/embed/xyz" title="Video" allowfullscreen></iframe>`

// placeholders returns the placeholders of a page, as a browser parses
// it.
func placeholders(doc *html.Node) []*html.Node {
	return findAll(doc, is("", "data-consent-placeholder"))
}

// nextElement returns the element after n among its siblings.
func nextElement(n *html.Node) *html.Node {
	for s := n.NextSibling; s != nil; s = s.NextSibling {
		if s.Type == html.ElementNode {
			return s
		}
	}
	return nil
}

// checkPlaceholder checks a placeholder as a browser builds it: for
// vendor, right before the frame it stands for, with a form (its own, or
// the one its controls name) that grants the vendor and comes back.
func checkPlaceholder(t *testing.T, doc, ph *html.Node, vendor, ret string) {
	t.Helper()
	if id, _ := attrOf(ph, "data-consent-placeholder"); id != vendor {
		t.Errorf("placeholder for %q, want %q", id, vendor)
	}
	if next := nextElement(ph); next == nil || next.Data != "iframe" || attrValue(next, "data-consent-src") == "" {
		t.Errorf("the placeholder of %s is not right before its neutralised frame", vendor)
	}
	button := findOne(t, ph, "grant button", is("button", "name=action", "value=grant"))
	form := findAll(ph, is("form"))
	if len(form) == 0 {
		id := attrValue(button, "form")
		form = findAll(doc, is("form", "id="+id))
		if id == "" || len(form) != 1 {
			t.Fatalf("the placeholder of %s has no form", vendor)
		}
		for p := form[0].Parent; p != nil; p = p.Parent {
			if p.Data == "form" {
				t.Error("the placeholder's form is inside another")
			}
		}
	}
	f := form[0]
	if attrValue(f, "method") != "post" || attrValue(f, "action") != "/.well-known/consent" {
		t.Errorf("placeholder form: method %q, action %q", attrValue(f, "method"), attrValue(f, "action"))
	}
	data := formData(t, doc, f, "action=grant", nil)
	if data.Get("vendor") != vendor || data.Get("return") != ret || !strings.HasPrefix(data.Get("shown"), "p.") || len(data) != 4 {
		t.Errorf("the placeholder's form sends %v", data)
	}
	if len(findAll(ph, is("a", "href=/.well-known/consent/declaration"))) != 1 {
		t.Error("the placeholder does not link to the cookie declaration")
	}
	box := findOne(t, ph, "box", is("div", "class=cg-ph-box"))
	for _, ref := range []string{"aria-labelledby", "aria-describedby"} {
		id := attrValue(box, ref)
		if id == "" || len(findAll(ph, is("", "id="+id))) != 1 {
			t.Errorf("the placeholder's %s names %q, which it does not hold", ref, id)
		}
	}
}

func attrValue(n *html.Node, name string) string {
	v, _ := attrOf(n, name)
	return v
}

// TestPlaceholderPerBlockedFrame: each blocked frame that shows gets a
// placeholder before it, whatever holds the frame: the placeholder stays
// whole in a browser's tree, and the page's own elements keep theirs.
func TestPlaceholderPerBlockedFrame(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	maps := `<iframe src="https://www.google.com/maps/embed?pb=1" width="600" height="450" style="border:0"></iframe>`
	for _, c := range []struct{ name, body string }{
		{"in a paragraph", `<p>` + youtubeFrame + `</p><p id="after">after</p>`},
		{"in a div", `<div class="video">` + youtubeFrame + `</div>`},
		{"in a figure", `<figure class="wp-block-embed"><div class="wp-block-embed__wrapper">` + youtubeFrame + `</div><figcaption>c</figcaption></figure>`},
		{"in a span in a paragraph", `<p><span>` + youtubeFrame + `</span> and text</p>`},
		{"in a table cell", `<table><tr><td>` + youtubeFrame + `</td></tr></table>`},
		{"in a link", `<a href="/watch">` + youtubeFrame + `</a>`},
		{"bare", youtubeFrame},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := pageFor(t, m, `<!doctype html><html><head><title>t</title></head><body>`+c.body+`</body></html>`, nil, nil)
			doc := parsePage(t, out)
			phs := placeholders(doc)
			if len(phs) != 1 {
				t.Fatalf("%d placeholders, want 1:\n%s", len(phs), out)
			}
			checkPlaceholder(t, doc, phs[0], "youtube", "/products?id=7")
			if n := strings.Count(out, `<link rel="stylesheet" href="/.well-known/consent/banner.`); n != 2 {
				t.Errorf("%d links to the style sheet, want the placeholder's and the banner's", n)
			}
		})
	}
	t.Run("in a form of the page's", func(t *testing.T) {
		page := `<html><body><form id="contact" action="/send" method="post"><input name="name">` + maps + `<input name="email"></form>` + youtubeFrame + `</body></html>`
		out := pageFor(t, m, page, nil, nil)
		doc := parsePage(t, out)
		phs := placeholders(doc)
		if len(phs) != 2 {
			t.Fatalf("%d placeholders, want 2:\n%s", len(phs), out)
		}
		checkPlaceholder(t, doc, phs[0], "google-maps", "/products?id=7")
		checkPlaceholder(t, doc, phs[1], "youtube", "/products?id=7")
		if len(findAll(phs[0], is("form"))) != 0 || len(findAll(phs[1], is("form"))) != 1 {
			t.Error("only the placeholder outside the page's form holds its own")
		}
		// The page's form keeps every field, and sends none of the
		// placeholder's.
		contact := findOne(t, doc, "the page's form", is("form", "id=contact"))
		data := formData(t, doc, contact, "", nil)
		if data.Get("name") != "" || len(data) != 0 {
			t.Errorf("the page's form sends %v", data)
		}
		for _, name := range []string{"name", "email"} {
			in := findOne(t, doc, "input "+name, is("input", "name="+name))
			inside := false
			for p := in.Parent; p != nil; p = p.Parent {
				inside = inside || p == contact
			}
			if !inside {
				t.Errorf("the page's field %s fell out of its form", name)
			}
		}
	})
	t.Run("two frames", func(t *testing.T) {
		out := pageFor(t, m, `<html><body>`+youtubeFrame+maps+youtubeFrame+`</body></html>`, nil, nil)
		doc := parsePage(t, out)
		phs := placeholders(doc)
		if len(phs) != 3 {
			t.Fatalf("%d placeholders, want 3", len(phs))
		}
		for i, want := range []string{"youtube", "google-maps", "youtube"} {
			checkPlaceholder(t, doc, phs[i], want, "/products?id=7")
		}
		if n := strings.Count(out, `<link rel="stylesheet"`); n != 2 {
			t.Errorf("%d style sheet links, want 2 (the first placeholder's, the banner's)", n)
		}
	})
}

// TestPlaceholderNone: no placeholder where it would not work, not show
// or not be wanted.
func TestPlaceholderNone(t *testing.T) {
	wrap := func(body string) string { return `<html><body>` + body + `</body></html>` }
	youtube := strings.Replace(youtubeFrame, `<iframe `, `<iframe %s `, 1)
	frame := func(attrs string) string { return wrap(strings.Replace(youtube, "%s", attrs, 1)) }
	granted := newTestMiddleware(t, Config{})
	for _, c := range []struct {
		name   string
		cfg    Config
		page   string
		header map[string]string
	}{
		{"hidden attribute", Config{}, frame("hidden"), nil},
		{"display none", Config{}, frame(`style="display: None"`), nil},
		{"visibility hidden", Config{}, frame(`style="visibility:hidden"`), nil},
		{"aria-hidden", Config{}, frame(`aria-hidden="true"`), nil},
		{"tiny", Config{}, wrap(`<iframe src="https://www.youtube.com/embed/x" width="1" height="1"></iframe>`), nil},
		{"zero height", Config{}, wrap(`<iframe src="https://www.youtube.com/embed/x" height="0"></iframe>`), nil},
		{"in noscript", Config{}, wrap(`<noscript>` + youtubeFrame + `</noscript>`), nil},
		{"in a template", Config{}, wrap(`<template>` + youtubeFrame + `</template>`), nil},
		{"in srcdoc", Config{}, wrap(`<iframe srcdoc="` + html.EscapeString(youtubeFrame) + `"></iframe>`), nil},
		{"in svg", Config{}, wrap(`<svg><iframe src="https://www.youtube.com/embed/x" width="560" height="315"></iframe></svg>`), nil},
		{"necessary vendor", Config{}, wrap(`<iframe src="https://js.stripe.com/v3/elements-inner-card.html" width="400" height="200"></iframe>`), nil},
		{"granted", Config{}, wrap(youtubeFrame), map[string]string{"Cookie": decidedCookie(granted, rules.Marketing)}},
		{"banner off", Config{Banner: "off"}, wrap(youtubeFrame), nil},
		{"consent manager", Config{CMP: []string{"auto"}}, wrap(youtubeFrame), nil},
		{"remove mode", Config{Mode: ModeRemove}, wrap(youtubeFrame), nil},
		{"report mode", Config{Mode: ModeReport}, wrap(youtubeFrame), nil},
		{"framed page", Config{}, wrap(youtubeFrame), map[string]string{"Sec-Fetch-Dest": "iframe"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := newTestMiddleware(t, c.cfg)
			out := pageFor(t, m, c.page, c.header, nil)
			if strings.Contains(out, "data-consent-placeholder") {
				t.Errorf("a placeholder:\n%s", out)
			}
		})
	}
	// The frame itself is neutralised all the same.
	out := pageFor(t, newTestMiddleware(t, Config{}), frame("hidden"), nil, nil)
	if !strings.Contains(out, `data-consent-src="https://www.youtube.com/embed/xyz"`) {
		t.Errorf("a hidden frame was not neutralised:\n%s", out)
	}
}

// TestPlaceholderMarkup: the placeholder's texts name the vendor in the
// visitor's language, its box takes the frame's size, and what comes from
// the page or the operator is escaped.
func TestPlaceholderMarkup(t *testing.T) {
	m := newTestMiddleware(t, Config{
		Texts:   map[string]map[string]string{"en": {"placeholder_button": `Play <{vendor}>`}},
		Vendors: []rules.Vendor{{ID: "evil", Name: `"><script>alert(1)</script>`, Provider: "Evil & Co", Category: rules.Marketing, Hosts: []string{"evil.example"}}},
	})
	page := `<html><body><iframe src="https://evil.example/x" width="100%" height="240.5px"></iframe></body></html>`
	req := httptest.NewRequest("GET", `https://shop.example.com/p?q="><x>`, nil)
	out := body(t, serve(t, m, htmlHandler(page), req))
	for _, want := range []string{
		`data-consent-placeholder="evil"`,
		`style="--cg-w:100%;--cg-h:240.5px"`,
		`Content from &#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;`,
		`(Evil &amp; Co)`,
		`Play &lt;&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&gt;</button>`,
		`name="return" value="/p?q=&#34;&gt;&lt;x&gt;"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("placeholder lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<script>alert") || strings.Contains(out, "<x>") {
		t.Errorf("something went out unescaped:\n%s", out)
	}

	// Every language has its own texts; the video's mention it is one.
	m = newTestMiddleware(t, Config{})
	english := ""
	for _, lang := range DefaultLanguages() {
		out := pageFor(t, m, `<html><body>`+youtubeFrame+`</body></html>`, map[string]string{"Accept-Language": lang}, nil)
		doc := parsePage(t, out)
		phs := placeholders(doc)
		if len(phs) != 1 || attrValue(phs[0], "lang") != lang {
			t.Fatalf("%s: no placeholder in the language", lang)
		}
		text := textOf(phs[0])
		tx := builtinTexts()[lang]
		for _, k := range []string{"placeholder_text_video", "placeholder_button", "placeholder_title"} {
			want := strings.NewReplacer("{vendor}", "YouTube", "{service}", "YouTube (Google Ireland Limited)", "{choices}", tx["reopen"]).Replace(tx[k])
			if !strings.Contains(text, want) {
				t.Errorf("%s: the placeholder lacks %q: %s", lang, want, text)
			}
		}
		if lang == "en" {
			english = text
		} else if text == english {
			t.Errorf("%s: the placeholder is in English", lang)
		}
	}

	// A vendor's own text, and a nonce for the style sheet under a CSP.
	m = newTestMiddleware(t, Config{Texts: map[string]map[string]string{"sv": {"vendor_youtube_placeholder": "Filmen ligger hos {service}."}}})
	out = pageFor(t, m, `<html><body>`+youtubeFrame+`</body></html>`, map[string]string{"Accept-Language": "sv"},
		map[string]string{"Content-Security-Policy": "script-src 'nonce-abc123'"})
	if !strings.Contains(out, `<p class="cg-ph-text" id="cg-ph-1-d">Filmen ligger hos YouTube (Google Ireland Limited).</p>`) {
		t.Errorf("the vendor's own text is not used:\n%s", out)
	}
	if !strings.Contains(out, `<link rel="stylesheet" href="/.well-known/consent/banner.`+strings.TrimPrefix(bannerAssets()[0].name, "banner.")+`" nonce="abc123">`) {
		t.Errorf("the placeholder's style sheet lacks the nonce:\n%s", out)
	}
}

// TestPlaceholderUnderForeignBase: under a <base href> to another site,
// the placeholder's URLs name this one.
func TestPlaceholderUnderForeignBase(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	out := pageFor(t, m, `<html><head><base href="https://cdn.example/"></head><body>`+youtubeFrame+`</body></html>`, nil, nil)
	for _, want := range []string{`action="https://shop.example.com/.well-known/consent"`, `href="https://shop.example.com/.well-known/consent/declaration"`,
		`<link rel="stylesheet" href="https://shop.example.com/.well-known/consent/banner.`} {
		if !strings.Contains(out, want) {
			t.Errorf("placeholder lacks %s", want)
		}
	}
}

// TestPlaceholderChunked: every chunking of a page gives the same
// placeholders.
func TestPlaceholderChunked(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	page := `<html><body><form action="/f"><p>` + youtubeFrame + `</p></form><div>` + youtubeFrame + `</div></body></html>`
	whole := pageFor(t, m, page, nil, nil)
	if strings.Count(whole, "data-consent-placeholder=") != 2 {
		t.Fatalf("want 2 placeholders:\n%s", whole)
	}
	for _, size := range []int{1, 2, 5, 13, 64} {
		out := body(t, serve(t, m, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			for i := 0; i < len(page); i += size {
				w.Write([]byte(page[i:min(i+size, len(page))]))
				w.(http.Flusher).Flush()
			}
		}, httptest.NewRequest("GET", "https://shop.example.com/products?id=7", nil)))
		if out != whole {
			t.Errorf("chunks of %d give a different page", size)
		}
	}
}

// TestPlaceholderTemplate: an operator's template replaces the markup; a
// broken or missing one fails at New.
func TestPlaceholderTemplate(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "placeholder.html")
	writeFile(t, tmpl, `<div data-consent-placeholder="{{.Vendor.ID}}" class="mine"><form method="post" action="{{.Endpoint}}">`+
		`<input type="hidden" name="vendor" value="{{.Vendor.ID}}"><input type="hidden" name="return" value="{{.Return}}">`+
		`<button name="action" value="grant">{{.Button}}</button></form><a href="{{.Declaration}}">{{.T.declaration_link}}</a> {{.Vendor.Provider}}</div>`)
	m := newTestMiddleware(t, Config{PlaceholderTemplate: tmpl})
	out := pageFor(t, m, `<html><body><p>`+youtubeFrame+`</p></body></html>`, nil, nil)
	want := `<div data-consent-placeholder="youtube" class="mine"><form method="post" action="/.well-known/consent"><input type="hidden" name="vendor" value="youtube">` +
		`<input type="hidden" name="return" value="/products?id=7"><button name="action" value="grant">Allow YouTube and load</button></form>` +
		`<a href="/.well-known/consent/declaration">Cookie declaration</a> Google Ireland Limited</div><iframe data-consent="marketing"`
	if !strings.Contains(out, want) {
		t.Errorf("operator template not used:\n%s", out)
	}
	writeFile(t, tmpl, `{{.Vendor.Nope}}`)
	if _, err := New(Config{PlaceholderTemplate: tmpl}); err == nil {
		t.Error("a template that fails to render was accepted")
	}
	writeFile(t, tmpl, `{{if}}`)
	if _, err := New(Config{PlaceholderTemplate: tmpl}); err == nil {
		t.Error("a template that does not parse was accepted")
	}
	if _, err := New(Config{PlaceholderTemplate: filepath.Join(dir, "missing.html")}); err == nil || !os.IsNotExist(unwrapAll(err)) && !strings.Contains(err.Error(), "missing.html") {
		t.Errorf("a missing template: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestPlaceholderShapesAsRendered: the built-in placeholder filled in
// from a cached shape is what the template renders in full.
func TestPlaceholderShapesAsRendered(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	b := m.banner
	v, _ := m.Rules().VendorByID("google-maps")
	for _, lang := range []string{"en", "pl"} {
		bv, _ := m.offerVendor(v, lang, &Consent{rs: m.rs})
		for _, d := range []placeholderData{
			{Lang: lang, T: b.texts[lang], Vendor: bv, Endpoint: b.endpoint, Declaration: b.declaration, Return: `/a?b="c"`, CSS: b.css, Stylesheet: true, ID: "cg-ph-1", n: 1, Width: "600px", Height: "450px"},
			{Lang: lang, T: b.texts[lang], Vendor: bv, Endpoint: b.endpoint, Declaration: b.declaration, Return: "/", CSS: b.css, ID: "cg-ph-7", n: 7, Width: "100%", Nonce: "n", Shown: "s:1", Form: "cg-ph-7-f"},
		} {
			for range 2 {
				fast, err := b.placeholderHTML(nil, d, "")
				if err != nil {
					t.Fatal(err)
				}
				full, err := b.renderPlaceholder(b.placeholderTexts(d))
				if err != nil {
					t.Fatal(err)
				}
				if string(fast) != string(full) {
					t.Fatalf("the shape gives\n%s\nthe template\n%s", fast, full)
				}
			}
			full, _ := b.renderPlaceholder(b.placeholderTexts(d))
			if has := strings.Contains(string(full), `name="shown" value="s:1"`); has != (d.Shown != "") {
				t.Errorf("shown field present: %v", has)
			}
		}
	}
}

// frameBox runs embedBox on the first <iframe> of a document.
type frameBox struct {
	width, height string
	shown, seen   bool
}

func (f *frameBox) Element(e *htmlrewrite.Element) error {
	if !f.seen {
		f.width, f.height, f.shown = embedBox(e)
		f.seen = true
	}
	return nil
}
func (f *frameBox) Content(*htmlrewrite.Element, []byte, bool) error { return nil }
func (f *frameBox) EndTag(*htmlrewrite.EndTag) error                 { return nil }
func (f *frameBox) End(*htmlrewrite.DocumentEnd) error               { return nil }

func TestEmbedBox(t *testing.T) {
	c, err := htmlrewrite.Compile(htmlrewrite.Settings{Elements: []string{"iframe"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		attrs, width, height string
		shown                bool
	}{
		{``, "", "", true},
		{`width="560" height="315"`, "560px", "315px", true},
		{`width=" 560px" height="315.75"`, "560px", "315.75px", true},
		{`width="100%" height="50%"`, "100%", "", true},
		{`width="x" height="-4"`, "", "", true},
		{`width="49" height="300"`, "", "", false},
		{`width="300" height="0"`, "", "", false},
		{`width="12345678"`, "", "", true},
		{`style="DISPLAY :` + "\t" + `none"`, "", "", false},
		{`style="visibility: hidden; width: 300px"`, "", "", false},
		{`hidden`, "", "", false},
		{`aria-hidden=" TRUE "`, "", "", false},
		{`aria-hidden="false" width="640"`, "640px", "", true},
	} {
		var f frameBox
		rw := htmlrewrite.New(io.Discard, c, &f)
		if _, err := rw.Write([]byte(`<iframe ` + tc.attrs + `></iframe>`)); err != nil {
			t.Fatal(err)
		}
		rw.Close()
		if !f.seen || f.width != tc.width || f.height != tc.height || f.shown != tc.shown {
			t.Errorf("%s: (%q, %q, %v), want (%q, %q, %v)", tc.attrs, f.width, f.height, f.shown, tc.width, tc.height, tc.shown)
		}
	}
}

// BenchmarkPlaceholderPage measures a small page with a YouTube video for
// an undecided visitor (the video gets its placeholder) against the same
// page for a visitor who allowed marketing (no placeholder), in the same
// run.
func BenchmarkPlaceholderPage(b *testing.B) {
	m, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	page := []byte(`<!doctype html><html><head><title>t</title></head><body><h1>Bake along</h1><p>` + youtubeFrame + `</p></body></html>`)
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	for _, c := range []struct{ name, cookie string }{
		{"allowed", decidedCookie(m, rules.Marketing)},
		{"placeholder", "lang=sv"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "https://www.example.com/watch", nil)
			w := &benchWriter{h: http.Header{}}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req.Header = http.Header{"Cookie": {c.cookie}, "Accept-Language": {"sv"}}
				clear(w.h)
				h.ServeHTTP(w, req)
			}
		})
	}
}

// TestPlaceholderOptInFrame: a frame the site marked itself
// (data-consent, data-consent-src) gets a placeholder for its vendor while
// refused, and its src back once allowed, by category or vendor.
func TestPlaceholderOptInFrame(t *testing.T) {
	m := newTestMiddleware(t, Config{Vendors: []rules.Vendor{{ID: "bakery-tv", Name: "Bakery TV", Provider: "Bakery TV AB", Category: rules.Marketing}}})
	vimeo := `<iframe data-consent="marketing" data-consent-src="https://player.vimeo.com/video/76979871" width="640" height="360"></iframe>`
	own := `<iframe data-consent="marketing" data-consent-vendor="bakery-tv" data-consent-src="/tv/embed/1" width="640" height="360"></iframe>`
	unknown := `<iframe data-consent="marketing" data-consent-src="/tv/embed/2" width="640" height="360"></iframe>`
	page := `<html><body>` + vimeo + own + unknown + `</body></html>`

	doc := parsePage(t, pageFor(t, m, page, nil, nil))
	phs := placeholders(doc)
	if len(phs) != 2 {
		t.Fatalf("%d placeholders, want Vimeo's and Bakery TV's", len(phs))
	}
	checkPlaceholder(t, doc, phs[0], "vimeo", "/products?id=7")
	checkPlaceholder(t, doc, phs[1], "bakery-tv", "/products?id=7")
	if frame := nextElement(phs[0]); attrValue(frame, "data-consent") != "analytics marketing" {
		t.Errorf("Vimeo's frame is marked %q, want what the site and the rules need", attrValue(frame, "data-consent"))
	}
	if got := switches(t, bannerForm(t, doc)); len(got["marketing"]) != 1 || len(got["analytics"]) != 1 {
		t.Errorf("the marked frames' vendors are not in the customise layer: %v", got)
	}

	// Vimeo (statistics in the catalogue) needs both what the site says
	// and what the rules say.
	out := pageFor(t, m, page, map[string]string{"Cookie": decidedCookie(m, rules.Marketing)}, nil)
	if !strings.Contains(out, `<iframe data-consent-vendor="bakery-tv" src="/tv/embed/1"`) || !strings.Contains(out, `<iframe src="/tv/embed/2"`) ||
		strings.Contains(out, ` src="https://player.vimeo.com`) || strings.Count(out, "data-consent-placeholder=") != 1 {
		t.Errorf("marketing granted: the site's frames must start, Vimeo not:\n%s", out)
	}
	_, vimeoOnly := decisionAfter(t, m, map[string][]string{"action": {"grant"}, "vendor": {"vimeo"}}, "")
	out = pageFor(t, m, page, map[string]string{"Cookie": vimeoOnly}, nil)
	if !strings.Contains(out, `<iframe src="https://player.vimeo.com/video/76979871"`) || strings.Contains(out, `data-consent-placeholder="vimeo"`) || !strings.Contains(out, `data-consent-placeholder="bakery-tv"`) {
		t.Errorf("Vimeo allowed on its own:\n%s", out)
	}
}
