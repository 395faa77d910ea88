package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Vendor describes one tracker or service: what it is, which categories a
// visitor must grant before it may run, and how to recognise its scripts,
// pixels, frames and cookies.
type Vendor struct {
	// ID is a unique, lower-case identifier such as "google-analytics".
	ID string `json:"id"`
	// Name is the display name shown in the banner.
	Name string `json:"name,omitempty"`
	// Description says in one sentence what the vendor does.
	Description string `json:"description,omitempty"`
	// Category is the category the vendor belongs to. Use Categories instead
	// when several must all be granted (tag managers load both analytics and
	// marketing tags).
	Category Category `json:"category,omitempty"`
	// Categories, when set, must all be granted; the first one is the
	// vendor's primary category.
	Categories []Category `json:"categories,omitempty"`
	// Hosts are domain suffixes: the host and all its subdomains, any path.
	Hosts []string `json:"hosts,omitempty"`
	// URLs are a host suffix followed by a path (and query) prefix, such as
	// "facebook.com/tr". A URL rule beats a plain host rule.
	URLs []string `json:"urls,omitempty"`
	// Paths are path suffixes matched on any host, for self-hosted trackers
	// ("/matomo.js").
	Paths []string `json:"paths,omitempty"`
	// Signatures are case-sensitive substrings that identify the vendor's
	// inline script snippet. Hosts and URLs are matched in inline scripts
	// without being listed here.
	Signatures []string `json:"signatures,omitempty"`
	// Cookies are cookie names as browsers store them: exact, or a prefix
	// followed by "*".
	Cookies []string `json:"cookies,omitempty"`

	// Provider is the company that runs the vendor's service: the legal
	// entity a visitor in the EU deals with where that is clear ("Google
	// Ireland Limited", "Meta Platforms Ireland Limited"), else the parent
	// company. Shown in the cookie declaration.
	Provider string `json:"provider,omitempty"`
	// PrivacyPolicy is the URL of the provider's privacy policy (http or
	// https).
	PrivacyPolicy string `json:"privacy_policy,omitempty"`
	// IAB is the vendor's id in the IAB Europe Global Vendor List (TCF), or
	// 0 when it has none. Several vendors may share one id (Google's
	// advertising products are one TCF vendor).
	IAB int `json:"iab_vendor,omitempty"`
	// CookieDetails describes cookies of Cookies for the declaration, keyed
	// by the pattern exactly as Cookies lists it ("_ga", "_ga_*"). Every
	// key must be in Cookies. The built-in catalogue fills in what its
	// entries lack from the Open Cookie Database.
	CookieDetails map[string]CookieDetail `json:"cookie_details,omitempty"`

	// Source names where the vendor was loaded from (a file name, "builtin"),
	// for messages.
	Source string `json:"-"`
	// Weak marks a vendor from a third-party list (Open Cookie Database,
	// AdGuard companiesdb): it adds the hosts and cookies nobody has claimed
	// and overrides nothing, so such a list cannot release what the
	// catalogue or the operator's own rules block.
	Weak bool `json:"-"`
}

// Primary returns the vendor's primary category.
func (v *Vendor) Primary() Category {
	if len(v.Categories) > 0 {
		return v.Categories[0]
	}
	return v.Category
}

// required returns every category the vendor needs.
func (v *Vendor) required() []Category {
	if len(v.Categories) > 0 {
		return v.Categories
	}
	if v.Category != "" {
		return []Category{v.Category}
	}
	return nil
}

// CookieDetail is what a cookie declaration says about one cookie name or
// pattern. Every field is optional.
type CookieDetail struct {
	// Purpose says in a sentence what the cookie is for.
	Purpose string `json:"purpose,omitempty"`
	// Lifetime is how long the cookie is kept, as a declaration shows it:
	// "session", "30 minutes", "1 day", "13 months", "2 years".
	Lifetime string `json:"lifetime,omitempty"`
	// Party tells whether the cookie is set on the site's own domain
	// (FirstParty, typically by the vendor's script) or on the vendor's
	// (ThirdParty). Empty when unknown.
	Party Party `json:"party,omitempty"`
	// Domain is the vendor's domain a third-party cookie is set on, when
	// known ("doubleclick.net").
	Domain string `json:"domain,omitempty"`
}

// Party says on whose domain a cookie is set.
type Party string

// The parties a cookie can belong to.
const (
	FirstParty Party = "first"
	ThirdParty Party = "third"
)

// FileFormat is the value of the "format" member that rule files written
// now carry. Version 2 adds provider, privacy_policy, iab_vendor and
// cookie_details; ParseJSON reads version 1 files too (FileFormatV1), with
// or without those members, so files written for earlier releases load
// unchanged. A file that uses the new members should say version 2, so
// that a release that does not know them refuses it by its format rather
// than by an unknown field.
const FileFormat = "consentgate-rules/2"

// FileFormatV1 is the rule file format of the first releases.
const FileFormatV1 = "consentgate-rules/1"

// File is the project's own JSON rule format.
type File struct {
	Format  string   `json:"format"`
	Vendors []Vendor `json:"vendors"`
}

// ParseJSON reads vendors in the project's JSON rule format. name is used
// in error messages and recorded as each vendor's Source. Errors give the
// line of the offending input.
func ParseJSON(r io.Reader, name string) ([]Vendor, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	var f File
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, jsonError(name, data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		line := 1 + bytes.Count(data[:off], []byte{'\n'})
		return nil, fmt.Errorf("%s:%d: unexpected data after the rules object", name, line)
	}
	if f.Format != FileFormat && f.Format != FileFormatV1 {
		return nil, fmt.Errorf("%s: format %q: want %q (or %q)", name, f.Format, FileFormat, FileFormatV1)
	}
	for i := range f.Vendors {
		v := &f.Vendors[i]
		v.Source = name
		if err := v.validate(); err != nil {
			return nil, fmt.Errorf("%s: vendor %d: %w", name, i+1, err)
		}
	}
	return f.Vendors, nil
}

// jsonError turns a decoding error into one naming the file and line.
func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var off int64 = -1
	switch {
	case errors.As(err, &syn):
		off = syn.Offset - 1 // the offset is past the offending byte
	case errors.As(err, &typ):
		off = typ.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
		err = errors.New("unexpected end of file: the JSON is cut short")
	}
	if off < 0 && syn != nil {
		off = 0
	}
	if off < 0 {
		return fmt.Errorf("%s: %w", name, err)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	return fmt.Errorf("%s:%d: %w", name, line, err)
}

// validate checks a vendor's fields and normalises its hosts.
func (v *Vendor) validate() error {
	if v.ID == "" {
		return errors.New("missing id")
	}
	if v.Category != "" && len(v.Categories) > 0 {
		return fmt.Errorf("%s: set category or categories, not both", v.ID)
	}
	req := v.required()
	if len(req) == 0 {
		return fmt.Errorf("%s: missing category", v.ID)
	}
	for _, c := range req {
		if _, err := ParseCategory(string(c)); err != nil {
			return fmt.Errorf("%s: %w", v.ID, err)
		}
	}
	hosts := make([]string, len(v.Hosts)) // never write to a caller's slice
	for i, h := range v.Hosts {
		n, err := normaliseHost(h)
		if err != nil {
			return fmt.Errorf("%s: host %q: %w", v.ID, h, err)
		}
		if !strings.Contains(n, ".") {
			return fmt.Errorf("%s: host %q: a host suffix needs at least two labels (a bare top-level domain would match every site under it)", v.ID, h)
		}
		hosts[i] = n
	}
	v.Hosts = hosts
	for _, u := range v.URLs {
		slash := strings.IndexByte(u, '/')
		if slash <= 0 {
			return fmt.Errorf("%s: url %q: want host/path", v.ID, u)
		}
		if _, err := normaliseHost(u[:slash]); err != nil {
			return fmt.Errorf("%s: url %q: %w", v.ID, u, err)
		}
	}
	for _, p := range v.Paths {
		if !strings.HasPrefix(p, "/") || len(p) < 4 {
			return fmt.Errorf("%s: path %q: want a path suffix starting with '/' and at least 4 bytes", v.ID, p)
		}
	}
	for _, s := range v.Signatures {
		if len(s) < 3 {
			return fmt.Errorf("%s: signature %q is shorter than 3 bytes", v.ID, s)
		}
	}
	for _, c := range v.Cookies {
		if c == "" || c == "*" {
			return fmt.Errorf("%s: empty cookie pattern", v.ID)
		}
		if i := strings.IndexByte(c, '*'); i >= 0 && i != len(c)-1 {
			return fmt.Errorf("%s: cookie pattern %q: '*' is allowed only at the end", v.ID, c)
		}
	}
	return v.validateDeclaration()
}

// validateDeclaration checks the fields a cookie declaration shows.
func (v *Vendor) validateDeclaration() error {
	if v.IAB < 0 || v.IAB > maxIABVendor {
		return fmt.Errorf("%s: iab_vendor %d: want an IAB Global Vendor List id, 1 to %d", v.ID, v.IAB, maxIABVendor)
	}
	if p := v.PrivacyPolicy; p != "" && !isWebURL(p) {
		return fmt.Errorf("%s: privacy_policy %q: want an absolute http or https URL", v.ID, p)
	}
	for name, d := range v.CookieDetails {
		if !slices.Contains(v.Cookies, name) {
			return fmt.Errorf("%s: cookie_details names %q, which is not one of its cookies", v.ID, name)
		}
		switch d.Party {
		case "", FirstParty, ThirdParty:
		default:
			return fmt.Errorf("%s: cookie %q: party %q: want %q or %q", v.ID, name, d.Party, FirstParty, ThirdParty)
		}
		if d.Domain != "" {
			if _, err := normaliseHost(d.Domain); err != nil {
				return fmt.Errorf("%s: cookie %q: domain %q: %w", v.ID, name, d.Domain, err)
			}
		}
	}
	return nil
}

// maxIABVendor is the largest vendor id a TC string can carry (16 bits).
const maxIABVendor = 1<<16 - 1

// normaliseHost lower-cases a host suffix and checks it is a plain DNS name.
func normaliseHost(h string) (string, error) {
	h = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
	if h == "" {
		return "", errors.New("empty host")
	}
	if len(h) > 253 {
		return "", errors.New("host longer than 253 bytes")
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("unexpected %q: want a DNS name without scheme, port or wildcard", c)
		}
	}
	if strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return "", errors.New("empty label")
	}
	return h, nil
}
