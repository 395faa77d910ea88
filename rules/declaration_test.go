package rules_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/rules"
)

// declared finds a vendor in a declaration, and the category it is under.
func declared(decl []rules.DeclaredCategory, id string) (rules.DeclaredVendor, rules.Category, bool) {
	for _, c := range decl {
		for _, v := range c.Vendors {
			if v.ID == id {
				return v, c.Category, true
			}
		}
	}
	return rules.DeclaredVendor{}, "", false
}

// declaredCookie finds a cookie of a declared vendor.
func declaredCookie(v rules.DeclaredVendor, name string) (rules.DeclaredCookie, bool) {
	i := slices.IndexFunc(v.Cookies, func(c rules.DeclaredCookie) bool { return c.Name == name })
	if i < 0 {
		return rules.DeclaredCookie{}, false
	}
	return v.Cookies[i], true
}

func TestDeclaration(t *testing.T) {
	vs := []rules.Vendor{
		{
			ID: "stats", Name: "Stats", Category: rules.Analytics, Provider: "Stats Ltd",
			PrivacyPolicy: "https://stats.example/privacy", Description: "Counts visits.", IAB: 7,
			Hosts:   []string{"stats.example", "cdn.stats.example"},
			URLs:    []string{"shared.example/stats/", "shared.example/stats2/"},
			Cookies: []string{"_st", "_st_*", "_shared"},
			CookieDetails: map[string]rules.CookieDetail{
				"_st":   {Purpose: "Tells visitors apart.", Lifetime: "1 year", Party: rules.FirstParty},
				"_st_*": {Lifetime: "session"},
			},
		},
		{ID: "tagman", Categories: []rules.Category{rules.Marketing, rules.Analytics}, Hosts: []string{"tags.example"}},
		{ID: "weak", Category: rules.Marketing, Cookies: []string{"_weak"}, Weak: true},
		// A later vendor takes over _shared and cdn.stats.example.
		{ID: "override", Name: "Override", Category: rules.Marketing, Hosts: []string{"cdn.stats.example"}, Cookies: []string{"_shared"}},
	}
	rs := mustCompile(t, vs, rules.Options{})
	decl := rs.Declaration(nil)

	var cats []rules.Category
	for _, c := range decl {
		cats = append(cats, c.Category)
	}
	if !slices.Equal(cats, rs.Categories()) {
		t.Errorf("categories = %v, want %v", cats, rs.Categories())
	}
	if _, _, ok := declared(decl, "weak"); ok {
		t.Error("a Weak vendor is declared by default")
	}

	got, cat, ok := declared(decl, "stats")
	if !ok {
		t.Fatal("stats not declared")
	}
	want := rules.DeclaredVendor{
		ID: "stats", Name: "Stats", Provider: "Stats Ltd", PrivacyPolicy: "https://stats.example/privacy",
		Description: "Counts visits.", IAB: 7, Categories: []rules.Category{rules.Analytics},
		Cookies: []rules.DeclaredCookie{
			{Name: "_st", CookieDetail: rules.CookieDetail{Purpose: "Tells visitors apart.", Lifetime: "1 year", Party: rules.FirstParty}},
			{Name: "_st_*", CookieDetail: rules.CookieDetail{Lifetime: "session"}},
		},
		Hosts: []string{"stats.example", "shared.example"},
	}
	if cat != rules.Analytics || !reflect.DeepEqual(got, want) {
		t.Errorf("stats declared under %s as\n%+v\nwant under analytics\n%+v", cat, got, want)
	}

	tm, cat, _ := declared(decl, "tagman")
	if cat != rules.Marketing || !slices.Equal(tm.Categories, []rules.Category{rules.Marketing, rules.Analytics}) || tm.Name != "tagman" {
		t.Errorf("tagman declared under %s with categories %v and name %q; want under its primary category marketing, both categories, its id as name", cat, tm.Categories, tm.Name)
	}
	ov, _, _ := declared(decl, "override")
	if _, ok := declaredCookie(ov, "_shared"); !ok || !slices.Equal(ov.Hosts, []string{"cdn.stats.example"}) {
		t.Errorf("override = %+v, want it to own _shared and cdn.stats.example", ov)
	}

	// include picks vendors, Weak ones too.
	only := rs.Declaration(func(v *rules.Vendor) bool { return v.ID == "weak" })
	n := 0
	for _, c := range only {
		n += len(c.Vendors)
	}
	if w, _, ok := declared(only, "weak"); !ok || n != 1 || len(w.Cookies) != 1 {
		t.Errorf("Declaration(only weak) = %+v, want the weak vendor alone", only)
	}

	// The result is the caller's.
	decl[1].Vendors = nil
	got.Cookies[0].Purpose = "changed"
	again, _, _ := declared(rs.Declaration(nil), "stats")
	if again.Cookies[0].Purpose != "Tells visitors apart." {
		t.Error("changing a declaration changed the next one")
	}

	// Every category and vendor field has a JSON name the declaration
	// page can serve.
	b, err := json.Marshal(decl[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"category":"analytics"`, `"provider":"Stats Ltd"`, `"privacy_policy"`, `"iab_vendor":7`, `"lifetime":"1 year"`, `"party":"first"`, `"hosts"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON %s lacks %s", b, key)
		}
	}
}

func TestVendorLookups(t *testing.T) {
	vs := []rules.Vendor{
		{ID: "ads", Category: rules.Marketing, IAB: 755},
		{ID: "more-ads", Category: rules.Marketing, IAB: 755},
		{ID: "stats", Category: rules.Analytics},
		{ID: "ads", Name: "Ads, redefined", Category: rules.Marketing, IAB: 755},
	}
	rs := mustCompile(t, vs, rules.Options{})
	if v, ok := rs.VendorByID("stats"); !ok || v.ID != "stats" {
		t.Errorf("VendorByID(stats) = %v, %v", v, ok)
	}
	if v, ok := rs.VendorByID("ads"); !ok || v.Name != "Ads, redefined" {
		t.Errorf("VendorByID(ads) = %+v, want the one loaded last", v)
	}
	if v, ok := rs.VendorByID("nope"); ok || v != nil {
		t.Errorf("VendorByID(nope) = %v, %v", v, ok)
	}
	var ids []string
	for _, v := range rs.VendorsByIAB(755) {
		ids = append(ids, v.ID)
	}
	if !slices.Equal(ids, []string{"ads", "more-ads", "ads"}) {
		t.Errorf("VendorsByIAB(755) = %v", ids)
	}
	if got := rs.VendorsByIAB(1); len(got) != 0 {
		t.Errorf("VendorsByIAB(1) = %v", got)
	}
	if got := rs.IABVendors(); !reflect.DeepEqual(got, map[int][]string{755: {"ads", "more-ads"}}) {
		t.Errorf("IABVendors() = %v", got)
	}
	for _, v := range rs.Vendors() {
		if rs.Need(v) == 0 {
			t.Errorf("Need(%s) is empty", v.ID)
		}
	}
	if rs.Need(&rules.Vendor{ID: "ads"}) != 0 {
		t.Error("Need of a vendor not in the Ruleset is not empty")
	}
}

// TestBuiltinDeclaration checks the declaration data a fresh clone embeds,
// without the corpora.
func TestBuiltinDeclaration(t *testing.T) {
	rs := builtinRuleset(t)
	decl := rs.Declaration(nil)
	tests := []struct {
		vendor, cookie, provider string
		party                    rules.Party
		category                 rules.Category
	}{
		{"google-analytics", "_ga", "Google", rules.FirstParty, rules.Analytics},
		{"google-analytics", "_ga_*", "Google", rules.FirstParty, rules.Analytics},
		{"meta-pixel", "_fbp", "Meta Platforms", rules.FirstParty, rules.Marketing},
		{"google-doubleclick", "IDE", "Google", rules.ThirdParty, rules.Marketing},
		{"hotjar", "_hjSessionUser_*", "Hotjar", rules.FirstParty, rules.Analytics},
		{"hotjar", "_hjSession_*", "Hotjar", rules.FirstParty, rules.Analytics},
		{"linkedin-insight", "bcookie", "LinkedIn", rules.ThirdParty, rules.Marketing},
		{"session", "PHPSESSID", "", rules.FirstParty, rules.Necessary},
	}
	for _, tt := range tests {
		v, cat, ok := declared(decl, tt.vendor)
		if !ok {
			t.Errorf("%s not declared", tt.vendor)
			continue
		}
		if cat != tt.category || !strings.Contains(v.Provider, tt.provider) || (tt.provider == "") != (v.Provider == "") {
			t.Errorf("%s: under %s, provider %q; want %s, provider with %q", tt.vendor, cat, v.Provider, tt.category, tt.provider)
		}
		c, ok := declaredCookie(v, tt.cookie)
		if !ok {
			t.Errorf("%s: cookie %s not declared", tt.vendor, tt.cookie)
			continue
		}
		if c.Purpose == "" || c.Lifetime == "" || c.Party != tt.party {
			t.Errorf("%s cookie %s = %+v, want a purpose, a lifetime and party %q", tt.vendor, tt.cookie, c.CookieDetail, tt.party)
		}
	}
	ga, _, _ := declared(decl, "google-analytics")
	if c, _ := declaredCookie(ga, "_ga"); c.Lifetime != "2 years" {
		t.Errorf("_ga lifetime = %q, want 2 years", c.Lifetime)
	}
	if ga.PrivacyPolicy == "" || !slices.Contains(ga.Hosts, "google-analytics.com") {
		t.Errorf("google-analytics = %+v, want a policy link and its hosts", ga)
	}

	described, total := 0, 0
	for _, c := range decl {
		for _, v := range c.Vendors {
			for _, ck := range v.Cookies {
				total++
				if ck.Purpose != "" || ck.Lifetime != "" {
					described++
				}
				if ck.Party == "" && (ck.Purpose != "" || ck.Lifetime != "") {
					t.Errorf("%s cookie %s has a description but no party", v.ID, ck.Name)
				}
			}
		}
	}
	if described*4 < total*3 {
		t.Errorf("%d of %d catalogue cookies are described, want at least three quarters", described, total)
	}
}

// TestBuiltinIABVendors pins the catalogue's IAB vendor ids to the ones
// checked against the Global Vendor List (catalogue/SOURCES.md says
// where): changing one, or adding one, means checking it there and here.
func TestBuiltinIABVendors(t *testing.T) {
	want := map[string]int{
		"google-ads": 755, "google-doubleclick": 755, "google-adsense": 755,
		"microsoft-advertising": 1126, "linkedin-insight": 804, "criteo": 91,
		"taboola": 42, "outbrain": 164, "quantcast": 11, "comscore": 77,
		"nielsen": 812, "amazon-ads": 793, "yahoo-advertising": 25, "adform": 50,
		"the-trade-desk": 21, "xandr": 32, "magnite": 52, "index-exchange": 10,
		"pubmatic": 76, "equativ": 45, "lotame": 95, "sovrn": 13, "bombora": 163,
		"skimlinks": 46, "sharethis": 33,
	}
	vs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[string]int)
	for _, v := range vs {
		if v.IAB != 0 {
			got[v.ID] = v.IAB
			if v.Provider == "" || v.PrivacyPolicy == "" {
				t.Errorf("%s: IAB vendor %d without provider or privacy policy", v.ID, v.IAB)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("IAB vendor ids = %v\nwant %v", got, want)
	}
	if ids := builtinRuleset(t).IABVendors()[755]; !slices.Equal(ids, []string{"google-ads", "google-doubleclick", "google-adsense"}) {
		t.Errorf("IABVendors()[755] = %v", ids)
	}
}
