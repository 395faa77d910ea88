package middleware

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/consentgate/consentgate/internal/corpus"
	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/rules"
)

// load is one thing a page makes the browser fetch: an element's URL
// attribute, or an inline script.
type load struct {
	elem, attr, value string
}

// pageLoads parses a page with golang.org/x/net/html, with scripting on
// and off (so <noscript> content counts), and lists what it loads. It is
// written independently of the middleware's own element tables, as a
// second opinion.
func pageLoads(t *testing.T, page []byte) []load {
	t.Helper()
	var out []load
	for _, scripting := range []bool{true, false} {
		doc, err := html.ParseWithOptions(bytes.NewReader(page), html.ParseOptionEnableScripting(scripting))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				out = append(out, elementLoads(n)...)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	return out
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key && (a.Namespace == "" || a.Namespace == "xlink") {
			return a.Val, true
		}
	}
	return "", false
}

func elementLoads(n *html.Node) []load {
	var out []load
	add := func(a string) {
		if v, ok := attr(n, a); ok && strings.TrimSpace(v) != "" {
			out = append(out, load{n.Data, a, v})
		}
	}
	add("style")
	if n.Namespace == "svg" {
		switch n.Data {
		case "script", "image", "use", "feImage":
			add("href")
		}
		return out
	}
	if n.Namespace != "" {
		return out
	}
	switch n.Data {
	case "style":
		typ, _ := attr(n, "type")
		typ = strings.ToLower(strings.TrimSpace(typ))
		if (typ == "" || typ == "text/css") && n.FirstChild != nil {
			out = append(out, load{"style", "#css", n.FirstChild.Data})
		}
	case "script":
		typ, _ := attr(n, "type")
		typ = strings.ToLower(strings.TrimSpace(typ))
		if typ != "" && typ != "text/javascript" && typ != "module" && typ != "application/javascript" {
			return out
		}
		add("attributionsrc")
		if _, ok := attr(n, "src"); ok {
			add("src")
		} else if n.FirstChild != nil {
			out = append(out, load{"script", "#text", n.FirstChild.Data})
		}
	case "img":
		add("src")
		add("srcset")
		add("attributionsrc")
	case "source":
		add("src")
		add("srcset")
	case "iframe", "frame", "embed", "audio", "track":
		add("src")
	case "video":
		add("src")
		add("poster")
	case "object":
		add("data")
	case "input":
		if typ, _ := attr(n, "type"); strings.EqualFold(typ, "image") {
			add("src")
		}
	case "a", "area":
		add("ping")
		add("attributionsrc")
	case "body", "table", "thead", "tbody", "tfoot", "tr", "td", "th":
		add("background")
	case "link":
		rel, _ := attr(n, "rel")
		for _, r := range strings.Fields(strings.ToLower(rel)) {
			if slices.Contains(browserLoadingRels, r) {
				add("href")
				add("imagesrcset")
				return out
			}
		}
	}
	return out
}

// browserLoadingRels are the link relations that make Chromium fetch or
// connect, as the second opinion knows them.
var browserLoadingRels = []string{"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch",
	"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "manifest", "prerender"}

// TestSecondOpinionAgreesWithTable keeps the two lists of what loads from
// drifting apart: every loading attribute of the element table (but the
// lazy-loading ones, which only scripts load) is one the second opinion
// counts, and every relation the second opinion knows loads is in the
// table's.
func TestSecondOpinionAgreesWithTable(t *testing.T) {
	for _, e := range elements.Table {
		if e.Space == elements.HTML && (e.Name == "image" || e.Name == "use" || e.Name == "feimage") {
			continue // not elements in HTML: the parser renames or ignores them
		}
		for _, a := range e.Attrs {
			if a.Lazy {
				continue
			}
			var markup string
			switch e.Space {
			case elements.SVG:
				markup = fmt.Sprintf(`<svg><%s %s="https://x.example/y"></%s></svg>`, e.Name, a.Name, e.Name)
			default:
				extra := ""
				switch e.When {
				case elements.RelLoads:
					extra = ` rel="stylesheet"`
				case elements.TypeImage:
					extra = ` type="image"`
				}
				markup = fmt.Sprintf(`<%s%s %s="https://x.example/y">`, e.Name, extra, a.Name)
				if e.Name == "body" {
					markup = fmt.Sprintf(`<body %s="https://x.example/y">`, a.Name)
				} else if e.Name != "frame" {
					markup = "<table><tr>" + markup + "</tr></table>"
				}
			}
			name := a.Name
			if name == "xlink:href" {
				continue // the second opinion reads href in either namespace
			}
			found := false
			for _, l := range pageLoads(t, []byte(markup)) {
				if strings.EqualFold(l.elem, e.Name) && l.attr == name {
					found = true
				}
			}
			if !found && e.Name != "frame" {
				t.Errorf("the second opinion does not count <%s %s> (%s), which the table says loads", e.Name, a.Name, e.Space)
			}
		}
	}
	for _, r := range browserLoadingRels {
		if !slices.Contains(elements.Rels, r) {
			t.Errorf("link rel %s loads, but the table does not list it", r)
		}
	}
}

// judge classifies a load with net/url (not the middleware's resolver)
// and the rules: it returns the vendor when the load is a tracker whose
// categories granted lacks.
func judgeLoad(rs *rules.Ruleset, base *url.URL, l load, granted rules.CategorySet) (string, bool) {
	if l.attr == "#text" {
		need, v, ok := rs.MatchScript([]byte(l.value))
		if ok && !granted.Has(need) {
			return v.ID, true
		}
		return "", false
	}
	var urls []string
	switch l.attr {
	case "srcset":
		urls = srcsetURLs(l.value)
	case "ping", "attributionsrc":
		urls = strings.Fields(l.value)
	case "style", "#css":
		urls = styleURLs(l.value)
	default:
		urls = []string{strings.TrimSpace(l.value)}
	}
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil {
			continue
		}
		u = base.ResolveReference(u)
		if u.Scheme != "http" && u.Scheme != "https" {
			continue
		}
		pq := u.EscapedPath()
		if u.RawQuery != "" {
			pq += "?" + u.RawQuery
		}
		m, ok := rs.MatchURL(strings.TrimSuffix(strings.ToLower(u.Hostname()), "."), pq)
		if ok && !granted.Has(m.Need) {
			return m.Vendor.ID, true
		}
	}
	return "", false
}

// cssURL finds what CSS loads: url() arguments, quoted or not, and the
// strings of @import and image-set(). Other strings are not URLs.
var (
	cssURL    = regexp.MustCompile(`(?i)url\(\s*([^"')\s][^)\s]*)\s*\)|url\(\s*"([^"]*)"|url\(\s*'([^']*)'|@import\s*"([^"]*)"|@import\s*'([^']*)'|image-set\(([^)]*)\)`)
	cssString = regexp.MustCompile(`"([^"]*)"|'([^']*)'`)
	cssImgSet = 6
	cssQuoted = []int{1, 2, 3, 4, 5}
)

// styleURLs lists the URLs CSS text may load; written apart from the
// middleware's CSS reader, as a second opinion (escapes aside).
func styleURLs(v string) []string {
	var urls []string
	for _, m := range cssURL.FindAllStringSubmatch(v, -1) {
		for _, g := range cssQuoted {
			if m[g] != "" {
				urls = append(urls, strings.TrimSpace(m[g]))
			}
		}
		for _, s := range cssString.FindAllStringSubmatch(m[cssImgSet], -1) {
			urls = append(urls, s[1]+s[2])
		}
	}
	return urls
}

// documentBaseURL returns the page URL, or its first <base href>.
func documentBaseURL(t *testing.T, page []byte, pageURL string) *url.URL {
	base, _ := url.Parse(pageURL)
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var found *url.URL
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "base" {
			if v, ok := attr(n, "href"); ok {
				if u, err := url.Parse(strings.TrimSpace(v)); err == nil {
					found = base.ResolveReference(u)
					return
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found != nil {
		return found
	}
	return base
}

// TestNoTrackerSurvivesOnCorpusPages runs every real-world page and every
// privacy test page through the middleware for an undecided visitor, then
// parses the output with x/net/html: no tracker load may survive, and
// every load that is not a tracker's must still be there, unchanged.
func TestNoTrackerSurvivesOnCorpusPages(t *testing.T) {
	pages := map[string][]byte{}
	for name, p := range corpus.Pages(t) {
		pages["real-world-pages/"+name] = p
	}
	for name, p := range corpus.PrivacyPages(t) {
		pages["privacy-test-pages/"+name] = p
	}
	m := newTestMiddleware(t, Config{})
	rs := m.Rules()
	granted := rs.NecessarySet()
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	sort.Strings(names)
	totalBlocked, totalKept := 0, 0
	for _, name := range names {
		page := pages[name]
		pageURL := "https://www.example.com/" + name
		out := servePage(t, m, pageURL, page)
		inBase := documentBaseURL(t, page, pageURL)
		outBase := documentBaseURL(t, out, pageURL)

		var wantKept []string
		blocked := 0
		for _, l := range pageLoads(t, page) {
			if _, bad := judgeLoad(rs, inBase, l, granted); bad {
				blocked++
				continue
			}
			wantKept = append(wantKept, fmt.Sprintf("%s[%s]=%s", l.elem, l.attr, l.value))
		}
		var gotKept []string
		for _, l := range pageLoads(t, out) {
			if vendor, bad := judgeLoad(rs, outBase, l, granted); bad {
				t.Errorf("%s: tracker load survives: <%s %s=%.120q> (%s)", name, l.elem, l.attr, l.value, vendor)
				continue
			}
			gotKept = append(gotKept, fmt.Sprintf("%s[%s]=%s", l.elem, l.attr, l.value))
		}
		sort.Strings(wantKept)
		sort.Strings(gotKept)
		if missing := diffMultiset(wantKept, gotKept); len(missing) > 0 {
			t.Errorf("%s: %d non-tracker loads lost, e.g. %.200q", name, len(missing), missing[0])
		}
		totalBlocked += blocked
		totalKept += len(wantKept)
	}
	t.Logf("%d pages: %d tracker loads blocked (scripting on and off counted separately), %d other loads kept", len(names), totalBlocked, totalKept)
	if totalBlocked == 0 {
		t.Fatal("nothing was blocked: the corpus has trackers, so the check is not working")
	}
}

// diffMultiset returns the items of want missing from got (both sorted).
func diffMultiset(want, got []string) []string {
	var missing []string
	i, j := 0, 0
	for i < len(want) {
		switch {
		case j < len(got) && want[i] == got[j]:
			i++
			j++
		case j < len(got) && got[j] < want[i]:
			j++
		default:
			missing = append(missing, want[i])
			i++
		}
	}
	return missing
}

// servePage runs page through m as the response to a GET of pageURL.
func servePage(t *testing.T, m *Middleware, pageURL string, page []byte) []byte {
	t.Helper()
	req := httptest.NewRequest("GET", pageURL, nil)
	rec := httptest.NewRecorder()
	m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})).ServeHTTP(rec, req)
	return rec.Body.Bytes()
}

// srcsetURLs splits an image candidate list as the HTML standard's
// srcset parser does: a URL is a run of non-whitespace (commas inside it
// belong to it unless they end it), and its descriptors run to the next
// comma outside parentheses.
func srcsetURLs(v string) []string {
	var out []string
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	for i := 0; i < len(v); {
		for i < len(v) && (isSpace(v[i]) || v[i] == ',') {
			i++
		}
		start := i
		for i < len(v) && !isSpace(v[i]) {
			i++
		}
		u := v[start:i]
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			depth := 0
			for i < len(v) && !(v[i] == ',' && depth == 0) {
				switch v[i] {
				case '(':
					depth++
				case ')':
					depth--
				}
				i++
			}
		}
		if u != "" {
			out = append(out, u)
		}
	}
	return out
}
