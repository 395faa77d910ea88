package middleware

import (
	"net/http"
	"strings"
)

// filterResponseHeader drops the Set-Cookie lines and Link preloads of a
// response that the request's consent does not allow, and appends the
// lines that expire the refused cookies the request carried. In report mode
// nothing is changed; what would be dropped is logged.
func (m *Middleware) filterResponseHeader(h http.Header, r *http.Request, st *state) {
	if !canonicalKeys(h) {
		expireCookies(h, r, st.expire)
		st.expire = nil
		return
	}
	g := st.consent.grant()
	if m.cfg.Mode == ModeReport {
		for _, line := range h["Set-Cookie"] {
			if name, ok := browserCookieName(line); ok && m.dropCookie(r, st, "set-cookie", name, g) {
				m.log.Info("would drop Set-Cookie", "cookie", sanitise(name, 128), "path", r.URL.Path)
			}
		}
		filterLinkHeader(h, m, r, g)
		m.filterReportHeaders(h, r, g)
		return
	}
	filterSetCookie(h, func(name string) bool { return !m.dropCookie(r, st, "set-cookie", name, g) })
	filterLinkHeader(h, m, r, g)
	m.filterReportHeaders(h, r, g)
	expireCookies(h, r, st.expire)
	st.expire = nil
}

// filterLinkHeader removes from Link headers the preloads, prefetches and
// preconnects of trackers the visitor has not consented to.
func filterLinkHeader(h http.Header, m *Middleware, r *http.Request, g grant) {
	lines, ok := h["Link"]
	if !ok {
		return
	}
	changed := false
	out := make([]string, 0, len(lines))
	for _, line := range lines {
		var kept []string
		dropped := false
		for _, link := range splitLinks(line) {
			target, rel := parseLink(link)
			if rel != "" && relLoads([]byte(rel)) {
				if match, ok := m.matchRawURL(target, r); ok && !g.allows(match) {
					m.observeBlocked("link", match.Need, g.cats)
					m.find(r, Finding{Kind: "link-header", URL: target}, match.Need, g.cats, match.Vendor)
					if m.cfg.Mode != ModeReport {
						dropped = true
						continue
					}
				}
			}
			kept = append(kept, link)
		}
		if !dropped {
			out = append(out, line)
			continue
		}
		changed = true
		if len(kept) > 0 {
			out = append(out, strings.Join(kept, ", "))
		}
	}
	if !changed {
		return
	}
	if len(out) == 0 {
		delete(h, "Link")
	} else {
		h["Link"] = out
	}
}

// splitLinks splits a Link header value at the commas between link-values
// (not those inside <...> or quotes).
func splitLinks(s string) []string {
	var out []string
	inURL, inQuote, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case inURL:
			if c == '>' {
				inURL = false
			}
		case c == '<':
			inURL = true
		case c == '"':
			inQuote = true
		case c == ',':
			if l := strings.TrimSpace(s[start:i]); l != "" {
				out = append(out, l)
			}
			start = i + 1
		}
	}
	if l := strings.TrimSpace(s[start:]); l != "" {
		out = append(out, l)
	}
	return out
}

// parseLink returns the target and the rel parameter of one link-value.
func parseLink(link string) (target, rel string) {
	if !strings.HasPrefix(link, "<") {
		return "", ""
	}
	end := strings.IndexByte(link, '>')
	if end < 0 {
		return "", ""
	}
	target = link[1:end]
	for _, p := range strings.Split(link[end+1:], ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "rel") {
			rel = strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return target, rel
}
