package cmp

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Options configures mapping from managers' vocabularies to categories. Zero value = documented defaults.
//
// A category is one of the four constants or a custom name matching
// [a-z0-9_-]{1,32}.
type Options struct {
	// OneTrustGroups maps OneTrust group ids to categories. Default: C0001 necessary, C0002 analytics (performance), C0003 preferences (functional), C0004 marketing (targeting). Numeric ids "1".."4" map the same way by default.
	//
	// A non-nil map replaces the default. Ids are matched exactly. Groups not
	// in the map (vendor groups, stacks) are ignored.
	//
	// C0005 (social media) is not a category by default: OneTrust loads
	// targeting tags with C0004 whatever C0005 says, so making marketing
	// wait for both would block advertising the visitor accepted. Its
	// tools are vendors instead: see OneTrustGroupVendors.
	OneTrustGroups map[string]string

	// OneTrustGroupVendors maps OneTrust group ids to catalogue vendor ids
	// that the group turns on and off by itself: a group present in the
	// cookie grants (1) or refuses (0) its vendors, whatever their
	// categories. Default: C0005 and "5" (social media) → the catalogue's
	// social widgets and share buttons (facebook-social, instagram-embeds,
	// linkedin-widgets, pinterest-widgets, tiktok-embeds, x-widgets,
	// addthis, sharethis). A non-nil map replaces the default; an empty
	// one turns it off.
	OneTrustGroupVendors map[string][]string

	// Services maps service names (Klaro services, cookieconsent v3 services, Borlabs cookie ids, Complianz services) to categories. Consulted before ServiceCategory.
	//
	// Names are matched without regard to case. Only Klaro derives
	// categories from services, because only Klaro's cookie records refused
	// services as well as accepted ones; the other managers list accepted
	// services only, which are reported in Decision.Services while their
	// categories come from the manager's own category switches.
	Services map[string]string

	// ServiceCategory is the fallback for service names not in Services (the project passes its catalogue lookup here). Nil means unknown services grant nothing.
	//
	// It is called with the name as the cookie spells it; a category it
	// returns that is not valid is treated as unknown.
	ServiceCategory func(service string) (category string, ok bool)

	// ServiceVendors maps service names (as for Services) to catalogue
	// vendor ids, for per-vendor decisions. Consulted before
	// ServiceVendor; names are matched without regard to case.
	ServiceVendors map[string]string

	// ServiceVendor is the fallback for service names not in
	// ServiceVendors (the project passes its catalogue lookup by vendor id
	// and name here). Nil means services not in ServiceVendors give no
	// per-vendor decision. It is called with the name as the cookie spells
	// it.
	ServiceVendor func(service string) (vendorID string, ok bool)

	// IABVendors maps IAB Global Vendor List ids to catalogue vendor ids
	// (several catalogue vendors can be one TCF vendor). A TC string's
	// vendor consents decide these vendors one by one: each one without
	// its vendor consent bit is refused. Nil means TC strings give no
	// per-vendor decisions. The project passes rules.Ruleset.IABVendors().
	IABVendors map[int][]string

	// TCFPurposes maps each category to the TCF purposes that must ALL be
	// consented, together with purpose 1 ("store and/or access information
	// on a device"), for the category to be granted from an IAB TCF string.
	// Purposes are 1..24 and each list is non-empty. A non-nil map replaces
	// the default, which is:
	//
	//   analytics:   8 (measure content performance),
	//                9 (understand audiences through statistics)
	//   marketing:   2 (use limited data to select advertising),
	//                3 (create profiles for personalised advertising),
	//                4 (use profiles to select personalised advertising),
	//                7 (measure advertising performance)
	//   preferences: 5 (create profiles to personalise content),
	//                6 (use profiles to select personalised content),
	//                11 (use limited data to select content)
	//
	// Purpose 11 exists from policy version 4 (TCF 2.2) on, so strings
	// written under older policies never grant preferences by default.
	// Legitimate-interest bits are never read: storing cookies needs
	// consent.
	TCFPurposes map[string][]int

	// CacheSize bounds the decoded-decision cache (entries). Default 10000.
	CacheSize int

	// CacheTTL is how long a decoded decision stays cached. Default 10 minutes.
	CacheTTL time.Duration
}

// Defaults for Options fields left zero.
const (
	defaultCacheSize = 10000
	defaultCacheTTL  = 10 * time.Minute
	maxTCFPurpose    = 24
	maxIABVendor     = 1<<16 - 1 // a TC string's vendor ids are 16 bits
)

// defaultOneTrustGroups is the default for Options.OneTrustGroups.
var defaultOneTrustGroups = map[string]string{
	"C0001": Necessary, "C0002": Analytics, "C0003": Preferences, "C0004": Marketing,
	"1": Necessary, "2": Analytics, "3": Preferences, "4": Marketing,
}

// socialVendors are the catalogue's social widgets and share buttons, the
// tools OneTrust's social media group (C0005) stands for.
var socialVendors = []string{
	"facebook-social", "instagram-embeds", "linkedin-widgets", "pinterest-widgets",
	"tiktok-embeds", "x-widgets", "addthis", "sharethis",
}

// defaultOneTrustGroupVendors is the default for Options.OneTrustGroupVendors.
var defaultOneTrustGroupVendors = map[string][]string{"C0005": socialVendors, "5": socialVendors}

// defaultTCFPurposes is the default for Options.TCFPurposes.
var defaultTCFPurposes = map[string][]int{
	Analytics:   {8, 9},
	Marketing:   {2, 3, 4, 7},
	Preferences: {5, 6, 11},
}

// config is the validated, immutable form of Options used by the decoders.
type config struct {
	oneTrustGroups  map[string]string
	oneTrustByCat   map[string][]string // category -> its groups, sorted
	oneTrustVendors map[string][]string // group -> vendor ids
	services        map[string]string   // lower-cased names
	serviceCategory func(string) (string, bool)
	serviceVendors  map[string]string // lower-cased names
	serviceVendor   func(string) (string, bool)
	iabVendors      map[int][]string
	tcfPurposes     map[string][]int
	custom          map[string]bool // custom category names named anywhere in Options
	cacheSize       int
	cacheTTL        time.Duration
}

// newConfig validates opts and fills in defaults.
func newConfig(opts Options) (*config, error) {
	cfg := &config{
		oneTrustGroups:  defaultOneTrustGroups,
		oneTrustVendors: defaultOneTrustGroupVendors,
		serviceCategory: opts.ServiceCategory,
		serviceVendor:   opts.ServiceVendor,
		tcfPurposes:     defaultTCFPurposes,
		custom:          make(map[string]bool),
		cacheSize:       opts.CacheSize,
		cacheTTL:        opts.CacheTTL,
	}
	note := func(category string) {
		if !isBuiltinCategory(category) {
			cfg.custom[category] = true
		}
	}
	if opts.OneTrustGroups != nil {
		for id, cat := range opts.OneTrustGroups {
			if id == "" {
				return nil, fmt.Errorf("onetrust group id is empty (mapped to %s)", quote(cat))
			}
			if !validCategory(cat) {
				return nil, fmt.Errorf("onetrust group %s: invalid category %s", quote(id), quote(cat))
			}
			note(cat)
		}
		cfg.oneTrustGroups = maps.Clone(opts.OneTrustGroups)
	}
	cfg.oneTrustByCat = make(map[string][]string)
	for id, cat := range cfg.oneTrustGroups {
		cfg.oneTrustByCat[cat] = append(cfg.oneTrustByCat[cat], id)
	}
	for _, ids := range cfg.oneTrustByCat {
		slices.Sort(ids)
	}

	if opts.OneTrustGroupVendors != nil {
		cfg.oneTrustVendors = make(map[string][]string, len(opts.OneTrustGroupVendors))
		for id, vendors := range opts.OneTrustGroupVendors {
			if id == "" {
				return nil, errors.New("onetrust group id is empty (mapped to vendors)")
			}
			for _, v := range vendors {
				if v == "" {
					return nil, fmt.Errorf("onetrust group %s: empty vendor id", quote(id))
				}
			}
			cfg.oneTrustVendors[id] = slices.Clone(vendors)
		}
	}

	cfg.serviceVendors = make(map[string]string, len(opts.ServiceVendors))
	for name, vendor := range opts.ServiceVendors {
		if name == "" || vendor == "" {
			return nil, fmt.Errorf("service vendor map: empty service name or vendor id (%s → %s)", quote(name), quote(vendor))
		}
		lower := strings.ToLower(name)
		if prev, dup := cfg.serviceVendors[lower]; dup && prev != vendor {
			return nil, fmt.Errorf("service %s mapped to vendors %s and %s", quote(name), quote(prev), quote(vendor))
		}
		cfg.serviceVendors[lower] = vendor
	}

	if opts.IABVendors != nil {
		cfg.iabVendors = make(map[int][]string, len(opts.IABVendors))
		for iab, vendors := range opts.IABVendors {
			if iab < 1 || iab > maxIABVendor {
				return nil, fmt.Errorf("iab vendor id %d outside 1..%d", iab, maxIABVendor)
			}
			for _, v := range vendors {
				if v == "" {
					return nil, fmt.Errorf("iab vendor %d: empty vendor id", iab)
				}
			}
			cfg.iabVendors[iab] = slices.Clone(vendors)
		}
	}

	cfg.services = make(map[string]string, len(opts.Services))
	for name, cat := range opts.Services {
		if name == "" {
			return nil, fmt.Errorf("service name is empty (mapped to %s)", quote(cat))
		}
		if !validCategory(cat) {
			return nil, fmt.Errorf("service %s: invalid category %s", quote(name), quote(cat))
		}
		lower := strings.ToLower(name)
		if prev, dup := cfg.services[lower]; dup && prev != cat {
			return nil, fmt.Errorf("service %s mapped to both %s and %s", quote(name), quote(prev), quote(cat))
		}
		cfg.services[lower] = cat
		note(cat)
	}

	if opts.TCFPurposes != nil {
		cfg.tcfPurposes = make(map[string][]int, len(opts.TCFPurposes))
		for cat, purposes := range opts.TCFPurposes {
			if !validCategory(cat) {
				return nil, fmt.Errorf("tcf purposes: invalid category %s", quote(cat))
			}
			if len(purposes) == 0 {
				return nil, fmt.Errorf("tcf purposes for %s: empty list", quote(cat))
			}
			for _, p := range purposes {
				if p < 1 || p > maxTCFPurpose {
					return nil, fmt.Errorf("tcf purposes for %s: purpose %d outside 1..%d", quote(cat), p, maxTCFPurpose)
				}
			}
			cfg.tcfPurposes[cat] = slices.Clone(purposes)
			note(cat)
		}
	}

	switch {
	case cfg.cacheSize < 0:
		return nil, fmt.Errorf("cache size %d is negative", cfg.cacheSize)
	case cfg.cacheSize == 0:
		cfg.cacheSize = defaultCacheSize
	}
	switch {
	case cfg.cacheTTL < 0:
		return nil, fmt.Errorf("cache ttl %s is negative", cfg.cacheTTL)
	case cfg.cacheTTL == 0:
		cfg.cacheTTL = defaultCacheTTL
	}
	return cfg, nil
}

// validCategory reports whether name is one of the four constants or a
// custom category name: 1 to 32 of [a-z0-9_-].
func validCategory(name string) bool {
	if len(name) == 0 || len(name) > 32 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// isBuiltinCategory reports whether name is one of the four constants.
func isBuiltinCategory(name string) bool {
	switch name {
	case Necessary, Preferences, Analytics, Marketing:
		return true
	}
	return false
}

// serviceCategoryOf maps a service name to a category through Services and
// then ServiceCategory.
func (cfg *config) serviceCategoryOf(service string) (string, bool) {
	if cat, ok := cfg.services[strings.ToLower(service)]; ok {
		return cat, true
	}
	if cfg.serviceCategory == nil {
		return "", false
	}
	cat, ok := cfg.serviceCategory(service)
	if !ok || !validCategory(cat) {
		return "", false
	}
	return cat, true
}

// serviceVendorOf maps a service name to a catalogue vendor id through
// ServiceVendors and then ServiceVendor.
func (cfg *config) serviceVendorOf(service string) (string, bool) {
	if v, ok := cfg.serviceVendors[strings.ToLower(service)]; ok {
		return v, true
	}
	if cfg.serviceVendor == nil {
		return "", false
	}
	v, ok := cfg.serviceVendor(service)
	return v, ok && v != ""
}
