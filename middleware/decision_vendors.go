package middleware

import (
	"slices"
	"sort"
	"strings"

	"github.com/consentgate/consentgate/rules"
)

// vendorChoice is a visitor's choice about one vendor, against or beyond
// what its categories say: YouTube granted while marketing is refused,
// the Meta pixel refused while marketing is granted.
type vendorChoice struct {
	id      string
	granted bool
}

// vendorChoices are a decision's choices about vendors, sorted by id, at
// most one per vendor. A nil value (most visitors) has none.
type vendorChoices []vendorChoice

// get returns the choice about vendor id, if there is one.
func (vc vendorChoices) get(id string) (granted, ok bool) {
	i, found := slices.BinarySearchFunc(vc, id, func(c vendorChoice, id string) int { return strings.Compare(c.id, id) })
	if !found {
		return false, false
	}
	return vc[i].granted, true
}

// with returns a copy of vc with the choice about id set.
func (vc vendorChoices) with(id string, granted bool) vendorChoices {
	out := slices.Clone(vc)
	i, found := slices.BinarySearchFunc(out, id, func(c vendorChoice, id string) int { return strings.Compare(c.id, id) })
	if found {
		out[i].granted = granted
		return out
	}
	return slices.Insert(out, i, vendorChoice{id, granted})
}

// ids returns the ids of the vendors granted (or refused), sorted.
func (vc vendorChoices) ids(granted bool) []string {
	var out []string
	for _, c := range vc {
		if c.granted == granted {
			out = append(out, c.id)
		}
	}
	return out
}

// grant is what a decision allows: its categories, and its choices about
// vendors, which win over them.
type grant struct {
	cats    rules.CategorySet
	vendors vendorChoices
}

// allows reports whether what match found may load or be stored.
func (g grant) allows(match rules.Match) bool {
	if match.Vendor != nil && len(g.vendors) > 0 {
		if granted, ok := g.vendors.get(match.Vendor.ID); ok {
			return granted
		}
	}
	return g.cats.Has(match.Need)
}

// allowsVendor reports whether a vendor of the rules rs may run.
func (g grant) allowsVendor(rs *rules.Ruleset, v *rules.Vendor) bool {
	return g.allows(rules.Match{Vendor: v, Need: rs.Need(v)})
}

// normalise drops the choices that say what the categories granted say
// anyway, those about necessary vendors (always on) and those about
// vendors the rules no longer know, so that a decision holds (and its
// cookie records) only what differs.
func (m *Middleware) normalise(cats rules.CategorySet, vc vendorChoices) vendorChoices {
	cats |= m.rs.NecessarySet()
	var out vendorChoices
	for _, c := range vc {
		v, ok := m.rs.VendorByID(c.id)
		if !ok {
			continue
		}
		need := m.rs.Need(v)
		if need&^m.rs.NecessarySet() == 0 || cats.Has(need) == c.granted {
			continue
		}
		out = append(out, c)
	}
	return out
}

// choicesFrom turns a map of vendor ids to choices (a consent manager's)
// into vendorChoices.
func choicesFrom(set map[string]bool) vendorChoices {
	if len(set) == 0 {
		return nil
	}
	out := make(vendorChoices, 0, len(set))
	for id, granted := range set {
		out = append(out, vendorChoice{id, granted})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// encodeVendorCodes writes the codes of the vendors granted (or refused)
// one after another: five characters each, safe in a cookie.
func encodeVendorCodes(rs *rules.Ruleset, vc vendorChoices, granted bool) string {
	var b strings.Builder
	for _, c := range vc {
		if c.granted != granted {
			continue
		}
		if code, ok := rs.VendorCode(c.id); ok {
			b.WriteString(code)
		}
	}
	return b.String()
}

// decodeVendorCodes reads a list of vendor codes into vc. A code of a
// vendor the rules no longer have is skipped; a malformed list, or a
// vendor chosen twice, is not a decision.
func decodeVendorCodes(rs *rules.Ruleset, s string, granted bool, vc vendorChoices) (vendorChoices, bool) {
	if len(s)%rules.VendorCodeLen != 0 {
		return nil, false
	}
	vc = slices.Clip(vc) // appends copy: the caller's choices stay as they are
	for i := 0; i < len(s); i += rules.VendorCodeLen {
		code := s[i : i+rules.VendorCodeLen]
		for j := 0; j < len(code); j++ {
			if c := code[j]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return nil, false
			}
		}
		if id, ok := rs.VendorIDByCode(code); ok {
			vc = append(vc, vendorChoice{id, granted})
		}
	}
	// Sorted once, as vendorChoices are kept, and never two choices of
	// one vendor.
	slices.SortFunc(vc, func(a, b vendorChoice) int { return strings.Compare(a.id, b.id) })
	for i := 1; i < len(vc); i++ {
		if vc[i].id == vc[i-1].id {
			return nil, false
		}
	}
	return vc, true
}
