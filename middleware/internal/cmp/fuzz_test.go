package cmp

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"
	"testing"
)

// fuzzOptions gives the fuzzed readers a small cache (so eviction runs too)
// and a catalogue that knows a few services.
func fuzzOptions() Options {
	return Options{
		CacheSize: 16,
		Services:  map[string]string{"matomo": Analytics, "youtube": Marketing, "ga": Analytics},
		ServiceCategory: func(s string) (string, bool) {
			if len(s) > 0 && s[0] == 'm' {
				return Marketing, true
			}
			return "", false
		},
		ServiceVendors: map[string]string{"ga": "google-analytics", "youtube": "youtube"},
		ServiceVendor: func(s string) (string, bool) {
			if len(s) > 0 && s[0] == 'v' {
				return "vendor-" + s, true
			}
			return "", false
		},
		IABVendors: fuzzIABVendors,
	}
}

// fuzzIABVendors maps a spread of IAB ids, low and high, to vendors.
var fuzzIABVendors = map[int][]string{
	1: {"iab-1"}, 2: {"iab-2"}, 8: {"iab-8"}, 40: {"iab-40"}, 41: {"iab-41"}, 91: {"iab-91"},
	755: {"iab-755", "iab-755-too"}, 1126: {"iab-1126"}, 65535: {"iab-65535"},
}

// fuzzRead reads cookies twice (decoded, then cached) with a reader of one
// manager and checks the invariants every result must hold.
func fuzzRead(t *testing.T, r *Reader, cmpName string, cookies []Cookie) {
	t.Helper()
	d, ok, err := r.Read(cookies)
	checkInvariants(t, cmpName, d, ok, err)
	d2, ok2, err2 := r.Read(cookies)
	checkInvariants(t, cmpName, d2, ok2, err2)
	if ok != ok2 || (err == nil) != (err2 == nil) || !sameDecision(d, d2) {
		t.Fatalf("second (cached) read differs: %+v %v %v, then %+v %v %v", d, ok, err, d2, ok2, err2)
	}
}

// checkInvariants checks what every Read result must satisfy.
func checkInvariants(t *testing.T, cmpName string, d Decision, ok bool, err error) {
	t.Helper()
	if err != nil {
		checkErrorMessage(t, err)
		if ok || !isEmpty(d) {
			t.Fatalf("error %v came with ok=%v and %+v", err, ok, d)
		}
		return
	}
	if !ok {
		if !isEmpty(d) {
			t.Fatalf("ok=false with %+v", d)
		}
		return
	}
	if d.CMP != cmpName {
		t.Fatalf("CMP = %q, want %q", d.CMP, cmpName)
	}
	if !slices.IsSorted(d.Granted) || len(slices.Compact(slices.Clone(d.Granted))) != len(d.Granted) {
		t.Fatalf("Granted %q not sorted and unique", d.Granted)
	}
	for _, c := range d.Granted {
		if c == Necessary || !validCategory(c) {
			t.Fatalf("Granted holds %q", c)
		}
	}
	if !slices.IsSorted(d.Services) || len(slices.Compact(slices.Clone(d.Services))) != len(d.Services) {
		t.Fatalf("Services %q not sorted and unique", d.Services)
	}
	for _, s := range d.Services {
		if checkName("service", s) != nil {
			t.Fatalf("Services holds %q", s)
		}
	}
	for id := range d.Vendors {
		if id == "" {
			t.Fatal("Vendors holds an empty id")
		}
	}
	if d.Vendors != nil && len(d.Vendors) == 0 {
		t.Fatal("Vendors is empty but not nil")
	}
	if len(d.ID) > 64 {
		t.Fatalf("ID is %d bytes", len(d.ID))
	}
	for i := 0; i < len(d.ID); i++ {
		if d.ID[i] < 0x20 || d.ID[i] > 0x7e {
			t.Fatalf("ID %q holds byte %#x", d.ID, d.ID[i])
		}
	}
}

// sameDecision reports whether two decisions are equal.
func sameDecision(a, b Decision) bool {
	return a.CMP == b.CMP && slices.Equal(a.Granted, b.Granted) && slices.Equal(a.Services, b.Services) &&
		maps.Equal(a.Vendors, b.Vendors) && a.ID == b.ID && a.Time.Equal(b.Time)
}

// fuzzOne is a fuzz target for a manager with a single cookie.
func fuzzOne(f *testing.F, cmpName, cookieName string, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	r := mustNew(f, []string{cmpName}, fuzzOptions())
	f.Fuzz(func(t *testing.T, value string) {
		fuzzRead(t, r, cmpName, []Cookie{{cookieName, value}})
	})
}

func FuzzCookiebot(f *testing.F) {
	fuzzOne(f, "cookiebot", "CookieConsent",
		cookiebotValue("{stamp:'wamI9P0yW3Zx5Kk0fPcQ2w==',necessary:true,preferences:true,statistics:false,marketing:true,method:'explicit',ver:1,utc:1676879904933,region:'de'}"),
		cookiebotValue("{stamp:'-1',necessary:true,preferences:true,statistics:true,marketing:true,method:'implied',ver:1,utc:1676879904933,region:'us'}"),
		"-1",
		encodeURIComponent(`{stamp:"x",statistics:true,iab2:'CPt3fQAPt3fQACNAFAENDLCgAAAAAAAAACiQAAAOCgDAB-AIsAZ8A6QDBAHBAAAA.YAAAAAAAAAAA'}`),
	)
}

func FuzzOneTrust(f *testing.F) {
	fuzzOne(f, "onetrust", "OptanonConsent",
		oneTrustValue("C0001:1,C0002:1,C0003:0,C0004:1,C0005:0", "1"),
		oneTrustValue("1:1,2:0,3:1,4:1", "2"),
		oneTrustValue("C0001:1,C0002:1", "0"),
		"groups=C0001%3A1%2CSTACK42%3A1&datestamp=Mon+Nov+25+2024+14%3A21%3A15+GMT%2B0100+(Mitteleurop%C3%A4ische+Normalzeit)",
	)
}

func FuzzKlaro(f *testing.F) {
	fuzzOne(f, "klaro", "klaro",
		encodeURIComponent(`{"matomo":true,"youtube":false,"mapbox":true}`),
		`{"ga":true}`,
		encodeURIComponent(`{}`),
	)
}

func FuzzCookieConsent(f *testing.F) {
	fuzzOne(f, "cookieconsent", "cc_cookie",
		encodeURIComponent(`{"categories":["necessary","analytics"],"revision":0,"data":null,"consentTimestamp":"2024-11-26T09:00:00.000Z","consentId":"5c4a8d1e-2f3b-4c5d-8e9f-0a1b2c3d4e5f","services":{"analytics":["ga"]},"languageCode":"en","lastConsentTimestamp":"2024-11-26T09:00:00.000Z","expirationTime":1748250000000}`),
		`{"level":["necessary","targeting"],"revision":0,"data":null,"rfc_cookie":false,"consent_date":"2022-05-01T10:00:00.000Z","consent_uuid":"9f0e","last_consent_update":"2022-05-01T10:00:00.000Z"}`,
		encodeURIComponent(`{"categories":["necessary"],"data":{"a":[{"b":"]"}]}}`),
	)
}

func FuzzCookieYes(f *testing.F) {
	fuzzOne(f, "cookieyes", "cookieyes-consent",
		"consentid:OHNOck5kY2gzQjJ6UFlmN2dPUGFkZjVNM2hWRm9lZU4,consent:yes,action:yes,necessary:yes,functional:yes,analytics:yes,performance:no,advertisement:yes,other:no",
		"consentid:WHRL,consent:no,action:yes,necessary:yes,functional:no,analytics:no,performance:no,advertisement:no,other:no",
		encodeURIComponent("consentid:abc,consent:yes,action:,necessary:yes"),
	)
}

func FuzzComplianz(f *testing.F) {
	f.Add("allow", "deny", "allow", encodeURIComponent(`{"youtube":true,"google-maps":false}`), "91093")
	f.Add("deny", "deny", "deny", "", "")
	f.Add("", "allow", "", `{"youtube":true}`, "7")
	r := mustNew(f, []string{"complianz"}, fuzzOptions())
	f.Fuzz(func(t *testing.T, stats, mkt, prefs, services, id string) {
		var cookies []Cookie
		for _, c := range []Cookie{
			{"cmplz_statistics", stats}, {"cmplz_marketing", mkt}, {"cmplz_preferences", prefs},
			{"cmplz_consented_services", services}, {"cmplz_id", id},
		} {
			if c.Value != "" {
				cookies = append(cookies, c)
			}
		}
		fuzzRead(t, r, "complianz", cookies)
		// The packed form must decode safely whatever it holds.
		d, ok, err := decodeComplianz(r.cfg, stats+mkt+prefs+services+id)
		checkInvariants(t, "complianz", d, ok, err)
	})
}

func FuzzBorlabs(f *testing.F) {
	fuzzOne(f, "borlabs", "borlabs-cookie",
		encodeURIComponent(`{"consents":{"essential":["borlabs-cookie"],"statistics":["google-analytics"],"marketing":["facebook-pixel"],"external-media":["youtube"]},"domainPath":"example.com/","expires":"Wed, 26 Nov 2025 10:00:00 GMT","uid":"3r1ezs6q-0s3e6x9e-4t6r3n5f-9k9r0j3s","version":"1"}`),
		encodeURIComponent(`{"consents":{"essential":["borlabs-cookie"],"external-media":[]},"uid":"abc","v3":true,"version":3}`),
		`{"consents":{"statistics":["matomo"]},"uid":"u"}`,
	)
}

func FuzzTCF(f *testing.F) {
	s := goodTCF()
	s.useRangeVendorEncoding = true
	s.rangeVendors = [][2]int{{1, 1}, {8, 40}}
	s.pubRestrictions = 1
	wide := goodTCF()
	wide.maxVendor, wide.vendors = 1126, []int{1, 91, 755, 1126}
	wide.restrictions = []tcfRestriction{{purpose: 1, kind: 0, ranges: [][2]int{{40, 41}, {755, 755}}}}
	for _, seed := range []string{
		encodeTCF(goodTCF()),
		encodeTCF(s),
		encodeTCF(wide),
		// Written by IAB Tech Lab's reference encoder: ranges, then a bit field.
		"CQIY4EAQIt9LwCGABAENAtEgAPOAAAAAAAYgIzQAwAtgLzAjMAAAAAAA",
		"CQIY4EAQIt9LwCGABAENAtEgAPIAAAAAAAYgF5qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAAAA",
		"CPt3fQAPt3fQACNAFAENDLCgAAAAAAAAACiQAAAOCgDAB-AIsAZ8A6QDBAHBAAAA.YAAAAAAAAAAA",
	} {
		f.Add(seed)
	}
	r := mustNew(f, []string{"tcf"}, fuzzOptions())
	f.Fuzz(func(t *testing.T, value string) {
		fuzzRead(t, r, "tcf", []Cookie{{"euconsent-v2", value}})
		// Cross-check granted categories against a decoder built on
		// encoding/base64 and byte arithmetic.
		d, ok, _ := r.Read([]Cookie{{"euconsent-v2", value}})
		if !ok {
			return
		}
		core, _, _ := strings.Cut(value, ".")
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(core, "="))
		if err != nil {
			return // a length base64 cannot have; the bit reader reads it anyway
		}
		if len(b) < 22 {
			t.Fatalf("decoded a %d-byte core segment", len(b))
		}
		bit := func(i int) bool { return b[i/8]>>(7-i%8)&1 == 1 }
		purpose := func(n int) bool { return bit(151 + n) }
		var want []string
		for _, cat := range []string{Analytics, Marketing, Preferences} {
			all := purpose(1)
			for _, p := range defaultTCFPurposes[cat] {
				all = all && purpose(p)
			}
			if all {
				want = append(want, cat)
			}
		}
		if !slices.Equal(d.Granted, want) {
			t.Fatalf("granted %q, byte decoder says %q", d.Granted, want)
		}
		// Vendors: every mapped vendor without consent is refused, and no
		// vendor is granted.
		wantVendors := make(VendorSet)
		consented, ok := referenceVendorConsents(coreBits(strings.TrimRight(core, "=")))
		if !ok {
			t.Fatalf("read a string the reference decoder finds malformed: %q", value)
		}
		for iab, ids := range fuzzIABVendors {
			if !consented[iab] {
				for _, id := range ids {
					wantVendors[id] = false
				}
			}
		}
		if len(wantVendors) == 0 {
			wantVendors = nil
		}
		if !maps.Equal(d.Vendors, wantVendors) || (d.Vendors == nil) != (wantVendors == nil) {
			t.Fatalf("vendors %v, byte decoder says %v", d.Vendors, wantVendors)
		}
	})
}

// coreBits spells out the bits of base64url text, six per character, as
// the TC string reader reads them (a length base64 cannot have keeps its
// last bits).
func coreBits(core string) []byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var bits []byte
	for i := 0; i < len(core); i++ {
		v := strings.IndexByte(alphabet, core[i])
		for k := 5; k >= 0; k-- {
			bits = append(bits, byte(v>>k&1))
		}
	}
	return bits
}

// referenceVendorConsents decodes the vendor consent section and the
// publisher restrictions of a core segment, given as one byte per bit, and
// returns the vendors with consent that no publisher restriction bars from
// purpose 1. ok is false when the section is malformed or truncated.
func referenceVendorConsents(bits []byte) (consented map[int]bool, ok bool) {
	pos := 213
	bitsLeft := func(n int) bool { return pos+n <= len(bits) }
	num := func(n int) int {
		v := 0
		for i := 0; i < n; i++ {
			v = v<<1 | int(bits[pos+i])
		}
		pos += n
		return v
	}
	// ranges reads a range list; maxID < 0 means unbounded.
	ranges := func(maxID int) ([][2]int, bool) {
		if !bitsLeft(12) {
			return nil, false
		}
		var out [][2]int
		for n := num(12); n > 0; n-- {
			if !bitsLeft(17) {
				return nil, false
			}
			isRange := num(1) == 1
			start := num(16)
			end := start
			if isRange {
				if !bitsLeft(16) {
					return nil, false
				}
				end = num(16)
			}
			if start < 1 || end < start || maxID >= 0 && end > maxID {
				return nil, false
			}
			out = append(out, [2]int{start, end})
		}
		return out, true
	}
	section := func() (map[int]bool, bool) {
		if !bitsLeft(17) {
			return nil, false
		}
		maxID := num(16)
		set := make(map[int]bool)
		if num(1) == 0 {
			if !bitsLeft(maxID) {
				return nil, false
			}
			for id := 1; id <= maxID; id++ {
				if num(1) == 1 {
					set[id] = true
				}
			}
			return set, true
		}
		rs, ok := ranges(maxID)
		for _, rg := range rs {
			for id := rg[0]; id <= rg[1]; id++ {
				set[id] = true
			}
		}
		return set, ok
	}
	consented, ok = section()
	if !ok {
		return nil, false
	}
	if _, ok := section(); !ok { // legitimate interests
		return nil, false
	}
	if !bitsLeft(12) {
		return nil, false
	}
	for n := num(12); n > 0; n-- {
		if !bitsLeft(8) {
			return nil, false
		}
		purpose, kind := num(6), num(2)
		rs, ok := ranges(-1)
		if !ok {
			return nil, false
		}
		if purpose == 1 && kind == 0 {
			for _, rg := range rs {
				for id := rg[0]; id <= rg[1] && id <= 1<<16; id++ {
					delete(consented, id)
				}
			}
		}
	}
	return consented, true
}
