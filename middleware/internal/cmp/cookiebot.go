package cmp

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// cookiebotCookie is where Cookiebot keeps the visitor's choice.
const cookiebotCookie = "CookieConsent"

// decodeCookiebot reads Cookiebot's CookieConsent cookie.
//
// Cookiebot's script stores the choice as a percent-encoded JavaScript
// object literal, not JSON: unquoted keys, strings in single quotes, for
// example
//
//	{stamp:'wamI9P0yW3Zx5Kk0fPcQ2w==',necessary:true,preferences:true,statistics:false,marketing:false,method:'explicit',ver:1,utc:1676879904933,region:'de'}
//
// sent as %7Bstamp%3A%27…%27%2Cnecessary%3Atrue… on the wire. Keys this
// reader does not use (ver, region, iab2 with a TC string, gacm, …) are
// skipped. Cookiebot has exactly these three optional categories, and its
// blocking (data-cookieconsent="statistics" and so on, or the scan's
// classification) loads a tool when its one category is accepted:
// statistics maps to analytics, preferences to preferences, marketing to
// marketing. The cookie holds no per-vendor choices. The id is stamp and
// the time utc (milliseconds).
//
// Cookiebot writes stamp '-1' with method 'implied' for visitors it never
// asked (outside a consent region, or implied consent by browsing on), and
// older versions write the whole cookie as -1 for the same case. No choice
// was made there, so these give no decision rather than "everything
// accepted".
func decodeCookiebot(_ *config, raw string) (Decision, bool, error) {
	text, err := cookieText(raw, false)
	if err != nil {
		return Decision{}, false, err
	}
	if text == "-1" {
		return Decision{}, false, nil
	}
	obj, err := parseJSObject(text)
	if err != nil {
		return Decision{}, false, err
	}
	stamp, ok := obj["stamp"]
	if !ok || stamp.kind != jsString {
		return Decision{}, false, errors.New("no stamp string")
	}
	if stamp.text == "-1" {
		return Decision{}, false, nil
	}
	if method, ok := obj["method"]; ok && method.kind == jsString && method.text == "implied" {
		return Decision{}, false, nil
	}
	var granted []string
	for _, sw := range [...]struct{ key, category string }{
		{"preferences", Preferences},
		{"statistics", Analytics},
		{"marketing", Marketing},
	} {
		v, ok := obj[sw.key]
		if !ok {
			continue
		}
		switch v.kind {
		case jsTrue:
			granted = append(granted, sw.category)
		case jsFalse:
		default:
			return Decision{}, false, fmt.Errorf("%s is %s, not a boolean", sw.key, quote(v.text))
		}
	}
	var t time.Time
	if utc, ok := obj["utc"]; ok && utc.kind == jsNumber {
		if ms, err := strconv.ParseInt(utc.text, 10, 64); err == nil && ms > 0 {
			t = time.UnixMilli(ms).UTC()
		}
	}
	return newDecision("cookiebot", granted, nil, nil, stamp.text, t), true, nil
}

// jsKind is the type of a value in a JavaScript object literal.
type jsKind uint8

const (
	jsString jsKind = iota + 1
	jsNumber
	jsTrue
	jsFalse
	jsNull
)

// jsValue is one value of a flat JavaScript object literal.
type jsValue struct {
	kind jsKind
	text string // the string's contents, or the number as written
}

// parseJSObject parses a flat JavaScript object literal: keys are
// identifiers or quoted strings; values are strings in single or double
// quotes without escapes, numbers, true, false or null. Nested objects,
// arrays, escapes and duplicate keys are errors.
func parseJSObject(s string) (map[string]jsValue, error) {
	p := jsParser{s: s}
	p.space()
	if !p.take('{') {
		return nil, fmt.Errorf("not an object literal: %s", quote(s))
	}
	obj := make(map[string]jsValue, 16)
	for {
		p.space()
		if p.take('}') {
			break
		}
		key, err := p.key()
		if err != nil {
			return nil, err
		}
		p.space()
		if !p.take(':') {
			return nil, p.fail("expected ':' after key " + quote(key))
		}
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if _, dup := obj[key]; dup {
			return nil, fmt.Errorf("key %s repeated", quote(key))
		}
		obj[key] = v
		p.space()
		if p.take(',') {
			continue
		}
		if p.take('}') {
			break
		}
		return nil, p.fail("expected ',' or '}'")
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.fail("text after the object")
	}
	return obj, nil
}

// jsParser walks a JavaScript object literal.
type jsParser struct {
	s string
	i int
}

func (p *jsParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *jsParser) take(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// fail returns an error describing what was wrong at the current position.
func (p *jsParser) fail(what string) error {
	if p.i >= len(p.s) {
		return errors.New(what + ": unexpected end (truncated?)")
	}
	return fmt.Errorf("%s at byte %d, found %s", what, p.i, quote(p.s[p.i:]))
}

func (p *jsParser) key() (string, error) {
	if p.i < len(p.s) && (p.s[p.i] == '\'' || p.s[p.i] == '"') {
		return p.quoted()
	}
	start := p.i
	for p.i < len(p.s) && isIdentByte(p.s[p.i], p.i == start) {
		p.i++
	}
	if p.i == start {
		return "", p.fail("expected a key")
	}
	return p.s[start:p.i], nil
}

func isIdentByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_', c == '$':
		return true
	case c >= '0' && c <= '9':
		return !first
	}
	return false
}

// quoted reads a string in single or double quotes; escapes are refused.
func (p *jsParser) quoted() (string, error) {
	q := p.s[p.i]
	p.i++
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != q {
		if p.s[p.i] == '\\' {
			return "", p.fail("escape in string")
		}
		p.i++
	}
	if p.i >= len(p.s) {
		return "", errors.New("unterminated string (truncated?)")
	}
	text := p.s[start:p.i]
	p.i++
	return text, nil
}

func (p *jsParser) value() (jsValue, error) {
	if p.i >= len(p.s) {
		return jsValue{}, p.fail("expected a value")
	}
	switch c := p.s[p.i]; {
	case c == '\'' || c == '"':
		text, err := p.quoted()
		return jsValue{kind: jsString, text: text}, err
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	for _, w := range [...]struct {
		word string
		kind jsKind
	}{{"true", jsTrue}, {"false", jsFalse}, {"null", jsNull}} {
		if len(p.s)-p.i >= len(w.word) && p.s[p.i:p.i+len(w.word)] == w.word {
			end := p.i + len(w.word)
			if end < len(p.s) && isIdentByte(p.s[end], false) {
				break
			}
			p.i = end
			return jsValue{kind: w.kind, text: w.word}, nil
		}
	}
	return jsValue{}, p.fail("expected a string, number, true, false or null")
}

// number reads -?digits(.digits)?.
func (p *jsParser) number() (jsValue, error) {
	start := p.i
	p.take('-')
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return jsValue{}, p.fail("expected digits")
	}
	if p.take('.') && digits() == 0 {
		return jsValue{}, p.fail("expected digits after '.'")
	}
	return jsValue{kind: jsNumber, text: p.s[start:p.i]}, nil
}
