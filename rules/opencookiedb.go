package rules

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ParseOpenCookieDatabase reads the Open Cookie Database CSV
// (https://github.com/jkwakman/Open-Cookie-Database): one vendor per
// platform, holding its cookie names. Categories map as Analytics →
// analytics, Marketing → marketing, Personalization → preferences, and
// Functional, Security and Necessary → necessary. Rows with a "Wildcard
// match" of 1 are prefix patterns. Errors give the line.
func ParseOpenCookieDatabase(r io.Reader, name string) ([]Vendor, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	col := func(want string) int {
		for i, h := range header {
			if strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), want) {
				return i
			}
		}
		return -1
	}
	platform, category, cookie, wildcard := col("Platform"), col("Category"), col("Cookie / Data Key name"), col("Wildcard match")
	if platform < 0 || category < 0 || cookie < 0 {
		return nil, fmt.Errorf("%s:1: want columns Platform, Category and \"Cookie / Data Key name\" (an Open Cookie Database CSV)", name)
	}
	type key struct {
		platform string // slug: platforms spelt differently are one
		cat      Category
	}
	index := make(map[key]int)
	var out []Vendor
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		get := func(i int) string {
			if i < 0 || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		cat, ok := openCookieCategory(get(category))
		if !ok {
			return nil, fmt.Errorf("%s:%d: unknown category %q", name, line, get(category))
		}
		cname := get(cookie)
		if cname == "" {
			return nil, fmt.Errorf("%s:%d: empty cookie name", name, line)
		}
		if strings.Contains(cname, "*") {
			// A few rows write patterns with '*' in the middle; a prefix up
			// to the first '*' keeps their meaning conservatively.
			cname = cname[:strings.IndexByte(cname, '*')]
			if cname == "" {
				continue
			}
			cname += "*"
		} else if get(wildcard) == "1" {
			cname += "*"
		}
		k := key{slug(get(platform)), cat}
		if k.platform == "" {
			k.platform = "unnamed"
		}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Vendor{
				ID:       "ocd:" + k.platform + ":" + string(cat),
				Name:     get(platform),
				Category: cat,
				Source:   name,
				Weak:     true,
			})
		}
		out[i].Cookies = append(out[i].Cookies, cname)
	}
	return out, nil
}

func openCookieCategory(s string) (Category, bool) {
	switch strings.ToLower(s) {
	case "analytics":
		return Analytics, true
	case "marketing":
		return Marketing, true
	case "personalization", "personalisation", "preferences":
		return Preferences, true
	case "functional", "security", "necessary":
		return Necessary, true
	}
	return "", false
}

// slug lower-cases s and replaces runs of other characters with '-'.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
