package rules

import "testing"

func TestNormaliseLifetime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2 years", "2 years"},
		{"1 Year", "1 year"},
		{"1 year ", "1 year"},
		{"2 year", "2 years"},
		{"30 Days", "30 days"},
		{"1 months", "1 month"},
		{"30 mins", "30 minutes"},
		{"90 sec", "90 seconds"},
		{"1440 Minutes", "1440 minutes"},
		{"0 day", "0 days"},
		{"007 days", "7 days"},
		{"Session", "session"},
		{"session cookie", "session"},
		{"End of session (browser)", "session"},
		{"Seesion", "session"},
		{"forever", "persistent"},
		{"no expiration", "persistent"},
		{"2 years after last activity", "2 years after last activity"},
		{"13 months by default, modifiable", "13 months by default, modifiable"},
		{"10 Nov 2030", "10 Nov 2030"},
		{"Unknown", ""},
		{"Varies", ""},
		{"Local Storage", ""},
		{"Awin", ""},
		{"", ""},
		{"3 fortnights", "3 fortnights"},
	}
	for _, tt := range tests {
		if got := normaliseLifetime(tt.in); got != tt.want {
			t.Errorf("normaliseLifetime(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
