package guard

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math/bits"
	"slices"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"

	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/rules"
)

//go:embed guard.js
var source []byte

// Modes, as the middleware's.
const (
	ModeNeutralize = "neutralize"
	ModeRemove     = "remove"
	ModeReport     = "report"
)

// DefaultEndpoint is the endpoint base path when Options.Endpoint is empty.
const DefaultEndpoint = "/.well-known/consent"

// Options configures Compile.
type Options struct {
	// Rules are the compiled rules the guard judges by. Required.
	Rules *rules.Ruleset
	// Mode is "neutralize" (hold what is refused, restorable on consent),
	// "remove" (drop it) or "report" (let everything through and report
	// what would have been stopped). Default: "neutralize".
	Mode string
	// UnknownCookieNeed is what a cookie no rule knows needs: 0 (the
	// default) allows unknown cookies, rs.Optional() blocks them until
	// every optional category is granted.
	UnknownCookieNeed rules.CategorySet
	// AllowedCookies are cookie names always allowed (the consent cookie).
	// Default: none.
	AllowedCookies []string
	// AllowedCookiePrefixes are cookie name prefixes always allowed (the
	// consent managers' cookies). Default: none.
	AllowedCookiePrefixes []string
	// Endpoint is the middleware's endpoint base path: reports go to
	// Endpoint+"/report", the external script is served under it, and a
	// decision posted to it by script reaches the guard. Default:
	// DefaultEndpoint.
	Endpoint string
	// NoMinify keeps the readable source (for debugging). Default: false.
	NoMinify bool
}

// Decision is what a visitor granted, as the guard enforces it.
type Decision struct {
	// Granted are the granted categories (necessary is always granted).
	Granted rules.CategorySet
	// Vendors holds explicit per-vendor choices by vendor id: true allows
	// the vendor whatever its categories, false refuses it. Vendors not
	// listed follow their categories.
	Vendors map[string]bool
}

// Asset is a file the endpoint serves for the guard.
type Asset struct {
	// Name is the path under the endpoint ("guard-<hash>.js"); its content
	// never changes, so it may be cached for good.
	Name        string
	ContentType string
	Body        []byte
}

// Guard is the compiled run-time guard for one Ruleset. It is safe for
// concurrent use.
type Guard struct {
	rs       *rules.Ruleset
	endpoint string
	// call is "(function consentgateGuard(G,R,D){…})(self,<rules>,": the
	// decision and ");" follow.
	call  []byte
	asset Asset
}

// ErrOptions is wrapped by the errors Compile returns for bad options.
var ErrOptions = errors.New("invalid guard options")

// callMarker ends guard.js: the invocation Compile replaces.
const callMarker = "})(self, /*RULES*/{}, /*DECISION*/null);"

// Compile renders the guard's rules for opts once; per-page output then
// only adds the decision.
func Compile(opts Options) (*Guard, error) {
	if opts.Rules == nil {
		return nil, fmt.Errorf("%w: no rules", ErrOptions)
	}
	switch opts.Mode {
	case "":
		opts.Mode = ModeNeutralize
	case ModeNeutralize, ModeRemove, ModeReport:
	default:
		return nil, fmt.Errorf("%w: mode %q: want neutralize, remove or report", ErrOptions, opts.Mode)
	}
	if opts.Endpoint == "" {
		opts.Endpoint = DefaultEndpoint
	}
	if !strings.HasPrefix(opts.Endpoint, "/") || strings.HasSuffix(opts.Endpoint, "/") {
		return nil, fmt.Errorf("%w: endpoint %q: want an absolute path without a trailing slash", ErrOptions, opts.Endpoint)
	}
	fn, err := function(!opts.NoMinify)
	if err != nil {
		return nil, err
	}
	cfg, err := rulesJSON(opts)
	if err != nil {
		return nil, err
	}
	g := &Guard{rs: opts.Rules, endpoint: opts.Endpoint}
	g.call = append(g.call, '(')
	g.call = append(g.call, fn...)
	g.call = append(g.call, ")(self,"...)
	g.call = append(g.call, cfg...)
	g.call = append(g.call, ',')
	if err := scriptSafe(g.call); err != nil {
		return nil, err
	}
	body := append(slices.Clip(g.call), "null);\n"...)
	sum := sha256.Sum256(body)
	g.asset = Asset{Name: "guard-" + hex.EncodeToString(sum[:8]) + ".js", ContentType: "text/javascript; charset=utf-8", Body: body}
	return g, nil
}

// function returns guard.js's function expression, minified when asked.
func function(minified bool) ([]byte, error) {
	src := bytes.TrimSpace(source)
	start := bytes.Index(src, []byte("\n(function consentgateGuard(")) + 1
	if start < 1 || !bytes.HasSuffix(src, []byte(callMarker)) {
		return nil, errors.New("guard.js: the function or its final invocation is missing")
	}
	fn := src[start+1 : len(src)-len(callMarker)+1] // function consentgateGuard(…){…}
	if !minified {
		return fn, nil
	}
	m := minify.New()
	// KeepVarNames is off: the function's own name survives, as the
	// name of a declaration at the top level.
	var out bytes.Buffer
	// Version 2017: no syntax newer than the source's (optional catch
	// bindings would be ES2019).
	if err := (&js.Minifier{Version: 2017}).Minify(m, &out, bytes.NewReader(fn), nil); err != nil {
		return nil, fmt.Errorf("minifying guard.js: %w", err)
	}
	b := out.Bytes()
	if !bytes.HasPrefix(b, []byte("function consentgateGuard(")) {
		return nil, fmt.Errorf("minifying guard.js: the function was renamed: %.40q", b)
	}
	// The minifier writes "<\/script>" and "<\!--" in literals back as
	// "</script>" and "<!--"; they occur only in string and regular
	// expression literals, where the escaped forms mean the same.
	b = bytes.ReplaceAll(b, []byte("</script"), []byte(`<\/script`))
	b = bytes.ReplaceAll(b, []byte("<!--"), []byte(`<\!--`))
	return bytes.TrimRight(b, ";\n"), nil
}

// scriptSafe reports text that would end an inline script early (HTML),
// start an escaped script region, or end a CDATA section (XHTML). The
// sequences that literals need are escaped.
func scriptSafe(b []byte) error {
	low := bytes.ToLower(b)
	for _, bad := range []string{"</script", "<!--", "]]>"} {
		if i := bytes.Index(low, []byte(bad)); i >= 0 {
			return fmt.Errorf("guard.js: %q at offset %d would break an inline script", bad, i)
		}
	}
	return nil
}

// rulesJSON serialises the tables the guard judges by (see guard.js for
// the field names).
func rulesJSON(opts Options) ([]byte, error) {
	rs := opts.Rules
	t := rs.Tables()
	idx := func(s rules.CategorySet) []int {
		out := []int{}
		s &^= t.Necessary
		for s != 0 {
			i := bits.TrailingZeros64(uint64(s))
			s &^= 1 << uint(i)
			out = append(out, i)
		}
		return out
	}
	type obj = map[string]any
	vendors := make([]any, len(t.Vendors))
	for i, v := range t.Vendors {
		vendors[i] = []any{v.ID, idx(v.Need)}
	}
	hosts := make([]any, len(t.Hosts))
	for i, h := range t.Hosts {
		hosts[i] = []any{h.Suffix, h.Vendor}
	}
	urls := make([]any, len(t.URLs))
	for i, u := range t.URLs {
		q := u.Query
		if q == nil {
			q = []string{}
		}
		urls[i] = []any{u.Host, u.Path, q, u.Vendor}
	}
	paths := make([]any, len(t.Paths))
	for i, p := range t.Paths {
		paths[i] = []any{p.Suffix, p.Vendor}
	}
	cookies := func(rs []rules.CookieRule) []any {
		out := make([]any, len(rs))
		for i, c := range rs {
			out[i] = []any{c.Name, c.Vendor}
		}
		return out
	}
	els := make([]any, len(elements.Table))
	for i, e := range elements.Table {
		attrs := make([]any, len(e.Attrs))
		for j, a := range e.Attrs {
			attrs[j] = []any{a.Name, int(a.Kind), a.Prop, b2i(a.Aside), b2i(a.Lazy)}
		}
		els[i] = []any{e.Name, int(e.Space), int(e.When), b2i(e.KeepOnRemove), attrs}
	}
	cats := make([]string, len(t.Categories))
	for i, c := range t.Categories {
		cats[i] = string(c)
	}
	if t.Necessary != 1 {
		return nil, fmt.Errorf("%w: necessary must be the first category", ErrOptions)
	}
	return json.Marshal(obj{
		"v": 1, "c": cats, "n": vendors, "h": hosts, "u": urls, "p": paths,
		"ce": cookies(t.CookieExact), "cp": cookies(t.CookiePrefix), "cu": idx(opts.UnknownCookieNeed),
		"ca": nonNil(opts.AllowedCookies), "cap": nonNil(opts.AllowedCookiePrefixes),
		"e": els, "r": elements.Rels, "m": opts.Mode, "ep": opts.Endpoint,
		// The element table's constants, as the table above writes them.
		"en": obj{"url": elements.URL, "srcset": elements.Srcset, "rel": elements.RelLoads, "image": elements.TypeImage,
			"html": elements.HTML, "svg": elements.SVG, "held": elements.HeldPrefix},
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// appendDecision appends d as the JSON object guard.js reads.
func (g *Guard) appendDecision(dst []byte, d Decision) []byte {
	dst = append(dst, `{"granted":[`...)
	first := true
	for c := range g.rs.Each(d.Granted | g.rs.NecessarySet()) {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, string(c))
	}
	dst = append(dst, `],"vendors":{`...)
	if len(d.Vendors) > 0 {
		ids := make([]string, 0, len(d.Vendors))
		for id := range d.Vendors {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for i, id := range ids {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, id)
			if d.Vendors[id] {
				dst = append(dst, ":true"...)
			} else {
				dst = append(dst, ":false"...)
			}
		}
	}
	return append(dst, "}}"...)
}

// appendJSONString appends s as a JSON string safe inside a script:
// '<', '>' and '&' escaped, as encoding/json does.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' || c >= 0x80 {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// AppendInline appends the guard as one inline <script> element, to be
// put first in <head>: the rules rendered at Compile and d. nonce, when
// not empty, is the page's CSP nonce. The script is a valid XHTML CDATA
// section too.
func (g *Guard) AppendInline(dst []byte, d Decision, nonce string) []byte {
	dst = append(dst, "<script"...)
	dst = appendNonce(dst, nonce)
	dst = append(dst, ">//<![CDATA[\n"...)
	dst = append(dst, g.call...)
	dst = g.appendDecision(dst, d)
	return append(dst, ");\n//]]></script>"...)
}

// AppendExternal appends a <script src> for the guard's asset (see
// Assets), for pages whose CSP allows no inline script without a nonce:
// the decision travels in data attributes. It must come first in <head>,
// and loads synchronously.
func (g *Guard) AppendExternal(dst []byte, d Decision, nonce string) []byte {
	dst = append(dst, `<script src="`...)
	dst = append(dst, html.EscapeString(g.endpoint+"/"+g.asset.Name)...)
	dst = append(dst, `" data-granted="`...)
	dst = append(dst, html.EscapeString(g.rs.Join(d.Granted|g.rs.NecessarySet(), " "))...)
	dst = append(dst, '"')
	if len(d.Vendors) > 0 {
		vs := g.appendDecision(nil, Decision{Vendors: d.Vendors})
		vs = vs[bytes.Index(vs, []byte(`"vendors":`))+len(`"vendors":`) : len(vs)-1]
		dst = append(dst, ` data-vendors="`...)
		dst = append(dst, html.EscapeString(string(vs))...)
		dst = append(dst, '"')
	}
	dst = appendNonce(dst, nonce)
	return append(dst, "></script>"...)
}

func appendNonce(dst []byte, nonce string) []byte {
	if nonce == "" {
		return dst
	}
	dst = append(dst, ` nonce="`...)
	dst = append(dst, html.EscapeString(nonce)...)
	return append(dst, '"')
}

// WorkerPrefix returns the JavaScript to put before a same-origin worker,
// shared worker or service worker script (requests with Sec-Fetch-Dest
// worker, sharedworker or serviceworker), so the guard runs first in it.
// A service worker also learns later decisions from its pages.
func (g *Guard) WorkerPrefix(d Decision) []byte {
	out := make([]byte, 0, len(g.call)+256)
	out = append(out, g.call...)
	out = g.appendDecision(out, d)
	return append(out, ");\n"...)
}

// Assets returns the files the endpoint serves for the guard.
func (g *Guard) Assets() []Asset { return []Asset{g.asset} }
