package rules

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
)

//go:generate go run ./internal/ocdgen

//go:embed catalogue/vendors.json
var catalogueJSON []byte

// cookieDetailsJSON is generated from the Open Cookie Database (see
// internal/ocdgen and catalogue/SOURCES.md); Apache License 2.0, text in
// catalogue/LICENSE-open-cookie-database.
//
//go:embed catalogue/cookie-details.json
var cookieDetailsJSON []byte

var builtin = sync.OnceValues(func() ([]Vendor, error) {
	vs, err := ParseJSON(bytes.NewReader(catalogueJSON), "builtin catalogue")
	if err != nil {
		return nil, err
	}
	if err := addCookieDetails(vs, cookieDetailsJSON); err != nil {
		return nil, err
	}
	return vs, nil
})

// addCookieDetails fills in the vendors' CookieDetails from the generated
// file. What vendors.json says about a cookie wins field by field; its
// party, when set, comes with its domain (or lack of one).
func addCookieDetails(vs []Vendor, data []byte) error {
	var f struct {
		Vendors map[string]map[string]CookieDetail `json:"vendors"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("builtin catalogue: cookie-details.json: %w", err)
	}
	seen := make(map[string]bool, len(f.Vendors))
	for i := range vs {
		v := &vs[i]
		gen, ok := f.Vendors[v.ID]
		if !ok {
			continue
		}
		seen[v.ID] = true
		details := maps.Clone(v.CookieDetails)
		if details == nil {
			details = make(map[string]CookieDetail, len(gen))
		}
		for name, g := range gen {
			if !slices.Contains(v.Cookies, name) {
				return fmt.Errorf("builtin catalogue: cookie-details.json describes %s cookie %q, which vendors.json does not list: run go generate ./rules/", v.ID, name)
			}
			details[name] = mergeCookieDetail(details[name], g)
		}
		v.CookieDetails = details
	}
	for id := range f.Vendors {
		if !seen[id] {
			return fmt.Errorf("builtin catalogue: cookie-details.json describes vendor %q, which vendors.json does not have: run go generate ./rules/", id)
		}
	}
	return nil
}

// mergeCookieDetail fills the empty fields of hand with those of gen.
func mergeCookieDetail(hand, gen CookieDetail) CookieDetail {
	if hand.Purpose == "" {
		hand.Purpose = gen.Purpose
	}
	if hand.Lifetime == "" {
		hand.Lifetime = gen.Lifetime
	}
	if hand.Party == "" {
		hand.Party, hand.Domain = gen.Party, gen.Domain
	}
	return hand
}

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
		v.CookieDetails = maps.Clone(v.CookieDetails)
		out[i] = v
	}
	return out, nil
}
