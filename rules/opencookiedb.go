package rules

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// ParseOpenCookieDatabase reads the Open Cookie Database CSV
// (https://github.com/jkwakman/Open-Cookie-Database): one vendor per
// platform and category, holding its cookie names. Categories map as
// Analytics → analytics, Marketing → marketing, Personalization →
// preferences, and Functional, Security and Necessary → necessary. Rows
// with a "Wildcard match" of 1 are prefix patterns. Errors give the line.
//
// The declaration fields come from the other columns where present: the
// vendor's Provider from "Data Controller" and PrivacyPolicy from "User
// Privacy & GDPR Rights Portals" (the first row of the platform that has
// them); each cookie's Purpose from "Description", its Lifetime from
// "Retention period" (normalised: "1 Year" → "1 year", "Session" →
// "session") and its Party from "Domain": an empty domain is a first-party
// cookie, any other a third-party one on that domain.
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
	description, retention, domain := col("Description"), col("Retention period"), col("Domain")
	controller, portal := col("Data Controller"), col("User Privacy & GDPR Rights Portals")
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
		v := &out[i]
		if v.Provider == "" {
			v.Provider = get(controller)
		}
		if v.PrivacyPolicy == "" && isWebURL(get(portal)) {
			v.PrivacyPolicy = get(portal)
		}
		if _, dup := v.CookieDetails[cname]; dup {
			continue // the first row of a name describes it
		}
		v.Cookies = append(v.Cookies, cname)
		if v.CookieDetails == nil {
			v.CookieDetails = make(map[string]CookieDetail)
		}
		v.CookieDetails[cname] = openCookieDetail(get(description), get(retention), get(domain))
	}
	return out, nil
}

// openCookieDetail builds a cookie's declaration from the Description,
// Retention period and Domain columns.
func openCookieDetail(description, retention, domain string) CookieDetail {
	d := CookieDetail{
		Purpose:  strings.Join(strings.Fields(description), " "),
		Lifetime: normaliseLifetime(retention),
		Party:    FirstParty,
	}
	if domain != "" {
		d.Party = ThirdParty
		host := strings.ToLower(domain)
		if i := strings.IndexAny(host, " (,;/"); i >= 0 {
			host = host[:i]
		}
		host = strings.TrimPrefix(host, ".")
		if n, err := normaliseHost(host); err == nil && strings.Contains(n, ".") {
			d.Domain = n
		}
	}
	return d
}

// isWebURL reports whether s is an absolute http or https URL.
func isWebURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// normaliseLifetime rewrites a cookie retention period as written in
// cookie lists into the form a declaration shows: "N unit" with the unit
// spelt out in lower case and in the plural unless N is 1 ("1 Year" →
// "1 year", "30 mins" → "30 minutes", "90 Days" → "90 days"); "session"
// for session cookies however spelt; "persistent" for cookies without an
// expiry. Other text that carries a number ("2 years after last
// activity") is kept as written, trimmed; text that says nothing about a
// lifetime ("Unknown", "Varies", "Local Storage") gives "".
func normaliseLifetime(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	lower := strings.ToLower(s)
	switch lower {
	case "session", "sessions", "session cookie", "end of session", "end of session (browser)", "browser session", "seesion":
		return "session"
	case "persistent", "permanent", "forever", "unlimited", "no expiration", "never expires":
		return "persistent"
	}
	if n, unit, ok := strings.Cut(lower, " "); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		if u, known := lifetimeUnits[unit]; known {
			n = strings.TrimLeft(n, "0")
			switch n {
			case "":
				n = "0"
			case "1":
				return "1 " + u
			}
			return n + " " + u + "s"
		}
	}
	if strings.ContainsAny(s, "0123456789") {
		return s
	}
	return ""
}

// lifetimeUnits maps the spellings of time units to their singular name.
var lifetimeUnits = map[string]string{
	"second": "second", "seconds": "second", "sec": "second", "secs": "second", "s": "second",
	"minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
	"hour": "hour", "hours": "hour", "h": "hour",
	"day": "day", "days": "day", "d": "day",
	"week": "week", "weeks": "week", "w": "week",
	"month": "month", "months": "month",
	"year": "year", "years": "year", "y": "year",
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
