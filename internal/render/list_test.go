package render

import "testing"

// TestListSummaryLine: the line under list's table counts the entries and
// colours only counts that need attention.
func TestListSummaryLine(t *testing.T) {
	for _, tc := range []struct {
		sum    ListSummary
		colour bool
		want   string
	}{
		{ListSummary{}, true, "0 entries"},
		{ListSummary{Entries: 1}, true, "1 entry: 0 expired, 0 expiring within 30 days"},
		{ListSummary{Entries: 3, Expired: 1, Expiring: 1}, false, "3 entries: 1 expired, 1 expiring within 30 days"},
		{ListSummary{Entries: 3, Expired: 1, Expiring: 1}, true, "3 entries: \x1b[31m1 expired\x1b[0m, \x1b[33m1 expiring within 30 days\x1b[0m"},
		{ListSummary{Entries: 142, Expiring: 2}, true, "142 entries: 0 expired, \x1b[33m2 expiring within 30 days\x1b[0m"},
	} {
		if got := summaryLine(tc.sum, tc.colour); got != tc.want {
			t.Errorf("summaryLine(%+v, %v) = %q, want %q", tc.sum, tc.colour, got, tc.want)
		}
	}
}
