package middleware

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDeclaration: after the demo's kind of traffic (GA4, the Meta pixel,
// Hotjar on a page; their cookies and one no rule knows), the declaration
// lists those vendors with their provider and cookies, with purpose and
// lifetime, in the visitor's language, and the unknown cookie by name in
// a section of its own; vendors never met are not listed.
func TestDeclaration(t *testing.T) {
	m := newTestMiddleware(t, Config{Texts: map[string]map[string]string{"de": {"declaration_title": "Unsere Cookies"}}})
	page := `<html><head><script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>` +
		`<script>(function(h,o,t,j,a,r){h.hj=h.hj||function(){};h._hjSettings={hjid:1};a=o.getElementsByTagName('head')[0];` +
		`r=o.createElement('script');r.src='https://static.hotjar.com/c/hotjar-'+h._hjSettings.hjid+'.js';})(window,document);</script>` +
		`</head><body><img src="https://www.facebook.com/tr?id=1&ev=PageView"></body></html>`
	resp := serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Add("Set-Cookie", "_ga=GA1.1.1; Path=/")
		w.Header().Add("Set-Cookie", "bakery_theme=dark; Path=/")
		w.Write([]byte(page))
	}, withCookie("_fbp=fb.1.2; PHPSESSID=s"))
	body(t, resp)

	get := func(accept, lang string) string {
		req := httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent/declaration", nil)
		req.Header.Set("Accept", accept)
		req.Header.Set("Accept-Language", lang)
		resp := serve(t, m, nil, req)
		if resp.StatusCode != 200 {
			t.Fatalf("declaration: status %d", resp.StatusCode)
		}
		return body(t, resp)
	}
	var d declarationData
	if err := json.Unmarshal([]byte(get("application/json", "en")), &d); err != nil {
		t.Fatal(err)
	}
	vendors := map[string]declaredVendor{}
	for _, c := range d.Categories {
		for _, v := range c.Vendors {
			vendors[v.ID] = v
		}
	}
	cookie := func(vendor, name string) declaredCookie {
		for _, c := range vendors[vendor].Cookies {
			if c.Name == name {
				return c
			}
		}
		t.Errorf("%s: no cookie %s in %+v", vendor, name, vendors[vendor].Cookies)
		return declaredCookie{}
	}
	if ga := vendors["google-analytics"]; !strings.Contains(ga.Provider, "Google") {
		t.Errorf("Google Analytics: provider %q", ga.Provider)
	}
	if c := cookie("google-analytics", "_ga"); c.Lifetime == "" || c.Purpose == "" {
		t.Errorf("_ga: %+v", c)
	}
	if fb := vendors["meta-pixel"]; !strings.Contains(fb.Provider, "Meta") || cookie("meta-pixel", "_fbp").Lifetime == "" {
		t.Errorf("Meta pixel: %+v", fb)
	}
	hj := vendors["hotjar"]
	patterns := 0
	for _, c := range hj.Cookies {
		if strings.HasSuffix(c.Name, "*") {
			patterns++
		}
	}
	if patterns == 0 {
		t.Errorf("Hotjar's cookie patterns missing: %+v", hj.Cookies)
	}
	if _, listed := vendors["criteo"]; listed {
		t.Error("a vendor never met in traffic is declared")
	}
	if len(d.Unclassified) != 1 || d.Unclassified[0] != "bakery_theme" {
		t.Errorf("unclassified cookies %v, want [bakery_theme]", d.Unclassified)
	}

	html := get("text/html", "sv")
	for _, want := range []string{`<html lang="sv">`, "Cookieförklaring", "<code>_ga</code>", "Leverantör", "<code>bakery_theme</code>", "Cookies som ännu inte klassificerats"} {
		if !strings.Contains(html, want) {
			t.Errorf("Swedish declaration lacks %q", want)
		}
	}
	if html := get("text/html", "de"); !strings.Contains(html, "<h1>Unsere Cookies</h1>") {
		t.Error("the operator's text is not used")
	}

	all := newTestMiddleware(t, Config{Declaration: DeclarationAll})
	req := httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent/declaration?format=json", nil)
	if b := body(t, serve(t, all, nil, req)); !strings.Contains(b, `"id": "criteo"`) {
		t.Error("declaration all does not list the whole catalogue")
	}
}

// TestDeclarationTextsComplete: every language of the banner has every
// declaration text, translated.
func TestDeclarationTextsComplete(t *testing.T) {
	texts := declarationTexts()
	en := texts["en"]
	for _, lang := range DefaultLanguages() {
		tl, ok := texts[lang]
		if !ok {
			t.Errorf("no declaration texts in %s", lang)
			continue
		}
		for k := range en {
			if tl[k] == "" {
				t.Errorf("%s: %s missing", lang, k)
			}
		}
		if lang != "en" && tl["declaration_intro"] == en["declaration_intro"] {
			t.Errorf("%s: the intro is English", lang)
		}
	}
}
