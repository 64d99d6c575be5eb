package store

import (
	"fmt"
	"strconv"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// maxSourceDateEpoch is 9999-12-31T23:59:59Z, the last second trustctl
// writes anywhere (keytool prints four-digit years).
const maxSourceDateEpoch = 253402300799

// SourceDateEpoch reads the value of the SOURCE_DATE_EPOCH environment
// variable (reproducible-builds.org/specs/source-date-epoch): decimal
// seconds since 1970-01-01T00:00:00Z, digits only, as `date +%s` prints
// them. The empty string means unset and gives the zero time. A value that
// is not such a number, or lies past the year 9999, is an error: the
// specification asks builds to stop rather than guess.
func SourceDateEpoch(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if len(v) > 20 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%.20q...: not a number of seconds since 1970", v)
	}
	for _, r := range v {
		if r < '0' || r > '9' {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: not a number of seconds since 1970 (digits only, as date +%%s prints)", v)
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > maxSourceDateEpoch {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%s: past the year 9999", v)
	}
	return time.Unix(int64(n), 0).UTC(), nil
}

// EntryDate is the creation date a new entry for c gets: epoch when it is
// not zero (SOURCE_DATE_EPOCH, see [SourceDateEpoch]), otherwise c's
// notBefore, as OpenJDK dates the entries of the cacerts it builds
// (JDK-8278080), so that the same certificates give the same JKS bytes
// whenever they are imported. Only JKS stores record the date.
func EntryDate(c *certs.Cert, epoch time.Time) time.Time {
	if !epoch.IsZero() {
		return epoch
	}
	if c != nil && !c.NotBefore().IsZero() {
		return c.NotBefore()
	}
	return time.Unix(0, 0).UTC()
}

// DateUndated dates by epoch (when not zero) the entries whose dates the
// store's file did not record: every entry of a PEM bundle or a PKCS#12
// store, which were read as dated by their certificates' notBefore. The
// entries of a JKS store keep the dates they have.
func (s *Store) DateUndated(epoch time.Time) {
	if epoch.IsZero() || s.Format == FormatJKS || s.Format == FormatJCEKS {
		return
	}
	for _, e := range s.Entries {
		e.Created = epoch
	}
}
