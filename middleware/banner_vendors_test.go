package middleware

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/consentgate/consentgate/rules"
)

// parsePage parses a page as a browser does.
func parsePage(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the elements under n for which match is true, in
// document order.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

// findOne returns the one element under n for which match is true.
func findOne(t *testing.T, n *html.Node, what string, match func(*html.Node) bool) *html.Node {
	t.Helper()
	all := findAll(n, match)
	if len(all) != 1 {
		t.Fatalf("%d elements %s, want 1", len(all), what)
	}
	return all[0]
}

func attrOf(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

// is matches elements by tag name (or any, for "") and attributes: "name"
// requires the attribute, "name=value" its value.
func is(tag string, attrs ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if tag != "" && n.Data != tag {
			return false
		}
		for _, a := range attrs {
			name, want, hasValue := strings.Cut(a, "=")
			v, ok := attrOf(n, name)
			if !ok || hasValue && v != want {
				return false
			}
		}
		return true
	}
}

// textOf returns the text in n.
func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// formData returns what a browser sends when form is submitted with the
// button named name=value (or none, for ""): its controls (those inside it without a form
// attribute, and those anywhere naming it), hidden inputs and the
// checkboxes ticked, where tick overrides a checkbox's own state (by
// "name=value").
func formData(t *testing.T, doc, form *html.Node, button string, tick map[string]bool) url.Values {
	t.Helper()
	id, _ := attrOf(form, "id")
	owner := func(n *html.Node) *html.Node {
		if f, ok := attrOf(n, "form"); ok {
			if f != "" && f == id {
				return form
			}
			return nil
		}
		for p := n.Parent; p != nil; p = p.Parent {
			if p.Type == html.ElementNode && p.Data == "form" {
				return p
			}
		}
		return nil
	}
	out := url.Values{}
	pressed := false
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Data == "input" || n.Data == "button" }) {
		if owner(n) != form {
			continue
		}
		name, _ := attrOf(n, "name")
		value, _ := attrOf(n, "value")
		typ, _ := attrOf(n, "type")
		_, disabled := attrOf(n, "disabled")
		if name == "" || disabled {
			continue
		}
		switch {
		case n.Data == "button":
			if name+"="+value == button {
				out.Add(name, value)
				pressed = true
			}
		case typ == "hidden":
			out.Add(name, value)
		case typ == "checkbox":
			_, on := attrOf(n, "checked")
			if set, ok := tick[name+"="+value]; ok {
				on = set
			}
			if on {
				out.Add(name, value)
			}
		}
	}
	if !pressed && button != "" {
		t.Fatalf("the form has no button %s", button)
	}
	return out
}

// decisionAfter posts a banner form's data as the browser does and
// returns the decision the endpoint then answers to GET.
func decisionAfter(t *testing.T, m *Middleware, data url.Values, cookie string) (map[string]any, string) {
	t.Helper()
	header := map[string]string{"Origin": "https://shop.example.com"}
	if cookie != "" {
		header["Cookie"] = cookie
	}
	resp := post(t, m, data, header)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("posting %v: status %d: %s", data, resp.StatusCode, body(t, resp))
	}
	cookie = consentCookieFrom(t, resp)
	req := httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent", nil)
	req.Header.Set("Cookie", cookie)
	var d map[string]any
	if err := json.Unmarshal([]byte(body(t, serve(t, m, nil, req))), &d); err != nil {
		t.Fatal(err)
	}
	return d, cookie
}

// switches returns, per category, the values of the vendor switches
// listed under it, and whether each is ticked.
func switches(t *testing.T, banner *html.Node) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, cat := range findAll(banner, is("div", "class=cg-cat")) {
		box := findAll(cat, is("input", "name=category"))
		if len(box) != 1 {
			continue
		}
		name, _ := attrOf(box[0], "value")
		for _, v := range findAll(cat, is("input", "name=vendor")) {
			id, _ := attrOf(v, "value")
			if _, on := attrOf(v, "checked"); on {
				id += "+"
			}
			out[name] = append(out[name], id)
		}
	}
	return out
}

func bannerForm(t *testing.T, doc *html.Node) *html.Node {
	t.Helper()
	banner := findOne(t, doc, "[data-consent-banner]", is("div", "data-consent-banner"))
	return findOne(t, banner, "form in the banner", is("form"))
}

// TestVendorSwitchesUndecided: an undecided visitor's customise layer
// lists the page's vendors under their categories, each folded, unticked,
// labelled and described, and offered; the form posts as the endpoint
// reads it.
func TestVendorSwitchesUndecided(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	doc := parsePage(t, pageFor(t, m, vendorPage, nil, nil))
	form := bannerForm(t, doc)
	got := switches(t, form)
	want := map[string][]string{"analytics": {"google-analytics"}, "marketing": {"meta-pixel", "youtube"}}
	if len(got) != len(want) || !slices.Equal(got["analytics"], want["analytics"]) || !slices.Equal(got["marketing"], want["marketing"]) {
		t.Errorf("switches %v, want %v (all unticked)", got, want)
	}
	for _, d := range findAll(form, is("details", "class=cg-vendors")) {
		if _, open := attrOf(d, "open"); open {
			t.Error("a category's vendors are unfolded from the start")
		}
		if len(findAll(d, is("summary"))) != 1 {
			t.Error("a vendor list without its summary")
		}
	}
	for _, v := range findAll(form, is("input", "name=vendor")) {
		id, _ := attrOf(v, "id")
		if typ, _ := attrOf(v, "type"); typ != "checkbox" {
			t.Errorf("vendor switch %s is a %q input", id, typ)
		}
		label := findOne(t, form, "label for "+id, is("label", "for="+id))
		desc, _ := attrOf(v, "aria-describedby")
		described := findOne(t, form, "description "+desc, is("", "id="+desc))
		value, _ := attrOf(v, "value")
		vendor, _ := m.Rules().VendorByID(value)
		if textOf(label) != vendor.Name || !strings.Contains(textOf(described), vendor.Description) || !strings.Contains(textOf(described), vendor.Provider) {
			t.Errorf("switch %s: label %q, description %q", id, textOf(label), textOf(described))
		}
	}
	data := formData(t, doc, form, "action=save", nil)
	if offered := strings.Fields(data.Get("offered")); !slices.Equal(offered, []string{"google-analytics", "meta-pixel", "youtube"}) {
		t.Errorf("offered %q", data.Get("offered"))
	}

	// Without script the server's semantics apply: a vendor's switch
	// decides for it, whatever its category's.
	d, _ := decisionAfter(t, m, formData(t, doc, form, "action=save", map[string]bool{"category=marketing": true}), "")
	if !sameList(d["granted"], "necessary", "marketing") || !sameList(d["vendors_refused"], "meta-pixel", "youtube") {
		t.Errorf("marketing ticked, its vendors not: %v", d)
	}
	d, _ = decisionAfter(t, m, formData(t, doc, form, "action=save", map[string]bool{"vendor=youtube": true}), "")
	if !sameList(d["granted"], "necessary") || !sameList(d["vendors_granted"], "youtube") || !sameList(d["vendors_refused"]) {
		t.Errorf("YouTube ticked alone: %v", d)
	}
	d, _ = decisionAfter(t, m, formData(t, doc, form, "action=save", map[string]bool{"category=marketing": true, "vendor=youtube": true, "vendor=meta-pixel": true}), "")
	if !sameList(d["granted"], "necessary", "marketing") || !sameList(d["vendors_refused"]) || !sameList(d["vendors_granted"]) {
		t.Errorf("marketing and its vendors ticked: %v", d)
	}
}

// TestVendorSwitchesFollowTheDecision: the switches start from the
// visitor's decision, and list the vendors chosen about before even on a
// page without them, so that a choice can be withdrawn where it was made.
func TestVendorSwitchesFollowTheDecision(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	// Marketing granted, the pixel refused.
	_, noPixel := decisionAfter(t, m, url.Values{"action": {"save"}, "category": {"marketing"}, "vendor": {"youtube"}, "offered": {"meta-pixel youtube"}}, "")
	got := switches(t, bannerForm(t, parsePage(t, pageFor(t, m, vendorPage, map[string]string{"Cookie": noPixel}, nil))))
	if !slices.Equal(got["marketing"], []string{"meta-pixel", "youtube+"}) || !slices.Equal(got["analytics"], []string{"google-analytics"}) {
		t.Errorf("marketing granted, the pixel refused: %v", got)
	}
	// YouTube allowed in its placeholder: listed on a page without it.
	_, youtube := decisionAfter(t, m, url.Values{"action": {"grant"}, "vendor": {"youtube"}}, "")
	doc := parsePage(t, pageFor(t, m, plainPage, map[string]string{"Cookie": youtube}, nil))
	if got := switches(t, bannerForm(t, doc)); len(got) != 1 || !slices.Equal(got["marketing"], []string{"youtube+"}) {
		t.Errorf("YouTube allowed alone, on a page without it: %v", got)
	}
	// Untick it and save: withdrawn.
	d, _ := decisionAfter(t, m, formData(t, doc, bannerForm(t, doc), "action=save", map[string]bool{"vendor=youtube": false}), youtube)
	if !sameList(d["vendors_granted"]) || !sameList(d["granted"], "necessary") {
		t.Errorf("YouTube unticked and saved: %v", d)
	}
	// Everything accepted: the vendors the page uses are listed, ticked,
	// so that one can be refused on its own.
	got = switches(t, bannerForm(t, parsePage(t, pageFor(t, m, vendorPage, map[string]string{"Cookie": decidedCookie(m, rules.Analytics, rules.Marketing, rules.Preferences)}, nil))))
	if !slices.Equal(got["marketing"], []string{"meta-pixel+", "youtube+"}) || !slices.Equal(got["analytics"], []string{"google-analytics+"}) {
		t.Errorf("everything accepted: %v", got)
	}
}

// TestVendorSwitchesLeftOut: vendors that cannot be chosen on their own
// get no switch: necessary ones (always on), and ids the form's offered
// field could not list.
func TestVendorSwitchesLeftOut(t *testing.T) {
	m := newTestMiddleware(t, Config{Vendors: []rules.Vendor{{ID: "two words", Name: "Two words", Category: rules.Marketing, Hosts: []string{"two.example"}}}})
	page := `<html><body><script src="https://js.stripe.com/v3/"></script><img src="https://two.example/p.gif"><img src="https://www.facebook.com/tr?id=1"></body></html>`
	got := switches(t, bannerForm(t, parsePage(t, pageFor(t, m, page, nil, nil))))
	if len(got) != 1 || !slices.Equal(got["marketing"], []string{"meta-pixel"}) {
		t.Errorf("switches %v, want the pixel alone", got)
	}
}

// TestVendorSwitchTexts: vendor names and descriptions can be overridden
// per language, and are escaped.
func TestVendorSwitchTexts(t *testing.T) {
	m := newTestMiddleware(t, Config{
		Texts:   map[string]map[string]string{"de": {"vendor_youtube": "YouTube-Videos", "vendor_youtube_desc": "Videos <b>von</b> Google."}},
		Vendors: []rules.Vendor{{ID: "evil", Name: `<img src=x onerror=alert(1)>`, Description: `"quoted" & <b>`, Category: rules.Marketing, Hosts: []string{"evil.example"}}},
	})
	page := strings.Replace(vendorPage, "</body>", `<img src="https://evil.example/p.gif"></body>`, 1)
	out := pageFor(t, m, page, map[string]string{"Accept-Language": "de"}, nil)
	for _, want := range []string{`<label for="cg-v-youtube">YouTube-Videos</label>`, `Videos &lt;b&gt;von&lt;/b&gt; Google.`,
		`<label for="cg-v-evil">&lt;img src=x onerror=alert(1)&gt;</label>`, `&#34;quoted&#34; &amp; &lt;b&gt;`} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %s", want)
		}
	}
	if strings.Contains(out, "<img src=x") {
		t.Error("a vendor's name went out unescaped")
	}
}

// TestBannerShapesAsRendered: the built-in banner filled in from a cached
// shape is byte for byte what the template renders in full, with vendors,
// a shown id, a nonce and absolute URLs.
func TestBannerShapesAsRendered(t *testing.T) {
	m := newTestMiddleware(t, Config{PolicyURL: "/privacy"})
	_, noPixel := decisionAfter(t, m, url.Values{"action": {"save"}, "category": {"marketing"}, "vendor": {"youtube"}, "offered": {"meta-pixel youtube"}}, "")
	var seen []*rules.Vendor
	for _, id := range []string{"google-analytics", "meta-pixel", "youtube", "google-tag-manager", "intercom"} {
		v, _ := m.Rules().VendorByID(id)
		seen = append(seen, v)
	}
	for _, c := range []struct {
		name, cookie, lang, nonce, shown, origin string
		seen                                     []*rules.Vendor
	}{
		{"undecided", "", "en", "", "", "", seen},
		{"undecided, no vendors", "", "sv", "", "", "", nil},
		{"decided", noPixel, "de", "n0nce", "", "", seen[:3]},
		{"shown and origin", noPixel, "fr", "", `v1:ab"c`, "https://shop.example.com", seen},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", `https://shop.example.com/a?b="<c>"`, nil)
			req.Header.Set("Accept-Language", c.lang)
			if c.cookie != "" {
				req.Header.Set("Cookie", c.cookie)
			}
			consent := m.consentOf(req)
			d := m.bannerData(req, &consent, c.nonce, c.seen, nil, c.origin)
			d.Shown = c.shown
			for range 2 { // the second from the cache
				fast, err := m.banner.html(nil, d)
				if err != nil {
					t.Fatal(err)
				}
				full, err := m.banner.render(d)
				if err != nil {
					t.Fatal(err)
				}
				if string(fast) != string(full) {
					t.Fatalf("the shape gives\n%s\nthe template\n%s", fast, full)
				}
			}
			out, _ := m.banner.render(d)
			if hasShown := strings.Contains(string(out), `<input type="hidden" name="shown" value="`); hasShown != (c.shown != "") {
				t.Errorf("shown field present %v, want %v", hasShown, c.shown != "")
			}
		})
	}
}

// TestTextsComplete: every language has every key the English texts have,
// with the same {placeholders}; the texts of per-vendor consent are
// translated, not English copies.
func TestTextsComplete(t *testing.T) {
	texts := builtinTexts()
	en := texts["en"]
	if len(texts) != 11 {
		t.Errorf("%d languages built in, want 11", len(texts))
	}
	translated := []string{"vendors_hint", "declaration_link", "placeholder_title", "placeholder_text", "placeholder_text_video",
		"placeholder_text_map", "placeholder_button", "placeholder_note"}
	for lang, tx := range texts {
		for k, v := range en {
			got, ok := tx[k]
			if !ok || got == "" {
				t.Errorf("%s lacks %s", lang, k)
				continue
			}
			for _, ph := range []string{"{vendor}", "{service}", "{choices}", "{categories}"} {
				if strings.Contains(v, ph) != strings.Contains(got, ph) {
					t.Errorf("%s.%s and en.%s differ in %s", lang, k, k, ph)
				}
			}
		}
		for k := range tx {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %s, which English lacks", lang, k)
			}
		}
		if lang == "en" {
			continue
		}
		for _, k := range translated {
			if tx[k] == en[k] {
				t.Errorf("%s.%s is the English text", lang, k)
			}
		}
	}
}
