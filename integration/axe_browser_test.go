package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/consentgate/consentgate/middleware"
)

// axeEnv names axe-core's axe.min.js; CI sets it.
const axeEnv = "CONSENTGATE_AXE"

const defaultAxePath = "/tmp/axe/node_modules/axe-core/axe.min.js"

// axeSource reads axe-core, or skips the test (fails when the browser
// tests are required).
func axeSource(t *testing.T) string {
	t.Helper()
	p := os.Getenv(axeEnv)
	if p == "" {
		p = defaultAxePath
	}
	src, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv(browserEnv) != "" {
			t.Fatalf("axe-core not found and %s is set: %v (npm install axe-core, and set %s to axe.min.js)", browserEnv, err, axeEnv)
		}
		t.Skipf("axe-core not found (%v): skipping the accessibility check (npm install axe-core, and set %s to axe.min.js)", err, axeEnv)
	}
	return string(src)
}

// axeViolation is one rule axe-core found broken, with the elements that
// break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeResult is what one axe.run found: the violations, and the ids of the
// rules it could not decide (to be checked by a person).
type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
	Incomplete []string       `json:"incomplete"`
	Passes     int            `json:"passes"`
}

// runAxe runs axe-core on the banner, the re-open link and the
// placeholders of blocked embeds of the page in the tab.
func runAxe(tb *tab, src string) axeResult {
	tb.t.Helper()
	if !eval[bool](tb, `typeof window.axe === "object"`) {
		eval[bool](tb, src+"\n;true")
	}
	const run = `axe.run({include: ["[data-consent-banner]", ".cg-reopen", "[data-consent-placeholder]"].filter(s => document.querySelector(s)).map(s => [s])},
		{resultTypes: ["violations", "incomplete"]}).then(r => JSON.stringify({
		version: r.testEngine.version,
		violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))})),
		incomplete: r.incomplete.map(v => v.id),
		passes: r.passes.length,
	}))`
	ctx := tb.ctx
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](run, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("axe.run: %v", err)
	}
	var res axeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		tb.t.Fatalf("axe.run answered %s: %v", out, err)
	}
	return res
}

// TestBrowserBannerAxe runs axe-core on the demo site's banner and re-open
// link, in light and dark mode: the banner as an undecided visitor sees
// it, with its customise layer open, and the re-open link after a choice.
// No violation may be serious or critical; every violation is logged. The
// customise layer with every vendor's switch shown, and the placeholder
// of the demo site's video, may have no violation at all.
func TestBrowserBannerAxe(t *testing.T) {
	src := axeSource(t)
	url := demoSite(t, middleware.Config{PolicyURL: "/privacy.html"})
	b := newBrowser(t, siteHost)
	openVendors := func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`document.querySelectorAll("details.cg-more, details.cg-vendors").forEach(d => d.open = true), true`)(ctx, tg)
		return chromedp.Void{}, err
	}
	states := []struct {
		name   string
		steps  []chromedp.Action[chromedp.Void]
		check  string // a JavaScript expression true in this state
		strict bool   // no violation at all
	}{
		{"banner", nil, `!document.querySelector("[data-consent-banner]").hidden`, false},
		{"customise layer open", []chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(`details.cg-more > summary`)), chromedp.Sleep(300 * time.Millisecond)},
			`document.querySelector("details.cg-more").open && !document.querySelector("[data-consent-banner]").hidden`, false},
		{"re-open link", []chromedp.Action[chromedp.Void]{chromedp.Click(rejectButton), chosen},
			`document.querySelector("[data-consent-banner]").hidden && !document.querySelector(".cg-reopen").hidden`, false},
		{"vendor switches open", []chromedp.Action[chromedp.Void]{openVendors, chromedp.Sleep(300 * time.Millisecond)},
			`document.querySelectorAll("details.cg-vendors[open] input[name=vendor]").length >= 4 && !document.querySelector("[data-consent-banner]").hidden`, true},
		{"placeholder", []chromedp.Action[chromedp.Void]{chromedp.Click(rejectButton), chosen, chromedp.ScrollIntoView(chromedp.CSS(`.video`))},
			`!!document.querySelector('[data-consent-placeholder="youtube"] .cg-ph-box:not([hidden])')`, true},
	}
	for _, scheme := range []string{"light", "dark"} {
		for _, st := range states {
			t.Run(scheme+"/"+st.name, func(t *testing.T) {
				tb := b.newTab(t)
				call(tb, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
				tb.do(chromedp.Navigate(url), settle())
				tb.do(st.steps...)
				if !eval[bool](tb, st.check) {
					t.Fatalf("the page is not in the state to check: %s is false", st.check)
				}
				if got := eval[bool](tb, `matchMedia("(prefers-color-scheme: dark)").matches`); got != (scheme == "dark") {
					t.Fatalf("prefers-color-scheme: dark matches %v in %s mode", got, scheme)
				}
				res := runAxe(tb, src)
				var serious []string
				for _, v := range res.Violations {
					for _, n := range v.Nodes {
						t.Logf("axe %s: %s (%s): %s\n\tnode %v: %s\n\t%s", res.Version, v.ID, v.Impact, v.Help, n.Target, n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n\t"))
					}
					if v.Impact == "serious" || v.Impact == "critical" {
						serious = append(serious, fmt.Sprintf("%s (%s, %d nodes)", v.ID, v.Impact, len(v.Nodes)))
					}
				}
				t.Logf("axe-core %s, %s mode, %s: %d rules passed, %d violations, needs review: %v", res.Version, scheme, st.name, res.Passes, len(res.Violations), res.Incomplete)
				if len(serious) > 0 {
					t.Errorf("axe-core finds serious or critical violations: %s", strings.Join(serious, ", "))
				}
				if st.strict && len(res.Violations) > 0 {
					t.Errorf("axe-core finds %d violations", len(res.Violations))
				}
			})
		}
	}
}
