package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/ca"
	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func expiryCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "expiry",
		Usage:     "list certificates by days left",
		ArgsUsage: "SOURCE...",
		Description: `Lists every certificate in the sources with the days it has left, soonest
first. A SOURCE is a file (PEM, DER, JKS, JCEKS, PKCS#12), a directory of
them, a CA directory (its certificate and what it issued that is not
revoked), or HOST:PORT (the chain the TLS server presents; it is not
verified: see "trustctl probe" for that). Files without certificates are
passed over. One --password serves every store among the sources; a store it
does not open is read without it where the format allows (JKS, password-less
PKCS#12), unverified and with a note.

With --within, exits 1 when any certificate expires inside the window (or
has expired): a check for cron or CI, e.g. renewal 60 days ahead.

EXAMPLES:
   trustctl expiry /etc/pki/tls/certs keystore.p12 --password-env PW
   trustctl expiry ./ca www.example.com:443 --within 60d

EXIT CODES:
   0 nothing inside the window; 1 something expires inside it; 2 unreadable source or bad usage`,
		Flags: append([]ucli.Flag{
			&ucli.StringFlag{Name: "within", Usage: "exit 1 when a certificate expires within `DURATION` (60d, 168h)"},
			&ucli.StringFlag{Name: "timeout", Value: "10s", Usage: "`TIMEOUT` per HOST:PORT connection"},
			jsonFlag,
		}, secretFlags(pwStore, "password of the stores among the sources")...),
		Action: runExpiry,
	}
}

type expiryItem struct {
	Origin   string `json:"origin"`
	Subject  string `json:"subject"`
	Issuer   string `json:"issuer"`
	Serial   string `json:"serial"`
	NotAfter string `json:"not_after"`
	DaysLeft int    `json:"days_left"`
	SHA256   string `json:"sha256"`
	Expiring bool   `json:"expiring,omitempty"`
	notAfter time.Time
}

type expiryDoc struct {
	Within       string       `json:"within,omitempty"`
	Certificates []expiryItem `json:"certificates"`
	Expiring     int          `json:"expiring"`
	Notes        []string     `json:"notes,omitempty"`
}

func runExpiry(c *ucli.Context) error {
	if c.NArg() == 0 {
		return usageErrorf("usage: trustctl expiry SOURCE... [--within 60d]")
	}
	var within time.Duration
	if c.IsSet("within") {
		d, err := parseDuration(c.String("within"))
		if err != nil {
			return usageErrorf("--within: %v", err)
		}
		within = d
	}
	timeout, err := time.ParseDuration(c.String("timeout"))
	if err != nil || timeout <= 0 {
		return usageErrorf("--timeout %q: want a duration like 10s", c.String("timeout"))
	}
	pw, havePW, err := readSecret(c, pwStore)
	if err != nil {
		return err
	}
	env := envOf(c)
	now := env.Now()
	doc := expiryDoc{Certificates: []expiryItem{}}
	if c.IsSet("within") {
		doc.Within = c.String("within")
	}
	seen := map[string]bool{}
	add := func(cert *certs.Cert, origin string) {
		key := origin + "|" + string(cert.Raw)
		if seen[key] {
			return
		}
		seen[key] = true
		na := cert.NotAfter()
		doc.Certificates = append(doc.Certificates, expiryItem{
			Origin:   origin,
			Subject:  cert.Subject(),
			Issuer:   cert.Issuer(),
			Serial:   certs.SerialHex(cert.Serial()),
			NotAfter: na.UTC().Format(time.RFC3339),
			DaysLeft: render.DaysLeft(na, now),
			SHA256:   cert.SHA256Hex(),
			notAfter: na,
		})
	}
	for _, arg := range c.Args().Slice() {
		fi, statErr := os.Stat(arg)
		switch {
		case statErr == nil && fi.IsDir() && isCADir(arg):
			if err := expiryCA(arg, now, add); err != nil {
				return err
			}
		case statErr == nil:
			set, err := source.Load(arg, source.Options{Password: pw, HavePassword: havePW})
			if err != nil && havePW && errors.Is(err, store.ErrWrongPassword) {
				// One --password serves every store among the sources. A
				// store it does not open may still show its certificates
				// without one (JKS, password-less PKCS#12), unverified.
				if unverified, err2 := source.Load(arg, source.Options{}); err2 == nil {
					doc.Notes = append(doc.Notes, arg+": the password given does not open it; read without one, its integrity not checked")
					set, err = unverified, nil
				}
			}
			if err != nil {
				var fe *source.FormatError
				if errors.As(err, &fe) && fe.Err == nil {
					doc.Notes = append(doc.Notes, arg+": passed over: no certificates")
					continue
				}
				return sourceErrorHint(err, havePW)
			}
			for _, f := range set.Certs {
				add(f.Cert, f.Origin)
			}
		case errors.Is(statErr, fs.ErrNotExist) && looksLikeEndpoint(arg):
			chain, err := fetchChain(env.Context, arg, timeout)
			if err != nil {
				return err
			}
			for _, cert := range chain {
				add(cert, arg)
			}
		default:
			return statErr
		}
	}
	sort.SliceStable(doc.Certificates, func(i, j int) bool {
		return doc.Certificates[i].notAfter.Before(doc.Certificates[j].notAfter)
	})
	for i := range doc.Certificates {
		it := &doc.Certificates[i]
		if c.IsSet("within") && !it.notAfter.After(now.Add(within)) {
			it.Expiring = true
			doc.Expiring++
		}
	}
	if c.Bool("json") {
		if err := render.JSON(env.Stdout, doc); err != nil {
			return err
		}
	} else {
		for _, n := range doc.Notes {
			fmt.Fprintf(env.Stderr, "trustctl: note: %s\n", n)
		}
		rows := [][]string{}
		for _, it := range doc.Certificates {
			days := strconv.Itoa(it.DaysLeft)
			if it.Expiring {
				days = render.Colour(env.StdoutTTY, render.Red, days)
			}
			rows = append(rows, []string{days, render.Date(it.notAfter), it.Subject, it.Origin})
		}
		if len(rows) == 0 {
			fmt.Fprintln(env.Stdout, "no certificates found")
		} else if err := render.Table(env.Stdout, []string{"DAYS", "NOT AFTER", "SUBJECT", "SOURCE"}, rows); err != nil {
			return err
		}
	}
	if doc.Expiring > 0 {
		return checkFailed("%d certificate(s) expire within %s", doc.Expiring, c.String("within"))
	}
	return nil
}

func sourceErrorHint(err error, havePW bool) error {
	if !havePW {
		if e := storeErrorHint(err); e != nil {
			return withHint(err, "this store needs its password: pass --password, --password-env NAME or --password-file PATH")
		}
	}
	return err
}

// isCADir reports whether dir is a trustctl CA directory.
func isCADir(dir string) bool {
	for _, f := range []string{ca.CertFile, ca.IndexFile, ca.ConfigFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// expiryCA adds a CA's certificate and what it issued that still counts:
// a revoked certificate needs no renewal.
func expiryCA(dir string, now time.Time, add func(*certs.Cert, string)) error {
	a, err := ca.Open(dir)
	if err != nil {
		return err
	}
	add(certs.FromX509(a.Cert), filepath.Join(dir, ca.CertFile))
	st, err := a.Records(now)
	if err != nil {
		return err
	}
	for _, e := range st.Entries {
		// The OCSP responder's delegated certificates renew themselves
		// and their keys die with the process.
		if e.Status == ca.StatusRevoked || e.Status == ca.StatusBelowMin || !e.Current || e.Profile == "ocsp" {
			continue
		}
		data, err := a.Certificate(e.Record)
		if err != nil {
			return err
		}
		set, err := source.Parse(data, filepath.Join(dir, e.File), source.Options{})
		if err != nil {
			return err
		}
		for _, f := range set.Certs {
			add(f.Cert, f.Origin)
		}
	}
	return nil
}

func looksLikeEndpoint(s string) bool {
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n > 0 && n < 65536
}

// fetchChain returns the chain a TLS server presents. Verification is off
// on purpose: an expired or untrusted certificate is exactly what expiry
// wants to see; trustctl probe does the full check.
func fetchChain(ctx context.Context, addr string, timeout time.Duration) ([]*certs.Cert, error) {
	host, _, _ := net.SplitHostPort(addr)
	cfg := &tls.Config{InsecureSkipVerify: true}
	if net.ParseIP(host) == nil {
		cfg.ServerName = host
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", addr, err)
	}
	defer conn.Close()
	var out []*certs.Cert
	for _, xc := range conn.(*tls.Conn).ConnectionState().PeerCertificates {
		out = append(out, certs.FromX509(xc))
	}
	return out, nil
}
