package middleware

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// Actions a visitor can take in the banner.
const (
	ActionAcceptAll = "accept_all"
	ActionRejectAll = "reject_all"
	ActionSave      = "save"
	// ActionGrant grants the vendors named (vendor=<id>) and keeps the
	// rest of the decision: what a blocked embed's placeholder sends.
	ActionGrant = "grant"
)

// maxEndpointBody caps the request body of a consent POST.
const maxEndpointBody = 16 << 10

// handles reports whether the middleware answers r itself: its endpoint
// (the consent POST, the current decision, the banner's files, the choices
// page) and /.well-known/gpc.json.
func (m *Middleware) handles(r *http.Request) bool {
	p, ep := r.URL.Path, m.cfg.Endpoint
	return p == gpcPath || strings.HasPrefix(p, ep) && (len(p) == len(ep) || p[len(ep)] == '/')
}

const gpcPath = "/.well-known/gpc.json"

// serveEndpoint answers the middleware's own paths.
func (m *Middleware) serveEndpoint(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == gpcPath:
		m.serveGPC(w, r)
	case p == m.cfg.Endpoint:
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			c := m.consentOf(r)
			writeJSON(w, http.StatusOK, m.decisionJSON(&c))
		case http.MethodPost:
			m.serveDecision(w, r)
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			httpError(w, r, http.StatusMethodNotAllowed, "use POST to decide or GET to read the decision")
		}
	case p == m.cfg.Endpoint+"/choices":
		m.serveChoices(w, r)
	case p == m.cfg.Endpoint+"/report":
		m.serveGuardReport(w, r)
	case p == m.cfg.Endpoint+"/declaration":
		m.serveDeclaration(w, r)
	case strings.HasPrefix(p, m.cfg.Endpoint+"/shown/"):
		m.serveShown(w, r, strings.TrimPrefix(p, m.cfg.Endpoint+"/shown/"))
	default:
		name := strings.TrimPrefix(p, m.cfg.Endpoint+"/")
		assets := bannerAssets()
		for _, list := range [][]asset{assets[:], m.guardAssets} {
			for i := range list {
				if list[i].name == name && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
					list[i].serve(w, r)
					return
				}
			}
		}
		httpError(w, r, http.StatusNotFound, "no such consent resource")
	}
}

// serveGPC answers /.well-known/gpc.json: the site honours Global
// Privacy Control.
func (m *Middleware) serveGPC(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "gpc.json is read with GET")
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	writeJSON(w, http.StatusOK, map[string]any{"gpc": !m.cfg.IgnoreGPC, "lastUpdate": m.cfg.GPCLastUpdate})
}

// errCrossSite refuses a consent POST from another site.
var errCrossSite = errors.New("consent can only be given on this site")

// sameOrigin checks that a POST comes from the site itself: by Origin, or
// lacking it Sec-Fetch-Site, or lacking both Referer. Hosts are compared,
// not schemes, since TLS is often ended in front of the server. A request
// with none of the three (not a browser's form or fetch) is let through: it
// can only set the cookie of whoever sent it.
func sameOrigin(r *http.Request) error {
	host := strings.ToLower(r.Host)
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if o == "null" || err != nil || !strings.EqualFold(u.Host, host) {
			return errCrossSite
		}
		return nil
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		if s != "same-origin" && s != "none" {
			return errCrossSite
		}
		return nil
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		if err != nil || !strings.EqualFold(u.Host, host) {
			return errCrossSite
		}
	}
	return nil
}

// decisionRequest is a consent POST, from the form or as JSON.
type decisionRequest struct {
	Action     string   `json:"action"`
	Categories []string `json:"categories"`
	Category   []string `json:"category"`
	// Vendors are the vendors ticked (granted); Offered are those the
	// form offered, so that an offered vendor left unticked is refused.
	Vendors []string `json:"vendors"`
	Offered []string `json:"offered"`
	Return  string   `json:"return"`
	// Shown is the id of what the visitor was shown (see shown.go).
	Shown string `json:"shown"`
}

// serveDecision handles a consent POST: it checks the origin, sets the
// consent cookie, expires refused cookies, records the decision and
// answers with a 303 to the return path or, to a script, with JSON.
func (m *Middleware) serveDecision(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		httpError(w, r, http.StatusForbidden, err.Error())
		return
	}
	var req decisionRequest
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	asJSON := ct == "application/json"
	body := http.MaxBytesReader(w, r.Body, maxEndpointBody)
	if asJSON {
		dec := json.NewDecoder(body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			httpError(w, r, http.StatusBadRequest, "reading the JSON decision: "+err.Error())
			return
		}
	} else {
		r.Body = body
		if err := r.ParseForm(); err != nil {
			httpError(w, r, http.StatusBadRequest, "reading the form: "+err.Error())
			return
		}
		req.Action = r.PostForm.Get("action")
		req.Category = r.PostForm["category"]
		req.Vendors = r.PostForm["vendor"]
		for _, list := range r.PostForm["offered"] {
			req.Offered = append(req.Offered, strings.Fields(list)...)
		}
		req.Return = r.PostForm.Get("return")
		req.Shown = r.PostForm.Get("shown")
	}
	wantJSON := asJSON || strings.Contains(r.Header.Get("Accept"), "application/json")
	before := m.consentOf(r)
	granted, vendors, err := m.decide(req, &before)
	if err != nil {
		httpError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	method := byte(methodBanner)
	source := "banner_form"
	if asJSON {
		method, source = methodJSON, "json"
	}
	v := cookieValue{
		granted:  granted,
		denied:   m.rs.Optional() &^ granted,
		revision: m.cfg.Revision,
		time:     now(),
		id:       before.ID,
		method:   method,
		vendors:  vendors,
	}
	if v.id == "" {
		v.id = newConsentID()
	}
	h := w.Header()
	m.setConsentCookie(h, r, v)
	// Cookies of what is now refused go, HttpOnly ones included.
	var refused []string
	after := Consent{Decided: true, Source: SourceCookie, ID: v.id, Revision: v.revision, Time: v.time, granted: granted | m.rs.NecessarySet(), denied: v.denied, vendors: vendors, rs: m.rs}
	eachCookie(r.Header, func(name, key string) {
		if !m.keepCookie(name, after.grant()) {
			refused = append(refused, key)
		}
	})
	expireCookies(h, r, refused)
	shown := req.Shown
	if _, ok := m.parseShownID(shown); !ok {
		shown = "" // not what this configuration shows: recorded as nothing
	}
	m.record(r, req.Action, source, &before, &after, returnPath(req.Return), shown)
	h.Set("Cache-Control", "no-store")
	if wantJSON {
		writeJSON(w, http.StatusOK, m.decisionJSON(&after))
		return
	}
	h.Set("Location", returnPath(req.Return))
	w.WriteHeader(http.StatusSeeOther)
}

// decide turns a decision request into the granted optional categories
// and the choices about vendors, given the decision before it.
func (m *Middleware) decide(req decisionRequest, before *Consent) (rules.CategorySet, vendorChoices, error) {
	vendor := func(id string) error {
		if _, ok := m.rs.VendorByID(id); !ok {
			return fmt.Errorf("unknown vendor %q", sanitise(id, 64))
		}
		if _, ok := m.rs.VendorCode(id); !ok {
			return fmt.Errorf("vendor %q can only be chosen with its categories", sanitise(id, 64))
		}
		return nil
	}
	for _, id := range append(slices.Clone(req.Vendors), req.Offered...) {
		if err := vendor(id); err != nil {
			return 0, nil, err
		}
	}
	switch req.Action {
	case ActionAcceptAll:
		return m.rs.Optional(), nil, nil
	case ActionRejectAll:
		return 0, nil, nil
	case ActionSave:
		var cats rules.CategorySet
		for _, name := range append(req.Categories, req.Category...) {
			bit, ok := m.rs.Bit(rules.Category(name))
			if !ok {
				return 0, nil, fmt.Errorf("unknown category %q", sanitise(name, 40))
			}
			cats |= bit
		}
		cats &^= m.rs.NecessarySet()
		// Choices about vendors the form did not offer stand; an offered
		// vendor is granted if ticked and refused if not.
		var vc vendorChoices
		if before.Decided && before.Source == SourceCookie {
			vc = before.vendors
		}
		for _, id := range req.Offered {
			vc = vc.with(id, slices.Contains(req.Vendors, id))
		}
		for _, id := range req.Vendors {
			vc = vc.with(id, true)
		}
		return cats, m.normalise(cats, vc), nil
	case ActionGrant:
		if len(req.Vendors) == 0 {
			return 0, nil, errors.New("grant names no vendor: want vendor=<id>")
		}
		// The rest of the decision stands; an undecided visitor has
		// refused everything else.
		var cats rules.CategorySet
		var vc vendorChoices
		if before.Decided && (before.Source == SourceCookie || before.Source == SourceSignals) {
			cats, vc = before.granted&^m.rs.NecessarySet(), before.vendors
		}
		for _, id := range req.Vendors {
			vc = vc.with(id, true)
		}
		return cats, m.normalise(cats, vc), nil
	case "":
		return 0, nil, errors.New("missing action: want accept_all, reject_all, save or grant")
	}
	return 0, nil, fmt.Errorf("unknown action %q: want accept_all, reject_all, save or grant", sanitise(req.Action, 40))
}

// decisionJSON is the JSON form of a decision.
func (m *Middleware) decisionJSON(c *Consent) map[string]any {
	out := map[string]any{
		"decided":    c.Decided,
		"source":     string(c.Source),
		"granted":    names(c.Granted()),
		"denied":     names(c.Denied()),
		"categories": names(m.rs.Categories()),
		"revision":   m.cfg.Revision,
		"gpc":        c.GPC,
		"dnt":        c.DNT,
	}
	if c.ID != "" {
		out["id"] = c.ID
	}
	if !c.Time.IsZero() {
		out["time"] = c.Time.UTC().Format(time.RFC3339)
	}
	if c.CMP != "" {
		out["cmp"] = c.CMP
	}
	out["vendors_granted"] = nonNil(c.VendorsGranted())
	out["vendors_refused"] = nonNil(c.VendorsRefused())
	return out
}

// nonNil makes a nil list an empty one, which JSON writes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func names(cs []rules.Category) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// httpError answers with a short error, as JSON to scripts.
func httpError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if strings.Contains(r.Header.Get("Accept"), "application/json") || r.Header.Get("Content-Type") == "application/json" {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// serveChoices answers the re-open link without script: a small page with
// the banner open, showing the current choice.
func (m *Middleware) serveChoices(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "the choices page is read with GET")
		return
	}
	c := m.consentOf(r)
	ret := returnPath(r.URL.Query().Get("return"))
	d := m.bannerData(r, &c, "", nil, nil, "")
	d.Visible, d.Open, d.Return = true, true, ret
	html, err := m.banner.render(d)
	if err != nil {
		httpError(w, r, http.StatusInternalServerError, "rendering the banner failed")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	fmt.Fprintf(w, "<!doctype html>\n<html lang=%q><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%s</title></head><body>\n",
		d.Lang, htmlEscape(d.T["reopen"]))
	w.Write(html)
	io.WriteString(w, "\n</body></html>\n")
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }
