package cmp

import (
	"errors"
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
// nothing. Services lists the services accepted in accepted categories;
// they refine, never widen, what the categories grant. The id is consentId
// (v3) or consent_uuid (v2), the time lastConsentTimestamp, falling back
// to consentTimestamp (v2: last_consent_update, consent_date).
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
	var granted, services []string
	accepted := make(map[string]bool, len(names))
	for _, name := range names {
		if err := checkName("category", name); err != nil {
			return Decision{}, false, err
		}
		accepted[name] = true
		if category, ok := categoryFromName(cfg, name); ok {
			granted = append(granted, category)
		}
	}
	for category, list := range byCategory {
		if err := checkName("category", category); err != nil {
			return Decision{}, false, err
		}
		for _, service := range list {
			if err := checkName("service", service); err != nil {
				return Decision{}, false, err
			}
			if accepted[category] {
				services = append(services, service)
			}
		}
	}
	return newDecision("cookieconsent", granted, services, id, t), true, nil
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
