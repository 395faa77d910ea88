package middleware

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// Versions of the consent cookie, its first field: 1 holds categories;
// 2 adds choices about vendors.
const (
	consentCookieV1 = "1"
	consentCookieV2 = "2"
)

// maxConsentCookie bounds a consent cookie value that is read: a browser
// keeps no more than 4096 bytes of a cookie.
const maxConsentCookie = 4096

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
	vendors         vendorChoices
}

// encodeConsentCookie writes the consent cookie value:
//
//	1.<granted>.<refused>.<revision>.<unix seconds>.<id>.<method>
//	2.<granted>.<refused>.<revision>.<unix seconds>.<id>.<method>.<vendors granted>.<vendors refused>
//
// Categories are joined by '+'; vendors are their codes (five characters
// each, see rules.Ruleset.VendorCode) one after another, and only the
// vendors chosen against or beyond their categories are there. Version 2
// is written only with such choices. Every byte is a cookie-octet, so
// the value needs no quoting. Examples:
//
//	1.analytics+preferences.marketing.2026-05.1779840000.q1ZbXH3sTqKjV7y0cYzN0w.b
//	2.analytics.preferences+marketing.1.1779840000.q1ZbXH3sTqKjV7y0cYzN0w.b.pZ3kQ.
func encodeConsentCookie(rs *rules.Ruleset, v cookieValue) string {
	var b strings.Builder
	version := consentCookieV1
	if len(v.vendors) > 0 {
		version = consentCookieV2
	}
	b.WriteString(version)
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
	if version == consentCookieV2 {
		b.WriteByte('.')
		b.WriteString(encodeVendorCodes(rs, v.vendors, true))
		b.WriteByte('.')
		b.WriteString(encodeVendorCodes(rs, v.vendors, false))
	}
	return b.String()
}

// decodeConsentCookie parses a consent cookie value of either version. ok
// is false for anything malformed: unknown version or category, a
// category both granted and refused, a bad time, id or vendor list. The
// caller checks revision, completeness and age.
func decodeConsentCookie(rs *rules.Ruleset, s string) (v cookieValue, ok bool) {
	defer func() {
		if !ok {
			v = cookieValue{} // nothing of a malformed value leaks out
		}
	}()
	if len(s) > maxConsentCookie {
		return v, false
	}
	var f [9]string
	n := 0
	for {
		if n == len(f) {
			return v, false // more fields than any version has
		}
		dot := strings.IndexByte(s, '.')
		if dot < 0 {
			f[n] = s
			n++
			break
		}
		f[n], s = s[:dot], s[dot+1:]
		n++
	}
	switch {
	case f[0] == consentCookieV1 && n == 7:
	case f[0] == consentCookieV2 && n == 9:
	default:
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
	if n == 9 {
		if v.vendors, good = decodeVendorCodes(rs, f[7], true, nil); !good {
			return v, false
		}
		if v.vendors, good = decodeVendorCodes(rs, f[8], false, v.vendors); !good {
			return v, false
		}
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

// setConsentCookie writes the consent cookie.
func (m *Middleware) setConsentCookie(h http.Header, r *http.Request, v cookieValue) {
	line := m.cfg.CookieName + "=" + encodeConsentCookie(m.rs, v) +
		"; Path=/; Max-Age=" + strconv.Itoa(int(m.cfg.CookieMaxAge/time.Second)) + "; HttpOnly; SameSite=Lax"
	if r.TLS != nil {
		line += "; Secure"
	}
	h.Add("Set-Cookie", line)
}
