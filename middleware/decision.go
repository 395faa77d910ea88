package middleware

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// Source says where a visitor's decision came from.
type Source string

// Sources of a decision.
const (
	// SourceNone means the visitor has not decided: nothing optional is
	// granted.
	SourceNone Source = ""
	// SourceCookie is the middleware's own consent cookie.
	SourceCookie Source = "cookie"
	// SourceSignals means Sec-GPC or DNT refused every optional category.
	SourceSignals Source = "signals"
	// SourceCMP is the cookie of the site's own consent manager; Consent.CMP
	// names it.
	SourceCMP Source = "cmp"
)

// Consent is the decision the middleware enforces for a request.
type Consent struct {
	// Decided reports whether the visitor has made a choice (in the banner,
	// in the site's consent manager, or by signals that refuse every
	// optional category).
	Decided bool
	// Source is where the decision came from.
	Source Source
	// CMP names the consent manager when Source is SourceCMP.
	CMP string
	// ID is the random consent id of the decision, when there is one.
	ID string
	// Revision is the policy revision the decision was made under.
	Revision string
	// Time is when the decision was made, when known.
	Time time.Time
	// GPC and DNT report the request's Sec-GPC: 1 and DNT: 1 headers.
	GPC, DNT bool

	granted   rules.CategorySet
	denied    rules.CategorySet // refused explicitly or by signals
	vendors   vendorChoices     // choices about vendors, against or beyond their categories
	rs        *rules.Ruleset
	fromSigns rules.CategorySet // categories refused by signals
}

// Allows reports whether category c is granted. Necessary is always
// granted; unknown categories never are.
func (c Consent) Allows(cat rules.Category) bool {
	if c.rs == nil {
		return cat == rules.Necessary
	}
	b, ok := c.rs.Bit(cat)
	return ok && c.granted.Has(b)
}

// Granted returns the granted categories, necessary first.
func (c Consent) Granted() []rules.Category {
	if c.rs == nil {
		return []rules.Category{rules.Necessary}
	}
	return c.rs.Names(c.granted)
}

// Denied returns the optional categories that are not granted.
func (c Consent) Denied() []rules.Category {
	if c.rs == nil {
		return nil
	}
	return c.rs.Names(c.rs.Optional() &^ c.granted)
}

// SignalDenied returns the categories Sec-GPC and DNT refuse.
func (c Consent) SignalDenied() []rules.Category {
	if c.rs == nil {
		return nil
	}
	return c.rs.Names(c.fromSigns)
}

// Set returns the granted categories as a set of the middleware's Ruleset.
func (c Consent) Set() rules.CategorySet { return c.granted }

// VendorsGranted returns the ids of the vendors granted on their own,
// beyond their categories (a YouTube video allowed while marketing is
// refused), sorted.
func (c Consent) VendorsGranted() []string { return c.vendors.ids(true) }

// VendorsRefused returns the ids of the vendors refused on their own,
// against their categories, sorted.
func (c Consent) VendorsRefused() []string { return c.vendors.ids(false) }

// AllowsVendor reports whether the vendor with this id may run: by the
// visitor's choice about it, or else by its categories. Unknown ids are
// not allowed.
func (c Consent) AllowsVendor(id string) bool {
	if c.rs == nil {
		return false
	}
	v, ok := c.rs.VendorByID(id)
	if !ok {
		return false
	}
	return c.grant().allowsVendor(c.rs, v)
}

// grant returns what the decision allows.
func (c *Consent) grant() grant { return grant{cats: c.granted, vendors: c.vendors} }

type consentKey struct{}

// ConsentFromContext returns the decision the middleware enforces for the
// request whose context is ctx. ok is false outside the middleware.
func ConsentFromContext(ctx context.Context) (c Consent, ok bool) {
	p, ok := ctx.Value(consentKey{}).(*Consent)
	if !ok || p == nil {
		return Consent{}, false
	}
	return *p, true
}

// consentOf reads the visitor's decision from the request: the consent
// cookie, then Sec-GPC and DNT.
func (m *Middleware) consentOf(r *http.Request) Consent {
	c := Consent{rs: m.rs, granted: m.rs.NecessarySet()}
	if m.gpc != 0 && headerValue(r.Header, "Sec-Gpc") == "1" {
		c.GPC = true
		c.fromSigns |= m.gpc
	}
	if m.dnt != 0 && headerValue(r.Header, "Dnt") == "1" {
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
		c.vendors = v.vendors
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
			var pair string
			pair, rest = nextCookiePair(rest)
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
