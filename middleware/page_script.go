package middleware

import (
	"bytes"

	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/rules"
)

// Scripts: a <script src> is judged by its URL (page_judge.go), an inline
// script by the trackers its text names; JSON and other data blocks are
// never touched; the site's own opt-in markup (type="text/plain"
// data-consent=…) is activated once its categories are granted.

// scriptKind sorts <script> types.
type scriptKind int

const (
	scriptClassic scriptKind = iota // JavaScript, classic or module: judged
	scriptData                      // JSON, JSON-LD, templates: never touched
	scriptRules                     // speculation rules: their URLs are judged
	scriptOptIn                     // type="text/plain" with data-consent or data-category
)

// classifyScript sorts a script by its type attribute, as the HTML
// standard decides what runs.
func classifyScript(e *htmlrewrite.Element) scriptKind {
	t, ok := e.Attr("type")
	if !ok {
		if l, ok := e.Attr("language"); ok && len(l) > 0 && !isJSMIME(append([]byte("text/"), bytes.TrimSpace(l)...)) {
			return scriptData
		}
		return scriptClassic
	}
	t = bytes.TrimSpace(t)
	switch {
	case len(t) == 0, isJSMIME(t), bytes.EqualFold(t, []byte("module")):
		return scriptClassic
	case bytes.EqualFold(t, []byte("speculationrules")):
		return scriptRules
	case bytes.EqualFold(t, []byte("text/plain")) && (e.HasAttr("data-consent") || e.HasAttr("data-category")):
		return scriptOptIn
	}
	return scriptData
}

// jsMIME are the JavaScript MIME type essences of the HTML standard.
var jsMIME = []string{
	"application/ecmascript", "application/javascript", "application/x-ecmascript", "application/x-javascript",
	"text/ecmascript", "text/javascript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
	"text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
	"text/x-ecmascript", "text/x-javascript",
}

func isJSMIME(t []byte) bool {
	if i := bytes.IndexByte(t, ';'); i >= 0 {
		t = bytes.TrimSpace(t[:i])
	}
	for _, m := range jsMIME {
		if bytes.EqualFold(t, []byte(m)) {
			return true
		}
	}
	return false
}

// script judges a <script> start tag: by its src, or by its text once the
// rewriter has it.
func (p *page) script(e *htmlrewrite.Element, el *elements.Element) {
	switch classifyScript(e) {
	case scriptData:
		return
	case scriptOptIn:
		p.optIn(e)
		return
	case scriptRules:
		e.WantContent()
		return
	}
	p.judgeElement(e, el)
	if !e.HasAttr("src") {
		e.WantContent()
	}
}

// Content judges an inline script by the trackers its text names, and a
// style sheet by what it loads.
func (p *page) Content(e *htmlrewrite.Element, text []byte, overflow bool) error {
	if string(e.Name()) == "style" {
		// A style sheet longer than the cap is judged on its first
		// max_buffer bytes: making a site's whole CSS inert unjudged
		// would break every page it styles.
		if match, bad := p.judgeCSS(text); bad {
			p.blockText(e, "style", match)
		}
		return nil
	}
	if overflow && p.m.cfg.Overflow == overflowBlock {
		p.m.log.Warn("inline script longer than the buffer cap: neutralised unjudged", "path", p.r.URL.Path, "max_buffer_size", p.m.cfg.MaxBufferSize)
		if opt := p.m.rs.Optional(); !p.grant.cats.Has(opt) {
			p.blockText(e, "script", rules.Match{Need: opt})
		}
		return nil
	}
	if match, bad := p.judgeScript(text); bad {
		p.blockText(e, "script", match)
	}
	return nil
}

// judgeScript judges an inline script by the vendors its text names: it
// is blocked when one of them is not allowed, and the match gives the
// categories and first vendor of those.
func (p *page) judgeScript(text []byte) (rules.Match, bool) {
	if len(p.grant.vendors) == 0 {
		need, vendor, found := p.m.rs.MatchScript(text)
		if !found {
			return rules.Match{}, false
		}
		p.m.sawVendor(vendor)
		if p.grant.cats.Has(need) {
			return rules.Match{}, false
		}
		return rules.Match{Vendor: vendor, Need: need}, true
	}
	// Choices about single vendors: each vendor named is judged alone.
	var blocked rules.Match
	bad := false
	for _, match := range p.m.rs.ScriptVendors(text) {
		p.m.sawVendor(match.Vendor)
		if p.grant.allows(match) {
			continue
		}
		if !bad {
			blocked.Vendor = match.Vendor
		}
		blocked.Need |= match.Need
		bad = true
	}
	return blocked, bad
}

// blockText neutralises, removes or reports an inline script or a style
// sheet judged by its text.
func (p *page) blockText(e *htmlrewrite.Element, kind string, match rules.Match) {
	p.note(e, kind, match)
	switch p.m.cfg.Mode {
	case ModeReport:
	case ModeRemove:
		e.Remove()
	default:
		p.makeInert(e)
		p.mark(e, match.Need)
	}
}

// optIn activates a site's own opt-in markup once its categories are
// granted: <script type="text/plain" data-consent="analytics"> (or
// cookieconsent's data-category) gets its runnable type back.
func (p *page) optIn(e *htmlrewrite.Element) {
	cats, ok := e.Attr("data-consent")
	if !ok {
		cats, _ = e.Attr("data-category")
	}
	need, ok := p.categorySet(cats)
	if !ok || !p.grant.cats.Has(need) || p.report {
		return
	}
	if t, ok := e.Attr("data-consent-type"); ok && len(t) > 0 {
		e.SetAttr("type", string(t))
	} else if t, ok := e.Attr("data-type"); ok && len(t) > 0 {
		e.SetAttr("type", string(t))
	} else {
		e.RemoveAttr("type")
	}
	if !e.HasAttr("src") {
		if e.RenameAttr("data-consent-src", "src") {
			return
		}
		e.RenameAttr("data-src", "src")
	}
}

// categorySet parses a list of category names separated by spaces or
// commas; unknown names make it unsatisfiable.
func (p *page) categorySet(list []byte) (rules.CategorySet, bool) {
	var set rules.CategorySet
	n := 0
	for _, f := range bytes.FieldsFunc(list, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		b, ok := p.m.rs.Bit(rules.Category(bytes.ToLower(f)))
		if !ok {
			return 0, false
		}
		set |= b
		n++
	}
	return set, n > 0
}

// srcdoc rewrites the document of an <iframe srcdoc> like the page itself.
func (p *page) srcdoc(e *htmlrewrite.Element) {
	doc, ok := e.Attr("srcdoc")
	if !ok || p.depth >= 3 {
		return
	}
	var out bytes.Buffer
	inner := page{m: p.m, r: p.r, st: p.st, grant: p.grant, base: p.base, depth: p.depth + 1, report: p.report,
		// The srcdoc document's scripts run in a window of their own:
		// the guard goes first in it too, from the endpoint.
		guardDue: p.guardDue, injectDue: p.guardDue, charsetKnown: true,
		// and under the page's Content-Security-Policy, which it inherits.
		nonce: p.nonce, inlineScripts: p.inlineScripts, selfScripts: p.selfScripts}
	rw := htmlrewrite.New(&out, p.m.rewrite, &inner)
	src := append([]byte(nil), doc...)
	if _, err := rw.Write(src); err != nil {
		return
	}
	if err := rw.Close(); err != nil {
		return
	}
	if (inner.blocked > 0 && !p.report) || inner.injectDone {
		e.SetAttr("srcdoc", out.String())
	}
	p.blocked += inner.blocked
}
