package middleware

import (
	"net/http"

	"github.com/consentgate/consentgate/rules"
)

// Finding is one thing the middleware blocked in a response or request,
// or in report mode would have blocked.
type Finding struct {
	// Kind is what was found: the element ("script", "img", "iframe",
	// "link", "style", …), an attribute set aside on its own ("ping",
	// "attributionsrc", "style-attribute"), "link-header", "set-cookie"
	// (a response cookie) or "cookie" (a request cookie).
	Kind string
	// Element is the tag name of the element found in HTML, or "".
	Element string
	// URL is the tracker URL as the page wrote it, or "" for cookies and
	// for inline scripts and style sheets judged by their text.
	URL string
	// Cookie is the cookie name, for cookies.
	Cookie string
	// Vendor is the catalogue or rule id of the vendor, or "" when no
	// vendor is known (a script longer than the buffer cap, a cookie no
	// rule knows while unknown_cookies is block).
	Vendor string
	// Categories are the categories it needs that the visitor has not
	// granted.
	Categories []rules.Category
	// Reported is true in report mode: nothing was changed.
	Reported bool
}

// find reports a finding to OnFinding and, in report mode, to the log.
func (m *Middleware) find(r *http.Request, f Finding, need, granted rules.CategorySet, vendor *rules.Vendor) {
	if m.cfg.OnFinding == nil {
		return
	}
	if vendor != nil {
		f.Vendor = vendor.ID
	}
	f.Categories = m.rs.Names(need &^ granted)
	f.Reported = m.cfg.Mode == ModeReport
	m.cfg.OnFinding(r, f)
}

// observeBlocked reports an item blocked, to OnBlocked.
func (m *Middleware) observeBlocked(kind string, need, granted rules.CategorySet) {
	if m.cfg.OnBlocked == nil {
		return
	}
	missing := m.rs.Names(need &^ granted)
	cat := rules.Category("")
	if len(missing) > 0 {
		cat = missing[0]
	}
	m.cfg.OnBlocked(kind, cat)
}
