package middleware

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestExpireNamelessCookie: a tracker cookie a browser stored without a
// name (Set-Cookie: =_ga_x) comes back as the pair "_ga_x"; it is
// expired by a line without a name, the only one that replaces it.
func TestExpireNamelessCookie(t *testing.T) {
	r := httptest.NewRequest("GET", "https://www.shop.example.com/", nil)
	h := http.Header{}
	expireCookies(h, r, []string{"=_ga_x", "_fbp"})
	want := []string{
		"_ga_x; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure",
		"_ga_x; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; Domain=www.shop.example.com",
		"_ga_x; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; Domain=example.com",
	}
	got := h["Set-Cookie"]
	if len(got) != 6 || !slices.Equal(got[:3], want) || got[3] != "_fbp=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure" {
		t.Errorf("expiry lines:\n%q", got)
	}
}
