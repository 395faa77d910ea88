package rules

import (
	"slices"
	"strings"
)

// DeclaredCategory is one category of a cookie declaration: the vendors
// whose primary category it is.
type DeclaredCategory struct {
	Category Category         `json:"category"`
	Vendors  []DeclaredVendor `json:"vendors"`
}

// DeclaredVendor is what a cookie declaration says about one vendor.
type DeclaredVendor struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Provider      string `json:"provider,omitempty"`
	PrivacyPolicy string `json:"privacy_policy,omitempty"`
	Description   string `json:"description,omitempty"`
	// IAB is the vendor's IAB Global Vendor List id, 0 when it has none.
	IAB int `json:"iab_vendor,omitempty"`
	// Categories lists every category the vendor needs, primary first.
	Categories []Category `json:"categories"`
	// Cookies are the cookie names and patterns the vendor owns in this
	// Ruleset (a pattern another vendor overrides is listed under that
	// one), in the order the vendor lists them.
	Cookies []DeclaredCookie `json:"cookies"`
	// Hosts are the hosts the vendor loads from: its host suffixes, then
	// the hosts of its URL rules, each once, in the order listed.
	Hosts []string `json:"hosts"`
}

// DeclaredCookie is one cookie name, or a prefix pattern ending in "*" as
// the vendor lists it ("_ga_*"), with what is known about it.
type DeclaredCookie struct {
	Name string `json:"name"`
	CookieDetail
}

// Declaration returns what a cookie declaration lists: for every category,
// in the Ruleset's order, the vendors whose primary category it is (in load
// order), each with its provider, policy link, cookies and the hosts it
// loads from. Categories without vendors are included, with none.
//
// include picks the vendors to list; nil lists every vendor that is not
// Weak (the third-party lists an operator loads add thousands of entries
// most sites never use). The result is fresh: callers may modify it.
func (rs *Ruleset) Declaration(include func(*Vendor) bool) []DeclaredCategory {
	if include == nil {
		include = func(v *Vendor) bool { return !v.Weak }
	}
	out := make([]DeclaredCategory, len(rs.categories))
	for i, c := range rs.categories {
		out[i] = DeclaredCategory{Category: c, Vendors: []DeclaredVendor{}}
	}
	for i, v := range rs.vendors {
		if !include(v) {
			continue
		}
		ci := slices.Index(rs.categories, v.Primary())
		if ci < 0 {
			continue // cannot happen: Compile checked every category
		}
		out[ci].Vendors = append(out[ci].Vendors, rs.declareVendor(int32(i)))
	}
	return out
}

// declareVendor builds the declaration entry of vendor i.
func (rs *Ruleset) declareVendor(i int32) DeclaredVendor {
	v := rs.vendors[i]
	d := DeclaredVendor{
		ID:            v.ID,
		Name:          v.Name,
		Provider:      v.Provider,
		PrivacyPolicy: v.PrivacyPolicy,
		Description:   v.Description,
		IAB:           v.IAB,
		Categories:    slices.Clone(v.required()),
		Cookies:       []DeclaredCookie{},
		Hosts:         []string{},
	}
	if d.Name == "" {
		d.Name = v.ID
	}
	for _, c := range v.Cookies {
		if !rs.ownsCookie(i, c) || slices.ContainsFunc(d.Cookies, func(have DeclaredCookie) bool { return have.Name == c }) {
			continue
		}
		d.Cookies = append(d.Cookies, DeclaredCookie{Name: c, CookieDetail: v.CookieDetails[c]})
	}
	for _, h := range v.Hosts {
		if rs.hosts[h] == i && !slices.Contains(d.Hosts, h) {
			d.Hosts = append(d.Hosts, h)
		}
	}
	for _, u := range v.URLs {
		host, _ := normaliseHost(u[:strings.IndexByte(u, '/')])
		if slices.Contains(d.Hosts, host) {
			continue
		}
		if slices.ContainsFunc(rs.urls[host], func(r urlRule) bool { return r.vendor == i }) {
			d.Hosts = append(d.Hosts, host)
		}
	}
	return d
}

// ownsCookie reports whether pattern c (as Cookies lists it) is vendor i's
// in the compiled maps, that is no later vendor took it over.
func (rs *Ruleset) ownsCookie(i int32, c string) bool {
	if p, ok := strings.CutSuffix(c, "*"); ok {
		owner, found := rs.prefix[p]
		return found && owner == i
	}
	owner, found := rs.exact[c]
	return found && owner == i
}
