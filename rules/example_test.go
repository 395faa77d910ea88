package rules_test

import (
	"fmt"

	"github.com/consentgate/consentgate/rules"
)

func Example() {
	rs, err := rules.Compile([]rules.Vendor{
		{
			ID:       "stats",
			Name:     "Example Stats",
			Category: rules.Analytics,
			Hosts:    []string{"stats.example.com"},
			Paths:    []string{"/stats.js"},
			Cookies:  []string{"_st", "_st_*"},
		},
		{
			ID:       "shop-session",
			Name:     "Shop session",
			Category: rules.Necessary,
			Cookies:  []string{"SHOPSESSID"},
		},
	}, rules.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, u := range []struct{ host, path string }{
		{"cdn.stats.example.com", "/v2/collect?e=pageview"},
		{"www.example.org", "/assets/stats.js"},
		{"www.example.org", "/assets/app.js"},
	} {
		if m, ok := rs.MatchURL(u.host, u.path); ok {
			fmt.Printf("%s%s: %s, needs %s\n", u.host, u.path, m.Vendor.Name, rs.Join(m.Need, "+"))
		} else {
			fmt.Printf("%s%s: no vendor\n", u.host, u.path)
		}
	}

	for _, name := range []string{"_st", "_st_42", "SHOPSESSID", "theme"} {
		if m, ok := rs.MatchCookie(name); ok {
			granted := rs.NecessarySet() // a visitor who refused everything optional
			fmt.Printf("cookie %s: %s, allowed without consent: %v\n", name, m.Vendor.ID, granted.Has(m.Need))
		} else {
			fmt.Printf("cookie %s: unknown\n", name)
		}
	}
	// Output:
	// cdn.stats.example.com/v2/collect?e=pageview: Example Stats, needs analytics
	// www.example.org/assets/stats.js: Example Stats, needs analytics
	// www.example.org/assets/app.js: no vendor
	// cookie _st: stats, allowed without consent: false
	// cookie _st_42: stats, allowed without consent: false
	// cookie SHOPSESSID: shop-session, allowed without consent: true
	// cookie theme: unknown
}

func ExampleRuleset_Declaration() {
	rs, err := rules.Compile([]rules.Vendor{{
		ID:            "stats",
		Name:          "Example Stats",
		Category:      rules.Analytics,
		Provider:      "Example Stats Ltd",
		PrivacyPolicy: "https://stats.example.com/privacy",
		Hosts:         []string{"stats.example.com"},
		Cookies:       []string{"_st", "_st_*"},
		CookieDetails: map[string]rules.CookieDetail{
			"_st":   {Purpose: "Tells visitors apart.", Lifetime: "1 year", Party: rules.FirstParty},
			"_st_*": {Purpose: "Holds the current visit.", Lifetime: "session", Party: rules.FirstParty},
		},
	}}, rules.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range rs.Declaration(nil) {
		for _, v := range c.Vendors {
			fmt.Printf("%s: %s (%s, %s), loads from %v\n", c.Category, v.Name, v.Provider, v.PrivacyPolicy, v.Hosts)
			for _, ck := range v.Cookies {
				fmt.Printf("  %s: %s %s-party, %s\n", ck.Name, ck.Lifetime, ck.Party, ck.Purpose)
			}
		}
	}
	// Output:
	// analytics: Example Stats (Example Stats Ltd, https://stats.example.com/privacy), loads from [stats.example.com]
	//   _st: 1 year first-party, Tells visitors apart.
	//   _st_*: session first-party, Holds the current visit.
}
