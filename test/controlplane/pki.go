package controlplane

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pki holds the files the processes need. Everything is generated in Go so
// that the harness needs no openssl and no network.
type pki struct {
	caCertFile    string
	caCertPEM     []byte
	servingCert   string
	servingKey    string
	saPrivateKey  string
	saPublicKey   string
	tokenAuthFile string
	tokens        map[string]string // user -> bearer token
	invalidToken  string
}

// newPKI writes a CA, a serving certificate for 127.0.0.1 signed by it, a
// service-account key pair and the static token file into dir.
func newPKI(dir string) (*pki, error) {
	p := &pki{
		caCertFile:    filepath.Join(dir, "ca.crt"),
		servingCert:   filepath.Join(dir, "serving.crt"),
		servingKey:    filepath.Join(dir, "serving.key"),
		saPrivateKey:  filepath.Join(dir, "sa.key"),
		saPublicKey:   filepath.Join(dir, "sa.pub"),
		tokenAuthFile: filepath.Join(dir, "tokens.csv"),
		tokens:        map[string]string{},
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating CA key: %w", err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "argofix-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("creating CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parsing CA certificate: %w", err)
	}
	p.caCertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	if err := os.WriteFile(p.caCertFile, p.caCertPEM, 0o600); err != nil {
		return nil, fmt.Errorf("writing CA certificate: %w", err)
	}

	servingKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating serving key: %w", err)
	}
	servingTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		// 10.0.0.1 is the first address of --service-cluster-ip-range: the
		// in-cluster "kubernetes" Service points there.
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")},
	}
	servingDER, err := x509.CreateCertificate(rand.Reader, servingTmpl, caCert, &servingKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("creating serving certificate: %w", err)
	}
	if err := os.WriteFile(p.servingCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: servingDER}), 0o600); err != nil {
		return nil, fmt.Errorf("writing serving certificate: %w", err)
	}
	if err := writeECKey(p.servingKey, servingKey); err != nil {
		return nil, err
	}

	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generating service-account key: %w", err)
	}
	saPriv, err := x509.MarshalPKCS8PrivateKey(saKey)
	if err != nil {
		return nil, fmt.Errorf("encoding service-account key: %w", err)
	}
	if err := os.WriteFile(p.saPrivateKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: saPriv}), 0o600); err != nil {
		return nil, fmt.Errorf("writing service-account key: %w", err)
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("encoding service-account public key: %w", err)
	}
	if err := os.WriteFile(p.saPublicKey, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: saPub}), 0o600); err != nil {
		return nil, fmt.Errorf("writing service-account public key: %w", err)
	}

	for _, user := range []string{UserAdmin, UserReader} {
		tok, err := randomToken()
		if err != nil {
			return nil, err
		}
		p.tokens[user] = tok
	}
	// The invalid token is well-formed but unknown to the apiserver, so the
	// request is rejected with 401 rather than failing client-side.
	if p.invalidToken, err = randomToken(); err != nil {
		return nil, err
	}
	// Format: token,user,uid,"group1,group2". The reader has no group at all:
	// it only gets what every authenticated user gets (discovery), so any
	// read of Argo CD objects is forbidden.
	tokenFile := fmt.Sprintf("%s,%s,%s-uid,\"system:masters\"\n%s,%s,%s-uid\n",
		p.tokens[UserAdmin], UserAdmin, UserAdmin,
		p.tokens[UserReader], UserReader, UserReader)
	if err := os.WriteFile(p.tokenAuthFile, []byte(tokenFile), 0o600); err != nil {
		return nil, fmt.Errorf("writing token file: %w", err)
	}
	return p, nil
}

func writeECKey(path string, key *ecdsa.PrivateKey) error {
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("encoding key %s: %w", path, err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return fmt.Errorf("writing key %s: %w", path, err)
	}
	return nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating token: %w", err)
	}
	return hex.EncodeToString(b), nil
}
