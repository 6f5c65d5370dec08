// Package pemkey parses the PEM-encoded keys and certificates that the mock's fixture and the harness's
// environment profiles carry: private keys (PKCS #1, PKCS #8, SEC 1; RFC 7468 §10, §11, §13), public keys
// (SubjectPublicKeyInfo and PKCS #1; RFC 7468 §13) and X.509 certificates (RFC 7468 §5).
//
// Values come from JSON files and .env files, where line breaks are often written as the two characters
// `\n` (README "Profiles and variables": "the key is PEM, line breaks may be written \n") and the whole value
// may be quoted; every function here accepts both. It is a leaf package: the mock, the driver and the steps
// all use it, and it imports none of them.
package pemkey

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// decode returns the first PEM block of s after normalising the forms an environment variable or a JSON
// string gives it: surrounding white space and quotes are dropped and the escapes `\r\n` and `\n` become
// line breaks.
func decode(s string) (*pem.Block, error) {
	s = strings.Trim(strings.TrimSpace(s), `"'`)
	s = strings.ReplaceAll(s, `\r\n`, "\n")
	s = strings.ReplaceAll(s, `\n`, "\n")
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errors.New("pemkey: no PEM block found (expected a line such as -----BEGIN PRIVATE KEY-----)")
	}
	return b, nil
}

// PrivateKey parses a PEM private key that can sign: PKCS #1 ("RSA PRIVATE KEY"), PKCS #8 ("PRIVATE KEY":
// RSA, ECDSA or Ed25519) or SEC 1 ("EC PRIVATE KEY"). Encrypted keys are refused with a hint.
func PrivateKey(s string) (crypto.Signer, error) {
	b, err := decode(s)
	if err != nil {
		return nil, err
	}
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pemkey: private key: PKCS #1: %w", err)
		}
		return k, nil
	case "EC PRIVATE KEY":
		k, err := x509.ParseECPrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pemkey: private key: SEC 1 EC: %w", err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pemkey: private key: PKCS #8: %w", err)
		}
		signer, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("pemkey: private key: PKCS #8 key of type %T cannot sign", k)
		}
		return signer, nil
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("pemkey: private key: encrypted keys are not supported; decrypt it first")
	}
	return nil, fmt.Errorf("pemkey: private key: unsupported PEM block %q (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)", b.Type)
}

// PublicKey parses a PEM public key: SubjectPublicKeyInfo ("PUBLIC KEY"), PKCS #1 ("RSA PUBLIC KEY"), or
// the key of a certificate ("CERTIFICATE").
func PublicKey(s string) (crypto.PublicKey, error) {
	b, err := decode(s)
	if err != nil {
		return nil, err
	}
	switch b.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pemkey: public key: %w", err)
		}
		return k, nil
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pemkey: public key: PKCS #1: %w", err)
		}
		return k, nil
	case "CERTIFICATE":
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("pemkey: public key: certificate: %w", err)
		}
		return c.PublicKey, nil
	}
	return nil, fmt.Errorf("pemkey: public key: unsupported PEM block %q (want PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE)", b.Type)
}

// Certificate parses a PEM X.509 certificate ("CERTIFICATE").
func Certificate(s string) (*x509.Certificate, error) {
	b, err := decode(s)
	if err != nil {
		return nil, err
	}
	if b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("pemkey: certificate: unsupported PEM block %q (want CERTIFICATE)", b.Type)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("pemkey: certificate: %w", err)
	}
	return c, nil
}
