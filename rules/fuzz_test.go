package rules_test

import (
	"strings"
	"testing"

	"github.com/consentgate/consentgate/rules"
)

// FuzzLoad feeds arbitrary bytes to Load. It must never panic; when it
// returns vendors, Compile must not panic either, and the compiled
// Ruleset must classify the vendors' own hosts and cookie names. Seeds
// live in testdata/fuzz/FuzzLoad (a rule file, an Open Cookie Database
// CSV, an AdGuard trackers.json).
func FuzzLoad(f *testing.F) {
	f.Add([]byte(validRuleFile))
	f.Add([]byte(ocdHeader + "1,P,Analytics,a_,,,,,,1\n"))
	f.Add([]byte(adguardJSON))
	f.Fuzz(func(t *testing.T, data []byte) {
		vs, err := rules.Load(data, "fuzz")
		if err != nil {
			if vs != nil {
				t.Errorf("Load returned %d vendors and error %v", len(vs), err)
			}
			if !strings.Contains(err.Error(), "fuzz") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		rs, err := rules.Compile(vs, rules.Options{CookieCacheSize: 4})
		if err != nil {
			return
		}
		for _, v := range rs.Vendors() {
			for _, h := range v.Hosts {
				if _, ok := rs.MatchURL(h, "/"); !ok {
					t.Errorf("host %q of %s does not match", h, v.ID)
				}
				if _, ok := rs.MatchURLBytes([]byte("x."+h), []byte("/a?b=c")); !ok {
					t.Errorf("subdomain of host %q of %s does not match", h, v.ID)
				}
			}
			for _, c := range v.Cookies {
				name := strings.TrimSuffix(c, "*")
				if _, ok := rs.MatchCookie(name); !ok {
					t.Errorf("cookie %q of %s does not match", c, v.ID)
				}
			}
			for _, u := range v.URLs {
				slash := strings.IndexByte(u, '/')
				rs.MatchURL(strings.ToLower(u[:slash]), u[slash:])
			}
		}
		rs.MatchScript(data)
		rs.MatchCookie(string(data))
		rs.MatchURLBytes(data, data)
	})
}
