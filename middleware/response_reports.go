package middleware

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// A response can make the browser send requests of its own: reports of
// Content-Security-Policy violations (report-uri, report-to), of the
// Reporting API (Reporting-Endpoints, Report-To) and of Network Error
// Logging (NEL), and, for a redirect, the next request. Those that would
// go to a tracker the visitor refused are taken out here.

// filterReportHeaders removes the report endpoints that are refused
// trackers: report-uri URLs of every Content-Security-Policy (enforced or
// report-only), Reporting-Endpoints entries, Report-To groups' endpoints,
// and NEL policies whose group is gone.
func (m *Middleware) filterReportHeaders(h http.Header, r *http.Request, g grant) {
	refused := func(u string) bool {
		match, ok := m.matchRawURL(u, r)
		if ok && !g.allows(match) {
			m.observeBlocked("report", match.Need, g.cats)
			m.find(r, Finding{Kind: "report-endpoint", URL: u}, match.Need, g.cats, match.Vendor)
			return m.cfg.Mode != ModeReport
		}
		return false
	}
	for _, key := range []string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"} {
		if lines, ok := h[key]; ok {
			for i, line := range lines {
				lines[i] = filterCSPReportURI(line, refused)
			}
		}
	}
	if lines, ok := h["Reporting-Endpoints"]; ok {
		out := lines[:0]
		for _, line := range lines {
			if kept := filterReportingEndpoints(line, refused); kept != "" {
				out = append(out, kept)
			}
		}
		setOrDelete(h, "Reporting-Endpoints", out)
	}
	var gone map[string]bool // the groups taken out of Report-To
	if lines, ok := h["Report-To"]; ok {
		gone = map[string]bool{}
		out := lines[:0]
		for _, line := range lines {
			if kept := filterReportTo(line, refused, gone); kept != "" {
				out = append(out, kept)
			}
		}
		setOrDelete(h, "Report-To", out)
	}
	if lines, ok := h["Nel"]; ok && len(gone) > 0 {
		out := lines[:0]
		for _, line := range lines {
			var policy struct {
				ReportTo string `json:"report_to"`
			}
			if json.Unmarshal([]byte(line), &policy) == nil && gone[policy.ReportTo] {
				continue
			}
			out = append(out, line)
		}
		setOrDelete(h, "Nel", out)
	}
}

func setOrDelete(h http.Header, key string, lines []string) {
	if len(lines) == 0 {
		delete(h, key)
		return
	}
	h[key] = lines
}

// filterCSPReportURI drops the refused URLs of a policy's report-uri
// directives, and a directive left with none.
func filterCSPReportURI(policy string, refused func(string) bool) string {
	if !strings.Contains(strings.ToLower(policy), "report-uri") {
		return policy
	}
	directives := strings.Split(policy, ";")
	out := directives[:0]
	changed := false
	for _, d := range directives {
		fields := strings.Fields(d)
		if len(fields) == 0 || !strings.EqualFold(fields[0], "report-uri") {
			out = append(out, d)
			continue
		}
		kept := fields[:1]
		for _, u := range fields[1:] {
			if refused(u) {
				changed = true
				continue
			}
			kept = append(kept, u)
		}
		if len(kept) > 1 {
			out = append(out, " "+strings.Join(kept, " "))
		}
	}
	if !changed {
		return policy
	}
	return strings.TrimSpace(strings.Join(out, ";"))
}

// filterReportingEndpoints drops the refused members of a
// Reporting-Endpoints dictionary (name="url", …).
func filterReportingEndpoints(line string, refused func(string) bool) string {
	var kept []string
	changed := false
	for _, member := range splitOutsideQuotes(line, ',') {
		member = strings.TrimSpace(member)
		_, v, ok := strings.Cut(member, "=")
		if ok {
			u := strings.TrimSpace(v)
			if i := strings.IndexByte(u, ';'); i >= 0 {
				u = u[:i] // parameters
			}
			if refused(strings.Trim(u, `"`)) {
				changed = true
				continue
			}
		}
		if member != "" {
			kept = append(kept, member)
		}
	}
	if !changed {
		return line
	}
	return strings.Join(kept, ", ")
}

// filterReportTo drops the refused endpoints of the groups of a Report-To
// value (JSON objects separated by commas) and the groups left without
// one, noting those in gone.
func filterReportTo(line string, refused func(string) bool, gone map[string]bool) string {
	dec := json.NewDecoder(strings.NewReader("[" + line + "]"))
	var groups []map[string]any
	if err := dec.Decode(&groups); err != nil {
		return line // not what a browser would read either
	}
	changed := false
	var kept []string
	for _, group := range groups {
		endpoints, _ := group["endpoints"].([]any)
		var left []any
		for _, e := range endpoints {
			if obj, ok := e.(map[string]any); ok {
				if u, _ := obj["url"].(string); refused(u) {
					changed = true
					continue
				}
			}
			left = append(left, e)
		}
		name, _ := group["group"].(string)
		if name == "" {
			name = "default"
		}
		if len(left) == 0 && len(endpoints) > 0 {
			gone[name] = true
			continue
		}
		group["endpoints"] = left
		b, _ := json.Marshal(group)
		kept = append(kept, string(b))
	}
	if !changed {
		return line
	}
	return strings.Join(kept, ", ")
}

// splitOutsideQuotes splits s at sep outside double quotes.
func splitOutsideQuotes(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// blockRedirect replaces a redirect whose Location is a tracker the
// visitor refused (bounce tracking: /out?to=https://tracker…), so that
// the browser does not follow it: a navigation gets a short page that
// names the vendor and lets the visitor go on knowingly, anything else an
// empty 204. It returns nil for any other response, and in report mode.
func (m *Middleware) blockRedirect(r *http.Request, st *state, status int, h http.Header) *replacement {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil
	}
	loc := h.Get("Location")
	if loc == "" {
		return nil
	}
	g := st.consent.grant()
	match, ok := m.matchRawURL(loc, r)
	if !ok || g.allows(match) {
		return nil
	}
	m.observeBlocked("redirect", match.Need, g.cats)
	m.find(r, Finding{Kind: "redirect", URL: loc}, match.Need, g.cats, match.Vendor)
	if m.cfg.Mode == ModeReport {
		return nil
	}
	delHeaders(h, "Location", "Content-Length", "Content-Encoding", "Content-Type", "Etag", "Last-Modified", "Refresh")
	h.Set("Cache-Control", "no-store")
	addVary(h, "Cookie")
	if !navigation(r) {
		return &replacement{status: http.StatusNoContent}
	}
	lang := m.banner.language(r.Header.Get("Accept-Language"))
	t := m.declarationTexts(lang)
	vendor := match.Vendor.Name
	if vendor == "" {
		vendor = match.Vendor.ID
	}
	host := loc
	if u, err := url.Parse(loc); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	fill := func(s string) string {
		return strings.NewReplacer("{vendor}", vendor, "{host}", host).Replace(s)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html>\n<html lang=%q><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title></head>\n"+
		"<body style=\"font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem\">\n<h1 style=\"font-size:1.4rem\">%s</h1>\n<p>%s</p>\n<p><a href=\"%s\" rel=\"noreferrer\">%s</a></p>\n</body></html>\n",
		lang, htmlEscape(fill(t["redirect_title"])), htmlEscape(fill(t["redirect_title"])), htmlEscape(fill(t["redirect_text"])), htmlEscape(loc), htmlEscape(fill(t["redirect_continue"])))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return &replacement{status: http.StatusOK, body: []byte(b.String())}
}

// navigation reports whether r loads a document (a link followed, a
// frame), by its fetch metadata or, lacking them, what it accepts.
func navigation(r *http.Request) bool {
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate"
	}
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}
