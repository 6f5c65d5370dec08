package driver

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
)

// FingerprintPattern finds a fingerprint in redacted text, "[redacted:1a2b3c4d5e6f]": the one pattern that
// the driver and every reader of a run's outputs (the reports' curl commands and token lineage) use.
var FingerprintPattern = regexp.MustCompile(`\[redacted:[0-9a-f]{8,}\]`)

// IsFingerprint reports whether s is exactly one fingerprint.
func IsFingerprint(s string) bool {
	loc := FingerprintPattern.FindStringIndex(s)
	return loc != nil && loc[0] == 0 && loc[1] == len(s)
}

// fingerprintHex is how many hex digits of the keyed hash a fingerprint shows: 48 bits, so that the
// values of a run do not collide.
const fingerprintHex = 12

// Fingerprinter names redacted values: a fingerprint is "[redacted:<12 hex digits>]", the start of
// HMAC-SHA-256 (RFC 2104) of the value under a random key. Within one Fingerprinter equal values get equal
// fingerprints, so a reader of a run's reports can follow a token from the response that issued it to the
// request that uses it; without the key nobody can test a guess, so a low-entropy secret (a 6-digit IVR
// PIN, a one-time password) cannot be recovered by hashing candidates, as it could from a plain hash.
//
// Create one Fingerprinter per run and give it to every [NewRedactor] of the run: fingerprints are then
// stable across every output of the run and not comparable across runs. It is safe for concurrent use.
type Fingerprinter struct {
	key [32]byte
}

// NewFingerprinter returns a Fingerprinter with a fresh random key, which never leaves it.
func NewFingerprinter() *Fingerprinter {
	f := &Fingerprinter{}
	rand.Read(f.key[:]) // crypto/rand.Read never fails (it crashes the program instead)
	return f
}

// Fingerprint returns the name under which value is shown once redacted, "[redacted:1a2b3c4d5e6f]". The
// empty value stays empty.
func (f *Fingerprinter) Fingerprint(value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, f.key[:])
	m.Write([]byte(value))
	return "[redacted:" + hex.EncodeToString(m.Sum(nil))[:fingerprintHex] + "]"
}
