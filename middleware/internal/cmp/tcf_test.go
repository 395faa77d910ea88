package cmp

import (
	"strings"
	"testing"
	"time"
)

func TestTCF(t *testing.T) {
	r := mustNew(t, []string{"tcf"}, Options{})
	updated := goodTCF().updated
	cookie := func(s tcfString) []Cookie { return []Cookie{{"euconsent-v2", encodeTCF(s)}} }
	with := func(edit func(*tcfString)) tcfString {
		s := goodTCF()
		edit(&s)
		return s
	}
	runReadCases(t, r, []readCase{
		{
			name:    "all purposes",
			cookies: cookie(goodTCF()),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics, Marketing, Preferences}, Time: updated},
			wantOK:  true,
		},
		{
			name:    "measurement only",
			cookies: cookie(with(func(s *tcfString) { s.purposes = []int{1, 8, 9} })),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics}, Time: updated},
			wantOK:  true,
		},
		{
			name:    "advertising without purpose 7",
			cookies: cookie(with(func(s *tcfString) { s.purposes = []int{1, 2, 3, 4, 8, 9} })),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics}, Time: updated},
			wantOK:  true,
		},
		{
			name:    "no purpose 1",
			cookies: cookie(with(func(s *tcfString) { s.purposes = []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11} })),
			want:    Decision{CMP: "tcf", Time: updated},
			wantOK:  true,
		},
		{
			name: "legitimate interest is not consent",
			cookies: cookie(with(func(s *tcfString) {
				s.purposes = []int{1}
				s.li = []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
			})),
			want:   Decision{CMP: "tcf", Time: updated},
			wantOK: true,
		},
		{
			name:    "policy 2 string: no purpose 11, no preferences",
			cookies: cookie(with(func(s *tcfString) { s.policy = 2; s.purposes = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} })),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics, Marketing}, Time: updated},
			wantOK:  true,
		},
		{
			name: "range-encoded vendors, publisher restrictions, more segments",
			cookies: cookie(with(func(s *tcfString) {
				s.useRangeVendorEncoding = true
				s.rangeVendors = [][2]int{{1, 1}, {8, 40}, {755, 755}}
				s.pubRestrictions = 2
				s.extraSegments = ".YAAAAAAAAAAA.QAAA"
			})),
			want:   Decision{CMP: "tcf", Granted: []string{Analytics, Marketing, Preferences}, Time: updated},
			wantOK: true,
		},
		{
			name:    "padded",
			cookies: cookie(with(func(s *tcfString) { s.standardBase64 = true; s.maxVendor = 3 })),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics, Marketing, Preferences}, Time: updated},
			wantOK:  true,
		},
		{
			name:    "real reject-all string from a cmp",
			cookies: []Cookie{{"euconsent-v2", "CPt3fQAPt3fQACNAFAENDLCgAAAAAAAAACiQAAAOCgDAB-AIsAZ8A6QDBAHBAAAA.YAAAAAAAAAAA"}},
			want:    Decision{CMP: "tcf", Time: time.UnixMilli(16875648000 * 100).UTC()},
			wantOK:  true,
		},
		{
			name:    "real reject-all string with a vendor bit field",
			cookies: []Cookie{{"euconsent-v2", "CPuy0IAPuy0IAAHABBENDNCgAAAAAAAAAAAAJNFB_G5cSWNhOHJvY9tUaQ0HwFR4o6AgDgCZA4wBCRIAMIwF0GAAIEBAIAgAAAAEAAJAAAAEAAHAAAAAAIEBASCIAEAAIBAAICAAAAABQgAACABJGwAAEAAAAEQEABQAgAIAQBuAQEAAAAAAAAAAAAgBAABBAAAAAAAgAAAIAAAAAAgAEAAAAAAAAAAAABAAEAAAAAEAAABIaADAAEExRUAGAAIJihIAMAAQTFEQAYAAgmKMgAwABBMUdABgACCYpCADAAEExSUAGAAIJilIAMAAQTFA.YAAAAAAAAAAA"}},
			want:    Decision{CMP: "tcf", Time: time.UnixMilli(16891200000 * 100).UTC()},
			wantOK:  true,
		},
		{name: "absent", cookies: []Cookie{{"eupubconsent-v2", encodeTCF(goodTCF())}}},
		{name: "version 1", cookies: cookie(with(func(s *tcfString) { s.version = 1 })), wantErr: "version 1"},
		{name: "policy 1", cookies: cookie(with(func(s *tcfString) { s.policy = 1 })), wantErr: "policy version 1"},
		{name: "truncated in the purposes", cookies: []Cookie{{"euconsent-v2", encodeTCF(goodTCF())[:27]}}, wantErr: "truncated"},
		{name: "truncated vendor bit field", cookies: cookie(with(func(s *tcfString) { s.cutBits = 200 })), wantErr: "truncated"},
		{
			name: "truncated range list",
			cookies: cookie(with(func(s *tcfString) {
				s.useRangeVendorEncoding = true
				s.rangeVendors = [][2]int{{1, 1}, {8, 40}}
				s.cutBits = 50
			})),
			wantErr: "truncated",
		},
		{name: "truncated publisher restrictions", cookies: cookie(with(func(s *tcfString) { s.pubRestrictions = 1; s.cutBits = 20 })), wantErr: "truncated"},
		{name: "empty", cookies: []Cookie{{"euconsent-v2", ""}}, wantErr: "truncated"},
		{name: "only a dot", cookies: []Cookie{{"euconsent-v2", ".YAAAAAAAAAAA"}}, wantErr: "truncated"},
		{name: "standard base64 characters", cookies: []Cookie{{"euconsent-v2", strings.ReplaceAll(encodeTCF(goodTCF()), "A", "+")}}, wantErr: "not base64url"},
		{name: "percent-encoded", cookies: []Cookie{{"euconsent-v2", "CPt3fQAPt3fQ%41"}}, wantErr: "not base64url"},
		{name: "padding inside", cookies: []Cookie{{"euconsent-v2", "CP=t3fQAPt3fQACNAFAENDLCgAAAAAAAAACiQAAAOCgDAB"}}, wantErr: "padding"},
		{name: "nul", cookies: []Cookie{{"euconsent-v2", "CPt3\x00fQ"}}, wantErr: "not base64url"},
		{name: "huge", cookies: []Cookie{{"euconsent-v2", strings.Repeat("C", 9000)}}, wantErr: "over the limit"},
	})
}

func TestTCFCustomPurposes(t *testing.T) {
	r := mustNew(t, []string{"tcf"}, Options{TCFPurposes: map[string][]int{Analytics: {8, 9, 10}, "ads": {2}}})
	s := goodTCF()
	s.purposes = []int{1, 2, 8, 9}
	runReadCases(t, r, []readCase{{
		name:    "custom map replaces default",
		cookies: []Cookie{{"euconsent-v2", encodeTCF(s)}},
		want:    Decision{CMP: "tcf", Granted: []string{"ads"}, Time: s.updated},
		wantOK:  true,
	}})
}
