package middleware

import (
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// post sends a consent POST through m (the next handler must not run).
func post(t *testing.T, m *Middleware, form url.Values, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("POST", "https://shop.example.com/.well-known/consent", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return serve(t, m, func(w http.ResponseWriter, r *http.Request) { t.Error("the endpoint reached the next handler") }, req)
}

func consentCookieOf(t *testing.T, resp *http.Response) string {
	t.Helper()
	for _, l := range resp.Header.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(l, "consentgate="); ok {
			return strings.SplitN(v, ";", 2)[0]
		}
	}
	return ""
}

func TestEndpointReturnValues(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	cases := []struct{ ret, want string }{
		{"/menu.html?x=1#top", "/menu.html?x=1#top"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"menu.html", "/"},
		{"/ok\r\nSet-Cookie: x=1", "/"},
		{"http:/evil.example", "/"},
	}
	for _, c := range cases {
		resp := post(t, m, url.Values{"action": {"accept_all"}, "return": {c.ret}}, map[string]string{"Origin": "https://shop.example.com"})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != c.want {
			t.Errorf("return %q: status %d Location %q, want 303 %q", c.ret, resp.StatusCode, resp.Header.Get("Location"), c.want)
		}
	}
}

func TestEndpointRefusesOtherSites(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	cases := []struct {
		name   string
		header map[string]string
		ok     bool
	}{
		{"same origin", map[string]string{"Origin": "https://shop.example.com"}, true},
		{"cross-site origin", map[string]string{"Origin": "https://evil.example"}, false},
		{"sibling subdomain", map[string]string{"Origin": "https://blog.example.com"}, false},
		{"TLS ended in front", map[string]string{"Origin": "http://shop.example.com"}, true},
		{"opaque origin", map[string]string{"Origin": "null"}, false},
		{"fetch metadata cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
		{"fetch metadata same-site", map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{"fetch metadata same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{"referer elsewhere", map[string]string{"Referer": "https://evil.example/page"}, false},
		{"referer here", map[string]string{"Referer": "https://shop.example.com/page"}, true},
		{"origin wins over referer", map[string]string{"Origin": "https://evil.example", "Referer": "https://shop.example.com/"}, false},
	}
	for _, c := range cases {
		resp := post(t, m, url.Values{"action": {"accept_all"}}, c.header)
		got := resp.StatusCode != http.StatusForbidden
		if got != c.ok {
			t.Errorf("%s: status %d, want allowed=%v", c.name, resp.StatusCode, c.ok)
		}
		if !c.ok && len(resp.Header.Values("Set-Cookie")) > 0 {
			t.Errorf("%s: refused POST set cookies %q", c.name, resp.Header.Values("Set-Cookie"))
		}
	}
}

func TestEndpointCookie(t *testing.T) {
	m := newTestMiddleware(t, Config{CookieMaxAge: 30 * 24 * time.Hour})
	req := httptest.NewRequest("POST", "https://shop.example.com/.well-known/consent", strings.NewReader("action=save&category=analytics&category=necessary"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://shop.example.com")
	req.TLS = &tls.ConnectionState{}
	resp := serve(t, m, nil, req)
	var line string
	for _, l := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(l, "consentgate=") {
			line = l
		}
	}
	for _, attr := range []string{"; Path=/", "; Max-Age=2592000", "; HttpOnly", "; SameSite=Lax", "; Secure"} {
		if !strings.Contains(line, attr) {
			t.Errorf("consent cookie %q lacks %q", line, attr)
		}
	}
	v, ok := decodeConsentCookie(m.Rules(), strings.SplitN(strings.TrimPrefix(line, "consentgate="), ";", 2)[0])
	if !ok {
		t.Fatalf("cookie %q does not decode", line)
	}
	want, _ := m.Rules().Set(rules.Analytics)
	if v.granted != want || v.method != methodBanner || v.revision != "1" {
		t.Errorf("decoded %+v, want analytics only from the banner", v)
	}
}

func TestEndpointJSON(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	req := httptest.NewRequest("POST", "https://shop.example.com/.well-known/consent", strings.NewReader(`{"action":"save","categories":["preferences","marketing"],"return":"/x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://shop.example.com")
	resp := serve(t, m, nil, req)
	var d struct {
		Decided bool
		Granted []string
		Denied  []string
		ID      string
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if !d.Decided || strings.Join(d.Granted, ",") != "necessary,preferences,marketing" || strings.Join(d.Denied, ",") != "analytics" || len(d.ID) != consentIDLen {
		t.Errorf("JSON decision %+v", d)
	}
	if consentCookieOf(t, resp) == "" {
		t.Error("no consent cookie set")
	}
	// GET reads it back.
	get := httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent", nil)
	get.Header.Set("Cookie", "consentgate="+consentCookieOf(t, resp))
	var back struct {
		Decided bool
		Granted []string
		ID      string
	}
	json.NewDecoder(serve(t, m, nil, get).Body).Decode(&back)
	if !back.Decided || back.ID != d.ID || len(back.Granted) != 3 {
		t.Errorf("GET gives %+v, want the decision just made", back)
	}
}

func TestEndpointBadInput(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	origin := map[string]string{"Origin": "https://shop.example.com"}
	for _, form := range []url.Values{
		{},
		{"action": {"grant_everything"}},
		{"action": {"save"}, "category": {"tracking"}},
	} {
		resp := post(t, m, form, origin)
		if resp.StatusCode != http.StatusBadRequest || consentCookieOf(t, resp) != "" {
			t.Errorf("%v: status %d cookie %q, want 400 and nothing set", form, resp.StatusCode, consentCookieOf(t, resp))
		}
	}
	huge := url.Values{"action": {"accept_all"}, "return": {strings.Repeat("a", maxEndpointBody)}}
	if resp := post(t, m, huge, origin); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized body: status %d", resp.StatusCode)
	}
	req := httptest.NewRequest("POST", "https://shop.example.com/.well-known/consent", strings.NewReader(`{"action":`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://shop.example.com")
	if resp := serve(t, m, nil, req); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("truncated JSON: status %d", resp.StatusCode)
	}
	put := httptest.NewRequest("PUT", "https://shop.example.com/.well-known/consent", nil)
	if resp := serve(t, m, nil, put); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: status %d", resp.StatusCode)
	}
}

func TestWithdrawalExpiresAndRecords(t *testing.T) {
	logs := &recordedLogs{}
	m := newTestMiddleware(t, Config{RecordLogger: slog.New(logs)})
	rs := m.Rules()
	analytics, _ := rs.Set(rules.Analytics)
	had := encodeConsentCookie(rs, cookieValue{granted: analytics, denied: rs.Optional() &^ analytics, revision: "1", time: time.Now(), id: "AAAAAAAAAAAAAAAAAAAAAA", method: methodBanner})
	resp := post(t, m, url.Values{"action": {"reject_all"}}, map[string]string{
		"Origin": "https://shop.example.com",
		"Cookie": "consentgate=" + had + "; _ga=GA1.2.3; _hjSessionUser_1=x; PHPSESSID=s",
	})
	var expired []string
	for _, l := range resp.Header.Values("Set-Cookie") {
		if strings.Contains(l, "Max-Age=0") {
			expired = append(expired, strings.SplitN(l, "=", 2)[0])
		}
	}
	joined := strings.Join(expired, ",")
	if !strings.Contains(joined, "_ga") || !strings.Contains(joined, "_hjSessionUser_1") || strings.Contains(joined, "PHPSESSID") {
		t.Errorf("expired %q: want _ga and Hotjar's cookie, not the session", joined)
	}
	entries := logs.all()
	if len(entries) != 1 {
		t.Fatalf("%d records, want 1", len(entries))
	}
	f := entries[0]
	if f["msg"] != "consent" || f["level"] != "INFO" || f["consent_id"] != "AAAAAAAAAAAAAAAAAAAAAA" || f["action"] != "reject_all" || f["source"] != "banner_form" || f["client_ip"] != "192.0.2.0/24" {
		t.Errorf("record %v", f)
	}
	if w, _ := f["withdrawn"].([]string); len(w) != 1 || w[0] != "analytics" {
		t.Errorf("record withdrawn = %v, want [analytics]", f["withdrawn"])
	}
}

func TestGPCJSON(t *testing.T) {
	m := newTestMiddleware(t, Config{GPCLastUpdate: "2026-01-15"})
	resp := serve(t, m, nil, httptest.NewRequest("GET", "https://shop.example.com/.well-known/gpc.json", nil))
	if got := strings.TrimSpace(body(t, resp)); got != `{"gpc":true,"lastUpdate":"2026-01-15"}` || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("gpc.json = %s (%s)", got, resp.Header.Get("Content-Type"))
	}
}

func TestBannerAssets(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	for _, a := range bannerAssets() {
		req := httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent/"+a.name, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp := serve(t, m, nil, req)
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: status %d, headers %v", a.name, resp.StatusCode, resp.Header)
		}
	}
	resp := serve(t, m, nil, httptest.NewRequest("GET", "https://shop.example.com/.well-known/consent/banner.0000000000.js", nil))
	if resp.StatusCode != 404 {
		t.Errorf("stale asset name: status %d, want 404", resp.StatusCode)
	}
}

// TestRecordsByDefault: a net/http user who sets no logger still gets the
// consent records, on slog.Default(), marked as records.
func TestRecordsByDefault(t *testing.T) {
	logs := &recordedLogs{}
	prev := slog.Default()
	slog.SetDefault(slog.New(logs))
	t.Cleanup(func() { slog.SetDefault(prev) })
	m := newTestMiddleware(t, Config{})
	post(t, m, url.Values{"action": {"accept_all"}}, map[string]string{"Origin": "https://shop.example.com"})
	var records []map[string]any
	for _, e := range logs.all() {
		if e["logger"] == "consentgate.records" {
			records = append(records, e)
		}
	}
	if len(records) != 1 || records[0]["msg"] != "consent" || records[0]["action"] != "accept_all" {
		t.Errorf("records on slog.Default(): %v (all entries: %v)", records, logs.all())
	}
}

// TestGuardReport: the run-time guard's reports (mode report) reach the
// log and OnFinding; malformed or cross-site ones are refused.
func TestGuardReport(t *testing.T) {
	var got []Finding
	m := newTestMiddleware(t, Config{Mode: ModeReport, OnFinding: func(r *http.Request, f Finding) { got = append(got, f) }})
	send := func(body string, origin string) int {
		req := httptest.NewRequest("POST", "https://shop.example.com/.well-known/consent/report", strings.NewReader(body))
		req.Header.Set("Content-Type", "text/plain;charset=UTF-8")
		req.Header.Set("Origin", origin)
		return serve(t, m, nil, req).StatusCode
	}
	ok := `{"v":1,"page":"/shop","items":[{"kind":"fetch","url":"https://www.google-analytics.com/g/collect","vendor":"google-analytics","missing":["analytics"]}]}`
	if s := send(ok, "https://shop.example.com"); s != http.StatusNoContent {
		t.Fatalf("report: status %d", s)
	}
	if len(got) != 1 || got[0].Kind != "runtime-fetch" || got[0].Vendor != "google-analytics" || got[0].URL != "https://www.google-analytics.com/g/collect" ||
		len(got[0].Categories) != 1 || got[0].Categories[0] != "analytics" || !got[0].Reported {
		t.Errorf("findings %+v", got)
	}
	if s := send(ok, "https://evil.example"); s != http.StatusForbidden {
		t.Errorf("a report from another site: status %d", s)
	}
	for _, bad := range []string{`{}`, `{"v":2,"items":[]}`, `not json`, `{"v":1,"items":[` + strings.Repeat(`{},`, 100) + `{}]}`} {
		if s := send(bad, "https://shop.example.com"); s != http.StatusBadRequest {
			t.Errorf("%.40s: status %d, want 400", bad, s)
		}
	}
}
