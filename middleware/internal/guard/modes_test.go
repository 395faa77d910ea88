package guard

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// modePage tries a few mechanisms against a tracker; the browser resolves
// no host but the test server's, so nothing leaves the machine.
const modePage = `<div id=d></div><script>
var T = "https://www.google-analytics.com/collect?v=";
var out = {};
var i = new Image(); i.src = T + "img";
out.src = i.getAttribute("src"); out.realSrc = i.attributes.getNamedItem("src") ? i.attributes.getNamedItem("src").value : null;
out.held = i.attributes.getNamedItem("data-consent-src") !== null;
var d = document.getElementById("d"); d.innerHTML = '<img id=x src="' + T + 'inner"><p>kept</p>';
out.inner = d.innerHTML;
document.cookie = "_ga=1; path=/"; out.cookie = document.cookie.indexOf("_ga=") >= 0;
fetch(T + "fetch").then(function () { out.fetch = "sent"; }, function (e) { out.fetch = e.name; });
out.stats = __consentgate.stats();
setTimeout(function () { window.out = out; }, 300);
</script>`

func TestModes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Chromium")
	}
	rs := testRules(t)
	var (
		mu      sync.Mutex
		reports []string
	)
	pages := map[string][]byte{}
	for _, mode := range []string{ModeNeutralize, ModeRemove, ModeReport} {
		g, err := Compile(Options{Rules: rs, Mode: mode, Endpoint: "/cg"})
		if err != nil {
			t.Fatal(err)
		}
		pages["/"+mode] = append(g.AppendInline([]byte("<!DOCTYPE html><html><head>"), Decision{}, ""), "</head><body>"+modePage+"</body></html>"...)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cg/report" {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			reports = append(reports, string(b))
			mu.Unlock()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(pages[r.URL.Path])
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ctx := chromium(t)
	type result struct {
		Src     *string
		RealSrc *string
		Held    bool
		Inner   string
		Cookie  bool
		Fetch   string
		Stats   map[string]int
	}
	for _, mode := range []string{ModeNeutralize, ModeRemove, ModeReport} {
		url := "http://" + ln.Addr().String() + "/" + mode
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.Poll[chromedp.Void](`!!window.out && !!window.out.fetch`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		r, err := chromedp.Run(ctx, chromedp.Evaluate[result](`window.out`))
		if err != nil {
			t.Fatal(err)
		}
		str := func(p *string) string {
			if p == nil {
				return "<nil>"
			}
			return *p
		}
		switch mode {
		case ModeNeutralize:
			if r.RealSrc != nil || !r.Held || !strings.HasSuffix(str(r.Src), "v=img") || !strings.Contains(r.Inner, `data-consent-src=`) || r.Cookie || r.Fetch != "TypeError" {
				t.Errorf("neutralize: %+v (src %s, real %s)", r, str(r.Src), str(r.RealSrc))
			}
		case ModeRemove:
			if r.RealSrc != nil || r.Held || strings.Contains(r.Inner, "<img") || !strings.Contains(r.Inner, "kept") || r.Cookie || r.Fetch != "TypeError" {
				t.Errorf("remove: %+v (src %s, real %s)", r, str(r.Src), str(r.RealSrc))
			}
		case ModeReport:
			if !strings.HasSuffix(str(r.RealSrc), "v=img") || r.Held || !strings.Contains(r.Inner, `src="https://www.google-analytics.com`) || !r.Cookie || r.Fetch != "TypeError" && r.Fetch != "sent" {
				t.Errorf("report: %+v (src %s, real %s)", r, str(r.Src), str(r.RealSrc))
			}
		}
		if r.Stats["img"] < 2 || r.Stats["fetch"] != 1 || r.Stats["cookie"] != 1 {
			t.Errorf("%s: stats %v", mode, r.Stats)
		}
	}
	// The report: sent on pagehide (the navigation away) or after two
	// seconds.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1 (from report mode): %q", len(reports), reports)
	}
	var rep struct {
		V     int
		Page  string
		Items []struct{ Kind, URL, Vendor string }
	}
	if err := json.Unmarshal([]byte(reports[0]), &rep); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, it := range rep.Items {
		kinds[it.Kind] = true
		if strings.Contains(it.URL, "?") {
			t.Errorf("a report keeps the query: %s", it.URL)
		}
	}
	if rep.V != 1 || rep.Page != "/report" || !kinds["img"] || !kinds["fetch"] || !kinds["cookie"] {
		t.Errorf("report %s", reports[0])
	}
}
