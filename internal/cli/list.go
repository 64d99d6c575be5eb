package cli

import (
	"strconv"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/store"
)

func listCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "list",
		Usage:     "list the entries of a store",
		ArgsUsage: "STORE",
		Description: `One line per entry: alias, entry kind, subject, expiry and SHA-256
fingerprint, in alias order. STORE is a JKS, JCEKS, PKCS#12 or PEM file,
recognised from its content.

A JKS store can be listed without its password; its integrity is then not
checked, and trustctl says so. A password-less PKCS#12 store (the JDK 18+
cacerts form) needs none.

EXAMPLES:
   trustctl list --cacerts
   trustctl list gateway-truststore.p12 --password-env TRUSTSTORE_PASSWORD
   trustctl list keystore.jks --json

EXIT CODES:
   0 listed; 2 the store cannot be read (wrong password, damaged, absent)`,
		Flags:  append(storeFlags(true), jsonFlag),
		Action: runList,
	}
}

type listEntry struct {
	Alias       string `json:"alias"`
	Kind        string `json:"kind"`
	Subject     string `json:"subject"`
	Issuer      string `json:"issuer"`
	NotAfter    string `json:"not_after"`
	DaysLeft    int    `json:"days_left"`
	SHA256      string `json:"sha256"`
	ChainLength int    `json:"chain_length,omitempty"`
	Created     string `json:"created,omitempty"`
}

func runList(c *ucli.Context) error {
	path, rest, err := storeArg(c, "STORE")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("usage: trustctl list STORE (one store; got %d more arguments)", len(rest))
	}
	st, err := readStore(c, path)
	if err != nil {
		return err
	}
	st.Sort()
	env := envOf(c)
	now := env.Now()
	entries := make([]listEntry, 0, len(st.Entries))
	for _, e := range st.Entries {
		le := listEntry{Alias: e.Alias, Kind: e.Kind.String()}
		if cert := e.Cert(); cert != nil {
			le.Subject = cert.Subject()
			le.Issuer = cert.Issuer()
			le.NotAfter = rfc3339(cert.NotAfter())
			le.DaysLeft = render.DaysLeft(cert.NotAfter(), now)
			le.SHA256 = cert.SHA256Hex()
		}
		if e.Kind == store.PrivateKey {
			le.ChainLength = len(e.Certs)
		}
		le.Created = rfc3339(e.Created)
		entries = append(entries, le)
	}
	if c.Bool("json") {
		return render.JSON(env.Stdout, struct {
			Store   string      `json:"store"`
			Type    string      `json:"type"`
			Entries []listEntry `json:"entries"`
		}{path, st.Format.String(), entries})
	}
	rows := make([][]string, 0, len(entries))
	for _, le := range entries {
		kind := le.Kind
		if le.ChainLength > 0 {
			kind += " (chain " + strconv.Itoa(le.ChainLength) + ")"
		}
		rows = append(rows, []string{le.Alias, kind, le.Subject, dateOf(le.NotAfter), le.SHA256})
	}
	return render.Table(env.Stdout, []string{"ALIAS", "KIND", "SUBJECT", "EXPIRES", "SHA-256"}, rows)
}
