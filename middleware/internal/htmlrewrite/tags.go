package htmlrewrite

// tagFlags say how a tag name affects tokenizing and the tree, as far as a
// rewriter needs to know without building the tree.
type tagFlags uint16

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

func lookupTag(name []byte) tagFlags {
	if len(name) > maxTagName {
		return 0
	}
	return tagTable[string(name)]
}

func isASCIIAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isSpace reports HTML whitespace as the tokenizer sees it (CR is
// normalised to LF before tokenizing, so it counts too).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}
