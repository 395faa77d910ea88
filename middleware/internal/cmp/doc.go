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
//   - Where a manager has several switches for one of our categories, the
//     category is granted only when every such switch present in the cookie
//     is on.
//   - Necessary is always implied and never listed in [Decision.Granted].
//
// Where a browser sends the same cookie name twice (a stale copy on a parent
// domain or another path), the first one is read, as the managers' own
// scripts do when they parse document.cookie.
package cmp
