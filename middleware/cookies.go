package middleware

import (
	"net/http"
	"strings"

	"github.com/consentgate/consentgate/rules"
)

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
