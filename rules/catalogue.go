package rules

import (
	"bytes"
	_ "embed"
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
	return append([]Vendor(nil), vs...), nil
}
