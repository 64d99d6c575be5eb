package expiry

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"

	"github.com/trustctl/trustctl/internal/safefile"
)

// Metric names, help texts and labels are x509-certificate-exporter's
// (github.com/enix/x509-certificate-exporter), so that dashboards and
// alerts written for it work on what node_exporter's textfile collector
// reads from trustctl. Every series of a family carries the same labels;
// a label that does not apply is empty, which PromQL treats as absent.
//
//   - filename, filepath: the file (the store for a store entry, the CA
//     directory's file for a CA's certificates); for an endpoint, HOST:PORT.
//   - embedded_key: the alias of a store entry, else empty.
//   - serial_number: in decimal, as the exporter writes it.
//   - issuer_C, _ST, _L, _O, _OU, _CN and the same for subject_: the first
//     value of each attribute.
const (
	metricNotAfter   = "x509_cert_not_after"
	metricNotBefore  = "x509_cert_not_before"
	metricExpired    = "x509_cert_expired"
	metricCertError  = "x509_cert_error"
	metricReadErrors = "x509_read_errors"
)

// dnFields are the attributes of [Names], in order.
var dnFields = []string{"C", "ST", "L", "O", "OU", "CN"}

// labelNames is the label set of the per-certificate series, sorted as
// client_golang sorts them.
var labelNames = func() []string {
	names := []string{"filename", "filepath", "embedded_key", "serial_number"}
	for _, f := range dnFields {
		names = append(names, "issuer_"+f, "subject_"+f)
	}
	slices.Sort(names)
	return names
}()

func (c *Cert) labels() map[string]string {
	l := map[string]string{"filepath": c.Origin, "filename": filepath.Base(c.Origin)}
	if d := c.Detail; d != nil {
		l["filename"], l["filepath"], l["embedded_key"] = filepath.Base(d.Path), d.Path, d.Alias
		if d.Serial != nil {
			l["serial_number"] = d.Serial.String()
		}
		for i, f := range dnFields {
			l["issuer_"+f] = d.Names.Issuer[i]
			l["subject_"+f] = d.Names.Subject[i]
		}
	}
	return l
}

func labelPairs(l map[string]string) []*dto.LabelPair {
	out := make([]*dto.LabelPair, 0, len(labelNames))
	for _, n := range labelNames {
		out = append(out, &dto.LabelPair{Name: proto.String(n), Value: proto.String(l[n])})
	}
	return out
}

func gauge(labels []*dto.LabelPair, v float64) *dto.Metric {
	return &dto.Metric{Label: labels, Gauge: &dto.Gauge{Value: proto.Float64(v)}}
}

func family(name, help string, ms []*dto.Metric) *dto.MetricFamily {
	return &dto.MetricFamily{Name: proto.String(name), Help: proto.String(help), Type: dto.MetricType_GAUGE.Enum(), Metric: ms}
}

// MetricFamilies returns the report as Prometheus metric families, sorted
// by name, each series once (a certificate found twice under the same
// labels, as a bundle may hold it, is one series: the one that expires
// first).
func (r *Report) MetricFamilies() []*dto.MetricFamily {
	type series struct {
		key    string
		labels []*dto.LabelPair
		cert   *Cert
	}
	var all []series
	seen := map[string]bool{}
	for i := range r.Certs { // soonest first, so the first of a key wins
		c := &r.Certs[i]
		lp := labelPairs(c.labels())
		key := labelKey(lp)
		if seen[key] {
			continue
		}
		seen[key] = true
		all = append(all, series{key, lp, c})
	}
	slices.SortFunc(all, func(a, b series) int { return strings.Compare(a.key, b.key) })
	var notAfter, notBefore, expired []*dto.Metric
	for _, s := range all {
		notAfter = append(notAfter, gauge(s.labels, float64(s.cert.NotAfter.Unix())))
		notBefore = append(notBefore, gauge(s.labels, notBeforeOf(s.cert)))
		exp := 0.0
		if r.Now.After(s.cert.NotAfter) {
			exp = 1
		}
		expired = append(expired, gauge(s.labels, exp))
	}
	var errs []*dto.Metric
	errSeen := map[string]bool{}
	for _, u := range r.Unreadable {
		if errSeen[u.Source] {
			continue
		}
		errSeen[u.Source] = true
		errs = append(errs, gauge(labelPairs(map[string]string{"filename": filepath.Base(u.Source), "filepath": u.Source}), 1))
	}
	slices.SortFunc(errs, func(a, b *dto.Metric) int { return strings.Compare(labelKey(a.Label), labelKey(b.Label)) })
	fams := []*dto.MetricFamily{
		family(metricExpired, "Indicates if the certificate is expired", expired),
		family(metricNotAfter, "Indicates the certificate's not after timestamp", notAfter),
		family(metricNotBefore, "Indicates the certificate's not before timestamp", notBefore),
		family(metricReadErrors, "Indicates the number of read failure(s)", []*dto.Metric{gauge(nil, float64(len(r.Unreadable)))}),
	}
	if len(errs) > 0 {
		fams = append(fams, family(metricCertError, "Indicates wether the corresponding secret has read failure(s)", errs))
	}
	slices.SortFunc(fams, func(a, b *dto.MetricFamily) int { return strings.Compare(a.GetName(), b.GetName()) })
	return fams
}

func labelKey(lp []*dto.LabelPair) string {
	var b strings.Builder
	for _, p := range lp {
		b.WriteString(p.GetValue())
		b.WriteByte(0)
	}
	return b.String()
}

// WriteMetrics writes the report (made with Options.Detail, for every
// label and x509_cert_not_before) in the Prometheus text exposition format
// (version 0.0.4), which node_exporter's textfile collector reads.
func (r *Report) WriteMetrics(w io.Writer) error {
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, f := range r.MetricFamilies() {
		if len(f.Metric) == 0 {
			continue
		}
		if err := enc.Encode(f); err != nil {
			return err
		}
	}
	return nil
}

// maxMetricsFile bounds the file WriteMetricsFile reads to check what it
// replaces; the metrics of 20,000 certificates take a few MiB.
const maxMetricsFile = 64 << 20

// WriteMetricsFile writes the metrics to path atomically, for
// node_exporter's textfile collector. A file already there is replaced only
// if it holds metrics in the text format (an earlier run's): --metrics
// naming a key or a store by mistake must not destroy it.
func (r *Report) WriteMetricsFile(path string) error {
	old, err := safefile.Read(path, maxMetricsFile)
	switch {
	case err == nil:
		p := expfmt.NewTextParser(model.UTF8Validation)
		if _, err := p.TextToMetricFamilies(bytes.NewReader(old)); err != nil {
			return fmt.Errorf("%s holds something other than metrics in the text format; not replaced", path)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	var buf bytes.Buffer
	if err := r.WriteMetrics(&buf); err != nil {
		return err
	}
	return safefile.Write(path, buf.Bytes(), safefile.Options{Perm: 0o644})
}

func notBeforeOf(c *Cert) float64 {
	if c.Detail == nil {
		return 0
	}
	return float64(c.NotBefore.Unix())
}
