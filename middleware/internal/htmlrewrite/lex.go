package htmlrewrite

import (
	"bytes"

	"github.com/consentgate/consentgate/internal/ascii"
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/html"
)

// tagLexer lexes the attributes of the start tags a handler asked for with
// tdewolff/parse's HTML lexer. That lexer reads a whole input and lower-cases
// names in place, so each tag is copied to the end of a scratch buffer whose
// last byte is the NUL sentinel the lexer stops at; one parse.Input over
// that buffer is reused for every tag, and the original bytes are what the
// rewriter writes out.
type tagLexer struct {
	scratch []byte // len n+1: tag bytes end at n, scratch[n] == 0
	in      *parse.Input
	lx      html.Lexer
	eqs     []int
}

func (t *tagLexer) ensure(n int) {
	if t.in != nil && len(t.scratch)-1 >= n {
		return
	}
	size := 4096
	for size < n {
		size *= 2
	}
	t.scratch = make([]byte, size, size+1)
	t.in = parse.NewInputBytes(t.scratch) // appends the NUL sentinel in place
}

// quickLex reads the attributes of a start tag written the plain way, as
// most are, without the lexer: names without upper case, NUL, quotes or
// '<', values quoted or unquoted, separated by white space, the tag closed
// by '>' or "/>". It fills e.attrs as lex would and returns the tag's
// length. Anything else (or the end of tag before the tag ends) makes it
// return false, and lex reads the tag.
func quickLex(tag []byte, nameLen int, e *Element) (int, bool) {
	e.attrs = e.attrs[:0]
	e.selfClose = false
	i := 1 + nameLen
	for {
		for i < len(tag) && ascii.IsSpace(tag[i]) {
			i++
		}
		if i >= len(tag) {
			return 0, false
		}
		switch tag[i] {
		case '>':
			return i + 1, true
		case '/':
			if i+1 < len(tag) && tag[i+1] == '>' {
				e.selfClose = true
				return i + 2, true
			}
			return 0, false
		case '=':
			return 0, false // part of the name in the standard
		}
		ks := i
		for i < len(tag) && attrNameByte[tag[i]] {
			i++
		}
		if i >= len(tag) {
			return 0, false
		}
		if c := tag[i]; !ascii.IsSpace(c) && c != '=' && c != '>' && c != '/' {
			return 0, false
		}
		a := attr{keyStart: ks, keyEnd: i, valStart: i, valEnd: i, key: tag[ks:i]}
		j := i
		for j < len(tag) && ascii.IsSpace(tag[j]) {
			j++
		}
		if j < len(tag) && tag[j] == '=' {
			j++
			for j < len(tag) && ascii.IsSpace(tag[j]) {
				j++
			}
			if j >= len(tag) || tag[j] == '>' {
				return 0, false
			}
			a.valStart = j
			if q := tag[j]; q == '"' || q == '\'' {
				k := bytes.IndexByte(tag[j+1:], q)
				if k < 0 {
					return 0, false
				}
				a.valEnd = j + k + 2
				// After a quoted value comes white space, '/' or '>'.
				if a.valEnd >= len(tag) {
					return 0, false
				}
				if c := tag[a.valEnd]; !ascii.IsSpace(c) && c != '>' && c != '/' {
					return 0, false
				}
			} else {
				k := j
				for k < len(tag) && !ascii.IsSpace(tag[k]) && tag[k] != '>' {
					k++
				}
				a.valEnd = k
			}
			a.hasValue = true
			i = a.valEnd
		}
		e.attrs = append(e.attrs, a)
	}
}

// quick is quickLex with the names copied to the scratch buffer, as lex
// leaves them: the tag's own bytes may move before the handler is done
// with the element (a held <script> waits for its text).
func (t *tagLexer) quick(tag []byte, nameLen int, e *Element) (int, bool) {
	n, ok := quickLex(tag, nameLen, e)
	if !ok {
		return 0, false
	}
	t.ensure(n)
	base := len(t.scratch) - 1 - n
	work := t.scratch[base : base+n]
	copy(work, tag[:n])
	for i := range e.attrs {
		a := &e.attrs[i]
		a.key = work[a.keyStart:a.keyEnd]
	}
	return n, true
}

// attrNameByte holds the bytes quickLex takes in an attribute name.
var attrNameByte = func() (t [256]bool) {
	for c := range t {
		t[c] = !ascii.IsSpace(byte(c)) && !('A' <= c && c <= 'Z')
	}
	for _, c := range "\x00\"'<=>/" {
		t[c] = false
	}
	return t
}()

// lexResult reports how lexing a candidate tag went.
type lexResult int

const (
	lexDone       lexResult = iota // the tag closed within the input
	lexIncomplete                  // the input ended inside the tag (a '>' was quoted)
)

// lex lexes the start tag at the beginning of tag (which starts with '<'
// and whose spec name is name) and fills e.attrs with offsets relative to
// tag. It returns the tag's length.
//
// Where tdewolff reads '/' differently from the HTML standard (it ends a
// tag or attribute name only before '>', so "<script/src=x>" would be one
// name), those slashes are turned into spaces in the scratch copy and the
// tag lexed again; offsets do not move.
func (t *tagLexer) lex(tag []byte, nameLen int, e *Element) (int, lexResult) {
	n := len(tag)
	t.ensure(n)
	base := len(t.scratch) - 1 - n
	work := t.scratch[base : base+n]
	copy(work, tag)
	end, res, odd := t.lexOnce(work, base, nameLen, e)
	if res != lexDone || !odd {
		return end, res
	}
	eqs := fixTag(work, t.eqs[:0])
	t.eqs = eqs
	end, res, _ = t.lexOnce(work, base, nameLen, e)
	// Put back the '=' that begin attribute names, now inside the keys.
	for _, p := range eqs {
		work[p] = '='
	}
	return end, res
}

// lexOnce runs the lexer once over work (at base in scratch). odd reports
// where tdewolff may have read the tag differently from the standard: a
// '/' inside the tag name or an attribute name, or an empty attribute name
// (an attribute name starting with '=').
func (t *tagLexer) lexOnce(work []byte, base, nameLen int, e *Element) (end int, res lexResult, odd bool) {
	e.attrs = e.attrs[:0]
	e.selfClose = false
	t.in.Reset()
	t.in.Move(base)
	t.in.Skip()
	t.lx = *html.NewLexer(t.in)
	tt, _ := t.lx.Next()
	if tt != html.StartTagToken {
		return 0, lexIncomplete, false
	}
	if len(t.lx.Text()) != nameLen {
		odd = true
	}
	prev := t.in.Offset() - base
	for {
		tt, _ := t.lx.Next()
		off := t.in.Offset() - base
		switch tt {
		case html.AttributeToken:
			key := t.lx.AttrKey()
			val := t.lx.AttrVal()
			ks := prev
			for ks < off && ascii.IsSpace(work[ks]) {
				ks++
			}
			a := attr{keyStart: ks, keyEnd: ks + len(key), valStart: off, valEnd: off, key: key}
			if val != nil {
				a.valStart = off - len(val)
				a.hasValue = true
			}
			if len(key) == 0 {
				odd = true
			}
			for _, c := range key {
				if c == '/' {
					odd = true
				}
			}
			e.attrs = append(e.attrs, a)
			prev = off
		case html.StartTagCloseToken:
			return off, lexDone, odd
		case html.StartTagVoidToken:
			e.selfClose = true
			return off, lexDone, odd
		default:
			return 0, lexIncomplete, odd
		}
	}
}

// fixTag rewrites a scratch copy of a tag so that tdewolff reads it as the
// HTML standard does, without moving any byte: the slashes the standard
// reads as separators (outside attribute values and not right before the
// closing '>'; there the standard moves to the self-closing start tag state,
// which goes on to the next attribute unless '>' follows) become spaces,
// and a '=' that begins an attribute name (part of the name in the
// standard, a separator to tdewolff) becomes the letter 'x', its position
// appended to eqs so the caller can put it back.
func fixTag(tag []byte, eqs []int) []int {
	const (
		sName = iota
		sBeforeAttr
		sAttrName
		sAfterAttrName
		sBeforeValue
		sDQ
		sSQ
		sUnquoted
		sAfterQuoted
	)
	st := sName
	for i := 1; i < len(tag); i++ {
		c := tag[i]
		switch st {
		case sName, sBeforeAttr, sAttrName, sAfterAttrName, sAfterQuoted:
			switch {
			case c == '>':
				return eqs
			case c == '/':
				if i+1 < len(tag) && tag[i+1] != '>' {
					tag[i] = ' '
				}
				st = sBeforeAttr
			case c == '=' && (st == sBeforeAttr || st == sAfterQuoted):
				tag[i] = 'x'
				eqs = append(eqs, i)
				st = sAttrName
			case ascii.IsSpace(c):
				switch st {
				case sName, sAfterQuoted:
					st = sBeforeAttr
				case sAttrName:
					st = sAfterAttrName
				}
			case c == '=' && (st == sAttrName || st == sAfterAttrName):
				st = sBeforeValue
			default:
				if st != sName {
					st = sAttrName
				}
			}
		case sBeforeValue:
			switch {
			case c == '"':
				st = sDQ
			case c == '\'':
				st = sSQ
			case c == '>':
				return eqs
			case ascii.IsSpace(c):
			default:
				st = sUnquoted
			}
		case sDQ:
			if c == '"' {
				st = sAfterQuoted
			}
		case sSQ:
			if c == '\'' {
				st = sAfterQuoted
			}
		case sUnquoted:
			if ascii.IsSpace(c) {
				st = sBeforeAttr
			} else if c == '>' {
				return eqs
			}
		}
	}
	return eqs
}
