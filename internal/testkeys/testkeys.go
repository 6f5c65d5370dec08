// Package testkeys gives tests one RSA, one ECDSA P-256 and one Ed25519 private key, generated once per
// test binary: RSA key generation is slow under -race, and every package that signs or parses keys in its
// tests needs the same three.
package testkeys

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"sync"
)

// Keys are the three keys.
type Keys struct {
	RSA     *rsa.PrivateKey
	EC      *ecdsa.PrivateKey
	Ed25519 ed25519.PrivateKey
}

// Get returns the keys, generating them on the first call.
var Get = sync.OnceValue(func() Keys {
	var k Keys
	var err error
	if k.RSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		panic(err) // the system's random source failed: nothing a test could do
	}
	if k.EC, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		panic(err)
	}
	if _, k.Ed25519, err = ed25519.GenerateKey(rand.Reader); err != nil {
		panic(err)
	}
	return k
})
