package cli

import (
	"strings"
	"testing"
)

// TestReorderArgs: flags written after the positional arguments, as the
// contract's examples write them, reach urfave/cli in front of them, each
// with its value; "--" and flags of an unknown command are left alone.
func TestReorderArgs(t *testing.T) {
	app := newApp(&Env{})
	for _, tc := range []struct{ in, want string }{
		{"trustctl ca sign DIR CSR --out F", "trustctl ca sign --out F -- DIR CSR"},
		{"trustctl ca sign DIR --days 30 CSR --out=F", "trustctl ca sign --days 30 --out=F -- DIR CSR"},
		{"trustctl list store.jks --json --password pw", "trustctl list --json --password pw -- store.jks"},
		{"trustctl import store.jks -- --odd-name.pem --force", "trustctl import -- store.jks --odd-name.pem --force"},
		{"trustctl verify --roots r.pem leaf.pem", "trustctl verify --roots r.pem -- leaf.pem"},
		{"trustctl list --json", "trustctl list --json"},
		{"trustctl ca DIR --out F", "trustctl ca DIR --out F"},
		{"trustctl nosuch a --b c", "trustctl nosuch a --b c"},
		{"trustctl --version", "trustctl --version"},
	} {
		got := strings.Join(reorderArgs(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("reorderArgs(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
