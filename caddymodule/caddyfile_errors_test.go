package caddymodule

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/caddyserver/caddy/v2/caddyconfig"
)

// errorGoldenFiles are Caddyfiles with one mistake each in a consent
// block. Each starts with two comment lines, the command and the error
// message it prints, and marks the line of its mistake with a
// "# mistake" comment.
func errorGoldenFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "errors", "*.Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 30 {
		t.Fatalf("found %d Caddyfiles in testdata/errors, want at least 30", len(files))
	}
	return files
}

// readErrorGolden returns a golden Caddyfile and the error message its
// second line expects, with the working directory in place of {{dir}}.
func readErrorGolden(t *testing.T, path string) (caddyfile, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(data), "\n", 3)
	if len(lines) < 3 || !strings.HasPrefix(lines[1], "# ") {
		t.Fatalf("%s: want the expected error on its second line, after \"# \"", path)
	}
	want = strings.ReplaceAll(strings.TrimPrefix(lines[1], "# "), dirPlaceholder, workDir(t))
	return string(data), want
}

func workDir(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

// errorPlace finds the file and line an adapter error names: the place
// Dispenser.WrapErr appends, before any import chain.
var errorPlace = regexp.MustCompile(`, at (.+?):(\d+)(?: import chain \[.*\])?$`)

// TestCaddyfileErrorGolden adapts every Caddyfile of testdata/errors as
// `caddy adapt --config <file>` does and checks that the error is the
// one the file expects and that it names the file and line marked as
// the mistake (for an imported file, that file's line). Run with
// -update to rewrite the expected messages after a deliberate change.
func TestCaddyfileErrorGolden(t *testing.T) {
	for _, path := range errorGoldenFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			caddyfile, want := readErrorGolden(t, path)
			_, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": path})
			if err == nil {
				t.Fatalf("%s adapted without an error", path)
			}
			got := err.Error()
			if *update {
				lines := strings.SplitN(caddyfile, "\n", 3)
				lines[1] = "# " + strings.ReplaceAll(got, workDir(t), dirPlaceholder)
				if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("%s:\n got: %s\nwant: %s\n(rerun with -update if the change is deliberate)", path, got, want)
			}
			m := errorPlace.FindStringSubmatch(got)
			if m == nil {
				t.Fatalf("error %q does not end with the place of the mistake", got)
			}
			file, line := m[1], m[2]
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("the error names %s, which cannot be read: %v", file, err)
			}
			n, _ := strconv.Atoi(line)
			fileLines := strings.Split(string(text), "\n")
			if n < 1 || n > len(fileLines) || !strings.Contains(fileLines[n-1], "# mistake") {
				t.Errorf("the error names %s:%s, not the line marked as the mistake", file, line)
			}
			if !strings.Contains(got, "'consent'") {
				t.Errorf("error %q does not name the consent directive", got)
			}
		})
	}
}

// TestRelativePaths checks where relative rules and banner_template
// paths lead: to the folder of the Caddyfile that names them, whatever
// the working directory, as import does; imported files resolve against
// their own folder; absolute paths stay as they are.
func TestRelativePaths(t *testing.T) {
	wd := workDir(t)
	site := filepath.Join(wd, "testdata", "paths")
	tests := []struct {
		name     string
		filename string // the Caddyfile's name, as given to caddy adapt --config
		body     string
		want     []string // in the adapted JSON
	}{
		{"beside the Caddyfile", "testdata/paths/Caddyfile", "consent {\n\trules rules.json\n\tbanner_template banner.html\n}\n",
			[]string{filepath.Join(site, "rules.json"), filepath.Join(site, "banner.html")}},
		{"an absolute Caddyfile", filepath.Join(site, "Caddyfile"), "consent {\n\trules rules.json\n}\n",
			[]string{filepath.Join(site, "rules.json")}},
		{"a subfolder of the Caddyfile's", "testdata/Caddyfile", "consent {\n\trules paths/rules.json\n}\n",
			[]string{filepath.Join(site, "rules.json")}},
		{"an absolute path", "elsewhere/Caddyfile", "consent {\n\trules " + filepath.Join(site, "rules.json") + "\n}\n",
			[]string{filepath.Join(site, "rules.json")}},
		{"an imported file", "testdata/Caddyfile", "import paths/consent.caddy\n",
			[]string{filepath.Join(site, "rules.json")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			caddyfile := ":8080 {\n" + tt.body + "respond ok\n}\n"
			out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": tt.filename})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				q := strconv.Quote(w)
				if !strings.Contains(string(out), q) {
					t.Errorf("adapted JSON does not name %s:\n%s", q, out)
				}
			}
		})
	}

	// Resolved against the Caddyfile, not the working directory: the
	// same Caddyfile adapted from another directory finds the same file.
	t.Run("from another working directory", func(t *testing.T) {
		t.Chdir(t.TempDir())
		caddyfile := ":8080 {\n\tconsent {\n\t\trules rules.json\n\t}\n\trespond ok\n}\n"
		out, _, err := caddyconfig.GetAdapter("caddyfile").Adapt([]byte(caddyfile), map[string]any{"filename": filepath.Join(site, "Caddyfile")})
		if err != nil {
			t.Fatal(err)
		}
		if q := strconv.Quote(filepath.Join(site, "rules.json")); !strings.Contains(string(out), q) {
			t.Errorf("adapted JSON does not name %s:\n%s", q, out)
		}
	})
}
