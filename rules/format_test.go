package rules_test

import (
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/rules"
)

const declarationRuleFile = `{
  "format": "consentgate-rules/2",
  "vendors": [
    {
      "id": "acme-stats",
      "name": "Acme Stats",
      "category": "analytics",
      "provider": "Acme Analytics Ltd",
      "privacy_policy": "https://acme.example/privacy",
      "iab_vendor": 4242,
      "hosts": ["stats.acme.example"],
      "cookies": ["_acme", "_acme_*"],
      "cookie_details": {
        "_acme": {"purpose": "Tells visitors apart.", "lifetime": "1 year", "party": "first"},
        "_acme_*": {"lifetime": "session", "party": "third", "domain": "acme.example"}
      }
    }
  ]
}`

func TestParseJSONDeclarationFields(t *testing.T) {
	vs, err := rules.ParseJSON(strings.NewReader(declarationRuleFile), "decl.json")
	if err != nil {
		t.Fatalf("ParseJSON: %v", err)
	}
	v := vs[0]
	want := map[string]rules.CookieDetail{
		"_acme":   {Purpose: "Tells visitors apart.", Lifetime: "1 year", Party: rules.FirstParty},
		"_acme_*": {Lifetime: "session", Party: rules.ThirdParty, Domain: "acme.example"},
	}
	if v.Provider != "Acme Analytics Ltd" || v.PrivacyPolicy != "https://acme.example/privacy" || v.IAB != 4242 || !maps.Equal(v.CookieDetails, want) {
		t.Errorf("vendor = %+v", v)
	}
	rs := mustCompile(t, vs, rules.Options{})
	if got := rs.VendorsByIAB(4242); len(got) != 1 || got[0].ID != "acme-stats" {
		t.Errorf("VendorsByIAB(4242) = %v", got)
	}

	// The same members in a version 1 file load too: old readers refuse
	// them by the unknown field, new ones accept both versions.
	v1 := strings.Replace(declarationRuleFile, "consentgate-rules/2", "consentgate-rules/1", 1)
	vs1, err := rules.ParseJSON(strings.NewReader(v1), "decl.json")
	if err != nil || !reflect.DeepEqual(vs1, vs) {
		t.Errorf("version 1 file: %v, %+v", err, vs1)
	}
	if rules.FileFormat != "consentgate-rules/2" || rules.FileFormatV1 != "consentgate-rules/1" {
		t.Errorf("formats %q, %q", rules.FileFormat, rules.FileFormatV1)
	}
}

func TestParseJSONDeclarationErrors(t *testing.T) {
	vendor := func(fields string) string {
		return `{"format": "consentgate-rules/2", "vendors": [{"id": "a", "category": "analytics", "cookies": ["_a", "_b*"], ` + fields + `}]}`
	}
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"relative policy", vendor(`"privacy_policy": "/privacy"`), []string{"f.json", "vendor 1", "privacy_policy", `"/privacy"`}},
		{"policy scheme", vendor(`"privacy_policy": "javascript:alert(1)"`), []string{"privacy_policy", "http or https"}},
		{"negative iab", vendor(`"iab_vendor": -1`), []string{"iab_vendor -1"}},
		{"iab too large", vendor(`"iab_vendor": 65536`), []string{"iab_vendor 65536"}},
		{"iab not a number", vendor(`"iab_vendor": "755"`), []string{"f.json:1:", "iab_vendor"}},
		{"details of an unlisted cookie", vendor(`"cookie_details": {"_c": {"purpose": "x"}}`), []string{`"_c"`, "not one of its cookies"}},
		{"details of a pattern spelt differently", vendor(`"cookie_details": {"_b": {"purpose": "x"}}`), []string{`"_b"`, "not one of its cookies"}},
		{"bad party", vendor(`"cookie_details": {"_a": {"party": "second"}}`), []string{`"_a"`, `party "second"`}},
		{"bad domain", vendor(`"cookie_details": {"_a": {"party": "third", "domain": "https://x.example"}}`), []string{`"_a"`, "domain"}},
		{"unknown detail field", vendor(`"cookie_details": {"_a": {"retention": "1 year"}}`), []string{"f.json", `"retention"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, err := rules.ParseJSON(strings.NewReader(tt.in), "f.json")
			if vs != nil {
				t.Errorf("got vendors with an error")
			}
			assertErrorNames(t, err, tt.want)
		})
	}
	// Compile checks inline vendors the same way.
	_, err := rules.Compile([]rules.Vendor{{ID: "a", Category: rules.Analytics, CookieDetails: map[string]rules.CookieDetail{"_x": {}}}}, rules.Options{})
	assertErrorNames(t, err, []string{"inline rules", `"_x"`})
}

func TestParseOpenCookieDatabaseDeclaration(t *testing.T) {
	in := ocdHeader +
		"1,Google Analytics,Analytics,_ga,,ID used to identify users,2 Years,Google,https://policies.google.com/privacy,0\n" +
		"2,Google Analytics,Analytics,_ga_,,\"Used to  persist\nsession state\",Session,Google,,1\n" +
		"3,Google Analytics,Analytics,_ga,,A second row of the same name,1 day,Google,,0\n" +
		"4,DoubleClick,Marketing,IDE,doubleclick.net (3rd party),Ad targeting,13 Months,Google,not a url,0\n" +
		"5,Odd,Marketing,x,\"Bing or Microsoft\",Free-text domain,Unknown,,,0\n"
	vs, err := rules.ParseOpenCookieDatabase(strings.NewReader(in), "ocd.csv")
	if err != nil {
		t.Fatal(err)
	}
	ga, dc, odd := vs[0], vs[1], vs[2]
	if ga.Provider != "Google" || ga.PrivacyPolicy != "https://policies.google.com/privacy" || len(ga.Cookies) != 2 {
		t.Errorf("google analytics = %+v", ga)
	}
	wantGA := map[string]rules.CookieDetail{
		"_ga":   {Purpose: "ID used to identify users", Lifetime: "2 years", Party: rules.FirstParty},
		"_ga_*": {Purpose: "Used to persist session state", Lifetime: "session", Party: rules.FirstParty},
	}
	if !maps.Equal(ga.CookieDetails, wantGA) {
		t.Errorf("google analytics details = %+v", ga.CookieDetails)
	}
	if dc.PrivacyPolicy != "" || dc.CookieDetails["IDE"] != (rules.CookieDetail{Purpose: "Ad targeting", Lifetime: "13 months", Party: rules.ThirdParty, Domain: "doubleclick.net"}) {
		t.Errorf("doubleclick = %+v", dc)
	}
	if odd.CookieDetails["x"] != (rules.CookieDetail{Purpose: "Free-text domain", Party: rules.ThirdParty}) {
		t.Errorf("odd = %+v", odd.CookieDetails)
	}
	mustCompile(t, vs, rules.Options{})
}

func TestParseAdGuardProvider(t *testing.T) {
	in := `{"categories": {"4": "advertising"},
		"trackers": {"a": {"name": "A Ads", "categoryId": 4, "companyId": "acme"}, "b": {"name": "B", "categoryId": 4, "companyId": "unknown"}},
		"trackerDomains": {"a.example": "a", "b.example": "b"},
		"companies": {"acme": {"name": "Acme Advertising Inc.", "websiteUrl": "https://acme.example/"}}}`
	vs, err := rules.ParseAdGuard(strings.NewReader(in), "trackers.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Provider != "Acme Advertising Inc." || vs[1].Provider != "" {
		t.Errorf("vendors = %+v", vs)
	}
}
