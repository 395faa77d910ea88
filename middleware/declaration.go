package middleware

import (
	"bytes"
	"embed"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/consentgate/consentgate/rules"
)

// The cookie declaration, at <endpoint>/declaration: per category, the
// vendors in use with their provider, purpose, privacy policy, the hosts
// they load from and their cookies (name or pattern, purpose, lifetime,
// first or third party), from the catalogue (enriched with the Open Cookie
// Database) and the operator's rules; HTML in the visitor's language, or
// JSON. Which vendors are "in use" is what this process has met in
// traffic (their tags in pages, their cookies), and every vendor of the
// operator's own rules; Config.Declaration "all" lists every vendor. The
// cookies that no rule knows are listed by name, for the operator.

//go:embed declaration/declaration.html declaration/i18n/*.json
var declarationFS embed.FS

// maxUnclassifiedListed bounds the unclassified cookie names listed.
const maxUnclassifiedListed = 500

// declarationTexts returns the built-in declaration texts per language.
var declarationTexts = sync.OnceValue(func() map[string]map[string]string {
	return embeddedTexts(declarationFS, "declaration/i18n/*.json")
})

// isDeclarationKey reports whether k is a text of the declaration, which
// Config.Texts may override like the banner's.
func isDeclarationKey(k string) bool {
	_, ok := declarationTexts()["en"][k]
	return ok
}

var declarationTemplate = sync.OnceValue(func() *template.Template {
	src, err := declarationFS.ReadFile("declaration/declaration.html")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	return template.Must(template.New("declaration").Parse(string(src)))
})

// seenVendors remembers the vendors met in traffic, for the declaration.
type seenVendors struct{ ids sync.Map }

// sawVendor notes a vendor met in a page or a cookie.
func (m *Middleware) sawVendor(v *rules.Vendor) {
	if v == nil {
		return
	}
	if _, ok := m.seen.ids.Load(v.ID); !ok {
		m.seen.ids.Store(v.ID, struct{}{})
	}
}

// declaredVendor is a vendor as the declaration shows it.
type declaredVendor struct {
	rules.DeclaredVendor
	Cookies []declaredCookie `json:"cookies"`
}

type declaredCookie struct {
	rules.DeclaredCookie
	PartyText string `json:"-"`
}

// declaredCategory is one category of the declaration.
type declaredCategory struct {
	Name        string           `json:"category"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Vendors     []declaredVendor `json:"vendors"`
}

// declarationData is what the declaration template and its JSON hold.
type declarationData struct {
	Lang         string             `json:"language"`
	Revision     string             `json:"revision"`
	Listed       string             `json:"listed"` // "seen" or "all"
	Categories   []declaredCategory `json:"categories"`
	Unclassified []string           `json:"unclassified_cookies"`
	// UnclassifiedSeen counts the unclassified names remembered, of which
	// at most maxUnclassifiedListed are listed.
	UnclassifiedSeen int `json:"unclassified_seen"`

	T          map[string]string `json:"-"`
	PolicyURL  string            `json:"-"`
	ChoicesURL string            `json:"-"`
	JSONURL    string            `json:"-"`
}

// declaration builds the declaration in language lang.
func (m *Middleware) declaration(lang string) declarationData {
	t := m.declarationTexts(lang)
	include := func(v *rules.Vendor) bool {
		if v.Weak {
			return false
		}
		if m.cfg.Declaration == DeclarationAll || v.Source != "builtin catalogue" {
			return true
		}
		_, seen := m.seen.ids.Load(v.ID)
		return seen
	}
	d := declarationData{
		Lang:      lang,
		Revision:  m.cfg.Revision,
		Listed:    m.cfg.Declaration,
		T:         t,
		PolicyURL: m.cfg.PolicyURL,
		JSONURL:   m.cfg.Endpoint + "/declaration?format=json",
	}
	d.ChoicesURL = string(appendChoicesURL(nil, m.cfg.Endpoint, "/"))
	for _, c := range m.rs.Declaration(include) {
		dc := declaredCategory{
			Name:        string(c.Category),
			Title:       t["cat_"+string(c.Category)],
			Description: t["cat_"+string(c.Category)+"_desc"],
			Vendors:     []declaredVendor{},
		}
		if dc.Title == "" {
			dc.Title = string(c.Category)
		}
		for _, v := range c.Vendors {
			dv := declaredVendor{DeclaredVendor: v, Cookies: []declaredCookie{}}
			for _, ck := range v.Cookies {
				party := t["declaration_unknown"]
				switch ck.Party {
				case rules.FirstParty:
					party = t["declaration_first_party"]
				case rules.ThirdParty:
					party = t["declaration_third_party"]
				}
				dv.Cookies = append(dv.Cookies, declaredCookie{DeclaredCookie: ck, PartyText: party})
			}
			dc.Vendors = append(dc.Vendors, dv)
		}
		d.Categories = append(d.Categories, dc)
	}
	keys := m.unknownSeen.Keys()
	d.UnclassifiedSeen = len(keys)
	slices.Sort(keys)
	if len(keys) > maxUnclassifiedListed {
		keys = keys[:maxUnclassifiedListed]
	}
	d.Unclassified = make([]string, len(keys))
	for i, k := range keys {
		d.Unclassified[i] = sanitise(k, 128)
	}
	return d
}

// declarationTexts returns the declaration's texts in lang: the banner's
// (category names, the policy link), the declaration's own, and the
// operator's overrides of either.
func (m *Middleware) declarationTexts(lang string) map[string]string {
	base := declarationTexts()
	t := merge(m.banner.texts[lang], base["en"])
	if own, ok := base[lang]; ok {
		t = merge(t, own)
	}
	for k, v := range m.cfg.Texts[lang] {
		if isDeclarationKey(k) {
			t[k] = v
		}
	}
	return t
}

// serveDeclaration answers <endpoint>/declaration: HTML, or JSON to a
// request that accepts it (or asks with ?format=json).
func (m *Middleware) serveDeclaration(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "the declaration is read with GET")
		return
	}
	d := m.declaration(m.banner.language(r.Header.Get("Accept-Language")))
	h := w.Header()
	h.Set("Vary", "Accept, Accept-Language")
	h.Set("Cache-Control", "no-cache")
	if r.URL.Query().Get("format") == "json" || strings.Contains(r.Header.Get("Accept"), "application/json") {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.Encode(d)
		}
		return
	}
	var buf bytes.Buffer
	if err := declarationTemplate().Execute(&buf, d); err != nil {
		m.log.Error("rendering the cookie declaration", "error", err)
		httpError(w, r, http.StatusInternalServerError, "rendering the declaration failed")
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}
