package middleware

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/consentgate/consentgate/rules"
)

// What a visitor was shown when deciding: the banner (or a placeholder's)
// texts in their language, the categories and vendors offered, the policy
// URL and revision. Its id travels with the form (a hidden "shown" field)
// and into the record of the decision; <endpoint>/shown/<id> answers the
// content as JSON for as long as the configuration that produced it is
// loaded. The id is readable back into the content without any memory of
// what was served:
//
//	b.<language>.<vendor codes offered>.<digest>      the banner
//	p.<language>.<vendor code>.<digest>               a placeholder
//
// where the digest is 96 bits of the SHA-256 of the content's JSON, so an
// id whose digest does not match what this configuration produces for
// the rest of it is no id at all.

// Kinds of what is shown.
const (
	shownBanner      = 'b'
	shownPlaceholder = 'p'
)

// shownContent is what a visitor was shown, as <endpoint>/shown/<id>
// answers it.
type shownContent struct {
	Kind           string            `json:"kind"` // "banner" or "placeholder"
	Language       string            `json:"language"`
	Texts          map[string]string `json:"texts"`
	Categories     []shownCategory   `json:"categories"`
	Vendors        []shownVendor     `json:"vendors_offered"`
	PolicyURL      string            `json:"policy_url,omitempty"`
	DeclarationURL string            `json:"declaration_url"`
	Revision       string            `json:"revision"`
}

type shownCategory struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	AlwaysOn    bool   `json:"always_on,omitempty"`
}

type shownVendor struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Provider    string           `json:"provider,omitempty"`
	Description string           `json:"description,omitempty"`
	Categories  []rules.Category `json:"categories"`
}

// shownID returns the id of what kind (shownBanner or shownPlaceholder)
// shows in language lang with the vendors offered (a placeholder's own
// vendor), or "" when one of them cannot be named in an id.
func (m *Middleware) shownID(kind byte, lang string, vendors []string) string {
	vendors = slices.Clone(vendors)
	slices.Sort(vendors)
	vendors = slices.Compact(vendors)
	var b strings.Builder
	b.WriteByte(kind)
	b.WriteByte('.')
	b.WriteString(lang)
	b.WriteByte('.')
	for _, id := range vendors {
		c, ok := m.rs.VendorCode(id)
		if !ok {
			return ""
		}
		b.WriteString(c)
	}
	key := b.String()
	if id, ok := m.shownIDs.Get(key); ok {
		return id
	}
	content, ok := m.shownContent(kind, lang, vendors)
	if !ok {
		return ""
	}
	id := key + "." + shownDigest(content)
	m.shownIDs.Add(key, id)
	return id
}

// shownDigest is 96 bits of the SHA-256 of the content's JSON, base64url.
func shownDigest(c shownContent) string {
	data, _ := json.Marshal(c) // maps are written with sorted keys
	sum := sha256.Sum256(data)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// shownContent builds what kind shows in lang with the vendors offered.
func (m *Middleware) shownContent(kind byte, lang string, vendors []string) (shownContent, bool) {
	all, ok := m.banner.texts[lang]
	if !ok {
		return shownContent{}, false
	}
	c := shownContent{
		Language:       lang,
		Texts:          map[string]string{},
		Categories:     []shownCategory{},
		Vendors:        []shownVendor{},
		PolicyURL:      m.cfg.PolicyURL,
		DeclarationURL: m.cfg.Endpoint + "/declaration",
		Revision:       m.cfg.Revision,
	}
	placeholder := func(k string) bool { return strings.HasPrefix(k, "placeholder_") }
	switch kind {
	case shownBanner:
		c.Kind = "banner"
		for k, v := range all {
			if !placeholder(k) && !isDeclarationKey(k) {
				c.Texts[k] = v
			}
		}
		for _, cat := range m.banner.cats[lang] {
			c.Categories = append(c.Categories, shownCategory{Name: cat.Name, Title: cat.Title, Description: cat.Description, AlwaysOn: cat.Necessary})
		}
	case shownPlaceholder:
		c.Kind = "placeholder"
		if len(vendors) != 1 {
			return shownContent{}, false
		}
		for k, v := range all {
			if placeholder(k) {
				c.Texts[k] = v
			}
		}
	default:
		return shownContent{}, false
	}
	for _, id := range vendors {
		v, ok := m.rs.VendorByID(id)
		if !ok {
			return shownContent{}, false
		}
		name := v.Name
		if name == "" {
			name = v.ID
		}
		c.Vendors = append(c.Vendors, shownVendor{ID: v.ID, Name: name, Provider: v.Provider, Description: v.Description, Categories: m.rs.Names(m.rs.Need(v))})
	}
	return c, true
}

// parseShownID reads an id back into what it names, and reports whether
// this configuration produces it.
func (m *Middleware) parseShownID(id string) (shownContent, bool) {
	if len(id) > 4096 {
		return shownContent{}, false
	}
	f := strings.Split(id, ".")
	if len(f) != 4 || len(f[0]) != 1 || len(f[2])%rules.VendorCodeLen != 0 {
		return shownContent{}, false
	}
	var vendors []string
	for i := 0; i < len(f[2]); i += rules.VendorCodeLen {
		v, ok := m.rs.VendorIDByCode(f[2][i : i+rules.VendorCodeLen])
		if !ok {
			return shownContent{}, false
		}
		vendors = append(vendors, v)
	}
	if m.shownID(f[0][0], f[1], vendors) != id {
		return shownContent{}, false
	}
	return m.shownContent(f[0][0], f[1], vendors)
}

// serveShown answers <endpoint>/shown/<id> with what the id names.
func (m *Middleware) serveShown(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		httpError(w, r, http.StatusMethodNotAllowed, "what was shown is read with GET")
		return
	}
	c, ok := m.parseShownID(id)
	if !ok {
		httpError(w, r, http.StatusNotFound, "no such content in the loaded configuration (a changed text, revision or policy URL makes a new id)")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=86400")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(c)
	}
}
