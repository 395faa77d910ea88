package middleware

import (
	"bytes"
	"unicode/utf8"

	"github.com/consentgate/consentgate/internal/ascii"
	"github.com/consentgate/consentgate/middleware/internal/htmlrewrite"
	"github.com/consentgate/consentgate/rules"
)

// CSS loads images, fonts and other sheets: a style attribute or a
// <style> sheet that loads a tracker is set aside as a whole (the page
// keeps its own styles; the banner restores the set-aside ones on
// consent).

// judgeStyle judges the URLs of an element's style attribute; one that
// loads a tracker the visitor has not allowed is set aside (neutralize),
// dropped (remove) or logged (report). The element itself stays.
func (p *page) judgeStyle(e *htmlrewrite.Element) {
	v, ok := e.Attr("style")
	if !ok || bytes.IndexByte(v, '(') < 0 {
		return
	}
	if match, bad := p.judgeCSS(v); bad && p.setAside(e, "style", "data-consent-style", match) {
		p.asideNeed |= match.Need
	}
}

// styleElement asks for the text of a <style> that the browser applies:
// its url()s and @imports load whatever their selectors or rules need.
func (p *page) styleElement(e *htmlrewrite.Element) {
	t, ok := e.Attr("type")
	if !ok || len(bytes.TrimSpace(t)) == 0 || bytes.EqualFold(bytes.TrimSpace(t), []byte("text/css")) {
		e.WantContent()
		return
	}
	if bytes.EqualFold(bytes.TrimSpace(t), []byte("text/plain")) && (e.HasAttr("data-consent") || e.HasAttr("data-category")) {
		p.optIn(e)
	}
}

// judgeCSS judges the URLs CSS text can load: url() arguments, quoted or
// not, the strings of @import and of image-set(). It looks for them
// wherever they start, inside strings and comments too, as written and
// with CSS escapes decoded: it may judge more than a browser loads, never
// less. Other strings (content: "…", a[href*="…"]) are not URLs.
func (p *page) judgeCSS(css []byte) (rules.Match, bool) {
	if match, bad := p.judgeCSSText(css); bad {
		return match, true
	}
	if bytes.IndexByte(css, '\\') < 0 {
		return rules.Match{}, false
	}
	p.cssBuf = appendCSSUnescaped(p.cssBuf[:0], css)
	return p.judgeCSSText(p.cssBuf)
}

// maxCSSURL bounds the bytes of one CSS URL that are judged: its host and
// path start are in them.
const maxCSSURL = 4 << 10

func (p *page) judgeCSSText(css []byte) (rules.Match, bool) {
	var c cssScan
	c.css = css
	// Text built of nested "url(" or "image-set(" would be read again and
	// again: past a budget of reading, the text counts as loading
	// something of every optional category, unjudged.
	budget := 8*len(css) + 64<<10
	judge := func(u []byte) (rules.Match, bool) {
		u = u[:min(len(u), maxCSSURL)]
		budget -= len(u) + 16
		if budget < 0 {
			return rules.Match{Need: p.m.rs.Optional()}, !p.grant.cats.Has(p.m.rs.Optional())
		}
		return p.judge(u)
	}
	// Every URL of CSS follows a '(' or an '@': IndexByte finds them.
	nextParen, nextAt := -1, -1
	for i := 0; i < len(css) && budget >= 0; {
		if nextParen < i {
			nextParen = indexFrom(css, i, '(')
		}
		if nextAt < i {
			nextAt = indexFrom(css, i, '@')
		}
		q := min(nextParen, nextAt)
		if q >= len(css) {
			break
		}
		i = q + 1
		var u []byte
		switch {
		case css[q] == '(' && q >= 3 && ascii.HasPrefixFold(css[q-3:], "url"):
			k := skipCSSSpace(css, q+1)
			if k < len(css) && (css[k] == '"' || css[k] == '\'') {
				u = c.quoted(k)
			} else {
				u = bytes.TrimRight(css[k:c.closeParen(k)], " \t\n\f\r")
			}
		case css[q] == '@' && ascii.HasPrefixFold(css[q:], "@import"):
			if k := skipCSSSpace(css, q+7); k < len(css) && (css[k] == '"' || css[k] == '\'') {
				u = c.quoted(k)
			}
		case css[q] == '(' && q >= 9 && ascii.HasPrefixFold(css[q-9:], "image-set"):
			// Its strings, up to the first ')'.
			k, end := q+1, c.closeParen(q+1)
			if budget -= end - k; budget < 0 {
				return judge(nil)
			}
			for k < end {
				s := k + bytes.IndexAny(css[k:end], `"'`)
				if s < k {
					break
				}
				j := bytes.IndexByte(css[s+1:end], css[s])
				if j < 0 {
					break
				}
				if match, bad := judge(css[s+1 : s+1+j]); bad {
					return match, true
				}
				k = s + 1 + j + 1
			}
			continue
		default:
			continue
		}
		if match, bad := judge(u); bad {
			return match, true
		}
	}
	return rules.Match{}, false
}

// indexFrom returns the offset of the first c in b at or after i, or
// len(b).
func indexFrom(b []byte, i int, c byte) int {
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return len(b)
}

// cssScan remembers, for judgeCSSText, the terminators found so far, so
// that each byte is searched over once however many "url(" precede it.
type cssScan struct {
	css        []byte
	paren      int // the first ')' at or after parenFrom (len(css) if none)
	parenFrom  int
	parenKnown bool
	quote      [2]int // the same for '"' and '\''
	quoteFrom  [2]int
	quoteKnown [2]bool
}

// closeParen returns the offset of the first ')' at or after k, or
// len(css).
func (c *cssScan) closeParen(k int) int {
	if !c.parenKnown || k < c.parenFrom || k > c.paren {
		j := bytes.IndexByte(c.css[k:], ')')
		c.paren = len(c.css)
		if j >= 0 {
			c.paren = k + j
		}
		c.parenFrom, c.parenKnown = k, true
	}
	return c.paren
}

// quoted returns the string starting with the quote at k, up to its
// closing quote or the end.
func (c *cssScan) quoted(k int) []byte {
	q := 0
	if c.css[k] == '\'' {
		q = 1
	}
	from := k + 1
	if !c.quoteKnown[q] || from < c.quoteFrom[q] || from > c.quote[q] {
		j := bytes.IndexByte(c.css[from:], c.css[k])
		c.quote[q] = len(c.css)
		if j >= 0 {
			c.quote[q] = from + j
		}
		c.quoteFrom[q], c.quoteKnown[q] = from, true
	}
	return c.css[from:c.quote[q]]
}

func skipCSSSpace(css []byte, k int) int {
	for k < len(css) && ascii.IsSpace(css[k]) {
		k++
	}
	return k
}

// appendCSSUnescaped appends css to dst with CSS escapes decoded: a
// backslash and up to six hex digits (and one whitespace after them) is
// that code point, a backslash before a newline disappears, and one before
// any other character is that character.
func appendCSSUnescaped(dst, css []byte) []byte {
	for i := 0; i < len(css); i++ {
		j := bytes.IndexByte(css[i:], '\\')
		if j < 0 || i+j+1 >= len(css) {
			return append(dst, css[i:]...)
		}
		dst = append(dst, css[i:i+j]...)
		i += j + 1
		n, r := 0, rune(0)
		for n < 6 && i+n < len(css) {
			v, ok := ascii.HexVal(css[i+n])
			if !ok {
				break
			}
			r = r<<4 | rune(v)
			n++
		}
		if n == 0 {
			if css[i] != '\n' {
				dst = append(dst, css[i])
			}
			continue
		}
		i += n - 1
		if i+1 < len(css) && ascii.IsSpace(css[i+1]) {
			i++
		}
		if r == 0 || r > utf8.MaxRune || r >= 0xD800 && r <= 0xDFFF {
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}
