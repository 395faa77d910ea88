package cmp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// oneTrustCookie is where OneTrust keeps the visitor's choice.
const oneTrustCookie = "OptanonConsent"

// decodeOneTrust reads OneTrust's OptanonConsent cookie.
//
// OneTrust's script stores a URL query string, for example
//
//	isGpcEnabled=0&datestamp=Tue+Nov+26+2024+10%3A00%3A00+GMT%2B0100+(Central+European+Standard+Time)&version=202409.1.0&consentId=0b8c…&interactionCount=1&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A1%2CC0004%3A0&hosts=&geolocation=DE%3BBE&AwaitingReconsent=false
//
// groups lists "group:1" (allowed) or "group:0" (refused); group ids map to
// categories through Options.OneTrustGroups and unmapped groups (vendor
// groups, stacks) are skipped. A category is granted only when at least
// one of its groups is in the cookie and every one of its groups that is
// in the cookie is 1 (several groups mapped to one category must all be
// on, as OneTrust loads a tool only when its own group is).
//
// Groups in Options.OneTrustGroupVendors decide their vendors by
// themselves: by default social media (C0005) grants or refuses the
// catalogue's social widgets, whatever marketing says, as OneTrust loads
// optanon-category-C0005 scripts on C0005 alone, and targeting (C0004)
// alone decides marketing. The cookie's hosts= and genVendors= lists use
// ids each site defines, so they are not read.
//
// OneTrust writes the cookie on the first page view, before the visitor has
// chosen, with the site's default state and interactionCount=0; in
// notice-only or opt-out regions that default allows everything. So
// interactionCount=0 gives no decision, and so does an absent or empty
// groups. The id is consentId; the time is datestamp, JavaScript's
// Date.toString() form, zero when it cannot be parsed.
func decodeOneTrust(cfg *config, raw string) (Decision, bool, error) {
	raw, err := rawValue(raw)
	if err != nil {
		return Decision{}, false, err
	}
	var groups, consentID, datestamp, interactions string
	var seenGroups bool
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		rawKey, rawVal, _ := strings.Cut(part, "=")
		key, err := unescape(rawKey, true)
		if err != nil {
			return Decision{}, false, wrap("field name "+quote(rawKey), err)
		}
		var dst *string
		switch key {
		case "groups":
			if seenGroups {
				return Decision{}, false, errors.New("groups field repeated")
			}
			seenGroups = true
			dst = &groups
		case "consentId":
			dst = &consentID
		case "datestamp":
			dst = &datestamp
		case "interactionCount":
			dst = &interactions
		default:
			continue
		}
		if *dst, err = unescape(rawVal, true); err != nil {
			return Decision{}, false, wrap("field "+key, err)
		}
	}
	if interactions != "" {
		n, err := strconv.ParseUint(interactions, 10, 32)
		if err != nil {
			return Decision{}, false, fmt.Errorf("interactionCount %s is not a count", quote(interactions))
		}
		if n == 0 {
			return Decision{}, false, nil
		}
	}
	if groups == "" {
		return Decision{}, false, nil
	}
	states, err := parseOneTrustGroups(groups)
	if err != nil {
		return Decision{}, false, err
	}
	var granted []string
	for category, ids := range cfg.oneTrustByCat {
		present, allOn := false, true
		for _, id := range ids {
			on, ok := states[id]
			if !ok {
				continue
			}
			present = true
			allOn = allOn && on
		}
		if present && allOn {
			granted = append(granted, category)
		}
	}
	vendors := make(VendorSet)
	for group, ids := range cfg.oneTrustVendors {
		on, ok := states[group]
		if !ok {
			continue
		}
		for _, id := range ids {
			vendors.grant(id, on)
		}
	}
	return newDecision("onetrust", granted, nil, vendors, consentID, parseJSDate(datestamp)), true, nil
}

// parseOneTrustGroups parses "C0001:1,C0002:0,…" into group id → allowed.
func parseOneTrustGroups(groups string) (map[string]bool, error) {
	states := make(map[string]bool)
	for entry := range strings.SplitSeq(groups, ",") {
		if entry == "" {
			continue
		}
		id, state, found := strings.Cut(entry, ":")
		if !found || id == "" {
			return nil, fmt.Errorf("group entry %s is not id:state", quote(entry))
		}
		var on bool
		switch state {
		case "1":
			on = true
		case "0":
		default:
			return nil, fmt.Errorf("group %s has state %s, want 0 or 1", quote(id), quote(state))
		}
		if prev, dup := states[id]; dup && prev != on {
			return nil, fmt.Errorf("group %s listed twice with different states", quote(id))
		}
		states[id] = on
	}
	return states, nil
}

// parseJSDate parses JavaScript's Date.prototype.toString() form, as in
// "Tue Nov 26 2024 10:00:00 GMT+0100 (Central European Standard Time)".
// It returns the zero time when s is not in that form.
func parseJSDate(s string) time.Time {
	if i := strings.Index(s, " ("); i >= 0 {
		s = s[:i]
	}
	t, err := time.Parse("Mon Jan 02 2006 15:04:05 GMT-0700", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
