package middleware

import (
	"net/http"
	"strings"
)

// filterCookieHeader removes from the request's Cookie headers every cookie
// keep refuses, and returns what expireCookies needs to expire them
// (their expiry keys). Headers with nothing to
// remove are left untouched; the others keep their remaining pairs in
// order, joined by "; ".
func filterCookieHeader(h http.Header, keep func(name string) bool) (removed []string) {
	lines, ok := h["Cookie"]
	if !ok {
		return nil
	}
	out := lines[:0:0]
	changed := false
	for _, line := range lines {
		kept, names, dropped := filterCookieLine(line, keep)
		removed = append(removed, names...)
		if dropped {
			changed = true
			if kept != "" {
				out = append(out, kept)
			}
			continue
		}
		out = append(out, line)
	}
	if !changed {
		return nil
	}
	if len(out) == 0 {
		delete(h, "Cookie")
	} else {
		h["Cookie"] = out
	}
	return removed
}

// filterCookieLine filters one Cookie header value. A line with nothing
// to drop is returned as it is, without allocating.
func filterCookieLine(line string, keep func(name string) bool) (kept string, removed []string, dropped bool) {
	eachCookiePair(line, func(pair, name string) {
		if !keep(name) {
			removed = append(removed, expiryKey(pair, name))
		}
	})
	if len(removed) == 0 {
		return line, nil, false
	}
	var b strings.Builder
	b.Grow(len(line))
	i := 0
	eachCookiePair(line, func(pair, name string) {
		if i < len(removed) && expiryKey(pair, name) == removed[i] {
			i++
			return
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(pair)
	})
	return b.String(), removed, true
}

// eachCookiePair calls f for each non-empty pair of a Cookie header value,
// trimmed, with the name a server reads it under.
func eachCookiePair(line string, f func(pair, name string)) {
	for rest := line; rest != ""; {
		var pair string
		pair, rest = nextCookiePair(rest)
		if pair == "" {
			continue
		}
		name := pair
		if eq := strings.IndexByte(pair, '='); eq >= 0 {
			name = trimCookieSpace(pair[:eq])
		}
		f(pair, name)
	}
}

// nextCookiePair splits the first pair, trimmed, off a Cookie header value.
func nextCookiePair(s string) (pair, rest string) {
	pair, rest, _ = strings.Cut(s, ";")
	return trimCookieSpace(pair), rest
}

// expiryKey is what expireCookies takes to expire the cookie sent as
// pair, read under name: the name, or for a cookie a browser stored without
// a name (Set-Cookie: _ga_x, or =_ga_x, comes back as the pair "_ga_x",
// which servers read as a name) "=" and the value, which no name can be.
func expiryKey(pair, name string) string {
	if strings.IndexByte(pair, '=') < 0 {
		return "=" + pair
	}
	return name
}

// validCookieName reports whether name can be written back in a Set-Cookie
// header without changing its meaning: no separators a browser would read
// differently, no controls.
func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c == '=' || c == ';' || c == 0x7f {
			return false
		}
	}
	return true
}
