package guard

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/rules"
)

func compile(t testing.TB, opts Options) *Guard {
	t.Helper()
	if opts.Rules == nil {
		opts.Rules = testRules(t)
	}
	g, err := Compile(opts)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestCompileRejectsBadOptions(t *testing.T) {
	rs := testRules(t)
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"no rules", Options{}},
		{"unknown mode", Options{Rules: rs, Mode: "block"}},
		{"relative endpoint", Options{Rules: rs, Endpoint: "consent"}},
		{"endpoint with a trailing slash", Options{Rules: rs, Endpoint: "/consent/"}},
	} {
		if _, err := Compile(tc.opts); !errors.Is(err, ErrOptions) {
			t.Errorf("%s: Compile = %v, want an error wrapping ErrOptions", tc.name, err)
		}
	}
}

// config extracts the rules and the decision from a rendered guard.
func config(t *testing.T, js []byte) (rulesCfg map[string]json.RawMessage, decision map[string]json.RawMessage) {
	t.Helper()
	i := bytes.LastIndex(js, []byte(")(self,"))
	if i < 0 {
		t.Fatalf("no invocation in %.200q", js)
	}
	args := js[i+len(")(self,"):]
	end := bytes.LastIndex(args, []byte(");"))
	var both []json.RawMessage
	if err := json.Unmarshal(append(append([]byte("["), args[:end]...), ']'), &both); err != nil {
		t.Fatalf("arguments are not JSON: %v", err)
	}
	json.Unmarshal(both[0], &rulesCfg)
	json.Unmarshal(both[1], &decision)
	return rulesCfg, decision
}

func TestRulesConfig(t *testing.T) {
	rs := testRules(t)
	analytics, _ := rs.Bit(rules.Analytics)
	g := compile(t, Options{Rules: rs, Mode: ModeRemove, UnknownCookieNeed: rs.Optional(), AllowedCookies: []string{"consentgate"},
		AllowedCookiePrefixes: []string{"cmplz_"}, Endpoint: "/cg"})
	cfg, dec := config(t, g.WorkerPrefix(Decision{Granted: analytics, Vendors: map[string]bool{"hotjar": true, "a</script>": false}}))
	tb := rs.Tables()
	var (
		cats          []string
		vendors       [][]any
		hosts, paths  [][]any
		urls          [][]any
		mode, ep      string
		cu            []int
		ca, cap       []string
		els           [][]any
		rels, granted []string
	)
	for k, v := range map[string]any{"c": &cats, "n": &vendors, "h": &hosts, "u": &urls, "p": &paths, "m": &mode, "ep": &ep,
		"cu": &cu, "ca": &ca, "cap": &cap, "e": &els, "r": &rels} {
		if err := json.Unmarshal(cfg[k], v); err != nil {
			t.Fatalf("rules %q: %v", k, err)
		}
	}
	if len(cats) != len(tb.Categories) || cats[0] != "necessary" || len(vendors) != len(tb.Vendors) || len(hosts) != len(tb.Hosts) ||
		len(urls) != len(tb.URLs) || len(paths) != len(tb.Paths) || len(els) != len(elements.Table) || len(rels) != len(elements.Rels) {
		t.Errorf("tables lost entries: %d categories, %d vendors, %d hosts, %d urls, %d paths, %d elements", len(cats), len(vendors), len(hosts), len(urls), len(paths), len(els))
	}
	var en map[string]any
	if err := json.Unmarshal(cfg["en"], &en); err != nil {
		t.Fatalf("rules \"en\": %v", err)
	}
	for k, want := range map[string]any{"url": float64(elements.URL), "srcset": float64(elements.Srcset), "rel": float64(elements.RelLoads),
		"image": float64(elements.TypeImage), "html": float64(elements.HTML), "svg": float64(elements.SVG), "held": elements.HeldPrefix} {
		if en[k] != want {
			t.Errorf("the element table's constant %s is %v in the guard's rules, %v in Go", k, en[k], want)
		}
	}
	if mode != ModeRemove || ep != "/cg" || len(cu) != 3 || len(ca) != 1 || len(cap) != 1 {
		t.Errorf("mode %q, endpoint %q, unknown cookie need %v, allowed %v %v", mode, ep, cu, ca, cap)
	}
	// A vendor's need lists category indices without necessary.
	for i, v := range vendors {
		need := v[1].([]any)
		want := tb.Vendors[i].Need &^ tb.Necessary
		var got rules.CategorySet
		for _, c := range need {
			got |= 1 << uint(c.(float64))
		}
		if got != want {
			t.Errorf("vendor %v: need %v, want %b", v[0], need, want)
		}
	}
	json.Unmarshal(dec["granted"], &granted)
	if strings.Join(granted, " ") != "necessary analytics" {
		t.Errorf("decision grants %v", granted)
	}
	if string(dec["vendors"]) != `{"a\u003c/script\u003e":false,"hotjar":true}` {
		t.Errorf("decision vendors %s", dec["vendors"])
	}
}

func TestAppendInline(t *testing.T) {
	g := compile(t, Options{})
	out := g.AppendInline([]byte("<head>"), Decision{Vendors: map[string]bool{"x]]>y": true}}, `n"o<n>c&e`)
	if !bytes.HasPrefix(out, []byte(`<head><script nonce="n&#34;o&lt;n&gt;c&amp;e">//<![CDATA[`+"\n")) {
		t.Errorf("start: %.120q", out)
	}
	if !bytes.HasSuffix(out, []byte("\n//]]></script>")) {
		t.Errorf("end: %q", out[len(out)-40:])
	}
	body := out[len("<head>"):]
	low := bytes.ToLower(body)
	if n := bytes.Count(low, []byte("</script")); n != 1 {
		t.Errorf("%d end tags in the script element", n)
	}
	if bytes.Contains(low, []byte("<!--")) {
		t.Error("<!-- in the script: it would open an escaped region")
	}
	if n := bytes.Count(body, []byte("]]>")); n != 1 {
		t.Errorf("%d CDATA ends in the script", n)
	}
	// XHTML: the element is well-formed XML, its text the script.
	var el struct {
		Nonce string `xml:"nonce,attr"`
		Text  string `xml:",chardata"`
	}
	if err := xml.Unmarshal(body, &el); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if el.Nonce != `n"o<n>c&e` || !strings.Contains(el.Text, "function consentgateGuard(") {
		t.Errorf("XML reads nonce %q and text %.60q", el.Nonce, el.Text)
	}
	if got := g.AppendInline(nil, Decision{}, ""); !bytes.HasPrefix(got, []byte("<script>//")) {
		t.Errorf("without a nonce: %.40q", got)
	}
}

func TestAppendExternal(t *testing.T) {
	rs := testRules(t)
	g := compile(t, Options{Rules: rs, Endpoint: "/cg"})
	a := g.Assets()
	if len(a) != 1 || !strings.HasPrefix(a[0].Name, "guard-") || !strings.HasSuffix(a[0].Name, ".js") || !strings.HasPrefix(a[0].ContentType, "text/javascript") {
		t.Fatalf("assets %+v", a)
	}
	if !bytes.HasSuffix(a[0].Body, []byte(",null);\n")) {
		t.Errorf("the asset does not read its decision from its element: %q", a[0].Body[len(a[0].Body)-30:])
	}
	marketing, _ := rs.Bit(rules.Marketing)
	out := string(g.AppendExternal(nil, Decision{Granted: marketing, Vendors: map[string]bool{`"x`: true}}, "abc"))
	want := `<script src="/cg/` + a[0].Name + `" data-granted="necessary marketing" data-vendors="{&#34;\&#34;x&#34;:true}" nonce="abc"></script>`
	if out != want {
		t.Errorf("AppendExternal =\n%s\nwant\n%s", out, want)
	}
	// The asset's name changes with its content.
	other := compile(t, Options{Rules: rs, Mode: ModeReport})
	if other.Assets()[0].Name == a[0].Name {
		t.Error("two guards of different rules share an asset name")
	}
}

func TestSizes(t *testing.T) {
	g := compile(t, Options{})
	raw := compile(t, Options{NoMinify: true})
	inline := g.AppendInline(nil, Decision{}, "")
	gz := func(b []byte) int {
		var buf bytes.Buffer
		w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		w.Write(b)
		w.Close()
		return buf.Len()
	}
	fn, _ := function(true)
	rulesLen := len(inline) - len(fn)
	t.Logf("guard.js %d bytes (gzip %d); minified code %d (gzip %d); rules of the built-in catalogue %d; inline script %d (gzip %d); unminified inline %d (gzip %d)",
		len(source), gz(source), len(fn), gz(fn), rulesLen, len(inline), gz(inline), len(raw.AppendInline(nil, Decision{}, "")), gz(raw.AppendInline(nil, Decision{}, "")))
	if len(fn) >= len(source) {
		t.Errorf("minified %d bytes, source %d", len(fn), len(source))
	}
}

func BenchmarkAppendInline(b *testing.B) {
	g := compile(b, Options{})
	var dst []byte
	b.ReportAllocs()
	for b.Loop() {
		dst = g.AppendInline(dst[:0], Decision{Granted: 5}, "nonce123")
	}
}
