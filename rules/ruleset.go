package rules

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/consentgate/consentgate/internal/ascii"
)

// Options configures Compile.
type Options struct {
	// Categories lists every category, in the order a banner presents them.
	// It must contain Necessary. Default: DefaultCategories().
	Categories []Category
	// CookieCacheSize bounds the cache of cookie names that needed a prefix
	// search. Default: 4096.
	CookieCacheSize int
}

// Ruleset is a compiled, immutable set of vendors. It is safe for
// concurrent use.
type Ruleset struct {
	categories []Category
	necessary  CategorySet

	vendors []*Vendor
	need    []CategorySet     // per vendor
	byID    map[string]int32  // vendor id → the last vendor with it
	byIAB   map[int][]*Vendor // IAB vendor id → vendors, in load order
	index   map[*Vendor]int32 // vendor → its index
	codeOf  map[string]string // vendor id → its code in consent cookies ("" if it has none)
	idOf    map[string]string // code → vendor id
	uncoded []string          // ids without a code of their own

	hosts  map[string]int32     // host suffix → vendor
	urls   map[string][]urlRule // host suffix → path rules, longest first
	paths  []pathRule           // path suffixes on any host, longest first
	byLast [256][]pathRule      // paths by the last byte of their suffix
	exact  map[string]int32     // cookie name → vendor
	prefix map[string]int32     // cookie name prefix → vendor
	plens  []int                // distinct prefix lengths, longest first
	cookie *lru.Cache[string, int32]

	scripts *matcher

	joined  sync.Map // CategorySet → names joined by " " (see Join)
	njoined atomic.Int32
}

type urlRule struct {
	path   string // path prefix, lower case
	query  []string
	vendor int32
}

type pathRule struct {
	suffix string // lower case
	vendor int32
}

// Match is the vendor a URL, cookie or script belongs to.
type Match struct {
	// Vendor is the matched vendor.
	Vendor *Vendor
	// Need holds the categories that must all be granted.
	Need CategorySet
}

// Compile builds a Ruleset. When two vendors claim the same host, URL,
// path or cookie pattern, the later one wins, so operator rules appended
// after the built-in catalogue override it; a Weak vendor (from a
// third-party list) only adds what no one has claimed.
func Compile(vendors []Vendor, opts Options) (*Ruleset, error) {
	cats := opts.Categories
	if len(cats) == 0 {
		cats = DefaultCategories()
	}
	if len(cats) > MaxCategories {
		return nil, fmt.Errorf("compiling rules: %d categories, at most %d are supported", len(cats), MaxCategories)
	}
	rs := &Ruleset{
		hosts:  make(map[string]int32),
		urls:   make(map[string][]urlRule),
		exact:  make(map[string]int32),
		prefix: make(map[string]int32),
		byID:   make(map[string]int32),
		byIAB:  make(map[int][]*Vendor),
		index:  make(map[*Vendor]int32),
	}
	seen := make(map[Category]bool)
	for _, c := range cats {
		if _, err := ParseCategory(string(c)); err != nil {
			return nil, fmt.Errorf("compiling rules: %w", err)
		}
		if seen[c] {
			return nil, fmt.Errorf("compiling rules: category %q listed twice", c)
		}
		seen[c] = true
		rs.categories = append(rs.categories, c)
	}
	nb, ok := rs.Bit(Necessary)
	if !ok {
		return nil, errors.New("compiling rules: the categories must include \"necessary\"")
	}
	rs.necessary = nb

	size := opts.CookieCacheSize
	if size <= 0 {
		size = 4096
	}
	cache, err := lru.New[string, int32](size)
	if err != nil {
		return nil, fmt.Errorf("compiling rules: %w", err)
	}
	rs.cookie = cache

	var patterns []pattern
	lens := make(map[int]bool)
	for i := range vendors {
		v := vendors[i] // copy: the Ruleset owns its vendors
		if err := v.validate(); err != nil {
			return nil, fmt.Errorf("compiling rules from %s: %w", sourceName(&v), err)
		}
		need, err := rs.Set(v.required()...)
		if err != nil {
			return nil, fmt.Errorf("compiling rules from %s: vendor %s: %w", sourceName(&v), v.ID, err)
		}
		idx := int32(len(rs.vendors))
		rs.vendors = append(rs.vendors, &v)
		rs.need = append(rs.need, need)
		rs.byID[v.ID] = idx
		rs.index[&v] = idx
		if v.IAB > 0 {
			rs.byIAB[v.IAB] = append(rs.byIAB[v.IAB], &v)
		}
		tracking := need&^nb != 0

		for _, h := range v.Hosts {
			if _, claimed := rs.hosts[h]; claimed && v.Weak {
				continue
			}
			rs.hosts[h] = idx
			if tracking && len(h) >= 6 {
				patterns = append(patterns, pattern{text: h, vendor: idx, url: true})
			}
		}
		for _, u := range v.URLs {
			slash := strings.IndexByte(u, '/')
			host, _ := normaliseHost(u[:slash])
			rule := urlRule{path: strings.ToLower(u[slash:]), vendor: idx}
			if q := strings.IndexByte(rule.path, '?'); q >= 0 {
				rule.query = strings.Split(rule.path[q+1:], "&")
				rule.path = rule.path[:q]
			}
			list := rs.urls[host]
			replaced := false
			for j := range list {
				if list[j].path == rule.path && strings.Join(list[j].query, "&") == strings.Join(rule.query, "&") {
					if !v.Weak {
						list[j] = rule
					}
					replaced = true
				}
			}
			if !replaced {
				list = append(list, rule)
			}
			rs.urls[host] = list
			if tracking {
				patterns = append(patterns, pattern{text: host + u[slash:], vendor: idx, url: true})
			}
		}
		for _, p := range v.Paths {
			rule := pathRule{suffix: strings.ToLower(p), vendor: idx}
			if j := slices.IndexFunc(rs.paths, func(r pathRule) bool { return r.suffix == rule.suffix }); j >= 0 {
				if !v.Weak {
					rs.paths[j] = rule // a later vendor wins
				}
				continue
			}
			rs.paths = append(rs.paths, rule)
		}
		if tracking {
			for _, s := range v.Signatures {
				patterns = append(patterns, pattern{text: s, vendor: idx})
			}
		}
		for _, c := range v.Cookies {
			if strings.HasSuffix(c, "*") {
				p := strings.TrimSuffix(c, "*")
				if _, claimed := rs.prefix[p]; claimed && v.Weak {
					continue
				}
				rs.prefix[p] = idx
				lens[len(p)] = true
			} else {
				if _, claimed := rs.exact[c]; claimed && v.Weak {
					continue
				}
				rs.exact[c] = idx
			}
		}
	}
	for _, list := range rs.urls {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i].path) > len(list[j].path) })
	}
	sort.SliceStable(rs.paths, func(i, j int) bool { return len(rs.paths[i].suffix) > len(rs.paths[j].suffix) })
	for _, r := range rs.paths {
		last := r.suffix[len(r.suffix)-1]
		rs.byLast[last] = append(rs.byLast[last], r)
		if 'a' <= last && last <= 'z' {
			rs.byLast[last-'a'+'A'] = append(rs.byLast[last-'a'+'A'], r)
		}
	}
	for l := range lens {
		rs.plens = append(rs.plens, l)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(rs.plens)))
	rs.scripts = newMatcher(patterns)
	rs.compileVendorCodes()
	return rs, nil
}

func sourceName(v *Vendor) string {
	if v.Source == "" {
		return "inline rules"
	}
	return v.Source
}

// Vendors returns the compiled vendors, in load order (later ones override
// earlier ones).
func (rs *Ruleset) Vendors() []*Vendor { return rs.vendors }

// Need returns the categories vendor v requires; v must be one of
// Vendors(), else Need returns the empty set.
func (rs *Ruleset) Need(v *Vendor) CategorySet {
	if i, ok := rs.index[v]; ok {
		return rs.need[i]
	}
	return 0
}

// VendorByID returns the compiled vendor with the given id. When several
// vendors share an id (operator rules that redefine a catalogue vendor),
// it is the one loaded last, which wins their shared hosts and cookies.
func (rs *Ruleset) VendorByID(id string) (*Vendor, bool) {
	i, ok := rs.byID[id]
	if !ok {
		return nil, false
	}
	return rs.vendors[i], true
}

// VendorsByIAB returns the compiled vendors whose IAB Global Vendor List
// id is iab, in load order; several catalogue vendors can be one TCF
// vendor (Google's advertising products are 755). The slice is shared:
// callers must not modify it.
func (rs *Ruleset) VendorsByIAB(iab int) []*Vendor {
	return rs.byIAB[iab]
}

// IABVendors returns every IAB vendor id the Ruleset's vendors carry,
// mapped to the ids of those vendors, for reading TCF consent strings
// vendor by vendor. The map is fresh.
func (rs *Ruleset) IABVendors() map[int][]string {
	out := make(map[int][]string, len(rs.byIAB))
	for iab, vs := range rs.byIAB {
		for _, v := range vs {
			if !slices.Contains(out[iab], v.ID) {
				out[iab] = append(out[iab], v.ID)
			}
		}
	}
	return out
}

// MatchURL finds the vendor serving a URL. host must be the browser's
// canonical host: lower-case ASCII (IDNA applied), without port or trailing
// dot. pathQuery is the path followed by the query, as sent. A URL rule
// beats a host rule, which beats a path rule; among rules of a kind the
// longest wins.
func (rs *Ruleset) MatchURL(host, pathQuery string) (Match, bool) {
	return matchURL(rs, host, pathQuery)
}

// MatchURLBytes is MatchURL for byte slices; it does not allocate.
func (rs *Ruleset) MatchURLBytes(host, pathQuery []byte) (Match, bool) {
	return matchURL(rs, host, pathQuery)
}

func matchURL[T string | []byte](rs *Ruleset, host, pathQuery T) (Match, bool) {
	path, query := pathQuery, pathQuery[len(pathQuery):]
	if q := indexByte(pathQuery, '?'); q >= 0 {
		path, query = pathQuery[:q], pathQuery[q+1:]
	}
	hostIdx := int32(-1)
	urlIdx, urlLen := int32(-1), -1
	for h := host; len(h) > 0; {
		if hostIdx < 0 {
			if i, ok := rs.hosts[string(h)]; ok {
				hostIdx = i
			}
		}
		if list, ok := rs.urls[string(h)]; ok {
			for _, r := range list {
				if len(r.path) <= urlLen {
					break
				}
				if ascii.HasPrefixFold(path, r.path) && queryHas(query, r.query) {
					urlIdx, urlLen = r.vendor, len(r.path)
					break
				}
			}
		}
		dot := indexByte(h, '.')
		if dot < 0 {
			break
		}
		h = h[dot+1:]
	}
	switch {
	case urlIdx >= 0:
		return rs.match(urlIdx), true
	case hostIdx >= 0:
		return rs.match(hostIdx), true
	}
	return matchPath(rs, path)
}

// matchPath finds the longest path rule whose suffix ends path.
func matchPath[T string | []byte](rs *Ruleset, path T) (Match, bool) {
	if len(path) == 0 {
		return Match{}, false
	}
	for _, r := range rs.byLast[path[len(path)-1]] {
		if len(path) >= len(r.suffix) && ascii.HasPrefixFold(path[len(path)-len(r.suffix):], r.suffix) {
			return rs.match(r.vendor), true
		}
	}
	return Match{}, false
}

// HostHasRules reports whether any host or URL rule applies to host (one
// of its suffixes is claimed). When it does not, only path rules can match
// URLs on that host: see MatchPathBytes.
func (rs *Ruleset) HostHasRules(host []byte) bool {
	for h := host; len(h) > 0; {
		if _, ok := rs.hosts[string(h)]; ok {
			return true
		}
		if _, ok := rs.urls[string(h)]; ok {
			return true
		}
		dot := indexByte(h, '.')
		if dot < 0 {
			return false
		}
		h = h[dot+1:]
	}
	return false
}

// MatchPathBytes matches only the path rules (those that apply on any
// host); MatchURLBytes is it for a host without host or URL rules.
func (rs *Ruleset) MatchPathBytes(pathQuery []byte) (Match, bool) {
	path := pathQuery
	if q := indexByte(pathQuery, '?'); q >= 0 {
		path = pathQuery[:q]
	}
	return matchPath(rs, path)
}

func indexByte[T string | []byte](s T, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func (rs *Ruleset) match(i int32) Match {
	return Match{Vendor: rs.vendors[i], Need: rs.need[i]}
}

// queryHas reports whether every "key=prefix" of want starts one of the
// parameters of query.
func queryHas[T string | []byte](query T, want []string) bool {
	for _, w := range want {
		found := false
		for q := query; len(q) > 0 && !found; {
			param := q
			if amp := indexByte(q, '&'); amp >= 0 {
				param, q = q[:amp], q[amp+1:]
			} else {
				q = q[len(q):]
			}
			found = ascii.HasPrefixFold(param, w)
		}
		if !found {
			return false
		}
	}
	return true
}

// MatchCookie finds the vendor a cookie name belongs to: an exact name
// first, then the longest prefix pattern.
func (rs *Ruleset) MatchCookie(name string) (Match, bool) {
	if i, ok := rs.exact[name]; ok {
		return rs.match(i), true
	}
	if len(rs.plens) == 0 || len(name) < rs.plens[len(rs.plens)-1] {
		return Match{}, false
	}
	i, ok := rs.cookie.Get(name)
	if !ok {
		i = rs.prefixSearch(name)
		rs.cookie.Add(name, i)
	}
	if i < 0 {
		return Match{}, false
	}
	return rs.match(i), true
}

func (rs *Ruleset) prefixSearch(name string) int32 {
	for _, l := range rs.plens {
		if l > len(name) {
			continue
		}
		if i, ok := rs.prefix[name[:l]]; ok {
			return i
		}
	}
	return -1
}

// ScriptVendors returns every vendor MatchScript would find in an inline
// script, in the order first found, each with its categories.
func (rs *Ruleset) ScriptVendors(text []byte) []Match {
	var out []Match
	for _, i := range rs.scripts.vendors(text, rs.need) {
		out = append(out, rs.match(i))
	}
	return out
}

// MatchScript reports the vendors whose signatures, hosts or URLs appear in
// an inline script. Only vendors that need a category besides necessary are
// searched. need is the union of their categories; first is the vendor
// found first in the text.
func (rs *Ruleset) MatchScript(text []byte) (need CategorySet, first *Vendor, ok bool) {
	need, idx := rs.scripts.scan(text, rs.need)
	if idx < 0 {
		return 0, nil, false
	}
	return need, rs.vendors[idx], true
}
