package render

import (
	"fmt"
	"time"

	"github.com/trustctl/trustctl/internal/store"
)

// RFC3339 is t in UTC as RFC 3339, or "" for the zero time (a JSON field
// left empty).
func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// DateOf is the day of an RFC 3339 time: its first ten characters.
func DateOf(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}

// Unchanged ends a write command's summary when nothing was written.
func Unchanged(changed bool) string {
	if changed {
		return ""
	}
	return " (unchanged)"
}

// StoreFormat names a store's format, with the PKCS#12 protection.
func StoreFormat(st *store.Store) string {
	if st.Format == store.FormatPKCS12 {
		return fmt.Sprintf("PKCS#12 (%s)", st.Protection)
	}
	return st.Format.String()
}
