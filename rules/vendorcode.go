package rules

import (
	"crypto/sha256"
	"encoding/base64"
)

// VendorCodeLen is the length of a vendor code.
const VendorCodeLen = 5

// vendorCode returns the code of a vendor id: the first 30 bits of its
// SHA-256 in base64url, five characters that a cookie holds without
// quoting. The whole catalogue's vendors fit in well under a kilobyte
// this way, where their ids would not.
func vendorCode(id string) string {
	sum := sha256.Sum256([]byte(id))
	return base64.RawURLEncoding.EncodeToString(sum[:4])[:VendorCodeLen]
}

// compileVendorCodes gives every vendor id its code. Where two ids share
// one, the id loaded first keeps it and the other has none: it can only
// be granted with its categories. The built-in catalogue has no such
// pair (a test checks it).
func (rs *Ruleset) compileVendorCodes() {
	rs.codeOf = make(map[string]string, len(rs.byID))
	rs.idOf = make(map[string]string, len(rs.byID))
	for _, v := range rs.vendors {
		if _, done := rs.codeOf[v.ID]; done {
			continue
		}
		c := vendorCode(v.ID)
		if other, taken := rs.idOf[c]; taken && other != v.ID {
			rs.codeOf[v.ID] = ""
			rs.uncoded = append(rs.uncoded, v.ID)
			continue
		}
		rs.codeOf[v.ID], rs.idOf[c] = c, v.ID
	}
}

// VendorCode returns the code under which a consent cookie records a
// choice about the vendor with this id, and whether it has one.
func (rs *Ruleset) VendorCode(id string) (string, bool) {
	c := rs.codeOf[id]
	return c, c != ""
}

// VendorIDByCode returns the id of the vendor with this code.
func (rs *Ruleset) VendorIDByCode(code string) (string, bool) {
	id, ok := rs.idOf[code]
	return id, ok
}

// UncodedVendors lists the vendor ids that have no code of their own
// because an id loaded before them has the same one.
func (rs *Ruleset) UncodedVendors() []string { return rs.uncoded }
