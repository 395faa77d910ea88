package middleware

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestEntryPointsAgree runs every kind of response through Handler and
// through httputil.ReverseProxy with FilterRequest and ModifyResponse, and
// requires the same status, header and bytes from both: the response plan
// is one.
func TestEntryPointsAgree(t *testing.T) {
	const trackerPage = `<!doctype html><html><head><title>t</title>` +
		`<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script></head>` +
		`<body><img src="https://www.facebook.com/tr?id=1"><p>Hello</p></body></html>`
	type upstream struct {
		status int
		header map[string]string
		body   []byte
	}
	html := map[string]string{"Content-Type": "text/html; charset=utf-8"}
	cases := []struct {
		name    string
		method  string
		request map[string]string
		up      upstream
		mode    string
		cmp     bool
	}{
		{name: "HTML", up: upstream{200, html, []byte(trackerPage)}},
		{name: "HTML without Content-Type", up: upstream{200, nil, []byte(trackerPage)}},
		{name: "HTML with an empty Content-Type", up: upstream{200, map[string]string{"Content-Type": ""}, []byte(trackerPage)}},
		{name: "JSON without Content-Type", up: upstream{200, map[string]string{"Set-Cookie": "_ga=1; Path=/"}, []byte(`{"a":"<b>"}`)}},
		{name: "JSON", up: upstream{200, map[string]string{"Content-Type": "application/json", "Set-Cookie": "_ga=1; Path=/"}, []byte(`{}`)}},
		{name: "HEAD of HTML", method: "HEAD", up: upstream{200, map[string]string{"Content-Type": "text/html", "ETag": `"x"`, "Set-Cookie": "_fbp=1"}, nil}},
		{name: "HEAD without Content-Type", method: "HEAD", up: upstream{200, nil, nil}},
		{name: "gzip HTML", request: map[string]string{"Accept-Encoding": "gzip"},
			up: upstream{200, map[string]string{"Content-Type": "text/html", "Content-Encoding": "gzip"}, nil}},
		{name: "partial content", up: upstream{206, map[string]string{"Content-Type": "text/html", "Content-Range": "bytes 0-9/100", "Set-Cookie": "_ga=1"}, []byte(trackerPage[:10])}},
		{name: "no content", up: upstream{204, map[string]string{"Set-Cookie": "_ga=1"}, nil}},
		{name: "not modified", up: upstream{304, map[string]string{"ETag": `"x"`}, nil}},
		{name: "redirect", up: upstream{302, map[string]string{"Location": "/next", "Set-Cookie": "_gid=1"}, nil}},
		{name: "refused cookies expire", request: map[string]string{"Cookie": "_ga=GA1.2.3; PHPSESSID=s"}, up: upstream{200, html, []byte(trackerPage)}},
		{name: "signals refuse everything", request: map[string]string{"Sec-GPC": "1", "DNT": "1"}, up: upstream{200, html, []byte(trackerPage)}},
		{name: "consent manager decision", cmp: true, request: map[string]string{"Cookie": "cookieyes-consent=consentid:abc,consent:yes,action:yes,necessary:yes,functional:no,analytics:yes,performance:yes,advertisement:no"},
			up: upstream{200, html, []byte(trackerPage)}},
		{name: "report mode", mode: ModeReport, up: upstream{200, map[string]string{"Content-Type": "text/html", "Set-Cookie": "_ga=1", "Content-Length": "-"}, []byte(trackerPage)}},
		{name: "report mode without Content-Type", mode: ModeReport, up: upstream{200, nil, []byte(trackerPage)}},
		{name: "redirect to a refused tracker, followed", request: map[string]string{"Sec-Fetch-Mode": "navigate", "Accept-Language": "sv"},
			up: upstream{302, map[string]string{"Location": "https://ad.doubleclick.net/ddm/clk/1;2?https://shop.example/x"}, nil}},
		{name: "redirect to a refused tracker, an image", request: map[string]string{"Sec-Fetch-Mode": "no-cors"},
			up: upstream{307, map[string]string{"Location": "https://www.facebook.com/tr?id=1"}, nil}},
		{name: "redirect to a refused tracker in report mode", mode: ModeReport,
			up: upstream{302, map[string]string{"Location": "https://www.facebook.com/tr?id=1"}, nil}},
		{name: "report endpoints naming trackers", up: upstream{200, map[string]string{"Content-Type": "application/json",
			"Content-Security-Policy":             "default-src 'self'; report-uri https://www.google-analytics.com/csp /csp-reports; report-to main",
			"Content-Security-Policy-Report-Only": "img-src 'none'; report-uri https://connect.facebook.net/csp",
			"Reporting-Endpoints":                 `main="/reports", fb="https://connect.facebook.net/r"`,
			"Report-To":                           `{"group":"nel","max_age":86400,"endpoints":[{"url":"https://www.google-analytics.com/nel"}]}, {"group":"own","max_age":1,"endpoints":[{"url":"/r"}]}`,
			"NEL":                                 `{"report_to":"nel","max_age":86400}`}, []byte(`{}`)}},
		{name: "XHTML", up: upstream{200, map[string]string{"Content-Type": "application/xhtml+xml"}, []byte(`<html xmlns="http://www.w3.org/1999/xhtml"><head/><body><img src="https://www.facebook.com/tr?id=1"/></body></html>`)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{Mode: c.mode}
			if c.cmp {
				cfg.CMP = []string{"auto"}
			}
			m := newTestMiddleware(t, cfg)
			body := c.up.body
			if c.up.header["Content-Encoding"] == "gzip" {
				body = compress(t, "gzip", []byte(trackerPage))
			}
			origin := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.up.header {
					if k == "Content-Length" {
						v = strconv.Itoa(len(body))
					}
					w.Header()[k] = []string{v}
				}
				w.WriteHeader(c.up.status)
				w.Write(body)
			})
			direct := httptest.NewServer(m.Handler(origin))
			defer direct.Close()
			up := httptest.NewServer(origin)
			defer up.Close()
			target, _ := url.Parse(up.URL)
			proxy := httptest.NewServer(&httputil.ReverseProxy{
				Rewrite: func(pr *httputil.ProxyRequest) {
					pr.Out = m.FilterRequest(pr.Out)
					pr.SetURL(target)
					pr.Out.Host = pr.In.Host
				},
				ModifyResponse: m.ModifyResponse,
			})
			defer proxy.Close()

			get := func(base string) (*http.Response, []byte) {
				t.Helper()
				method := c.method
				if method == "" {
					method = "GET"
				}
				req, _ := http.NewRequest(method, base+"/page", nil)
				req.Host = "shop.example.com"
				for k, v := range c.request {
					req.Header.Set(k, v)
				}
				client := &http.Client{
					Transport:     &http.Transport{DisableCompression: true},
					CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, err := io.ReadAll(resp.Body)
				if err != nil {
					t.Fatal(err)
				}
				return resp, b
			}
			dr, db := get(direct.URL)
			pr, pb := get(proxy.URL)
			if dr.StatusCode != pr.StatusCode {
				t.Errorf("status: Handler %d, ReverseProxy %d", dr.StatusCode, pr.StatusCode)
			}
			if string(db) != string(pb) {
				t.Errorf("body differs:\nHandler:      %s\nReverseProxy: %s", db, pb)
			}
			// Each server frames what it sends on its own: a short body
			// gets a Content-Length, a streamed one none.
			for _, r := range []*http.Response{dr, pr} {
				if cl := r.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(db)) {
					t.Errorf("Content-Length %s for a body of %d bytes", cl, len(db))
				}
				r.Header.Del("Content-Length")
			}
			if d, p := comparable(dr.Header), comparable(pr.Header); d != p {
				t.Errorf("header differs:\nHandler:      %s\nReverseProxy: %s", d, p)
			}
			// And each is what the case is about.
			enforced := strings.Contains(c.name, "HTML") && c.method != "HEAD" && c.mode != ModeReport
			if enforced && (strings.Contains(string(db), ` src="https://www.facebook.com/tr`) || !strings.Contains(string(db), "data-consent")) {
				t.Errorf("the page was not enforced:\n%s", db)
			}
			switch c.name {
			case "redirect to a refused tracker, followed":
				if dr.StatusCode != 200 || dr.Header.Get("Location") != "" || !strings.Contains(string(db), "ad.doubleclick.net") || !strings.Contains(string(db), `lang="sv"`) {
					t.Errorf("a followed redirect to a tracker: %d %v\n%s", dr.StatusCode, dr.Header, db)
				}
			case "redirect to a refused tracker, an image":
				if dr.StatusCode != 204 || dr.Header.Get("Location") != "" || len(db) != 0 {
					t.Errorf("a redirect of an image to a tracker: %d %v", dr.StatusCode, dr.Header)
				}
			case "redirect to a refused tracker in report mode":
				if dr.StatusCode != 302 || dr.Header.Get("Location") == "" {
					t.Errorf("report mode changed a redirect: %d %v", dr.StatusCode, dr.Header)
				}
			case "report endpoints naming trackers":
				want := map[string]string{
					"Content-Security-Policy":             "default-src 'self'; report-uri /csp-reports; report-to main",
					"Content-Security-Policy-Report-Only": "img-src 'none'",
					"Reporting-Endpoints":                 `main="/reports"`,
					"Report-To":                           `{"endpoints":[{"url":"/r"}],"group":"own","max_age":1}`,
					"Nel":                                 "",
				}
				for k, v := range want {
					if got := dr.Header.Get(k); got != v {
						t.Errorf("%s: %q, want %q", k, got, v)
					}
				}
			}
			if c.mode == ModeReport && string(db) != trackerPage && c.up.status == 200 {
				t.Errorf("report mode changed the page:\n%s", db)
			}
		})
	}
}

// comparable renders a response header for comparison, without what the
// two servers set on their own (Date) and with consent ids, which are
// random, blanked.
func comparable(h http.Header) string {
	var lines []string
	for k, vs := range h {
		if k == "Date" {
			continue
		}
		for _, v := range vs {
			if k == "Set-Cookie" && strings.HasPrefix(v, "consentgate=") {
				parts := strings.Split(v, ".")
				if len(parts) > 6 {
					parts[4], parts[5] = "TIME", "ID"
				}
				v = strings.Join(parts, ".")
			}
			lines = append(lines, k+": "+v)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func TestCanonicalCase(t *testing.T) {
	for _, k := range []string{"Set-Cookie", "set-cookie", "SET-COOKIE", "Nel", "NEL", "ETag", "Etag", "X-Y-Z", "x", "X", "Content-type", "A-b", "-A", "A--B", "Sec-Ch-Ua", "a b"} {
		if got, want := canonicalCase(k), http.CanonicalHeaderKey(k) == k; got != want && !strings.Contains(k, " ") {
			t.Errorf("canonicalCase(%q) = %v, want %v", k, got, want)
		}
	}
}

// TestFilteredFieldAlone sends each field filterResponseHeader filters as
// the only one of them on a JSON response, under its canonical key and
// under the spelling a handler may use: canonicalKeys' report that the
// header holds nothing to filter must never be wrong for one of them.
func TestFilteredFieldAlone(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	cases := []struct{ key, odd, value, tracker string }{
		{"Set-Cookie", "set-cookie", "_ga=GA1.2.3; Path=/", "_ga"},
		{"Link", "LINK", "<https://www.googletagmanager.com/gtm.js?id=GTM-X>; rel=preload; as=script", "googletagmanager"},
		{"Content-Security-Policy", "content-security-policy", "default-src 'self'; report-uri https://www.google-analytics.com/csp", "google-analytics"},
		{"Content-Security-Policy-Report-Only", "Content-Security-Policy-Report-only", "img-src 'none'; report-uri https://connect.facebook.net/csp", "facebook"},
		{"Reporting-Endpoints", "reporting-endpoints", `fb="https://connect.facebook.net/r"`, "facebook"},
		{"Report-To", "report-to", `{"group":"g","max_age":1,"endpoints":[{"url":"https://www.google-analytics.com/nel"}]}`, "google-analytics"},
	}
	for _, c := range cases {
		for _, key := range []string{c.key, c.odd} {
			h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{"application/json"}
				w.Header()[key] = []string{c.value}
				io.WriteString(w, "{}")
			}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", "/api", nil))
			for k, vs := range rec.Header() {
				if strings.Contains(strings.Join(vs, " "), c.tracker) {
					t.Errorf("%s: %s: %q passed", key, k, vs)
				}
			}
			if rec.Body.String() != "{}" {
				t.Errorf("%s: the body changed: %q", key, rec.Body)
			}
		}
	}
}
