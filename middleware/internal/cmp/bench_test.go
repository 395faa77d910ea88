package cmp

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkReadCookiebotCached reads the same Cookiebot cookie over and
// over, as a visitor's requests do: every read after the first is a cache
// hit.
func BenchmarkReadCookiebotCached(b *testing.B) {
	r := mustNew(b, []string{"auto"}, Options{})
	cookies := []Cookie{
		{"_ga", "GA1.1.1234567890.1732611600"},
		{"CookieConsent", cookiebotValue("{stamp:'wamI9P0yW3Zx5Kk0fPcQ2w==',necessary:true,preferences:true,statistics:true,marketing:false,method:'explicit',ver:1,utc:1676879904933,region:'de'}")},
		{"PHPSESSID", "9f8e7d6c5b4a"},
	}
	if _, ok, err := r.Read(cookies); !ok || err != nil {
		b.Fatalf("ok=%v err=%v", ok, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		r.Read(cookies)
	}
}

// BenchmarkReadTCFUncached reads a different TC string every time (a
// one-entry cache that always misses), so each read decodes.
func BenchmarkReadTCFUncached(b *testing.B) {
	r := mustNew(b, []string{"tcf"}, Options{CacheSize: 1})
	jars := make([][]Cookie, 1024)
	for i := range jars {
		s := goodTCF()
		s.updated = s.updated.Add(time.Duration(i) * time.Second)
		jars[i] = []Cookie{{"euconsent-v2", encodeTCF(s)}}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok, err := r.Read(jars[i%len(jars)]); !ok || err != nil {
			b.Fatalf("ok=%v err=%v", ok, err)
		}
		i++
	}
}

// BenchmarkReadCookiebotUncached is the baseline that the cached read is
// compared with: the same cookie decoded every time.
func BenchmarkReadCookiebotUncached(b *testing.B) {
	r := mustNew(b, []string{"cookiebot"}, Options{CacheSize: 1})
	jars := make([][]Cookie, 1024)
	for i := range jars {
		jars[i] = []Cookie{{"CookieConsent", cookiebotValue("{stamp:'wamI9P0yW3Zx5Kk0fPcQ2w==',necessary:true,preferences:true,statistics:true,marketing:false,method:'explicit',ver:1,utc:" +
			strconv.Itoa(1676879904933+i) + ",region:'de'}")}}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Read(jars[i%len(jars)])
		i++
	}
}
