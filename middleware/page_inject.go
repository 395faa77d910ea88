package middleware

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/rules"
)

// What the page gets from the middleware: the head injection (Google
// Consent Mode defaults) before any script of the site's, and the banner
// (or its re-open link) at the end of the body.
//
// The head injection must come before every script that could run, but
// must not push a <meta charset> out of the first 1024 bytes, where a
// browser looks for it when the response header names no charset. So it
// goes first in <head> when the header names the charset, and otherwise
// waits in the head for the first of: a <meta> that declares the charset
// (it goes right after it), a script (before it), </head>, or an element
// of the body (before it). Inside <template> and <noscript> a script does
// not run, so nothing goes there.

// headStart is called at <head>.
func (p *page) headStart(e *htmlrewrite.Element) {
	if p.charsetKnown && !e.Inert() {
		if html := p.injection(); html != nil {
			e.PrependBytes(html)
		}
	}
}

// meta is called at a <meta charset> or <meta http-equiv>: after one that
// declares the charset, the injection is in place.
func (p *page) meta(e *htmlrewrite.Element) {
	if !p.injectDue || p.injectDone || e.Inert() || e.Foreign() {
		return
	}
	if !e.HasAttr("charset") {
		eq, _ := e.Attr("http-equiv")
		if !bytes.EqualFold(bytes.TrimSpace(eq), []byte("content-type")) {
			return
		}
	}
	// <meta> is void: what is prepended to it follows it.
	e.PrependBytes(p.injection())
}

// injectBefore puts the head injection before e, a script or an element
// of the body, if it is still due.
func (p *page) injectBefore(e *htmlrewrite.Element) {
	if !p.injectDue || p.injectDone || e.Inert() {
		return
	}
	e.BeforeBytes(p.injection())
}

// injection returns the head injection once, the first time it is asked
// for, and nil after that: the run-time guard first, then Consent Mode's
// defaults (top-level documents only). The bytes are valid until the
// page ends.
func (p *page) injection() []byte {
	if !p.injectDue || p.injectDone {
		return nil
	}
	p.injectDone = true
	b := p.injectBuf[:0]
	if p.guardDue {
		b = p.appendGuard(b)
	}
	if p.m.cfg.ConsentMode && !p.report && p.depth == 0 {
		b = append(b, p.consentModeScript()...)
	}
	p.injectBuf = b
	return b
}

// charsetDeclared reports whether a Content-Type names the charset, or is
// XHTML, whose encoding an XML declaration or the default gives.
func charsetDeclared(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return params["charset"] != "" || mt == "application/xhtml+xml"
}

// bannerHTML renders the banner once per page, when it is due.
func (p *page) bannerHTML() []byte {
	if !p.bannerDue || p.bannerDone || p.depth > 0 {
		return nil
	}
	p.bannerDone = true
	origin := ""
	if p.baseSet {
		origin = pageOrigin(p.r, p.st)
	}
	d := p.m.bannerData(p.r, &p.st.consent, p.nonce, p.vendors, &p.scratch, origin)
	html, err := p.m.banner.html(p.appendFormsDue(p.bannerBuf[:0], origin), d)
	if err != nil {
		p.m.log.Error("rendering the consent banner", "error", err)
		return nil
	}
	if cap(html) <= 64<<10 {
		p.bannerBuf = html
	}
	return html
}

// pageOrigin returns the origin the visitor asked for the page at, as
// "scheme://host[:port]". Behind a proxy that ends TLS, its
// X-Forwarded-Proto says https (a visitor who forges it only gets
// their own banner's URLs wrong).
func pageOrigin(r *http.Request, st *state) string {
	host := st.host
	if host == "" {
		host = r.Host
	}
	if st.tls != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		return "https://" + host
	}
	return "http://" + host
}

// consentModeScript is Google Consent Mode v2's default call, reflecting
// the decision.
func (p *page) consentModeScript() string {
	g := func(c rules.Category) string {
		if bit, ok := p.m.rs.Bit(c); ok && p.grant.cats.Has(bit) {
			return "granted"
		}
		return "denied"
	}
	var b strings.Builder
	b.WriteString("<script")
	if p.nonce != "" {
		b.WriteString(` nonce="` + p.nonce + `"`)
	}
	b.WriteString(">window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}")
	fmt.Fprintf(&b, "gtag('consent','default',{ad_storage:'%s',ad_user_data:'%s',ad_personalization:'%s',analytics_storage:'%s',functionality_storage:'%s',personalization_storage:'%s',security_storage:'granted'",
		g(rules.Marketing), g(rules.Marketing), g(rules.Marketing), g(rules.Analytics), g(rules.Preferences), g(rules.Preferences))
	if !p.st.consent.Decided {
		b.WriteString(",wait_for_update:500")
	}
	b.WriteString("});</script>")
	return b.String()
}
