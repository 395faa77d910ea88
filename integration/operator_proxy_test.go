//go:build !windows

package integration

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// operatorPage is a site's page with GA4, the Meta pixel (script and
// noscript pixel) and a YouTube embed, in their official shapes.
const operatorPage = `<!doctype html>
<html lang="en"><head><title>Bakery</title>
<script async src="https://www.googletagmanager.com/gtag/js?id=G-OPS123"></script>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}gtag('js',new Date());gtag('config','G-OPS123');</script>
<script>!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');fbq('init','1234567890');fbq('track','PageView');</script>
</head><body><h1>Fresh bread every morning</h1>
<noscript><img height="1" width="1" style="display:none" src="https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1"/></noscript>
<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="YouTube video player" allowfullscreen></iframe>
<p id="last">The end of the page.</p>
</body></html>
`

// operatorUpstream serves operatorPage with a GA cookie and a session
// cookie.
func operatorUpstream(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "_ga=GA1.1.1234567890.1764230400; Path=/; Max-Age=63072000")
		w.Header().Add("Set-Cookie", "PHPSESSID=abc123; Path=/; HttpOnly")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, operatorPage)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// consentProxyProcess is a running caddy consent-proxy.
type consentProxyProcess struct {
	cmd            *exec.Cmd
	url            string
	stdout, stderr *syncBuffer
	done           chan struct{}
}

func startConsentProxy(t *testing.T, bin string, env []string, args ...string) *consentProxyProcess {
	t.Helper()
	addr := "127.0.0.1:" + operatorPort(t)
	p := &consentProxyProcess{url: "http://" + addr, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"consent-proxy", "--from", addr}, args...)...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	waitListening(t, addr, p.done, p.stderr)
	return p
}

// stop sends sig and checks that the proxy shuts down cleanly, with exit
// status 0.
func (p *consentProxyProcess) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("consent-proxy still runs 30 s after %v:\n%s", sig, p.stderr.String())
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("consent-proxy exited with status %d after %v, want 0:\n%s", code, sig, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), `"shutdown complete"`) {
		t.Errorf("consent-proxy did not log a complete shutdown after %v:\n%s", sig, p.stderr.String())
	}
}

func operatorGet(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// Live trackers: an element that would load from a tracker host, or an
// inline tracker script of a runnable type.
var (
	operatorLiveGA4     = regexp.MustCompile(`<script[^>]*\ssrc="https://www\.googletagmanager\.com/gtag/js`)
	operatorLivePixel   = regexp.MustCompile(`<img[^>]*\ssrc="https://www\.facebook\.com/tr`)
	operatorLiveYouTube = regexp.MustCompile(`<iframe[^>]*\ssrc="https://www\.youtube\.com/embed`)
	operatorLiveInline  = regexp.MustCompile(`<script>(window\.dataLayer|!function\(f,b,e,v,n,t,s\))`)
)

// TestOperatorConsentProxy runs `caddy consent-proxy` in front of a page
// with GA4, the Meta pixel and a YouTube embed that sets _ga, as a new
// operator would: enforcing, the visitor gets the banner, inert trackers
// and no _ga; in report mode, the upstream's page and cookies unchanged
// and the list of what would be blocked; SIGTERM and SIGINT stop it.
func TestOperatorConsentProxy(t *testing.T) {
	bin, env := buildOperatorCaddy(t)
	upstream := operatorUpstream(t)
	to := strings.TrimPrefix(upstream.URL, "http://")

	t.Run("enforcing", func(t *testing.T) {
		p := startConsentProxy(t, bin, env, "--to", to, "--report", "--policy-url", "/privacy")
		var resp *http.Response
		var body string
		for range 2 { // the second visit reports nothing new
			resp, body = operatorGet(t, p.url+"/")
		}
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if !strings.Contains(body, "data-consent-banner") || !strings.Contains(body, `name="action" value="reject_all"`) || !strings.Contains(body, `href="/privacy"`) {
			t.Errorf("no banner with its policy link in the page:\n%s", body)
		}
		for name, live := range map[string]*regexp.Regexp{"GA4 script": operatorLiveGA4, "Meta pixel": operatorLivePixel, "YouTube embed": operatorLiveYouTube, "inline tracker script": operatorLiveInline} {
			if live.MatchString(body) {
				t.Errorf("the %s is live: %s", name, live.FindString(body))
			}
		}
		for _, inert := range []string{
			`data-consent-src="https://www.googletagmanager.com/gtag/js?id=G-OPS123"`,
			`data-consent-src="https://www.youtube.com/embed/dQw4w9WgXcQ"`,
			`<p id="last">The end of the page.</p>`,
		} {
			if !strings.Contains(body, inert) {
				t.Errorf("the page lacks %s", inert)
			}
		}
		cookies := strings.Join(resp.Header.Values("Set-Cookie"), "\n")
		if strings.Contains(cookies, "_ga=") || !strings.Contains(cookies, "PHPSESSID=abc123") {
			t.Errorf("Set-Cookie lines:\n%s\nwant PHPSESSID and not _ga", cookies)
		}
		p.stop(t, syscall.SIGTERM)
		out := p.stdout.String()
		for _, want := range []string{
			"/: blocked <script> https://www.googletagmanager.com/gtag/js?id=G-OPS123 (google-analytics: analytics)\n",
			"/: blocked inline <script> (meta-pixel: marketing)\n",
			"/: blocked <img> https://www.facebook.com/tr?id=1234567890&ev=PageView&noscript=1 (meta-pixel: marketing)\n",
			"/: blocked <iframe> https://www.youtube.com/embed/dQw4w9WgXcQ (youtube: marketing)\n",
			"/: blocked Set-Cookie _ga (google-analytics: analytics)\n",
		} {
			if n := strings.Count(out, want); n != 1 {
				t.Errorf("--report printed %q %d times, want once for two visits:\n%s", strings.TrimSpace(want), n, out)
			}
		}
	})

	t.Run("report mode", func(t *testing.T) {
		p := startConsentProxy(t, bin, env, "--to", to, "--mode", "report", "--report")
		resp, body := operatorGet(t, p.url+"/")
		p.stop(t, syscall.SIGINT)
		cookies := strings.Join(resp.Header.Values("Set-Cookie"), "\n")
		if !strings.Contains(cookies, "_ga=GA1.1.1234567890.1764230400") || !strings.Contains(cookies, "PHPSESSID=abc123") {
			t.Errorf("report mode changed the cookies:\n%s", cookies)
		}
		out := p.stdout.String()
		for _, want := range []string{
			"/: would block <script> https://www.googletagmanager.com/gtag/js?id=G-OPS123 (google-analytics: analytics)\n",
			"/: would block inline <script> (meta-pixel: marketing)\n",
			"/: would block <iframe> https://www.youtube.com/embed/dQw4w9WgXcQ (youtube: marketing)\n",
			"/: would block Set-Cookie _ga (google-analytics: analytics)\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("--report did not print %q:\n%s", strings.TrimSpace(want), out)
			}
		}
		if strings.Contains(out, ": blocked ") {
			t.Errorf("report mode says something was blocked:\n%s", out)
		}
		if body != operatorPage {
			why := "the page differs from the upstream's"
			head, tail, _ := strings.Cut(operatorPage, "</body>")
			if strings.HasPrefix(body, head) && strings.HasSuffix(body, "</body>"+tail) && strings.Contains(body, "data-consent-banner") {
				why = "nothing is rewritten, but the banner and its re-open link are still injected before </body>"
			}
			t.Errorf("report mode changed what the visitor sees: %s\ngot:\n%s\nwant:\n%s", why, body, operatorPage)
		}
	})

	t.Run("a bad flag", func(t *testing.T) {
		cmd := exec.Command(bin, "consent-proxy", "--from", "127.0.0.1:"+operatorPort(t), "--to", to, "--mode", "block")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err == nil || cmd.ProcessState.ExitCode() != 1 || !strings.Contains(string(out), `--mode \"block\": want neutralize, remove or report`) {
			t.Errorf("consent-proxy --mode block: %v\n%s\nwant exit status 1 and the flag named", err, out)
		}
	})
}
