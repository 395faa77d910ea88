// Package guard is the run-time guard.
package guard
