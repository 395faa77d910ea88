package cmp

import (
	"errors"
	"slices"
	"time"
)

// cookieConsentCookie is where orestbida's cookieconsent keeps the
// visitor's choice (its default cookie.name).
const cookieConsentCookie = "cc_cookie"

// ccVersion names the members of one version of cc_cookie.
type ccVersion struct{ categories, id, lastTime, firstTime string }

// ccVersions lists the versions, newest first.
var ccVersions = [...]ccVersion{
	{"categories", "consentId", "lastConsentTimestamp", "consentTimestamp"},
	{"level", "consent_uuid", "last_consent_update", "consent_date"},
}

// decodeCookieConsent reads the cc_cookie cookie of orestbida's
// cookieconsent, versions 2 and 3.
//
// Version 3 stores percent-encoded JSON such as
//
//	{"categories":["necessary","analytics"],"revision":0,"data":null,"consentTimestamp":"2024-11-26T09:00:00.000Z","consentId":"5c4a…","services":{"necessary":[],"analytics":["ga"]},"languageCode":"en","lastConsentTimestamp":"2024-11-26T09:00:00.000Z","expirationTime":1748250000000}
//
// and version 2 {"level":["necessary","analytics"],"revision":0,"data":null,"rfc_cookie":false,…},
// as plain JSON unless its rfc_cookie option percent-encodes it. Category
// names are the site's own: they map through the synonyms in
// categorySynonyms or to a custom category of the same name; others grant
// nothing. The site's categories are the accepted ones plus, in v3, the
// keys of services, which lists every category the site defines.
//
// cookieconsent runs a script when the one category in its data-category
// is accepted. When several of the site's categories map to one of ours
// ("analytics" and "performance"), the one whose name is closest to ours
// decides (see closestSiteCategory): the site tags its analytics tools with
// its analytics category, and requiring "performance" too would block
// them after the visitor accepted analytics.
//
// Services lists the services accepted in accepted categories. cookieconsent
// runs a data-service script when that service is enabled, so each such
// service that maps to a catalogue vendor (Options.ServiceVendors, then
// ServiceVendor) grants that vendor. Only enabled services are recorded, so
// a service turned off inside an accepted category cannot be told from one
// the site never defined; such vendors follow their category. The id is
// consentId (v3) or consent_uuid (v2), the time lastConsentTimestamp,
// falling back to consentTimestamp (v2: last_consent_update, consent_date).
func decodeCookieConsent(cfg *config, raw string) (Decision, bool, error) {
	text, err := jsonCookieText(raw)
	if err != nil {
		return Decision{}, false, err
	}
	fields, err := jsonFields(text)
	if err != nil {
		return Decision{}, false, err
	}
	var names []string
	var version ccVersion
	for _, version = range ccVersions {
		found, err := jsonField(fields, version.categories, &names)
		if err != nil {
			return Decision{}, false, err
		}
		if found {
			break
		}
	}
	if names == nil {
		return Decision{}, false, errors.New("neither categories (v3) nor level (v2)")
	}
	var id, lastTime, firstTime string
	var byCategory map[string][]string
	for _, f := range [...]struct {
		name string
		dst  any
	}{{version.id, &id}, {version.lastTime, &lastTime}, {version.firstTime, &firstTime}, {"services", &byCategory}} {
		if _, err := jsonField(fields, f.name, f.dst); err != nil {
			return Decision{}, false, err
		}
	}
	t := firstISOTime(lastTime, firstTime)
	var services []string
	vendors := make(VendorSet)
	accepted := make(map[string]bool, len(names))
	siteCategories := make(map[string][]string) // our category -> the site's that map to it
	note := func(name string) error {
		if err := checkName("category", name); err != nil {
			return err
		}
		if category, ok := categoryFromName(cfg, name); ok && !slices.Contains(siteCategories[category], name) {
			siteCategories[category] = append(siteCategories[category], name)
		}
		return nil
	}
	for _, name := range names {
		if err := note(name); err != nil {
			return Decision{}, false, err
		}
		accepted[name] = true
	}
	for category, list := range byCategory {
		if err := note(category); err != nil {
			return Decision{}, false, err
		}
		for _, service := range list {
			if err := checkName("service", service); err != nil {
				return Decision{}, false, err
			}
			if !accepted[category] {
				continue
			}
			services = append(services, service)
			if v, ok := cfg.serviceVendorOf(service); ok {
				vendors.grant(v, true)
			}
		}
	}
	var granted []string
	for category, site := range siteCategories {
		if accepted[closestSiteCategory(category, site)] {
			granted = append(granted, category)
		}
	}
	return newDecision("cookieconsent", granted, services, vendors, id, t), true, nil
}

// closestSiteCategory returns, of the site's categories that map to our
// category, the one whose name is closest to ours: our name itself, else
// the earliest in synonyms, else (custom names) the first in sorted
// order.
func closestSiteCategory(category string, site []string) string {
	best, bestRank := "", len(synonyms)+1
	for _, name := range site {
		rank := -1
		if key := synonymKey(name); key != category {
			rank = synonymRank(key)
		}
		if rank < bestRank || rank == bestRank && name < best {
			best, bestRank = name, rank
		}
	}
	return best
}

// firstISOTime returns the first of values that parses as an RFC 3339
// time, or the zero time.
func firstISOTime(values ...string) time.Time {
	for _, v := range values {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}
