package htmlrewrite

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// tagFlags say how a tag name affects tokenizing and the tree, as far as a
// rewriter needs to know without building the tree, and what the handler
// asked for.
type tagFlags uint32

const (
	flagRawText     tagFlags = 1 << iota // content is RAWTEXT: style, xmp, iframe, noembed, noframes
	flagRCData                           // content is RCDATA: title, textarea
	flagScript                           // content is script data
	flagPlaintext                        // everything after is text
	flagNoscript                         // <noscript>: content read as markup, ends as raw text
	flagForeignRoot                      // <svg>, <math>: enter foreign content
	flagBreakout                         // leaves foreign content (HTML "in foreign content" list)
	flagHTMLPoint                        // SVG HTML integration point: foreignObject, desc, title
	flagTextPoint                        // MathML text integration point: mi, mo, mn, ms, mtext
	flagAnnotation                       // MathML annotation-xml: an HTML integration point by its encoding
	flagTemplate                         // <template>
	flagFont                             // <font>: leaves foreign content when it has color, face or size
	flagVoid                             // void element: no content, no end tag
	flagWanted                           // the handler wants the start tag
	flagWantedEnd                        // the handler wants the end tag
	flagHinted                           // wanted only when the tag holds its hint

	// The bits from idShift hold the wanted tag's position in
	// Settings.Elements, plus one: see Element.ID.
	idShift = 16
)

// tagTable maps lower-case tag names to their flags.
var tagTable = map[string]tagFlags{
	"script":    flagScript,
	"style":     flagRawText,
	"xmp":       flagRawText,
	"iframe":    flagRawText,
	"noembed":   flagRawText,
	"noframes":  flagRawText,
	"title":     flagRCData | flagHTMLPoint,
	"textarea":  flagRCData,
	"plaintext": flagPlaintext,
	"noscript":  flagNoscript,
	"svg":       flagForeignRoot,
	"math":      flagForeignRoot,
	"template":  flagTemplate,

	"foreignobject":  flagHTMLPoint,
	"desc":           flagHTMLPoint,
	"mi":             flagTextPoint,
	"mo":             flagTextPoint,
	"mn":             flagTextPoint,
	"ms":             flagTextPoint,
	"mtext":          flagTextPoint,
	"annotation-xml": flagAnnotation,
	"font":           flagFont,

	"b": flagBreakout, "big": flagBreakout, "blockquote": flagBreakout, "body": flagBreakout,
	"br": flagBreakout | flagVoid, "center": flagBreakout, "code": flagBreakout, "dd": flagBreakout,
	"div": flagBreakout, "dl": flagBreakout, "dt": flagBreakout, "em": flagBreakout,
	"embed": flagBreakout | flagVoid, "h1": flagBreakout, "h2": flagBreakout, "h3": flagBreakout,
	"h4": flagBreakout, "h5": flagBreakout, "h6": flagBreakout, "head": flagBreakout,
	"hr": flagBreakout | flagVoid, "i": flagBreakout, "img": flagBreakout | flagVoid, "li": flagBreakout,
	"listing": flagBreakout, "menu": flagBreakout, "meta": flagBreakout | flagVoid, "nobr": flagBreakout,
	"ol": flagBreakout, "p": flagBreakout, "pre": flagBreakout, "ruby": flagBreakout,
	"s": flagBreakout, "small": flagBreakout, "span": flagBreakout, "strong": flagBreakout,
	"strike": flagBreakout, "sub": flagBreakout, "sup": flagBreakout, "table": flagBreakout,
	"tt": flagBreakout, "u": flagBreakout, "ul": flagBreakout, "var": flagBreakout,

	"area": flagVoid, "base": flagVoid, "col": flagVoid, "input": flagVoid, "link": flagVoid,
	"param": flagVoid, "source": flagVoid, "track": flagVoid, "wbr": flagVoid, "image": flagVoid,
	"frame": flagVoid, "keygen": flagVoid, "basefont": flagVoid, "bgsound": flagVoid,
}

// maxTagName is the longest tag name the table knows; longer names are
// read but never special.
const maxTagName = 16

// tagSet maps lower-case tag names to flags with open addressing over a
// small power-of-two table. A name of up to 16 bytes is held as two
// little-endian words, so hashing and comparing are a few word operations.
// It replaces Go maps on the hot path, where every tag is looked up.
type tagSet struct {
	slots    [512]tagSlot
	hints    map[string]*hint // tag → the attributes it matters with
	hintList []*hint          // the hints by slot index; hintList[0] is nil
}

type tagSlot struct {
	w0, w1 uint64
	n      uint8
	hint   uint8 // index in hintList, 0 for none
	flags  tagFlags
}

// tagKey is a lower-case tag name of up to maxTagName bytes, zero padded.
type tagKey struct {
	b [maxTagName]byte
	n int
}

func (k *tagKey) words() (uint64, uint64) {
	return binary.LittleEndian.Uint64(k.b[0:8]), binary.LittleEndian.Uint64(k.b[8:16])
}

func slotIndex(w0, w1 uint64, n int) uint32 {
	h := w0*0x9E3779B97F4A7C15 ^ w1*0xC2B2AE3D27D4EB4F ^ uint64(n)*0x165667B19E3779F9
	return uint32(h >> 55) // 9 bits: 512 slots
}

func makeKey(name []byte) (tagKey, bool) {
	var k tagKey
	if len(name) == 0 || len(name) > maxTagName {
		return k, false
	}
	for i, c := range name {
		k.b[i] = lower(c)
	}
	k.n = len(name)
	return k, true
}

// add ORs flags into name's entry.
func (t *tagSet) add(name string, flags tagFlags) {
	k, ok := makeKey([]byte(name))
	if !ok {
		return
	}
	w0, w1 := k.words()
	for i := slotIndex(w0, w1, k.n); ; i++ {
		s := &t.slots[i&uint32(len(t.slots)-1)]
		if s.n == 0 {
			s.w0, s.w1, s.n, s.flags = w0, w1, uint8(k.n), flags
			return
		}
		if s.w0 == w0 && s.w1 == w1 && int(s.n) == k.n {
			s.flags |= flags
			return
		}
	}
}

// hint names the attributes, one or two (lower case), without a value for
// which a hinted tag does not matter; la and lb are their last bytes.
type hint struct {
	a, b   string
	la, lb byte
}

// newHint reads Settings.Hints' value: one or two lower-case attribute
// names separated by a space.
func newHint(names string) (*hint, error) {
	a, b, _ := strings.Cut(names, " ")
	if a == "" || strings.Contains(b, " ") || names != strings.ToLower(names) {
		return nil, fmt.Errorf("%q: want one or two lower-case attribute names", names)
	}
	h := &hint{a: a, b: b, la: a[len(a)-1], lb: a[len(a)-1]}
	if b != "" {
		h.lb = b[len(b)-1]
	}
	return h, nil
}

// getWords returns the flags and hint of the name held in w0, w1 (as
// tagKey.words gives them) and n bytes long.
func (t *tagSet) getWords(w0, w1 uint64, n int) (tagFlags, *hint) {
	for i := slotIndex(w0, w1, n); ; i++ {
		s := &t.slots[i&uint32(len(t.slots)-1)]
		if s.w0 == w0 && s.w1 == w1 && int(s.n) == n {
			return s.flags, t.hintList[s.hint]
		}
		if s.n == 0 {
			return 0, nil
		}
	}
}

// get returns the flags of a key (0 if unknown).
func (t *tagSet) get(k *tagKey) tagFlags {
	if k.n == 0 {
		return 0
	}
	w0, w1 := k.words()
	for i := slotIndex(w0, w1, k.n); ; i++ {
		s := &t.slots[i&uint32(len(t.slots)-1)]
		if s.w0 == w0 && s.w1 == w1 && int(s.n) == k.n {
			return s.flags
		}
		if s.n == 0 {
			return 0
		}
	}
}

// lookup returns the flags of a name (0 if unknown or too long).
func (t *tagSet) lookup(name []byte) tagFlags {
	k, ok := makeKey(name)
	if !ok {
		return 0
	}
	return t.get(&k)
}

// newTagSet builds the table: the standard's flags for every tag, plus what
// a handler wants.
func newTagSet(elements, endTags []string, hints map[string]string) (*tagSet, error) {
	t := standardTags()
	for _, list := range [][]string{elements, endTags} {
		for _, n := range list {
			if err := checkTagName(n); err != nil {
				return nil, err
			}
		}
	}
	if len(elements) > 255 {
		return nil, fmt.Errorf("htmlrewrite: %d elements, at most 255", len(elements))
	}
	seen := map[string]bool{}
	for i, n := range elements {
		if seen[n] {
			return nil, fmt.Errorf("htmlrewrite: element %s listed twice", n)
		}
		seen[n] = true
		t.add(n, flagWanted|tagFlags(i+1)<<idShift)
	}
	for _, n := range endTags {
		t.add(n, flagWantedEnd)
	}
	if len(hints) >= 255 {
		return nil, fmt.Errorf("htmlrewrite: %d hints, at most 254", len(hints))
	}
	for n, hs := range hints {
		if err := checkTagName(n); err != nil {
			return nil, err
		}
		h, err := newHint(hs)
		if err != nil {
			return nil, fmt.Errorf("htmlrewrite: hint of %s: %w", n, err)
		}
		t.add(n, flagHinted)
		t.hints[n] = h
		if k, ok := makeKey([]byte(n)); ok && len(t.hintList) < 256 {
			w0, w1 := k.words()
			for i := slotIndex(w0, w1, k.n); ; i++ {
				if s := &t.slots[i&uint32(len(t.slots)-1)]; s.w0 == w0 && s.w1 == w1 && int(s.n) == k.n {
					s.hint = uint8(len(t.hintList))
					break
				}
			}
			t.hintList = append(t.hintList, h)
		}
	}
	return t, nil
}

// standardTags returns a tag set of the standard's flags alone.
func standardTags() *tagSet {
	t := &tagSet{hints: make(map[string]*hint), hintList: []*hint{nil}}
	for name, f := range tagTable {
		t.add(name, f)
	}
	return t
}

// checkTagName checks a tag name of the settings: lower-case letters,
// digits and '-', at most maxTagName bytes (the table holds no longer
// names).
func checkTagName(n string) error {
	if n == "" || len(n) > maxTagName {
		return fmt.Errorf("htmlrewrite: tag name %q: want 1 to %d bytes", n, maxTagName)
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return fmt.Errorf("htmlrewrite: tag name %q: want lower-case letters, digits and '-'", n)
		}
	}
	return nil
}

func isASCIIAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
