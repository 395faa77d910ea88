package middleware

import (
	"fmt"
	"net/http"
	"strings"
)

// The response: every entry point (Serve and Handler, whose writer is in
// response_writer.go, and ModifyResponse in response_proxy.go) decides
// what happens to a response the same way, here, from the request, the
// final status and the header:
//
//   - a missing type is sniffed from the first 512 bytes, as net/http
//     does before it sends a response (and a browser would);
//   - the header is filtered: Set-Cookie lines and Link preloads the
//     visitor has not consented to go, lines expiring refused cookies the
//     request carried are added (response_headers.go);
//   - an HTML body (GET and HEAD alike, not 1xx, 204, 304 or 206) is to be
//     rewritten: its length, validators and range support go, Vary names
//     what the output depends on, a content coding is decoded
//     (response_decode.go); signals that refuse everything and a consent
//     manager's new decision are recorded once;
//   - in report mode nothing changes: the body is read beside the client's
//     copy, only to report what would be blocked.

// plan is what happens to one response's body.
type plan struct {
	// rewrite: the body is HTML, run through the page rewriter.
	rewrite bool
	// report: the body is HTML, passed on as it is and read beside, only
	// to report what would be blocked (mode report).
	report bool
	// coding is the content coding to decode first, "" for none.
	coding string
	// err says why an HTML body cannot be enforced (a content coding
	// that cannot be decoded): the response must not go out.
	err error
	// replace, when set, is sent instead of the response: a redirect to a
	// refused tracker.
	replace *replacement
	// prefix, when set, goes before the body, which is passed on
	// (decoded from coding): the run-time guard before a worker script.
	prefix []byte
}

// replacement is a response sent instead of the handler's; its header
// is already in place.
type replacement struct {
	status int
	body   []byte
}

// needsSniff reports whether a response's type must be decided from its
// first bytes: the handler set no type (or an empty one, which a browser
// ignores), and net/http would sniff the body (it does not when the body
// is encoded, whatever a browser does after decoding it).
func needsSniff(r *http.Request, status int, h http.Header) bool {
	return strings.TrimSpace(headerValue(h, "Content-Type")) == "" && bodyAllowed(r, status) &&
		headerValue(h, "Content-Encoding") == "" && headerValue(h, "Transfer-Encoding") == ""
}

// sniffLen is how many bytes decide a missing Content-Type, as in
// http.DetectContentType.
const sniffLen = 512

// setSniffedType sets the type net/http would send for a body starting
// with first.
func setSniffedType(h http.Header, first []byte) {
	h.Set("Content-Type", http.DetectContentType(first))
}

// planResponse filters a response's header and plans its body. It is
// called once per response, with its final status and, for a missing
// type, after sniffing.
func (m *Middleware) planResponse(r *http.Request, st *state, status int, h http.Header) plan {
	m.filterResponseHeader(h, r, st)
	if rep := m.blockRedirect(r, st, status, h); rep != nil {
		return plan{replace: rep}
	}
	if p, ok := m.planWorker(r, st, status, h); ok {
		return p
	}
	if !htmlBody(r, status, h) {
		return plan{}
	}
	if m.cfg.Mode == ModeReport && !m.guardDue(st.consent.grant()) {
		coding := contentCoding(h)
		if r.Method == http.MethodHead || coding != "" && !canDecode(coding) {
			return plan{}
		}
		return plan{report: true, coding: coding}
	}
	coding, err := m.prepareHTMLHeader(h)
	if err != nil {
		return plan{err: err}
	}
	m.signalsDecision(h, r, st)
	m.cmpDecisionSeen(h, r, st)
	return plan{rewrite: r.Method != http.MethodHead, coding: coding}
}

// htmlBody reports whether a response to r carries an HTML body to
// enforce: an HTML or XHTML type, a status with a body (HEAD requests
// get the header a GET would), and not a part of one.
func htmlBody(r *http.Request, status int, h http.Header) bool {
	if status == http.StatusSwitchingProtocols || status == http.StatusPartialContent ||
		!bodyAllowed(r, status) && r.Method != http.MethodHead {
		return false
	}
	return isHTMLType(headerValue(h, "Content-Type"))
}

// isHTMLType reports whether a Content-Type names HTML or XHTML.
func isHTMLType(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	return strings.EqualFold(ct, "text/html") || strings.EqualFold(ct, "application/xhtml+xml")
}

// bodyAllowed reports whether a response to r with this status has a body.
func bodyAllowed(r *http.Request, status int) bool {
	switch {
	case r.Method == http.MethodHead:
		return false
	case status >= 100 && status < 200, status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}

// contentCoding returns the response's content coding, lower case, "" for
// none or identity.
func contentCoding(h http.Header) string {
	coding := strings.ToLower(strings.TrimSpace(headerValue(h, "Content-Encoding")))
	if coding == "identity" {
		return ""
	}
	return coding
}

// prepareHTMLHeader adjusts the header of an HTML response whose body will
// be rewritten: its length, validators and ranges go, caches must keep a
// copy per consent, and the body leaves decoded. It returns the content
// coding to decode, and an error for a coding that cannot be.
func (m *Middleware) prepareHTMLHeader(h http.Header) (coding string, err error) {
	coding = contentCoding(h)
	if coding != "" && !canDecode(coding) {
		return "", fmt.Errorf("the HTML body is encoded with %q, which cannot be decoded to enforce consent", coding)
	}
	delHeaders(h, "Content-Encoding", "Content-Length", "Accept-Ranges", "Etag", "Last-Modified")
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

// headerValue is h.Get(key) for a canonical key, without canonicalising
// it again on every call: net/http reads a request's keys canonical, and
// canonicalKeys makes a response's so (as Get, it misses a handler's
// h["content-type"] before that).
func headerValue(h http.Header, key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// canonicalKeys moves the lines a handler set under a key of another
// spelling (h["set-cookie"], h["NEL"]), which net/http sends as they are,
// to the canonical key, so that no filter misses them. It reports whether
// the header holds any field filterResponseHeader filters, told in the
// same pass, so that a response without one (most that are not pages)
// costs no further look-ups.
func canonicalKeys(h http.Header) (filtered bool) {
	for k, v := range h {
		if !canonicalCase(k) {
			c := http.CanonicalHeaderKey(k)
			if c == k {
				continue
			}
			delete(h, k)
			h[c] = append(h[c], v...)
			k = c
		}
		switch k {
		case "Set-Cookie", "Link", "Content-Security-Policy", "Content-Security-Policy-Report-Only",
			"Reporting-Endpoints", "Report-To", "Nel":
			filtered = true
		}
	}
	return filtered
}

// canonicalCase reports whether a header key is cased as
// http.CanonicalHeaderKey writes it: a capital first and after each '-',
// small letters elsewhere.
func canonicalCase(k string) bool {
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			return false
		}
		upper = c == '-'
	}
	return true
}

// delHeaders deletes the fields named by keys (canonical), also where a
// handler set them under another spelling (h["ETag"]), which net/http
// sends as they are.
func delHeaders(h http.Header, keys ...string) {
	for k := range h {
		for _, key := range keys {
			if strings.EqualFold(k, key) {
				delete(h, k)
			}
		}
	}
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
	m.record(r, ActionRejectAll, "signals", &before, c, returnPath(r.URL.RequestURI()), "")
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
