package caddymodule

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCustomCaddyCommand builds the custom Caddy of examples/caddy (the
// binary xcaddy would build) and checks, through its command line, that
// it knows the module and that Caddyfile.example, the README's run
// config, adapts and validates.
func TestCustomCaddyCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Caddy binary")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available to build examples/caddy")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "caddy")
	build := exec.Command(goCmd, "build", "-o", bin, "./examples/caddy")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/caddy: %v\n%s", err, out)
	}
	// Keep Caddy's config autosave and data out of the user's home.
	env := append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"), "XDG_DATA_HOME="+filepath.Join(tmp, "data"))
	run := func(t *testing.T, args ...string) (stdout string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("caddy %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String()
	}

	t.Run("list-modules", func(t *testing.T) {
		out := run(t, "list-modules")
		found := false
		for _, line := range strings.Split(out, "\n") {
			if strings.TrimSpace(line) == "http.handlers.consent" {
				found = true
			}
		}
		if !found {
			t.Errorf("caddy list-modules does not list http.handlers.consent:\n%s", out)
		}
	})

	t.Run("adapt Caddyfile.example", func(t *testing.T) {
		out := run(t, "adapt", "--config", "Caddyfile.example")
		var cfg struct {
			Apps struct {
				HTTP struct {
					Servers map[string]struct {
						Listen []string `json:"listen"`
						Routes []any    `json:"routes"`
					} `json:"servers"`
				} `json:"http"`
			} `json:"apps"`
		}
		if err := json.Unmarshal([]byte(out), &cfg); err != nil {
			t.Fatalf("caddy adapt printed no JSON config: %v\n%s", err, out)
		}
		srv, ok := cfg.Apps.HTTP.Servers["srv0"]
		if !ok || len(srv.Listen) != 1 || srv.Listen[0] != ":8080" {
			t.Errorf("Caddyfile.example does not serve :8080: %s", out)
		}
		names, _ := handlerNames(srv.Routes, false)
		if got, want := strings.Join(names, " "), "vars encode consent file_server"; got != want {
			t.Errorf("Caddyfile.example's handlers: %s, want %s", got, want)
		}
		if !strings.Contains(out, `"policy_url":"/privacy.html"`) {
			t.Errorf("Caddyfile.example's consent block lost its policy_url: %s", out)
		}
	})

	t.Run("validate Caddyfile.example", func(t *testing.T) {
		run(t, "validate", "--config", "Caddyfile.example")
	})

	// What an operator sees: caddy adapt on each Caddyfile of
	// testdata/errors exits with status 1 and logs the error the file
	// expects, file and line included.
	t.Run("adapt each mistake", func(t *testing.T) {
		for _, path := range errorGoldenFiles(t) {
			_, want := readErrorGolden(t, path)
			cmd := exec.Command(bin, "adapt", "--config", path)
			cmd.Env = env
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
				t.Errorf("caddy adapt --config %s: exit status %d (%v), want 1", path, code, err)
			}
			var logged struct {
				Level string `json:"level"`
				Msg   string `json:"msg"`
			}
			line, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
			if err := json.Unmarshal([]byte(line), &logged); err != nil || logged.Level != "error" || logged.Msg != want {
				t.Errorf("caddy adapt --config %s logged:\n%s\nwant the error:\n%s", path, stderr.String(), want)
			}
		}
	})

	t.Run("validate with a bad consent block", func(t *testing.T) {
		bad := filepath.Join(tmp, "Caddyfile")
		if err := os.WriteFile(bad, []byte(":8080 {\n\tconsent {\n\t\tmode block\n\t}\n}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bin, "validate", "--config", bad)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("caddy validate accepted a bad consent block:\n%s", out)
		}
		// The command logs the error as JSON, quotes escaped.
		for _, want := range []string{"'consent': mode: unknown value", ", at " + bad + ":3"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("caddy validate's error does not say %q:\n%s", want, out)
			}
		}
	})
}
