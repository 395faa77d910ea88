package middleware

import (
	"fmt"
	"net/http"
	"strings"
	"sync"

	"github.com/consentgate/consentgate/middleware/internal/guard"
)

// The run-time guard (internal/guard) judges what a page's own scripts
// load after the page has loaded, by the same rules as the markup. It
// goes first in every HTML document the middleware enforces, frames and
// srcdoc documents included, for every visitor who has refused
// something: inline with the page's CSP nonce, or, where the page's CSP
// allows no inline script, as a script from the endpoint with an
// immutable, content-hashed name. Worker and service worker scripts get
// it put before their own (response_worker.go).

// newGuard compiles the run-time guard for the middleware's rules.
func (m *Middleware) newGuard() error {
	allowed := []string{m.cfg.CookieName}
	for name := range m.known {
		if name != m.cfg.CookieName {
			allowed = append(allowed, name)
		}
	}
	opts := guard.Options{
		Rules:                 m.rs,
		Mode:                  m.cfg.Mode,
		AllowedCookies:        allowed,
		AllowedCookiePrefixes: m.cmpPrefixes,
		Endpoint:              m.cfg.Endpoint,
	}
	if m.cfg.UnknownCookies == unknownCookiesBlock {
		opts.UnknownCookieNeed = m.rs.Optional()
	}
	g, err := guard.Compile(opts)
	if err != nil {
		return fmt.Errorf("%w: the run-time guard: %w", ErrConfig, err)
	}
	m.guard = g
	for _, a := range g.Assets() {
		m.guardAssets = append(m.guardAssets, newAssetOf(a.Name, a.ContentType, a.Body))
	}
	return nil
}

// guardDue reports whether a visitor's pages get the guard: when the
// decision refuses something (or, in report mode, always).
func (m *Middleware) guardDue(g grant) bool {
	if m.guard == nil {
		return false
	}
	if m.cfg.Mode == ModeReport {
		return true
	}
	return !g.cats.Has(m.rs.Optional()) || len(g.vendors.ids(false)) > 0
}

// guardDecision is the decision as the guard takes it.
func guardDecision(g grant) guard.Decision {
	d := guard.Decision{Granted: g.cats}
	if len(g.vendors) > 0 {
		d.Vendors = make(map[string]bool, len(g.vendors))
		for _, c := range g.vendors {
			d.Vendors[c.id] = c.granted
		}
	}
	return d
}

// appendGuard appends the guard for page p, as Config.Guard says: from
// the endpoint, or inline (with the page's nonce) — whichever the page's
// Content-Security-Policy allows when it forbids the other. A srcdoc
// document gets it from the endpoint (smaller in an attribute, cached).
func (p *page) appendGuard(dst []byte) []byte {
	d := guardDecision(p.grant)
	inline := p.nonce != "" || p.inlineScripts
	if p.depth == 0 && inline && (p.m.cfg.Guard == guardInline || !p.selfScripts) {
		return p.m.guard.AppendInline(dst, d, p.nonce)
	}
	if !p.selfScripts && p.nonce == "" {
		p.m.warnOnce(&p.m.cspWarned, "the page's Content-Security-Policy allows neither inline scripts nor scripts from the site itself: the run-time guard cannot run there", "path", p.r.URL.Path)
	}
	return p.m.guard.AppendExternal(dst, d, p.nonce)
}

// scriptCSP reads what the enforced Content-Security-Policy headers of a
// response allow a script element, from the directive that governs it in
// each policy (script-src-elem, else script-src, else default-src): the
// nonce it gives scripts, if any; inline scripts (no policy restricts
// scripts, or every one that does allows 'unsafe-inline' without a nonce
// or hash, which would turn it off); and scripts of the site itself
// ('self', or no restriction).
func scriptCSP(h http.Header) (nonce string, inline, self bool) {
	inline, self = true, true
	for _, policy := range h["Content-Security-Policy"] {
		sources, found := scriptSources(policy)
		if !found {
			continue
		}
		unsafeInline, hashOrNonce, selfOK := false, false, false
		for _, s := range sources {
			ls := strings.ToLower(s)
			switch {
			case ls == "'unsafe-inline'":
				unsafeInline = true
			case strings.HasPrefix(ls, "'nonce-"):
				hashOrNonce = true
				if v, ok := strings.CutSuffix(s[len("'nonce-"):], "'"); ok && nonce == "" && validNonce(v) {
					nonce = v
				}
			case strings.HasPrefix(ls, "'sha256-"), strings.HasPrefix(ls, "'sha384-"), strings.HasPrefix(ls, "'sha512-"):
				hashOrNonce = true
			case ls == "'self'", ls == "*":
				selfOK = true
			}
		}
		if !unsafeInline || hashOrNonce {
			inline = false
		}
		if !selfOK {
			self = false
		}
	}
	return nonce, inline, self
}

// scriptSources returns the sources of the directive of one policy that
// governs script elements; found is false when the policy has none.
func scriptSources(policy string) (sources []string, found bool) {
	directives := strings.Split(policy, ";")
	for _, name := range []string{"script-src-elem", "script-src", "default-src"} {
		for _, directive := range directives {
			if fields := strings.Fields(directive); len(fields) > 0 && strings.EqualFold(fields[0], name) {
				return fields[1:], true
			}
		}
	}
	return nil, false
}

// warnOnce logs a warning the first time it is called for flag.
func (m *Middleware) warnOnce(flag *sync.Once, msg string, args ...any) {
	flag.Do(func() { m.log.Warn(msg, args...) })
}
