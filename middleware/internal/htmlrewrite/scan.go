package htmlrewrite

import (
	"bytes"
	"encoding/binary"
	"math/bits"

	"github.com/consentgate/consentgate/internal/ascii"
)

// data scans text and the markup that follows it.
func (r *Rewriter) data(final bool) (bool, error) {
	b := r.buf
	// Only a tag that is not plain changes the context, and it ends the
	// loop.
	plain := r.plain()
	for {
		i := bytes.IndexByte(b[r.pos:], '<')
		if i < 0 {
			r.pos = len(b)
			return false, nil
		}
		r.pos += i
		if r.pos+1 >= len(b) {
			if final {
				r.pos = len(b)
				return false, nil
			}
			return true, nil
		}
		c := b[r.pos+1]
		if plain {
			// The common case, kept in this loop: a tag that neither the
			// handler nor the tokenizer cares about, complete in the
			// buffer.
			start := 1
			if c == '/' {
				start = 2
			}
			if start < len(b)-r.pos && isASCIIAlpha(b[r.pos+start]) {
				if end, ok := r.plainTag(b, r.pos, start); ok {
					r.pos = end
					continue
				}
			}
		}
		switch {
		case isASCIIAlpha(c):
			return r.startTag(final)
		case c == '/':
			return r.endTag(final)
		case c == '!':
			return r.markupDecl(final)
		case c == '?':
			r.tokStart = r.pos
			r.pos += 2
			r.mode = modeBogus
			return false, nil
		default:
			r.pos++
		}
	}
}

// plain reports whether the context lets ordinary tags pass without any
// bookkeeping: HTML content, not inside <noscript>, not dropping, not
// tracing.
func (r *Rewriter) plain() bool {
	return len(r.stack) == 0 && !r.noscript && !r.drop && !r.dropEnd && r.trace == nil && !r.c.all
}

// plainTag reads the tag at b[at:] (its name starts at b[at+start]) and, if
// its name has no flags at all and the whole tag is in b, returns the
// offset after it.
func (r *Rewriter) plainTag(b []byte, at, start int) (int, bool) {
	// The lower-cased name goes into a zero-padded key, read back as the
	// two words of a tagKey.
	var key [maxTagName]byte
	n := 0
	i := at + start
	for ; i < len(b); i++ {
		l := nameByte[b[i]]
		if l == 0 {
			break
		}
		if n == maxTagName {
			return 0, false
		}
		key[n] = l
		n++
	}
	if i >= len(b) || n == 0 || b[i] == 0 {
		return 0, false // a NUL in a name is left to startTag
	}
	w0, w1 := binary.LittleEndian.Uint64(key[0:8]), binary.LittleEndian.Uint64(key[8:16])
	mask := plainStartMask
	if start == 2 {
		mask = plainEndMask
	}
	flags, h := r.c.tags.getWords(w0, w1, n)
	switch flags & mask {
	case 0:
		h = nil
		if b[i] == '>' {
			return i + 1, true // "<div>", "</div>": the most common tags
		}
	case flagWanted | flagHinted:
		// Wanted only with an attribute (<a ping>): passed on here unless
		// it has it.
	default:
		return 0, false
	}
	if end, found, ok := quickTagEnd(b, i, h, r.c.style); ok {
		return end, !found
	}
	end, as, found := scanTagAttr(b, i, h)
	if found || as != asClosed && as != asClosedSelf || r.c.style && styleMayLoad(b[at:end]) {
		return 0, false
	}
	return end, true
}

// styleMayLoad reports whether the bytes of a tag may hold a style
// attribute that loads something: "style" and a '(' (or a '&', which may
// write one as "&lpar;") both occur in them. It over-approximates; the
// handler decides.
func styleMayLoad(tag []byte) bool {
	if !mayCallCSS(tag) {
		return false
	}
	for i := 0; i+5 <= len(tag); i++ {
		if lower(tag[i]) == 's' && attrNameAt(tag, i, "style") {
			return true
		}
	}
	return false
}

// mayCallCSS reports whether an attribute value, as written, may call a
// CSS function once its character references are decoded.
func mayCallCSS(v []byte) bool {
	return bytes.IndexByte(v, '(') >= 0 || bytes.IndexByte(v, '&') >= 0
}

// quickTagEnd finds the end of the tag whose name ends at b[i] without
// reading every byte through the tag states: a '>' closes the tag unless
// it is inside a quoted value, and a value can only follow '=', so the
// scan looks for '=' and '>' eight bytes at a time and jumps over quoted
// values with IndexByte. It also reports whether an attribute that the
// hint h names (none for nil) carries a value, or, with style, whether a
// style attribute's value may call a CSS function (mayCallCSS). ok is
// false when the tag takes a turn this shortcut does not follow (an '='
// that begins an attribute name) or b ends inside the tag; scanTagAttr
// then reads it byte by byte.
func quickTagEnd(b []byte, i int, h *hint, style bool) (end int, found, ok bool) {
	from := i // where the current attribute names begin
	for {
		i = indexEqGt(b, i)
		if i < 0 {
			return 0, false, false
		}
		if b[i] == '>' {
			return i + 1, found, true
		}
		// '=': a value separator only right after a name.
		n := i
		for n > from && ascii.IsSpace(b[n-1]) {
			n--
		}
		last := b[n-1]
		if n == from || last == '/' || last == '"' || last == '\'' {
			return 0, false, false
		}
		last |= 0x20
		if h != nil && (last == h.la || last == h.lb) && h.endsAt(b, from, n, last) {
			found = true
		}
		styled := false
		if s := n - 5; last == 'e' && style && s >= from && b[s]|0x20 == 's' &&
			b[s+1]|0x20 == 't' && b[s+2]|0x20 == 'y' && b[s+3]|0x20 == 'l' &&
			(s == from || ascii.IsSpace(b[s-1]) || b[s-1] == '/') {
			styled = true
		}
		v := i + 1
		for v < len(b) && ascii.IsSpace(b[v]) {
			v++
		}
		if v >= len(b) {
			return 0, false, false
		}
		switch q := b[v]; q {
		case '"', '\'':
			j := bytes.IndexByte(b[v+1:], q)
			if j < 0 {
				return 0, false, false
			}
			i = v + 1 + j + 1
			if styled && mayCallCSS(b[v+1:i-1]) {
				found = true
			}
		case '>':
			return v + 1, found, true // a missing value: '>' closes
		default:
			for v < len(b) && !endsUnquoted[b[v]] {
				v++
			}
			if styled && mayCallCSS(b[i+1:v]) {
				found = true
			}
			i = v
		}
		from = i
	}
}

// endsAt reports whether the attribute name that ends at b[n] (and starts
// at or after from; last is its last byte in lower case) is one that h
// names.
func (h *hint) endsAt(b []byte, from, n int, last byte) bool {
	return nameEndsAt(b, from, n, last, h.a) || h.b != "" && nameEndsAt(b, from, n, last, h.b)
}

// nameEndsAt is endsAt for one name. Names are compared from their last
// letter, which few share.
func nameEndsAt(b []byte, from, n int, last byte, name string) bool {
	s := n - len(name)
	return last == name[len(name)-1] && s >= from && attrNameAt(b, s, name) &&
		(s == from || ascii.IsSpace(b[s-1]) || b[s-1] == '/')
}

// indexEqGt returns the index of the first '=' or '>' in b at or after i,
// or -1, testing eight bytes at a time.
func indexEqGt(b []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		eqs   = '=' * ones
		gts   = '>' * ones
	)
	if i >= len(b) {
		return -1
	}
	rest := b[i:]
	for len(rest) >= 8 {
		x := binary.LittleEndian.Uint64(rest)
		e, g := x^eqs, x^gts
		// High bit where a byte is zero (exact for the lowest one).
		if m := ((e-ones)&^e | (g-ones)&^g) & highs; m != 0 {
			return len(b) - len(rest) + bits.TrailingZeros64(m)/8
		}
		rest = rest[8:]
	}
	for j, c := range rest {
		if c == '=' || c == '>' {
			return len(b) - len(rest) + j
		}
	}
	return -1
}

// scanTagAttr is scanTag from the tag name's end that also reports
// whether the tag has an attribute that the hint h names (compared
// without regard to case).
func scanTagAttr(b []byte, i int, h *hint) (int, attrState, bool) {
	as := asName
	found := false
	for i < len(b) {
		for as < asLoop && i < len(b) {
			cl := byteClass[b[i]]
			next := attrTrans[as&7][cl]
			if next == asAttrName && as != asAttrName && !found {
				found = h != nil && (attrNameAt(b, i, h.a) || h.b != "" && attrNameAt(b, i, h.b))
			}
			as = next
			i++
			if cl <= clSpace {
				for i < len(b) && byteClass[b[i]] == cl {
					i++
				}
			}
		}
		switch as {
		case asDQ, asSQ:
			q := byte('"')
			if as == asSQ {
				q = '\''
			}
			j := bytes.IndexByte(b[i:], q)
			if j < 0 {
				return len(b), as, found
			}
			i += j + 1
			as = asAfterQuoted
		case asClosed, asClosedSelf:
			return i, as, found
		}
	}
	return i, as, found
}

// attrNameAt reports whether the attribute name starting at b[i] is name.
func attrNameAt(b []byte, i int, name string) bool {
	if len(b)-i < len(name) {
		return false
	}
	for j := 0; j < len(name); j++ {
		if lower(b[i+j]) != name[j] {
			return false
		}
	}
	if k := i + len(name); k < len(b) {
		return byteClass[b[k]] != clOther && byteClass[b[k]] != clDQ && byteClass[b[k]] != clSQ
	}
	return false
}

// scanTag runs the tag states over b from i in state as until the tag
// closes (as is then asClosed or asClosedSelf and i is after the '>') or b
// ends (i == len(b)).
func scanTag(b []byte, i int, as attrState) (int, attrState) {
	for i < len(b) {
		// The byte loop: runs while in an unquoted state. After an
		// ordinary byte the state is a name or an unquoted value, and
		// after whitespace one that whitespace keeps, so further bytes of
		// the same class change nothing: runs of them are skipped without
		// the dependent table step.
		for as < asLoop && i < len(b) {
			cl := byteClass[b[i]]
			as = attrTrans[as&7][cl]
			i++
			if cl <= clSpace {
				for i < len(b) && byteClass[b[i]] == cl {
					i++
				}
			}
		}
		switch as {
		case asDQ, asSQ:
			q := byte('"')
			if as == asSQ {
				q = '\''
			}
			j := bytes.IndexByte(b[i:], q)
			if j < 0 {
				return len(b), as
			}
			i += j + 1
			as = asAfterQuoted
		case asClosed, asClosedSelf:
			return i, as
		}
	}
	return i, as
}

// endsUnquoted marks the bytes that end an unquoted attribute value:
// whitespace and '>'.
var endsUnquoted = [256]bool{' ': true, '\t': true, '\n': true, '\f': true, '\r': true, '>': true}

var byteClass = func() (t [256]uint8) {
	for _, c := range []byte{' ', '\t', '\n', '\f', '\r'} {
		t[c] = clSpace
	}
	t['/'], t['>'], t['='], t['"'], t['\''] = clSlash, clGT, clEq, clDQ, clSQ
	return t
}()

// nameByte maps the bytes of a tag name (byte class clOther) to lower case
// and every other byte, NUL included, to 0.
var nameByte = func() (t [256]byte) {
	for c := 1; c < 256; c++ {
		if byteClass[c] == clOther {
			t[c] = lower(byte(c))
		}
	}
	return t
}()

// attrTrans is the standard's tag states as a transition table over byte
// classes (tag name, attribute name and value states; the quoted-value
// states are skipped with IndexByte instead).
var attrTrans = func() (t [asSQ + 1][numClasses]attrState) {
	for s := asName; s <= asSQ; s++ {
		for c := 0; c < numClasses; c++ {
			t[s][c] = s
		}
	}
	set := func(s attrState, other, space, slash, gt, eq, dq, sq attrState) {
		t[s] = [numClasses]attrState{other, space, slash, gt, eq, dq, sq}
	}
	//  state          other       space         slash          gt        eq             dq          sq
	set(asName, asName, asBeforeAttr, asSelfClosing, asClosed, asName, asName, asName)
	set(asBeforeAttr, asAttrName, asBeforeAttr, asSelfClosing, asClosed, asAttrName, asAttrName, asAttrName)
	set(asAttrName, asAttrName, asAfterAttrName, asSelfClosing, asClosed, asBeforeValue, asAttrName, asAttrName)
	set(asAfterAttrName, asAttrName, asAfterAttrName, asSelfClosing, asClosed, asBeforeValue, asAttrName, asAttrName)
	set(asBeforeValue, asUnquoted, asBeforeValue, asUnquoted, asClosed, asUnquoted, asDQ, asSQ)
	set(asUnquoted, asUnquoted, asBeforeAttr, asUnquoted, asClosed, asUnquoted, asUnquoted, asUnquoted)
	set(asAfterQuoted, asAttrName, asBeforeAttr, asSelfClosing, asClosed, asAttrName, asAttrName, asAttrName)
	set(asSelfClosing, asAttrName, asBeforeAttr, asSelfClosing, asClosedSelf, asAttrName, asAttrName, asAttrName)
	// Inside quoted values only the closing quote matters; the scanner
	// jumps to it, but the rows are complete for the noscript path.
	set(asDQ, asDQ, asDQ, asDQ, asDQ, asDQ, asAfterQuoted, asDQ)
	set(asSQ, asSQ, asSQ, asSQ, asSQ, asSQ, asSQ, asAfterQuoted)
	return t
}()

// attrState is where the unlexed-tag scanner is, in the standard's terms.
type attrState uint8

// asLoop is the number of states the byte loop handles.
const asLoop = asDQ

// The flags that make a tag matter in HTML content (outside foreign
// content, where breakout and integration-point flags would matter too).
const (
	plainStartMask = tagStructural | flagWanted | flagHinted
	plainEndMask   = flagWantedEnd | flagTemplate | flagNoscript
)

// Byte classes of the tag scanner.
const (
	clOther = iota
	clSpace
	clSlash
	clGT
	clEq
	clDQ
	clSQ
	numClasses
)
