package integration

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddytest"
	"github.com/klauspost/compress/zstd"

	_ "github.com/consentgate/consentgate/caddymodule"
)

// These tests run Caddy in this process with the consent directive, in
// front of an httptest upstream, a file_server or templates, and check
// what a client receives. caddytest drives one Caddy per test binary
// through its admin endpoint; each test loads its own config (so the
// tests of this file run one after another) on ports of its own (so the
// binary runs beside any other).

// caddyTrackerPage carries Google Tag Manager, GA4 and the Meta pixel in
// their official shapes, and ends with a marker that shows the page was
// not cut short.
const caddyTrackerPage = `<!doctype html><html lang="en"><head><title>Bakery</title>
<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-ABC1234"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-ABC123');</script>
<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');fbq('init','1234567890');fbq('track','PageView');</script>
</head><body><h1>Fresh bread every morning</h1>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1"/></noscript>
<p id="last">The end of the page.</p>
</body></html>
`

// Tags of caddyTrackerPage, as the site wrote them and as enforcement
// leaves them.
const (
	gtmTag          = `<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-ABC1234"></script>`
	gtmNeutralised  = `data-consent-src="https://www.googletagmanager.com/gtm.js?id=GTM-ABC1234"`
	ga4Tag          = `<script async src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"></script>`
	ga4Neutralised  = `data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-ABC123"`
	caddyPageMarker = `<p id="last">The end of the page.</p>`
)

// liveGoogleScript finds a script that would load from Google Tag
// Manager's host: a src attribute of its own, not a data-consent-src.
var liveGoogleScript = regexp.MustCompile(`<script[^>]*\ssrc\s*=\s*["']?https://www\.googletagmanager\.com`)

// The upstream's cookies: a GA4 cookie and a session cookie.
const (
	gaCookie      = "_ga=GA1.1.1234567890.1764230400; Path=/; Max-Age=63072000"
	sessionCookie = "PHPSESSID=abc123; Path=/; HttpOnly"
)

// caddyAdmin is the admin endpoint of this binary's Caddy: a free port,
// chosen once, which every loaded config keeps.
var caddyAdmin struct {
	once sync.Once
	port int
	err  error
}

// freeTCPPort returns a TCP port free on the loopback interface.
func freeTCPPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startCaddy starts Caddy in this process with only its admin endpoint, on
// a free port instead of caddytest's fixed default, and with nothing
// persisted; caddytest finds it running and loads configs through it.
func startCaddy(t *testing.T) int {
	t.Helper()
	caddyAdmin.once.Do(func() {
		caddyAdmin.port = freeTCPPort(t)
		cfg := fmt.Sprintf(`{"admin": {"listen": "localhost:%d", "config": {"persist": false}}}`, caddyAdmin.port)
		caddyAdmin.err = caddy.Load([]byte(cfg), true)
	})
	if caddyAdmin.err != nil {
		t.Fatalf("starting Caddy: %v", caddyAdmin.err)
	}
	return caddyAdmin.port
}

// caddySite is one loaded config: a site on http://localhost:<port>.
type caddySite struct {
	url    string // http://localhost:<port>
	client *http.Client
}

// runCaddy loads a config with the global options every test needs, the
// extra global options given, and one site whose directives are site.
// The client neither follows redirects, nor stores cookies, nor asks for
// or undoes compression by itself.
func runCaddy(t *testing.T, globals, site string) *caddySite {
	t.Helper()
	if testing.Short() {
		t.Skip("runs Caddy")
	}
	admin := startCaddy(t)
	port, tlsPort := freeTCPPort(t), freeTCPPort(t)
	caddyfile := fmt.Sprintf(`{
	admin localhost:%d
	http_port %d
	https_port %d
	auto_https off
	skip_install_trust
	persist_config off
	storage file_system %s
%s
}

http://localhost:%d {
%s
}
`, admin, port, tlsPort, t.TempDir(), globals, port, site)
	// Free the ports and the upstream connections when the test ends
	// (after caddytest has shown a failed test's config).
	t.Cleanup(func() {
		cfg := fmt.Sprintf(`{"admin": {"listen": "localhost:%d", "config": {"persist": false}}}`, admin)
		if err := caddy.Load([]byte(cfg), true); err != nil {
			t.Errorf("unloading the test's config: %v", err)
		}
	})
	tc := caddytest.NewTester(t).WithDefaultOverrides(caddytest.Config{AdminPort: admin})
	tc.InitServer(caddyfile, "caddyfile")
	if t.Failed() {
		t.FailNow()
	}
	transport := caddytest.CreateTestingTransport()
	transport.DisableCompression = true
	t.Cleanup(transport.CloseIdleConnections)
	tc.Client.Transport = transport
	tc.Client.Jar = nil
	tc.Client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &caddySite{url: fmt.Sprintf("http://localhost:%d", port), client: tc.Client}
}

// do sends a request to the site and returns the response with its body
// read and decoded by its Content-Encoding.
func (s *caddySite) do(t *testing.T, method, path string, header http.Header, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, s.url+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return res, decodeBody(t, res.Header.Get("Content-Encoding"), raw)
}

// get requests path as a browser navigating to a page does.
func (s *caddySite) get(t *testing.T, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{"Accept": {"text/html,application/xhtml+xml,*/*;q=0.8"}, "Accept-Encoding": {"identity"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return s.do(t, http.MethodGet, path, h, nil)
}

// decodeBody undoes a content coding.
func decodeBody(t *testing.T, coding string, raw []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "", "identity":
		return raw
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("the gzip body does not decode: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(raw))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		t.Fatalf("unexpected Content-Encoding %q", coding)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("the %s body does not decode: %v", coding, err)
	}
	return out
}

// encodeBody compresses a body with a content coding.
func encodeBody(coding string, body []byte) []byte {
	var buf bytes.Buffer
	switch coding {
	case "gzip":
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
	case "br":
		bw := brotli.NewWriter(&buf)
		bw.Write(body)
		bw.Close()
	case "zstd":
		zw, _ := zstd.NewWriter(nil)
		buf.Write(zw.EncodeAll(body, nil))
		zw.Close()
	default:
		buf.Write(body)
	}
	return buf.Bytes()
}

// trackerUpstream serves caddyTrackerPage with the GA4 and session
// cookies. ?coding=gzip|br|zstd compresses the page whatever the request
// accepts; /etag answers 304 to If-None-Match: "v1". It echoes the
// request's Cookie header in X-Upstream-Cookie.
func trackerUpstream(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Upstream-Cookie", r.Header.Get("Cookie"))
		h.Add("Set-Cookie", gaCookie)
		h.Add("Set-Cookie", sessionCookie)
		h.Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/etag" {
			h.Set("ETag", `"v1"`)
			h.Set("Cache-Control", "no-cache")
			if r.Header.Get("If-None-Match") == `"v1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		coding := r.URL.Query().Get("coding")
		body := encodeBody(coding, []byte(caddyTrackerPage))
		if coding != "" {
			h.Set("Content-Encoding", coding)
		}
		h.Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// assertEnforced checks a page of caddyTrackerPage as a visitor who has
// not decided gets it: every tracker inert, the banner in, the page whole.
func assertEnforced(t *testing.T, page []byte) {
	t.Helper()
	s := string(page)
	for _, want := range []string{gtmNeutralised, ga4Neutralised, "data-consent-banner", caddyPageMarker} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if loc := liveGoogleScript.FindString(s); loc != "" {
		t.Errorf("a Google Tag Manager script is live: %s", loc)
	}
	if live := liveScripts(t, page); len(live) != 0 {
		t.Errorf("trackers run without consent: %v", live)
	}
	if !strings.HasSuffix(strings.TrimSpace(s), "</html>") {
		t.Errorf("the page is cut short; it ends with %q", s[max(0, len(s)-80):])
	}
	if t.Failed() {
		t.Logf("page:\n%s", s)
	}
}

// assertCookiesFiltered checks that the GA4 cookie was dropped and the
// session cookie passed on byte for byte.
func assertCookiesFiltered(t *testing.T, res *http.Response) {
	t.Helper()
	lines := res.Header.Values("Set-Cookie")
	for _, l := range lines {
		if strings.HasPrefix(l, "_ga=") && !strings.HasPrefix(l, "_ga=;") {
			t.Errorf("the GA4 cookie reached the client: %q", l)
		}
	}
	if !slices.Contains(lines, sessionCookie) {
		t.Errorf("the session cookie was not passed on as sent: %q", lines)
	}
}

// TestCaddyEncodeAroundConsent: with encode gzip, consent and
// reverse_proxy, the client asking for gzip gets a gzip body that decodes
// to the enforced page; the upstream never sees the refused GA4 cookie.
func TestCaddyEncodeAroundConsent(t *testing.T) {
	upstream := trackerUpstream(t)
	site := runCaddy(t, "", fmt.Sprintf("\tencode gzip\n\treverse_proxy %s\n\tconsent\n", upstream))
	res, page := site.get(t, "/", "Accept-Encoding", "gzip", "Cookie", "_ga=GA1.1.1.1; PHPSESSID=abc123")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %s", res.Status)
	}
	if ce := res.Header.Get("Content-Encoding"); ce != "gzip" {
		t.Errorf("Content-Encoding %q, want gzip (encode compresses what consent writes)", ce)
	}
	assertEnforced(t, page)
	assertCookiesFiltered(t, res)
	if got := res.Header.Get("X-Upstream-Cookie"); got != "PHPSESSID=abc123" {
		t.Errorf("the upstream got Cookie %q, want only PHPSESSID=abc123", got)
	}
	if !slices.ContainsFunc(res.Header.Values("Set-Cookie"), func(l string) bool { return strings.HasPrefix(l, "_ga=; Path=/; Max-Age=0") }) {
		t.Errorf("the refused _ga cookie the request carried is not expired: %q", res.Header.Values("Set-Cookie"))
	}
}

// TestCaddyCompressedUpstream: an upstream that compresses the page
// whatever it was asked gets no tracker past consent, whether the client
// accepts compression or not.
func TestCaddyCompressedUpstream(t *testing.T) {
	upstream := trackerUpstream(t)
	site := runCaddy(t, "", fmt.Sprintf("\tconsent\n\treverse_proxy %s\n", upstream))
	for _, coding := range []string{"gzip", "br", "zstd"} {
		for _, accept := range []string{"identity", "gzip, deflate, br, zstd"} {
			t.Run(coding+" to "+accept, func(t *testing.T) {
				res, page := site.get(t, "/?coding="+coding, "Accept-Encoding", accept)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("status %s", res.Status)
				}
				if ce := res.Header.Get("Content-Encoding"); accept == "identity" && ce != "" {
					t.Errorf("Content-Encoding %q to a client that accepts only identity", ce)
				}
				assertEnforced(t, page)
				assertCookiesFiltered(t, res)
			})
		}
	}
}

// bigTrackerPage is a page of about 2 MB with trackers at its start, in
// its middle and at its end, and the runs of plain markup between them.
func bigTrackerPage() (page string, runs []string) {
	var run1, run2 strings.Builder
	for i := 0; run1.Len() < 1<<20; i++ {
		fmt.Fprintf(&run1, "<p class=\"filler\">Paragraph %d: rye, spelt, sourdough &amp; cardamom buns.</p>\n", i)
	}
	for i := 0; run2.Len() < 1<<20; i++ {
		fmt.Fprintf(&run2, "<li>Item %d of the price list: <b>%d kr</b></li>\n", i, 10+i%90)
	}
	page = "<!doctype html><html><head><title>Price list</title>\n" + gtmTag + "\n</head><body>\n" +
		run1.String() + ga4Tag + "\n<ul>\n" + run2.String() + "</ul>\n" +
		`<img src="https://www.facebook.com/tr?id=1234567890&ev=PageView" alt="">` + "\n" + caddyPageMarker + "\n</body></html>\n"
	return page, []string{run1.String(), run2.String()}
}

// TestCaddyFileServer: file_server writes through ReadFrom; the page is
// rewritten all the same, a 2 MB one included, whole.
func TestCaddyFileServer(t *testing.T) {
	root := t.TempDir()
	big, runs := bigTrackerPage()
	for name, body := range map[string]string{"index.html": caddyTrackerPage, "big.html": big} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	site := runCaddy(t, "", fmt.Sprintf("\troot * %s\n\tfile_server\n\tconsent\n", root))

	res, page := site.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %s", res.Status)
	}
	assertEnforced(t, page)
	if etag := res.Header.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		t.Errorf("the rewritten page keeps the file's strong ETag %s", etag)
	}

	res, page = site.get(t, "/big.html")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %s", res.Status)
	}
	s := string(page)
	if res.ContentLength >= 0 && res.ContentLength != int64(len(page)) {
		t.Errorf("Content-Length %d for a body of %d bytes", res.ContentLength, len(page))
	}
	for _, want := range []string{gtmNeutralised, ga4Neutralised, `data-consent-src="https://www.facebook.com/tr?id=1234567890&ev=PageView"`, "data-consent-banner", caddyPageMarker} {
		if !strings.Contains(s, want) {
			t.Errorf("the 2 MB page lacks %s", want)
		}
	}
	if loc := liveGoogleScript.FindString(s); loc != "" {
		t.Errorf("a Google Tag Manager script is live: %s", loc)
	}
	if strings.Contains(s, `<img src="https://www.facebook.com/tr`) {
		t.Error("the Meta pixel at the end of the 2 MB page is live")
	}
	for i, run := range runs {
		if !strings.Contains(s, run) {
			t.Errorf("the page's plain run %d (%d bytes) did not pass byte for byte", i+1, len(run))
		}
	}
	if !strings.HasSuffix(s, "</body></html>\n") {
		t.Errorf("the 2 MB page is cut short: %d of at least %d bytes, ending %q", len(s), len(big), s[max(0, len(s)-80):])
	}
}

// TestCaddyTemplates: consent sees what templates writes, so a tracker a
// template action produces is neutralised like one in the file.
func TestCaddyTemplates(t *testing.T) {
	root := t.TempDir()
	page := `<!doctype html><html><head><title>{{"Templated"}}</title>` + "\n" +
		`{{"<script src=\"https://www.googletagmanager.com/gtag/js?id=G-1\"></script>"}}` + "\n" +
		`</head><body><p>Served at {{.Req.URL.Path}}</p>` + "\n" + caddyPageMarker + "\n</body></html>\n"
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	site := runCaddy(t, "", fmt.Sprintf("\troot * %s\n\tfile_server\n\ttemplates\n\tconsent\n", root))
	res, out := site.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %s", res.Status)
	}
	s := string(out)
	if strings.Contains(s, "{{") || !strings.Contains(s, "<title>Templated</title>") || !strings.Contains(s, "<p>Served at /</p>") {
		t.Fatalf("templates did not run:\n%s", s)
	}
	if !strings.Contains(s, `data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-1"`) {
		t.Errorf("the templated GA4 tag was not neutralised")
	}
	if loc := liveGoogleScript.FindString(s); loc != "" {
		t.Errorf("the templated GA4 script is live: %s", loc)
	}
	for _, want := range []string{"data-consent-banner", caddyPageMarker} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", s)
	}
}

// postConsent posts a banner choice the way the banner's form does.
func (s *caddySite) postConsent(t *testing.T, origin string, form url.Values) (*http.Response, []byte) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {origin}}
	return s.do(t, http.MethodPost, "/.well-known/consent", h, strings.NewReader(form.Encode()))
}

// consentCookie returns the consentgate cookie a response sets.
func consentCookie(t *testing.T, res *http.Response) *http.Cookie {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == "consentgate" {
			return c
		}
	}
	t.Fatalf("no consentgate cookie set: %q", res.Header.Values("Set-Cookie"))
	return nil
}

// TestCaddyConsentEndpoint: the banner's form POST through Caddy answers
// 303 with the consent cookie; with that cookie the page's trackers pass
// untouched after accept_all. A POST from another site sets nothing.
func TestCaddyConsentEndpoint(t *testing.T) {
	upstream := trackerUpstream(t)
	site := runCaddy(t, "", fmt.Sprintf("\treverse_proxy %s\n\tconsent\n", upstream))

	res, _ := site.postConsent(t, "https://evil.example", url.Values{"action": {"accept_all"}})
	if res.StatusCode != http.StatusForbidden || len(res.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("cross-site POST: %s, Set-Cookie %q; want 403 and no cookie", res.Status, res.Header.Values("Set-Cookie"))
	}

	res, _ = site.postConsent(t, site.url, url.Values{"action": {"accept_all"}, "return": {"/menu?day=friday"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent POST: %s, want 303 See Other", res.Status)
	}
	if loc := res.Header.Get("Location"); loc != "/menu?day=friday" {
		t.Errorf("Location %q, want the return path /menu?day=friday", loc)
	}
	c := consentCookie(t, res)
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Errorf("consent cookie %q: want HttpOnly, SameSite=Lax, Path=/ and, over HTTP, not Secure", res.Header.Values("Set-Cookie"))
	}

	res, page := site.get(t, "/", "Cookie", c.Name+"="+c.Value+"; _ga=GA1.1.1.1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %s", res.Status)
	}
	s := string(page)
	for _, want := range []string{gtmTag, ga4Tag, caddyPageMarker} {
		if !strings.Contains(s, want) {
			t.Errorf("after accept_all the page lacks %s as the site wrote it", want)
		}
	}
	if strings.Contains(s, "data-consent-src") {
		t.Errorf("after accept_all something is still neutralised:\n%s", s)
	}
	if live := liveScripts(t, page); !live["ga4"] || !live["meta"] {
		t.Errorf("after accept_all running %v, want GA4 and the Meta pixel", live)
	}
	if !slices.Contains(res.Header.Values("Set-Cookie"), gaCookie) {
		t.Errorf("after accept_all the GA4 cookie was not passed on: %q", res.Header.Values("Set-Cookie"))
	}
	if got := res.Header.Get("X-Upstream-Cookie"); !strings.Contains(got, "_ga=GA1.1.1.1") {
		t.Errorf("after accept_all the upstream got Cookie %q, want the _ga cookie in it", got)
	}
}

// TestCaddyConsentRecordsLog: a decision is recorded on the logger
// http.handlers.consent.records, which a `log` global option routes to a
// file of its own, away from Caddy's default log.
func TestCaddyConsentRecordsLog(t *testing.T) {
	upstream := trackerUpstream(t)
	logFile := filepath.Join(t.TempDir(), "consent-records.log")
	globals := fmt.Sprintf("\tlog records {\n\t\tinclude http.handlers.consent.records\n\t\toutput file %s\n\t\tformat json\n\t}\n", logFile)
	site := runCaddy(t, globals, fmt.Sprintf("\tconsent\n\treverse_proxy %s\n", upstream))

	res, _ := site.postConsent(t, site.url, url.Values{"action": {"save"}, "category": {"analytics"}, "return": {"/"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent POST: %s, want 303", res.Status)
	}
	c := consentCookie(t, res)
	_, decision := site.do(t, http.MethodGet, "/.well-known/consent", http.Header{"Cookie": {c.Name + "=" + c.Value}}, nil)
	var current struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(decision, &current); err != nil || current.ID == "" {
		t.Fatalf("GET /.well-known/consent: %s (%v), want the decision's id", decision, err)
	}

	// Records are written before the answer, so the line is there now.
	f, err := os.Open(logFile)
	if err != nil {
		t.Fatalf("no records log: %v", err)
	}
	defer f.Close()
	var records []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var entry map[string]any
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatalf("records log line %q is not JSON: %v", sc.Text(), err)
		}
		records = append(records, entry)
	}
	if len(records) != 1 {
		t.Fatalf("records log holds %d entries, want the one decision: %v", len(records), records)
	}
	r := records[0]
	if r["logger"] != "http.handlers.consent.records" {
		t.Errorf("record logged by %v, want http.handlers.consent.records", r["logger"])
	}
	if r["consent_id"] != current.ID {
		t.Errorf("record consent_id %v, want the decision's id %s", r["consent_id"], current.ID)
	}
	if r["action"] != "save" {
		t.Errorf("record action %v, want save", r["action"])
	}
	if granted, _ := r["granted"].([]any); !slices.Contains(granted, any("analytics")) || slices.Contains(granted, any("marketing")) {
		t.Errorf("record granted %v, want analytics and not marketing", r["granted"])
	}
	if denied, _ := r["denied"].([]any); !slices.Contains(denied, any("marketing")) {
		t.Errorf("record denied %v, want marketing in it", r["denied"])
	}
	// Caddy's client address, truncated by default.
	for field, want := range map[string]any{"source": "banner_form", "path": "/", "revision": "1", "client_ip": "127.0.0.0/24"} {
		if r[field] != want {
			t.Errorf("record %s %v, want %v", field, r[field], want)
		}
	}
	if _, ok := r["time"]; !ok {
		t.Errorf("record lacks the time: %v", r)
	}
}

// TestCaddyHeadAndNotModified: a HEAD request and a 304 from the upstream
// keep their meaning: no body, the cookies still filtered, the 304's
// validator kept.
func TestCaddyHeadAndNotModified(t *testing.T) {
	upstream := trackerUpstream(t)
	site := runCaddy(t, "", fmt.Sprintf("\tencode gzip\n\tconsent\n\treverse_proxy %s\n", upstream))

	t.Run("HEAD", func(t *testing.T) {
		res, body := site.do(t, http.MethodHead, "/", http.Header{"Accept": {"text/html"}}, nil)
		if res.StatusCode != http.StatusOK || len(body) != 0 {
			t.Errorf("HEAD: %s with %d body bytes, want 200 and none", res.Status, len(body))
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("HEAD: Content-Type %q, want the page's", ct)
		}
		if cl := res.Header.Get("Content-Length"); cl == fmt.Sprint(len(caddyTrackerPage)) {
			t.Errorf("HEAD: Content-Length %s is the upstream page's, which a GET would not get", cl)
		}
		assertCookiesFiltered(t, res)
	})

	t.Run("304", func(t *testing.T) {
		res, body := site.get(t, "/etag", "If-None-Match", `"v1"`, "Accept-Encoding", "gzip")
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("304: %s with %d body bytes, want 304 and none", res.Status, len(body))
		}
		if etag := res.Header.Get("ETag"); etag != `"v1"` {
			t.Errorf("304: ETag %q, want the upstream's \"v1\"", etag)
		}
		if ce := res.Header.Get("Content-Encoding"); ce != "" {
			t.Errorf("304: Content-Encoding %q on a response without a body", ce)
		}
		assertCookiesFiltered(t, res)
	})

	t.Run("GET after HEAD", func(t *testing.T) {
		res, page := site.get(t, "/")
		assertEnforced(t, page)
		assertCookiesFiltered(t, res)
	})
}
