package cmp

import (
	"crypto/sha256"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// maxKeyValue is the longest raw value used as a cache key as it is; longer
// values are keyed by their SHA-256 digest, so a flood of large hostile
// cookies cannot make the cache hold more than a few megabytes.
const maxKeyValue = 512

// maxCachedInput is the longest raw input looked up in the cache at all.
const maxCachedInput = 4 * maxValueLen

// decisionCache holds decoded decisions (and errors), keyed by manager and
// raw cookie value, so repeated reads of the same cookie do not parse again.
//
// The LRU is built without its own TTL: expirable.NewLRU with a TTL starts a
// cleanup goroutine that never stops (there is no Close in v2), which would
// keep every Reader and its cache alive after a configuration reload. Each
// entry carries its own expiry instead, checked on lookup; stale entries
// leave by LRU eviction, so the size bound still holds.
type decisionCache struct {
	lru *expirable.LRU[cacheKey, cacheEntry]
	ttl time.Duration
}

// cacheKey identifies one decoded input.
type cacheKey struct {
	manager string
	value   string   // the raw value, when at most maxKeyValue bytes
	hashed  bool     // value is empty and sum holds the digest
	sum     [32]byte // SHA-256 of the raw value, when hashed
}

// cacheEntry is one decoded result.
type cacheEntry struct {
	d       Decision
	ok      bool
	err     error
	expires time.Time
}

// newDecisionCache returns a cache of at most size entries, each kept for ttl.
func newDecisionCache(size int, ttl time.Duration) *decisionCache {
	return &decisionCache{lru: expirable.NewLRU[cacheKey, cacheEntry](size, nil, 0), ttl: ttl}
}

// decode returns m's decision for raw, from the cache when a fresh entry is
// there, otherwise by decoding and storing the result.
func (c *decisionCache) decode(m *manager, cfg *config, raw string) (Decision, bool, error) {
	if len(raw) > maxCachedInput {
		// Far over every decoder's limit: let the decoder refuse it
		// without hashing it or caching the refusal.
		return m.decode(cfg, raw)
	}
	key := cacheKey{manager: m.name}
	if len(raw) <= maxKeyValue {
		key.value = raw
	} else {
		key.hashed = true
		key.sum = sha256.Sum256([]byte(raw))
	}
	now := time.Now()
	if e, found := c.lru.Get(key); found && now.Before(e.expires) {
		if e.err != nil {
			return Decision{}, false, e.err
		}
		return cloneDecision(e.d), e.ok, nil
	}
	d, ok, err := m.decode(cfg, raw)
	if err != nil {
		d, ok = Decision{}, false
	}
	// The raw value usually points into the request's Cookie header:
	// copy it so the cache does not keep whole headers alive.
	key.value = strings.Clone(key.value)
	c.lru.Add(key, cacheEntry{d: d, ok: ok, err: err, expires: now.Add(c.ttl)})
	return cloneDecision(d), ok, err
}
