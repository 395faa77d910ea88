package rules

import (
	"slices"
	"strings"
)

// Tables is a read-only copy of a Ruleset's matching tables, enough to
// judge URLs and cookie names elsewhere (in a browser, say) exactly as
// MatchURL and MatchCookie do. Vendor fields index Vendors.
//
// URL matching: walk the host and each of its parent domains
// ("a.b.example.com", "b.example.com", "example.com", "com"); the first
// (most specific) suffix found in Hosts gives the host rule, and among
// the URLRules of every suffix the longest path that prefixes the path
// (ASCII case-insensitively) and whose query conditions all hold gives
// the URL rule. A URL rule beats a host rule, which beats the longest
// PathRule whose suffix ends the path. Cookie matching: Exact first,
// then the longest Prefix.
type Tables struct {
	// Categories in order; bit i of a CategorySet is Categories[i].
	Categories []Category
	// Necessary is the set of the necessary category.
	Necessary CategorySet
	// Vendors in load order.
	Vendors []VendorNeed
	// Hosts are host suffix rules, sorted by suffix.
	Hosts []HostRule
	// URLs are host suffix + path prefix rules, sorted by host and, for
	// each host, longest path first (the order MatchURL tries them in).
	URLs []URLRule
	// Paths are path suffix rules on any host, longest first.
	Paths []PathRule
	// CookieExact are exact cookie names, sorted.
	CookieExact []CookieRule
	// CookiePrefix are cookie name prefixes, sorted.
	CookiePrefix []CookieRule
}

// VendorNeed is a vendor's id and the categories it needs.
type VendorNeed struct {
	ID   string
	Need CategorySet
}

// HostRule claims a host and its subdomains for a vendor.
type HostRule struct {
	Suffix string // lower case
	Vendor int
}

// URLRule claims the paths starting with Path on a host suffix, when the
// query has every "key=prefix" of Query as the start of one of its
// parameters (ASCII case-insensitively).
type URLRule struct {
	Host  string // lower case
	Path  string // lower case
	Query []string
	// Vendor is the vendor index.
	Vendor int
}

// PathRule claims paths ending in Suffix (ASCII case-insensitively) on
// any host.
type PathRule struct {
	Suffix string // lower case
	Vendor int
}

// CookieRule is an exact cookie name or a name prefix.
type CookieRule struct {
	Name   string
	Vendor int
}

// Tables returns a copy of the Ruleset's tables. It allocates; call it
// once per consumer, not per request.
func (rs *Ruleset) Tables() Tables {
	t := Tables{
		Categories: slices.Clone(rs.categories),
		Necessary:  rs.necessary,
		Vendors:    make([]VendorNeed, len(rs.vendors)),
	}
	for i, v := range rs.vendors {
		t.Vendors[i] = VendorNeed{ID: v.ID, Need: rs.need[i]}
	}
	for h, v := range rs.hosts {
		t.Hosts = append(t.Hosts, HostRule{Suffix: h, Vendor: int(v)})
	}
	slices.SortFunc(t.Hosts, func(a, b HostRule) int { return strings.Compare(a.Suffix, b.Suffix) })
	hosts := make([]string, 0, len(rs.urls))
	for h := range rs.urls {
		hosts = append(hosts, h)
	}
	slices.Sort(hosts)
	for _, h := range hosts {
		for _, r := range rs.urls[h] {
			t.URLs = append(t.URLs, URLRule{Host: h, Path: r.path, Query: slices.Clone(r.query), Vendor: int(r.vendor)})
		}
	}
	for _, r := range rs.paths {
		t.Paths = append(t.Paths, PathRule{Suffix: r.suffix, Vendor: int(r.vendor)})
	}
	t.CookieExact = cookieRules(rs.exact)
	t.CookiePrefix = cookieRules(rs.prefix)
	return t
}

func cookieRules(m map[string]int32) []CookieRule {
	out := make([]CookieRule, 0, len(m))
	for n, v := range m {
		out = append(out, CookieRule{Name: n, Vendor: int(v)})
	}
	slices.SortFunc(out, func(a, b CookieRule) int { return strings.Compare(a.Name, b.Name) })
	return out
}
