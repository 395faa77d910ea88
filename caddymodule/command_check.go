package caddymodule

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/caddyserver/caddy/v2"
	caddycmd "github.com/caddyserver/caddy/v2/cmd"
	"github.com/spf13/cobra"
)

// Exit statuses of consent-check besides 0 (every page checked, everything
// found classified).
const (
	checkExitFailed       = 1 // a bad flag, or a page that could not be checked
	checkExitUnclassified = 2 // something no rule classifies
)

func init() {
	caddycmd.RegisterCommand(caddycmd.Command{
		Name:  "consent-check",
		Usage: `<url>... [--format text|json] [--rules <file>]... [--categories <name,...>] [--no-catalogue] [--unknown-cookies allow|block] [--host <name>] [--timeout <duration>]`,
		Short: "Lists the trackers and cookies of pages as consent judges them",
		Long: `
Fetches each page (from your site, on loopback or your network: give the
URLs of the upstream or of the site itself) as a visitor who has not
consented to anything, runs it through the consent handler in report mode,
and prints per page:

  - the trackers found, grouped by vendor: their categories, each element
    (or Link header entry) with its URL, and the cookies the rules say the
    vendor sets once it runs;
  - the cookies the page sets (its Set-Cookie headers, redirects included),
    each with its vendor and category, or UNCLASSIFIED;
  - what a visitor who refuses gets: how many elements are neutralised and
    how many cookies dropped.

Unclassified, and a reason to fail, are:

  - a cookie the page sets that no rule knows (add a rule with --rules, or
    a vendor block in the Caddyfile; with unknown_cookies allow, the
    default, consent lets such cookies through);
  - an element blocked without knowing its vendor (a tag longer than
    max_buffer_size).

Third-party scripts that no rule knows are not trackers to consent and are
not listed; cookies that scripts set in the browser are listed only as the
vendors' cookies in the rules.

Exit status: 0 when every page was checked and everything found is
classified; 1 when a flag is wrong or a page could not be checked
(unreachable, an error status); 2 when something is unclassified. So

    caddy consent-check --rules rules.json https://staging.example.com/ https://staging.example.com/shop

can stop a deploy pipeline. --format json prints the same for machines.
--rules, --categories, --no-catalogue and --unknown-cookies set up the rules
as the site's consent block does. --host sends another Host header (to
check a virtual host through its upstream's address). Redirects to the same
host are followed, others are reported and not fetched.
`,
		CobraFunc: func(cmd *cobra.Command) {
			cmd.Flags().String("format", "text", "Output format: text or json")
			cmd.Flags().StringArray("rules", nil, "Rule file to load after the catalogue (repeatable)")
			cmd.Flags().StringSlice("categories", nil, "Consent categories (comma-separated)")
			cmd.Flags().Bool("no-catalogue", false, "Leave out the built-in catalogue")
			cmd.Flags().String("unknown-cookies", "allow", "Cookies no rule knows: allow or block")
			cmd.Flags().String("host", "", "Host header to send instead of the URL's host")
			cmd.Flags().Duration("timeout", 0, "Time allowed per page (default 30s)")
			cmd.RunE = caddycmd.WrapCommandFuncForCobra(cmdConsentCheck)
		},
	})
}

func cmdConsentCheck(fs caddycmd.Flags) (int, error) {
	urls := fs.Args()
	if len(urls) == 0 {
		return checkExitFailed, errors.New("consent-check: give the URL of at least one page")
	}
	for _, u := range urls {
		if err := checkURL(u); err != nil {
			return checkExitFailed, fmt.Errorf("consent-check: %w", err)
		}
	}
	format := fs.String("format")
	if format != "text" && format != "json" {
		return checkExitFailed, fmt.Errorf("consent-check: --format %q: want text or json", format)
	}
	h, err := consentFlags(fs)
	if err != nil {
		return checkExitFailed, fmt.Errorf("consent-check: %w", err)
	}
	h.NoCatalogue = fs.Bool("no-catalogue")
	h.UnknownCookies = fs.String("unknown-cookies")
	timeout := fs.Duration("timeout")
	if timeout <= 0 {
		timeout = defaultCheckTimeout
	}
	c, err := newChecker(h, fs.String("host"), timeout)
	if err != nil {
		return checkExitFailed, fmt.Errorf("consent-check: %s", configMessage(err))
	}
	rep := c.check(context.Background(), urls)
	if format == "json" {
		err = rep.writeJSON(os.Stdout)
	} else {
		err = rep.writeText(os.Stdout)
	}
	switch {
	case err != nil:
		return checkExitFailed, fmt.Errorf("consent-check: writing the report: %w", err)
	case rep.Failed > 0:
		return checkExitFailed, fmt.Errorf("consent-check: %d of %d pages could not be checked", rep.Failed, len(rep.Pages))
	case rep.Unclassified > 0:
		return checkExitUnclassified, fmt.Errorf("consent-check: %d unclassified: %s", rep.Unclassified, strings.Join(rep.unclassified(), ", "))
	}
	return caddy.ExitCodeSuccess, nil
}
