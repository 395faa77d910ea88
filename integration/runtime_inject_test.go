package integration

// Until the middleware injects the run-time guard itself, the tests put
// this wrapper between it and the upstream: it inserts the guard right
// after <head> of HTML responses, and before the scripts of workers and
// service workers, for the decision the middleware put in the request's
// context. Remove this file, and withGuard's calls, once the middleware
// does it.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/consentgate/consentgate/middleware"
)

// renderedGuard is the guard rendered by cmd/guardrender: an internal
// package cannot be imported from here.
type renderedGuard struct {
	Inline map[string]string `json:"inline"`
	Worker map[string]string `json:"worker"`
	Assets []struct {
		Name        string
		ContentType string
		Body        []byte
	} `json:"assets"`
}

var guardRender struct {
	once sync.Once
	g    *renderedGuard
	err  error
	out  []byte
}

// renderGuard returns the guard for the built-in catalogue and default
// categories, rendered once per test binary.
func renderGuard(t testing.TB) *renderedGuard {
	t.Helper()
	guardRender.once.Do(func() {
		cmd := exec.Command("go", "run", "github.com/consentgate/consentgate/middleware/internal/guard/cmd/guardrender")
		cmd.Stderr = os.Stderr
		guardRender.out, guardRender.err = cmd.Output()
		if guardRender.err == nil {
			guardRender.g = new(renderedGuard)
			guardRender.err = json.Unmarshal(guardRender.out, guardRender.g)
		}
	})
	if guardRender.err != nil {
		t.Fatalf("rendering the guard: %v", guardRender.err)
	}
	return guardRender.g
}

// withGuard returns a site handler that serves upstream through mw with
// the guard added. Inside the middleware it notes the request's decision
// in a response header; outside it, it inserts the guard: the middleware
// judges inline scripts of the upstream, which the guard is not (its
// rules name tracker paths that signatures match).
func withGuard(g *renderedGuard, mw *middleware.Middleware, upstream http.Handler) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok := middleware.ConsentFromContext(r.Context())
		key := ""
		if ok {
			var granted []string
			for _, cat := range c.Granted() {
				if cat != "necessary" {
					granted = append(granted, string(cat))
				}
			}
			key = strings.Join(granted, "+")
		}
		w.Header().Set(guardDecisionHeader, "["+key+"]")
		upstream.ServeHTTP(w, r)
	})
	site := mw.Handler(inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		h := rec.Header()
		key, decided := strings.CutPrefix(h.Get(guardDecisionHeader), "[")
		key = strings.TrimSuffix(key, "]")
		h.Del(guardDecisionHeader)
		ct := h.Get("Content-Type")
		switch dest := r.Header.Get("Sec-Fetch-Dest"); {
		case !decided:
		case (dest == "worker" || dest == "sharedworker" || dest == "serviceworker") && strings.Contains(ct, "javascript"):
			body = append([]byte(g.Worker[key]), body...)
		case strings.HasPrefix(ct, "text/html"):
			body = insertAfterHead(body, []byte(g.Inline[key]))
		}
		for k, v := range h {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		w.Write(body)
	})
}

const guardDecisionHeader = "X-Test-Guard-Decision"

// insertAfterHead inserts script right after the <head> start tag, or at
// the start when there is none.
func insertAfterHead(page, script []byte) []byte {
	i := bytes.Index(bytes.ToLower(page), []byte("<head"))
	at := 0
	if i >= 0 {
		if j := bytes.IndexByte(page[i:], '>'); j >= 0 {
			at = i + j + 1
		}
	}
	out := make([]byte, 0, len(page)+len(script))
	out = append(out, page[:at]...)
	out = append(out, script...)
	return append(out, page[at:]...)
}
