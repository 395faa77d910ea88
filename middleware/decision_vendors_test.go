package middleware

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// vendorPage has GA4 (analytics), the Meta pixel and a YouTube embed
// (marketing both).
const vendorPage = `<!doctype html><html><head><meta charset="utf-8">` +
	`<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script></head><body>` +
	`<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView">` +
	`<iframe src="https://www.youtube.com/embed/xyz" width="560" height="315"></iframe></body></html>`

// consentCookieFrom returns the consent cookie a response set, as a
// request's Cookie header value.
func consentCookieFrom(t *testing.T, resp *http.Response) string {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "consentgate" {
			return "consentgate=" + c.Value
		}
	}
	t.Fatalf("no consent cookie in %v", resp.Header.Values("Set-Cookie"))
	return ""
}

func TestVendorChoices(t *testing.T) {
	logs := &recordedLogs{}
	m := newTestMiddleware(t, Config{Banner: "off", RecordLogger: slog.New(logs)})
	origin := map[string]string{"Origin": "https://shop.example.com"}

	// An undecided visitor presses the placeholder's button for YouTube.
	resp := post(t, m, url.Values{"action": {"grant"}, "vendor": {"youtube"}, "return": {"/watch"}}, origin)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/watch" {
		t.Fatalf("grant: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	youtubeOnly := consentCookieFrom(t, resp)
	if !strings.HasPrefix(youtubeOnly, "consentgate=2.") {
		t.Errorf("a choice about a vendor is a version 2 cookie: %s", youtubeOnly)
	}
	out := pageFor(t, m, vendorPage, map[string]string{"Cookie": youtubeOnly}, nil)
	if !strings.Contains(out, `<iframe src="https://www.youtube.com/embed/xyz"`) {
		t.Errorf("YouTube granted on its own, but its embed is not live:\n%s", out)
	}
	if strings.Contains(out, ` src="https://www.facebook.com`) || strings.Contains(out, ` src="https://www.googletagmanager.com`) {
		t.Errorf("GA4 or the pixel live with only YouTube granted:\n%s", out)
	}
	rec := logs.all()
	if len(rec) != 1 || !slices.Equal(rec[0]["vendors_granted"].([]string), []string{"youtube"}) || len(rec[0]["granted"].([]string)) != 1 {
		t.Errorf("the record of the grant: %v", rec)
	}
	get := func(cookie string) map[string]any {
		req := httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent", nil)
		req.Header.Set("Cookie", cookie)
		var d map[string]any
		if err := json.Unmarshal([]byte(body(t, serve(t, m, nil, req))), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := get(youtubeOnly); d["decided"] != true || !sameList(d["vendors_granted"], "youtube") || !sameList(d["granted"], "necessary") {
		t.Errorf("GET after the grant: %v", d)
	}

	// Marketing granted, but the Meta pixel refused in the customise
	// layer: the form offers both marketing vendors and ticks YouTube.
	resp = post(t, m, url.Values{"action": {"save"}, "category": {"marketing"}, "vendor": {"youtube"},
		"offered": {"youtube meta-pixel"}}, map[string]string{"Origin": "https://shop.example.com", "Cookie": youtubeOnly})
	noPixel := consentCookieFrom(t, resp)
	out = pageFor(t, m, vendorPage, map[string]string{"Cookie": noPixel}, nil)
	if !strings.Contains(out, `<iframe src="https://www.youtube.com/embed/xyz"`) || strings.Contains(out, ` src="https://www.facebook.com`) {
		t.Errorf("marketing granted, the pixel refused: YouTube must be live, the pixel inert:\n%s", out)
	}
	if d := get(noPixel); !sameList(d["vendors_refused"], "meta-pixel") || !sameList(d["vendors_granted"]) || !sameList(d["granted"], "necessary", "marketing") {
		t.Errorf("GET after the save: %v", d)
	}
	// Cookies follow the vendors too: the pixel's are refused, YouTube's
	// kept.
	resp = serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "_fbp=fb.1.2; Path=/")
		w.Header().Add("Set-Cookie", "YSC=abc; Path=/")
		w.WriteHeader(204)
	}, withCookie(noPixel))
	if got := strings.Join(resp.Header.Values("Set-Cookie"), " | "); strings.Contains(got, "_fbp") || !strings.Contains(got, "YSC=abc") {
		t.Errorf("Set-Cookie with the pixel refused and YouTube granted: %s", got)
	}

	// JSON, as the banner script sends it.
	req := httptest.NewRequest("POST", "https://shop.example.com/.well-known/consent", strings.NewReader(`{"action":"save","categories":["analytics"],"vendors":["hotjar"],"offered":["hotjar","google-analytics"],"return":"/"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://shop.example.com")
	var d map[string]any
	if err := json.Unmarshal([]byte(body(t, serve(t, m, nil, req))), &d); err != nil {
		t.Fatal(err)
	}
	if !sameList(d["vendors_refused"], "google-analytics") || !sameList(d["vendors_granted"]) || !sameList(d["granted"], "necessary", "analytics") {
		t.Errorf("JSON save: %v (hotjar is analytics: ticked with its category, no choice needed)", d)
	}

	// Accept all and reject all clear the choices.
	resp = post(t, m, url.Values{"action": {"reject_all"}}, map[string]string{"Origin": "https://shop.example.com", "Cookie": noPixel})
	if c := consentCookieFrom(t, resp); !strings.HasPrefix(c, "consentgate=1.") {
		t.Errorf("reject all keeps choices about vendors: %s", c)
	}

	// Bad requests.
	for _, form := range []url.Values{
		{"action": {"grant"}},
		{"action": {"grant"}, "vendor": {"no-such-vendor"}},
		{"action": {"save"}, "offered": {"youtube no-such-vendor"}},
	} {
		if resp := post(t, m, form, origin); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%v: status %d, want 400", form, resp.StatusCode)
		}
	}
}

// TestVendorCookieSize: a consent cookie with every catalogue vendor
// chosen, against its categories, stays under a kilobyte.
func TestVendorCookieSize(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	rs := m.Rules()
	for _, granted := range []bool{true, false} {
		var vc vendorChoices
		for _, v := range rs.Vendors() {
			vc = vc.with(v.ID, granted)
		}
		cats := rules.CategorySet(0)
		if !granted {
			cats = rs.Optional()
		}
		vc = m.normalise(cats, vc)
		value := encodeConsentCookie(rs, cookieValue{granted: cats, denied: rs.Optional() &^ cats, revision: "1", time: time.Now(), id: newConsentID(), method: methodBanner, vendors: vc})
		line := "consentgate=" + value
		if len(line) >= 1024 {
			t.Errorf("every vendor %v on its own: the cookie is %d bytes", granted, len(line))
		}
		back, ok := decodeConsentCookie(rs, value)
		if !ok || !slices.Equal(back.vendors, vc) {
			t.Errorf("every vendor %v on its own does not read back", granted)
		}
		t.Logf("%d vendors %s on their own: cookie of %d bytes", len(vc), grantedWord(granted), len(line))
	}
}

// TestConsentManagerVendors: a consent manager's per-service choices are
// enforced vendor by vendor (Klaro: YouTube allowed, Google Analytics
// not, whatever their categories).
func TestConsentManagerVendors(t *testing.T) {
	m := newTestMiddleware(t, Config{CMP: []string{"klaro"}})
	klaro := url.QueryEscape(`{"youtube":true,"google-analytics":false}`)
	out := pageFor(t, m, vendorPage, map[string]string{"Cookie": "klaro=" + klaro}, nil)
	if !strings.Contains(out, `<iframe src="https://www.youtube.com/embed/xyz"`) || strings.Contains(out, ` src="https://www.googletagmanager.com`) {
		t.Errorf("Klaro allowed YouTube and refused Google Analytics:\n%s", out)
	}
}

func withCookie(cookie string) *http.Request {
	req := httptest.NewRequest("GET", "https://shop.example.com/", nil)
	req.Header.Set("Cookie", cookie)
	return req
}

// sameList reports whether a JSON list holds exactly want, in any order.
func sameList(v any, want ...string) bool {
	list, ok := v.([]any)
	if !ok || len(list) != len(want) {
		return false
	}
	for _, x := range list {
		if s, ok := x.(string); !ok || !slices.Contains(want, s) {
			return false
		}
	}
	return true
}

// TestBannerListsCookieVendors: a vendor whose only trace on a page is a
// cookie (sent by the browser, or set by the response) appears in the
// customise layer too, with its switch.
func TestBannerListsCookieVendors(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	out := body(t, serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Add("Set-Cookie", "_hjSessionUser_1=x; Path=/")
		w.Write([]byte("<!doctype html><html><head><title>t</title></head><body><p>No tags.</p></body></html>"))
	}, withCookie("_fbp=fb.1.2; PHPSESSID=s")))
	for _, id := range []string{"meta-pixel", "hotjar"} {
		if !strings.Contains(out, `name="vendor" value="`+id+`"`) {
			t.Errorf("the customise layer has no switch for %s, whose cookie the page carries:\n%s", id, out)
		}
	}
}
