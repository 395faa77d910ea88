package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGoExample does what a new user does with the README's Go
// example: pastes it into a new module, next to a site that sets _ga, and
// runs it; the _ga cookie must not reach the client.
func TestReadmeGoExample(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available")
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var example string
	for _, m := range regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		if strings.Contains(m[1], "middleware.New") && strings.Contains(m[1], "package main") {
			example = m[1]
			break
		}
	}
	if example == "" {
		t.Fatal("no Go example with middleware.New in README.md")
	}
	// Serve a site that sets _ga instead of a folder, and answer one
	// request in-process instead of listening.
	example = strings.Replace(example, `site := http.FileServer(http.Dir("public"))`, `site := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "_ga=GA1.1.1; Path=/")
		w.Header().Add("Set-Cookie", "PHPSESSID=abc; Path=/")
		w.Write([]byte("ok"))
	})`, 1)
	example = strings.Replace(example, `log.Fatal(http.ListenAndServe(":8080", mw.Handler(site)))`, `rec := httptest.NewRecorder()
	mw.Handler(site).ServeHTTP(rec, httptest.NewRequest("GET", "http://shop.example/", nil))
	for _, c := range rec.Header().Values("Set-Cookie") {
		fmt.Println(c)
	}`, 1)
	example = strings.Replace(example, "import (\n", "import (\n\t\"fmt\"\n\t\"net/http/httptest\"\n", 1)
	out := runInNewModule(t, gobin, example)
	if strings.Contains(string(out), "_ga=GA1") || !strings.Contains(string(out), "PHPSESSID=abc") {
		t.Errorf("the README example passed _ga or lost the session cookie:\n%s", out)
	}
}

// runInNewModule runs main.go in a module of its own that requires the
// project, as a user's program would, and returns what it printed.
func runInNewModule(t *testing.T, gobin, mainGo string) []byte {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", mainGo)
	write("go.mod", "module readme.example/app\n\ngo 1.26\n\nrequire github.com/consentgate/consentgate v0.0.0\n\nreplace github.com/consentgate/consentgate => "+repoRoot()+"\n")
	tidy := exec.Command(gobin, "mod", "tidy")
	tidy.Dir = dir
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in the new module: %v\n%s", err, out)
	}
	run := exec.Command(gobin, "run", ".")
	run.Dir = dir
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("go run in the new module: %v\n%s", err, out)
	}
	return out
}

// TestNoContentTypeBothHooks does what a user of httputil.ReverseProxy
// does, from a module of their own: a legacy upstream sends a page with
// tracker tags and no Content-Type (browsers sniff it as HTML), once
// through a proxy wrapped in Handler and once through a proxy with
// FilterRequest and ModifyResponse. Both must neutralise the trackers
// and show the banner, alike.
func TestNoContentTypeBothHooks(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available")
	}
	out := runInNewModule(t, gobin, `package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"

	"github.com/consentgate/consentgate/middleware"
)

func main() {
	legacy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil // no type: net/http and browsers sniff it
		io.WriteString(w, "<html><head><script src=\"https://www.googletagmanager.com/gtm.js?id=GTM-1\"></script></head>"+
			"<body><img src=\"https://www.facebook.com/tr?id=1&ev=PageView\"><p>Legacy shop</p></body></html>")
	}))
	defer legacy.Close()
	target, _ := url.Parse(legacy.URL)
	mw, err := middleware.New(middleware.Config{})
	if err != nil {
		panic(err)
	}
	wrapped := httptest.NewServer(mw.Handler(&httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) { pr.SetURL(target) },
	}))
	defer wrapped.Close()
	hooked := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out = mw.FilterRequest(pr.Out)
			pr.SetURL(target)
		},
		ModifyResponse: mw.ModifyResponse,
	})
	defer hooked.Close()
	for _, srv := range []*httptest.Server{wrapped, hooked} {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Printf("%s\n%s\n----\n", resp.Header.Get("Content-Type"), body)
	}
}
`)
	pages := strings.Split(string(out), "\n----\n")
	if len(pages) != 3 {
		t.Fatalf("want two pages, got:\n%s", out)
	}
	for i, name := range []string{"Handler", "ModifyResponse"} {
		p := pages[i]
		if !strings.HasPrefix(p, "text/html") || strings.Contains(p, ` src="https://www.googletagmanager.com`) ||
			strings.Contains(p, ` src="https://www.facebook.com`) || !strings.Contains(p, "data-consent-banner") {
			t.Errorf("through %s the page was not enforced:\n%s", name, p)
		}
	}
	if pages[0] != pages[1] {
		t.Errorf("Handler and ModifyResponse differ:\n%s\n----\n%s", pages[0], pages[1])
	}
}
