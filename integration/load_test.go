package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/consentgate/consentgate/internal/corpus"
)

// loadSecondsEnv overrides how long TestLoadThroughCaddy runs.
const loadSecondsEnv = "CONSENTGATE_LOAD_SECONDS"

const (
	defaultLoadSeconds = 60
	loadClients        = 64
	// After the load, goroutines must come back to the baseline within
	// this margin, and the heap in use within heapMargin.
	goroutineMargin = 8
	heapMargin      = 16 << 20
)

// loadDuration is CONSENTGATE_LOAD_SECONDS, or 60 s.
func loadDuration(t *testing.T) time.Duration {
	t.Helper()
	v := os.Getenv(loadSecondsEnv)
	if v == "" {
		return defaultLoadSeconds * time.Second
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || s <= 0 {
		t.Fatalf("%s=%q: want a positive number of seconds", loadSecondsEnv, v)
	}
	return time.Duration(s * float64(time.Second))
}

const loadJSON = `{"bakery":"open","loaves":[{"name":"rye","price":42},{"name":"spelt","price":48}],"end":true}`

// memSnapshot is the process's goroutines and heap after a collection.
type memSnapshot struct {
	goroutines int
	heapInuse  uint64
}

func (s memSnapshot) String() string {
	return fmt.Sprintf("%d goroutines, heap in use %.1f MB", s.goroutines, float64(s.heapInuse)/(1<<20))
}

func snapshot() memSnapshot {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSnapshot{runtime.NumGoroutine(), ms.HeapInuse}
}

// settleGoroutines waits up to limit for the goroutine count to come down
// to at most want, and returns the snapshot it ended with.
func settleGoroutines(want int, limit time.Duration) memSnapshot {
	deadline := time.Now().Add(limit)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	return snapshot()
}

// loopbackClient is an HTTP client for a Caddy site that dials the
// loopback port whatever the URL's host, keeps a connection per client,
// and leaves bodies and redirects as they come.
func loopbackClient(site *caddySite) (*http.Client, *http.Transport) {
	port := site.url[strings.LastIndexByte(site.url, ':')+1:]
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, "127.0.0.1:"+port)
		},
		MaxIdleConns:        loadClients * 2,
		MaxIdleConnsPerHost: loadClients * 2,
		DisableCompression:  true,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, tr
}

// TestLoadThroughCaddy drives Caddy (consent in front of reverse_proxy)
// with 64 concurrent clients for CONSENTGATE_LOAD_SECONDS (60 s): the
// cloudflare.com page for undecided visitors, a small JSON answer and
// consent POSTs. Every response must be complete and as expected, and
// afterwards the goroutines and the heap must be back to their baseline.
func TestLoadThroughCaddy(t *testing.T) {
	page, err := os.ReadFile(corpus.Dir(t, "real-world-pages/lol-html/cloudflare.com.html"))
	if err != nil {
		t.Fatal(err)
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/stock.json":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(loadJSON)))
			io.WriteString(w, loadJSON)
		default:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Add("Set-Cookie", gaCookie)
			w.Header().Add("Set-Cookie", sessionCookie)
			w.Header().Set("Content-Length", strconv.Itoa(len(page)))
			w.Write(page)
		}
	}))
	t.Cleanup(upstream.Close)
	site := runCaddy(t, "", fmt.Sprintf("\treverse_proxy %s\n\tconsent\n", upstream.Listener.Addr()))
	client, transport := loopbackClient(site)
	t.Cleanup(transport.CloseIdleConnections)

	// The enforced page an undecided visitor gets, which every answer must
	// match byte for byte.
	res, want := site.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %s", res.Status)
	}
	for _, marker := range []string{"data-consent-banner", `data-consent-src="//www.googletagmanager.com/gtag/js?id=GTM-W3LKCG"`} {
		if !bytes.Contains(want, []byte(marker)) {
			t.Fatalf("the enforced page lacks %s", marker)
		}
	}
	if !bytes.HasSuffix(bytes.TrimSpace(want), []byte("</html>")) {
		t.Fatalf("the enforced page ends with %q", want[max(0, len(want)-80):])
	}
	wantSum := sha256.Sum256(want)

	var (
		counts   [3]atomic.Int64 // page, json, consent
		errCount atomic.Int64
		errMu    sync.Mutex
		errs     []string
	)
	fail := func(format string, args ...any) {
		if errCount.Add(1) <= 10 {
			errMu.Lock()
			errs = append(errs, fmt.Sprintf(format, args...))
			errMu.Unlock()
		}
	}
	// one sends request i of a client and checks its answer.
	one := func(i int) time.Duration {
		var req *http.Request
		kind := i % 10
		switch {
		case kind < 6:
			req, _ = http.NewRequest(http.MethodGet, site.url+"/", nil)
			req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
		case kind < 8:
			req, _ = http.NewRequest(http.MethodGet, site.url+"/api/stock.json", nil)
		default:
			action := []string{"accept_all", "reject_all"}[i/10%2]
			req, _ = http.NewRequest(http.MethodPost, site.url+"/.well-known/consent", strings.NewReader(`{"action":"`+action+`","return":"/"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json")
			req.Header.Set("Origin", site.url)
		}
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			fail("%s %s: %v", req.Method, req.URL.Path, err)
			return time.Since(start)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			fail("%s %s: %s", req.Method, req.URL.Path, res.Status)
			io.Copy(io.Discard, res.Body)
			return time.Since(start)
		}
		switch {
		case kind < 6:
			h := sha256.New()
			n, err := io.Copy(h, res.Body)
			if err != nil || n != int64(len(want)) || !bytes.Equal(h.Sum(nil), wantSum[:]) {
				fail("GET /: %d of %d bytes, error %v, same bytes %v", n, len(want), err, bytes.Equal(h.Sum(nil), wantSum[:]))
			}
			counts[0].Add(1)
		case kind < 8:
			body, err := io.ReadAll(res.Body)
			if err != nil || string(body) != loadJSON {
				fail("GET /api/stock.json: %q, %v", body, err)
			}
			counts[1].Add(1)
		default:
			var d struct {
				Granted []string `json:"granted"`
			}
			body, err := io.ReadAll(res.Body)
			if err == nil {
				err = json.Unmarshal(body, &d)
			}
			cookie := slices.ContainsFunc(res.Header.Values("Set-Cookie"), func(l string) bool { return strings.HasPrefix(l, "consentgate=") })
			if err != nil || !cookie {
				fail("POST consent: %q, %v, consent cookie set %v", body, err, cookie)
			}
			counts[2].Add(1)
		}
		return time.Since(start)
	}
	// run sends requests from loadClients clients for d and returns the
	// latencies.
	run := func(d time.Duration) []time.Duration {
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			all []time.Duration
		)
		stop := time.Now().Add(d)
		for c := range loadClients {
			wg.Go(func() {
				var lat []time.Duration
				for i := c; time.Now().Before(stop); i += loadClients {
					lat = append(lat, one(i))
				}
				mu.Lock()
				all = append(all, lat...)
				mu.Unlock()
			})
		}
		wg.Wait()
		return all
	}
	// quiesce closes every idle connection, the client's to Caddy and
	// Caddy's to the upstream, so their goroutines end.
	quiesce := func() {
		transport.CloseIdleConnections()
		upstream.CloseClientConnections()
	}

	// Warm up (pools, caches, lazily built tables), then take the
	// baseline.
	run(2 * time.Second)
	quiesce()
	time.Sleep(500 * time.Millisecond)
	base := snapshot()
	for i := range counts {
		counts[i].Store(0)
	}
	if n := errCount.Load(); n > 0 {
		t.Fatalf("%d errors while warming up: %q", n, errs)
	}

	d := loadDuration(t)
	var (
		peakHeap   atomic.Uint64
		peakRoutes atomic.Int64
		done       = make(chan struct{})
		sampled    = make(chan struct{})
	)
	go func() {
		defer close(sampled)
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peakHeap.Load() {
					peakHeap.Store(ms.HeapInuse)
				}
				if g := int64(runtime.NumGoroutine()); g > peakRoutes.Load() {
					peakRoutes.Store(g)
				}
			}
		}
	}()
	start := time.Now()
	lat := run(d)
	elapsed := time.Since(start)
	close(done)
	<-sampled

	quiesce()
	after := settleGoroutines(base.goroutines+goroutineMargin, 10*time.Second)

	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(float64(len(lat))*p))] }
	total := counts[0].Load() + counts[1].Load() + counts[2].Load()
	t.Logf("load: %d clients for %.1f s: %d requests (%d pages of %d bytes, %d JSON, %d consent POSTs), %d errors, %.0f req/s; latency p50 %v, p99 %v, max %v",
		loadClients, elapsed.Seconds(), total, counts[0].Load(), len(want), counts[1].Load(), counts[2].Load(), errCount.Load(),
		float64(total)/elapsed.Seconds(), pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	t.Logf("load: before %v; during, at most %d goroutines and %.1f MB heap in use; after %v", base, peakRoutes.Load(), float64(peakHeap.Load())/(1<<20), after)
	if n := errCount.Load(); n > 0 {
		t.Errorf("%d of %d requests failed; the first: %q", n, total, errs)
	}
	if total == 0 || counts[0].Load() == 0 || counts[1].Load() == 0 || counts[2].Load() == 0 {
		t.Errorf("not every kind of request ran: %d pages, %d JSON, %d consent POSTs", counts[0].Load(), counts[1].Load(), counts[2].Load())
	}
	if after.goroutines > base.goroutines+goroutineMargin {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines did not come back: %d before, %d after the load; stacks:\n%s", base.goroutines, after.goroutines, buf[:runtime.Stack(buf, true)])
	}
	if after.heapInuse > base.heapInuse+heapMargin {
		t.Errorf("heap in use did not come back: %.1f MB before, %.1f MB after the load", float64(base.heapInuse)/(1<<20), float64(after.heapInuse)/(1<<20))
	}
}
