package middleware

import (
	"net/http"
	"slices"
	"strings"

	"github.com/consentgate/consentgate/rules"
)

// keepCookie reports whether a cookie called name may be stored or sent
// with what g grants.
func (m *Middleware) keepCookie(name string, g grant) bool {
	match, _ := m.cookieMatch(name)
	return g.allows(match)
}

// dropCookie reports whether a cookie of a request (kind "cookie") or a
// response ("set-cookie") must go, counting it when it does. The vendor
// it belongs to, allowed or not, is noted on st for the banner, which
// lists the vendors a page uses.
func (m *Middleware) dropCookie(r *http.Request, st *state, kind, name string, g grant) bool {
	match, _ := m.cookieMatch(name)
	if v := match.Vendor; v != nil && !slices.Contains(st.cookieVendors, v) && m.rs.Need(v)&^m.rs.NecessarySet() != 0 {
		st.cookieVendors = append(st.cookieVendors, v)
	}
	if g.allows(match) {
		return false
	}
	m.observeBlocked("cookie", match.Need, g.cats)
	if m.cfg.OnFinding != nil {
		m.find(r, Finding{Kind: kind, Cookie: name}, match.Need, g.cats, match.Vendor)
	}
	return true
}

// cookieMatch returns the vendor and categories a cookie needs, and
// whether any rule knows it. Unknown names are logged once each.
func (m *Middleware) cookieMatch(name string) (rules.Match, bool) {
	if m.known[name] {
		return rules.Match{}, true
	}
	for _, p := range m.cmpPrefixes {
		if strings.HasPrefix(name, p) {
			return rules.Match{}, true
		}
	}
	if match, ok := m.rs.MatchCookie(name); ok {
		m.sawVendor(match.Vendor)
		return match, true
	}
	if m.cfg.OnUnclassifiedCookie != nil {
		m.cfg.OnUnclassifiedCookie(name)
	}
	if ok, _ := m.unknownSeen.ContainsOrAdd(name, struct{}{}); !ok {
		m.log.Info("unclassified cookie", "cookie", sanitise(name, 128), "unknown_cookies", m.cfg.UnknownCookies)
	}
	if m.cfg.UnknownCookies == unknownCookiesBlock {
		return rules.Match{Need: m.rs.Optional()}, false
	}
	return rules.Match{}, false
}
