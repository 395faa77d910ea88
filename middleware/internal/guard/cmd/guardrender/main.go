// Command guardrender prints, as JSON, the run-time guard rendered for
// the built-in catalogue and every combination of the default optional
// categories: the inline script and the worker prefix for each decision,
// and the guard's assets. The integration tests, which cannot import an
// internal package, use it until the middleware serves the guard itself.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/consentgate/consentgate/middleware/internal/guard"
	"github.com/consentgate/consentgate/rules"
)

type output struct {
	// Inline and Worker are keyed by the granted optional categories in
	// the Ruleset's order, joined by "+" ("" for none).
	Inline map[string]string `json:"inline"`
	Worker map[string]string `json:"worker"`
	Assets []guard.Asset     `json:"assets"`
}

func main() {
	mode := flag.String("mode", "", "neutralize, remove or report")
	allow := flag.String("allow-cookies", "consentgate", "comma-separated cookie names always allowed")
	flag.Parse()
	if err := run(*mode, *allow); err != nil {
		fmt.Fprintln(os.Stderr, "guardrender:", err)
		os.Exit(1)
	}
}

func run(mode, allow string) error {
	vs, err := rules.Builtin()
	if err != nil {
		return err
	}
	rs, err := rules.Compile(vs, rules.Options{})
	if err != nil {
		return err
	}
	g, err := guard.Compile(guard.Options{Rules: rs, Mode: mode, AllowedCookies: strings.Split(allow, ",")})
	if err != nil {
		return err
	}
	out := output{Inline: map[string]string{}, Worker: map[string]string{}, Assets: g.Assets()}
	opt := rs.Names(rs.Optional())
	for mask := 0; mask < 1<<len(opt); mask++ {
		var names []rules.Category
		for i, c := range opt {
			if mask&(1<<i) != 0 {
				names = append(names, c)
			}
		}
		set, _ := rs.Set(names...)
		key := rs.Join(set, "+")
		d := guard.Decision{Granted: set}
		out.Inline[key] = string(g.AppendInline(nil, d, ""))
		out.Worker[key] = string(g.WorkerPrefix(d))
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
