package rules

import (
	"slices"
	"strings"
	"testing"
)

// tablesMatcher judges URLs and cookie names from Tables alone, as a
// consumer of Tables (the run-time guard) does; the tests hold it to
// MatchURL and MatchCookie.
type tablesMatcher struct {
	t     Tables
	hosts map[string]int
	urls  map[string][]URLRule
	exact map[string]int
	pref  map[string]int
}

func newTablesMatcher(t Tables) *tablesMatcher {
	m := &tablesMatcher{t: t, hosts: map[string]int{}, urls: map[string][]URLRule{}, exact: map[string]int{}, pref: map[string]int{}}
	for _, h := range t.Hosts {
		m.hosts[h.Suffix] = h.Vendor
	}
	for _, u := range t.URLs {
		m.urls[u.Host] = append(m.urls[u.Host], u)
	}
	for _, c := range t.CookieExact {
		m.exact[c.Name] = c.Vendor
	}
	for _, c := range t.CookiePrefix {
		m.pref[c.Name] = c.Vendor
	}
	return m
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) && asciiOnly(s[:len(prefix)])
}

func asciiOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (m *tablesMatcher) url(host, pq string) (int, bool) {
	path, query, _ := strings.Cut(pq, "?")
	hostV, urlV, urlLen := -1, -1, -1
	for h := host; h != ""; {
		if v, ok := m.hosts[h]; ok && hostV < 0 {
			hostV = v
		}
		for _, r := range m.urls[h] {
			if len(r.Path) <= urlLen {
				break
			}
			if hasPrefixFold(path, r.Path) && m.query(query, r.Query) {
				urlV, urlLen = r.Vendor, len(r.Path)
				break
			}
		}
		dot := strings.IndexByte(h, '.')
		if dot < 0 {
			break
		}
		h = h[dot+1:]
	}
	switch {
	case urlV >= 0:
		return urlV, true
	case hostV >= 0:
		return hostV, true
	}
	for _, r := range m.t.Paths {
		if len(path) >= len(r.Suffix) && hasPrefixFold(path[len(path)-len(r.Suffix):], r.Suffix) {
			return r.Vendor, true
		}
	}
	return -1, false
}

func (m *tablesMatcher) query(query string, want []string) bool {
	for _, w := range want {
		found := false
		for _, p := range strings.Split(query, "&") {
			if query != "" && hasPrefixFold(p, w) {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (m *tablesMatcher) cookie(name string) (int, bool) {
	if v, ok := m.exact[name]; ok {
		return v, true
	}
	best, bestLen := -1, -1
	for p, v := range m.pref {
		if strings.HasPrefix(name, p) && len(p) > bestLen {
			best, bestLen = v, len(p)
		}
	}
	return best, best >= 0
}

func builtinRuleset(t testing.TB) *Ruleset {
	t.Helper()
	vs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Compile(vs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestTablesReproduceMatching(t *testing.T) {
	rs := builtinRuleset(t)
	tb := rs.Tables()
	m := newTablesMatcher(tb)
	if len(tb.Vendors) != len(rs.Vendors()) || len(tb.Hosts) == 0 || len(tb.URLs) == 0 || len(tb.Paths) == 0 ||
		len(tb.CookieExact) == 0 || len(tb.CookiePrefix) == 0 {
		t.Fatalf("empty tables: %d vendors, %d hosts, %d urls, %d paths, %d exact, %d prefix",
			len(tb.Vendors), len(tb.Hosts), len(tb.URLs), len(tb.Paths), len(tb.CookieExact), len(tb.CookiePrefix))
	}
	if !slices.Equal(tb.Categories, rs.Categories()) || tb.Necessary != rs.NecessarySet() {
		t.Errorf("categories %v %b, want %v %b", tb.Categories, tb.Necessary, rs.Categories(), rs.NecessarySet())
	}
	for i, v := range rs.Vendors() {
		if tb.Vendors[i].ID != v.ID || tb.Vendors[i].Need != rs.Need(v) {
			t.Errorf("vendor %d = %+v, want %s %b", i, tb.Vendors[i], v.ID, rs.Need(v))
		}
	}

	// Every rule of the catalogue, on its own, under a subdomain, with
	// other paths, other cases and queries.
	var urls [][2]string
	for _, h := range tb.Hosts {
		urls = append(urls, [2]string{h.Suffix, "/"}, [2]string{"www." + h.Suffix, "/x.js?a=1"}, [2]string{"not" + h.Suffix, "/"})
	}
	for _, u := range tb.URLs {
		q := ""
		if len(u.Query) > 0 {
			q = "?" + strings.Join(u.Query, "&") + "X"
		}
		upper := strings.ToUpper(u.Path)
		urls = append(urls, [2]string{u.Host, u.Path + q}, [2]string{"www." + u.Host, upper + "/more" + q},
			[2]string{u.Host, u.Path}, [2]string{u.Host, "/other" + q}, [2]string{u.Host, u.Path + "?z=1&" + strings.TrimPrefix(q, "?")})
	}
	for _, r := range tb.Paths {
		p := r.Suffix
		urls = append(urls, [2]string{"first.example", "/static" + p}, [2]string{"first.example", "/static" + strings.ToUpper(p) + "?v=1"},
			[2]string{"first.example", p + "/not-the-end"})
	}
	for _, u := range urls {
		want, wantOK := rs.MatchURL(u[0], u[1])
		got, gotOK := m.url(u[0], u[1])
		if gotOK != wantOK || gotOK && tb.Vendors[got].ID != want.Vendor.ID {
			t.Errorf("%s%s: tables give %d %v, MatchURL %v %v", u[0], u[1], got, gotOK, want.Vendor, wantOK)
		}
	}

	var names []string
	for _, c := range tb.CookieExact {
		names = append(names, c.Name, c.Name+"x", "x"+c.Name)
	}
	for _, c := range tb.CookiePrefix {
		names = append(names, c.Name, c.Name+"123", c.Name[:len(c.Name)-1])
	}
	for _, n := range names {
		want, wantOK := rs.MatchCookie(n)
		got, gotOK := m.cookie(n)
		if gotOK != wantOK || gotOK && tb.Vendors[got].ID != want.Vendor.ID {
			t.Errorf("cookie %q: tables give %d %v, MatchCookie %v %v", n, got, gotOK, want.Vendor, wantOK)
		}
	}
}

func TestTablesAreCopies(t *testing.T) {
	rs := builtinRuleset(t)
	a := rs.Tables()
	a.Categories[0] = "changed"
	a.URLs[0].Query = append(a.URLs[0].Query, "changed")
	b := rs.Tables()
	if b.Categories[0] == "changed" || slices.Contains(b.URLs[0].Query, "changed") {
		t.Error("Tables shares its slices with the Ruleset")
	}
	if !slices.IsSortedFunc(b.Hosts, func(x, y HostRule) int { return strings.Compare(x.Suffix, y.Suffix) }) {
		t.Error("hosts are not sorted")
	}
}
