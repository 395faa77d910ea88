package caddymodule

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/consentgate/consentgate/middleware"
)

// writeJSON writes the report for machines.
func (rep *checkReport) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// writeText writes the report for people: per page its trackers grouped
// by vendor, the cookies it sets, and what a visitor who refuses gets,
// then a summary.
func (rep *checkReport) writeText(w io.Writer) error {
	ew := &errWriter{w: w}
	vendors := map[string]bool{}
	trackers := 0
	for i, p := range rep.Pages {
		if i > 0 {
			ew.printf("\n")
		}
		ew.printf("%s\n", printable(p.URL, 300))
		if p.FinalURL != "" {
			ew.printf("  redirected to %s\n", printable(p.FinalURL, 300))
		}
		if p.Status != 0 {
			ew.printf("  %d, %s\n", p.Status, printable(orNone(p.ContentType), 100))
		}
		if p.Error != "" {
			ew.printf("  NOT CHECKED: %s\n", printable(p.Error, 300))
			if p.Status == 0 {
				continue
			}
		}
		if len(p.Trackers) == 0 {
			ew.printf("  Trackers: none found\n")
		} else {
			ew.printf("  Trackers (a visitor who refuses does not load them):\n")
		}
		for _, t := range p.Trackers {
			vendors[t.Vendor] = true
			id := t.Vendor
			if id == "" {
				id = "NO VENDOR KNOWN"
			}
			ew.printf("    %s", printable(id, 64))
			if t.Name != "" {
				ew.printf(" (%s)", printable(t.Name, 64))
			}
			ew.printf(", needs %s\n", strings.Join(t.Categories, "+"))
			for _, f := range t.Found {
				trackers += f.Count
				what := findingElement(findingOf(f))
				if f.URL != "" {
					what += " " + printable(f.URL, 200)
				}
				if f.Count > 1 {
					what += fmt.Sprintf(" (%d times)", f.Count)
				}
				ew.printf("        %s\n", what)
			}
			if len(t.Cookies) > 0 {
				ew.printf("        cookies it sets once allowed: %s\n", cookieList(t.Cookies, 8))
			}
		}
		if len(p.Cookies) == 0 {
			ew.printf("  Cookies the page sets: none\n")
		} else {
			ew.printf("  Cookies the page sets:\n")
			tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
			for _, c := range p.Cookies {
				vendor, cats := c.Vendor, strings.Join(c.Categories, "+")
				if !c.Classified {
					vendor, cats = "UNCLASSIFIED", "-"
				}
				if vendor == "" {
					vendor = "-"
				}
				verdict := "kept"
				if c.Dropped {
					verdict = "dropped for a visitor who refuses"
				} else if !c.Classified {
					verdict = "kept (no rule: add one, or set unknown_cookies block)"
				}
				fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\n", printable(c.Name, 64), printable(vendor, 64), printable(cats, 64), verdict)
			}
			tw.Flush()
		}
		r := p.Refusing
		ew.printf("  A visitor who refuses: %d %s neutralised", r.ElementsBlocked, plural(r.ElementsBlocked, "element", "elements"))
		if r.LinkHeadersDropped > 0 {
			ew.printf(", %d Link header %s dropped", r.LinkHeadersDropped, plural(r.LinkHeadersDropped, "entry", "entries"))
		}
		all := r.CookiesDropped + r.CookiesKept
		ew.printf(", %d of %d %s dropped\n", r.CookiesDropped, all, plural(all, "cookie", "cookies"))
		for _, u := range p.Unclassified {
			ew.printf("  UNCLASSIFIED: %s\n", printable(u, 300))
		}
	}
	checked := len(rep.Pages) - rep.Failed
	ew.printf("\n%d of %d %s checked: %d tracker %s from %d %s, %d unclassified\n", checked, len(rep.Pages), plural(len(rep.Pages), "page", "pages"),
		trackers, plural(trackers, "element", "elements"), len(vendors), plural(len(vendors), "vendor", "vendors"), rep.Unclassified)
	return ew.err
}

// cookieList prints at most max cookie names, and how many more there are.
func cookieList(names []string, max int) string {
	if len(names) <= max {
		return printable(strings.Join(names, ", "), 300)
	}
	return printable(strings.Join(names[:max], ", "), 300) + fmt.Sprintf(" and %d more", len(names)-max)
}

// findingOf rebuilds the parts of a finding findingElement reads.
func findingOf(f foundReport) middleware.Finding {
	return middleware.Finding{Kind: f.Kind, Element: f.Element, URL: f.URL}
}

func orNone(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errWriter keeps the first write error, so that a report is written
// without checking every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) Write(p []byte) (int, error) {
	if ew.err != nil {
		return 0, ew.err
	}
	n, err := ew.w.Write(p)
	ew.err = err
	return n, err
}

func (ew *errWriter) printf(format string, args ...any) {
	fmt.Fprintf(ew, format, args...)
}
