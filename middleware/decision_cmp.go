package middleware

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/consentgate/consentgate/middleware/internal/cmp"
	"github.com/consentgate/consentgate/rules"
)

// newCMPReader prepares the readers of the site's consent managers.
func (m *Middleware) newCMPReader() error {
	byName := make(map[string]string)
	vendorByName := make(map[string]string)
	for _, v := range m.rs.Vendors() {
		cat := string(v.Primary())
		byName[strings.ToLower(v.ID)] = cat
		vendorByName[strings.ToLower(v.ID)] = v.ID
		if v.Name != "" {
			byName[strings.ToLower(v.Name)] = cat
			vendorByName[strings.ToLower(v.Name)] = v.ID
		}
	}
	r, err := cmp.New(m.cfg.CMP, cmp.Options{
		OneTrustGroups: m.cfg.OneTrustGroups,
		Services:       m.cfg.CMPServices,
		ServiceCategory: func(service string) (string, bool) {
			c, ok := byName[strings.ToLower(service)]
			return c, ok
		},
		TCFPurposes: m.cfg.TCFPurposes,
		// Managers that keep choices per service or per TCF vendor decide
		// catalogue vendors one by one.
		ServiceVendor: func(service string) (string, bool) {
			id, ok := vendorByName[strings.ToLower(service)]
			return id, ok
		},
		IABVendors: m.rs.IABVendors(),
	})
	if err != nil {
		return fmt.Errorf("%w: cmp: %v", ErrConfig, err)
	}
	m.cmp = r
	// The managers' own cookies are necessary: they hold the decision.
	for _, name := range r.Cookies() {
		if p, ok := strings.CutSuffix(name, "*"); ok {
			m.cmpPrefixes = append(m.cmpPrefixes, p)
		} else {
			m.known[name] = true
		}
	}
	return nil
}

// readCMP reads the decision of the site's consent manager into c, and
// reports whether one was found. A malformed cookie counts as no decision
// (nothing optional granted) and is logged.
func (m *Middleware) readCMP(r *http.Request, c *Consent) bool {
	var cookies []cmp.Cookie
	eachCookieValue(r.Header, func(name, value string) {
		cookies = append(cookies, cmp.Cookie{Name: name, Value: value})
	})
	if len(cookies) == 0 {
		return false
	}
	d, ok, err := m.cmp.Read(cookies)
	if err != nil {
		m.log.Debug("unreadable consent manager cookie: no consent", "error", err, "path", r.URL.Path)
		return false
	}
	if !ok {
		return false
	}
	c.Decided = true
	c.Source = SourceCMP
	c.CMP = d.CMP
	c.ID = d.ID
	c.Time = d.Time
	for _, g := range d.Granted {
		if bit, ok := m.rs.Bit(rules.Category(g)); ok {
			c.granted |= bit
		}
	}
	c.denied = m.rs.Optional() &^ c.granted
	c.vendors = m.normalise(c.granted, choicesFrom(d.Vendors))
	return true
}

// cmpDecisionSeen records a decision of the site's consent manager the
// first time the middleware sees it (or sees it change): it keeps a copy in
// its own cookie, marked as mirroring the manager, and writes a record when
// the copy differs.
func (m *Middleware) cmpDecisionSeen(h http.Header, r *http.Request, st *state) {
	c := &st.consent
	if c.Source != SourceCMP || r.Method != http.MethodGet {
		return
	}
	prev, ok := m.readMirror(r)
	if ok && prev.granted == c.granted&^m.rs.NecessarySet() && slices.Equal(prev.vendors, c.vendors) {
		return
	}
	before := Consent{rs: m.rs, granted: m.rs.NecessarySet(), GPC: c.GPC, DNT: c.DNT}
	id := prev.id
	if !ok {
		id = newConsentID()
	} else {
		before.Decided = true
		before.granted |= prev.granted
		before.vendors = prev.vendors
	}
	v := cookieValue{granted: c.granted &^ m.rs.NecessarySet(), denied: c.denied, revision: m.cfg.Revision, time: now(), id: id, method: methodCMP, vendors: c.vendors}
	m.setConsentCookie(h, r, v)
	after := *c
	if after.ID == "" {
		after.ID = id
	}
	if after.Time.IsZero() {
		after.Time = v.time
	}
	after.Revision = m.cfg.Revision
	m.record(r, "cmp", "cmp:"+c.CMP, &before, &after, returnPath(r.URL.RequestURI()), "")
}

// readMirror reads the middleware's own cookie when it mirrors a consent
// manager.
func (m *Middleware) readMirror(r *http.Request) (cookieValue, bool) {
	raw, ok := findCookie(r.Header, m.cfg.CookieName)
	if !ok {
		return cookieValue{}, false
	}
	v, ok := decodeConsentCookie(m.rs, raw)
	return v, ok && v.method == methodCMP
}

// eachCookieValue calls f with each name and raw value of h's Cookie
// headers.
func eachCookieValue(h http.Header, f func(name, value string)) {
	for _, line := range h["Cookie"] {
		eachCookiePair(line, func(pair, name string) {
			value := ""
			if eq := strings.IndexByte(pair, '='); eq >= 0 {
				value = trimCookieSpace(pair[eq+1:])
			}
			f(name, value)
		})
	}
}
