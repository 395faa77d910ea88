package middleware

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// DefaultLanguages lists the languages whose texts are built in.
func DefaultLanguages() []string {
	langs := make([]string, 0, 11)
	for l := range builtinTexts() {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	return langs
}

var builtinTexts = sync.OnceValue(func() map[string]map[string]string {
	return embeddedTexts(bannerFS, "banner/i18n/*.json")
})

// embeddedTexts reads the texts of every language from embedded JSON
// files named <lang>.json.
func embeddedTexts(fsys embed.FS, glob string) map[string]map[string]string {
	out := make(map[string]map[string]string)
	files, _ := fs.Glob(fsys, glob)
	for _, f := range files {
		data, err := fsys.ReadFile(f)
		if err != nil {
			panic(err) // embedded: cannot happen
		}
		var t map[string]string
		if err := json.Unmarshal(data, &t); err != nil {
			panic(fmt.Sprintf("embedded %s: %v", f, err))
		}
		out[strings.TrimSuffix(path.Base(f), ".json")] = t
	}
	return out
}

func merge(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

func validLang(s string) bool {
	if len(s) < 2 || len(s) > 35 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// language picks the banner language from Accept-Language: the best
// quality tag with texts, by exact tag or its primary subtag (Norwegian
// "no" and "nn" read as "nb").
func (b *banner) language(acceptLanguage string) string {
	best, bestQ := "", 0.0
	for rest := acceptLanguage; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= bestQ { // ties go to the earlier tag
			continue
		}
		if lang := b.known(strings.TrimSpace(tag)); lang != "" {
			best, bestQ = lang, q
		}
	}
	if best == "" {
		return b.fallback
	}
	return best
}

// known returns the language of texts for a language tag: the tag itself
// or its primary subtag, case-insensitively, or "".
func (b *banner) known(tag string) string {
	var buf [36]byte
	if len(tag) < 2 || len(tag) > len(buf) {
		return ""
	}
	lower := buf[:len(tag)]
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	for {
		switch string(lower) {
		case "no", "nn":
			lower = append(lower[:0], "nb"...)
		}
		for _, l := range b.langs {
			if l == string(lower) {
				return l
			}
		}
		i := bytes.IndexByte(lower, '-')
		if i < 0 {
			return ""
		}
		lower = lower[:i]
	}
}
