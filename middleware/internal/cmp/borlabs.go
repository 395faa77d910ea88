package cmp

import (
	"errors"
	"strings"
	"time"
)

// borlabsCookie is where Borlabs Cookie keeps the visitor's choice.
const borlabsCookie = "borlabs-cookie"

// decodeBorlabs reads the borlabs-cookie cookie of the Borlabs Cookie
// WordPress plugin, versions 2 and 3.
//
// Borlabs stores percent-encoded JSON listing, per service group, the ids
// of the services the visitor accepted:
//
//	{"consents":{"essential":["borlabs-cookie"],"statistics":["google-analytics"],"marketing":[],"external-media":["youtube"]},"domainPath":"example.com/","expires":"Wed, 26 Nov 2025 10:00:00 GMT","uid":"3r1ezs6q-0s3e6x9e-4t6r3n5f-9k9r0j3s","version":"1"}
//
// Groups map to categories by name: essential to necessary, statistics to
// analytics, marketing to marketing, and the other synonyms of
// categorySynonyms. A refused group is absent or lists no service.
//
// external-media (video, map and social embeds) also maps to marketing:
// those embeds set third-party cookies that profile visitors, and the
// catalogue files them under marketing. It counts only against marketing,
// never for it: marketing is granted when a group that names marketing is
// accepted and no other marketing group, external-media included, is
// present but empty. A visitor who allowed YouTube embeds alone grants no
// marketing pixels; the embeds' ids are in Services for per-service
// unblocking. Unknown groups grant nothing.
//
// Services lists every accepted service id. Borlabs loads a service when
// its id is in the cookie, so each accepted id that maps to a catalogue
// vendor (Options.ServiceVendors, then ServiceVendor) grants that vendor,
// whatever its category: a visitor who unblocked the YouTube placeholder
// gets YouTube. Borlabs lists accepted services only, so a service turned
// off inside an accepted group cannot be told from one the site never
// configured; such vendors follow their category. The id is uid; Borlabs
// keeps only the expiry date, so there is no time.
func decodeBorlabs(cfg *config, raw string) (Decision, bool, error) {
	text, err := jsonCookieText(raw)
	if err != nil {
		return Decision{}, false, err
	}
	fields, err := jsonFields(text)
	if err != nil {
		return Decision{}, false, err
	}
	var consents map[string][]string
	var uid string
	found, err := jsonField(fields, "consents", &consents)
	if err != nil {
		return Decision{}, false, err
	}
	if !found {
		return Decision{}, false, errors.New("no consents object")
	}
	if _, err := jsonField(fields, "uid", &uid); err != nil {
		return Decision{}, false, err
	}
	type tally struct{ primary, empty bool }
	byCategory := make(map[string]*tally)
	var services []string
	vendors := make(VendorSet)
	for group, ids := range consents {
		if err := checkName("group", group); err != nil {
			return Decision{}, false, err
		}
		for _, id := range ids {
			if err := checkName("service", id); err != nil {
				return Decision{}, false, err
			}
		}
		services = append(services, ids...)
		for _, id := range ids {
			if v, ok := cfg.serviceVendorOf(id); ok {
				vendors.grant(v, true)
			}
		}
		category, primary, ok := borlabsGroupCategory(cfg, group)
		if !ok {
			continue
		}
		t := byCategory[category]
		if t == nil {
			t = new(tally)
			byCategory[category] = t
		}
		if len(ids) == 0 {
			t.empty = true
		} else if primary {
			t.primary = true
		}
	}
	var granted []string
	for category, t := range byCategory {
		if t.primary && !t.empty {
			granted = append(granted, category)
		}
	}
	return newDecision("borlabs", granted, services, vendors, uid, time.Time{}), true, nil
}

// borlabsGroupCategory maps a Borlabs group to a category; primary is false
// for groups that can only withhold the category (external-media).
func borlabsGroupCategory(cfg *config, group string) (category string, primary, ok bool) {
	if g := strings.ToLower(group); g == "external-media" || g == "external_media" {
		return Marketing, false, true
	}
	category, ok = categoryFromName(cfg, group)
	return category, true, ok
}
