package weburl

import (
	"encoding/json"
	"net/url"
	"os"
	"testing"
)

type wcase struct {
	Input, Base string
	OK          bool
	Host        string
	PathQuery   string
}

func TestDump(t *testing.T) {
	data, _ := os.ReadFile("testdata/whatwg.json")
	var cs []wcase
	json.Unmarshal(data, &cs)
	for _, c := range cs {
		bu, _ := url.Parse(c.Base)
		base := NewBase(bu.Scheme, bu.Host, bu.Path)
		var buf Buffer
		u, ok := Parse([]byte(c.Input), &base, &buf)
		if ok != c.OK || ok && (string(u.Host) != c.Host || norm(string(u.PathQuery)) != norm(c.PathQuery)) {
			t.Logf("%q base=%s\n   node: ok=%v host=%q pq=%q\n   go:   ok=%v host=%q pq=%q", c.Input, c.Base, c.OK, c.Host, c.PathQuery, ok, u.Host, u.PathQuery)
		}
	}
}

func norm(s string) string {
	q := len(s)
	for i := 0; i < len(s); i++ {
		if s[i] == '?' {
			q = i
			break
		}
	}
	out := []byte{}
	for i := 0; i < q; i++ {
		if s[i] == '%' && i+2 < q {
			if c, ok := unhex(s[i+1], s[i+2]); ok && isUnreserved(c) {
				out = append(out, c)
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return string(out) + s[q:]
}
