package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/consentgate/consentgate/internal/corpus"
	"github.com/consentgate/consentgate/rules"
)

// TestGeneratedUpToDate checks that the checked-in file is what ocdgen
// makes of the catalogue and the Open Cookie Database in the corpora.
func TestGeneratedUpToDate(t *testing.T) {
	dir := corpus.Dir(t, ocdFolder)
	in, err := readInputs(filepath.Join("..", "..", "catalogue", "vendors.json"), dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "catalogue", "cookie-details.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := check(in, data); err != nil {
		t.Fatal(err)
	}
	_, st, _ := generate(in)
	if st.described*4 < st.patterns*3 {
		t.Errorf("%d of %d cookie patterns described, want at least three quarters", st.described, st.patterns)
	}
}

const testCSV = "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,User Privacy & GDPR Rights Portals,Wildcard match\n" +
	"1,Acme Analytics,Analytics,_acme,,Acme's visitor id,2 Years,Acme,,0\n" +
	"2,Other Platform,Analytics,_acme,,Another platform's cookie of the same name,1 day,Other,,0\n" +
	"3,Acme Analytics,Analytics,_acme_,,Acme's session,Session,Acme,,1\n" +
	"4,Snapchat,Marketing,_snapid,snapchat.com (3rd party),Snap's id,1 year,Snap,,0\n" +
	"5,Someone Else,Marketing,_gen,someone.example,A generic name,1 hour,Else,,0\n" +
	"6,Acme Analytics,Analytics,_acme_long,,Exact row wins over the prefix,3 days,Acme,,0\n" +
	"7,Acme Analytics,Analytics,_acme_x,,No purpose or lifetime below,,Acme,,0\n" +
	"8,Acme Analytics,Analytics,_empty,,,,Acme,,0\n" +
	"9,Group Member,Functional,SESS,member.example,A session,session,Member,,0\n"

const testCatalogue = `{"format": "consentgate-rules/2", "vendors": [
  {"id": "acme", "name": "Acme Stats", "provider": "Acme Analytics Ltd", "category": "analytics",
   "cookies": ["_acme", "_acme_*", "_acme_long", "_acme_other", "_empty"]},
  {"id": "snap-pixel", "name": "Snap Pixel", "provider": "Snap Inc.", "category": "marketing", "cookies": ["_snapid", "_gen"]},
  {"id": "sessions", "name": "Session cookies", "category": "necessary", "cookies": ["SESS"]}
]}`

func TestGenerate(t *testing.T) {
	in := inputs{catalogue: []byte(testCatalogue), csv: []byte(testCSV), source: []byte("- Commit: 0123456789abcdef\n")}
	data, st, err := generate(in)
	if err != nil {
		t.Fatal(err)
	}
	var f detailsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]rules.CookieDetail{
		"acme": {
			"_acme":       {Purpose: "Acme's visitor id", Lifetime: "2 years", Party: rules.FirstParty},
			"_acme_*":     {Purpose: "Acme's session", Lifetime: "session", Party: rules.FirstParty},
			"_acme_long":  {Purpose: "Exact row wins over the prefix", Lifetime: "3 days", Party: rules.FirstParty},
			"_acme_other": {Purpose: "Acme's session", Lifetime: "session", Party: rules.FirstParty},
		},
		// Snapchat shares a word with Snap; "Someone Else" does not.
		"snap-pixel": {"_snapid": {Purpose: "Snap's id", Lifetime: "1 year", Party: rules.ThirdParty, Domain: "snapchat.com"}},
		// A vendor without a provider takes any row, as first party.
		"sessions": {"SESS": {Purpose: "A session", Lifetime: "session", Party: rules.FirstParty}},
	}
	if !reflect.DeepEqual(f.Vendors, want) {
		t.Errorf("vendors =\n%+v\nwant\n%+v", f.Vendors, want)
	}
	if st != (stats{vendors: 3, patterns: 8, described: 6}) {
		t.Errorf("stats = %+v", st)
	}
	if !strings.Contains(f.Source, "commit 0123456789abcdef") || !strings.Contains(f.License, "Apache License 2.0") {
		t.Errorf("header = %q, %q", f.Source, f.License)
	}
	// The output is deterministic and check agrees with it.
	if err := check(in, data); err != nil {
		t.Error(err)
	}
	if err := check(in, append([]byte(" "), data...)); err == nil {
		t.Error("check accepted a changed file")
	}
}
