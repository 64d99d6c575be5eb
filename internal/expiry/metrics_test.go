package expiry

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/trustctl/trustctl/internal/testpki"
)

// TestMetricsParseBack writes the metrics of a run with an expired
// certificate, a valid one (twice in one bundle) and an unreadable source,
// and reads them back with the Prometheus project's own parser, as
// node_exporter's textfile collector does.
func TestMetricsParseBack(t *testing.T) {
	dir := t.TempDir()
	valid := testpki.New(t, testpki.Template{Subject: "CN=Acme Issuing CA,OU=PKI,O=Acme Corp,L=Springfield,ST=Oregon,C=US", IsCA: true, MaxPathLen: -1,
		Serial: 4242, NotBefore: now.AddDate(0, 0, -10), NotAfter: now.AddDate(0, 0, 90)}, nil)
	expired := certIn(t, "CN=Old", -3)
	bundle := filepath.Join(dir, "bundle.pem")
	write(t, bundle, append(append(append([]byte{}, valid.CertPEM...), expired.CertPEM...), valid.CertPEM...))
	missing := filepath.Join(dir, "gone.pem")
	rep, err := Run(context.Background(), []string{bundle, missing}, nil, Options{Now: now, Detail: true})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	for _, name := range []string{"x509_cert_not_after", "x509_cert_not_before", "x509_cert_expired", "x509_read_errors", "x509_cert_error"} {
		f := fams[name]
		if f == nil || f.GetType() != dto.MetricType_GAUGE {
			t.Fatalf("no gauge %s in\n%s", name, buf.String())
		}
	}
	if n := len(fams["x509_cert_not_after"].Metric); n != 2 {
		t.Errorf("%d not_after series, want 2 (the duplicate is one series)\n%s", n, buf.String())
	}
	if v := fams["x509_read_errors"].Metric[0].GetGauge().GetValue(); v != 1 {
		t.Errorf("x509_read_errors %v", v)
	}
	if l := labels(fams["x509_cert_error"].Metric[0]); l["filepath"] != missing || l["filename"] != "gone.pem" {
		t.Errorf("x509_cert_error labels %v", l)
	}
	want := map[string]string{
		"filename": "bundle.pem", "filepath": bundle, "embedded_key": "", "serial_number": "4242",
		"subject_C": "US", "subject_ST": "Oregon", "subject_L": "Springfield", "subject_O": "Acme Corp", "subject_OU": "PKI", "subject_CN": "Acme Issuing CA",
		"issuer_C": "US", "issuer_ST": "Oregon", "issuer_L": "Springfield", "issuer_O": "Acme Corp", "issuer_OU": "PKI", "issuer_CN": "Acme Issuing CA",
	}
	found := 0
	for _, name := range []string{"x509_cert_not_after", "x509_cert_not_before", "x509_cert_expired"} {
		for _, m := range fams[name].Metric {
			l := labels(m)
			v := m.GetGauge().GetValue()
			switch l["subject_CN"] {
			case "Acme Issuing CA":
				found++
				for k, w := range want {
					if l[k] != w {
						t.Errorf("%s label %s = %q, want %q", name, k, l[k], w)
					}
				}
				wantV := map[string]float64{"x509_cert_not_after": float64(now.AddDate(0, 0, 90).Unix()),
					"x509_cert_not_before": float64(now.AddDate(0, 0, -10).Unix()), "x509_cert_expired": 0}[name]
				if v != wantV {
					t.Errorf("%s = %v, want %v", name, v, wantV)
				}
			case "Old":
				if name == "x509_cert_expired" && v != 1 {
					t.Errorf("expired certificate: x509_cert_expired %v", v)
				}
			default:
				t.Errorf("unexpected series %v", l)
			}
		}
	}
	if found != 3 {
		t.Errorf("found the valid certificate in %d families, want 3", found)
	}
}

func labels(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, p := range m.Label {
		out[p.GetName()] = p.GetValue()
	}
	return out
}

// TestMetricsStoreAlias: a store entry's alias is its embedded_key, so two
// aliases of one store are two series.
func TestMetricsStoreAlias(t *testing.T) {
	rep := &Report{Now: now, Certs: []Cert{
		{NotAfter: now.Add(time.Hour), Detail: &Detail{Path: "/s/trust.jks", Alias: "a"}},
		{NotAfter: now.Add(time.Hour), Detail: &Detail{Path: "/s/trust.jks", Alias: "b"}},
	}}
	var buf bytes.Buffer
	if err := rep.WriteMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(fams["x509_cert_not_after"].Metric); n != 2 {
		t.Errorf("%d series", n)
	}
	if v := fams["x509_read_errors"].Metric[0].GetGauge().GetValue(); v != 0 {
		t.Errorf("x509_read_errors %v", v)
	}
	if fams["x509_cert_error"] != nil {
		t.Error("x509_cert_error without a read error")
	}
}

// TestWriteMetricsFileReplacesOnlyMetrics: the metrics file of the last
// run is replaced; a key or a store named by mistake is left as it was.
func TestWriteMetricsFileReplacesOnlyMetrics(t *testing.T) {
	dir := t.TempDir()
	c := certIn(t, "CN=A", 100)
	write(t, filepath.Join(dir, "a.pem"), c.CertPEM)
	rep, err := Run(context.Background(), []string{filepath.Join(dir, "a.pem")}, nil, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	prom := filepath.Join(dir, "trustctl.prom")
	for range 2 { // writes it, then replaces its own output
		if err := rep.WriteMetricsFile(prom); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(prom); !bytes.Contains(b, []byte("x509_cert_not_after")) {
		t.Fatalf("%s holds\n%s", prom, b)
	}
	key := filepath.Join(dir, "ca.key")
	write(t, key, c.KeyPEM)
	err = rep.WriteMetricsFile(key)
	if err == nil || !strings.Contains(err.Error(), "not replaced") {
		t.Fatalf("err = %v, want the key refused", err)
	}
	if b, _ := os.ReadFile(key); !bytes.Equal(b, c.KeyPEM) {
		t.Error("the key was changed")
	}
}
