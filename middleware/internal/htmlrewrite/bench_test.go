package htmlrewrite

import (
	"io"
	"testing"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/html"
)

var benchNames = []string{"lol-html/cloudflare.com.html", "lol-html/html-parsing-spec.html"}

// BenchmarkScanOnly feeds pages through a rewriter that wants no tag: the
// floor of the scanner.
func BenchmarkScanOnly(b *testing.B) {
	pages := realPages(b)
	for _, name := range benchNames {
		page := pages[name]
		b.Run(name, func(b *testing.B) {
			c := mustCompile(Settings{})
			r := New(io.Discard, c, &recorder{})
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				r.Reset(io.Discard, c, &recorder{})
				for off := 0; off < len(page); off += 32 << 10 {
					r.Write(page[off:min(off+32<<10, len(page))])
				}
				r.Close()
			}
		})
	}
}

func BenchmarkLex(b *testing.B) {
	pages := realPages(b)
	for _, name := range benchNames {
		page := pages[name]
		b.Run(name, func(b *testing.B) {
			buf := make([]byte, len(page), len(page)+1)
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				copy(buf, page)
				l := html.NewLexer(parse.NewInputBytes(buf))
				for {
					if tt, _ := l.Next(); tt == html.ErrorToken {
						break
					}
				}
			}
		})
	}
}
