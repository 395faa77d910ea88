package middleware

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strconv"
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
	rs        *rules.Ruleset
	services  []string
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

// consentCookieVersion is the first field of the consent cookie.
const consentCookieVersion = "1"

// Methods recorded in the consent cookie.
const (
	methodBanner  = 'b' // form POST from the banner
	methodJSON    = 'j' // JSON POST
	methodSignals = 's' // derived from Sec-GPC/DNT
	methodCMP     = 'c' // mirrors the site's consent manager, to record changes
)

// cookieValue is the decoded consent cookie.
type cookieValue struct {
	granted, denied rules.CategorySet
	revision        string
	time            time.Time
	id              string
	method          byte
}

// encodeConsentCookie writes the consent cookie value:
//
//	1.<granted>.<refused>.<revision>.<unix seconds>.<id>.<method>
//
// Categories are joined by '+'; every byte is a cookie-octet, so the value
// needs no quoting. Example:
//
//	1.analytics+preferences.marketing.2026-05.1779840000.q1ZbXH3sTqKjV7y0cYzN0w.b
func encodeConsentCookie(rs *rules.Ruleset, v cookieValue) string {
	var b strings.Builder
	b.WriteString(consentCookieVersion)
	b.WriteByte('.')
	b.WriteString(rs.Join(v.granted&^rs.NecessarySet(), "+"))
	b.WriteByte('.')
	b.WriteString(rs.Join(v.denied, "+"))
	b.WriteByte('.')
	b.WriteString(v.revision)
	b.WriteByte('.')
	b.WriteString(strconv.FormatInt(v.time.Unix(), 10))
	b.WriteByte('.')
	b.WriteString(v.id)
	b.WriteByte('.')
	b.WriteByte(v.method)
	return b.String()
}

// decodeConsentCookie parses a consent cookie value. ok is false for
// anything malformed: unknown version or category, a category both granted
// and refused, a bad time or id. The caller checks revision, completeness
// and age.
func decodeConsentCookie(rs *rules.Ruleset, s string) (v cookieValue, ok bool) {
	defer func() {
		if !ok {
			v = cookieValue{} // nothing of a malformed value leaks out
		}
	}()
	if len(s) > 1024 {
		return v, false
	}
	var f [7]string
	for i := range f {
		if i == len(f)-1 {
			f[i] = s
			break
		}
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			return v, false
		}
		f[i], s = s[:dot], s[dot+1:]
	}
	if f[0] != consentCookieVersion || strings.IndexByte(f[6], '.') >= 0 {
		return v, false
	}
	var good bool
	if v.granted, good = parseCategoryList(rs, f[1]); !good {
		return v, false
	}
	if v.denied, good = parseCategoryList(rs, f[2]); !good {
		return v, false
	}
	if v.granted&v.denied != 0 || (v.granted|v.denied)&rs.NecessarySet() != 0 {
		return v, false
	}
	if !validRevision(f[3]) {
		return v, false
	}
	v.revision = f[3]
	sec, err := strconv.ParseInt(f[4], 10, 64)
	if err != nil || sec <= 0 || strconv.FormatInt(sec, 10) != f[4] {
		return v, false // only the canonical form this package writes
	}
	v.time = time.Unix(sec, 0)
	if !validConsentID(f[5]) {
		return v, false
	}
	v.id = f[5]
	if len(f[6]) != 1 {
		return v, false
	}
	switch m := f[6][0]; m {
	case methodBanner, methodJSON, methodSignals, methodCMP:
		v.method = m
	default:
		return v, false
	}
	return v, true
}

func parseCategoryList(rs *rules.Ruleset, s string) (rules.CategorySet, bool) {
	var set rules.CategorySet
	for s != "" {
		name := s
		if plus := strings.IndexByte(s, '+'); plus >= 0 {
			name, s = s[:plus], s[plus+1:]
			if s == "" {
				return 0, false
			}
		} else {
			s = ""
		}
		b, ok := rs.Bit(rules.Category(name))
		if !ok || set&b != 0 {
			return 0, false
		}
		set |= b
	}
	return set, true
}

// validRevision reports whether s can be a policy revision: 1 to 64 bytes
// of letters, digits, '-' and '_'.
func validRevision(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// consentIDLen is the length of a consent id: 16 random bytes, base64url.
const consentIDLen = 22

func validConsentID(s string) bool {
	if len(s) != consentIDLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(s)
	return err == nil
}

// newConsentID returns a fresh random consent id.
func newConsentID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
