package elements

import (
	"slices"
	"strings"
	"testing"
)

func TestTableWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range Table {
		key := e.Space.String() + ":" + e.Name
		if seen[key] {
			t.Errorf("%s listed twice", key)
		}
		seen[key] = true
		if e.Name != strings.ToLower(e.Name) {
			t.Errorf("%s: names are lower case", key)
		}
		if e.Rare && len(e.Attrs) > 2 {
			t.Errorf("%s: a rare element is looked at by at most two attribute names", key)
		}
		if len(e.Attrs) == 0 {
			t.Errorf("%s loads through no attribute", key)
		}
		for _, a := range e.Attrs {
			if a.Kind < URL || a.Kind > List {
				t.Errorf("%s %s: no kind", key, a.Name)
			}
			if a.Held != "data-consent-"+a.Name {
				t.Errorf("%s %s: held as %q", key, a.Name, a.Held)
			}
			if a.Lazy && !strings.HasPrefix(a.Name, "data-") {
				t.Errorf("%s %s: lazy-loading attributes are data-*", key, a.Name)
			}
		}
		for _, in := range e.Inert {
			if !slices.ContainsFunc(e.Attrs, func(a Attr) bool { return a.Name == in.Name }) && in.Name != "type" && in.Name != "srcdoc" {
				t.Errorf("%s: inert %s is not one of its loading attributes", key, in.Name)
			}
		}
		if got := Lookup(e.Space, e.Name); got == nil || got.Name != e.Name || got.Space != e.Space {
			t.Errorf("Lookup(%s) = %v", key, got)
		}
	}
	if Lookup(HTML, "div") != nil || Lookup(SVG, "img") != nil {
		t.Error("Lookup found an element the table does not list")
	}
}

func TestRestored(t *testing.T) {
	got := Restored()
	for _, want := range []string{"src", "srcset", "href", "imagesrcset", "ping", "poster", "data", "background",
		"data-src", "data-srcset", "data-lazy-src", "data-lazy-srcset", "data-original", "xlink:href", "style", "attributionsrc"} {
		if !slices.Contains(got, want) {
			t.Errorf("Restored() lacks %s: %v", want, got)
		}
	}
	if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
		t.Errorf("Restored() is not sorted and unique: %v", got)
	}
}
