package middleware

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

const gtmTag = `<script src="https://www.googletagmanager.com/gtm.js?id=GTM-X"></script>`

func compress(t *testing.T, coding string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "deflate":
		w = zlib.NewWriter(&buf)
	case "deflate-raw":
		w, _ = flate.NewWriter(&buf, 5)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		w, _ = zstd.NewWriter(&buf)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestCompressedHTMLIsEnforced(t *testing.T) {
	page := []byte("<html><head>" + gtmTag + "</head><body>" + strings.Repeat("<p>text</p>", 2000) + "</body></html>")
	m := newTestMiddleware(t, Config{})
	for _, coding := range []string{"gzip", "deflate", "deflate-raw", "br", "zstd"} {
		t.Run(coding, func(t *testing.T) {
			enc := compress(t, coding, page)
			header := strings.TrimSuffix(coding, "-raw")
			h := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("Content-Encoding", header)
				for i := 0; i < len(enc); i += 1000 { // in pieces, as a proxy copies
					w.Write(enc[i:min(i+1000, len(enc))])
				}
			}
			resp := serve(t, m, h, httptest.NewRequest("GET", "/", nil))
			out := body(t, resp)
			if resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding %q kept on a decoded body", resp.Header.Get("Content-Encoding"))
			}
			if strings.Contains(out, `<script src="https://www.googletagmanager.com`) || !strings.Contains(out, "data-consent-src") {
				t.Errorf("tracker not neutralised in %s body: %.300s", coding, out)
			}
			if len(out) < len(page) {
				t.Errorf("body truncated: %d < %d", len(out), len(page))
			}
		})
	}
}

func TestUndecodableHTMLIsRefused(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	h := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "compress")
		w.Write([]byte("\x1f\x9d" + gtmTag))
	}
	resp := serve(t, m, h, httptest.NewRequest("GET", "/", nil))
	out := body(t, resp)
	if resp.StatusCode != http.StatusBadGateway || strings.Contains(out, "googletagmanager") {
		t.Errorf("status %d body %q: want 502 and nothing of the page", resp.StatusCode, out)
	}
}

func TestDecompressionBombIsAborted(t *testing.T) {
	m := newTestMiddleware(t, Config{MaxDecodedSize: 1 << 20})
	bomb := compress(t, "gzip", bytes.Repeat([]byte("<p>"), 4<<20)) // 12 MiB decoded
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		return // connection aborted: fine
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil {
		t.Fatalf("a bomb decoding past the limit read as complete (%d bytes)", n)
	}
	if n > 2<<20 {
		t.Errorf("%d bytes sent past a 1 MiB limit", n)
	}
}

func TestResponseSemantics(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	page := "<html><body>" + gtmTag + "</body></html>"
	cases := []struct {
		name     string
		method   string
		status   int
		header   map[string]string
		body     string
		wantBody string // "" means: unchanged
		rewrite  bool
	}{
		{name: "head", method: "HEAD", status: 200, header: map[string]string{"Content-Type": "text/html", "Content-Length": "100", "ETag": `"x"`}, rewrite: true},
		{name: "204", status: 204, header: map[string]string{"Content-Type": "text/html"}},
		{name: "304", status: 304, header: map[string]string{"Content-Type": "text/html", "ETag": `"x"`}},
		{name: "206", status: 206, header: map[string]string{"Content-Type": "text/html", "Content-Range": "bytes 0-10/100"}, body: page},
		{name: "json", status: 200, header: map[string]string{"Content-Type": "application/json"}, body: `{"s":"` + gtmTag + `"}`},
		{name: "sse", status: 200, header: map[string]string{"Content-Type": "text/event-stream"}, body: "data: " + gtmTag + "\n\n"},
		{name: "404 html", status: 404, header: map[string]string{"Content-Type": "text/html"}, body: page, rewrite: true},
		{name: "xhtml", status: 200, header: map[string]string{"Content-Type": "application/xhtml+xml"}, body: page, rewrite: true},
		{name: "sniffed", status: 200, header: map[string]string{}, body: "<!DOCTYPE html>" + page, rewrite: true},
		{name: "sniffed short", status: 200, header: map[string]string{}, body: "<html>" + gtmTag, rewrite: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = "GET"
			}
			h := func(w http.ResponseWriter, r *http.Request) {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.Header().Set("Accept-Ranges", "bytes")
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			}
			resp := serve(t, m, h, httptest.NewRequest(method, "/", nil))
			out := body(t, resp)
			if resp.StatusCode != c.status {
				t.Errorf("status %d, want %d", resp.StatusCode, c.status)
			}
			rewritten := resp.Header.Get("Vary") != ""
			if rewritten != c.rewrite {
				t.Errorf("rewritten = %v (Vary %q), want %v", rewritten, resp.Header.Get("Vary"), c.rewrite)
			}
			if c.rewrite {
				for _, gone := range []string{"Content-Length", "ETag", "Accept-Ranges", "Last-Modified"} {
					if resp.Header.Get(gone) != "" {
						t.Errorf("%s kept on a rewritten response", gone)
					}
				}
				if strings.Contains(out, `<script src="https://www.googletagmanager.com`) {
					t.Errorf("tracker survived: %s", out)
				}
			} else if out != c.body {
				t.Errorf("body changed: %q, want %q", out, c.body)
			}
		})
	}
}

// TestCopyCannotBypass writes the page the way file servers do, with
// io.Copy from a reader that has WriteTo and to a writer that might have
// ReadFrom.
func TestCopyCannotBypass(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if _, ok := w.(io.ReaderFrom); ok {
			t.Error("the wrapped writer exposes ReadFrom")
		}
		http.ServeContent(w, r, "index.html", time.Time{}, strings.NewReader("<html><body>"+gtmTag+"</body></html>"))
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	out := body(t, resp)
	if strings.Contains(out, `<script src="https://www.googletagmanager.com`) {
		t.Errorf("io.Copy bypassed the rewrite: %s", out)
	}
}

func TestEarlyHintsDropTrackerPreloads(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	var hints []http.Header
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Link", "</app.css>; rel=preload; as=style, <https://www.googletagmanager.com/gtm.js?id=GTM-X>; rel=preload; as=script")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
	})))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	trace := &httptraceClient{onInfo: func(code int, h http.Header) { hints = append(hints, h.Clone()) }}
	resp, err := trace.do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(hints) != 1 {
		t.Fatalf("got %d informational responses, want 1", len(hints))
	}
	link := strings.Join(hints[0].Values("Link"), ", ")
	if strings.Contains(link, "googletagmanager") || !strings.Contains(link, "</app.css>") {
		t.Errorf("103 Link = %q: want the tracker preload gone and the stylesheet kept", link)
	}
	if final := strings.Join(resp.Header.Values("Link"), ", "); strings.Contains(final, "googletagmanager") {
		t.Errorf("final Link = %q keeps the tracker", final)
	}
}

// TestFlushStreamsDecidedBytes checks that what a handler flushes reaches
// the client before the handler ends, as far as it can be decided.
func TestFlushStreamsDecidedBytes(t *testing.T) {
	m := newTestMiddleware(t, Config{Banner: "off"})
	release := make(chan struct{})
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><h1>first part</h1>"+gtmTag+"<p>held <scr")
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("flush: %v", err)
		}
		<-release
		io.WriteString(w, "ipt>var x=1</script></body></html>")
	})))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	got := make([]byte, 0, 512)
	deadline := time.Now().Add(5 * time.Second)
	for !bytes.Contains(got, []byte("<p>held ")) && time.Now().Before(deadline) {
		b, err := br.ReadByte()
		if err != nil {
			t.Fatalf("reading streamed part: %v (got %q)", err, got)
		}
		got = append(got, b)
	}
	close(release)
	rest, _ := io.ReadAll(br)
	all := string(got) + string(rest)
	if !strings.Contains(string(got), "data-consent-src") {
		t.Errorf("flushed part not rewritten: %q", got)
	}
	if !strings.HasSuffix(all, "<p>held <script>var x=1</script></body></html>") {
		t.Errorf("whole body %q", all)
	}
}

func TestHijackForUpgrades(t *testing.T) {
	m := newTestMiddleware(t, Config{})
	srv := httptest.NewServer(m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack through the middleware: %v", err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nhello")
		rw.Flush()
	})))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, _ := io.ReadAll(conn)
	if !strings.Contains(string(b), "101 Switching Protocols") || !strings.HasSuffix(string(b), "hello") {
		t.Errorf("upgrade response %q", b)
	}
}

// httptraceClient reports informational responses.
type httptraceClient struct {
	onInfo func(code int, h http.Header)
}

func (c *httptraceClient) do(req *http.Request) (*http.Response, error) {
	ctx := withInfoTrace(req.Context(), c.onInfo)
	return http.DefaultClient.Do(req.WithContext(ctx))
}

func withInfoTrace(ctx context.Context, f func(int, http.Header)) context.Context {
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		Got1xxResponse: func(code int, h textproto.MIMEHeader) error {
			f(code, http.Header(h))
			return nil
		},
	})
}
