package cmp

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// catalogueVendor stands in for the middleware's lookup of service names
// among the catalogue's vendor ids and names.
func catalogueVendor(service string) (string, bool) {
	known := map[string]string{
		"google-analytics": "google-analytics", "google analytics": "google-analytics",
		"matomo": "matomo", "youtube": "youtube", "hotjar": "hotjar", "meta pixel": "meta-pixel",
	}
	id, ok := known[strings.ToLower(service)]
	return id, ok
}

// vendorOptions maps a few services and IAB ids to catalogue vendors.
func vendorOptions() Options {
	return Options{
		Services:       map[string]string{"ga": Analytics, "googleAnalytics": Analytics, "matomo": Analytics, "youtube": Marketing, "facebook-pixel": Marketing},
		ServiceVendors: map[string]string{"ga": "google-analytics", "googleAnalytics": "google-analytics", "facebook-pixel": "meta-pixel"},
		ServiceVendor:  catalogueVendor,
		IABVendors:     map[int][]string{755: {"google-ads", "google-doubleclick"}, 91: {"criteo"}, 1126: {"microsoft-advertising"}},
	}
}

func TestVendorSet(t *testing.T) {
	s := VendorSet{"a": true, "b": false}
	for _, tc := range []struct {
		id         string
		categories bool
		want       bool
	}{
		{"a", false, true}, {"a", true, true},
		{"b", true, false}, {"b", false, false},
		{"c", true, true}, {"c", false, false},
	} {
		if got := s.Allows(tc.id, tc.categories); got != tc.want {
			t.Errorf("Allows(%s, %v) = %v, want %v", tc.id, tc.categories, got, tc.want)
		}
	}
	if !VendorSet(nil).Allows("x", true) || VendorSet(nil).Allows("x", false) {
		t.Error("a nil set does not follow the categories")
	}
	if !slices.Equal(s.Granted(), []string{"a"}) || !slices.Equal(s.Refused(), []string{"b"}) {
		t.Errorf("Granted %v, Refused %v", s.Granted(), s.Refused())
	}
	g := make(VendorSet)
	g.grant("x", false)
	g.grant("x", true)
	g.grant("y", true)
	g.grant("y", false)
	if g["x"] || g["y"] {
		t.Errorf("a refusal did not stay final: %v", g)
	}
}

func TestKlaroVendors(t *testing.T) {
	r := mustNew(t, []string{"klaro"}, vendorOptions())
	cookie := func(json string) []Cookie { return []Cookie{{"klaro", encodeURIComponent(json)}} }
	runReadCases(t, r, []readCase{
		{
			// Klaro loads Matomo and not Google Analytics: so do the vendors,
			// though analytics as a whole is not granted.
			name:    "one of two analytics services refused",
			cookies: cookie(`{"matomo":true,"googleAnalytics":false,"youtube":true}`),
			want: Decision{CMP: "klaro", Granted: []string{Marketing}, Services: []string{"matomo", "youtube"},
				Vendors: VendorSet{"matomo": true, "google-analytics": false, "youtube": true}},
			wantOK: true,
		},
		{
			name:    "unmapped services decide no vendor",
			cookies: cookie(`{"intercom":true,"mapbox":false}`),
			want:    Decision{CMP: "klaro", Services: []string{"intercom"}},
			wantOK:  true,
		},
		{
			name:    "two services of one vendor: a refusal wins",
			cookies: cookie(`{"ga":true,"google-analytics":false}`),
			want:    Decision{CMP: "klaro", Granted: []string{Analytics}, Services: []string{"ga"}, Vendors: VendorSet{"google-analytics": false}},
			wantOK:  true,
		},
	})
}

func TestBorlabsVendors(t *testing.T) {
	r := mustNew(t, []string{"borlabs"}, vendorOptions())
	cookie := func(consents string) []Cookie {
		return []Cookie{{"borlabs-cookie", encodeURIComponent(`{"consents":` + consents + `,"uid":"u","version":"1"}`)}}
	}
	runReadCases(t, r, []readCase{
		{
			// A placeholder's "load YouTube" lists youtube under
			// external-media: Borlabs loads YouTube, marketing stays off.
			name:    "youtube unblocked alone",
			cookies: cookie(`{"essential":["borlabs-cookie"],"external-media":["youtube"]}`),
			want:    Decision{CMP: "borlabs", Services: []string{"borlabs-cookie", "youtube"}, Vendors: VendorSet{"youtube": true}, ID: "u"},
			wantOK:  true,
		},
		{
			name:    "accepted services grant their vendors",
			cookies: cookie(`{"essential":["borlabs-cookie"],"statistics":["google-analytics","hotjar"],"marketing":["facebook-pixel"]}`),
			want: Decision{CMP: "borlabs", Granted: []string{Analytics, Marketing},
				Services: []string{"borlabs-cookie", "facebook-pixel", "google-analytics", "hotjar"},
				Vendors:  VendorSet{"google-analytics": true, "hotjar": true, "meta-pixel": true}, ID: "u"},
			wantOK: true,
		},
	})
}

func TestComplianzVendors(t *testing.T) {
	r := mustNew(t, []string{"complianz"}, vendorOptions())
	jar := func(stats, services string) []Cookie {
		return []Cookie{{"cmplz_statistics", stats}, {"cmplz_marketing", "deny"}, {"cmplz_consented_services", encodeURIComponent(services)}}
	}
	runReadCases(t, r, []readCase{
		{
			// Complianz releases a consented service without its category
			// and skips a denied one inside an accepted category.
			name:    "service consent both ways",
			cookies: jar("allow", `{"youtube":true,"google-analytics":false}`),
			want: Decision{CMP: "complianz", Granted: []string{Analytics}, Services: []string{"youtube"},
				Vendors: VendorSet{"youtube": true, "google-analytics": false}},
			wantOK: true,
		},
		{
			name:    "no service cookie",
			cookies: []Cookie{{"cmplz_statistics", "allow"}},
			want:    Decision{CMP: "complianz", Granted: []string{Analytics}},
			wantOK:  true,
		},
	})
}

func TestCookieConsentCategoriesAndVendors(t *testing.T) {
	r := mustNew(t, []string{"cookieconsent"}, vendorOptions())
	cookie := func(categories, services string) []Cookie {
		return []Cookie{{"cc_cookie", encodeURIComponent(`{"categories":` + categories + `,"revision":0,"consentId":"c","services":` + services + `}`)}}
	}
	runReadCases(t, r, []readCase{
		{
			// The site's "analytics" category gates its analytics tools;
			// "performance" is another category of the site.
			name:    "analytics accepted, performance refused",
			cookies: cookie(`["necessary","analytics"]`, `{"necessary":[],"analytics":[],"performance":[]}`),
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics}, ID: "c"},
			wantOK:  true,
		},
		{
			name:    "performance accepted, analytics refused",
			cookies: cookie(`["necessary","performance"]`, `{"necessary":[],"analytics":[],"performance":[]}`),
			want:    Decision{CMP: "cookieconsent", ID: "c"},
			wantOK:  true,
		},
		{
			name:    "without an exact name the closest synonym decides",
			cookies: cookie(`["necessary","statistics"]`, `{"statistics":[],"performance":[],"advertising":[],"social":[]}`),
			want:    Decision{CMP: "cookieconsent", Granted: []string{Analytics}, ID: "c"},
			wantOK:  true,
		},
		{
			name:    "social accepted, advertising refused: no marketing",
			cookies: cookie(`["necessary","social"]`, `{"advertising":[],"social":[]}`),
			want:    Decision{CMP: "cookieconsent", ID: "c"},
			wantOK:  true,
		},
		{
			name:    "a synonym alone decides",
			cookies: cookie(`["necessary","targeting"]`, `{"targeting":[]}`),
			want:    Decision{CMP: "cookieconsent", Granted: []string{Marketing}, ID: "c"},
			wantOK:  true,
		},
		{
			name:    "enabled services grant their vendors",
			cookies: cookie(`["necessary","analytics","marketing"]`, `{"analytics":["ga","Matomo"],"marketing":["youtube"],"other":["hotjar"]}`),
			want: Decision{CMP: "cookieconsent", Granted: []string{Analytics, Marketing}, Services: []string{"Matomo", "ga", "youtube"},
				Vendors: VendorSet{"google-analytics": true, "matomo": true, "youtube": true}, ID: "c"},
			wantOK: true,
		},
	})
}

func TestTCFVendors(t *testing.T) {
	r := mustNew(t, []string{"tcf"}, vendorOptions())
	all := []string{Analytics, Marketing, Preferences}
	updated := goodTCF().updated
	cookie := func(edit func(*tcfString)) []Cookie {
		s := goodTCF()
		edit(&s)
		return []Cookie{{"euconsent-v2", encodeTCF(s)}}
	}
	refused := func(ids ...string) VendorSet {
		s := make(VendorSet)
		for _, id := range ids {
			s[id] = false
		}
		return s
	}
	runReadCases(t, r, []readCase{
		{
			// Google (755) has its vendor consent; Criteo (91) and
			// Microsoft (1126) do not.
			name:    "bit field",
			cookies: cookie(func(s *tcfString) { s.maxVendor = 1200; s.vendors = []int{1, 8, 755} }),
			want:    Decision{CMP: "tcf", Granted: all, Vendors: refused("criteo", "microsoft-advertising"), Time: updated},
			wantOK:  true,
		},
		{
			name:    "bit field ending before a vendor's id",
			cookies: cookie(func(s *tcfString) { s.maxVendor = 100; s.vendors = []int{91} }),
			want:    Decision{CMP: "tcf", Granted: all, Vendors: refused("google-ads", "google-doubleclick", "microsoft-advertising"), Time: updated},
			wantOK:  true,
		},
		{
			name: "ranges",
			cookies: cookie(func(s *tcfString) {
				s.maxVendor = 1126
				s.useRangeVendorEncoding = true
				s.rangeVendors = [][2]int{{1, 90}, {755, 755}, {1000, 1126}}
			}),
			want:   Decision{CMP: "tcf", Granted: all, Vendors: refused("criteo"), Time: updated},
			wantOK: true,
		},
		{
			name:    "every vendor consented",
			cookies: cookie(func(s *tcfString) { s.maxVendor = 1126; s.vendors = []int{91, 755, 1126} }),
			want:    Decision{CMP: "tcf", Granted: all, Time: updated},
			wantOK:  true,
		},
		{
			// Vendor consent does not stand in for purpose consent.
			name:    "vendor consent without purposes",
			cookies: cookie(func(s *tcfString) { s.purposes = nil; s.maxVendor = 1126; s.vendors = []int{91, 755, 1126} }),
			want:    Decision{CMP: "tcf", Time: updated},
			wantOK:  true,
		},
		{
			name: "publisher bars a vendor from purpose 1",
			cookies: cookie(func(s *tcfString) {
				s.maxVendor = 1126
				s.vendors = []int{91, 755, 1126}
				s.restrictions = []tcfRestriction{{purpose: 1, kind: 0, ranges: [][2]int{{91, 91}}}, {purpose: 2, kind: 0, ranges: [][2]int{{755, 755}}}, {purpose: 1, kind: 1, ranges: [][2]int{{1126, 1126}}}}
			}),
			want:   Decision{CMP: "tcf", Granted: all, Vendors: refused("criteo"), Time: updated},
			wantOK: true,
		},
		{
			name: "range starting at 0",
			cookies: cookie(func(s *tcfString) {
				s.useRangeVendorEncoding = true
				s.rangeVendors = [][2]int{{0, 5}}
			}),
			wantErr: "vendor range 0-5",
		},
		{
			name: "range ending before it starts",
			cookies: cookie(func(s *tcfString) {
				s.useRangeVendorEncoding = true
				s.rangeVendors = [][2]int{{1, 1}, {40, 8}}
			}),
			wantErr: "vendor range 40-8",
		},
		{
			name: "range past MaxVendorId",
			cookies: cookie(func(s *tcfString) {
				s.maxVendor = 100
				s.useRangeVendorEncoding = true
				s.rangeVendors = [][2]int{{91, 755}}
			}),
			wantErr: "vendor range 91-755 outside 1..100",
		},
		{
			name:    "publisher restriction for vendor 0",
			cookies: cookie(func(s *tcfString) { s.restrictions = []tcfRestriction{{purpose: 1, ranges: [][2]int{{0, 0}}}} }),
			wantErr: "vendor range 0-0",
		},
	})

	// Without IABVendors a TC string decides no vendor.
	plain := mustNew(t, []string{"tcf"}, Options{})
	d, ok, err := plain.Read(cookie(func(s *tcfString) { s.maxVendor = 100 }))
	if err != nil || !ok || d.Vendors != nil {
		t.Errorf("without IABVendors: %+v %v %v", d, ok, err)
	}
}

func TestVendorOptionErrors(t *testing.T) {
	for _, opts := range []Options{
		{ServiceVendors: map[string]string{"": "x"}},
		{ServiceVendors: map[string]string{"x": ""}},
		{ServiceVendors: map[string]string{"GA": "google-analytics", "ga": "other"}},
		{IABVendors: map[int][]string{0: {"x"}}},
		{IABVendors: map[int][]string{65536: {"x"}}},
		{IABVendors: map[int][]string{755: {""}}},
	} {
		if _, err := New([]string{"auto"}, opts); err == nil {
			t.Errorf("New accepted %+v", opts)
		} else {
			checkErrorMessage(t, err)
		}
	}
	if _, err := New([]string{"auto"}, Options{ServiceVendors: map[string]string{"GA": "google-analytics", "ga": "google-analytics"}}); err != nil {
		t.Errorf("same mapping spelt twice: %v", err)
	}
}

// TestDecisionCacheVendors checks that a caller changing a decision's
// vendor set does not change the cached one.
func TestDecisionCacheVendors(t *testing.T) {
	r := mustNew(t, []string{"klaro"}, vendorOptions())
	c := []Cookie{{"klaro", encodeURIComponent(`{"matomo":true}`)}}
	d, _, _ := r.Read(c)
	d.Vendors["matomo"] = false
	d2, _, _ := r.Read(c)
	if !d2.Vendors["matomo"] {
		t.Error("the cached decision changed")
	}
}

// TestTCFVendorsReferenceEncoder reads TC strings written by IAB Tech Lab's
// reference encoder (@iabtechlabtcf/core 1.5.21, TCString.encode with a
// synthetic vendor list of vendors 1-300, 755 and 1126), which picks the
// shorter of the bit field and the range encoding.
func TestTCFVendorsReferenceEncoder(t *testing.T) {
	r := mustNew(t, []string{"tcf"}, Options{IABVendors: map[int][]string{
		1: {"v1"}, 91: {"criteo"}, 300: {"v300"}, 755: {"google-ads"}, 1126: {"microsoft-advertising"},
	}})
	refused := func(ids ...string) VendorSet {
		s := make(VendorSet)
		for _, id := range ids {
			s[id] = false
		}
		return s
	}
	updated := time.Date(2024, 11, 26, 9, 30, 0, 0, time.UTC)
	tcf := func(s string) []Cookie { return []Cookie{{"euconsent-v2", s}} }
	runReadCases(t, r, []readCase{
		{
			name:    "ranges: 91, 755 and 1126",
			cookies: tcf("CQIY4EAQIt9LwCGABAENAtEgAPOAAAAAAAYgIzQAwAtgLzAjMAAAAAAA"),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics, Marketing}, Vendors: refused("v1", "v300"), Time: updated},
			wantOK:  true,
		},
		{
			name:    "ranges: everyone but 91",
			cookies: tcf("CQIY4EAQIt9LwCGABAENAtEgAP_gAAAAAAYgIzQBIAAgC1AFwBLAF5gRmAAAAAAA"),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics, Marketing, Preferences}, Vendors: refused("criteo"), Time: updated},
			wantOK:  true,
		},
		{
			name:    "ranges: 755 alone",
			cookies: tcf("CQIY4EAQIt9LwCGABAENAtEgAIGAAAAAAAYgF5wAQF5gAAAA"),
			want:    Decision{CMP: "tcf", Granted: []string{Analytics}, Vendors: refused("v1", "criteo", "v300", "microsoft-advertising"), Time: updated},
			wantOK:  true,
		},
		{
			name:    "bit field of no vendor",
			cookies: tcf("CQIY4EAQIt9LwCGABAENAtEgAIAAAAAAAAYgAAAAAAAA"),
			want:    Decision{CMP: "tcf", Vendors: refused("v1", "criteo", "v300", "google-ads", "microsoft-advertising"), Time: updated},
			wantOK:  true,
		},
		{
			name:    "bit field: odd vendors below 300",
			cookies: tcf("CQIY4EAQIt9LwCGABAENAtEgAPIAAAAAAAYgCVqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqgAAAAAAA"),
			want:    Decision{CMP: "tcf", Granted: []string{Marketing}, Vendors: refused("v300", "google-ads", "microsoft-advertising"), Time: updated},
			wantOK:  true,
		},
		{
			name:    "bit field: odd vendors below 300 and 755",
			cookies: tcf("CQIY4EAQIt9LwCGABAENAtEgAPIAAAAAAAYgF5qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAAAA"),
			want:    Decision{CMP: "tcf", Granted: []string{Marketing}, Vendors: refused("v300", "microsoft-advertising"), Time: updated},
			wantOK:  true,
		},
	})
}
