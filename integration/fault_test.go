package integration

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests put Caddy (consent in front of reverse_proxy) through what
// goes wrong in production: upstreams that fail or misbehave, clients that
// leave, markup past every cap. In each, the server must keep serving, a
// page is either whole or visibly aborted (a read error on its chunked
// body, never a clean end), no tracker gets through, and memory stays
// bounded.

// faultMaxDecoded is the max_decoded_size the fault tests configure.
const faultMaxDecoded = 4 << 20

// faultMemoryBound is how much the heap in use may grow while one faulty
// response streams through.
const faultMemoryBound = 32 << 20

// Tracker tags as the site wrote them, and substrings that find them live
// in the output (a neutralised tag has data-consent-src, never " src=").
const (
	faultGA4Tag   = `<script async src="https://www.googletagmanager.com/gtag/js?id=G-FAULT1"></script>`
	faultPixelTag = `<img src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1" alt="">`
	liveGA4       = ` src="https://www.googletagmanager.com`
	livePixel     = `<img src="https://www.f`
	faultMarker   = `<p id="end">The end of the page.</p>`
	faultEnd      = faultMarker + "\n</body></html>\n"
)

// faultPage is a small page with trackers, whole.
var faultPage = "<!doctype html><html><head><title>Fault</title>\n" + faultGA4Tag + "\n</head><body>\n" +
	strings.Repeat("<p>Rye, spelt and sourdough, baked every morning.</p>\n", 200) + faultPixelTag + "\n" + faultEnd

// faultSite runs Caddy with consent (max_decoded_size faultMaxDecoded) in
// front of an upstream serving routes, and "/ok", a good page. It returns
// the site, a client of its own and the upstream.
func faultSite(t *testing.T, routes map[string]http.HandlerFunc) (*caddySite, *http.Client, *http.Transport, *httptest.Server) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, caddyTrackerPage)
	})
	for p, h := range routes {
		mux.HandleFunc(p, h)
	}
	upstream := httptest.NewServer(mux)
	t.Cleanup(upstream.Close)
	site := runCaddy(t, "", fmt.Sprintf("\treverse_proxy %s\n\tconsent {\n\t\tmax_decoded_size %d\n\t}\n", upstream.Listener.Addr(), faultMaxDecoded))
	client, transport := loopbackClient(site)
	t.Cleanup(transport.CloseIdleConnections)
	return site, client, transport, upstream
}

// getPage requests path as a browser navigating does.
func getPage(t *testing.T, client *http.Client, site *caddySite, path string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, site.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	req.Header.Set("Accept-Encoding", "gzip, deflate, br, zstd")
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res
}

// stillServing checks that the server answers the next request with a
// whole, enforced page.
func stillServing(t *testing.T, client *http.Client, site *caddySite) {
	t.Helper()
	res := getPage(t, client, site, "/ok")
	defer res.Body.Close()
	page, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the next request: %s, %v", res.Status, err)
	}
	assertEnforced(t, page)
}

// bodyScan is what a client saw of a body it read as a stream: its
// length, its first and last bytes, how it ended, and how often each
// pattern looked for occurred.
type bodyScan struct {
	n          int64
	head, tail []byte
	err        error // nil for a clean end
	hits       map[string]int
}

const scanKeep = 64 << 10

// scanBody reads r to its end, keeping scanKeep bytes at each end, and
// counts patterns across read boundaries.
func scanBody(r io.Reader, patterns ...string) bodyScan {
	s := bodyScan{hits: map[string]int{}}
	overlap := 0
	for _, p := range patterns {
		overlap = max(overlap, len(p)-1)
	}
	buf := make([]byte, 32<<10)
	var carry []byte
	for {
		n, err := r.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if len(s.head) < scanKeep {
				s.head = append(s.head, chunk[:min(n, scanKeep-len(s.head))]...)
			}
			window := append(carry, chunk...)
			for _, p := range patterns {
				// Count the matches that end in this chunk.
				s.hits[p] += bytes.Count(window, []byte(p)) - bytes.Count(carry, []byte(p))
			}
			carry = append(carry[:0], window[max(0, len(window)-overlap):]...)
			s.tail = append(s.tail, chunk...)
			if len(s.tail) > 2*scanKeep {
				s.tail = append(s.tail[:0], s.tail[len(s.tail)-scanKeep:]...)
			}
			s.n += int64(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			s.err = err
			break
		}
	}
	if len(s.tail) > scanKeep {
		s.tail = s.tail[len(s.tail)-scanKeep:]
	}
	return s
}

// heapWatch samples the heap in use until stopped.
type heapWatch struct {
	base uint64
	peak atomic.Uint64
	stop chan struct{}
	done chan struct{}
}

func watchHeap() *heapWatch {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	w := &heapWatch{base: ms.HeapInuse, stop: make(chan struct{}), done: make(chan struct{})}
	w.peak.Store(ms.HeapInuse)
	go func() {
		defer close(w.done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > w.peak.Load() {
					w.peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	return w
}

// growth stops the watch and returns how far the heap in use rose above
// where it started.
func (w *heapWatch) growth() int64 {
	close(w.stop)
	<-w.done
	return int64(w.peak.Load()) - int64(w.base)
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// whole reports whether a page of at least want bytes ending with
// faultEnd (the banner before its </body>) arrived whole.
func (s bodyScan) whole(want int64) bool {
	return s.err == nil && s.n >= want && bytes.Contains(s.tail, []byte(faultMarker)) && bytes.HasSuffix(s.tail, []byte("</body></html>\n"))
}

func (s bodyScan) ending() string { return string(s.tail[max(0, len(s.tail)-80):]) }

// assertNoLiveTracker checks the patterns that find live trackers did not
// occur.
func assertNoLiveTracker(t *testing.T, s bodyScan, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if s.hits[p] > 0 {
			t.Errorf("a live tracker reached the client: %q occurs %d times", p, s.hits[p])
		}
	}
}

// middlewareGoroutines returns the stacks of the goroutines running the
// middleware's code, by goroutine id.
func middlewareGoroutines() map[string]string {
	buf := make([]byte, 4<<20)
	found := map[string]string{}
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "github.com/consentgate/consentgate/middleware.") {
			id, _, _ := strings.Cut(strings.TrimPrefix(g, "goroutine "), " ")
			found[id] = g
		}
	}
	return found
}

// newMiddlewareGoroutines waits up to limit for every goroutine running
// the middleware's code, but those in before, to end, and returns the
// stacks of those left.
func newMiddlewareGoroutines(before map[string]string, limit time.Duration) []string {
	deadline := time.Now().Add(limit)
	for {
		var left []string
		for id, g := range middlewareGoroutines() {
			if _, old := before[id]; !old {
				left = append(left, g)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// failIf fails the test with msg when cond holds.
func failIf(t *testing.T, cond bool, msg string) {
	t.Helper()
	if cond {
		t.Error(msg)
	}
}

// quiet closes idle connections on both sides of Caddy and waits for the
// goroutine count to fall to want (or for limit), returning what it got.
func quiet(transport *http.Transport, upstream *httptest.Server, want int, limit time.Duration) memSnapshot {
	transport.CloseIdleConnections()
	upstream.CloseClientConnections()
	return settleGoroutines(want, limit)
}

// resetAfter answers with head (a raw status line and header, ending in
// the blank line) and body, then closes the connection without ending
// the response, as an upstream that crashes does.
func resetAfter(head string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, bw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		bw.WriteString(head)
		bw.Write(body)
		bw.Flush()
		time.Sleep(50 * time.Millisecond)
		conn.Close()
	}
}

func chunk(p []byte) []byte {
	return append(append([]byte(strconv.FormatInt(int64(len(p)), 16)+"\r\n"), p...), "\r\n"...)
}

// TestFaultUpstreamReset: an upstream that closes the connection half way
// through a page (chunked, with a Content-Length, or gzip-encoded), cut in
// the middle of a tracker tag. The client sees the response aborted, never
// a clean end; what it got has no live tracker, not even the half tag; the
// server keeps serving, and no goroutine is left behind.
func TestFaultUpstreamReset(t *testing.T) {
	page := []byte(faultPage)
	cut := bytes.Index(page, []byte(faultPixelTag)) + len(`<img src="https://www.facebook.com/tr?id=12`)
	gz := encodeBody("gzip", page)
	routes := map[string]http.HandlerFunc{
		"/chunked": resetAfter("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n", chunk(page[:cut])),
		"/length":  resetAfter(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n", len(page)), page[:cut]),
		"/gzip":    resetAfter(fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n", len(gz)), gz[:len(gz)/2]),
	}
	site, client, transport, upstream := faultSite(t, routes)
	stillServing(t, client, site)
	for _, path := range []string{"/chunked", "/length", "/gzip"} {
		t.Run(path[1:], func(t *testing.T) {
			base := quiet(transport, upstream, 0, 0)
			running := middlewareGoroutines()
			res := getPage(t, client, site, path)
			s := scanBody(res.Body, liveGA4, livePixel)
			res.Body.Close()
			t.Logf("%s: status %d, %d of %d bytes, then %v", path, res.StatusCode, s.n, len(page), s.err)
			if res.StatusCode == http.StatusOK {
				if s.err == nil {
					t.Errorf("the response ended cleanly after %d bytes of a page cut short by its upstream: the client cannot tell it is truncated", s.n)
				}
				if bytes.Contains(s.tail, []byte(faultMarker)) {
					t.Error("the client got the end of a page its upstream never sent")
				}
			}
			assertNoLiveTracker(t, s, liveGA4, livePixel)
			if i := bytes.LastIndex(s.tail, []byte("<img")); i >= 0 && !bytes.Contains(s.tail[i:], []byte(">")) {
				t.Errorf("the half tag the upstream sent reached the client: %q", s.tail[i:])
			}
			stillServing(t, client, site)
			left := newMiddlewareGoroutines(running, 3*time.Second)
			after := quiet(transport, upstream, base.goroutines+len(left), 5*time.Second)
			t.Logf("%s: before %v; after %v", path, base, after)
			if len(left) > 0 {
				t.Logf("left behind:\n%s", strings.Join(left, "\n\n"))
			}
			failIf(t, len(left) > 0, "the goroutine decoding a compressed page outlived the response reverse_proxy aborted")
			if after.goroutines > base.goroutines+len(left) {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines left behind by an aborted response; stacks:\n%s", after.goroutines-base.goroutines, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

// endlessPage writes a page that never ends, flushing as it goes, until
// the write fails or the request is cancelled; it sends how much it wrote
// on done when it returns. With useGzip it sends the page gzip-encoded;
// with pause it stops writing after 512 KB and waits for the end of the
// request.
func endlessPage(useGzip, pause bool, done chan<- int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var n int64
		defer func() { done <- n }()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		var out io.Writer = w
		flush := func() error { return http.NewResponseController(w).Flush() }
		if useGzip {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			out = zw
			flush = func() error {
				if err := zw.Flush(); err != nil {
					return err
				}
				return http.NewResponseController(w).Flush()
			}
		}
		io.WriteString(out, "<!doctype html><html><body>\n")
		row := []byte(strings.Repeat("<p>A row of the endless price list, with no end in sight.</p>\n", 100) + faultGA4Tag + faultPixelTag + "\n")
		for i := 0; ; i++ {
			if _, err := out.Write(row); err != nil {
				return
			}
			n += int64(len(row))
			if i%4 == 0 {
				if err := flush(); err != nil {
					return
				}
			}
			if pause && n > 512<<10 {
				flush()
				<-r.Context().Done()
				return
			}
			select {
			case <-r.Context().Done():
				return
			default:
			}
		}
	}
}

// TestFaultClientDisconnect: a client that leaves a page that never ends
// (plain or gzip-encoded) after 1 MB while the upstream writes, or after
// 256 KB while it pauses after 512 KB (so that the proxy is waiting on the
// upstream, not on the client, when the client leaves). The upstream's handler must be
// released, and the goroutines and heap come back to where they were; the
// server keeps serving.
func TestFaultClientDisconnect(t *testing.T) {
	paths := []string{"/endless", "/endless-gzip", "/paused", "/paused-gzip"}
	done := map[string]chan int64{}
	routes := map[string]http.HandlerFunc{}
	for _, p := range paths {
		done[p] = make(chan int64, 1)
		routes[p] = endlessPage(strings.HasSuffix(p, "gzip"), strings.HasPrefix(p, "/paused"), done[p])
	}
	site, client, transport, upstream := faultSite(t, routes)
	stillServing(t, client, site)
	for _, path := range paths {
		t.Run(path[1:], func(t *testing.T) {
			base := quiet(transport, upstream, 0, 0)
			running := middlewareGoroutines()
			res := getPage(t, client, site, path)
			read := int64(1 << 20)
			paused := strings.HasPrefix(path, "/paused")
			if paused {
				read = 256 << 10
			}
			s := scanBody(io.LimitReader(res.Body, read), liveGA4, livePixel)
			if s.err != nil || s.n != read {
				t.Fatalf("reading the first %s: %d bytes, %v", mb(read), s.n, s.err)
			}
			assertNoLiveTracker(t, s, liveGA4, livePixel)
			if paused {
				time.Sleep(200 * time.Millisecond) // the upstream reaches its pause
			}
			leftAt := time.Now()
			res.Body.Close() // unread: closes the connection
			select {
			case n := <-done[path]:
				t.Logf("%s: the upstream handler returned %v after the client left, having written %s", path, time.Since(leftAt).Round(time.Millisecond), mb(n))
			case <-time.After(10 * time.Second):
				t.Fatalf("%s: the upstream is still writing 10 s after the client left", path)
			}
			stillServing(t, client, site)
			left := newMiddlewareGoroutines(running, 3*time.Second)
			after := quiet(transport, upstream, base.goroutines+len(left), 5*time.Second)
			t.Logf("%s: before %v; after %v", path, base, after)
			if after.heapInuse > base.heapInuse+heapMargin {
				t.Errorf("heap in use %s after, %s before", mb(int64(after.heapInuse)), mb(int64(base.heapInuse)))
			}
			if len(left) > 0 {
				t.Logf("left behind:\n%s", strings.Join(left, "\n\n"))
			}
			failIf(t, len(left) > 0, "the goroutine decoding a compressed page outlived the client that left")
			if after.goroutines > base.goroutines+len(left) {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines left behind by a client that left; stacks:\n%s", after.goroutines-base.goroutines, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

// TestFaultSlowUpstream: an upstream that trickles a page over a few
// seconds, a tracker tag split between two of its writes. The client gets
// the first bytes before the last are sent, then the whole page with every
// tracker neutralised.
func TestFaultSlowUpstream(t *testing.T) {
	page := faultPage
	split := strings.Index(page, faultPixelTag) + 20
	pieces := []string{page[:200], page[200:2000], page[2000:split], page[split : len(page)-len(faultEnd)], faultEnd}
	firstByte := make(chan struct{})
	lastSent := make(chan time.Time, 1)
	site, client, _, _ := faultSite(t, map[string]http.HandlerFunc{
		"/slow": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			for i, p := range pieces {
				if i == len(pieces)-1 {
					// The last piece waits until the client has the first
					// bytes: a proxy that held the page back never gets here.
					select {
					case <-firstByte:
					case <-time.After(10 * time.Second):
						return
					}
					lastSent <- time.Now()
				}
				io.WriteString(w, p)
				http.NewResponseController(w).Flush()
				if i < len(pieces)-1 {
					time.Sleep(600 * time.Millisecond)
				}
			}
		},
	})
	start := time.Now()
	res := getPage(t, client, site, "/slow")
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	if _, err := br.Peek(1); err != nil {
		t.Fatalf("reading the first byte: %v", err)
	}
	first := time.Since(start)
	close(firstByte)
	s := scanBody(br, liveGA4, livePixel)
	total := time.Since(start)
	var last time.Time
	select {
	case last = <-lastSent:
	default:
		t.Fatal("the upstream never sent its last piece: the client got no byte before it was due, so the page was held back")
	}
	t.Logf("slow upstream: first byte after %v, last piece sent after %v, whole page (%d bytes) after %v", first.Round(time.Millisecond), last.Sub(start).Round(time.Millisecond), s.n, total.Round(time.Millisecond))
	if !s.whole(int64(len(page))) {
		t.Errorf("the page did not arrive whole: %d bytes, %v; it ends %q", s.n, s.err, s.ending())
	}
	assertNoLiveTracker(t, s, liveGA4, livePixel)
	for _, want := range []string{`data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-FAULT1"`, `data-consent-src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1"`} {
		if !bytes.Contains(append(append([]byte{}, s.head...), s.tail...), []byte(want)) {
			t.Errorf("the page lacks %s", want)
		}
	}
	stillServing(t, client, site)
}

// gzipBomb is an HTML page of decoded bytes, gzip-encoded (about 1000
// times smaller).
var gzipBomb = sync.OnceValue(func() []byte {
	const decoded = 64 << 20
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	io.WriteString(zw, "<!doctype html><html><body><p>")
	zeros := make([]byte, 1<<20)
	for i := range zeros {
		zeros[i] = 'a'
	}
	for range decoded >> 20 {
		zw.Write(zeros)
	}
	io.WriteString(zw, "</p>"+faultGA4Tag+faultEnd)
	zw.Close()
	return buf.Bytes()
})

// TestFaultGzipBomb: an upstream page, gzip-encoded, that decodes to 64
// MB, past max_decoded_size (4 MiB). The response is aborted near the cap,
// memory stays bounded, and the server keeps serving. Asked by a browser
// (Accept-Encoding given) and by a client that names no coding.
func TestFaultGzipBomb(t *testing.T) {
	bomb := gzipBomb()
	site, client, transport, upstream := faultSite(t, map[string]http.HandlerFunc{
		"/bomb": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
			w.Write(bomb)
		},
	})
	stillServing(t, client, site)
	for _, c := range []struct {
		name   string
		header []string
	}{
		{"browser", nil},
		{"no Accept-Encoding", []string{"Accept-Encoding", ""}},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := quiet(transport, upstream, 0, 0)
			running := middlewareGoroutines()
			w := watchHeap()
			start := time.Now()
			res := getPage(t, client, site, "/bomb", c.header...)
			s := scanBody(res.Body, liveGA4)
			res.Body.Close()
			growth := w.growth()
			t.Logf("gzip bomb of %s (64 MB decoded): status %d, %s received in %v, then %v; heap grew by at most %s",
				mb(int64(len(bomb))), res.StatusCode, mb(s.n), time.Since(start).Round(time.Millisecond), s.err, mb(growth))
			failIf(t, c.header != nil && s.n > faultMaxDecoded+1<<20, "a page requested without Accept-Encoding went past max_decoded_size")
			if res.StatusCode == http.StatusOK && s.err == nil {
				t.Errorf("the bomb's response ended cleanly after %s: want it aborted", mb(s.n))
			}
			if s.n > faultMaxDecoded+1<<20 {
				t.Errorf("the client received %s of a bomb capped at %s decoded", mb(s.n), mb(faultMaxDecoded))
			}
			if growth > faultMemoryBound {
				t.Errorf("the heap grew by %s decoding the bomb, want at most %s", mb(growth), mb(faultMemoryBound))
			}
			assertNoLiveTracker(t, s, liveGA4)
			stillServing(t, client, site)
			if left := newMiddlewareGoroutines(running, 3*time.Second); len(left) > 0 {
				t.Errorf("goroutines left behind:\n%s", strings.Join(left, "\n\n"))
			}
			after := quiet(transport, upstream, base.goroutines, 5*time.Second)
			t.Logf("before %v; after %v", base, after)
		})
	}
}

// bigPage streams a page of prefix, n bytes of filler from fill, and
// suffix, in 64 KiB writes, so that neither side holds it whole.
func bigPage(prefix string, fill byte, n int, suffix string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(prefix)+n+len(suffix)))
		io.WriteString(w, prefix)
		block := bytes.Repeat([]byte{fill}, 64<<10)
		for left := n; left > 0; left -= len(block) {
			if _, err := w.Write(block[:min(left, len(block))]); err != nil {
				return
			}
		}
		io.WriteString(w, suffix)
	}
}

// metaPixelScript is the Meta pixel's inline snippet.
const metaPixelScript = `!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');fbq('init','1234567890');fbq('track','PageView');`

// TestFaultHugeInlineScript: a 50 MB inline script whose tracker
// signature comes only at its end. With the default overflow policy
// (block) the script is neutralised, the page arrives whole with the
// script's text unchanged, a tracker after it is still neutralised, and
// memory stays bounded.
func TestFaultHugeInlineScript(t *testing.T) {
	const size = 50 << 20
	prefix := "<!doctype html><html><head><title>Bundle</title>\n<script>/* app bundle */ var filler = \""
	suffix := "\";\n" + metaPixelScript + "</script>\n</head><body>\n" + faultGA4Tag + "\n" + faultEnd
	site, client, _, _ := faultSite(t, map[string]http.HandlerFunc{"/bundle": bigPage(prefix, 'x', size, suffix)})
	w := watchHeap()
	start := time.Now()
	res := getPage(t, client, site, "/bundle")
	s := scanBody(res.Body, liveGA4, "xxxxxxxx\";\n"+metaPixelScript)
	res.Body.Close()
	growth := w.growth()
	want := int64(len(prefix) + size + len(suffix))
	t.Logf("50 MB inline script: %s of %s in %v, heap grew by at most %s", mb(s.n), mb(want), time.Since(start).Round(time.Millisecond), mb(growth))
	if res.StatusCode != http.StatusOK || !s.whole(want) {
		t.Fatalf("the page did not arrive whole: %s, %d of at least %d bytes, %v; it ends %q", res.Status, s.n, want, s.err, s.ending())
	}
	open := scriptOpenTag(s.head, "/* app bundle */")
	if !inertScript.MatchString(open) {
		t.Errorf("the 50 MB script with the Meta pixel at its end runs: it opens with %q", open)
	}
	if s.hits["xxxxxxxx\";\n"+metaPixelScript] != 1 {
		t.Error("the end of the script's text did not pass unchanged")
	}
	assertAfterHuge(t, s, growth, client, site, "script")
}

// assertAfterHuge checks what follows a huge construct in a page: no live
// tracker, the GA4 tag after it neutralised, the heap bounded, and the
// site still serving.
func assertAfterHuge(t *testing.T, s bodyScan, growth int64, client *http.Client, site *caddySite, what string) {
	t.Helper()
	assertNoLiveTracker(t, s, liveGA4)
	if !bytes.Contains(s.tail, []byte(`data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-FAULT1"`)) {
		t.Errorf("the GA4 tag after the huge %s is not neutralised", what)
	}
	if growth > faultMemoryBound {
		t.Errorf("the heap grew by %s streaming the page, want at most %s", mb(growth), mb(faultMemoryBound))
	}
	stillServing(t, client, site)
}

// inertScript matches a <script> start tag whose type makes it data.
var inertScript = regexp.MustCompile(`(?i)^<script\s[^>]*\btype\s*=\s*"?text/plain`)

// scriptOpenTag returns the start tag of the script whose text begins
// with marker.
func scriptOpenTag(head []byte, marker string) string {
	i := bytes.Index(head, []byte(marker))
	if i < 0 {
		return ""
	}
	j := bytes.LastIndex(head[:i], []byte("<script"))
	if j < 0 {
		return ""
	}
	return string(head[j:i])
}

// TestFaultHugeAttribute: an <img> with a 10 MB attribute before its
// tracker src. The overflow policy makes it inert: its first src (the one
// a browser uses) is not the tracker's. The page arrives whole, a tracker
// after it is still neutralised, and memory stays bounded.
func TestFaultHugeAttribute(t *testing.T) {
	const size = 10 << 20
	prefix := "<!doctype html><html><body>\n<p>Before.</p><img alt=\"pixel\" data-blob=\""
	suffix := "\" src=\"https://www.facebook.com/tr?id=1234567890&ev=PageView\" width=\"1\">\n" + faultGA4Tag + "\n" + faultEnd
	site, client, _, _ := faultSite(t, map[string]http.HandlerFunc{"/blob": bigPage(prefix, 'b', size, suffix)})
	w := watchHeap()
	res := getPage(t, client, site, "/blob")
	s := scanBody(res.Body, liveGA4)
	res.Body.Close()
	growth := w.growth()
	want := int64(len(prefix) + size + len(suffix))
	t.Logf("10 MB attribute: %s of %s, heap grew by at most %s", mb(s.n), mb(want), mb(growth))
	if res.StatusCode != http.StatusOK || !s.whole(want) {
		t.Fatalf("the page did not arrive whole: %s, %d of at least %d bytes, %v; it ends %q", res.Status, s.n, want, s.err, s.ending())
	}
	i := bytes.Index(s.head, []byte("<img"))
	if i < 0 {
		t.Fatal("no <img> in the page")
	}
	img := s.head[i:min(len(s.head), i+512)]
	src := firstSrc.FindSubmatch(img)
	if src == nil || bytes.Contains(src[1], []byte("facebook.com")) {
		t.Errorf("the <img> before its 10 MB attribute is live: %q", img[:min(len(img), 200)])
	}
	assertAfterHuge(t, s, growth, client, site, "<img>")
}

// guardScript is the run-time guard's element, as the middleware puts it
// first in a page.
var guardScript = regexp.MustCompile(`<script src="/\.well-known/consent/guard-[0-9a-f]+\.js" data-granted="[^"]*"></script>`)

// withoutGuard returns a page without the run-time guard's element, which
// it holds at most once (a page without a script, nor an element where one
// could run, has none).
func withoutGuard(t *testing.T, page []byte) []byte {
	t.Helper()
	if n := len(guardScript.FindAll(page, -1)); n > 1 {
		t.Errorf("the page holds the run-time guard %d times, want once", n)
	}
	return guardScript.ReplaceAll(page, nil)
}

// firstSrc finds the first src attribute of a tag.
var firstSrc = regexp.MustCompile(`(?i)\ssrc\s*=\s*"([^"]*)"`)

// TestFaultUnterminatedComment: a page ending inside a comment that never
// closes, short and past the buffer cap, passes whole: every byte the
// upstream sent reaches the client, in order.
func TestFaultUnterminatedComment(t *testing.T) {
	short := "<!doctype html><html><body><p>Before the comment.</p><!-- " + faultGA4Tag + " the comment never ends"
	long := "<!doctype html><html><body><p>Before the comment.</p>\n" + faultGA4Tag + "\n<!-- " + strings.Repeat("a commented-out price list, never closed. ", 25000) + faultPixelTag
	site, client, _, _ := faultSite(t, map[string]http.HandlerFunc{
		"/short": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, short)
		},
		"/long": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, long)
		},
	})
	for _, c := range []struct{ path, page string }{{"/short", short}, {"/long", long}} {
		t.Run(c.path[1:], func(t *testing.T) {
			res := getPage(t, client, site, c.path)
			out, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("%s, %v", res.Status, err)
			}
			out = withoutGuard(t, out)
			// The comment runs to the end; the banner, appended at the end,
			// is inside it. Before the comment the GA4 tag of the long page
			// is neutralised.
			in := c.page
			if c.path == "/long" {
				in = strings.Replace(in, faultGA4Tag, "", 1)
				if !bytes.Contains(out, []byte(`data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-FAULT1"`)) {
					t.Error("the GA4 tag before the comment is not neutralised")
				}
				out = regexp.MustCompile(`<script [^>]*data-consent-src="https://www.googletagmanager.com/gtag/js\?id=G-FAULT1"[^>]*></script>`).ReplaceAll(out, nil)
			}
			t.Logf("%s: %d bytes in (%d KB comment), %d out", c.path, len(c.page), len(c.page)/1024, len(out))
			if !bytes.HasPrefix(out, []byte(in)) {
				i := 0
				for i < len(in) && i < len(out) && in[i] == out[i] {
					i++
				}
				t.Errorf("the page did not pass whole: it differs at byte %d of %d: got %q, want %q", i, len(in), out[i:min(len(out), i+80)], in[i:min(len(in), i+80)])
			}
			stillServing(t, client, site)
		})
	}
}

// TestFaultInvalidBytes: invalid UTF-8 and NUL bytes around, and inside,
// tracker tags. The trackers are neutralised all the same, and every byte
// between them passes unchanged.
func TestFaultInvalidBytes(t *testing.T) {
	plain := []string{
		"<!doctype html><html><head><meta charset=\"utf-8\"><title>\xff\xfe bad \x00 title</title>\n",
		"\n\x00\xc3\x28\xa0\xa1 between \xe2\x82\x28 \xf0\x28\x8c\xbc\n</head><body>\n<p>caf\xe9 \x00\x00 na\xefve</p>\n",
		"\n<p>\xed\xa0\x80 surrogate \xc0\xaf overlong \xf8\x88\x80\x80\x80 five bytes</p>\x00\n",
		"\n" + faultEnd,
	}
	trackers := []string{
		faultGA4Tag,
		"<img alt=\"\xff\x00\xc3\" src=\"https://www.facebook.com/tr?id=1234567890&ev=PageView\">",
		"<script>\x00\xff/* \xc3\x28 */" + metaPixelScript + "</script>",
	}
	page := plain[0] + trackers[0] + plain[1] + trackers[1] + plain[2] + trackers[2] + plain[3]
	site, client, _, _ := faultSite(t, map[string]http.HandlerFunc{
		"/bytes": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, page)
		},
	})
	res := getPage(t, client, site, "/bytes")
	out, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("%s, %v", res.Status, err)
	}
	out = withoutGuard(t, out)
	// Each plain run must be there as sent, in order.
	at := 0
	for i, p := range plain {
		if p == plain[3] {
			p = "\n" // the banner goes in before </body>
		}
		j := bytes.Index(out[at:], []byte(p))
		if j < 0 {
			t.Errorf("plain run %d (%q) did not pass byte for byte", i, p)
			continue
		}
		at += j + len(p)
	}
	if !bytes.HasSuffix(out, []byte("</body></html>\n")) {
		t.Errorf("the page is cut short: it ends %q", out[max(0, len(out)-80):])
	}
	if bytes.Contains(out, []byte(liveGA4)) {
		t.Error("the GA4 tag amid invalid bytes is live")
	}
	if i := bytes.Index(out, []byte("alt=\"\xff\x00\xc3\"")); i < 0 {
		t.Error("the pixel's tag is gone or its invalid bytes changed")
	} else {
		start := bytes.LastIndex(out[:i], []byte("<img"))
		tag := out[start : i+bytes.IndexByte(out[i:], '>')+1]
		if src := firstSrc.FindSubmatch(tag); src != nil && bytes.Contains(src[1], []byte("facebook.com")) {
			t.Errorf("the Meta pixel amid invalid bytes is live: %q", tag)
		}
	}
	if open := scriptOpenTag(out, "\x00\xff/* \xc3\x28 */"); !inertScript.MatchString(open) {
		t.Errorf("the Meta pixel snippet after NUL and invalid bytes runs: it opens with %q", open)
	}
	if !bytes.Contains(out, []byte("\x00\xff/* \xc3\x28 */"+metaPixelScript)) {
		t.Error("the inline script's bytes changed")
	}
	if t.Failed() {
		t.Logf("page:\n%q", out)
	}
	stillServing(t, client, site)
}
