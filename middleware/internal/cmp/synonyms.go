package cmp

import "strings"

// categorySynonyms maps the category and group names that sites commonly
// give in managers with free-form names (cookieconsent, Borlabs) to our
// categories. Names are compared lower-cased with '-' and ' ' read as '_'.
//
// "functional" and "functionality" mean optional comfort features in these
// managers (orestbida's examples use them next to "necessary"), so they are
// preferences, not necessary. Names with no clear meaning ("tracking",
// "other", "external_media") are left out and grant nothing.
var categorySynonyms = map[string]string{
	"necessary":          Necessary,
	"strictly_necessary": Necessary,
	"essential":          Necessary,
	"required":           Necessary,
	"technical":          Necessary,

	"preferences":     Preferences,
	"preference":      Preferences,
	"functionality":   Preferences,
	"functional":      Preferences,
	"personalization": Preferences,
	"personalisation": Preferences,

	"analytics":   Analytics,
	"analytic":    Analytics,
	"analytical":  Analytics,
	"statistics":  Analytics,
	"statistic":   Analytics,
	"stats":       Analytics,
	"performance": Analytics,
	"measurement": Analytics,

	"marketing":      Marketing,
	"targeting":      Marketing,
	"advertising":    Marketing,
	"advertisement":  Marketing,
	"advertisements": Marketing,
	"ads":            Marketing,
	"social":         Marketing,
	"social_media":   Marketing,
}

// synonymRank orders the synonyms of each category from the closest to the
// loosest, for sites with several categories that map to one of ours:
// "statistics" says analytics more plainly than "performance" (site speed),
// "advertising" says marketing more plainly than "social" (share buttons).
var synonymRank = []string{
	"strictly_necessary", "essential", "required", "technical",
	"preference", "functionality", "functional", "personalization", "personalisation",
	"statistics", "statistic", "analytic", "analytical", "stats", "measurement", "performance",
	"advertising", "advertisement", "advertisements", "ads", "targeting", "social_media", "social",
}

// synonymKey is the form names are compared in: lower case, '-' and ' '
// read as '_'.
func synonymKey(name string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return '_'
		}
		return r
	}, strings.ToLower(name))
}

// categoryFromName maps a manager's category or group name to one of ours:
// a synonym from categorySynonyms, or a custom category named in Options
// and spelt exactly the same.
func categoryFromName(cfg *config, name string) (string, bool) {
	key := synonymKey(name)
	if category, ok := categorySynonyms[key]; ok {
		return category, true
	}
	if cfg.custom[name] {
		return name, true
	}
	return "", false
}
