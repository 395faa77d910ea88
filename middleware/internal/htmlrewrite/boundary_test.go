package htmlrewrite

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// boundaryCases are documents whose tokens end where a naive scanner
// would not: script data escapes, raw text and RCDATA, comments and bogus
// comments, CDATA, foreign content with its integration points and
// breakout tags, <noscript>, <template>. Each lists the src of every img
// a browser makes an HTML element of, in order, which is what the
// rewriter must pass to its handler (and nothing inside text). They run
// on a fresh clone, without the third-party corpora; the html5lib suite
// (html5lib_test.go) covers the tokenizer exhaustively when it is there.
//
// oracle marks the cases golang.org/x/net/html agrees with as written;
// the others are where the rewriter reads by design as a browser without
// scripting would (<noscript> content is markup; <template> content is
// judged as if it were in the document).
var boundaryCases = []struct {
	name   string
	in     string
	imgs   []string
	oracle bool
}{
	{"script text", `<script>a<img src=1></script><img src=2>`, []string{"2"}, true},
	{"script escaped then double escaped", `<script><!--<script>x</script>--><img src=1></script><img src=2>`, []string{"2"}, true},
	{"escaped script ends at </script>", `<script><!--</script><img src=1>`, []string{"1"}, true},
	{"double escape ends at -->", `<script><!--<script>--></script><img src=1>`, []string{"1"}, true},
	{"double escaped </script> only leaves double escape", `<script><!--<script></script></script><img src=1>`, []string{"1"}, true},
	{"script end tag with space and case", `<SCRIPT>x</SCRIPT ><img src=1>`, []string{"1"}, true},
	{"script end tag must end the name", `<script>x</scriptx><img src=1></script><img src=2>`, []string{"2"}, true},
	{"script text split as in document.write", `<script>document.write("</scr"+"ipt><img src=1>")</script><img src=2>`, []string{"2"}, true},
	{"script of another type is still script data", `<script type="text/plain"><img src=1></script>`, nil, true},
	{"style is raw text", `<style><img src=1></style><img src=2>`, []string{"2"}, true},
	{"textarea is RCDATA", `<textarea><img src=1></textarea><img src=2>`, []string{"2"}, true},
	{"title is RCDATA", `<title><img src=1></title><img src=2>`, []string{"2"}, true},
	{"xmp", `<xmp><img src=1></xmp><img src=2>`, []string{"2"}, true},
	{"iframe content is raw text", `<iframe><img src=1></iframe><img src=2>`, []string{"2"}, true},
	{"noembed", `<noembed><img src=1></noembed><img src=2>`, []string{"2"}, true},
	{"noframes", `<noframes><img src=1></noframes><img src=2>`, []string{"2"}, true},
	{"plaintext never ends", `<plaintext><img src=1></plaintext><img src=2>`, nil, true},
	{"comment", `<!-- <img src=1> --><img src=2>`, []string{"2"}, true},
	{"abruptly closed empty comment", `<!--><img src=1>`, []string{"1"}, true},
	{"abruptly closed comment, one dash", `<!---><img src=1>`, []string{"1"}, true},
	{"comment ended by --!>", `<!-- x --!><img src=1>`, []string{"1"}, true},
	{"comment not ended by -- >", `<!-- x -- ><img src=1> --><img src=2>`, []string{"2"}, true},
	{"processing instruction is a bogus comment", `<? <img src=1> ?><img src=2>`, []string{"2"}, true},
	{"end tag with space is a bogus comment", `</ <img src=1><img src=2>`, []string{"2"}, true},
	{"CDATA in HTML is a bogus comment", `<![CDATA[<img src=1>]]><img src=2>`, []string{"2"}, true},
	{"CDATA in SVG is text", `<svg><![CDATA[<img src=1>]]></svg><img src=2>`, []string{"2"}, true},
	{"attribute value holding a tag", `<img src=1 alt="<img src=2>"><img src=3>`, []string{"1", "3"}, true},
	{"quoted > inside a tag", `<a href='>'><img src=1></a>`, []string{"1"}, true},
	{"self-closing with spaces", `<img src="1" / ><img src=2 />`, []string{"1", "2"}, true},
	{"style in SVG is markup: img breaks out", `<svg><style><img src=1></style></svg>`, []string{"1"}, true},
	{"script in SVG is markup: img breaks out", `<svg><script><img src=1></script></svg>`, []string{"1"}, true},
	{"breakout by p", `<svg><p><img src=1>`, []string{"1"}, true},
	{"font with color breaks out", `<svg><font color=red><img src=1></font></svg>`, []string{"1"}, true},
	{"font without color stays", `<svg><font><image href=1></image></font></svg><img src=2>`, []string{"2"}, true},
	{"foreignObject is HTML", `<svg><foreignObject><img src=1></foreignObject></svg>`, []string{"1"}, true},
	{"desc is HTML: its style is raw text", `<svg><desc><style><img src=1></style></desc></svg><img src=2>`, []string{"2"}, true},
	{"mtext is a text integration point", `<math><mtext><img src=1></mtext></math>`, []string{"1"}, true},
	{"mi is a text integration point", `<math><mi><img src=1></mi></math>`, []string{"1"}, true},
	{"annotation-xml as HTML", `<math><annotation-xml encoding="text/html"><img src=1></annotation-xml></math>`, []string{"1"}, true},
	{"textarea in SVG is markup", `<svg><textarea><img src=1></textarea></svg>`, []string{"1"}, true},
	{"math style is markup", `<math><style><img src=1></style></math>`, []string{"1"}, true},
	{"noscript content is markup", `<noscript><img src=1></noscript><img src=2>`, []string{"1", "2"}, false},
	{"noscript ends where a scripting browser ends it", `<noscript><style></noscript><img src=1>`, []string{"1"}, false},
	{"noscript ends inside a double-escaped script", `<noscript><script><!--<script></noscript><img src=1>`, []string{"1"}, true},
	{"noscript ends inside an escaped script", `<noscript><script><!--</noscript><img src=1>`, []string{"1"}, true},
	{"template content is judged", `<template><img src=1></template><img src=2>`, []string{"1", "2"}, false},
}

// TestTokenBoundaries: the rewriter passes exactly the img elements a
// browser creates; golang.org/x/net/html confirms the expectations where
// it reads as a browser does.
func TestTokenBoundaries(t *testing.T) {
	c := mustCompile(Settings{Elements: []string{"img", "script"}})
	for _, tc := range boundaryCases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			h := &recorder{edit: func(e *Element) {
				if string(e.Name()) == "img" && !e.Foreign() {
					src, _ := e.Attr("src")
					got = append(got, string(src))
				}
			}}
			for _, size := range []int{len(tc.in), 1, 3} {
				got = got[:0]
				out := rewrite(t, c, h, []byte(tc.in), fixed(size))
				if string(out) != tc.in {
					t.Fatalf("chunks of %d: output differs from the input: %q", size, out)
				}
				if !slices.Equal(got, tc.imgs) {
					t.Errorf("chunks of %d: img elements %q, want %q", size, got, tc.imgs)
				}
			}
			if tc.oracle {
				if o := oracleImgs(t, tc.in); !slices.Equal(o, tc.imgs) {
					t.Errorf("the expectation %q disagrees with golang.org/x/net/html: %q", tc.imgs, o)
				}
			}
		})
	}
}

// oracleImgs parses a document with golang.org/x/net/html (scripting on)
// and returns the src of its HTML img elements.
func oracleImgs(t *testing.T, doc string) []string {
	t.Helper()
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Img && n.Namespace == "" {
			for _, a := range n.Attr {
				if a.Key == "src" {
					out = append(out, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return out
}

// failingWriter accepts n bytes, then fails every write.
type failingWriter struct {
	n   int
	got bytes.Buffer
}

var errWriterFull = errors.New("writer full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.got.Len()+len(p) > w.n {
		k := w.n - w.got.Len()
		w.got.Write(p[:k])
		return k, errWriterFull
	}
	w.got.Write(p)
	return len(p), nil
}

// TestWriterFailsAtEveryOffset: when the output fails, at any byte, the
// error reaches the caller of Write, Flush or Close (never a panic, never
// silence), what went out is a prefix of the whole output, and the
// rewriter stays failed.
func TestWriterFailsAtEveryOffset(t *testing.T) {
	doc := []byte(`<!doctype html><html><head><script src="https://t.example/a.js"></script><style>p{}</style></head>` +
		`<body><img src="https://t.example/p.gif"><p>text</p><script>var s="</scr"+"ipt>";</script>` + strings.Repeat("<b>x</b>", 40) + `</body></html>`)
	whole := rewrite(t, allElements, neutralizer(), doc, fixed(len(doc)))
	for n := 0; n < len(whole); n++ {
		w := &failingWriter{n: n}
		rw := New(w, allElements, neutralizer())
		var err error
		for i := 0; i < len(doc) && err == nil; i += 17 {
			_, err = rw.Write(doc[i:min(i+17, len(doc))])
			if err == nil && i%51 == 0 {
				err = rw.Flush()
			}
		}
		if err == nil {
			err = rw.Close()
		}
		if !errors.Is(err, errWriterFull) {
			t.Fatalf("output failing after %d bytes: error %v, want the writer's", n, err)
		}
		if !bytes.HasPrefix(whole, w.got.Bytes()) {
			t.Fatalf("output failing after %d bytes: what went out is not a prefix of the output", n)
		}
		if _, err := rw.Write([]byte("<p>")); !errors.Is(err, errWriterFull) {
			t.Fatalf("output failing after %d bytes: a later write answered %v", n, err)
		}
	}
}

// TestElementEdits: what each Element edit produces, byte for byte.
func TestElementEdits(t *testing.T) {
	cases := []struct {
		name, in string
		edit     func(e *Element)
		want     string
	}{
		{"nothing", `<img src=a alt='b'>`, func(e *Element) {}, `<img src=a alt='b'>`},
		{"set a new attribute", `<img src=a>`, func(e *Element) { e.SetAttr("data-x", "1") }, `<img data-x="1" src=a>`},
		{"set an existing attribute", `<img src=a alt=b>`, func(e *Element) { e.SetAttr("alt", "c") }, `<img src=a alt="c">`},
		{"set escapes the value", `<img>`, func(e *Element) { e.SetAttr("alt", `"<&>'`) }, `<img alt="&quot;<&amp;>'">`},
		{"rename", `<img src="a" alt=b>`, func(e *Element) { e.RenameAttr("src", "data-consent-src") }, `<img data-consent-src="a" alt=b>`},
		{"rename a missing attribute", `<img alt=b>`, func(e *Element) { e.RenameAttr("src", "data-src") }, `<img alt=b>`},
		{"remove an attribute", `<img src=a alt=b>`, func(e *Element) { e.RemoveAttr("src") }, `<img alt=b>`},
		// Every copy goes: a browser would otherwise take the next one.
		{"remove a duplicated attribute", `<img src=a src=b>`, func(e *Element) { e.RemoveAttr("src") }, `<img>`},
		{"rename a duplicated attribute", `<img src=a src=b>`, func(e *Element) { e.RenameAttr("src", "data-src") }, `<img data-src=a data-src=b>`},
		{"before", `<p><img src=a></p>`, func(e *Element) { e.Before("<i>") }, `<p><i><img src=a></p>`},
		{"prepend", `<script src=a></script>`, func(e *Element) { e.Prepend("x") }, `<script src=a>x</script>`},
		{"remove an element and its content", `<p><script>x()</script>y</p>`, func(e *Element) { e.Remove() }, `<p>y</p>`},
		{"remove a void element", `<p><img src=a>y</p>`, func(e *Element) { e.Remove() }, `<p>y</p>`},
		{"self-closing kept", `<img src=a/>`, func(e *Element) { e.SetAttr("data-x", "") }, `<img data-x="" src=a/>`},
		{"edits combine", `<script type="module" src=a></script>`, func(e *Element) {
			e.RenameAttr("type", "data-consent-type")
			e.SetAttr("type", "text/plain")
			e.RenameAttr("src", "data-consent-src")
			e.SetAttr("data-consent", "analytics")
		}, `<script type="text/plain" data-consent="analytics" data-consent-type="module" data-consent-src=a></script>`},
	}
	c := mustCompile(Settings{Elements: []string{"img", "script"}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := rewrite(t, c, &recorder{edit: tc.edit}, []byte(tc.in), fixed(len(tc.in)))
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestOverflowingTagPlace: a start tag longer than MaxBuffer is handed to
// the handler partial, and what its place tells of it is the same as for
// a whole tag: an img after <svg> breaks out of foreign content (an HTML
// img, which loads), SVG's image stays foreign, and a tag inside
// <noscript> or <template> is inert.
func TestOverflowingTagPlace(t *testing.T) {
	long := `alt="` + strings.Repeat("x", 200) + `"`
	cases := []struct {
		in             string
		wantName       string
		foreign, inert bool
	}{
		{in: `<svg><img src=1 ` + long + `>`, wantName: "img"},
		{in: `<svg><image href=1 ` + long + `></svg>`, wantName: "image", foreign: true},
		{in: `<math><img src=1 ` + long + `>`, wantName: "img"},
		{in: `<img src=1 ` + long + `>`, wantName: "img"},
		{in: `<noscript><img src=1 ` + long + `></noscript>`, wantName: "img", inert: true},
		{in: `<template><img src=1 ` + long + `></template>`, wantName: "img", inert: true},
	}
	for _, whole := range []bool{true, false} {
		s := Settings{Elements: []string{"img", "image"}}
		if !whole {
			s.MaxBuffer = 64
		}
		c := mustCompile(s)
		for _, tc := range cases {
			seen := 0
			h := &recorder{edit: func(e *Element) {
				if string(e.Name()) != tc.wantName {
					return
				}
				seen++
				if e.Partial() == whole {
					t.Errorf("%s (whole tags %v): partial %v", tc.in[:20], whole, e.Partial())
				}
				if e.Foreign() != tc.foreign || e.Inert() != tc.inert {
					t.Errorf("%s (whole tags %v): foreign %v inert %v, want %v %v", tc.in[:20], whole, e.Foreign(), e.Inert(), tc.foreign, tc.inert)
				}
			}}
			rewrite(t, c, h, []byte(tc.in), fixed(16))
			if seen != 1 {
				t.Errorf("%s (whole tags %v): the handler saw %d %s elements, want 1", tc.in[:20], whole, seen, tc.wantName)
			}
		}
	}
}
