package cmp

import (
	"slices"
	"strings"
)

// synonyms are the category and group names that sites commonly give in
// managers with free-form names (cookieconsent, Borlabs), with the
// category of ours each means. Names are compared lower-cased with '-'
// and ' ' read as '_'. Within a category they run from the closest to the
// loosest, for sites with several categories that map to one of ours:
// "statistics" says analytics more plainly than "performance" (site
// speed), "advertising" says marketing more plainly than "social" (share
// buttons).
//
// "functional" and "functionality" mean optional comfort features in these
// managers (orestbida's examples use them next to "necessary"), so they are
// preferences, not necessary. Names with no clear meaning ("tracking",
// "other", "external_media") are left out and grant nothing.
var synonyms = []struct{ name, category string }{
	{"necessary", Necessary}, {"strictly_necessary", Necessary}, {"essential", Necessary}, {"required", Necessary}, {"technical", Necessary},

	{"preferences", Preferences}, {"preference", Preferences}, {"functionality", Preferences}, {"functional", Preferences},
	{"personalization", Preferences}, {"personalisation", Preferences},

	{"analytics", Analytics}, {"statistics", Analytics}, {"statistic", Analytics}, {"analytic", Analytics}, {"analytical", Analytics},
	{"stats", Analytics}, {"measurement", Analytics}, {"performance", Analytics},

	{"marketing", Marketing}, {"advertising", Marketing}, {"advertisement", Marketing}, {"advertisements", Marketing}, {"ads", Marketing},
	{"targeting", Marketing}, {"social_media", Marketing}, {"social", Marketing},
}

// categorySynonyms maps each of synonyms' names to its category.
var categorySynonyms = func() map[string]string {
	m := make(map[string]string, len(synonyms))
	for _, s := range synonyms {
		m[s.name] = s.category
	}
	return m
}()

// synonymRank is where a name stands in synonyms, len(synonyms) for a
// name not among them.
func synonymRank(key string) int {
	if i := slices.IndexFunc(synonyms, func(s struct{ name, category string }) bool { return s.name == key }); i >= 0 {
		return i
	}
	return len(synonyms)
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
