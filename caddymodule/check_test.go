package caddymodule

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// checkSite is an upstream with a tracker page that sets a GA cookie, a
// session cookie and one no rule knows, a redirect to it, a redirect to
// another site, and a missing page.
func checkSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Add("Set-Cookie", "_ga=GA1.1.1234.5678; Path=/; Max-Age=63072000")
		w.Header().Add("Set-Cookie", "PHPSESSID=abc; Path=/; HttpOnly")
		w.Header().Add("Set-Cookie", "site_theme=dark; Path=/")
		w.Header().Add("Link", "<https://connect.facebook.net/en_US/fbevents.js>; rel=preload; as=script")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html><head>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-2"></script>
</head><body><h1>Shop</h1>
<iframe src="https://www.youtube.com/embed/abc"></iframe>
</body></html>`))
	})
	mux.HandleFunc("/start", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "_fbp=fb.1.1; Path=/")
		http.Redirect(w, r, "/", http.StatusFound)
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func runChecker(t *testing.T, h Handler, urls ...string) *checkReport {
	t.Helper()
	c, err := newChecker(h, "", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	return c.check(context.Background(), urls)
}

func trackerIDs(p *pageReport) []string {
	var ids []string
	for _, tr := range p.Trackers {
		ids = append(ids, tr.Vendor)
	}
	return ids
}

func cookieOf(p *pageReport, name string) (cookieReport, bool) {
	for _, c := range p.Cookies {
		if c.Name == name {
			return c, true
		}
	}
	return cookieReport{}, false
}

// TestChecker checks consent-check's findings on a page through the
// middleware: trackers by vendor, the cookies set (redirects included)
// with their classification, what a refusing visitor gets, and what is
// unclassified.
func TestChecker(t *testing.T) {
	site := checkSite(t)
	rep := runChecker(t, Handler{}, site.URL+"/start", site.URL+"/away", site.URL+"/missing")
	if len(rep.Pages) != 3 {
		t.Fatalf("%d pages, want 3", len(rep.Pages))
	}
	p := rep.Pages[0]
	if p.Error != "" || p.Status != 200 || p.FinalURL != site.URL+"/" {
		t.Errorf("page %+v: want 200 after a redirect to /", p)
	}
	if got := trackerIDs(p); !slices.Equal(got, []string{"meta-pixel", "google-analytics", "youtube"}) {
		t.Errorf("trackers %v, want meta-pixel (Link header), google-analytics, youtube", got)
	}
	for _, tr := range p.Trackers {
		if tr.Vendor == "google-analytics" {
			if len(tr.Found) != 2 || tr.Found[0].URL != "https://www.googletagmanager.com/gtag/js?id=G-1" || tr.Found[0].Element != "script" {
				t.Errorf("google-analytics found %+v, want its two scripts", tr.Found)
			}
			if tr.Name != "Google Analytics" || !slices.Contains(tr.Cookies, "_ga") || !slices.Equal(tr.Categories, []string{"analytics"}) {
				t.Errorf("google-analytics %+v: want its name, analytics and its cookies from the catalogue", tr)
			}
		}
	}
	tests := []struct {
		name                string
		vendor              string
		classified, dropped bool
		categoryMustInclude string
	}{
		{"_fbp", "meta-pixel", true, true, "marketing"}, // set by the redirect
		{"_ga", "google-analytics", true, true, "analytics"},
		{"PHPSESSID", "", true, false, "necessary"},
		{"site_theme", "", false, false, ""},
	}
	for _, tt := range tests {
		c, ok := cookieOf(p, tt.name)
		if !ok {
			t.Errorf("cookie %s not listed: %+v", tt.name, p.Cookies)
			continue
		}
		if c.Classified != tt.classified || c.Dropped != tt.dropped || tt.vendor != "" && c.Vendor != tt.vendor ||
			tt.categoryMustInclude != "" && !slices.Contains(c.Categories, tt.categoryMustInclude) {
			t.Errorf("cookie %+v, want vendor %q, classified %v, dropped %v, category %s", c, tt.vendor, tt.classified, tt.dropped, tt.categoryMustInclude)
		}
	}
	if want := (refusalReport{ElementsBlocked: 3, LinkHeadersDropped: 1, CookiesDropped: 2, CookiesKept: 2}); p.Refusing != want {
		t.Errorf("a refusing visitor gets %+v, want %+v", p.Refusing, want)
	}
	if !slices.Equal(p.Unclassified, []string{"cookie site_theme"}) {
		t.Errorf("unclassified %v, want the cookie site_theme", p.Unclassified)
	}

	away := rep.Pages[1]
	if away.Error != "" || away.Status != http.StatusFound || len(away.Trackers) != 0 {
		t.Errorf("a redirect to another site %+v: want it reported, not followed", away)
	}
	if missing := rep.Pages[2]; missing.Status != 404 || !strings.Contains(missing.Error, "404") {
		t.Errorf("a missing page %+v: want it not checked, with its status", missing)
	}
	if rep.Failed != 1 || rep.Unclassified != 1 {
		t.Errorf("failed %d, unclassified %d: want 1 and 1", rep.Failed, rep.Unclassified)
	}

	t.Run("text", func(t *testing.T) {
		var out bytes.Buffer
		if err := rep.writeText(&out); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{
			"google-analytics (Google Analytics), needs analytics\n        <script> https://www.googletagmanager.com/gtag/js?id=G-1\n",
			"meta-pixel (Meta Pixel (Facebook)), needs marketing\n        Link header https://connect.facebook.net/en_US/fbevents.js\n",
			"youtube (YouTube), needs marketing\n        <iframe> https://www.youtube.com/embed/abc\n",
			"cookies it sets once allowed: _ga, ",
			"A visitor who refuses: 3 elements neutralised, 1 Link header entry dropped, 2 of 4 cookies dropped\n",
			"UNCLASSIFIED: cookie site_theme\n",
			"NOT CHECKED: the page answered 404 Not Found\n",
			"2 of 3 pages checked: 4 tracker elements from 3 vendors, 1 unclassified\n",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("text report does not say %q:\n%s", want, out.String())
			}
		}
		if !regexpMatch(`(?m)^    _ga\s+google-analytics\s+analytics\s+dropped for a visitor who refuses$`, out.String()) ||
			!regexpMatch(`(?m)^    site_theme\s+UNCLASSIFIED\s+-\s+kept \(no rule`, out.String()) {
			t.Errorf("text report's cookie table:\n%s", out.String())
		}
	})

	t.Run("json", func(t *testing.T) {
		var out bytes.Buffer
		if err := rep.writeJSON(&out); err != nil {
			t.Fatal(err)
		}
		var back checkReport
		if err := json.Unmarshal(out.Bytes(), &back); err != nil {
			t.Fatal(err)
		}
		if len(back.Pages) != 3 || back.Unclassified != 1 || back.Pages[0].Refusing != p.Refusing || len(back.Pages[0].Cookies) != 4 {
			t.Errorf("JSON report does not hold the report:\n%s", out.String())
		}
		if !strings.Contains(out.String(), `"refusing_visitor": {`) || !strings.Contains(out.String(), `"vendor": "google-analytics"`) {
			t.Errorf("JSON report's names:\n%s", out.String())
		}
	})
}

// TestCheckerRules checks that consent-check judges with the rules it is
// given: a rule file classifies a cookie, unknown_cookies block drops
// unknown cookies (which stay unclassified), no_catalogue leaves every
// tracker out.
func TestCheckerRules(t *testing.T) {
	site := checkSite(t)
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`{"format": "consentgate-rules/1", "vendors": [
		{"id": "shop-theme", "name": "Shop theme", "category": "preferences", "cookies": ["site_theme"]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := runChecker(t, Handler{RuleFiles: []string{rules}}, site.URL+"/")
	if c, _ := cookieOf(rep.Pages[0], "site_theme"); !c.Classified || !c.Dropped || c.Vendor != "shop-theme" || rep.Unclassified != 0 {
		t.Errorf("with a rule for it, site_theme is %+v (unclassified %d), want classified shop-theme and dropped", c, rep.Unclassified)
	}

	rep = runChecker(t, Handler{UnknownCookies: "block"}, site.URL+"/")
	if c, _ := cookieOf(rep.Pages[0], "site_theme"); c.Classified || !c.Dropped || rep.Unclassified != 1 {
		t.Errorf("with unknown_cookies block, site_theme is %+v (unclassified %d), want unclassified and dropped", c, rep.Unclassified)
	}

	rep = runChecker(t, Handler{NoCatalogue: true}, site.URL+"/")
	if len(rep.Pages[0].Trackers) != 0 || rep.Unclassified != 3 {
		t.Errorf("without the catalogue: trackers %v, unclassified %v; want none, and every cookie but none of the consent manager's unclassified", trackerIDs(rep.Pages[0]), rep.Pages[0].Unclassified)
	}
}

func regexpMatch(pattern, s string) bool {
	return regexp.MustCompile(pattern).MatchString(s)
}
