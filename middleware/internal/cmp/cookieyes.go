package cmp

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// cookieYesCookie is where CookieYes keeps the visitor's choice.
const cookieYesCookie = "cookieyes-consent"

// cookieYesCategories maps CookieYes's fixed categories to ours, one to
// one. CookieYes gates each tool by the one category its cookie list files
// it under (data-cookieyes="cookieyes-analytics" and so on): Google
// Analytics, Hotjar and the like are Analytics. Performance ("site speed,
// responsiveness") is a category of its own that no catalogue category
// matches, so it maps to nothing: requiring it for analytics would keep
// Google Analytics blocked after the visitor accepted Analytics, which
// CookieYes would load. "other" (uncategorised cookies) maps to nothing
// either. The values are still checked.
var cookieYesCategories = map[string]string{
	"necessary":     Necessary,
	"functional":    Preferences,
	"analytics":     Analytics,
	"performance":   "",
	"advertisement": Marketing,
	"other":         "",
}

// decodeCookieYes reads CookieYes's cookieyes-consent cookie.
//
// CookieYes stores comma-separated key:value pairs, sometimes
// percent-encoded, for example
//
//	consentid:WHRLb3BVQ2x2…,consent:yes,action:yes,necessary:yes,functional:yes,analytics:no,performance:no,advertisement:no,other:no
//
// functional maps to preferences, analytics to analytics, advertisement to
// marketing; performance and other map to nothing (see
// cookieYesCategories); a missing category is not granted. The cookie
// holds no per-vendor choices. consent:no means the
// visitor accepted nothing optional: nothing is granted, whatever the
// category pairs say. A consent key is required. An action other than yes
// (CookieYes writes the defaults before the visitor acts) gives no
// decision. The id is consentid; there is no time.
func decodeCookieYes(_ *config, raw string) (Decision, bool, error) {
	text, err := cookieText(raw, false)
	if err != nil {
		return Decision{}, false, err
	}
	pairs := make(map[string]string)
	for item := range strings.SplitSeq(text, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		key, value, found := strings.Cut(item, ":")
		if !found || key == "" {
			return Decision{}, false, fmt.Errorf("item %s is not key:value", quote(item))
		}
		if _, dup := pairs[key]; dup {
			return Decision{}, false, fmt.Errorf("key %s repeated", quote(key))
		}
		pairs[key] = value
	}
	consent, ok := pairs["consent"]
	if !ok {
		return Decision{}, false, errors.New("no consent key")
	}
	if consent != "yes" && consent != "no" {
		return Decision{}, false, fmt.Errorf("consent is %s, want yes or no", quote(consent))
	}
	if action, ok := pairs["action"]; ok && action != "yes" {
		if action != "no" && action != "" {
			return Decision{}, false, fmt.Errorf("action is %s, want yes or no", quote(action))
		}
		return Decision{}, false, nil
	}
	var granted []string
	for key, category := range cookieYesCategories {
		value, ok := pairs[key]
		if !ok {
			continue
		}
		switch value {
		case "yes":
			if consent == "yes" && category != "" {
				granted = append(granted, category)
			}
		case "no":
		default:
			return Decision{}, false, fmt.Errorf("%s is %s, want yes or no", key, quote(value))
		}
	}
	return newDecision("cookieyes", granted, nil, nil, pairs["consentid"], time.Time{}), true, nil
}
