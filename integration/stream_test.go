package integration

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/consentgate/consentgate/middleware"
)

// rssBytes reads the process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm: cannot measure resident memory here")
	}
	fields := strings.Fields(string(data))
	pages, _ := strconv.ParseInt(fields[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// TestStreamLargePage sends a 200 MB page with trackers all through it
// through the middleware: its first bytes reach the client while the
// handler is still writing, nothing is truncated, every tracker is
// neutralised, and resident memory grows by at most 32 MB.
func TestStreamLargePage(t *testing.T) {
	const total = 200 << 20
	chunk := []byte(strings.Repeat(`<div class="row"><p>Some text of an article, with <a href="/next">a link</a>.</p></div>`+"\n", 60) +
		`<script async src="https://www.googletagmanager.com/gtag/js?id=G-1"></script><img src="https://www.facebook.com/tr?id=1" alt="">` + "\n")
	mw, err := middleware.New(middleware.Config{Banner: "off"})
	if err != nil {
		t.Fatal(err)
	}
	firstByte := make(chan struct{})
	wrote := make(chan int64, 1)
	port := serveHTTP(t, mw.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<!doctype html><html><body>\n")
		var n int64
		flushed := false
		for n < total {
			w.Write(chunk)
			n += int64(len(chunk))
			if !flushed && n > 1<<20 {
				// Hand the first megabyte on and wait until the client has
				// seen it: a rewriter that held the page back would never
				// get here.
				w.(http.Flusher).Flush()
				select {
				case <-firstByte:
				case <-time.After(30 * time.Second):
					t.Error("the client saw nothing of the page after 1 MB was written and flushed")
					return
				}
				flushed = true
			}
		}
		io.WriteString(w, "</body></html>\n")
		wrote <- n
	})))
	runtime.GC()
	before := rssBytes(t)
	resp, err := http.Get("http://127.0.0.1:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 64<<10)
	if _, err := br.Peek(1); err != nil {
		t.Fatal(err)
	}
	close(firstByte)
	var got int64
	var peak int64
	trackers, neutral := 0, 0
	buf := make([]byte, 64<<10)
	var tail []byte
	for {
		n, err := br.Read(buf)
		got += int64(n)
		// Count across read boundaries by keeping a short tail.
		window := append(tail, buf[:n]...)
		trackers += bytes.Count(window, []byte(`<script async src="https://www.googletagmanager.com`)) + bytes.Count(window, []byte(`<img src="https://www.facebook.com/tr`))
		neutral += bytes.Count(window, []byte(`data-consent-src="https://www.googletagmanager.com`))
		if len(window) > 200 {
			tail = append(tail[:0], window[len(window)-200:]...)
		} else {
			tail = append(tail[:0], window...)
		}
		if got%(16<<20) < int64(n) {
			if rss := rssBytes(t); rss-before > peak {
				peak = rss - before
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d bytes: %v", got, err)
		}
	}
	written := <-wrote
	if got < written {
		t.Fatalf("received %d bytes of a %d-byte page", got, written)
	}
	if trackers != 0 {
		t.Errorf("%d tracker tags reached the client unneutralised", trackers)
	}
	if want := int(written / int64(len(chunk))); neutral < want {
		t.Errorf("%d trackers neutralised, want %d", neutral, want)
	}
	t.Logf("streamed %d MB; resident memory grew by at most %.1f MB", got>>20, float64(peak)/(1<<20))
	if peak > 32<<20 {
		t.Errorf("resident memory grew by %.1f MB streaming the page, want at most 32 MB", float64(peak)/(1<<20))
	}
}
