package middleware

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/consentgate/consentgate/middleware/internal/cmp"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/rules"
)

// Middleware enforces cookie consent on the responses of the handler it
// wraps. It is safe for concurrent use; build it once with New.
type Middleware struct {
	cfg   Config
	rs    *rules.Ruleset
	log   *slog.Logger
	gpc   rules.CategorySet
	dnt   rules.CategorySet
	known map[string]bool // cookies that are always necessary: ours, consent managers'

	rewrite     *htmlrewrite.Compiled
	tags        []pageTag // by the rewriter's element ID
	unknownSeen *lru.Cache[string, struct{}]
	banner      *banner
	records     *slog.Logger
	cmp         *cmp.Reader // nil unless Config.CMP is set
	cmpPrefixes []string    // cookie name prefixes the consent managers use
}

// New builds a Middleware from cfg, loading the catalogue and rule files.
// It fails with an error wrapping ErrConfig for a bad setting, or naming
// the rule file and line that could not be read.
func New(cfg Config) (*Middleware, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var vendors []rules.Vendor
	if !cfg.NoCatalogue {
		vs, err := rules.Builtin()
		if err != nil {
			return nil, fmt.Errorf("loading the built-in catalogue: %w", err)
		}
		vendors = append(vendors, vs...)
	}
	for _, f := range cfg.RuleFiles {
		vs, err := rules.LoadFile(f)
		if err != nil {
			return nil, err
		}
		vendors = append(vendors, vs...)
	}
	for i := range cfg.Vendors {
		v := cfg.Vendors[i]
		if v.Source == "" {
			v.Source = "inline rules"
		}
		vendors = append(vendors, v)
	}
	rs, err := rules.Compile(vendors, rules.Options{Categories: cfg.Categories})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	rewrite, tags, err := rewriteSettings(cfg.MaxBufferSize)
	if err != nil {
		return nil, err
	}
	m := &Middleware{
		cfg:     cfg,
		rs:      rs,
		log:     cfg.Logger,
		known:   map[string]bool{cfg.CookieName: true},
		rewrite: rewrite,
		tags:    tags,
	}
	if !cfg.IgnoreGPC {
		if m.gpc, err = rs.Set(cfg.GPCRefuses...); err != nil {
			return nil, fmt.Errorf("%w: gpc: %v", ErrConfig, err)
		}
		m.gpc &^= rs.NecessarySet()
	}
	if !cfg.IgnoreDNT {
		if m.dnt, err = rs.Set(cfg.DNTRefuses...); err != nil {
			return nil, fmt.Errorf("%w: dnt: %v", ErrConfig, err)
		}
		m.dnt &^= rs.NecessarySet()
	}
	if m.unknownSeen, err = lru.New[string, struct{}](4096); err != nil {
		return nil, err
	}
	if m.banner, err = newBanner(cfg, rs); err != nil {
		return nil, err
	}
	if len(cfg.CMP) > 0 {
		if err := m.newCMPReader(); err != nil {
			return nil, err
		}
	}
	m.records = cfg.RecordLogger
	return m, nil
}

// Rules returns the compiled rules the middleware enforces.
func (m *Middleware) Rules() *rules.Ruleset { return m.rs }

// Handler returns next wrapped by the middleware.
func (m *Middleware) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := m.Serve(w, r, func(w http.ResponseWriter, r *http.Request) error {
			next.ServeHTTP(w, r)
			return nil
		})
		if err != nil {
			m.log.Error("serving request", "path", r.URL.Path, "error", err)
		}
	})
}

// Serve handles one request: it filters the request's cookies, calls next
// with a ResponseWriter that enforces consent on the response, and
// finishes the response. Errors from next are returned as they are, so
// Caddy's error handling sees them.
func (m *Middleware) Serve(w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter, *http.Request) error) error {
	if m.handles(r) {
		m.serveEndpoint(w, r)
		return nil
	}
	r, st := m.begin(r)
	rw := m.wrap(w, r, st)
	defer func() {
		// A handler that gives up on a response panics (reverse proxies
		// with http.ErrAbortHandler when either side fails mid-body):
		// stop what runs for the body, write nothing more, let it go on.
		if p := recover(); p != nil {
			rw.abort()
			panic(p)
		}
	}()
	err := next(rw, r)
	if cerr := rw.finish(err); err == nil {
		err = cerr
	}
	return err
}

// state is what the middleware knows about one request.
type state struct {
	consent Consent
	expire  []string // refused tracker cookies the request carried
	// the visitor's view of the request, kept for ModifyResponse, whose
	// outbound request may name the upstream instead
	host string
	tls  *tls.ConnectionState
}

// begin reads the visitor's decision and filters the request's cookies.
// It returns the request with the state in its context.
func (m *Middleware) begin(r *http.Request) (*http.Request, *state) {
	sc := &stateContext{Context: r.Context()}
	sc.st = state{consent: m.consentOf(r), host: r.Host, tls: r.TLS}
	m.filterRequest(r, &sc.st)
	return r.WithContext(sc), &sc.st
}

// stateContext carries a request's state in its context, in one
// allocation: the decision for ConsentFromContext, the rest for
// ModifyResponse.
type stateContext struct {
	context.Context
	st state
}

func (c *stateContext) Value(key any) any {
	switch key.(type) {
	case consentKey:
		return &c.st.consent
	case stateKey:
		return &c.st
	}
	return c.Context.Value(key)
}

// FilterRequest prepares a request for an upstream without the rest of the
// middleware: it removes from r's Cookie headers the cookies the visitor
// has not consented to, limits Accept-Encoding to codings the middleware
// decodes, and returns r with the decision in its context (see
// ConsentFromContext), where ModifyResponse finds it.
// httputil.ReverseProxy users who do not wrap the proxy in Handler call it
// from the proxy's Rewrite hook, before SetURL (which replaces the host):
//
//	pr.Out = mw.FilterRequest(pr.Out)
//	pr.SetURL(upstream)
func (m *Middleware) FilterRequest(r *http.Request) *http.Request {
	r, _ = m.begin(r)
	return r
}

type stateKey struct{}

// filterRequest filters r's cookies by st's decision.
func (m *Middleware) filterRequest(r *http.Request, st *state) {
	granted := st.consent.granted
	if m.cfg.Mode != ModeReport {
		st.expire = filterCookieHeader(r.Header, func(name string) bool { return !m.dropCookie(r, "cookie", name, granted) })
	} else if m.cfg.OnFinding != nil || m.cfg.OnBlocked != nil {
		eachCookie(r.Header, func(name string) { m.dropCookie(r, "cookie", name, granted) })
	}
	limitAcceptEncoding(r)
}

// keepCookie reports whether a cookie called name may be stored or sent
// with the categories granted.
func (m *Middleware) keepCookie(name string, granted rules.CategorySet) bool {
	need, _ := m.cookieNeed(name)
	return granted.Has(need)
}

// dropCookie reports whether a cookie of a request (kind "cookie") or a
// response ("set-cookie") must go, counting it when it does.
func (m *Middleware) dropCookie(r *http.Request, kind, name string, granted rules.CategorySet) bool {
	need, _ := m.cookieNeed(name)
	if granted.Has(need) {
		return false
	}
	m.observeBlocked("cookie", need, granted)
	if m.cfg.OnFinding != nil {
		match, _ := m.rs.MatchCookie(name)
		m.find(r, Finding{Kind: kind, Cookie: name}, need, granted, match.Vendor)
	}
	return true
}

// cookieNeed returns the categories a cookie needs, and whether any rule
// knows it. Unknown names are logged once each.
func (m *Middleware) cookieNeed(name string) (rules.CategorySet, bool) {
	if m.known[name] {
		return 0, true
	}
	for _, p := range m.cmpPrefixes {
		if strings.HasPrefix(name, p) {
			return 0, true
		}
	}
	if match, ok := m.rs.MatchCookie(name); ok {
		return match.Need, true
	}
	if m.cfg.OnUnclassifiedCookie != nil {
		m.cfg.OnUnclassifiedCookie(name)
	}
	if ok, _ := m.unknownSeen.ContainsOrAdd(name, struct{}{}); !ok {
		m.log.Info("unclassified cookie", "cookie", sanitise(name, 128), "unknown_cookies", m.cfg.UnknownCookies)
	}
	if m.cfg.UnknownCookies == unknownCookiesBlock {
		return m.rs.Optional(), false
	}
	return 0, false
}

// sanitise returns s cut to max bytes with control bytes replaced, for
// logging values a client controls.
func sanitise(s string, max int) string {
	if len(s) > max {
		s = s[:max]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// consentOf reads the visitor's decision from the request: the consent
// cookie, then Sec-GPC and DNT.
func (m *Middleware) consentOf(r *http.Request) Consent {
	c := Consent{rs: m.rs, granted: m.rs.NecessarySet()}
	if m.gpc != 0 && headerIs(r.Header, "Sec-Gpc", "1") {
		c.GPC = true
		c.fromSigns |= m.gpc
	}
	if m.dnt != 0 && headerIs(r.Header, "Dnt", "1") {
		c.DNT = true
		c.fromSigns |= m.dnt
	}
	if m.cmp != nil && m.readCMP(r, &c) {
		return c
	}
	if v, ok := m.readConsentCookie(r); ok && (v.method != methodSignals || c.fromSigns == m.rs.Optional()) && v.method != methodCMP {
		c.Decided = true
		c.Source = SourceCookie
		if v.method == methodSignals {
			c.Source = SourceSignals
		}
		c.granted |= v.granted
		c.denied = v.denied
		c.ID = v.id
		c.Revision = v.revision
		c.Time = v.time
		return c
	}
	if c.fromSigns != 0 && c.fromSigns == m.rs.Optional() {
		c.Decided = true
		c.Source = SourceSignals
		c.denied = c.fromSigns
	}
	return c
}

// readConsentCookie finds and validates the consent cookie: it must parse,
// cover exactly the configured optional categories, carry the configured
// revision and be younger than the configured lifetime. A decision derived
// from signals lasts only while the signals still refuse it all.
func (m *Middleware) readConsentCookie(r *http.Request) (cookieValue, bool) {
	raw, ok := findCookie(r.Header, m.cfg.CookieName)
	if !ok {
		return cookieValue{}, false
	}
	v, ok := decodeConsentCookie(m.rs, raw)
	if !ok || v.revision != m.cfg.Revision || v.granted|v.denied != m.rs.Optional() {
		return cookieValue{}, false
	}
	age := now().Sub(v.time)
	if age > m.cfg.CookieMaxAge || age < -24*time.Hour {
		return cookieValue{}, false
	}
	return v, true
}

// findCookie returns the value of the first cookie called name in the
// request's Cookie headers, without parsing the others.
func findCookie(h http.Header, name string) (string, bool) {
	for _, line := range h["Cookie"] {
		for rest := line; rest != ""; {
			pair := rest
			if i := strings.IndexByte(rest, ';'); i >= 0 {
				pair, rest = rest[:i], rest[i+1:]
			} else {
				rest = ""
			}
			pair = trimCookieSpace(pair)
			eq := strings.IndexByte(pair, '=')
			if eq < 0 || trimCookieSpace(pair[:eq]) != name {
				continue
			}
			v := trimCookieSpace(pair[eq+1:])
			if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				v = v[1 : len(v)-1]
			}
			return v, true
		}
	}
	return "", false
}

// observeBlocked reports an item blocked, to OnBlocked.
func (m *Middleware) observeBlocked(kind string, need, granted rules.CategorySet) {
	if m.cfg.OnBlocked == nil {
		return
	}
	missing := m.rs.Names(need &^ granted)
	cat := rules.Category("")
	if len(missing) > 0 {
		cat = missing[0]
	}
	m.cfg.OnBlocked(kind, cat)
}

// headerIs reports whether the first value of the header with canonical
// key is v, without canonicalising key again on every request.
func headerIs(h http.Header, key, v string) bool {
	vs := h[key]
	return len(vs) > 0 && vs[0] == v
}
