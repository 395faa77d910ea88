package middleware

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files of the tests")

// TestElementTableGolden walks the whole element table: every loading
// attribute of every element, in every mode, for a visitor who refused
// and one who granted the tracker's category, through the middleware;
// testdata/elements.golden holds what comes out (go test -update writes
// it anew). It needs nothing outside the repository.
func TestElementTableGolden(t *testing.T) {
	const tracker = "https://www.facebook.com/tr?id=1" // Meta pixel: marketing
	var out strings.Builder
	for _, mode := range []string{ModeNeutralize, ModeRemove, ModeReport} {
		m := newTestMiddleware(t, Config{Mode: mode, Banner: "off", Guard: "off"})
		for _, granted := range []bool{false, true} {
			var cookie string
			if granted {
				cookie = decidedCookie(m, rules.Marketing)
			}
			for _, e := range elements.Table {
				for _, a := range e.Attrs {
					value := tracker
					switch a.Kind {
					case elements.Srcset:
						value = "/a.png 1x, " + tracker + " 2x"
					case elements.List:
						value = "/count " + tracker
					}
					extra := ""
					switch e.When {
					case elements.RelLoads:
						extra = ` rel="preload"`
					case elements.TypeImage:
						extra = ` type="image"`
					}
					markup := fmt.Sprintf(`<%s%s %s="%s" class="x">`, e.Name, extra, a.Name, value)
					if e.Space == elements.SVG {
						markup = "<svg>" + markup + "</svg>"
					}
					got := rewriteSnippet(t, m, cookie, markup)
					fmt.Fprintf(&out, "%s %s %s %s:\n  %s\n  %s\n", mode, grantedWord(granted), e.Space, e.Name+" "+a.Name, markup, got)
				}
			}
		}
	}
	// A tag longer than the buffer cap is made inert unjudged by the
	// table's inert attributes, put first.
	m := newTestMiddleware(t, Config{Banner: "off", Guard: "off", MaxBufferSize: 1024})
	long := strings.Repeat("z", 1500)
	for _, e := range elements.Table {
		markup := fmt.Sprintf(`<%s %s="%s" title="%s">`, e.Name, e.Attrs[0].Name, tracker, long)
		if e.Space == elements.SVG {
			markup = "<svg>" + markup + "</svg>"
		}
		got := rewriteSnippetIn(t, m, "", markup, 100)
		fmt.Fprintf(&out, "overflow %s %s:\n  %s\n", e.Space, e.Name, strings.ReplaceAll(got, long, "z…"))
	}
	const golden = "testdata/elements.golden"
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -run TestElementTableGolden -update writes it)", err)
	}
	if string(want) != out.String() {
		gl, wl := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("differs from %s at line %d:\ngot  %s\nwant %s\n(go test -run TestElementTableGolden -update writes it anew)", golden, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("differs from %s in length (%d lines, want %d)", golden, len(gl), len(wl))
	}
}

func grantedWord(g bool) string {
	if g {
		return "granted"
	}
	return "refused"
}

// rewriteSnippet runs markup through m as a page body for a visitor with
// the given consent cookie.
func rewriteSnippet(t *testing.T, m *Middleware, cookie, markup string) string {
	t.Helper()
	return rewriteSnippetIn(t, m, cookie, markup, len(markup))
}

// rewriteSnippetIn is rewriteSnippet with the body written in pieces of
// chunk bytes.
func rewriteSnippetIn(t *testing.T, m *Middleware, cookie, markup string, chunk int) string {
	t.Helper()
	req := httptest.NewRequest("GET", "https://shop.example.com/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp := serve(t, m, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for i := 0; i < len(markup); i += chunk {
			w.Write([]byte(markup[i:min(i+chunk, len(markup))]))
		}
	}, req)
	return body(t, resp)
}
