package cmp

import (
	"errors"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNames(t *testing.T) {
	want := []string{"cookiebot", "onetrust", "klaro", "cookieconsent", "cookieyes", "complianz", "borlabs", "tcf"}
	if got := Names(); !slices.Equal(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	Names()[0] = "changed"
	if Names()[0] != "cookiebot" {
		t.Fatal("Names() shares its slice")
	}
}

func TestNewErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		names   []string
		opts    Options
		wantErr string
	}{
		{"no names", nil, Options{}, "no consent manager"},
		{"unknown", []string{"klaro", "usercentrics"}, Options{}, `"usercentrics"`},
		{"wrong case", []string{"Klaro"}, Options{}, `"Klaro"`},
		{"duplicate", []string{"klaro", "tcf", "klaro"}, Options{}, `"klaro" named twice`},
		{"auto with others", []string{"auto", "klaro"}, Options{}, "cannot be combined"},
		{"bad onetrust category", []string{"auto"}, Options{OneTrustGroups: map[string]string{"C0002": "Analytics"}}, `"Analytics"`},
		{"empty onetrust id", []string{"auto"}, Options{OneTrustGroups: map[string]string{"": Analytics}}, "empty"},
		{"bad service category", []string{"auto"}, Options{Services: map[string]string{"ga": "stats!"}}, `"stats!"`},
		{"long custom category", []string{"auto"}, Options{Services: map[string]string{"ga": strings.Repeat("a", 33)}}, "invalid category"},
		{"conflicting service case", []string{"auto"}, Options{Services: map[string]string{"GA": Analytics, "ga": Marketing}}, "mapped to both"},
		{"bad tcf category", []string{"auto"}, Options{TCFPurposes: map[string][]int{"": {1}}}, "invalid category"},
		{"tcf purpose 0", []string{"auto"}, Options{TCFPurposes: map[string][]int{Analytics: {0}}}, "purpose 0"},
		{"tcf purpose 25", []string{"auto"}, Options{TCFPurposes: map[string][]int{Analytics: {8, 25}}}, "purpose 25"},
		{"tcf empty list", []string{"auto"}, Options{TCFPurposes: map[string][]int{Analytics: {}}}, "empty list"},
		{"negative cache size", []string{"auto"}, Options{CacheSize: -1}, "negative"},
		{"negative ttl", []string{"auto"}, Options{CacheTTL: -time.Second}, "negative"},
		{"long bad name quoted briefly", []string{strings.Repeat("x", 5000)}, Options{}, "..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := New(tc.names, tc.opts)
			if err == nil {
				t.Fatalf("New gave a reader, want an error containing %q", tc.wantErr)
			}
			if r != nil {
				t.Error("New returned a reader with its error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tc.wantErr)
			}
			checkErrorMessage(t, err)
		})
	}
}

func TestNewValid(t *testing.T) {
	for _, names := range [][]string{{"auto"}, Names(), {"tcf", "klaro"}} {
		if _, err := New(names, Options{
			OneTrustGroups: map[string]string{"C0002": "analytics", "C0009": "my_custom-1"},
			Services:       map[string]string{"ga": Analytics},
			TCFPurposes:    map[string][]int{Marketing: {2, 24}},
			CacheSize:      5, CacheTTL: time.Second,
		}); err != nil {
			t.Errorf("New(%q): %v", names, err)
		}
	}
}

func TestCookies(t *testing.T) {
	got := mustNew(t, []string{"auto"}, Options{}).Cookies()
	want := []string{"CookieConsent", "OptanonConsent", "klaro", "cc_cookie", "cookieyes-consent", "cmplz_*", "borlabs-cookie", "euconsent-v2"}
	if !slices.Equal(got, want) {
		t.Fatalf("Cookies() = %q, want %q", got, want)
	}
	got = mustNew(t, []string{"tcf", "complianz"}, Options{}).Cookies()
	if want := []string{"euconsent-v2", "cmplz_*"}; !slices.Equal(got, want) {
		t.Fatalf("Cookies() = %q, want %q", got, want)
	}
}

func TestReadOrder(t *testing.T) {
	cookiebotAll := Cookie{"CookieConsent", cookiebotValue("{stamp:'s',necessary:true,preferences:true,statistics:true,marketing:true,method:'explicit',ver:1}")}
	cookiebotImplied := Cookie{"CookieConsent", cookiebotValue("{stamp:'-1',necessary:true,preferences:true,statistics:true,marketing:true,method:'implied',ver:1}")}
	tcfOnly8 := func() Cookie {
		s := goodTCF()
		s.purposes = []int{1, 8, 9}
		return Cookie{"euconsent-v2", encodeTCF(s)}
	}()
	klaroBad := Cookie{"klaro", "%7B%22a%22"}
	updated := goodTCF().updated

	auto := mustNew(t, []string{"auto"}, Options{})
	runReadCases(t, auto, []readCase{
		{name: "nothing", cookies: []Cookie{{"_ga", "GA1.1.1.1"}, {"PHPSESSID", "x"}}},
		{name: "no cookies", cookies: nil},
		{
			name:    "first manager in order decides",
			cookies: []Cookie{tcfOnly8, cookiebotAll},
			want:    Decision{CMP: "cookiebot", Granted: []string{Analytics, Marketing, Preferences}, ID: "s"},
			wantOK:  true,
		},
		{
			name:    "a cookie with no decision falls through",
			cookies: []Cookie{cookiebotImplied, tcfOnly8},
			want:    Decision{CMP: "tcf", Granted: []string{Analytics}, Time: updated},
			wantOK:  true,
		},
		{name: "malformed cookie stops the search", cookies: []Cookie{tcfOnly8, klaroBad}, wantErr: "reading klaro consent cookie: invalid json"},
	})

	only := mustNew(t, []string{"tcf", "cookiebot"}, Options{})
	runReadCases(t, only, []readCase{
		{
			name:    "configured order",
			cookies: []Cookie{cookiebotAll, tcfOnly8},
			want:    Decision{CMP: "tcf", Granted: []string{Analytics}, Time: updated},
			wantOK:  true,
		},
		{name: "unconfigured managers ignored", cookies: []Cookie{klaroBad}},
	})
}

func TestErrorsDoNotEchoInput(t *testing.T) {
	r := mustNew(t, []string{"auto"}, Options{})
	long := strings.Repeat("Z", 4000)
	for _, c := range []Cookie{
		{"CookieConsent", "{stamp:'x',marketing:" + long + "}"},
		{"CookieConsent", long},
		{"OptanonConsent", "groups=" + long},
		{"klaro", `{"` + long + `":true}`},
		{"klaro", `{"a":` + long + `}`},
		{"cc_cookie", `{"categories":[` + long + `]}`},
		{"cc_cookie", `{"categories":{"` + long + `":1}}`},
		{"cookieyes-consent", "consent:yes,action:yes,analytics:" + long},
		{"cookieyes-consent", long},
		{"cmplz_marketing", long},
		{"borlabs-cookie", `{"consents":{"a":["` + long + `"]}}`},
		{"borlabs-cookie", `{"consents":{"` + long + `":5}}`},
		{"euconsent-v2", "CP=" + long},
	} {
		_, ok, err := r.Read([]Cookie{c})
		if err == nil || ok {
			t.Errorf("%s=%.20s…: ok=%v err=%v, want an error", c.Name, c.Value, ok, err)
			continue
		}
		checkErrorMessage(t, err)
		if strings.Contains(err.Error(), strings.Repeat("Z", maxQuoted+1)) {
			t.Errorf("%s: error echoes more than %d bytes of input: %.200s", c.Name, maxQuoted, err)
		}
	}
}

func TestErrorUnwraps(t *testing.T) {
	r := mustNew(t, []string{"klaro"}, Options{})
	_, _, err := r.Read([]Cookie{{"klaro", "%zz"}})
	var escErr url.EscapeError
	if !errors.As(err, &escErr) {
		t.Fatalf("error %v does not unwrap to url.EscapeError", err)
	}
}

func TestCache(t *testing.T) {
	var calls atomic.Int64
	opts := Options{ServiceCategory: func(s string) (string, bool) {
		calls.Add(1)
		return Analytics, true
	}}
	cookie := []Cookie{{"klaro", encodeURIComponent(`{"matomo":true}`)}}
	want := Decision{CMP: "klaro", Granted: []string{Analytics}, Services: []string{"matomo"}}

	t.Run("hit", func(t *testing.T) {
		calls.Store(0)
		r := mustNew(t, []string{"klaro"}, opts)
		for range 3 {
			d, ok, err := r.Read(cookie)
			checkResult(t, d, ok, err, want, true, "")
		}
		if n := calls.Load(); n != 1 {
			t.Fatalf("decoded %d times, want 1", n)
		}
	})
	t.Run("callers cannot change cached decisions", func(t *testing.T) {
		r := mustNew(t, []string{"klaro"}, opts)
		d, _, _ := r.Read(cookie)
		d.Granted[0] = Marketing
		d.Services[0] = "changed"
		d, ok, err := r.Read(cookie)
		checkResult(t, d, ok, err, want, true, "")
	})
	t.Run("expiry", func(t *testing.T) {
		calls.Store(0)
		o := opts
		o.CacheTTL = time.Nanosecond
		r := mustNew(t, []string{"klaro"}, o)
		for range 3 {
			r.Read(cookie)
			time.Sleep(time.Microsecond)
		}
		if n := calls.Load(); n != 3 {
			t.Fatalf("decoded %d times, want 3", n)
		}
	})
	t.Run("errors cached", func(t *testing.T) {
		r := mustNew(t, []string{"klaro"}, opts)
		bad := []Cookie{{"klaro", `{"a":1}`}}
		_, _, err1 := r.Read(bad)
		_, ok, err2 := r.Read(bad)
		if err1 == nil || err2 == nil || ok || err1.Error() != err2.Error() {
			t.Fatalf("errors %v / %v, ok=%v", err1, err2, ok)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		r := mustNew(t, []string{"klaro"}, Options{CacheSize: 4})
		for i := range 50 {
			name := strings.Repeat("s", i+1) + strings.Repeat("x", 600) // hashed keys
			r.Read([]Cookie{{"klaro", `{"` + name[:min(len(name), 120)] + `":true,"p":"` + name + `"}`}})
			r.Read([]Cookie{{"klaro", `{"` + name[:min(len(name), 100)] + `":true}`}})
		}
		if n := r.cache.lru.Len(); n > 4 {
			t.Fatalf("cache holds %d entries, want at most 4", n)
		}
	})
	t.Run("long values keyed by digest", func(t *testing.T) {
		calls.Store(0)
		r := mustNew(t, []string{"klaro"}, opts)
		long := `{"matomo":true,"` + strings.Repeat("y", 100) + `":true,"` + strings.Repeat("z", 100) + `":true,` +
			`"` + strings.Repeat("w", 120) + `":true,"` + strings.Repeat("v", 120) + `":true,"` + strings.Repeat("u", 120) + `":false}`
		if len(long) <= maxKeyValue {
			t.Fatalf("test value is only %d bytes", len(long))
		}
		for range 2 {
			if _, ok, err := r.Read([]Cookie{{"klaro", long}}); !ok || err != nil {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
		}
		if n := calls.Load(); n != 6 {
			t.Fatalf("catalogue asked %d times, want 6 (one decode)", n)
		}
		for _, k := range r.cache.lru.Keys() {
			if !k.hashed || k.value != "" {
				t.Fatalf("long value stored as key %+v", k)
			}
		}
	})
}

func TestConcurrentReads(t *testing.T) {
	r := mustNew(t, []string{"auto"}, Options{CacheSize: 8})
	jars := [][]Cookie{
		{{"CookieConsent", cookiebotValue("{stamp:'a',statistics:true}")}},
		{{"euconsent-v2", encodeTCF(goodTCF())}},
		{{"cmplz_marketing", "allow"}},
		{{"klaro", "%7B%22x%22"}},
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				d, ok, err := r.Read(jars[(g+i)%len(jars)])
				if err == nil && ok && len(d.Granted) == 0 {
					t.Error("decision lost its grants")
				}
				if ok && len(d.Granted) > 0 {
					d.Granted[0] = "scribble"
				}
			}
		})
	}
	wg.Wait()
}

func TestNewStartsNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		mustNew(t, []string{"auto"}, Options{CacheTTL: time.Minute})
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("goroutines went from %d to %d: readers must not leak a cleanup goroutine", before, after)
	}
}
