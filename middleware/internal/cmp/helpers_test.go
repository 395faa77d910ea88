package cmp

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/rules"
)

// readCase is one table row for Reader.Read.
type readCase struct {
	name    string
	cookies []Cookie
	want    Decision
	wantOK  bool
	wantErr string // substring of the error; "" means no error
}

// runReadCases runs each case against r.
func runReadCases(t *testing.T, r *Reader, cases []readCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, ok, err := r.Read(tc.cookies)
			checkResult(t, d, ok, err, tc.want, tc.wantOK, tc.wantErr)
		})
	}
}

// checkResult compares one Read result with what was wanted.
func checkResult(t *testing.T, d Decision, ok bool, err error, want Decision, wantOK bool, wantErr string) {
	t.Helper()
	switch {
	case wantErr == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case wantErr != "" && err == nil:
		t.Fatalf("no error, want one containing %q (got ok=%v %+v)", wantErr, ok, d)
	case wantErr != "" && !strings.Contains(err.Error(), wantErr):
		t.Fatalf("error %q does not contain %q", err, wantErr)
	}
	if err != nil {
		checkErrorMessage(t, err)
		if ok || !isEmpty(d) {
			t.Fatalf("error %v came with ok=%v %+v", err, ok, d)
		}
		return
	}
	if ok != wantOK {
		t.Fatalf("ok = %v, want %v (decision %+v)", ok, wantOK, d)
	}
	checkDecision(t, d, want)
}

// checkDecision compares two decisions field by field.
func checkDecision(t *testing.T, got, want Decision) {
	t.Helper()
	if got.CMP != want.CMP {
		t.Errorf("CMP = %q, want %q", got.CMP, want.CMP)
	}
	if !slices.Equal(got.Granted, want.Granted) {
		t.Errorf("Granted = %q, want %q", got.Granted, want.Granted)
	}
	if !slices.Equal(got.Services, want.Services) {
		t.Errorf("Services = %q, want %q", got.Services, want.Services)
	}
	if !maps.Equal(got.Vendors, want.Vendors) || (got.Vendors == nil) != (want.Vendors == nil) {
		t.Errorf("Vendors = %v, want %v", got.Vendors, want.Vendors)
	}
	if got.ID != want.ID {
		t.Errorf("ID = %q, want %q", got.ID, want.ID)
	}
	if !got.Time.Equal(want.Time) {
		t.Errorf("Time = %v, want %v", got.Time, want.Time)
	}
}

// checkErrorMessage checks the shape every error must have: lower case,
// bounded, printable.
func checkErrorMessage(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if msg == "" || msg[0] < 'a' || msg[0] > 'z' {
		t.Errorf("error %q does not start with a lower-case letter", msg)
	}
	if len(msg) > 600 {
		t.Errorf("error is %d bytes long: %.100q…", len(msg), msg)
	}
	for _, r := range msg {
		if r < 0x20 || r == 0x7f {
			t.Errorf("error contains control character %q: %q", r, msg)
			break
		}
	}
}

// isEmpty reports whether d is the zero Decision.
func isEmpty(d Decision) bool {
	return d.CMP == "" && d.Granted == nil && d.Services == nil && d.Vendors == nil && d.ID == "" && d.Time.IsZero()
}

// mustNew returns a Reader or fails the test.
func mustNew(t testing.TB, names []string, opts Options) *Reader {
	t.Helper()
	r, err := New(names, opts)
	if err != nil {
		t.Fatalf("New(%q): %v", names, err)
	}
	return r
}

// encodeURIComponent escapes s as JavaScript's encodeURIComponent does.
func encodeURIComponent(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// cookiebotValue writes a Cookiebot object literal the way its script puts
// it in the cookie: quotes and commas percent-encoded, the rest as is.
func cookiebotValue(literal string) string {
	return strings.NewReplacer("'", "%27", ",", "%2C").Replace(literal)
}

// tcfString describes a TC string for encodeTCF.
type tcfString struct {
	version, policy        int
	created, updated       time.Time
	cmpID, cmpVersion      int
	purposes, li           []int
	p1Treatment            bool
	maxVendor              int
	vendors                []int // consented vendor ids, as a bit field
	rangeVendors           [][2]int
	pubRestrictions        int
	restrictions           []tcfRestriction
	cutBits                int    // bits to drop from the end, to truncate
	extraSegments          string // appended as is, e.g. ".YAAAAAAAAAAA"
	standardBase64         bool   // pad with '=' as standard base64 does
	useRangeVendorEncoding bool
}

// encodeTCF writes s as a CMP would: bits padded to whole bytes, base64url.
func encodeTCF(s tcfString) string {
	var w bitWriter
	w.put(uint64(s.version), 6)
	w.put(uint64(s.created.UnixMilli()/100), 36)
	w.put(uint64(s.updated.UnixMilli()/100), 36)
	w.put(uint64(s.cmpID), 12)
	w.put(uint64(s.cmpVersion), 12)
	w.put(1, 6)                       // ConsentScreen
	w.put(('E'-'A')<<6|('N'-'A'), 12) // ConsentLanguage "EN"
	w.put(150, 12)                    // VendorListVersion
	w.put(uint64(s.policy), 6)
	w.put(1, 1) // IsServiceSpecific
	w.put(0, 1) // UseNonStandardTexts
	w.put(0, 12)
	w.flags(s.purposes, 24)
	w.flags(s.li, 24)
	w.put(boolBit(s.p1Treatment), 1)
	w.put(('D'-'A')<<6|('E'-'A'), 12) // PublisherCC "DE"
	// Vendor consents.
	w.put(uint64(s.maxVendor), 16)
	if s.useRangeVendorEncoding {
		w.put(1, 1)
		w.ranges(s.rangeVendors)
	} else {
		w.put(0, 1)
		w.flags(s.vendors, s.maxVendor)
	}
	// Vendor legitimate interests: none.
	w.put(0, 16)
	w.put(0, 1)
	// Publisher restrictions: pubRestrictions of purpose 2, type 1, one
	// vendor each, then restrictions.
	w.put(uint64(s.pubRestrictions+len(s.restrictions)), 12)
	for range s.pubRestrictions {
		w.put(2, 6)
		w.put(1, 2)
		w.put(1, 12)
		w.put(0, 1)
		w.put(8, 16)
	}
	for _, pr := range s.restrictions {
		w.put(uint64(pr.purpose), 6)
		w.put(uint64(pr.kind), 2)
		w.ranges(pr.ranges)
	}
	bits := w.bits[:len(w.bits)-s.cutBits]
	for len(bits)%8 != 0 {
		bits = append(bits, 0)
	}
	bytes := make([]byte, len(bits)/8)
	for i, b := range bits {
		bytes[i/8] |= b << (7 - i%8)
	}
	enc := base64.RawURLEncoding
	if s.standardBase64 {
		enc = base64.URLEncoding
	}
	return enc.EncodeToString(bytes) + s.extraSegments
}

// tcfRestriction is one publisher restriction for encodeTCF.
type tcfRestriction struct {
	purpose, kind int
	ranges        [][2]int
}

// bitWriter collects bits, one per byte.
type bitWriter struct{ bits []byte }

// ranges writes a TCF range list: NumEntries, then single ids and ranges.
func (w *bitWriter) ranges(rs [][2]int) {
	w.put(uint64(len(rs)), 12)
	for _, rg := range rs {
		if rg[0] == rg[1] {
			w.put(0, 1)
			w.put(uint64(rg[0]), 16)
		} else {
			w.put(1, 1)
			w.put(uint64(rg[0]), 16)
			w.put(uint64(rg[1]), 16)
		}
	}
}

func (w *bitWriter) put(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		w.bits = append(w.bits, byte(v>>i&1))
	}
}

// flags writes n bits, bit k (1-based) set when k is in set.
func (w *bitWriter) flags(set []int, n int) {
	for k := 1; k <= n; k++ {
		w.put(boolBit(slices.Contains(set, k)), 1)
	}
}

func boolBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// goodTCF is a TCF 2.2 string description with everything consented.
func goodTCF() tcfString {
	return tcfString{
		version: 2, policy: 4,
		created: time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC),
		updated: time.Date(2024, 11, 26, 9, 30, 0, 0, time.UTC),
		cmpID:   134, cmpVersion: 1,
		purposes:  []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
		li:        []int{2, 7, 8, 9, 10},
		maxVendor: 755, vendors: []int{1, 8, 755},
	}
}

// socialSet is the default OneTrust C0005 vendors, all granted or refused.
func socialSet(granted bool) VendorSet {
	s := make(VendorSet)
	for _, id := range socialVendors {
		s[id] = granted
	}
	return s
}

// TestSocialVendorsAreCatalogued: the vendors OneTrust's social media
// group stands for by default are catalogue ids; one renamed there would
// silently leave that group deciding nothing.
func TestSocialVendorsAreCatalogued(t *testing.T) {
	vendors, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, v := range vendors {
		known[v.ID] = true
	}
	for _, id := range socialVendors {
		if !known[id] {
			t.Errorf("OneTrust's C0005 default names %q, which the catalogue does not have", id)
		}
	}
}
