package cmp

import "time"

// klaroCookie is where Klaro keeps the visitor's choice (its default
// storageName).
const klaroCookie = "klaro"

// decodeKlaro reads Klaro's klaro cookie.
//
// Klaro stores encodeURIComponent(JSON.stringify(consents)), an object of
// service name to true (accepted) or false (refused), for example
// %7B%22matomo%22%3Atrue%2C%22youtube%22%3Afalse%7D. Klaro has no
// categories of its own in the cookie, so each service maps to a category
// through Options.Services and then Options.ServiceCategory; services
// neither knows are skipped.
//
// A category is granted only when at least one of its known services is
// in the cookie and every one of its known services in the cookie is true:
// a visitor who accepted Matomo but refused Google Analytics has not
// granted analytics, though Matomo is listed in Services. Services lists
// every accepted service, known or not. Klaro keeps no id or time.
//
// Klaro loads a service when its own entry is true, and the cookie records
// every service the site configured, so each service that maps to a
// catalogue vendor (Options.ServiceVendors, then ServiceVendor) decides
// that vendor: true grants it, false refuses it, whatever the category
// says. In the example the Matomo vendor runs and Google Analytics does
// not.
func decodeKlaro(cfg *config, raw string) (Decision, bool, error) {
	text, err := jsonCookieText(raw)
	if err != nil {
		return Decision{}, false, err
	}
	var consents map[string]bool
	if err := decodeJSONObject(text, &consents); err != nil {
		return Decision{}, false, err
	}
	type tally struct{ accepted, refused bool }
	byCategory := make(map[string]*tally)
	var services []string
	vendors := make(VendorSet)
	for name, accepted := range consents {
		if err := checkName("service", name); err != nil {
			return Decision{}, false, err
		}
		if accepted {
			services = append(services, name)
		}
		if id, ok := cfg.serviceVendorOf(name); ok {
			vendors.grant(id, accepted)
		}
		category, ok := cfg.serviceCategoryOf(name)
		if !ok {
			continue
		}
		t := byCategory[category]
		if t == nil {
			t = new(tally)
			byCategory[category] = t
		}
		if accepted {
			t.accepted = true
		} else {
			t.refused = true
		}
	}
	var granted []string
	for category, t := range byCategory {
		if t.accepted && !t.refused {
			granted = append(granted, category)
		}
	}
	return newDecision("klaro", granted, services, vendors, "", time.Time{}), true, nil
}
