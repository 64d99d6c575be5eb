package probe

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestPostgresClientCertificates is seed 000: PostgreSQL with ssl on and
// "hostssl ... cert" asks for client certificates signed by its root.crt.
func TestPostgresClientCertificates(t *testing.T) {
	dir := t.TempDir()
	p := testPKI(t)
	server := testpki.Leaf(t, "db.example", p.inter, "db.example")
	clientCA := testpki.Root(t, "CN=Acme DB Clients")
	client := testpki.Leaf(t, "postgres", clientCA)
	srvCrt, srvKey := server.Write(t, dir, "server")
	caCrt, _ := clientCA.Write(t, dir, "root")
	pg := testpki.StartPostgres(t, srvCrt, srvKey, caCrt)

	tg, _ := ParseTarget(pg.Addr)
	opts := Options{StartTLS: "postgres", ServerName: "db.example", Timeout: 2 * time.Second}
	r, err := Probe(context.Background(), tg, opts)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	if r.Leaf().CommonName() != "db.example" || !r.NameMatch {
		t.Errorf("leaf %s match %v", r.Leaf().CommonName(), r.NameMatch)
	}
	ca := r.ClientAuth
	if !ca.Requested || strings.Join(ca.AcceptedCAs, ";") != "CN=Acme DB Clients" || ca.Sent {
		t.Errorf("without a client certificate: %+v", ca)
	}
	cc := tlsCert(t, client)
	opts.ClientCert = &cc
	r, err = Probe(context.Background(), tg, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !r.ClientAuth.Sent || !r.ClientAuth.Accepted || r.HandshakeErr != nil {
		t.Errorf("with a client certificate: %+v %v", r.ClientAuth, r.HandshakeErr)
	}
}
