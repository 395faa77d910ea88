package caddymodule

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/consentgate/consentgate/middleware"
	"github.com/consentgate/consentgate/rules"
)

// findingPrinter, when set, receives the findings of every consent
// handler provisioned in this process. Only `caddy consent-proxy
// --report` sets it, before it starts its one config.
var findingPrinter atomic.Pointer[findingReporter]

// findingReporter prints findings as they happen, one line each, the
// first time a finding is seen on a page (a page is a host and a path),
// so that browsing a site prints what each page would lose once.
type findingReporter struct {
	mu   sync.Mutex
	w    io.Writer
	seen map[string]struct{}
}

// maxReportedFindings bounds the memory of what was printed: past it the
// memory starts again, and findings are printed again as they recur.
const maxReportedFindings = 100_000

func newFindingReporter(w io.Writer) *findingReporter {
	return &findingReporter{w: w, seen: map[string]struct{}{}}
}

// finding prints f, seen on r's page, unless it was printed for that
// page already.
func (fr *findingReporter) finding(r *http.Request, f middleware.Finding) {
	what := describeFinding(f)
	key := r.Host + "\x00" + r.URL.Path + "\x00" + what
	fr.mu.Lock()
	defer fr.mu.Unlock()
	if _, done := fr.seen[key]; done {
		return
	}
	if len(fr.seen) >= maxReportedFindings {
		clear(fr.seen)
	}
	fr.seen[key] = struct{}{}
	verb := "blocked"
	if f.Reported {
		verb = "would block"
	}
	fmt.Fprintf(fr.w, "%s: %s %s\n", printable(r.URL.Path, 200), verb, what)
}

// describeFinding says in a few words what was found, with its URL or
// cookie, its vendor and the categories it needs: "<script>
// https://www.googletagmanager.com/gtag/js?id=G-1 (google-analytics:
// analytics)".
func describeFinding(f middleware.Finding) string {
	var b strings.Builder
	b.WriteString(findingElement(f))
	if f.URL != "" {
		b.WriteString(" ")
		b.WriteString(printable(f.URL, 200))
	}
	b.WriteString(" (")
	if f.Vendor != "" {
		b.WriteString(printable(f.Vendor, 64))
	} else {
		b.WriteString("no vendor known")
	}
	if len(f.Categories) > 0 {
		b.WriteString(": ")
		b.WriteString(joinCategories(f.Categories))
	}
	b.WriteString(")")
	return b.String()
}

// findingElement names what a finding is: "<script>", "inline <script>",
// "ping on <a>", "Set-Cookie _ga", "request cookie _ga", "Link header".
func findingElement(f middleware.Finding) string {
	switch f.Kind {
	case "set-cookie":
		return "Set-Cookie " + printable(f.Cookie, 64)
	case "cookie":
		return "request cookie " + printable(f.Cookie, 64)
	case "link-header":
		return "Link header"
	}
	kind := strings.ReplaceAll(printable(f.Kind, 32), "-", " ")
	if f.Element == "" {
		return kind
	}
	el := "<" + printable(f.Element, 32) + ">"
	if f.Kind != f.Element {
		return kind + " on " + el
	}
	if f.URL == "" {
		return "inline " + el
	}
	return el
}

func joinCategories(cats []rules.Category) string {
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = printable(string(c), 32)
	}
	return strings.Join(names, "+")
}

// printable makes s safe to print on a terminal: control characters and
// invalid UTF-8 are escaped, and anything past max runes is cut with an
// ellipsis. Pages are not trusted to write to the operator's terminal.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for i, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		n++
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unicode.IsPrint(r) && r != ' ':
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
