package middleware

import (
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/consentgate/consentgate/internal/ascii"
	"golang.org/x/net/publicsuffix"
)

// maxNameValue is the longest name plus value a browser stores (RFC 6265bis
// section 5.6, step 8).
const maxNameValue = 4096

// SetCookieName returns the name under which a browser that stores the
// cookie of a Set-Cookie header value sends it back, which is what the
// middleware judges it by (RFC 6265bis parsing: "=_ga=1" and "_ga =1" are
// _ga). ok is false when a browser stores nothing.
func SetCookieName(line string) (name string, ok bool) { return browserCookieName(line) }

// browserCookieName returns the name a server reads back for the cookie a
// browser stores from a Set-Cookie value: the stored name, or for a
// nameless cookie, which is sent back as its bare value, the value's part
// before '=' ("=_ga=1" reads back as "_ga"). ok is false when a browser
// stores nothing.
func browserCookieName(line string) (name string, ok bool) {
	name, value, _, ok := parseSetCookie(goHeaderValue(line))
	if !ok || name != "" {
		return name, ok
	}
	if eq := strings.IndexByte(value, '='); eq >= 0 {
		return trimCookieSpace(value[:eq]), true
	}
	return value, true
}

// parseSetCookie splits a Set-Cookie value as RFC 6265bis section 5.6
// does: the name-value pair ends at the first ';' (attrs is the rest), the
// name at the first '=', both are trimmed of spaces and tabs, a pair
// without '=' is a nameless cookie whose value is the whole pair, and the
// line is ignored (ok false) when it holds a control character other than
// tab, when name and value are both empty, or when together they exceed
// 4096 bytes.
func parseSetCookie(line string) (name, value, attrs string, ok bool) {
	for i := 0; i < len(line); i++ {
		if c := line[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return "", "", "", false
		}
	}
	pair := line
	if i := strings.IndexByte(line, ';'); i >= 0 {
		pair, attrs = line[:i], line[i+1:]
	}
	if eq := strings.IndexByte(pair, '='); eq >= 0 {
		name, value = pair[:eq], pair[eq+1:]
	} else {
		value = pair
	}
	name, value = trimCookieSpace(name), trimCookieSpace(value)
	if name == "" && value == "" || len(name)+len(value) > maxNameValue {
		return "", "", "", false
	}
	return name, value, attrs, true
}

// goHeaderValue returns a header value as Go's HTTP/1 server writes it: CR
// and LF become spaces. (Its HTTP/2 server omits such a line, so reading
// them as spaces is the stricter of the two.)
func goHeaderValue(v string) string {
	if strings.IndexAny(v, "\r\n") < 0 {
		return v
	}
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(v)
}

// trimCookieSpace removes leading and trailing spaces, tabs, and the CR and
// LF that reach the browser as spaces.
func trimCookieSpace(s string) string {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// filterSetCookie drops the Set-Cookie lines whose cookie keep refuses and
// passes the others on unchanged. It returns the number dropped.
func filterSetCookie(h http.Header, keep func(name string) bool) int {
	lines, ok := h["Set-Cookie"]
	if !ok {
		return 0
	}
	kept := lines[:0:0]
	dropped := 0
	for i, line := range lines {
		name, stored := browserCookieName(line)
		if !stored || keep(name) {
			if dropped > 0 {
				kept = append(kept, line)
			}
			continue
		}
		if dropped == 0 {
			kept = append(kept, lines[:i]...)
		}
		dropped++
	}
	if dropped == 0 {
		return 0
	}
	if len(kept) == 0 {
		delete(h, "Set-Cookie")
	} else {
		h["Set-Cookie"] = kept
	}
	return dropped
}

// expireCookies appends Set-Cookie lines that delete each named cookie from
// the browser: host-only, for the request's host as a domain, and for its
// registrable domain, all with Path=/. Deleting by header reaches HttpOnly
// cookies too. On HTTPS the lines are Secure, so that Secure cookies are
// deleted as well; cookies with the __Host- prefix are deleted host-only.
func expireCookies(h http.Header, r *http.Request, names []string) {
	if len(names) == 0 {
		return
	}
	host := requestHost(r)
	tail := "=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
	if r.TLS != nil {
		tail += "; Secure"
	}
	tails := []string{tail}
	if _, err := netip.ParseAddr(host); err != nil && strings.Contains(host, ".") {
		tails = append(tails, tail+"; Domain="+host)
		if reg, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil && reg != host {
			tails = append(tails, tail+"; Domain="+reg)
		}
	}
	lines := h["Set-Cookie"]
	for i, name := range names {
		if slices.Contains(names[:i], name) {
			continue
		}
		// A cookie without a name is replaced by one without a name: the
		// line holds the value only (an empty one would be ignored).
		prefix := name + "="
		if value, ok := strings.CutPrefix(name, "="); ok {
			if !validCookieName(value) {
				continue
			}
			prefix = value
		} else if !validCookieName(name) {
			continue
		}
		for j, t := range tails {
			if j > 0 && ascii.HasPrefixFold(name, "__Host-") {
				break
			}
			lines = append(lines, prefix+strings.TrimPrefix(t, "="))
		}
	}
	h["Set-Cookie"] = lines
}
