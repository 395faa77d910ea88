package cmp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on what a decoder accepts. Real consent cookies are well below
// them: browsers cap a cookie at about 4 KiB, and TC strings with long
// vendor bit fields stay under 3 KiB.
const (
	maxValueLen   = 8 << 10 // bytes of a raw cookie value
	maxJSONDepth  = 16      // nesting of objects and arrays
	maxQuoted     = 64      // bytes of input echoed in an error
	maxCauseText  = 160     // bytes of a wrapped cause's message
	maxServiceLen = 128     // bytes of a service or group name
)

// quote returns s quoted for an error message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + "..."
}

// causeError adds context to a cause whose message may echo input. It
// prints at most maxCauseText bytes of the cause's message and unwraps to it.
type causeError struct {
	context string
	cause   error
}

// wrap returns the cause with context, as "context: cause".
func wrap(context string, cause error) error {
	return &causeError{context: context, cause: cause}
}

func (e *causeError) Error() string {
	msg := e.cause.Error()
	if len(msg) > maxCauseText {
		msg = strings.ToValidUTF8(msg[:maxCauseText], "") + "..."
	}
	return e.context + ": " + msg
}

func (e *causeError) Unwrap() error { return e.cause }

// cookieText checks a raw cookie value's size, drops one pair of enclosing
// double quotes (allowed around cookie values) and percent-decodes it,
// turning '+' into a space when plusSpace is set. The result is valid UTF-8
// without control characters.
func cookieText(raw string, plusSpace bool) (string, error) {
	raw, err := rawValue(raw)
	if err != nil {
		return "", err
	}
	return unescape(raw, plusSpace)
}

// rawValue checks a raw cookie value's size and drops one pair of enclosing
// double quotes.
func rawValue(raw string) (string, error) {
	if len(raw) > maxValueLen {
		return "", fmt.Errorf("value is %d bytes, over the limit of %d", len(raw), maxValueLen)
	}
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		raw = raw[1 : len(raw)-1]
	}
	return raw, nil
}

// unescape percent-decodes s ('+' to space when plusSpace) and checks that
// the result is valid UTF-8 without control characters.
func unescape(s string, plusSpace bool) (string, error) {
	if strings.ContainsAny(s, "%+") {
		var err error
		if plusSpace {
			s, err = url.QueryUnescape(s)
		} else {
			s, err = url.PathUnescape(s)
		}
		if err != nil {
			return "", wrap("invalid percent-encoding", err)
		}
	}
	if err := plainText(s); err != nil {
		return "", err
	}
	return s, nil
}

// plainText checks that s is valid UTF-8 without control characters.
func plainText(s string) error {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return fmt.Errorf("control character %q at byte %d", c, i)
		}
	}
	if !utf8.ValidString(s) {
		return errors.New("invalid utf-8")
	}
	return nil
}

// jsonCookieText returns the JSON text of a cookie value, which managers
// write either percent-encoded or, older versions, as is.
func jsonCookieText(raw string) (string, error) {
	raw, err := rawValue(raw)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(raw, "{") {
		if err := plainText(raw); err != nil {
			return "", err
		}
		return raw, nil
	}
	return unescape(raw, false)
}

// decodeJSONObject decodes text, which must hold one JSON object nested at
// most maxJSONDepth deep, into v.
func decodeJSONObject(text string, v any) error {
	if !strings.HasPrefix(strings.TrimLeft(text, " \t\r\n"), "{") {
		return fmt.Errorf("not a json object: %s", quote(text))
	}
	if err := checkJSONDepth(text); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(text), v); err != nil {
		return wrap("invalid json", err)
	}
	return nil
}

// jsonFields decodes a JSON object's members without decoding their values.
// Unlike decoding into a struct, it matches names exactly, as the managers'
// own JavaScript does; a repeated name keeps its last value, as
// JSON.parse does.
func jsonFields(text string) (map[string]json.RawMessage, error) {
	var fields map[string]json.RawMessage
	if err := decodeJSONObject(text, &fields); err != nil {
		return nil, err
	}
	return fields, nil
}

// jsonField decodes the member name of fields into v. An absent or null
// member leaves v alone and gives false.
func jsonField(fields map[string]json.RawMessage, name string, v any) (bool, error) {
	raw, ok := fields[name]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, wrap("invalid json in field "+quote(name), err)
	}
	return true, nil
}

// checkJSONDepth rejects JSON text nested deeper than maxJSONDepth. It only
// counts brackets outside strings; json.Unmarshal checks the rest.
func checkJSONDepth(text string) error {
	depth := 0
	inString, escaped := false, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > maxJSONDepth {
				return fmt.Errorf("json nested deeper than %d", maxJSONDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// checkName checks a service or group name taken from a cookie.
func checkName(kind, name string) error {
	if name == "" {
		return fmt.Errorf("empty %s name", kind)
	}
	if len(name) > maxServiceLen {
		return fmt.Errorf("%s name %s longer than %d bytes", kind, quote(name), maxServiceLen)
	}
	if err := plainText(name); err != nil {
		return wrap(kind+" name "+quote(name), err)
	}
	return nil
}
