package guard

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/chromedp/chromedp"

	"github.com/consentgate/consentgate/middleware/internal/weburl"
	"github.com/consentgate/consentgate/rules"
)

// The agreement property: the guard judges a URL written in a page (raw,
// resolved against the document's base) exactly as the server does,
// weburl.Parse then Ruleset.MatchURL. The same holds for cookie names
// and MatchCookie.

// requireEnv makes a missing Node or Chromium a failure (CI sets it).
const requireEnv = "CONSENTGATE_REQUIRE_BROWSER"

// agreementBases are the documents inputs are resolved against.
var agreementBases = []string{"https://www.example.com/dir/page.html", "http://shop.example.org/a/b/"}

func testRules(t testing.TB) *rules.Ruleset {
	t.Helper()
	vs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	rs, err := rules.Compile(vs, rules.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// goJudge is the server's judgement: the vendor id, or "" for none. skip
// says why the guard may differ on purpose.
func goJudge(rs *rules.Ruleset, raw, base string) (vendor, skip string) {
	bu, _ := url.Parse(base)
	b := weburl.NewBase(bu.Scheme, bu.Host, bu.Path)
	var buf weburl.Buffer
	u, ok := weburl.Parse([]byte(raw), &b, &buf)
	if !ok {
		return "", ""
	}
	if u.Scheme == "ftp" {
		// weburl counts ftp: as a network scheme; browsers load no ftp:
		// subresource at all, so the guard judges only http(s) and ws(s).
		return "", "ftp"
	}
	m, ok := rs.MatchURL(string(u.Host), string(u.PathQuery))
	if !ok {
		return "", ""
	}
	return m.Vendor.ID, ""
}

// nodeBidi reports inputs holding right-to-left characters: Node 20's
// IDNA applies the Bidi rule only partly (weburl's tests list the
// inputs); desktop browsers and x/net/idna apply it in full.
func nodeBidi(raw string) bool {
	for _, r := range raw {
		if unicode.In(r, unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko) || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF {
			return true
		}
	}
	return false
}

// nodeJudge is one long-lived Node process running the guard, judging
// one JSON line at a time.
type nodeJudge struct {
	mu  sync.Mutex
	cmd *exec.Cmd
	in  *bufio.Writer
	out *bufio.Scanner
}

var nodeOnce struct {
	once sync.Once
	j    *nodeJudge
	err  error
}

const nodeHarness = `
globalThis.self = globalThis;
require("vm").runInThisContext(require("fs").readFileSync(process.argv[1], "utf8"));
const api = globalThis.__consentgate;
const rl = require("readline").createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const q = JSON.parse(line);
  let r;
  try { r = q.cookie !== undefined ? api.cookie(q.cookie) : api.match(q.url, q.base); } catch (e) { r = { error: String(e) }; }
  process.stdout.write(JSON.stringify(r === undefined ? null : r) + "\n");
});
`

// startNode returns the Node judge, or skips when Node is missing.
func startNode(t testing.TB) *nodeJudge {
	t.Helper()
	nodeOnce.once.Do(func() {
		path, err := exec.LookPath("node")
		if err != nil {
			nodeOnce.err = err
			return
		}
		g, err := Compile(Options{Rules: testRules(t), NoMinify: true})
		if err != nil {
			nodeOnce.err = err
			return
		}
		dir, err := os.MkdirTemp("", "guard-node")
		if err != nil {
			nodeOnce.err = err
			return
		}
		script := dir + "/guard.js"
		if err := os.WriteFile(script, g.WorkerPrefix(Decision{}), 0o644); err != nil {
			nodeOnce.err = err
			return
		}
		cmd := exec.Command(path, "-e", nodeHarness, script)
		cmd.Stderr = os.Stderr
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			nodeOnce.err = err
			return
		}
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		nodeOnce.j = &nodeJudge{cmd: cmd, in: bufio.NewWriter(stdin), out: sc}
	})
	if nodeOnce.err != nil {
		if os.Getenv(requireEnv) != "" {
			t.Fatalf("Node is needed (%s is set): %v", requireEnv, nodeOnce.err)
		}
		t.Skipf("Node not available: %v", nodeOnce.err)
	}
	return nodeOnce.j
}

// ask sends one query and decodes the answer into v.
func (j *nodeJudge) ask(t testing.TB, q any, v any) {
	t.Helper()
	j.mu.Lock()
	defer j.mu.Unlock()
	b, _ := json.Marshal(q)
	j.in.Write(b)
	j.in.WriteByte('\n')
	if err := j.in.Flush(); err != nil {
		t.Fatalf("writing to node: %v", err)
	}
	if !j.out.Scan() {
		t.Fatalf("node ended: %v", j.out.Err())
	}
	if err := json.Unmarshal(j.out.Bytes(), v); err != nil {
		t.Fatalf("node answered %q: %v", j.out.Bytes(), err)
	}
}

func (j *nodeJudge) match(t testing.TB, raw, base string) string {
	var v *string
	j.ask(t, map[string]string{"url": raw, "base": base}, &v)
	if v == nil {
		return ""
	}
	return *v
}

// agreementInputs are weburl's WHATWG corpus (urls.txt) and URLs built
// from every host, URL and path rule of the catalogue.
func agreementInputs(t testing.TB, rs *rules.Ruleset) []string {
	t.Helper()
	var out []string
	data, err := os.ReadFile("../weburl/testdata/gen/urls.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var s string
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("urls.txt: %q: %v", line, err)
		}
		out = append(out, s)
	}
	tb := rs.Tables()
	for _, h := range tb.Hosts {
		out = append(out, "https://"+h.Suffix+"/x.js", "//WWW."+strings.ToUpper(h.Suffix)+".:443/a?b#c", "https://x"+h.Suffix+"/")
	}
	for _, u := range tb.URLs {
		q := ""
		if len(u.Query) > 0 {
			q = "?z=1&" + strings.ToUpper(strings.Join(u.Query, "&"))
		}
		out = append(out, "https://"+u.Host+u.Path+q, "https://"+u.Host+strings.ToUpper(u.Path)+"/x", "wss://"+u.Host+u.Path+"%2e%2E/"+q)
	}
	for _, p := range tb.Paths {
		out = append(out, "/assets"+p.Suffix, "../x"+strings.ToUpper(p.Suffix)+"?v=1", "https://first.example"+p.Suffix+"#f")
	}
	return out
}

func checkAgreement(t *testing.T, rs *rules.Ruleset, raw string, judge func(raw, base string) string, node bool) {
	t.Helper()
	for _, base := range agreementBases {
		want, skip := goJudge(rs, raw, base)
		if skip != "" {
			continue
		}
		got := judge(raw, base)
		if got == want {
			continue
		}
		if node && nodeBidi(raw) {
			continue
		}
		t.Errorf("%q on %s: the guard judges %q, the server %q", raw, base, got, want)
	}
}

func TestAgreementNode(t *testing.T) {
	rs := testRules(t)
	j := startNode(t)
	inputs := agreementInputs(t, rs)
	found := 0
	for _, raw := range inputs {
		checkAgreement(t, rs, raw, func(raw, base string) string { return j.match(t, raw, base) }, true)
		if v, _ := goJudge(rs, raw, agreementBases[0]); v != "" {
			found++
		}
	}
	if found < len(inputs)/3 {
		t.Errorf("only %d of %d inputs name a tracker: the property is not exercised", found, len(inputs))
	}
	t.Logf("%d inputs, %d naming a tracker, judged alike", len(inputs), found)
}

func FuzzAgreement(f *testing.F) {
	rs := testRules(f)
	for _, s := range agreementInputs(f, rs) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		j := startNode(t)
		checkAgreement(t, rs, raw, func(raw, base string) string { return j.match(t, raw, base) }, true)
	})
}

// TestAgreementChromium runs the property over the fixed inputs in
// Chromium, whose URL parser is the one that matters.
func TestAgreementChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Chromium")
	}
	rs := testRules(t)
	g, err := Compile(Options{Rules: rs})
	if err != nil {
		t.Fatal(err)
	}
	ctx := chromium(t)
	inputs := agreementInputs(t, rs)
	q, _ := json.Marshal(map[string]any{"inputs": inputs, "bases": agreementBases})
	expr := string(g.WorkerPrefix(Decision{})) + fmt.Sprintf(`;(function(q){var out={};q.bases.forEach(function(b){out[b]=q.inputs.map(function(u){return self.__consentgate.match(u,b)||""})});return out})(%s)`, q)
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](expr))
	if err != nil {
		t.Fatal(err)
	}
	for i, raw := range inputs {
		checkAgreement(t, rs, raw, func(raw, base string) string { return got[base][i] }, false)
	}
}

// chromium starts a headless Chromium on about:blank, or skips.
func chromium(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	for _, p := range []string{path, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			path = p
			break
		}
	}
	if _, err := os.Stat(path); path == "" || err != nil {
		if os.Getenv(requireEnv) != "" {
			t.Fatalf("Chromium not found and %s is set", requireEnv)
		}
		t.Skip("Chromium not found")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"), chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	tctx, tcancel := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(tcancel)
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return tctx
}

// TestCookieNames holds the guard's reading of cookie strings to the
// table that middleware's TestGuardCookieNames holds the server's
// (browserCookieName, RFC 6265bis) to, and its judgement of names to
// MatchCookie.
func TestCookieNames(t *testing.T) {
	rs := testRules(t)
	j := startNode(t)
	type answer struct {
		Name   *string `json:"name"`
		Vendor *string `json:"vendor"`
	}
	for _, tc := range cookieNameCases(t) {
		var a *answer
		j.ask(t, map[string]string{"cookie": tc.Line}, &a)
		got := ""
		if a != nil && a.Name != nil {
			got = *a.Name
		}
		if got != tc.Name {
			t.Errorf("cookie string %q: the guard reads name %q, want %q", tc.Line, got, tc.Name)
		}
	}
	names := []string{"consentgate", "unknown_cookie", "PHPSESSID"}
	tb := rs.Tables()
	for _, c := range tb.CookieExact {
		names = append(names, c.Name, c.Name+"_x")
	}
	for _, c := range tb.CookiePrefix {
		names = append(names, c.Name, c.Name+"123")
	}
	for _, n := range names {
		var a *answer
		j.ask(t, map[string]string{"cookie": n + "=1"}, &a)
		want := ""
		if m, ok := rs.MatchCookie(n); ok {
			want = m.Vendor.ID
		}
		got := ""
		if a != nil && a.Vendor != nil {
			got = *a.Vendor
		}
		if got != want {
			t.Errorf("cookie %q: the guard finds vendor %q, MatchCookie %q", n, got, want)
		}
	}
}

// cookieNameCases reads the cookie strings and the names a browser stores
// them under (none: ""), the one table both sides are held to.
func cookieNameCases(t *testing.T) []struct{ Line, Name string } {
	t.Helper()
	b, err := os.ReadFile("testdata/cookie-names.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct{ Line, Name string }
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}
