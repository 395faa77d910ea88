package rules

import (
	"bytes"
	_ "embed"
	"slices"
	"sync"
)

//go:embed catalogue/vendors.json
var catalogueJSON []byte

var builtin = sync.OnceValues(func() ([]Vendor, error) {
	return ParseJSON(bytes.NewReader(catalogueJSON), "builtin catalogue")
})

// Builtin returns the built-in catalogue of vendors (see catalogue/SOURCES.md
// for where its facts come from). The returned slice is a fresh copy.
func Builtin() ([]Vendor, error) {
	vs, err := builtin()
	if err != nil {
		return nil, err
	}
	out := make([]Vendor, len(vs))
	for i, v := range vs {
		v.Categories = slices.Clone(v.Categories)
		v.Hosts = slices.Clone(v.Hosts)
		v.URLs = slices.Clone(v.URLs)
		v.Paths = slices.Clone(v.Paths)
		v.Signatures = slices.Clone(v.Signatures)
		v.Cookies = slices.Clone(v.Cookies)
		out[i] = v
	}
	return out, nil
}
