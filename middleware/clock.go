package middleware

import "time"

// now is the clock; tests replace it.
var now = time.Now
