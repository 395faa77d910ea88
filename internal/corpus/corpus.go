// Package corpus locates the third-party test corpora (cookie parsing
// suites, html5lib tests, tracker lists, real-world pages) that tests run
// against. They live outside the repository, in ../shared/corpora next to
// a checkout, or wherever CONSENTGATE_CORPORA points. Without them the
// tests that need them skip; with CONSENTGATE_CORPORA set (as CI does) a
// missing corpus fails the test.
package corpus

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// EnvVar names the corpora folder and makes it required.
const EnvVar = "CONSENTGATE_CORPORA"

// Dir returns the path of the corpus sub (a folder or file under the
// corpora folder), or skips (fails, when EnvVar is set) if it is absent.
func Dir(t testing.TB, sub string) string {
	t.Helper()
	dir := os.Getenv(EnvVar)
	required := dir != ""
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		// internal/corpus/corpus.go → repository root → ../shared/corpora
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpora")
	}
	p := filepath.Join(dir, sub)
	if _, err := os.Stat(p); err != nil {
		if required {
			t.Fatalf("corpus %s is missing (%s=%s): %v", sub, EnvVar, dir, err)
		}
		t.Skipf("corpus %s not found; skipping (set %s to the corpora folder to require it)", p, EnvVar)
	}
	return p
}

// Pages returns the real-world pages (file name → bytes).
func Pages(t testing.TB) map[string][]byte {
	t.Helper()
	return readTree(t, Dir(t, "real-world-pages"))
}

// PrivacyPages returns DuckDuckGo's privacy test pages (relative path → bytes).
func PrivacyPages(t testing.TB) map[string][]byte {
	t.Helper()
	return readTree(t, Dir(t, "privacy-test-pages"))
}

func readTree(t testing.TB, root string) map[string][]byte {
	t.Helper()
	pages := map[string][]byte{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || filepath.Ext(p) != ".html" {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		pages[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatalf("no pages under %s", root)
	}
	return pages
}
