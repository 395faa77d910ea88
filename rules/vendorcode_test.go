package rules

import (
	"strings"
	"testing"
)

// TestVendorCodes: every vendor of the built-in catalogue has a code of
// its own, five cookie-safe characters, and all of them together fit a
// consent cookie easily.
func TestVendorCodes(t *testing.T) {
	vs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := Compile(vs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if u := rs.UncodedVendors(); len(u) > 0 {
		t.Fatalf("catalogue vendors without a code of their own: %v", u)
	}
	total := 0
	for _, v := range rs.Vendors() {
		c, ok := rs.VendorCode(v.ID)
		if !ok || len(c) != VendorCodeLen || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Fatalf("%s: code %q", v.ID, c)
		}
		if id, ok := rs.VendorIDByCode(c); !ok || id != v.ID {
			t.Fatalf("code %s of %s reads back as %s", c, v.ID, id)
		}
		total += len(c)
	}
	if total > 800 {
		t.Errorf("the catalogue's %d vendor codes take %d bytes", len(rs.Vendors()), total)
	}
	// Two ids with one code (found by the birthday bound: some pair among
	// a few hundred thousand ids shares 30 bits): the first keeps it.
	var a, b string
	seen := map[string]string{}
	for i := 0; b == ""; i++ {
		id := "v" + itoa(i)
		if other, ok := seen[vendorCode(id)]; ok {
			a, b = other, id
		}
		seen[vendorCode(id)] = id
	}
	rs, err = Compile([]Vendor{{ID: a, Category: Marketing}, {ID: b, Category: Marketing}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs.VendorCode(a); !ok {
		t.Error("the first of two colliding ids lost its code")
	}
	if _, ok := rs.VendorCode(b); ok || len(rs.UncodedVendors()) != 1 {
		t.Errorf("the second of two colliding ids: uncoded %v", rs.UncodedVendors())
	}
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}
