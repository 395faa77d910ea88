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
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("main.go", example)
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
		t.Fatalf("go run of the README example: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "_ga=GA1") || !strings.Contains(string(out), "PHPSESSID=abc") {
		t.Errorf("the README example passed _ga or lost the session cookie:\n%s", out)
	}
}
