package cmp

import (
	"fmt"
	"strings"
	"time"
)

// tcfCookie is the conventional cookie for an IAB TCF v2 consent string.
const tcfCookie = "euconsent-v2"

// Bit offsets of the TCF v2 core segment fields read, from the IAB's
// "TCF v2 consent string and vendor list formats" specification.
const (
	tcfVersionBits     = 6 // at 0
	tcfLastUpdatedAt   = 42
	tcfTimeBits        = 36 // deciseconds since the Unix epoch
	tcfPolicyVersionAt = 132
	tcfPolicyBits      = 6
	tcfPurposesAt      = 152 // PurposesConsent: purpose n is bit 151+n
	tcfPurposeBits     = 24
	tcfVendorSectionAt = 213 // after PublisherCC: MaxVendorId, IsRangeEncoding, …
	tcfMinPolicy       = 2
)

// decodeTCF reads an IAB TCF v2 consent string, by convention stored in the
// euconsent-v2 cookie.
//
// The string is Core[.DisclosedVendors][.PublisherTC], each segment
// base64url (padding accepted, not required). Only the core segment is
// read. Its version must be 2 and its TcfPolicyVersion at least 2 (TCF 2.0;
// TCF 2.2 writes 4, 2.3 writes 5): lower values cannot occur in a version 2
// string and mark it as corrupt. The core segment must be complete through
// its vendor consent, vendor legitimate-interest and publisher-restriction
// sections, so a truncated string is an error.
//
// A category is granted when purpose 1 (store and/or access information on
// a device) and every purpose Options.TCFPurposes lists for the category
// have consent; legitimate interest is never enough to store cookies. With
// PurposeOneTreatment set, purpose 1 carries no consent and nothing is
// granted. The time is LastUpdated; TC strings carry no consent id.
//
// A TCF vendor may process only with its own vendor consent and the
// consent of its purposes, so a catalogue vendor needs both: each vendor
// of Options.IABVendors whose IAB id has no consent in the vendor consent
// section (bit field or ranges; an id above MaxVendorId has none), or
// whom a publisher restriction of type 0 ("not allowed") bars from purpose
// 1, is refused; the others follow their categories. Vendor consent never
// grants a vendor its categories' purposes. Ranges that are empty, start
// at vendor 0 or end past MaxVendorId make the string malformed.
func decodeTCF(cfg *config, raw string) (Decision, bool, error) {
	raw, err := rawValue(raw)
	if err != nil {
		return Decision{}, false, err
	}
	core, _, _ := strings.Cut(raw, ".")
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c != '.' && c != '=' && base64URLValue[c] < 0 {
			return Decision{}, false, fmt.Errorf("character %q at byte %d is not base64url", c, i)
		}
	}
	trimmed := strings.TrimRight(core, "=")
	if len(core)-len(trimmed) > 2 || strings.Contains(trimmed, "=") {
		return Decision{}, false, fmt.Errorf("misplaced padding in core segment %s", quote(core))
	}
	r := tcfBits{s: trimmed}

	version := r.read(tcfVersionBits)
	if r.err == nil && version != 2 {
		return Decision{}, false, fmt.Errorf("tc string version %d, want 2", version)
	}
	r.seek(tcfLastUpdatedAt)
	updated := r.read(tcfTimeBits)
	r.seek(tcfPolicyVersionAt)
	policy := r.read(tcfPolicyBits)
	if r.err == nil && policy < tcfMinPolicy {
		return Decision{}, false, fmt.Errorf("tcf policy version %d, want at least %d", policy, tcfMinPolicy)
	}
	r.seek(tcfPurposesAt)
	purposes := r.read(tcfPurposeBits)
	r.seek(tcfVendorSectionAt)
	consents := r.readVendorSection(true) // vendor consents
	r.readVendorSection(false)            // vendor legitimate interests
	barred := r.readPublisherRestrictions()
	if r.err != nil {
		return Decision{}, false, r.err
	}

	consented := func(purpose int) bool {
		return purposes>>(tcfPurposeBits-purpose)&1 == 1
	}
	var granted []string
	if consented(1) {
		for category, list := range cfg.tcfPurposes {
			all := true
			for _, p := range list {
				all = all && consented(p)
			}
			if all {
				granted = append(granted, category)
			}
		}
	}
	var t time.Time
	if updated > 0 {
		t = time.UnixMilli(int64(updated) * 100).UTC()
	}
	vendors := make(VendorSet)
	for iab, ids := range cfg.iabVendors {
		allowed := consents.has(iab) && !barred.has(iab)
		for _, id := range ids {
			vendors.grant(id, allowed)
		}
	}
	for id, allowed := range vendors {
		if allowed {
			delete(vendors, id) // vendor consent alone grants nothing
		}
	}
	return newDecision("tcf", granted, nil, vendors, "", t), true, nil
}

// base64URLValue maps a base64url character to its 6-bit value, others to -1.
var base64URLValue = func() (table [256]int8) {
	for i := range table {
		table[i] = -1
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		table[alphabet[i]] = int8(i)
	}
	return table
}()

// tcfBits reads big-endian bit fields straight from base64url text, six
// bits per character. The first failed read sets err; later reads return 0.
type tcfBits struct {
	s   string
	pos int // in bits
	err error
}

// read returns the next n (at most 64) bits.
func (r *tcfBits) read(n int) uint64 {
	if r.err != nil {
		return 0
	}
	if r.pos+n > 6*len(r.s) {
		r.err = fmt.Errorf("core segment truncated: %d bits, field at bit %d needs %d", 6*len(r.s), r.pos, n)
		return 0
	}
	var v uint64
	for range n {
		c := uint(base64URLValue[r.s[r.pos/6]])
		v = v<<1 | uint64(c>>(5-r.pos%6)&1)
		r.pos++
	}
	return v
}

// seek moves to bit pos.
func (r *tcfBits) seek(pos int) {
	if r.err == nil {
		r.pos = pos
	}
}

// skip passes n bits, checking they are there.
func (r *tcfBits) skip(n int) {
	if r.err != nil {
		return
	}
	if r.pos+n > 6*len(r.s) {
		r.err = fmt.Errorf("core segment truncated: %d bits, section at bit %d needs %d", 6*len(r.s), r.pos, n)
		return
	}
	r.pos += n
}

// vendorSet is the set of vendor ids a vendor section or a list of
// publisher restrictions names: a bit field read in place, or ranges.
type vendorSet struct {
	bits      string // the base64url text holding the bit field
	at, count int    // the bit field's first bit and length: vendor i is bit at+i-1
	ranges    [][2]int
}

// has reports whether vendor id is in the set.
func (s *vendorSet) has(id int) bool {
	if s == nil || id < 1 {
		return false
	}
	if id <= s.count {
		pos := s.at + id - 1
		return base64URLValue[s.bits[pos/6]]>>(5-pos%6)&1 == 1
	}
	for _, rg := range s.ranges {
		if rg[0] <= id && id <= rg[1] {
			return true
		}
	}
	return false
}

// readVendorSection reads a vendor consent or legitimate-interest section:
// MaxVendorId (16), IsRangeEncoding (1), then a bit field of MaxVendorId
// bits or a range list. keep false skips the section without building the
// set.
func (r *tcfBits) readVendorSection(keep bool) *vendorSet {
	maxVendor := int(r.read(16))
	if r.read(1) == 0 {
		set := &vendorSet{bits: r.s, at: r.pos, count: maxVendor}
		r.skip(maxVendor)
		if r.err != nil || !keep {
			return nil
		}
		return set
	}
	set := &vendorSet{}
	r.readRanges(maxVendor, &set.ranges, keep)
	if r.err != nil || !keep {
		return nil
	}
	return set
}

// readRanges reads NumEntries (12) entries of IsARange (1),
// StartOrOnlyVendorId (16) and, for a range, EndVendorId (16), appending
// them to dst when keep is set. maxVendor, when not negative, bounds the
// ids: a range past it, one that starts at 0 or ends before it starts is
// an error.
func (r *tcfBits) readRanges(maxVendor int, dst *[][2]int, keep bool) {
	entries := r.read(12)
	for i := uint64(0); i < entries && r.err == nil; i++ {
		isRange := r.read(1) == 1
		start := int(r.read(16))
		end := start
		if isRange {
			end = int(r.read(16))
		}
		if r.err != nil {
			return
		}
		if start < 1 || end < start || maxVendor >= 0 && end > maxVendor {
			r.err = fmt.Errorf("vendor range %d-%d outside 1..%d", start, end, max(maxVendor, 0))
			return
		}
		if keep {
			*dst = append(*dst, [2]int{start, end})
		}
	}
}

// readPublisherRestrictions reads NumPubRestrictions (12) restrictions of
// PurposeId (6), RestrictionType (2) and a range list, and returns the
// vendors barred from purpose 1 (restriction type 0, "purpose flatly not
// allowed by publisher").
func (r *tcfBits) readPublisherRestrictions() *vendorSet {
	barred := &vendorSet{}
	restrictions := r.read(12)
	for i := uint64(0); i < restrictions && r.err == nil; i++ {
		purpose := r.read(6)
		kind := r.read(2)
		r.readRanges(-1, &barred.ranges, purpose == 1 && kind == 0)
	}
	if r.err != nil {
		return nil
	}
	return barred
}
