package trust

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/trustctl/trustctl/internal/certs"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

// LoadCerts reads the certificates to add from files (PEM, DER, stores,
// directories). It refuses, before anything is written anywhere: a file
// without a certificate, a file that holds a private key (a trust store
// never needs one, and a key given by mistake must not travel), and a
// certificate that is not a CA unless allowLeaf (the error is a
// *store.NotCAError). Duplicates count once.
func LoadCerts(paths []string, allowLeaf bool) ([]Target, error) {
	var out []Target
	seen := map[[32]byte]bool{}
	for _, p := range paths {
		set, err := source.Load(p, source.Options{})
		if err != nil {
			return nil, err
		}
		if len(set.Keys) > 0 {
			return nil, fmt.Errorf("%s holds a private key: give the CA certificate alone", p)
		}
		if len(set.Certs) == 0 {
			return nil, fmt.Errorf("%s: no certificate found", p)
		}
		for _, f := range set.Unique() {
			if seen[f.SHA256()] {
				continue
			}
			seen[f.SHA256()] = true
			if !allowLeaf && !f.IsCA() {
				return nil, &store.NotCAError{Cert: f.Cert}
			}
			out = append(out, TargetOf(f.Cert))
		}
	}
	return out, nil
}

// ParseTargets reads what to remove: each argument is a certificate file
// (every certificate in it counts; leaves too, since removing trust is
// always safe) or, when no such file exists, a SHA-256 fingerprint in hex,
// with or without colons, in any case.
func ParseTargets(args []string) ([]Target, error) {
	var out []Target
	seen := map[[32]byte]bool{}
	add := func(t Target) {
		if !seen[t.SHA256] {
			seen[t.SHA256] = true
			out = append(out, t)
		}
	}
	for _, a := range args {
		if _, err := os.Stat(a); err == nil {
			set, err := source.Load(a, source.Options{})
			if err != nil {
				return nil, err
			}
			if len(set.Keys) > 0 {
				return nil, fmt.Errorf("%s holds a private key: give the CA certificate or its SHA-256 fingerprint", a)
			}
			if len(set.Certs) == 0 {
				return nil, fmt.Errorf("%s: no certificate found", a)
			}
			for _, f := range set.Unique() {
				add(TargetOf(f.Cert))
			}
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		sum := certs.ParseFingerprint(a)
		switch {
		case sum == nil && len(certs.HexDigits(a))%2 == 1 && certs.ParseHex(a) != nil:
			return nil, fmt.Errorf("%s is neither a certificate file nor a SHA-256 fingerprint (%d hex digits, not 64)", a, len(certs.HexDigits(a)))
		case sum == nil:
			return nil, fmt.Errorf("%s is neither a certificate file nor a SHA-256 fingerprint", a)
		case len(sum) != 32:
			return nil, fmt.Errorf("%s is neither a certificate file nor a SHA-256 fingerprint (%d bytes, not 32; a SHA-1 fingerprint has 20)", a, len(sum))
		}
		var t Target
		copy(t.SHA256[:], sum)
		add(t)
	}
	return out, nil
}
