package pemkey

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"go/parser"
	"go/token"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rcoauth/conformance/internal/testkeys"
)

// testKeys are the tests' RSA, EC and Ed25519 keys, with a self-signed certificate of the EC key.
var testKeys = sync.OnceValue(func() (k struct {
	testkeys.Keys
	cert []byte
}) {
	k.Keys = testkeys.Get()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pemkey-test"},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}
	var err error
	if k.cert, err = x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.EC.Public(), k.EC); err != nil {
		panic(err)
	}
	return k
})

func encode(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// escaped writes a PEM value as an env profile does: on one line with `\n` escapes.
func escaped(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", `\n`) }

// must returns der, panicking on err: marshalling a freshly generated key cannot fail.
func must(der []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return der
}

type equaler interface{ Equal(crypto.PublicKey) bool }

func TestPrivateKey(t *testing.T) {
	keys := testKeys()
	pkcs8 := func(k any) []byte { return must(x509.MarshalPKCS8PrivateKey(k)) }
	pkcs1 := encode("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(keys.RSA))
	tests := []struct {
		name    string
		pem     string
		want    crypto.PublicKey
		wantErr string
	}{
		{"PKCS #1", pkcs1, keys.RSA.Public(), ""},
		{"PKCS #8 RSA", encode("PRIVATE KEY", pkcs8(keys.RSA)), keys.RSA.Public(), ""},
		{"PKCS #8 EC", encode("PRIVATE KEY", pkcs8(keys.EC)), keys.EC.Public(), ""},
		{"PKCS #8 Ed25519", encode("PRIVATE KEY", pkcs8(keys.Ed25519)), keys.Ed25519.Public(), ""},
		{"SEC 1 EC", encode("EC PRIVATE KEY", must(x509.MarshalECPrivateKey(keys.EC))), keys.EC.Public(), ""},
		{"literal \\n escapes", escaped(pkcs1), keys.RSA.Public(), ""},
		{"literal \\r\\n escapes", strings.ReplaceAll(strings.TrimSpace(pkcs1), "\n", `\r\n`), keys.RSA.Public(), ""},
		{"quoted with literal \\n", `"` + escaped(pkcs1) + `"`, keys.RSA.Public(), ""},
		{"surrounded by white space", "\n  " + pkcs1 + "  \n", keys.RSA.Public(), ""},
		{"not PEM", "hello", nil, "pemkey: no PEM block"},
		{"empty", "", nil, "pemkey: no PEM block"},
		{"public key", encode("PUBLIC KEY", []byte{1}), nil, `unsupported PEM block "PUBLIC KEY"`},
		{"encrypted", encode("ENCRYPTED PRIVATE KEY", []byte{1}), nil, "encrypted keys are not supported"},
		{"broken PKCS #8", encode("PRIVATE KEY", []byte{1, 2, 3}), nil, "PKCS #8"},
		{"broken PKCS #1", encode("RSA PRIVATE KEY", []byte{1, 2, 3}), nil, "PKCS #1"},
		{"broken SEC 1", encode("EC PRIVATE KEY", []byte{1, 2, 3}), nil, "SEC 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrivateKey(tt.pem)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PrivateKey: got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("PrivateKey: %v", err)
			}
			if pub, ok := got.Public().(equaler); !ok || !pub.Equal(tt.want) {
				t.Errorf("PrivateKey: got a key whose public half is %v; want %v", got.Public(), tt.want)
			}
		})
	}
}

func TestPublicKey(t *testing.T) {
	keys := testKeys()
	pkix := func(k crypto.PublicKey) []byte { return must(x509.MarshalPKIXPublicKey(k)) }
	tests := []struct {
		name    string
		pem     string
		want    crypto.PublicKey
		wantErr string
	}{
		{"SubjectPublicKeyInfo RSA", encode("PUBLIC KEY", pkix(keys.RSA.Public())), keys.RSA.Public(), ""},
		{"SubjectPublicKeyInfo EC, escaped", escaped(encode("PUBLIC KEY", pkix(keys.EC.Public()))), keys.EC.Public(), ""},
		{"PKCS #1 RSA", encode("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&keys.RSA.PublicKey)), keys.RSA.Public(), ""},
		{"certificate", encode("CERTIFICATE", keys.cert), keys.EC.Public(), ""},
		{"private key", encode("PRIVATE KEY", []byte{1}), nil, `unsupported PEM block "PRIVATE KEY"`},
		{"broken SubjectPublicKeyInfo", encode("PUBLIC KEY", []byte{1}), nil, "pemkey: public key"},
		{"broken certificate", encode("CERTIFICATE", []byte{1}), nil, "pemkey: public key: certificate"},
		{"not PEM", "-----BEGIN PUBLIC KEY-----", nil, "pemkey: no PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PublicKey(tt.pem)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("PublicKey: got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("PublicKey: %v", err)
			}
			if k, ok := got.(equaler); !ok || !k.Equal(tt.want) {
				t.Errorf("PublicKey: got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestCertificate(t *testing.T) {
	keys := testKeys()
	tests := []struct {
		name    string
		pem     string
		wantErr string
	}{
		{"PEM", encode("CERTIFICATE", keys.cert), ""},
		{"escaped, as in an env profile", escaped(encode("CERTIFICATE", keys.cert)), ""},
		{"a key instead", encode("PUBLIC KEY", []byte{1}), `unsupported PEM block "PUBLIC KEY"`},
		{"broken", encode("CERTIFICATE", []byte{1, 2}), "pemkey: certificate"},
		{"not PEM", "MIIB", "pemkey: no PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Certificate(tt.pem)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Certificate: got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Certificate: %v", err)
			}
			if c.Subject.CommonName != "pemkey-test" {
				t.Errorf("Certificate: got subject %q; want pemkey-test", c.Subject.CommonName)
			}
		})
	}
}

// TestIsALeaf keeps the package importable from the mock, the driver and the steps alike: it imports the
// standard library only.
func TestIsALeaf(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s; pemkey may import the standard library only", name, path)
			}
		}
	}
}
