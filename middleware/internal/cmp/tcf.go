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
	r.skipVendorSection() // vendor consents
	r.skipVendorSection() // vendor legitimate interests
	r.skipPublisherRestrictions()
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
	return newDecision("tcf", granted, nil, "", t), true, nil
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

// skipVendorSection passes a vendor consent or legitimate-interest section:
// MaxVendorId (16), IsRangeEncoding (1), then a bit field of MaxVendorId
// bits or a range list.
func (r *tcfBits) skipVendorSection() {
	maxVendor := r.read(16)
	if r.read(1) == 0 {
		r.skip(int(maxVendor))
		return
	}
	r.skipRanges()
}

// skipRanges passes NumEntries (12) entries of IsARange (1),
// StartOrOnlyVendorId (16) and, for a range, EndVendorId (16).
func (r *tcfBits) skipRanges() {
	entries := r.read(12)
	for i := uint64(0); i < entries && r.err == nil; i++ {
		if r.read(1) == 1 {
			r.skip(32)
		} else {
			r.skip(16)
		}
	}
}

// skipPublisherRestrictions passes NumPubRestrictions (12) restrictions of
// PurposeId (6), RestrictionType (2) and a range list.
func (r *tcfBits) skipPublisherRestrictions() {
	restrictions := r.read(12)
	for i := uint64(0); i < restrictions && r.err == nil; i++ {
		r.skip(8)
		r.skipRanges()
	}
}
