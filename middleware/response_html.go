package middleware

import (
	"fmt"
	"net/http"
	"strings"
)

// htmlBody prepares an HTML response for enforcement and returns the
// filter its body goes through, or nil for a HEAD request.
func (m *Middleware) htmlBody(r *http.Request, h http.Header, st *state, dst *clientWriter) (bodyFilter, error) {
	coding, err := m.prepareHTMLHeader(h)
	if err != nil {
		return nil, err
	}
	m.signalsDecision(h, r, st)
	m.cmpDecisionSeen(h, r, st)
	if r.Method == http.MethodHead {
		return nil, nil
	}
	pw := m.newPageWriter(r, h, st, dst)
	if coding == "" {
		return pw, nil
	}
	return newDecodingWriter(coding, pw, m.cfg.MaxDecodedSize), nil
}

// prepareHTMLHeader adjusts the header of an HTML response whose body will
// be rewritten: its length, validators and ranges go, caches must keep a
// copy per consent, and the body leaves decoded. It returns the content
// coding to decode, and an error for a coding that cannot be.
func (m *Middleware) prepareHTMLHeader(h http.Header) (coding string, err error) {
	coding = strings.ToLower(strings.TrimSpace(h.Get("Content-Encoding")))
	if coding == "identity" {
		coding = ""
	}
	if coding != "" && !canDecode(coding) {
		return "", fmt.Errorf("the HTML body is encoded with %q, which cannot be decoded to enforce consent", coding)
	}
	h.Del("Content-Encoding")
	h.Del("Content-Length")
	h.Del("Accept-Ranges")
	h.Del("ETag")
	h.Del("Last-Modified")
	addVary(h, "Cookie")
	if !m.cfg.IgnoreGPC {
		addVary(h, "Sec-GPC")
	}
	if !m.cfg.IgnoreDNT {
		addVary(h, "DNT")
	}
	if m.cfg.Banner == bannerOn {
		addVary(h, "Accept-Language")
	}
	return coding, nil
}

// signalsDecision turns signals that refuse every optional category into a
// recorded decision, once: the consent cookie is set (marked as coming
// from signals, so it lapses when they stop) and a record written.
func (m *Middleware) signalsDecision(h http.Header, r *http.Request, st *state) {
	c := &st.consent
	if c.Source != SourceSignals || c.ID != "" || r.Method != http.MethodGet {
		return
	}
	before := *c
	before.Decided = false
	c.ID = newConsentID()
	c.Time = now()
	c.Revision = m.cfg.Revision
	m.setConsentCookie(h, r, cookieValue{denied: m.rs.Optional(), revision: c.Revision, time: c.Time, id: c.ID, method: methodSignals})
	m.record(r, ActionRejectAll, "signals", &before, c, returnPath(r.URL.RequestURI()))
}

// addVary adds field to the Vary header unless it is there, on the first
// Vary line.
func addVary(h http.Header, field string) {
	lines := h["Vary"]
	for _, v := range lines {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, field) {
				return
			}
		}
	}
	if len(lines) == 0 {
		h.Set("Vary", field)
		return
	}
	lines[0] += ", " + field
}
