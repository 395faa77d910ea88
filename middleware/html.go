package middleware

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/consentgate/consentgate/internal/ascii"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/middleware/internal/weburl"
	"github.com/consentgate/consentgate/rules"
)

// rewriteSettings lists the tags the page handler looks at.
func rewriteSettings(maxBuffer int) *htmlrewrite.Compiled {
	// These matter only with an attribute named: <a ping>, <area ping>,
	// <a attributionsrc>, <input type=image src>, <body background>, <td
	// background>…
	hints := map[string]string{"a": "ping attributionsrc", "area": "ping attributionsrc", "input": "src"}
	for _, t := range backgroundTags {
		hints[t] = "background"
	}
	return htmlrewrite.Compile(htmlrewrite.Settings{
		Elements: append([]string{
			"script", "style", "img", "image", "iframe", "frame", "link", "a", "area", "source",
			"video", "audio", "track", "input", "object", "embed", "base", "head",
			"use", "feimage",
		}, backgroundTags...),
		EndTags: []string{"body"},
		Hints:   hints,
		// Any element's style attribute can load an image: style="
		// background: url(…)".
		StyleURLs: true,
		MaxBuffer: maxBuffer,
	})
}

// backgroundTags are the elements whose background attribute loads an
// image.
var backgroundTags = []string{"body", "table", "thead", "tbody", "tfoot", "tr", "td", "th"}

// backgroundTag returns the constant spelling of name if it is one of
// backgroundTags ("" if not).
func backgroundTag(name string) string {
	for _, t := range backgroundTags {
		if name == t {
			return t
		}
	}
	return ""
}

// htmlBody prepares an HTML response for enforcement and returns the
// filter its body goes through, or nil for a HEAD request.
func (m *Middleware) htmlBody(r *http.Request, h http.Header, st *state, dst *clientWriter) (bodyFilter, error) {
	coding, err := m.prepareHTMLHeader(h)
	if err != nil {
		return nil, err
	}
	m.signalsDecision(h, r, st)
	m.cmpDecisionSeen(h, r, st)
	if r.Method == http.MethodHead {
		return nil, nil
	}
	pw := m.newPageWriter(r, h, st, dst)
	if coding == "" {
		return pw, nil
	}
	return newDecodingWriter(coding, pw, m.cfg.MaxDecodedSize), nil
}

// prepareHTMLHeader adjusts the header of an HTML response whose body will
// be rewritten: its length, validators and ranges go, caches must keep a
// copy per consent, and the body leaves decoded. It returns the content
// coding to decode, and an error for a coding that cannot be.
func (m *Middleware) prepareHTMLHeader(h http.Header) (coding string, err error) {
	coding = strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	if coding == "identity" {
		coding = ""
	}
	if coding != "" && !canDecode(coding) {
		return "", fmt.Errorf("the HTML body is encoded with %q, which cannot be decoded to enforce consent", coding)
	}
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	h.Del("ETag")
	h.Del("Last-Modified")
	addVary(h, "Cookie")
	if !m.cfg.IgnoreGPC {
		addVary(h, "Sec-GPC")
	}
	if !m.cfg.IgnoreDNT {
		addVary(h, "DNT")
	}
	if m.cfg.Banner == bannerOn {
		addVary(h, "Accept-Language")
	}
	return coding, nil
}

// signalsDecision turns signals that refuse every optional category into a
// recorded decision, once: the consent cookie is set (marked as coming
// from signals, so it lapses when they stop) and a record written.
func (m *Middleware) signalsDecision(h http.Header, r *http.Request, st *state) {
	c := &st.consent
	if c.Source != SourceSignals || c.ID != "" || r.Method != http.MethodGet {
		return
	}
	before := *c
	before.Decided = false
	c.ID = newConsentID()
	c.Time = now()
	c.Revision = m.cfg.Revision
	m.setConsentCookie(h, r, cookieValue{denied: m.rs.Optional(), revision: c.Revision, time: c.Time, id: c.ID, method: methodSignals})
	m.record(r, ActionRejectAll, "signals", &before, c, returnPath(r.URL.RequestURI()))
}

// addVary adds field to the Vary header unless it is there, on the first
// Vary line.
func addVary(h http.Header, field string) {
	lines := h["Vary"]
	for _, v := range lines {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, field) {
				return
			}
		}
	}
	if len(lines) == 0 {
		h.Set("Vary", field)
		return
	}
	lines[0] += ", " + field
}

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
	granted rules.CategorySet
	base    weburl.Base
	baseSet bool
	ubuf    weburl.Buffer
	depth   int // srcdoc nesting
	blocked int

	bannerDue  bool   // the banner (or its re-open link) goes into this page
	bannerDone bool   // it went in
	gcmDone    bool   // Consent Mode defaults went in
	nonce      string // the page's CSP nonce
	// vendors blocked on the page, per primary category, for the banner
	vendors map[rules.Category][]string
	cats    []bannerCategory // the banner's, kept for the next page

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
	p.bannerDone, p.gcmDone, p.nonce = false, false, ""
	p.lastHostOK = false
	p.found = nil
	for k, v := range p.vendors {
		p.vendors[k] = v[:0]
	}
	if m == nil {
		return
	}
	p.granted = st.consent.granted
	p.base = documentBase(r, p.base)
	p.bannerDue = m.cfg.Banner == bannerOn && !framed(r)
	if h != nil {
		p.nonce = cspNonce(h)
	}
	p.gcmDone = !m.cfg.ConsentMode
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

// documentBase is the URL relative references in the page resolve against.
// documentBase returns the base URL of the document r asks for; prev,
// the base of an earlier page, lends its host when it is the same.
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

// urlAttrs returns, for an element, the attributes holding a URL the
// browser loads (srcset-style lists are srcsetAttrs).
func urlAttrs(name string) []string {
	switch name {
	case "img":
		return imgAttrs
	case "image":
		return imageAttrs
	case "iframe":
		return iframeAttrs
	case "frame", "audio", "track", "embed", "input", "source":
		return srcAttrs
	case "video":
		return videoAttrs
	case "object":
		return objectAttrs
	case "use", "feimage":
		return hrefAttrs
	}
	if backgroundTag(name) != "" {
		return bodyAttrs
	}
	return nil
}

var (
	// data-src, data-lazy-src and data-original are where lazy-loading
	// scripts (lazysizes, WordPress plugins, jQuery lazyload) keep the
	// URL they later put into src.
	imgAttrs    = []string{"src", "data-src", "data-lazy-src", "data-original"}
	imageAttrs  = []string{"src", "href", "xlink:href"}
	iframeAttrs = []string{"src", "data-src", "data-lazy-src"}
	srcAttrs    = []string{"src"}
	videoAttrs  = []string{"src", "poster"}
	objectAttrs = []string{"data"}
	bodyAttrs   = []string{"background"}
	hrefAttrs   = []string{"href", "xlink:href"}
	linkAttrs   = []string{"href"}
)

// heldAttrs maps the URL attributes to the names they are kept under while
// consent is missing.
var heldAttrs = func() map[string]string {
	held := map[string]string{}
	for _, list := range [][]string{imgAttrs, imageAttrs, iframeAttrs, srcAttrs, videoAttrs, objectAttrs, bodyAttrs, hrefAttrs, linkAttrs, imgSrcset, sourceSrcset, linkSrcset} {
		for _, a := range list {
			held[a] = "data-consent-" + a
		}
	}
	return held
}()

func heldAttr(a string) string {
	if h, ok := heldAttrs[a]; ok {
		return h
	}
	return "data-consent-" + a
}

// srcsetAttrs returns the attributes of an element holding image candidate
// lists.
func srcsetAttrs(name string) []string {
	switch name {
	case "img":
		return imgSrcset
	case "source":
		return sourceSrcset
	case "link":
		return linkSrcset
	}
	return nil
}

var (
	imgSrcset    = []string{"srcset", "data-srcset", "data-lazy-srcset"}
	sourceSrcset = []string{"srcset"}
	linkSrcset   = []string{"imagesrcset"}
)

// loadingRels are the link relations that make the browser fetch or
// connect to the target.
var loadingRels = []string{
	"stylesheet", "preload", "modulepreload", "prefetch", "preconnect", "dns-prefetch", "prerender",
	"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "manifest",
}

// Element judges one start tag.
func (p *page) Element(e *htmlrewrite.Element) error {
	name := e.Name()
	if e.Partial() {
		p.overflowElement(e, string(name)) // rare: the allocation does not matter
		return nil
	}
	p.asideNeed, p.marked = 0, false
	p.judgeStyle(e)
	switch string(name) {
	case "img", "script", "a", "area":
		// Chromium requests the URLs of attributionsrc to register ad
		// attribution: as the element loads (img, script) or as the
		// link is followed (a, area).
		if !e.Foreign() {
			p.judgeAttributionSrc(e)
		}
	}
	defer p.markAside(e)
	if e.Foreign() {
		switch string(name) {
		case "script", "image", "use", "feimage":
			p.judgeAttrs(e, "svg", hrefAttrs)
		}
		return nil
	}
	switch string(name) {
	case "base":
		if href, ok := e.Attr("href"); ok && !p.baseSet {
			p.baseSet = true
			if nb, ok := p.base.Resolve(href); ok {
				p.base = nb
			}
		}
	case "style":
		p.styleElement(e)
	case "script":
		if !p.gcmDone && p.depth == 0 {
			// No <head>: the defaults go before the first script.
			p.gcmDone = true
			e.Before(p.consentModeScript())
		}
		p.script(e)
	case "link":
		if rel, ok := e.Attr("rel"); ok && relLoads(rel) {
			p.judgeAttrs(e, "link", linkAttrs)
		}
	case "a", "area":
		p.judgePing(e)
	case "input":
		if t, ok := e.Attr("type"); ok && bytes.EqualFold(bytes.TrimSpace(t), []byte("image")) {
			p.judgeAttrs(e, "input", srcAttrs)
		}
	case "iframe":
		p.judgeAttrs(e, "iframe", iframeAttrs)
		p.srcdoc(e)
	case "head":
		if !p.gcmDone && p.depth == 0 {
			p.gcmDone = true
			e.Prepend(p.consentModeScript())
		}
	default:
		if n := internTag(name); n != "" {
			p.judgeAttrs(e, n, urlAttrs(n))
		}
	}
	return nil
}

// internTag returns the constant spelling of the tags judged by their URL
// attributes, so that no string is allocated per tag ("" for others).
func internTag(name []byte) string {
	switch string(name) {
	case "img":
		return "img"
	case "image":
		return "image"
	case "iframe":
		return "iframe"
	case "frame":
		return "frame"
	case "audio":
		return "audio"
	case "track":
		return "track"
	case "embed":
		return "embed"
	case "input":
		return "input"
	case "source":
		return "source"
	case "video":
		return "video"
	case "object":
		return "object"
	case "use":
		return "use"
	case "feimage":
		return "feimage"
	}
	return backgroundTag(string(name))
}

// relLoads reports whether a rel list names a relation that loads.
func relLoads(rel []byte) bool {
	for len(rel) > 0 {
		for len(rel) > 0 && ascii.IsSpace(rel[0]) {
			rel = rel[1:]
		}
		end := 0
		for end < len(rel) && !ascii.IsSpace(rel[end]) {
			end++
		}
		word := rel[:end]
		rel = rel[end:]
		var low [32]byte
		if len(word) <= len(low) && loadingRel[string(ascii.AppendLower(low[:0], word))] {
			return true
		}
	}
	return false
}

// loadingRel is loadingRels as a set.
var loadingRel = func() map[string]bool {
	m := make(map[string]bool, len(loadingRels))
	for _, r := range loadingRels {
		m[r] = true
	}
	return m
}()

// judge resolves a URL and reports the vendor it belongs to when the
// visitor has not granted that vendor's categories.
func (p *page) judge(raw []byte) (rules.Match, bool) {
	u, ok := weburl.Parse(raw, &p.base, &p.ubuf)
	if !ok {
		return rules.Match{}, false
	}
	var match rules.Match
	if p.plainHost(u.Host) {
		match, ok = p.m.rs.MatchPathBytes(u.PathQuery)
	} else {
		match, ok = p.m.rs.MatchURLBytes(u.Host, u.PathQuery)
	}
	if !ok || p.granted.Has(match.Need) {
		return rules.Match{}, false
	}
	p.found = raw
	return match, true
}

// plainHost reports whether no host or URL rule applies to host,
// remembering the last host asked about: most URLs of a page share a few
// hosts, the page's own first.
func (p *page) plainHost(host []byte) bool {
	if p.lastHostOK && bytes.Equal(host, p.lastHost) {
		return p.lastHostPlain
	}
	p.lastHost = append(p.lastHost[:0], host...)
	p.lastHostPlain = !p.m.rs.HostHasRules(host)
	p.lastHostOK = true
	return p.lastHostPlain
}

// judgeAttrs blocks the element when one of its URL attributes (or
// srcset-style lists) points at a tracker the visitor has not allowed.
func (p *page) judgeAttrs(e *htmlrewrite.Element, name string, attrs []string) {
	var blocked []string
	var need rules.CategorySet
	var vendor *rules.Vendor
	// Most elements have no data-* attribute: the lazy-loading names are
	// then not looked up one by one.
	data := e.HasAttrPrefix("data-")
	for _, a := range attrs {
		if !data && strings.HasPrefix(a, "data-") {
			continue
		}
		if v, ok := e.Attr(a); ok {
			if match, bad := p.judge(v); bad {
				blocked = append(blocked, a)
				need |= match.Need
				vendor = match.Vendor
			}
		}
	}
	for _, a := range srcsetAttrs(name) {
		if !data && strings.HasPrefix(a, "data-") {
			continue
		}
		if v, ok := e.Attr(a); ok {
			if match, bad := p.judgeList(v, true); bad {
				blocked = append(blocked, a)
				need |= match.Need
				vendor = match.Vendor
			}
		}
	}
	if len(blocked) == 0 {
		return
	}
	p.block(e, name, blocked, need, vendor)
}

// judgePing blocks the ping attribute of a link when it reports to a
// tracker; the link itself stays.
func (p *page) judgePing(e *htmlrewrite.Element) {
	v, ok := e.Attr("ping")
	if !ok {
		return
	}
	if match, bad := p.judgeList(v, false); bad && p.setAside(e, "ping", "data-consent-ping", match) {
		p.mark(e, match.Need)
	}
}

// setAside handles one attribute that loads a tracker: it is renamed to
// held (neutralize), removed (remove) or only noted (report). It reports
// whether the attribute was renamed.
func (p *page) setAside(e *htmlrewrite.Element, attr, held string, match rules.Match) bool {
	p.note(e, attr, match)
	switch p.m.cfg.Mode {
	case ModeReport:
	case ModeRemove:
		e.RemoveAttr(attr)
	default:
		e.RenameAttr(attr, held)
		return true
	}
	return false
}

// mark sets data-consent on a neutralised element to the categories it
// needs, its attributes set aside on their own included.
func (p *page) mark(e *htmlrewrite.Element, need rules.CategorySet) {
	e.SetAttr("data-consent", p.m.rs.Join((need|p.asideNeed)&^p.m.rs.NecessarySet(), " "))
	p.marked = true
}

// judgeStyle judges the URLs of an element's style attribute; one that
// loads a tracker the visitor has not allowed is set aside (neutralize),
// dropped (remove) or logged (report). The element itself stays.
func (p *page) judgeStyle(e *htmlrewrite.Element) {
	v, ok := e.Attr("style")
	if !ok || bytes.IndexByte(v, '(') < 0 {
		return
	}
	if match, bad := p.judgeCSS(v); bad && p.setAside(e, "style", "data-consent-style", match) {
		p.asideNeed |= match.Need
	}
}

// judgeAttributionSrc judges the attributionsrc of an <img>, <script>,
// <a> or <area>: Chromium sends a request to each URL it lists to register
// an ad attribution source.
func (p *page) judgeAttributionSrc(e *htmlrewrite.Element) {
	v, ok := e.Attr("attributionsrc")
	if !ok {
		return
	}
	if match, bad := p.judgeList(v, false); bad && p.setAside(e, "attributionsrc", "data-consent-attributionsrc", match) {
		p.asideNeed |= match.Need
	}
}

// markAside marks an element of which only attributes were set aside
// (style, attributionsrc).
func (p *page) markAside(e *htmlrewrite.Element) {
	if p.asideNeed != 0 && !p.marked {
		p.mark(e, 0)
	}
}

// judgeCSS judges the URLs CSS text can load: url() arguments, quoted or
// not, the strings of @import and of image-set(). It looks for them
// wherever they start, inside strings and comments too, as written and
// with CSS escapes decoded: it may judge more than a browser loads, never
// less. Other strings (content: "…", a[href*="…"]) are not URLs.
func (p *page) judgeCSS(css []byte) (rules.Match, bool) {
	if match, bad := p.judgeCSSText(css); bad {
		return match, true
	}
	if bytes.IndexByte(css, '\\') < 0 {
		return rules.Match{}, false
	}
	p.cssBuf = appendCSSUnescaped(p.cssBuf[:0], css)
	return p.judgeCSSText(p.cssBuf)
}

// maxCSSURL bounds the bytes of one CSS URL that are judged: its host and
// path start are in them.
const maxCSSURL = 4 << 10

func (p *page) judgeCSSText(css []byte) (rules.Match, bool) {
	var c cssScan
	c.css = css
	// Text built of nested "url(" or "image-set(" would be read again and
	// again: past a budget of reading, the text counts as loading
	// something of every optional category, unjudged.
	budget := 8*len(css) + 64<<10
	judge := func(u []byte) (rules.Match, bool) {
		u = u[:min(len(u), maxCSSURL)]
		budget -= len(u) + 16
		if budget < 0 {
			return rules.Match{Need: p.m.rs.Optional()}, !p.granted.Has(p.m.rs.Optional())
		}
		return p.judge(u)
	}
	// Every URL of CSS follows a '(' or an '@': IndexByte finds them.
	nextParen, nextAt := -1, -1
	for i := 0; i < len(css) && budget >= 0; {
		if nextParen < i {
			nextParen = indexFrom(css, i, '(')
		}
		if nextAt < i {
			nextAt = indexFrom(css, i, '@')
		}
		q := min(nextParen, nextAt)
		if q >= len(css) {
			break
		}
		i = q + 1
		var u []byte
		switch {
		case css[q] == '(' && q >= 3 && ascii.HasPrefixFold(css[q-3:], "url"):
			k := skipCSSSpace(css, q+1)
			if k < len(css) && (css[k] == '"' || css[k] == '\'') {
				u = c.quoted(k)
			} else {
				u = bytes.TrimRight(css[k:c.closeParen(k)], " \t\n\f\r")
			}
		case css[q] == '@' && ascii.HasPrefixFold(css[q:], "@import"):
			if k := skipCSSSpace(css, q+7); k < len(css) && (css[k] == '"' || css[k] == '\'') {
				u = c.quoted(k)
			}
		case css[q] == '(' && q >= 9 && ascii.HasPrefixFold(css[q-9:], "image-set"):
			// Its strings, up to the first ')'.
			k, end := q+1, c.closeParen(q+1)
			if budget -= end - k; budget < 0 {
				return judge(nil)
			}
			for k < end {
				s := k + bytes.IndexAny(css[k:end], `"'`)
				if s < k {
					break
				}
				j := bytes.IndexByte(css[s+1:end], css[s])
				if j < 0 {
					break
				}
				if match, bad := judge(css[s+1 : s+1+j]); bad {
					return match, true
				}
				k = s + 1 + j + 1
			}
			continue
		default:
			continue
		}
		if match, bad := judge(u); bad {
			return match, true
		}
	}
	return rules.Match{}, false
}

// indexFrom returns the offset of the first c in b at or after i, or
// len(b).
func indexFrom(b []byte, i int, c byte) int {
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return len(b)
}

// cssScan remembers, for judgeCSSText, the terminators found so far, so
// that each byte is searched over once however many "url(" precede it.
type cssScan struct {
	css        []byte
	paren      int // the first ')' at or after parenFrom (len(css) if none)
	parenFrom  int
	parenKnown bool
	quote      [2]int // the same for '"' and '\''
	quoteFrom  [2]int
	quoteKnown [2]bool
}

// closeParen returns the offset of the first ')' at or after k, or
// len(css).
func (c *cssScan) closeParen(k int) int {
	if !c.parenKnown || k < c.parenFrom || k > c.paren {
		j := bytes.IndexByte(c.css[k:], ')')
		c.paren = len(c.css)
		if j >= 0 {
			c.paren = k + j
		}
		c.parenFrom, c.parenKnown = k, true
	}
	return c.paren
}

// quoted returns the string starting with the quote at k, up to its
// closing quote or the end.
func (c *cssScan) quoted(k int) []byte {
	q := 0
	if c.css[k] == '\'' {
		q = 1
	}
	from := k + 1
	if !c.quoteKnown[q] || from < c.quoteFrom[q] || from > c.quote[q] {
		j := bytes.IndexByte(c.css[from:], c.css[k])
		c.quote[q] = len(c.css)
		if j >= 0 {
			c.quote[q] = from + j
		}
		c.quoteFrom[q], c.quoteKnown[q] = from, true
	}
	return c.css[from:c.quote[q]]
}

func skipCSSSpace(css []byte, k int) int {
	for k < len(css) && ascii.IsSpace(css[k]) {
		k++
	}
	return k
}

// appendCSSUnescaped appends css to dst with CSS escapes decoded: a
// backslash and up to six hex digits (and one whitespace after them) is
// that code point, a backslash before a newline disappears, and one before
// any other character is that character.
func appendCSSUnescaped(dst, css []byte) []byte {
	for i := 0; i < len(css); i++ {
		j := bytes.IndexByte(css[i:], '\\')
		if j < 0 || i+j+1 >= len(css) {
			return append(dst, css[i:]...)
		}
		dst = append(dst, css[i:i+j]...)
		i += j + 1
		n, r := 0, rune(0)
		for n < 6 && i+n < len(css) {
			v, ok := ascii.HexVal(css[i+n])
			if !ok {
				break
			}
			r = r<<4 | rune(v)
			n++
		}
		if n == 0 {
			if css[i] != '\n' {
				dst = append(dst, css[i])
			}
			continue
		}
		i += n - 1
		if i+1 < len(css) && ascii.IsSpace(css[i+1]) {
			i++
		}
		if r == 0 || r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF {
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// judgeList judges a srcset (image candidates separated by commas) or a
// ping list (URLs separated by spaces).
func (p *page) judgeList(v []byte, srcset bool) (rules.Match, bool) {
	for len(v) > 0 {
		for len(v) > 0 && (ascii.IsSpace(v[0]) || srcset && v[0] == ',') {
			v = v[1:]
		}
		end := 0
		for end < len(v) && !ascii.IsSpace(v[end]) {
			end++
		}
		u := v[:end]
		v = v[end:]
		if srcset {
			if bytes.HasSuffix(u, []byte(",")) {
				u = bytes.TrimRight(u, ",")
			} else {
				// Skip the descriptors up to the next comma outside
				// parentheses.
				depth := 0
				for len(v) > 0 && !(v[0] == ',' && depth == 0) {
					switch v[0] {
					case '(':
						depth++
					case ')':
						depth--
					}
					v = v[1:]
				}
			}
		}
		if len(u) == 0 {
			continue
		}
		if match, bad := p.judge(u); bad {
			return match, true
		}
	}
	return rules.Match{}, false
}

// block neutralises, removes or reports an element whose URL attributes
// attrs load a tracker.
func (p *page) block(e *htmlrewrite.Element, name string, attrs []string, need rules.CategorySet, vendor *rules.Vendor) {
	p.note(e, name, rules.Match{Vendor: vendor, Need: need})
	switch p.m.cfg.Mode {
	case ModeReport:
		return
	case ModeRemove:
		if name == "video" || name == "audio" || name == "object" || backgroundTag(name) != "" {
			// Only the attributes go: the element holds other content.
			for _, a := range attrs {
				e.RemoveAttr(a)
			}
		} else {
			e.Remove()
		}
		return
	}
	for _, a := range attrs {
		e.RenameAttr(a, heldAttr(a))
	}
	if name == "script" || name == "style" {
		e.RenameAttr("type", "data-consent-type")
		e.SetAttr("type", "text/plain")
	}
	p.mark(e, need)
}

// note counts and, in report mode, logs a blocked item.
func (p *page) note(e *htmlrewrite.Element, kind string, match rules.Match) {
	p.blocked++
	if p.m.cfg.OnFinding != nil {
		f := Finding{Kind: kind, Element: string(e.Name()), URL: string(p.found)}
		if kind == "style" && f.Element != "style" {
			f.Kind = "style-attribute"
		}
		p.m.find(p.r, f, match.Need, p.granted, match.Vendor)
	}
	p.found = nil
	if p.m.cfg.Mode == ModeReport {
		vendor := ""
		if match.Vendor != nil {
			vendor = match.Vendor.ID
		}
		p.m.log.Info("would block", "element", string(e.Name()), "kind", kind,
			"vendor", vendor, "categories", p.m.rs.Join(match.Need, " "), "path", p.r.URL.Path)
	}
	p.m.observeBlocked(kind, match.Need, p.granted)
	if v := match.Vendor; v != nil && v.Name != "" && p.bannerDue {
		if p.vendors == nil {
			p.vendors = make(map[rules.Category][]string)
		}
		// A vendor that needs several categories is listed under each.
		for cat := range p.m.rs.Each(match.Need &^ p.m.rs.NecessarySet()) {
			if !slices.Contains(p.vendors[cat], v.Name) {
				p.vendors[cat] = append(p.vendors[cat], v.Name)
			}
		}
	}
}

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
func (p *page) script(e *htmlrewrite.Element) {
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
	if _, ok := e.Attr("src"); ok {
		p.judgeAttrs(e, "script", []string{"src"})
		return
	}
	e.WantContent()
}

// Content judges an inline script by the trackers its text names.
func (p *page) Content(e *htmlrewrite.Element, text []byte, overflow bool) error {
	if string(e.Name()) == "style" {
		// A style sheet longer than the cap is judged on its first
		// max_buffer bytes: making a site's whole CSS inert unjudged
		// would break every page it styles.
		if match, bad := p.judgeCSS(text); bad {
			p.block(e, "style", nil, match.Need, match.Vendor)
		}
		return nil
	}
	if overflow && p.m.cfg.Overflow == overflowBlock {
		p.m.log.Warn("inline script longer than the buffer cap: neutralised unjudged", "path", p.r.URL.Path, "max_buffer_size", p.m.cfg.MaxBufferSize)
		if opt := p.m.rs.Optional(); !p.granted.Has(opt) {
			p.block(e, "script", nil, opt, nil)
		}
		return nil
	}
	need, vendor, found := p.m.rs.MatchScript(text)
	if !found || p.granted.Has(need) {
		return nil
	}
	p.block(e, "script", nil, need, vendor)
	return nil
}

// styleElement asks for the text of a <style> that the browser applies:
// its url()s and @imports load whatever their selectors or rules need.
func (p *page) styleElement(e *htmlrewrite.Element) {
	t, ok := e.Attr("type")
	if !ok || len(bytes.TrimSpace(t)) == 0 || bytes.EqualFold(bytes.TrimSpace(t), []byte("text/css")) {
		e.WantContent()
		return
	}
	if bytes.EqualFold(bytes.TrimSpace(t), []byte("text/plain")) && (e.HasAttr("data-consent") || e.HasAttr("data-category")) {
		p.optIn(e)
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
	if !ok || !p.granted.Has(need) || p.m.cfg.Mode == ModeReport {
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
	inner := page{m: p.m, r: p.r, st: p.st, granted: p.granted, base: p.base, depth: p.depth + 1}
	rw := htmlrewrite.New(&out, p.m.rewrite, &inner)
	src := append([]byte(nil), doc...)
	if _, err := rw.Write(src); err != nil {
		return
	}
	if err := rw.Close(); err != nil {
		return
	}
	if inner.blocked > 0 && p.m.cfg.Mode != ModeReport {
		e.SetAttr("srcdoc", out.String())
	}
	p.blocked += inner.blocked
}

// overflowElement handles a tag longer than the buffer cap: with the
// "block" policy, attributes that make its loads inert are put first, where
// they win over anything later in the tag.
func (p *page) overflowElement(e *htmlrewrite.Element, name string) {
	if p.m.cfg.Overflow != overflowBlock || p.granted.Has(p.m.rs.Optional()) {
		return
	}
	p.m.log.Warn("tag longer than the buffer cap: made inert unjudged", "element", name, "path", p.r.URL.Path)
	cats := p.m.rs.Join(p.m.rs.Optional(), " ")
	switch name {
	case "script":
		e.SetAttr("type", "text/plain")
	case "img", "image", "source":
		e.SetAttr("src", "data:,")
		e.SetAttr("srcset", "data:,")
	case "iframe":
		e.SetAttr("srcdoc", "")
	case "link":
		e.SetAttr("href", "data:,")
		e.SetAttr("imagesrcset", "data:,")
	case "a", "area":
		e.SetAttr("ping", "")
	case "video":
		e.SetAttr("src", "data:,")
		e.SetAttr("poster", "data:,")
	case "object":
		e.SetAttr("data", "data:,")
	case "embed", "frame", "input", "audio", "track":
		e.SetAttr("src", "data:,")
	default:
		if backgroundTag(name) == "" {
			return
		}
		e.SetAttr("background", "data:,")
	}
	e.SetAttr("data-consent", cats)
	p.blocked++
}

// EndTag is called at </body>; the banner goes before it.
func (p *page) EndTag(t *htmlrewrite.EndTag) error {
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

// bannerHTML renders the banner once per page, when it is due.
func (p *page) bannerHTML() []byte {
	if !p.bannerDue || p.bannerDone || p.depth > 0 {
		return nil
	}
	p.bannerDone = true
	origin := ""
	if p.baseSet {
		origin = pageOrigin(p.r, p.st)
	}
	d := p.m.bannerData(p.r, &p.st.consent, p.nonce, p.vendors, p.cats, origin)
	p.cats = d.Categories
	html, err := p.m.banner.html(p.bannerBuf[:0], d)
	if err != nil {
		p.m.log.Error("rendering the consent banner", "error", err)
		return nil
	}
	if cap(html) <= 64<<10 {
		p.bannerBuf = html
	}
	return html
}

// pageOrigin returns the origin the visitor asked for the page at, as
// "scheme://host[:port]". Behind a proxy that ends TLS, its
// X-Forwarded-Proto says https (a visitor who forges it only gets
// their own banner's URLs wrong).
func pageOrigin(r *http.Request, st *state) string {
	host := st.host
	if host == "" {
		host = r.Host
	}
	if st.tls != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return "https://" + host
	}
	return "http://" + host
}

// consentModeScript is Google Consent Mode v2's default call, reflecting
// the decision.
func (p *page) consentModeScript() string {
	g := func(c rules.Category) string {
		if bit, ok := p.m.rs.Bit(c); ok && p.granted.Has(bit) {
			return "granted"
		}
		return "denied"
	}
	var b strings.Builder
	b.WriteString("<script")
	if p.nonce != "" {
		b.WriteString(` nonce="` + p.nonce + `"`)
	}
	b.WriteString(">window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}")
	fmt.Fprintf(&b, "gtag('consent','default',{ad_storage:'%s',ad_user_data:'%s',ad_personalization:'%s',analytics_storage:'%s',functionality_storage:'%s',personalization_storage:'%s',security_storage:'granted'",
		g(rules.Marketing), g(rules.Marketing), g(rules.Marketing), g(rules.Analytics), g(rules.Preferences), g(rules.Preferences))
	if !p.st.consent.Decided {
		b.WriteString(",wait_for_update:500")
	}
	b.WriteString("});</script>")
	return b.String()
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
