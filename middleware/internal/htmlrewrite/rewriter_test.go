package htmlrewrite

import (
	"bytes"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/consentgate/consentgate/internal/corpus"
)

func corpusDir(t testing.TB, sub string) string { return corpus.Dir(t, sub) }

func realPages(t testing.TB) map[string][]byte { return corpus.Pages(t) }

// recorder is a Handler that edits nothing and records what it saw.
type recorder struct {
	elements []string
	contents []string
	endTags  []string
	ends     int
	edit     func(e *Element)
	content  func(e *Element, text []byte, overflow bool)
	endTag   func(t *EndTag)
	end      func(d *DocumentEnd)
}

func (h *recorder) Element(e *Element) error {
	h.elements = append(h.elements, string(e.Name()))
	if h.edit != nil {
		h.edit(e)
	}
	return nil
}

func (h *recorder) Content(e *Element, text []byte, overflow bool) error {
	h.contents = append(h.contents, string(text))
	if h.content != nil {
		h.content(e, text, overflow)
	}
	return nil
}

func (h *recorder) EndTag(t *EndTag) error {
	h.endTags = append(h.endTags, string(t.Name()))
	if h.endTag != nil {
		h.endTag(t)
	}
	return nil
}

func (h *recorder) End(d *DocumentEnd) error {
	h.ends++
	if h.end != nil {
		h.end(d)
	}
	return nil
}

var allElements = mustCompile(Settings{
	Elements:  []string{"script", "style", "img", "iframe", "a", "link", "source", "video", "audio", "object", "embed", "input", "base", "image", "head", "track", "frame", "area", "body", "meta"},
	EndTags:   []string{"body", "html"},
	Hints:     map[string]string{"a": "ping", "area": "ping"},
	StyleURLs: true,
})

func mustCompile(s Settings) *Compiled {
	c, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return c
}

// rewrite feeds in through a new rewriter in the given chunk sizes.
func rewrite(t testing.TB, c *Compiled, h Handler, in []byte, chunks func(int) int) []byte {
	t.Helper()
	var out bytes.Buffer
	rw := New(&out, c, h)
	for i := 0; i < len(in); {
		n := chunks(len(in) - i)
		if n > len(in)-i {
			n = len(in) - i
		}
		chunk := in[i : i+n]
		if _, err := rw.Write(chunk); err != nil {
			t.Fatalf("write at %d: %v", i, err)
		}
		if err := rw.checkInvariants(chunk); err != nil {
			t.Fatalf("after the write at %d: %v (%s)", i, err, rw)
		}
		i += n
	}
	if err := rw.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := rw.checkInvariants(nil); err != nil {
		t.Fatalf("after close: %v (%s)", err, rw)
	}
	return out.Bytes()
}

func fixed(n int) func(int) int { return func(int) int { return n } }

func TestIdentityOnRealPages(t *testing.T) {
	pages := realPages(t)
	for name, page := range pages {
		for _, size := range []int{len(page), 32 << 10, 4096, 100, 7} {
			h := &recorder{edit: func(e *Element) {
				if string(e.Name()) == "script" {
					if _, ok := e.Attr("src"); !ok {
						e.WantContent()
					}
				}
			}}
			out := rewrite(t, allElements, h, page, fixed(size))
			if !bytes.Equal(out, page) {
				i := firstDiff(out, page)
				t.Fatalf("%s, chunks of %d: output differs from input at byte %d:\n got %q\nwant %q", name, size, i, around(out, i), around(page, i))
			}
			if len(h.elements) == 0 {
				t.Fatalf("%s: no element reached the handler", name)
			}
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func around(b []byte, i int) []byte {
	lo, hi := max(0, i-60), min(len(b), i+60)
	return b[lo:hi]
}

func TestRandomChunkingsAgree(t *testing.T) {
	pages := realPages(t)
	rng := rand.New(rand.NewSource(1))
	for name, page := range pages {
		want := rewrite(t, allElements, neutralizer(), page, fixed(len(page)))
		for i := 0; i < 5; i++ {
			got := rewrite(t, allElements, neutralizer(), page, func(int) int { return 1 + rng.Intn(3000) })
			if !bytes.Equal(got, want) {
				d := firstDiff(got, want)
				t.Fatalf("%s: chunked output differs at %d:\n got %q\nwant %q", name, d, around(got, d), around(want, d))
			}
		}
	}
}

// neutralizer edits scripts, images and frames whose URL or text mentions
// "google" or "facebook", so that rewriting has something to do.
func neutralizer() *recorder {
	h := &recorder{}
	h.edit = func(e *Element) {
		for _, a := range []string{"src", "href", "style", "ping"} {
			if v, ok := e.Attr(a); ok && (bytes.Contains(v, []byte("google")) || bytes.Contains(v, []byte("facebook"))) {
				e.RenameAttr(a, "data-consent-"+a)
				e.SetAttr("data-consent", "marketing")
				return
			}
		}
		if string(e.Name()) == "script" && !e.HasAttr("src") || string(e.Name()) == "style" {
			e.WantContent()
		}
	}
	h.content = func(e *Element, text []byte, overflow bool) {
		if bytes.Contains(text, []byte("google")) || bytes.Contains(text, []byte("fbq(")) {
			e.RenameAttr("type", "data-consent-type")
			e.SetAttr("type", "text/plain")
		}
	}
	h.endTag = func(t *EndTag) {
		if string(t.Name()) == "body" {
			t.Before("<div data-consent-banner></div>")
		}
	}
	return h
}

// TestHintNames: a hint names one or two attributes; more, or none, is a
// mistake in the settings and makes Compile fail instead of being read
// wrong, as does a tag name the table cannot hold.
func TestHintNames(t *testing.T) {
	h, err := newHint("ping attributionsrc")
	if err != nil || h.a != "ping" || h.b != "attributionsrc" || h.la != 'g' || h.lb != 'c' {
		t.Errorf("newHint(two names) = %+v, %v", h, err)
	}
	if h, err := newHint("src"); err != nil || h.a != "src" || h.b != "" || h.la != 'c' || h.lb != 'c' {
		t.Errorf("newHint(one name) = %+v, %v", h, err)
	}
	for _, bad := range []string{"", "a b c", " x", "SRC"} {
		if _, err := Compile(Settings{Elements: []string{"a"}, Hints: map[string]string{"a": bad}}); err == nil {
			t.Errorf("Compile with hint %q: no error", bad)
		}
	}
	for _, bad := range []string{"", "IMG", "averyveryverylongtagname", "a b"} {
		if _, err := Compile(Settings{Elements: []string{bad}}); err == nil {
			t.Errorf("Compile with element %q: no error", bad)
		}
		if _, err := Compile(Settings{EndTags: []string{bad}}); err == nil {
			t.Errorf("Compile with end tag %q: no error", bad)
		}
	}
}

// TestElementIDAndInert: an element carries the position of its name in
// Settings.Elements (0 when it came only for its style attribute), and
// knows when it sits where a script would not run.
func TestElementIDAndInert(t *testing.T) {
	c := mustCompile(Settings{Elements: []string{"img", "script", "a"}, Hints: map[string]string{"a": "ping"}, StyleURLs: true})
	var got []string
	h := &recorder{edit: func(e *Element) {
		got = append(got, fmt.Sprintf("%s:%d:%v", e.Name(), e.ID(), e.Inert()))
	}}
	rewrite(t, c, h, []byte(`<img src=x><a ping=p>l</a><div style="background:url(y)"></div><SCRIPT></SCRIPT>`+
		`<template><img></template><noscript><img></noscript><img><svg><script></script></svg>`), func(n int) int { return n })
	want := []string{"img:1:false", "a:3:false", "div:0:false", "script:2:false", "img:1:true", "img:1:true", "img:1:false", "script:2:false"}
	if !slices.Equal(got, want) {
		t.Errorf("elements %v, want %v", got, want)
	}
	if _, err := Compile(Settings{Elements: []string{"img", "img"}}); err == nil {
		t.Error("Compile with an element listed twice: no error")
	}
}
