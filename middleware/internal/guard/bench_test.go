package guard

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// benchWorkloads are what a page's own scripts do, timed in the page with
// and without the guard. None touches a tracker.
var benchWorkloads = []struct{ name, js string }{
	{"elements", `(function(){var f=document.createDocumentFragment();var t=performance.now();
		for(var i=0;i<10000;i++){var s=document.createElement("script");s.src="https://cdn.example.net/app"+i+".js";f.appendChild(s)}
		return performance.now()-t})()`},
	{"fetch", `(async function(){var t=performance.now(),ps=[];
		for(var i=0;i<1000;i++)ps.push(fetch("https://cdn.example.net/api/"+i).catch(function(){}));
		await Promise.all(ps);return performance.now()-t})()`},
	{"dom", `(function(){var root=document.body.appendChild(document.createElement("div"));var t=performance.now();
		for(var i=0;i<10000;i++){var d=document.createElement("div");d.setAttribute("class","row r"+i);d.textContent="row "+i;root.appendChild(d);d.style.width=(i%100)+"px";d.getAttribute("class")}
		root.innerHTML="";return performance.now()-t})()`},
}

// BenchmarkGuardCost runs each workload in a page without the guard and
// in one with it, alternated in every iteration, and reports the time of
// each and their ratio (guard/plain) as custom metrics.
func BenchmarkGuardCost(b *testing.B) {
	g, err := Compile(Options{Rules: testRules(b)})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	page := func(head []byte) []byte {
		return []byte("<!DOCTYPE html><html><head>" + string(head) + "</head><body></body></html>")
	}
	plain, guarded := page(nil), page(g.AppendInline(nil, Decision{}, ""))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if strings.HasSuffix(r.URL.Path, "/guard") {
			w.Write(guarded)
		} else {
			w.Write(plain)
		}
	})}
	go srv.Serve(ln)
	defer srv.Close()
	ctx := chromium(b)
	base := "http://" + ln.Addr().String()
	sums := map[string][2]float64{}
	b.ResetTimer()
	for b.Loop() {
		for _, w := range benchWorkloads {
			s := sums[w.name]
			for i, path := range []string{"/plain", "/guard"} {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+path)); err != nil {
					b.Fatal(err)
				}
				ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](w.js, chromedp.EvalAwaitPromise))
				if err != nil {
					b.Fatalf("%s on %s: %v", w.name, path, err)
				}
				s[i] += ms
			}
			sums[w.name] = s
		}
	}
	b.StopTimer()
	n := float64(b.N)
	for _, w := range benchWorkloads {
		s := sums[w.name]
		b.ReportMetric(s[0]/n, w.name+"-plain-ms")
		b.ReportMetric(s[1]/n, w.name+"-guard-ms")
		b.ReportMetric(s[1]/s[0], w.name+"-ratio")
	}
}
