package cli

import (
	"time"
)

// orUnknown is a field of certs.Details as people read it: "unknown" when
// it could not be read.
func orUnknown(s *string) string {
	if s == nil {
		return "unknown"
	}
	return *s
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func dateOf(rfc string) string {
	if len(rfc) >= 10 {
		return rfc[:10]
	}
	return rfc
}
