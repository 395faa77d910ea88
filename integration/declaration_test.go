package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/middleware"
)

// TestDemoDeclaration: the demo site's pages, as its upstream serves them
// (with a session cookie and a cart cookie no rule knows), go through
// consent; then the cookie declaration lists what they use: _ga with
// Google as provider and a lifetime, _fbp with Meta, Hotjar's cookie
// patterns, YouTube and Google Maps, and the cart cookie among the
// unclassified ones; vendors the site never used are not listed.
func TestDemoDeclaration(t *testing.T) {
	mw, err := middleware.New(middleware.Config{PolicyURL: "/privacy.html"})
	if err != nil {
		t.Fatal(err)
	}
	up := demoUpstream(t)
	srv := httptest.NewServer(mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.Get(up.URL + r.URL.Path)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})))
	defer srv.Close()
	for _, p := range []string{"/", "/menu.html", "/visit.html", "/privacy.html"} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	req, _ := http.NewRequest("GET", srv.URL+"/.well-known/consent/declaration", nil)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Categories []struct {
			Vendors []struct {
				ID, Provider string
				Cookies      []struct{ Name, Lifetime, Purpose string }
			}
		}
		Unclassified []string `json:"unclassified_cookies"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	vendors := map[string]int{}
	var listed []string
	for ci, c := range d.Categories {
		for vi, v := range c.Vendors {
			vendors[v.ID] = ci*1000 + vi
			listed = append(listed, v.ID)
		}
	}
	cookie := func(vendor, name string) (provider, lifetime string, ok bool) {
		i, found := vendors[vendor]
		if !found {
			return "", "", false
		}
		v := d.Categories[i/1000].Vendors[i%1000]
		for _, c := range v.Cookies {
			if c.Name == name {
				return v.Provider, c.Lifetime, true
			}
		}
		return v.Provider, "", false
	}
	if p, l, ok := cookie("google-analytics", "_ga"); !ok || !strings.Contains(p, "Google") || l == "" {
		t.Errorf("_ga: provider %q, lifetime %q, listed %v", p, l, ok)
	}
	if p, l, ok := cookie("meta-pixel", "_fbp"); !ok || !strings.Contains(p, "Meta") || l == "" {
		t.Errorf("_fbp: provider %q, lifetime %q, listed %v", p, l, ok)
	}
	if _, _, ok := cookie("hotjar", "_hjSessionUser_*"); !ok {
		t.Error("Hotjar's cookie pattern _hjSessionUser_* is not declared")
	}
	for _, id := range []string{"google-tag-manager", "youtube", "google-maps"} {
		if _, ok := vendors[id]; !ok {
			t.Errorf("%s, which the demo uses, is not declared (declared: %v)", id, listed)
		}
	}
	if _, ok := vendors["criteo"]; ok {
		t.Error("Criteo, which the demo does not use, is declared")
	}
	if !slices.Contains(d.Unclassified, "bakery_cart") {
		t.Errorf("unclassified cookies %v, want bakery_cart", d.Unclassified)
	}
	t.Logf("declared: %v; unclassified: %v", listed, d.Unclassified)
}
