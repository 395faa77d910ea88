package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/html"

	"github.com/consentgate/consentgate/internal/corpus"
)

var benchPages = []string{"lol-html/cloudflare.com.html", "lol-html/html-parsing-spec.html"}

// BenchmarkRewrite measures the page rewriter as the middleware runs it
// for an undecided visitor (everything optional refused), fed in 32 KiB
// chunks as a proxy copies, next to BenchmarkTdewolffLex on the same bytes.
func BenchmarkRewrite(b *testing.B) {
	pages := corpus.Pages(b)
	m, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range benchPages {
		page := pages[name]
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "https://www.example.com/", nil)
			_, st := m.begin(req)
			dst := &clientWriter{rw: discardWriter{}}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rewritePage(m, req, st, dst, page)
			}
		})
	}
}

// BenchmarkTdewolffLex is the baseline: tdewolff/parse's HTML lexer
// reading every token of the same pages.
func BenchmarkTdewolffLex(b *testing.B) {
	pages := corpus.Pages(b)
	for _, name := range benchPages {
		page := pages[name]
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, len(page), len(page)+1)
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				lexPage(buf, page)
			}
		})
	}
}

// BenchmarkRewriteVsLex runs the rewriter and tdewolff's full lex of the
// same page in turn, iteration by iteration, and reports how many times
// faster the rewriter is (x-faster: lex time over rewrite time). Run one
// after the other as separate benchmarks, each pair is measured minutes
// apart, and on a shared machine their ratio drifts with the neighbours'
// load; alternated, both see the same machine.
func BenchmarkRewriteVsLex(b *testing.B) {
	pages := corpus.Pages(b)
	m, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range benchPages {
		page := pages[name]
		b.Run(name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "https://www.example.com/", nil)
			_, st := m.begin(req)
			dst := &clientWriter{rw: discardWriter{}}
			buf := make([]byte, len(page), len(page)+1)
			var rewrite, lex time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				t0 := time.Now()
				rewritePage(m, req, st, dst, page)
				t1 := time.Now()
				lexPage(buf, page)
				lex += time.Since(t1)
				rewrite += t1.Sub(t0)
			}
			b.ReportMetric(float64(lex)/float64(rewrite), "x-faster")
			b.ReportMetric(float64(rewrite.Nanoseconds())/float64(b.N), "rewrite-ns/op")
			b.ReportMetric(float64(lex.Nanoseconds())/float64(b.N), "lex-ns/op")
		})
	}
}

// rewritePage runs one page through the rewriter as the middleware does,
// in 32 KiB chunks as a proxy copies.
func rewritePage(m *Middleware, req *http.Request, st *state, dst *clientWriter, page []byte) {
	pw := m.newPageWriter(req, nil, st, dst)
	for off := 0; off < len(page); off += 32 << 10 {
		pw.Write(page[off:min(off+32<<10, len(page))])
	}
	pw.Close()
}

// lexPage reads every token of page with tdewolff's lexer, in buf (one
// byte longer than page): the lexer lower-cases names in place.
func lexPage(buf, page []byte) {
	copy(buf, page)
	l := html.NewLexer(parse.NewInputBytes(buf))
	for {
		if tt, _ := l.Next(); tt == html.ErrorToken {
			return
		}
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return nil }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}

// BenchmarkCookieRequest measures the per-request cost of the middleware
// for a non-HTML response with 10 Set-Cookie lines and a request with 10
// cookies (an undecided visitor: trackers dropped, the rest kept), against
// the bare handler in the same run.
func BenchmarkCookieRequest(b *testing.B) {
	setCookies := []string{
		"PHPSESSID=abc123; Path=/; HttpOnly", "_ga=GA1.2.3.4; Path=/; Max-Age=63072000", "_gid=GA1.2.5; Path=/",
		"_fbp=fb.1.2.3; Path=/", "lang=sv; Path=/", "csrftoken=tok; Path=/; SameSite=Lax", "_hjSessionUser_123=x; Path=/",
		"cart=1; Path=/", "theme=dark; Path=/", "_clck=abc; Path=/",
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		for _, c := range setCookies {
			hd.Add("Set-Cookie", c)
		}
		hd.Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	})
	// First visit after refusing: the browser still carries 5 tracker
	// cookies, which are removed and expired. Steady state: it no longer
	// has them (the expiry worked), 10 other cookies.
	withTrackers := "PHPSESSID=abc123; _ga=GA1.2.3.4; _gid=GA1.2.5; _fbp=fb.1.2.3; lang=sv; csrftoken=tok; _hjSessionUser_123=x; cart=1; theme=dark; _clck=abc"
	steady := "PHPSESSID=abc123; lang=sv; csrftoken=tok; cart=1; theme=dark; currency=SEK; recently_viewed=1,2,3; ab=b; tz=CET; consent_seen=1"
	m, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, cookie string
		h            http.Handler
	}{
		{"bare", steady, h},
		{"consent/steady", steady, m.Handler(h)},
		{"consent/expiring-trackers", withTrackers, m.Handler(h)},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "https://shop.example.com/api/cart", nil)
			w := &benchWriter{h: http.Header{}}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req.Header = http.Header{"Cookie": {c.cookie}}
				clear(w.h)
				c.h.ServeHTTP(w, req)
			}
		})
	}
}

// benchWriter is a reusable ResponseWriter that discards the body.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(int)             {}

// BenchmarkServePage measures a whole request for an HTML page (the
// handler writes it in 32 KiB chunks, as a proxy copies) for an
// undecided visitor, against the bare handler in the same run.
func BenchmarkServePage(b *testing.B) {
	pages := corpus.Pages(b)
	m, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	page := pages[benchPages[0]]
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		for off := 0; off < len(page); off += 32 << 10 {
			w.Write(page[off:min(off+32<<10, len(page))])
		}
	})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", h}, {"consent", m.Handler(h)}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "https://www.example.com/", nil)
			w := &benchWriter{h: http.Header{}}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req.Header = http.Header{"Cookie": {"PHPSESSID=abc123; lang=sv"}, "Accept-Language": {"sv-SE,sv;q=0.9,en;q=0.8"}}
				clear(w.h)
				c.h.ServeHTTP(w, req)
			}
		})
	}
}

// BenchmarkSmallJSON measures what the middleware adds to a small JSON
// response without cookies, as bench/run's Caddy comparison serves it
// (the request headers of wrk, the response headers of nginx), against
// the bare handler in the same run.
func BenchmarkSmallJSON(b *testing.B) {
	body := []byte(`{"items":[1,2,3],"ok":true}` + "\n")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Server", "nginx")
		hd.Set("Date", "Sat, 05 Dec 2026 21:40:00 GMT")
		hd.Set("Content-Type", "application/json")
		hd.Set("Content-Length", "28")
		hd.Set("Last-Modified", "Sat, 05 Dec 2026 21:30:00 GMT")
		hd.Set("Etag", `"6752c3c8-1c"`)
		hd.Set("Accept-Ranges", "bytes")
		w.Write(body)
	})
	m, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", h}, {"consent", m.Handler(h)}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "http://127.0.0.1:19002/small.json", nil)
			w := &benchWriter{h: http.Header{}}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				req.Header = http.Header{"Host": {"127.0.0.1:19002"}}
				clear(w.h)
				c.h.ServeHTTP(w, req)
			}
		})
	}
}
