package middleware

import (
	"net/http"
	"strings"
	"sync"

	"github.com/consentgate/consentgate/middleware/internal/elements"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/middleware/internal/weburl"
	"github.com/consentgate/consentgate/rules"
)

// The page: how one HTML document is enforced as it streams past. The
// rewriter (internal/htmlrewrite) calls the page's handler for the start
// tags of the elements that can load something, as the element table
// (internal/elements) lists them, and the page judges them:
// page_judge.go their URLs, page_css.go style sheets and style
// attributes, page_script.go scripts and the site's opt-in markup;
// page_inject.go puts in what the page gets from the middleware (Consent
// Mode defaults, the banner), page_placeholder.go the placeholders of
// blocked embeds.

// tagKind sorts the start tags the page handler is given.
type tagKind uint8

const (
	tagOther   tagKind = iota // passed for its style attribute only
	tagElement                // an element of the table: judged by its loading attributes
	tagScript
	tagStyle
	tagBase
	tagHead
	tagMeta
	tagForm // tracked so that a placeholder's form is never nested in the page's
)

// pageTag is what the page handler knows of a tag name it asked for.
type pageTag struct {
	kind tagKind
	el   *elements.Element // for tagElement and tagScript
}

// rewriteSettings lists the tags the page handler looks at, the elements
// of the table and those it needs for itself, and returns what it knows
// of each by the rewriter's element ID.
func rewriteSettings(maxBuffer int) (*htmlrewrite.Compiled, []pageTag, error) {
	names := elements.Names()
	tags := []pageTag{{kind: tagOther}} // ID 0
	hints := map[string]string{}
	for _, name := range names {
		e := elements.Lookup(elements.HTML, name)
		kind := tagElement
		if name == "script" {
			kind = tagScript
		}
		tags = append(tags, pageTag{kind: kind, el: e})
		if e.Rare {
			var attrs []string
			for _, a := range e.Attrs {
				attrs = append(attrs, a.Name)
			}
			hints[name] = strings.Join(attrs, " ")
		}
	}
	// <style> sheets, <base href>, and where the head injection goes:
	// <head>, a <meta> declaring the charset, </head>.
	for _, t := range []struct {
		name string
		kind tagKind
	}{{"style", tagStyle}, {"base", tagBase}, {"head", tagHead}, {"meta", tagMeta}, {"form", tagForm}} {
		names = append(names, t.name)
		tags = append(tags, pageTag{kind: t.kind})
	}
	hints["meta"] = "charset http-equiv"
	c, err := htmlrewrite.Compile(htmlrewrite.Settings{
		Elements: names,
		EndTags:  []string{"body", "head", "form"},
		Hints:    hints,
		// Any element's style attribute can load an image: style="
		// background: url(…)".
		StyleURLs: true,
		MaxBuffer: maxBuffer,
	})
	return c, tags, err
}

// svgElements indexes the SVG elements of the table, looked up for tags in
// foreign content.
var svgElements = func() map[string]*elements.Element {
	s := map[string]*elements.Element{}
	for i := range elements.Table {
		if e := &elements.Table[i]; e.Space == elements.SVG {
			s[e.Name] = e
		}
	}
	return s
}()

// pageWriter runs one HTML body through the rewriter.
type pageWriter struct {
	rw   *htmlrewrite.Rewriter
	page page
	m    *Middleware
}

var pagePool sync.Pool

func (m *Middleware) newPageWriter(r *http.Request, h http.Header, st *state, dst *clientWriter) *pageWriter {
	pw, _ := pagePool.Get().(*pageWriter)
	if pw == nil {
		pw = &pageWriter{rw: &htmlrewrite.Rewriter{}}
	}
	pw.m = m
	pw.page.reset(m, r, h, st)
	pw.rw.Reset(dst, m.rewrite, &pw.page)
	return pw
}

func (pw *pageWriter) Write(p []byte) (int, error) { return pw.rw.Write(p) }
func (pw *pageWriter) Flush() error                { return pw.rw.Flush() }

// Close ends the page and returns the writer to the pool.
func (pw *pageWriter) Close() error {
	err := pw.rw.Close()
	pw.rw.Reset(nil, pw.m.rewrite, nil)
	pw.page.reset(nil, nil, nil, nil)
	pw.m = nil
	pagePool.Put(pw)
	return err
}

// page is the rewriter's handler for one document: it judges every URL
// and inline script against the visitor's consent and neutralises,
// removes or reports what is not allowed.
type page struct {
	m       *Middleware
	r       *http.Request
	st      *state
	grant   grant // what the visitor's decision allows
	base    weburl.Base
	baseSet bool
	ubuf    weburl.Buffer
	depth   int // srcdoc nesting
	blocked int

	report bool // mode report: nothing is changed, findings are logged

	// the head injection (see page_inject.go)
	injectDue    bool // the page gets one
	injectDone   bool // it went in
	charsetKnown bool // the response header names the charset
	guardDue     bool // the run-time guard is part of it
	// what the page's Content-Security-Policy allows a script element:
	// inline, and from the site itself
	inlineScripts, selfScripts bool
	injectBuf                  []byte

	bannerDue  bool   // the banner (or its re-open link) goes into this page
	bannerDone bool   // it went in
	nonce      string // the page's CSP nonce
	// vendors the page uses, blocked or allowed, in order, for the banner
	vendors []*rules.Vendor
	scratch bannerScratch // the banner's lists, kept for the next page

	// placeholders of blocked embeds (see page_placeholder.go)
	placeholders int      // how many went in
	inForm       bool     // inside a <form> of the page's
	formsDue     []string // ids of the forms of placeholders put in a form of the page's, due at the end
	phReturn     string   // their return path
	phBuf        []byte

	bannerBuf []byte // the rendered banner, kept for the next page

	// the element being judged: what its attributes set aside on their
	// own (style, attributionsrc) need, and whether data-consent was set
	// on it
	asideNeed rules.CategorySet
	marked    bool
	cssBuf    []byte

	found []byte // the URL judge last blocked, for findings

	lastHost      []byte // see plainHost
	lastHostPlain bool
	lastHostOK    bool
}

func (p *page) reset(m *Middleware, r *http.Request, h http.Header, st *state) {
	p.m, p.r, p.st = m, r, st
	p.baseSet, p.depth, p.blocked = false, 0, 0
	p.bannerDone, p.injectDone, p.nonce = false, false, ""
	p.lastHostOK = false
	p.found = nil
	clear(p.vendors)
	p.vendors = p.vendors[:0]
	p.placeholders, p.inForm, p.formsDue = 0, false, p.formsDue[:0]
	if m == nil {
		return
	}
	p.grant = st.consent.grant()
	p.base = documentBase(r, p.base)
	p.report = m.cfg.Mode == ModeReport
	// Report mode changes nothing the visitor sees: no banner, no
	// injection, no rewritten element.
	p.bannerDue = m.cfg.Banner == bannerOn && !framed(r) && !p.report
	p.guardDue = m.guardDue(p.grant)
	p.injectDue = m.cfg.ConsentMode && !p.report || p.guardDue
	p.charsetKnown = false
	p.inlineScripts, p.selfScripts = true, true
	if h != nil {
		p.nonce, p.inlineScripts, p.selfScripts = scriptCSP(h)
		p.charsetKnown = charsetDeclared(h.Get("Content-Type"))
	}
	if p.bannerDue {
		// Vendors whose only trace is a cookie are the page's too.
		for _, v := range st.cookieVendors {
			p.seeVendor(v)
		}
	}
}

// framed reports whether the request loads a page into a frame, where no
// banner belongs.
func framed(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Dest") {
	case "iframe", "frame", "embed", "object":
		return true
	}
	return false
}

// documentBase returns the base URL of the document r asks for, against
// which the page's relative references resolve; prev, the base of an
// earlier page, lends its host when it is the same.
func documentBase(r *http.Request, prev weburl.Base) weburl.Base {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if host := requestHost(r); host != prev.Host || host == "" {
		return weburl.NewBase(scheme, host, r.URL.Path)
	}
	return prev.At(scheme, r.URL.Path)
}

// Element judges one start tag.
func (p *page) Element(e *htmlrewrite.Element) error {
	if e.Partial() {
		p.overflowElement(e, string(e.Name())) // rare: the allocation does not matter
		return nil
	}
	p.asideNeed, p.marked = 0, false
	p.judgeStyle(e)
	defer p.markAside(e)
	if e.Foreign() {
		if el := svgElements[string(e.Name())]; el != nil {
			if el.Name == "script" {
				p.injectBefore(e)
			}
			p.judgeElement(e, el)
		}
		return nil
	}
	t := p.m.tags[e.ID()]
	switch t.kind {
	case tagElement:
		if t.el.Name != "link" {
			// Body content: the head is over.
			p.injectBefore(e)
		}
		p.judgeElement(e, t.el)
		if t.el.Name == "iframe" {
			p.srcdoc(e)
			p.optInFrame(e)
		}
	case tagScript:
		p.injectBefore(e)
		p.script(e, t.el)
	case tagStyle:
		p.styleElement(e)
	case tagHead:
		p.headStart(e)
	case tagMeta:
		p.meta(e)
	case tagForm:
		if !e.Inert() && p.depth == 0 {
			p.inForm = true
		}
	case tagBase:
		if href, ok := e.Attr("href"); ok && !p.baseSet {
			p.baseSet = true
			if nb, ok := p.base.Resolve(href); ok {
				p.base = nb
			}
		}
	}
	return nil
}

// EndTag is called at </head>, where a head injection still due goes, at
// </form>, and at </body>, where the banner goes.
func (p *page) EndTag(t *htmlrewrite.EndTag) error {
	switch string(t.Name()) {
	case "head":
		if html := p.injection(); html != nil {
			t.BeforeBytes(html)
		}
		return nil
	case "form":
		p.inForm = false
		return nil
	}
	if html := p.bannerHTML(); html != nil {
		t.BeforeBytes(html)
	}
	return nil
}

// End is called at the end of the document; a page without </body> gets
// the banner at its end.
func (p *page) End(d *htmlrewrite.DocumentEnd) error {
	if html := p.bannerHTML(); html != nil {
		d.AppendBytes(html)
	}
	return nil
}

// matchRawURL judges a URL from a response header against the request's
// URL.
func (m *Middleware) matchRawURL(raw string, r *http.Request) (rules.Match, bool) {
	base := documentBase(r, weburl.Base{})
	var buf weburl.Buffer
	u, ok := weburl.Parse([]byte(raw), &base, &buf)
	if !ok {
		return rules.Match{}, false
	}
	return m.rs.MatchURLBytes(u.Host, u.PathQuery)
}
