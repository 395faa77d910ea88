package rules

import (
	"fmt"
	"iter"
	"math/bits"
	"strings"
)

// Category is a purpose visitors grant or refuse consent for, such as
// "analytics". Names are lower case: [a-z][a-z0-9_-]{0,31}.
type Category string

// The built-in categories. Necessary is always granted; the others need
// consent. Operators may add their own categories.
const (
	Necessary   Category = "necessary"
	Preferences Category = "preferences"
	Analytics   Category = "analytics"
	Marketing   Category = "marketing"
)

// DefaultCategories lists the built-in categories in the order a banner
// presents them.
func DefaultCategories() []Category {
	return []Category{Necessary, Preferences, Analytics, Marketing}
}

// MaxCategories is the largest number of categories a Ruleset supports,
// necessary included.
const MaxCategories = 64

// ParseCategory validates a category name.
func ParseCategory(s string) (Category, error) {
	if s == "" {
		return "", fmt.Errorf("empty category name")
	}
	if len(s) > 32 {
		return "", fmt.Errorf("category name %q is longer than 32 bytes", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z':
		case i > 0 && ('0' <= c && c <= '9' || c == '_' || c == '-'):
		default:
			return "", fmt.Errorf("category name %q: want lower-case letters, digits, '_' or '-', starting with a letter", s)
		}
	}
	return Category(s), nil
}

// CategorySet is a set of categories, as bits indexed by a Ruleset's
// category order. The zero value is the empty set.
type CategorySet uint64

// Has reports whether every category of sub is in s.
func (s CategorySet) Has(sub CategorySet) bool { return s&sub == sub }

// Missing returns the categories of want that are not in s.
func (s CategorySet) Missing(want CategorySet) CategorySet { return want &^ s }

// Names returns the names of the categories in s, in the Ruleset's order.
func (rs *Ruleset) Names(s CategorySet) []Category {
	var out []Category
	for c := range rs.Each(s) {
		out = append(out, c)
	}
	return out
}

// Each yields the categories in s, in the Ruleset's order.
func (rs *Ruleset) Each(s CategorySet) iter.Seq[Category] {
	return func(yield func(Category) bool) {
		for s != 0 {
			i := bits.TrailingZeros64(uint64(s))
			s &^= 1 << uint(i)
			if i >= len(rs.categories) || !yield(rs.categories[i]) {
				return
			}
		}
	}
}

// Join returns the names of the categories in s separated by sep. Sets
// joined by a space are remembered, so the usual calls do not allocate.
func (rs *Ruleset) Join(s CategorySet, sep string) string {
	s &= rs.All()
	if s&(s-1) == 0 { // zero or one category
		if s == 0 {
			return ""
		}
		return string(rs.categories[bits.TrailingZeros64(uint64(s))])
	}
	if sep == " " {
		if v, ok := rs.joined.Load(s); ok {
			return v.(string)
		}
	}
	var b strings.Builder
	for c := range rs.Each(s) {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(string(c))
	}
	out := b.String()
	if sep == " " && rs.njoined.Add(1) <= maxJoined {
		rs.joined.Store(s, out)
	}
	return out
}

// maxJoined bounds the remembered joins: pages meet a handful of sets.
const maxJoined = 1024

// Categories returns the Ruleset's categories in order; necessary is first.
func (rs *Ruleset) Categories() []Category {
	return append([]Category(nil), rs.categories...)
}

// Bit returns the set holding only c, and false if c is unknown.
func (rs *Ruleset) Bit(c Category) (CategorySet, bool) {
	for i, have := range rs.categories {
		if have == c {
			return 1 << uint(i), true
		}
	}
	return 0, false
}

// Set returns the set of the named categories, and an error naming the
// first unknown one.
func (rs *Ruleset) Set(names ...Category) (CategorySet, error) {
	var s CategorySet
	for _, n := range names {
		b, ok := rs.Bit(n)
		if !ok {
			return 0, fmt.Errorf("unknown category %q", n)
		}
		s |= b
	}
	return s, nil
}

// All returns the set of every category.
func (rs *Ruleset) All() CategorySet {
	if len(rs.categories) == 64 {
		return ^CategorySet(0)
	}
	return CategorySet(1)<<uint(len(rs.categories)) - 1
}

// Optional returns the set of every category except necessary.
func (rs *Ruleset) Optional() CategorySet { return rs.All() &^ rs.necessary }

// NecessarySet returns the set holding only the necessary category.
func (rs *Ruleset) NecessarySet() CategorySet { return rs.necessary }
