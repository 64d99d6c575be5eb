package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/testpki"
)

type builtKeystore struct {
	path, storetype, password string
}

// keystorePKI writes a root, an intermediate and a server certificate for
// primary-host, and builds keystores from them: JKS, PKCS#12 modern and
// legacy.
func keystorePKI(t *testing.T) (root, inter, leaf *testpki.Cert, stores []builtKeystore) {
	dir := t.TempDir()
	root = testpki.Root(t, "CN=Acme-CA-Root,O=Acme")
	inter = testpki.Intermediate(t, "CN=Acme-CA-Intermediate,O=Acme", root)
	leaf = testpki.Leaf(t, "primary-host", inter, "primary-host")
	rootPath, _ := root.Write(t, dir, "root")
	interPath, _ := inter.Write(t, dir, "inter")
	leafPath, keyPath := leaf.Write(t, dir, "leaf")
	for _, ks := range []struct{ name, typ, enc string }{
		{"primary-host.jks", "JKS", ""},
		{"modern.pfx", "PKCS12", "modern"},
		{"legacy.pfx", "PKCS12", "legacy"},
	} {
		p := filepath.Join(dir, ks.name)
		args := []string{"keystore", "build", "--key", keyPath, "--cert", leafPath,
			"--chain", interPath, "--chain", rootPath, "--out", p, "--password", "changeit", "--alias", "primary-host"}
		if ks.enc != "" {
			args = append(args, "--encryption", ks.enc)
		}
		mustRun(t, args...)
		stores = append(stores, builtKeystore{p, ks.typ, "changeit"})
	}
	return root, inter, leaf, stores
}

// TestKeytoolListsBuiltKeystores: keytool shows a PrivateKeyEntry with the
// full chain and the right fingerprints; openssl pkcs12 reads both PKCS#12
// profiles.
func TestKeytoolListsBuiltKeystores(t *testing.T) {
	jdks(t)
	root, inter, leaf, stores := keystorePKI(t)
	want := "PrivateKeyEntry " + strings.Join([]string{
		certs.FromX509(leaf.Cert).SHA256Hex(), certs.FromX509(inter.Cert).SHA256Hex(), certs.FromX509(root.Cert).SHA256Hex(),
	}, " ")
	for _, ks := range stores {
		t.Run(filepath.Base(ks.path), func(t *testing.T) {
			eachJDK(t, func(t *testing.T, j jdkTools) {
				out := tool(t, j.keytool, "-list", "-v", "-keystore", ks.path, "-storepass", ks.password, "-storetype", ks.storetype)
				if !strings.Contains(out, "Certificate chain length: 3") {
					t.Errorf("keytool does not show a chain of 3:\n%s", out)
				}
				if got := keytoolEntries(t, out)["primary-host"]; got != want {
					t.Errorf("keytool: %q\nwant %q", got, want)
				}
			})
			if ks.storetype == "PKCS12" && hasTool("openssl") {
				info := tool(t, "openssl", "pkcs12", "-info", "-in", ks.path, "-passin", "pass:changeit", "-nokeys")
				if strings.Count(info, "BEGIN CERTIFICATE") != 3 || !strings.Contains(info, "friendlyName: primary-host") {
					t.Errorf("openssl pkcs12 -info:\n%s", info)
				}
			}
		})
	}
}

func hasTool(name string) bool { _, err := exec.LookPath(name); return err == nil }

// TestJavaServesBuiltKeystores: a Java program loads each keystore as a
// KeyStore and completes a TLS handshake on 127.0.0.1 with a Go client that
// trusts only the root.
func TestJavaServesBuiltKeystores(t *testing.T) {
	eachJDK(t, javaServesBuiltKeystores)
}

func javaServesBuiltKeystores(t *testing.T, j jdkTools) {
	root, _, _, stores := keystorePKI(t)
	args := []string{"testdata/java/TLSServer.java"}
	for _, ks := range stores {
		args = append(args, ks.path, ks.storetype, ks.password)
	}
	cmd := exec.Command(j.java, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pool := x509.NewCertPool()
	pool.AddCert(root.Cert)
	lines := bufio.NewScanner(stdout)
	for _, ks := range stores {
		ports := make(chan string, 1)
		go func() {
			if lines.Scan() {
				ports <- lines.Text()
			}
			close(ports)
		}()
		var port string
		select {
		case port = <-ports:
		case <-time.After(60 * time.Second):
			t.Fatalf("java did not start a server for %s\n%s", ks.path, stderr.String())
		}
		if port == "" {
			t.Fatalf("java failed on %s:\n%s", ks.path, stderr.String())
		}
		conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, ServerName: "primary-host"})
		if err != nil {
			t.Fatalf("%s: handshake: %v\n%s", ks.path, err, stderr.String())
		}
		got, _ := io.ReadAll(conn)
		conn.Close()
		if string(got) != "ok\n" {
			t.Errorf("%s: server said %q", ks.path, got)
		}
		if n := len(conn.ConnectionState().PeerCertificates); n != 3 {
			t.Errorf("%s: the server sent %d certificates, want the chain of 3", ks.path, n)
		}
	}
}

// TestTrustctlReadsKeytoolKeyPairs: key entries made by keytool -genkeypair
// (JKS and PKCS#12) are listed and extracted, and the extracted key matches
// the extracted certificate.
func TestTrustctlReadsKeytoolKeyPairs(t *testing.T) {
	eachJDK(t, trustctlReadsKeytoolKeyPairs)
}

func trustctlReadsKeytoolKeyPairs(t *testing.T, j jdkTools) {
	dir := t.TempDir()
	for _, typ := range []string{"JKS", "PKCS12"} {
		t.Run(typ, func(t *testing.T) {
			p := filepath.Join(dir, "gen."+strings.ToLower(typ))
			tool(t, j.keytool, "-genkeypair", "-alias", "tomcat", "-keyalg", "EC", "-groupname", "secp256r1",
				"-dname", "CN=app.example.com,O=Acme", "-validity", "30", "-keystore", p,
				"-storepass", "changeit", "-keypass", "changeit", "-storetype", typ)
			out := mustRun(t, "list", p, "--password", "changeit")
			if !strings.Contains(out, "PrivateKeyEntry (chain 1)") || !strings.Contains(out, "CN=app.example.com,O=Acme") {
				t.Errorf("list:\n%s", out)
			}
			outDir := filepath.Join(dir, "out-"+typ)
			mustRun(t, "keystore", "extract", p, "--out-dir", outDir, "--password", "changeit")
			mustRun(t, "key", "match", filepath.Join(outDir, "tomcat.key"), filepath.Join(outDir, "tomcat.crt"))
		})
	}
}
