package cmp

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Category names used in decisions.
const (
	Necessary   = "necessary"
	Preferences = "preferences"
	Analytics   = "analytics"
	Marketing   = "marketing"
)

// Cookie is one request cookie as sent by the browser (Value raw, not unescaped).
type Cookie struct{ Name, Value string }

// Decision is what a consent manager's cookie says.
//
// Granted and Vendors together say which catalogue vendor may run, the same
// way for every manager:
//
//   - a vendor whose Vendors entry is false does not run, whatever its
//     categories;
//   - a vendor whose Vendors entry is true runs, whatever its categories;
//   - any other vendor runs when every category it needs is in Granted.
//
// Each reader fills Vendors so that this rule loads what the manager itself
// would load; the readers' comments and docs/consent-managers.md say how.
type Decision struct {
	CMP      string    // which manager: "cookiebot", "onetrust", "klaro", "cookieconsent", "cookieyes", "complianz", "borlabs", "tcf"
	Granted  []string  // categories granted, sorted, never containing Necessary (always implied)
	Services []string  // per-service grants when the format has them (klaro, cookieconsent v3 services, borlabs, complianz), sorted; may be nil
	Vendors  VendorSet // per-vendor choices by catalogue vendor id; nil when the cookie holds none the Options can map
	ID       string    // the manager's consent id if the cookie holds one (sanitised: printable ASCII only, at most 64 bytes), else ""
	Time     time.Time // decision time if the cookie holds one, else zero
}

// VendorSet holds per-vendor choices: catalogue vendor id → true (granted)
// or false (refused). A vendor not in the set follows its categories.
type VendorSet map[string]bool

// Allows applies the rule of [Decision] to one vendor: granted reports
// whether the vendor may run, given whether its categories are all
// granted.
func (s VendorSet) Allows(vendorID string, categoriesGranted bool) bool {
	if v, ok := s[vendorID]; ok {
		return v
	}
	return categoriesGranted
}

// Granted returns the vendors granted, sorted.
func (s VendorSet) Granted() []string { return s.with(true) }

// Refused returns the vendors refused, sorted.
func (s VendorSet) Refused() []string { return s.with(false) }

func (s VendorSet) with(want bool) []string {
	var ids []string
	for id, v := range s {
		if v == want {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// grant records a vendor choice. A refusal is final: when a manager's
// cookie grants and refuses the same vendor (two services mapped to it,
// one accepted and one refused), the vendor is refused.
func (s VendorSet) grant(id string, granted bool) {
	if prev, ok := s[id]; ok && !prev {
		return
	}
	s[id] = granted
}

// Reader reads decisions of the configured managers. It is safe for
// concurrent use.
type Reader struct {
	managers []manager
	cfg      *config
	cache    *decisionCache
}

// manager is one supported consent manager.
type manager struct {
	name string
	// cookies lists the cookie names read; a trailing "*" marks a prefix.
	cookies []string
	// find returns the raw input to decode (also the cache key) and whether
	// the manager's cookie is present at all.
	find func(cookies []Cookie) (raw string, present bool)
	// decode turns raw into a decision; ok false with a nil error means the
	// cookie records no choice by the visitor.
	decode func(cfg *config, raw string) (Decision, bool, error)
}

// allManagers returns every supported manager in the order "auto" tries
// them: managers with a cookie of their own first, TCF last, because a
// manager that also speaks TCF keeps its full decision (categories outside
// TCF's purposes, its consent id) in its own cookie, and a TC string may be
// left over from an advertising integration.
func allManagers() []manager {
	return []manager{
		{name: "cookiebot", cookies: []string{cookiebotCookie}, find: firstCookie(cookiebotCookie), decode: decodeCookiebot},
		{name: "onetrust", cookies: []string{oneTrustCookie}, find: firstCookie(oneTrustCookie), decode: decodeOneTrust},
		{name: "klaro", cookies: []string{klaroCookie}, find: firstCookie(klaroCookie), decode: decodeKlaro},
		{name: "cookieconsent", cookies: []string{cookieConsentCookie}, find: firstCookie(cookieConsentCookie), decode: decodeCookieConsent},
		{name: "cookieyes", cookies: []string{cookieYesCookie}, find: firstCookie(cookieYesCookie), decode: decodeCookieYes},
		{name: "complianz", cookies: []string{complianzPrefix + "*"}, find: findComplianz, decode: decodeComplianz},
		{name: "borlabs", cookies: []string{borlabsCookie}, find: firstCookie(borlabsCookie), decode: decodeBorlabs},
		{name: "tcf", cookies: []string{tcfCookie}, find: firstCookie(tcfCookie), decode: decodeTCF},
	}
}

// Names lists the supported managers in the order `auto` tries them.
func Names() []string {
	all := allManagers()
	names := make([]string, len(all))
	for i, m := range all {
		names[i] = m.name
	}
	return names
}

// New returns a Reader for the named managers ("auto" means all, in Names() order). Unknown names, duplicate names, invalid categories in Options (anything other than the four constants or a custom [a-z0-9_-]{1,32} name) give an error naming the bad value.
func New(names []string, opts Options) (*Reader, error) {
	if len(names) == 0 {
		return nil, errors.New("no consent manager named: use \"auto\" or one of " + strings.Join(Names(), ", "))
	}
	all := allManagers()
	var chosen []manager
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if seen[name] {
			return nil, fmt.Errorf("consent manager %s named twice", quote(name))
		}
		seen[name] = true
		if name == "auto" {
			if len(names) != 1 {
				return nil, errors.New("consent manager \"auto\" cannot be combined with other names")
			}
			chosen = all
			break
		}
		i := slices.IndexFunc(all, func(m manager) bool { return m.name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown consent manager %s: want \"auto\" or one of %s", quote(name), strings.Join(Names(), ", "))
		}
		chosen = append(chosen, all[i])
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	return &Reader{managers: chosen, cfg: cfg, cache: newDecisionCache(cfg.cacheSize, cfg.cacheTTL)}, nil
}

// Cookies returns the cookie names (and for complianz the "cmplz_" prefix marked with a trailing "*") the reader looks at, so callers can classify them as necessary.
func (r *Reader) Cookies() []string {
	var names []string
	for _, m := range r.managers {
		names = append(names, m.cookies...)
	}
	return names
}

// Read returns the decision found in cookies, trying managers in the configured order; the first manager whose cookie is present decides. ok is false when none is present. err is non-nil when a present cookie is malformed, truncated or hostile: then ok is false too (malformed NEVER grants anything) and err says which manager and what was wrong (lower case, no panics, no huge echoes of input: quote at most 64 bytes).
//
// A present cookie that records no choice by the visitor (Cookiebot's
// implied record, OneTrust before any interaction, CookieYes before an
// action) does not decide: the next manager is tried.
func (r *Reader) Read(cookies []Cookie) (d Decision, ok bool, err error) {
	for i := range r.managers {
		m := &r.managers[i]
		raw, present := m.find(cookies)
		if !present {
			continue
		}
		d, ok, err := r.cache.decode(m, r.cfg, raw)
		if err != nil {
			return Decision{}, false, fmt.Errorf("reading %s consent cookie: %w", m.name, err)
		}
		if ok {
			return d, true, nil
		}
	}
	return Decision{}, false, nil
}

// firstCookie returns a find function for a manager with one cookie.
func firstCookie(name string) func([]Cookie) (string, bool) {
	return func(cookies []Cookie) (string, bool) {
		for _, c := range cookies {
			if c.Name == name {
				return c.Value, true
			}
		}
		return "", false
	}
}

// newDecision builds a decision with Granted and Services sorted and
// deduplicated, Necessary dropped, an empty vendor set dropped, and the id
// sanitised.
func newDecision(cmpName string, granted, services []string, vendors VendorSet, id string, t time.Time) Decision {
	granted = slices.DeleteFunc(granted, func(c string) bool { return c == Necessary || c == "" })
	if len(vendors) == 0 {
		vendors = nil
	}
	return Decision{
		CMP:      cmpName,
		Granted:  sortedSet(granted),
		Services: sortedSet(services),
		Vendors:  vendors,
		ID:       sanitizeID(id),
		Time:     t,
	}
}

// sortedSet sorts and deduplicates s in place; an empty result is nil.
func sortedSet(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// sanitizeID keeps the printable ASCII bytes of id, at most 64 of them.
func sanitizeID(id string) string {
	const maxID = 64
	clean := true
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			clean = false
			break
		}
	}
	if clean {
		if len(id) > maxID {
			id = id[:maxID]
		}
		return strings.Clone(id)
	}
	var b strings.Builder
	for i := 0; i < len(id) && b.Len() < maxID; i++ {
		if id[i] >= 0x20 && id[i] <= 0x7e {
			b.WriteByte(id[i])
		}
	}
	return b.String()
}

// cloneDecision returns d with its slices copied, so a caller that edits
// them cannot change a cached decision.
func cloneDecision(d Decision) Decision {
	d.Granted = slices.Clone(d.Granted)
	d.Services = slices.Clone(d.Services)
	d.Vendors = maps.Clone(d.Vendors)
	return d
}
