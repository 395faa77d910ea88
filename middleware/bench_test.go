package middleware

import (
	"net/http"
	"net/http/httptest"
	"testing"

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
			st := m.begin(req)
			dst := &clientWriter{rw: discardWriter{}}
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				pw := m.newPageWriter(req, nil, st, dst)
				for off := 0; off < len(page); off += 32 << 10 {
					pw.Write(page[off:min(off+32<<10, len(page))])
				}
				pw.Close()
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
				copy(buf, page) // the lexer lower-cases names in place
				l := html.NewLexer(parse.NewInputBytes(buf))
				for {
					tt, _ := l.Next()
					if tt == html.ErrorToken {
						break
					}
				}
			}
		})
	}
}

type discardWriter struct{}

func (discardWriter) Header() http.Header         { return nil }
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) WriteHeader(int)             {}
