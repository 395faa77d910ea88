package rules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// ParseAdGuard reads AdGuard's companiesdb trackers.json
// (https://github.com/AdguardTeam/companiesdb, dist/trackers.json): one
// vendor per tracker, holding its domains. Its categories map as
// advertising, pornvertising and social_media → marketing; site_analytics,
// mobile_analytics and telemetry → analytics; audio_video_player, comments
// and customer_interaction → preferences; essential, consent, cdn and
// hosting → necessary. Trackers of other categories (misc, unknown,
// extensions, email) are skipped: a domain list is not evidence enough to
// block them.
//
// trackers.json names each tracker's company by id only. When the file
// also holds a "companies" member in the form of companiesdb's
// dist/companies.json (company id → {"name": …}), for example the two
// files merged with jq -s '.[0] * .[1]', the company's name becomes the
// vendor's Provider.
func ParseAdGuard(r io.Reader, name string) ([]Vendor, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	var db struct {
		Categories map[string]string `json:"categories"`
		Trackers   map[string]struct {
			Name       string `json:"name"`
			CategoryID *int   `json:"categoryId"`
			CompanyID  string `json:"companyId"`
		} `json:"trackers"`
		Companies map[string]struct {
			Name string `json:"name"`
		} `json:"companies"`
		TrackerDomains map[string]string `json:"trackerDomains"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&db); err != nil {
		return nil, jsonError(name, data, err)
	}
	if db.Trackers == nil || db.TrackerDomains == nil {
		return nil, fmt.Errorf("%s: want \"trackers\" and \"trackerDomains\" members (an AdGuard companiesdb trackers.json)", name)
	}
	hosts := make(map[string][]string)
	for domain, id := range db.TrackerDomains {
		hosts[id] = append(hosts[id], domain)
	}
	ids := make([]string, 0, len(hosts))
	for id := range hosts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []Vendor
	for _, id := range ids {
		t, ok := db.Trackers[id]
		if !ok {
			return nil, fmt.Errorf("%s: domain of unknown tracker %q", name, id)
		}
		if t.CategoryID == nil {
			continue
		}
		cat, ok := adguardCategory(db.Categories[fmt.Sprint(*t.CategoryID)])
		if !ok {
			continue
		}
		hs := hosts[id]
		sort.Strings(hs)
		valid := hs[:0]
		for _, h := range hs {
			if _, err := normaliseHost(h); err == nil {
				valid = append(valid, h)
			}
		}
		if len(valid) == 0 {
			continue
		}
		out = append(out, Vendor{
			ID:       "adguard:" + id,
			Name:     t.Name,
			Category: cat,
			Hosts:    valid,
			Provider: db.Companies[t.CompanyID].Name,
			Source:   name,
			Weak:     true,
		})
	}
	return out, nil
}

func adguardCategory(s string) (Category, bool) {
	switch s {
	case "advertising", "pornvertising", "social_media":
		return Marketing, true
	case "site_analytics", "mobile_analytics", "telemetry":
		return Analytics, true
	case "audio_video_player", "comments", "customer_interaction":
		return Preferences, true
	case "essential", "consent", "cdn", "hosting":
		return Necessary, true
	}
	return "", false
}
