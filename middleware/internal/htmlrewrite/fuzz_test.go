package htmlrewrite

import (
	"bytes"
	"testing"
)

// FuzzChunking checks that how a document is cut into writes never changes
// the output, with and without edits, and that with no edits the output is
// the input byte for byte.
func FuzzChunking(f *testing.F) {
	for _, seed := range []string{
		`<!doctype html><html><head><script src="https://www.google.com/x.js"></script><script>var a="</scr"+"ipt>";</script></head>` +
			`<body><!-- c --><img src="//facebook.com/tr" srcset="a.png 1x, b.png 2x"><noscript><img src=x></noscript>` +
			`<svg><script href="//google.com/s.js"/><style><img src=y></style></svg><textarea></textarea></body></html>`,
		`<script><!--<script></script>--></script><p>`,
		`<a ping="https://google.com/p" href=/x>x</a><iframe srcdoc="<img src=//facebook.com/tr>"></iframe>`,
		`<!---><!--><![CDATA[x]]><?php x ?></ >`,
		`<math><mi><style><img src=//google.com/a></style></mi></math>`,
		`<div style="background:url(//facebook.com/tr)" class=x><a href=/ style='b:url(//google.com/a)'>a</a><td style=x:url(/a)></td></div>`,
		`<noscript><span style="x:url(//facebook.com/tr)"></span></noscript><svg><rect style="fill:url(//google.com/a)"/></svg>`,
		`<style>.a{background:url(//facebook.com/tr)}</style><p style="color:red">`,
		`<div title="x>y" data-a='<script>'>z</div><script/src=//google.com/a.js></script>`,
	} {
		f.Add([]byte(seed), uint8(3), uint8(7))
	}
	f.Fuzz(func(t *testing.T, doc []byte, a, b uint8) {
		if len(doc) > 1<<16 {
			return
		}
		sizes := []int{int(a)%64 + 1, int(b)%64 + 1}
		cut := func(i int) func(int) int {
			k := 0
			return func(int) int { k++; return sizes[(k+i)%2] }
		}
		identity := rewrite(t, allElements, &recorder{edit: wantScriptText}, doc, fixed(len(doc)))
		if !bytes.Equal(identity, doc) {
			d := firstDiff(identity, doc)
			t.Fatalf("no edits, but output differs at %d: %q vs %q", d, around(identity, d), around(doc, d))
		}
		whole := rewrite(t, allElements, neutralizer(), doc, fixed(len(doc)))
		for i := 0; i < 2; i++ {
			got := rewrite(t, allElements, neutralizer(), doc, cut(i))
			if !bytes.Equal(got, whole) {
				d := firstDiff(got, whole)
				t.Fatalf("chunks %v change the output at %d: %q vs %q", sizes, d, around(got, d), around(whole, d))
			}
		}
		if got := rewrite(t, allElements, &recorder{edit: wantScriptText}, doc, fixed(1)); !bytes.Equal(got, doc) {
			t.Fatal("byte-at-a-time output differs from the input")
		}
		// Under a tiny cap, where held elements and long tags overflow,
		// the invariants hold too (rewrite checks them after every write).
		rewrite(t, tinyCap, neutralizer(), doc, cut(0))
		rewrite(t, tinyCap, &recorder{edit: wantScriptText}, doc, cut(1))
	})
}

// tinyCap is allElements with a 64-byte memory cap.
var tinyCap = func() *Compiled {
	c := *allElements
	c.max = 64
	return &c
}()

func wantScriptText(e *Element) {
	if string(e.Name()) == "script" {
		e.WantContent()
	}
}
