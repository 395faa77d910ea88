package cmp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// complianzPrefix starts the names of Complianz's cookies.
const complianzPrefix = "cmplz_"

// complianzFields are the Complianz cookies read, by name after the
// prefix, in the order findComplianz packs them; the first three are the
// category switches and their category.
var complianzFields = [...]struct{ suffix, category string }{
	{"statistics", Analytics},
	{"marketing", Marketing},
	{"preferences", Preferences},
	{"consented_services", ""},
	{"id", ""},
}

// findComplianz packs the Complianz cookies read into one string, used as
// the cache key and decoded by decodeComplianz: for each of complianzFields
// in order, "-" when absent, else the value's length, ':' and the value.
// Complianz is present when one of its category cookies is.
func findComplianz(cookies []Cookie) (string, bool) {
	var values [len(complianzFields)]string
	var found [len(complianzFields)]bool
	for _, c := range cookies {
		suffix, ok := strings.CutPrefix(c.Name, complianzPrefix)
		if !ok {
			continue
		}
		for i, f := range complianzFields {
			if suffix == f.suffix && !found[i] {
				values[i], found[i] = c.Value, true
			}
		}
	}
	if !found[0] && !found[1] && !found[2] {
		return "", false
	}
	var b strings.Builder
	for i := range complianzFields {
		if !found[i] {
			b.WriteByte('-')
			continue
		}
		b.WriteString(strconv.Itoa(len(values[i])))
		b.WriteByte(':')
		b.WriteString(values[i])
	}
	return b.String(), true
}

// unpackComplianz undoes findComplianz.
func unpackComplianz(raw string) (values [len(complianzFields)]string, found [len(complianzFields)]bool, err error) {
	rest := raw
	for i := range complianzFields {
		if strings.HasPrefix(rest, "-") {
			rest = rest[1:]
			continue
		}
		n, after, ok := strings.Cut(rest, ":")
		size, convErr := strconv.Atoi(n)
		if !ok || convErr != nil || size < 0 || size > len(after) {
			return values, found, errors.New("bad packed cookie set")
		}
		values[i], found[i] = after[:size], true
		rest = after[size:]
	}
	if rest != "" {
		return values, found, errors.New("bad packed cookie set")
	}
	return values, found, nil
}

// decodeComplianz reads the cmplz_* cookies of the Complianz WordPress
// plugin.
//
// Complianz keeps one cookie per category, each "allow" or "deny":
// cmplz_statistics (analytics), cmplz_marketing (marketing) and
// cmplz_preferences (preferences); cmplz_functional is always "allow" and
// is not read. It is present when one of the three category cookies is; a
// missing one is not granted (Complianz treats a missing cookie as consent
// on opt-out sites, but a server cannot tell those from a visitor not asked
// yet). Complianz's anonymous-statistics mode needs no consent and sets no
// switch; it is not analytics consent.
//
// cmplz_consented_services, when not empty, holds percent-encoded JSON of
// service name to true or false, for services accepted or refused one at a
// time (for example a video placeholder's "load this"); accepted ones are
// listed in Services and do not grant their category. Complianz's own
// unblocking (cmplz_enable_category) releases a service's content when the
// service is true even if its category is not accepted, and skips it when
// the service is false even if its category is: so each service that maps
// to a catalogue vendor (Options.ServiceVendors, then ServiceVendor) grants
// (true) or refuses (false) that vendor. The id is cmplz_id, the consent
// record number; there is no time. The other cmplz_ cookies
// (banner-status, policy_id, saved_categories, consent_mode) are not read.
func decodeComplianz(cfg *config, raw string) (Decision, bool, error) {
	if len(raw) > 4*maxValueLen {
		return Decision{}, false, fmt.Errorf("cookies are %d bytes, over the limit of %d", len(raw), 4*maxValueLen)
	}
	values, found, err := unpackComplianz(raw)
	if err != nil {
		return Decision{}, false, err
	}
	var granted []string
	for i, f := range complianzFields[:3] {
		if !found[i] {
			continue
		}
		v, err := rawValue(values[i])
		if err != nil {
			return Decision{}, false, wrap(complianzPrefix+f.suffix, err)
		}
		switch v {
		case "allow":
			granted = append(granted, f.category)
		case "deny":
		default:
			return Decision{}, false, fmt.Errorf("%s%s is %s, want allow or deny", complianzPrefix, f.suffix, quote(v))
		}
	}
	var services []string
	vendors := make(VendorSet)
	if found[3] {
		consents, err := complianzServices(values[3])
		if err != nil {
			return Decision{}, false, wrap(complianzPrefix+"consented_services", err)
		}
		for name, accepted := range consents {
			if accepted {
				services = append(services, name)
			}
			if id, ok := cfg.serviceVendorOf(name); ok {
				vendors.grant(id, accepted)
			}
		}
	}
	var id string
	if found[4] {
		if id, err = cookieText(values[4], false); err != nil {
			return Decision{}, false, wrap(complianzPrefix+"id", err)
		}
	}
	return newDecision("complianz", granted, services, vendors, id, time.Time{}), true, nil
}

// complianzServices returns the service choices of a
// cmplz_consented_services value: service name → accepted.
func complianzServices(raw string) (map[string]bool, error) {
	text, err := jsonCookieText(raw)
	if err != nil || text == "" {
		return nil, err
	}
	var consents map[string]bool
	if err := decodeJSONObject(text, &consents); err != nil {
		return nil, err
	}
	for name := range consents {
		if err := checkName("service", name); err != nil {
			return nil, err
		}
	}
	return consents, nil
}
