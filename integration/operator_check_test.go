package integration

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// demoUpstream serves the demo site (examples/site) as the bakery's own
// server would: a session cookie on every page, GTM server-side tagging's
// FPID on the home page, and a cart cookie no rule knows.
func demoUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	files := http.FileServer(http.Dir(filepath.Join(operatorRoot(), "examples", "site")))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "PHPSESSID=4kq1v; Path=/; HttpOnly")
		if r.URL.Path == "/" {
			w.Header().Add("Set-Cookie", "FPID=FPID2.2.abc; Path=/; HttpOnly; Max-Age=63072000")
			w.Header().Add("Set-Cookie", "bakery_cart=2x-kanelbulle; Path=/")
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runConsentCheck runs caddy consent-check and returns its standard output,
// its standard error and its exit status.
func runConsentCheck(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"consent-check"}, args...)...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// TestOperatorConsentCheck runs `caddy consent-check` on the demo site's
// pages: it must list Google Tag Manager, GA4, the Meta pixel, Hotjar,
// YouTube and Google Maps with the cookies the rules give them, classify
// the cookies the site sets, and fail (status 2) on the cookie no rule
// knows until a rule file classifies it.
func TestOperatorConsentCheck(t *testing.T) {
	bin, env := buildOperatorCaddy(t)
	site := demoUpstream(t)
	pages := []string{site.URL + "/", site.URL + "/menu.html", site.URL + "/visit.html", site.URL + "/privacy.html"}

	out, stderr, status := runConsentCheck(t, bin, env, pages...)
	t.Logf("consent-check on the demo site:\n%s", out)
	if status != 2 {
		t.Errorf("exit status %d, want 2 (bakery_cart is unclassified)", status)
	}
	if !strings.Contains(stderr, `"msg":"consent-check: 1 unclassified: cookie bakery_cart"`) {
		t.Errorf("consent-check did not log why it failed:\n%s", stderr)
	}
	for _, want := range []string{
		"google-tag-manager (Google Tag Manager), needs analytics+marketing\n        inline <script>\n        <iframe> https://www.googletagmanager.com/ns.html?id=GTM-XXXXXXX\n",
		"google-analytics (Google Analytics), needs analytics\n        <script> https://www.googletagmanager.com/gtag/js?id=G-XXXXXXXXXX\n",
		"cookies it sets once allowed: _ga, _ga_*, _gid",
		"meta-pixel (Meta Pixel (Facebook)), needs marketing\n",
		"<img> https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1\n",
		"cookies it sets once allowed: _fbp, _fbc",
		"hotjar (Hotjar), needs analytics\n        inline <script>\n        cookies it sets once allowed: _hjSessionUser_*, _hjSession_*",
		"youtube (YouTube), needs marketing\n        <iframe> https://www.youtube.com/embed/dQw4w9WgXcQ\n        cookies it sets once allowed: YSC, VISITOR_INFO1_LIVE",
		"google-maps (Google Maps), needs preferences\n        <iframe> https://www.google.com/maps/embed?pb=",
		"UNCLASSIFIED: cookie bakery_cart\n",
		"4 of 4 pages checked: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("consent-check does not say %q", want)
		}
	}
	if !regexpMatches(`(?m)^    FPID\s+google-analytics\s+analytics\s+dropped for a visitor who refuses$`, out) ||
		!regexpMatches(`(?m)^    PHPSESSID\s+\S+\s+necessary\s+kept$`, out) ||
		!regexpMatches(`(?m)^    bakery_cart\s+UNCLASSIFIED`, out) {
		t.Errorf("the home page's cookies are not classified as expected (FPID GA4 dropped, PHPSESSID necessary kept, bakery_cart unclassified)")
	}

	t.Run("json, with a rule for the cart", func(t *testing.T) {
		rules := filepath.Join(t.TempDir(), "bakery.json")
		if err := os.WriteFile(rules, []byte(`{"format": "consentgate-rules/1", "vendors": [
			{"id": "bakery-cart", "name": "Shopping cart", "category": "necessary", "cookies": ["bakery_cart"]}]}`), 0o644); err != nil {
			t.Fatal(err)
		}
		out, _, status := runConsentCheck(t, bin, env, append([]string{"--format", "json", "--rules", rules}, pages...)...)
		if status != 0 {
			t.Errorf("exit status %d, want 0 once every cookie is classified:\n%s", status, out)
		}
		var rep struct {
			Pages []struct {
				URL      string `json:"url"`
				Trackers []struct {
					Vendor  string   `json:"vendor"`
					Cookies []string `json:"cookies"`
				} `json:"trackers"`
				Cookies []struct {
					Name       string `json:"name"`
					Vendor     string `json:"vendor"`
					Classified bool   `json:"classified"`
					Dropped    bool   `json:"dropped"`
				} `json:"cookies"`
				Refusing struct {
					ElementsBlocked int `json:"elements_blocked"`
					CookiesDropped  int `json:"cookies_dropped"`
				} `json:"refusing_visitor"`
			} `json:"pages"`
			Unclassified int `json:"unclassified"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("--format json printed no JSON report: %v\n%s", err, out)
		}
		if len(rep.Pages) != 4 || rep.Unclassified != 0 {
			t.Fatalf("%d pages, %d unclassified: want 4 and 0\n%s", len(rep.Pages), rep.Unclassified, out)
		}
		vendors := func(i int) []string {
			var ids []string
			for _, tr := range rep.Pages[i].Trackers {
				ids = append(ids, tr.Vendor)
			}
			slices.Sort(ids)
			return ids
		}
		for i, want := range [][]string{
			{"google-analytics", "google-tag-manager", "hotjar", "meta-pixel", "youtube"},
			{"google-analytics", "google-tag-manager"},
			{"google-analytics", "google-maps", "google-tag-manager"},
			{"google-tag-manager"},
		} {
			if got := vendors(i); !slices.Equal(got, want) {
				t.Errorf("%s: vendors %v, want %v", rep.Pages[i].URL, got, want)
			}
		}
		home := rep.Pages[0]
		if home.Refusing.ElementsBlocked < 9 || home.Refusing.CookiesDropped != 1 {
			t.Errorf("home page: a refusing visitor gets %+v, want at least 9 elements neutralised and FPID dropped", home.Refusing)
		}
		for _, c := range home.Cookies {
			if !c.Classified || c.Dropped != (c.Name == "FPID") {
				t.Errorf("home page cookie %+v: want every cookie classified, only FPID dropped", c)
			}
		}
	})

	t.Run("an unreachable page", func(t *testing.T) {
		dead := httptest.NewServer(http.NotFoundHandler())
		dead.Close()
		out, _, status := runConsentCheck(t, bin, env, dead.URL+"/")
		if status != 1 || !strings.Contains(out, "NOT CHECKED: ") {
			t.Errorf("exit status %d, want 1 and the page named as not checked:\n%s", status, out)
		}
	})
}

func regexpMatches(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}
