// Package rules holds consent categories and the catalogue of trackers:
// which hosts, URLs, inline-script signatures and cookie names belong to
// which vendor, and which categories a visitor must grant before each may
// run.
//
// A Ruleset is compiled once from the built-in catalogue and any operator
// rules (the project's JSON format, an Open Cookie Database CSV or an
// AdGuard companiesdb trackers.json) and is then safe for concurrent use.
// Hosts match by domain suffix on the host a browser resolves; cookie
// names match exactly or by prefix.
//
// The package is plain Go: it does not know about HTTP or Caddy.
package rules
