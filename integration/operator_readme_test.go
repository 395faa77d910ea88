//go:build !windows

package integration

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
)

// readmeConsole returns the lines a README console block shows after the
// command line that starts with prefix.
func readmeConsole(t *testing.T, readme, prefix string) string {
	t.Helper()
	i := strings.Index(readme, "\n$ "+prefix)
	if i < 0 {
		t.Fatalf("README.md has no console line starting %q", "$ "+prefix)
	}
	rest := readme[i+1:]
	rest = rest[strings.IndexByte(rest, '\n')+1:]
	end := len(rest)
	for _, stop := range []string{"\n\n", "\n```"} {
		if j := strings.Index(rest, stop); j >= 0 && j < end {
			end = j
		}
	}
	return rest[:end] + "\n"
}

// TestOperatorReadme runs what the README's operator sections show and
// compares the output with the README's: the quick start's curl checks
// through consent-proxy in front of the demo site, and consent-check on
// the demo site's home page. The README's examples use localhost:8000 and
// :8080; the test's ports are put in their place.
func TestOperatorReadme(t *testing.T) {
	bin, env := buildOperatorCaddy(t)
	data, err := os.ReadFile(filepath.Join(operatorRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	files := http.FileServer(http.Dir(filepath.Join(operatorRoot(), "examples", "site")))

	t.Run("quick start", func(t *testing.T) {
		site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Add("Set-Cookie", "PHPSESSID=4kq1v; Path=/; HttpOnly")
			w.Header().Add("Set-Cookie", "_ga=GA1.1.1234567890.1764230400; Path=/; Max-Age=63072000")
			files.ServeHTTP(w, r)
		}))
		defer site.Close()
		if !strings.Contains(readme, "./caddy consent-proxy --from :8080 --to localhost:8000 --policy-url /privacy\n") {
			t.Fatal("the README's quick start no longer runs consent-proxy --from :8080 --to localhost:8000")
		}
		p := startConsentProxy(t, bin, env, "--to", strings.TrimPrefix(site.URL, "http://"), "--policy-url", "/privacy")
		defer p.stop(t, syscall.SIGTERM)

		_, page := operatorGet(t, p.url+"/")
		grep := func(pattern, s string) string {
			var b strings.Builder
			for _, m := range regexp.MustCompile(pattern).FindAllString(s, -1) {
				b.WriteString(m + "\n")
			}
			return b.String()
		}
		headers := func(url string) string {
			resp, _ := operatorGet(t, url)
			var b strings.Builder
			for _, c := range resp.Header.Values("Set-Cookie") {
				b.WriteString("Set-Cookie: " + c + "\n")
			}
			return b.String()
		}
		checks := []struct{ command, got string }{
			{"curl -s http://localhost:8080/ | grep -o '<div[^>]*data-consent-banner", grep(`<div[^>]*data-consent-banner[^>]*>`, page)},
			{"curl -s http://localhost:8080/ | grep -o 'data-consent-src=", grep(`data-consent-src="[^"]*"`, page)},
			{"curl -s -o /dev/null -D - http://localhost:8000/", headers(site.URL + "/")},
			{"curl -s -o /dev/null -D - http://localhost:8080/", headers(p.url + "/")},
		}
		for _, c := range checks {
			if want := readmeConsole(t, readme, c.command); c.got != want {
				t.Errorf("README: $ %s…\nshows:\n%s\nthe command gives:\n%s", c.command, want, c.got)
			}
		}
	})

	t.Run("consent-check", func(t *testing.T) {
		site := demoUpstream(t)
		out, _, _ := runConsentCheck(t, bin, env, site.URL+"/")
		got := strings.ReplaceAll(out, site.URL+"/", "http://localhost:8000/")
		// The output runs to the end of the code block, blank lines included.
		const command = "$ caddy consent-check http://localhost:8000/\n"
		i := strings.Index(readme, command)
		if i < 0 {
			t.Fatalf("README.md has no console line %q", command)
		}
		block := readme[i+len(command):]
		block = block[:strings.Index(block, "```")]
		if got != block {
			t.Errorf("README's consent-check output:\n%s\nthe command gives:\n%s", block, got)
		}
	})
}
