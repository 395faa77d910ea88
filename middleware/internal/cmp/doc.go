// Package cmp reads the consent decision stored by third-party consent managers' cookies.
//
// A site that already runs a consent manager (Cookiebot, OneTrust, Klaro,
// orestbida's cookieconsent, CookieYes, Complianz, Borlabs Cookie or any IAB
// TCF v2 manager) keeps its banner; the enforcer reads the visitor's choice
// from that manager's cookie and maps it onto its own four categories.
//
// Every decoder follows the same rules:
//
//   - A cookie that is absent, or present but recording no choice by the
//     visitor (for example a notice-only or "implied" record), gives no
//     decision: Read goes on to the next manager.
//   - A cookie that is malformed, truncated, oversized or hostile gives an
//     error and never grants anything.
//   - Necessary is always implied and never listed in [Decision.Granted].
//   - A category is granted when the manager's own switch for the tools of
//     that category is on. A switch our categories do not have (CookieYes's
//     Performance, OneTrust's Social Media) is not made a condition of a
//     category, since the manager loads the category's tools without it.
//   - Where several of a manager's switches map to one of our categories,
//     the one the manager uses for that category's tools decides when that
//     can be told (cookieconsent: the closest name); otherwise every such
//     switch present in the cookie must be on (OneTrust groups an operator
//     maps to one category, Klaro services, Borlabs groups).
//   - Per-vendor choices come as [Decision.Vendors], keyed by catalogue
//     vendor id through Options.ServiceVendors, ServiceVendor,
//     IABVendors and OneTrustGroupVendors. A vendor refused there does not
//     run, one granted there runs, any other runs when all its categories
//     are granted ([VendorSet.Allows]). Each reader fills the set so that
//     this rule loads what the manager would load.
//
// Where a browser sends the same cookie name twice (a stale copy on a parent
// domain or another path), the first one is read, as the managers' own
// scripts do when they parse document.cookie.
package cmp
