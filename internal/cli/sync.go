package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/source"
	"github.com/trustctl/trustctl/internal/store"
)

func syncCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "sync",
		Usage:     "make a truststore trust exactly the given CA certificates",
		ArgsUsage: "STORE SOURCE...",
		Description: `Makes STORE's trusted entries exactly the CA certificates found in the
SOURCEs ("-" is standard input): missing ones are added (aliases derived
from the subject), trusted entries not among them are removed, key entries
are left alone. The store is created when it does not exist. --dry-run
prints the plan and writes nothing.

Every SOURCE must hold a CA certificate. One that holds none (only a key,
a CSR, a leaf, an empty directory) is refused, even next to others: the
CA certificates it was meant to supply would be removed. --allow-empty
lets such SOURCEs through, and SOURCEs without a single CA certificate
then empty the truststore.

As with import, the result depends only on the certificates: new JKS
entries are dated by SOURCE_DATE_EPOCH, else by their notBefore, and a
truststore synced to the same bundle on two machines is the same file.

EXAMPLES:
   # Keep an application truststore equal to the corporate bundle
   trustctl sync app-truststore.p12 corporate-cas.pem --password-env PW --dry-run
   trustctl sync app-truststore.p12 corporate-cas.pem --password-env PW

EXIT CODES:
   0 in sync (or the plan printed); 2 unreadable input or nothing to
   trust, nothing written`,
		Flags: append(append(storeFlags(true),
			&ucli.BoolFlag{Name: "dry-run", Usage: "print the plan, change nothing"},
			&ucli.BoolFlag{Name: "allow-leaf", Usage: "also trust certificates that are not CA certificates"},
			&ucli.BoolFlag{Name: "allow-empty", Usage: "let SOURCEs without a CA certificate through (alone, they remove every trusted entry)"},
			encryptionFlag, reproducibleFlag, jsonFlag),
			sourceFlags()...),
		Action: runSync,
	}
}

func runSync(c *ucli.Context) error {
	path, srcs, err := targetArg(c, "STORE SOURCE...")
	if err != nil {
		return err
	}
	if len(srcs) == 0 {
		return usageErrorf("usage: trustctl sync STORE SOURCE... (no source given)")
	}
	epoch, err := sourceDateEpoch(c)
	if err != nil {
		return err
	}
	sets, err := loadEachSource(c, srcs)
	if err != nil {
		return err
	}
	from := make([]store.SyncSource, len(sets))
	for i, set := range sets {
		from[i] = store.SyncSource{Name: source.Name(srcs[i]), Certs: set.CertList()}
	}
	opts := store.SyncOptions{AllowLeaf: c.Bool("allow-leaf"), AllowEmpty: c.Bool("allow-empty"), Epoch: epoch}
	dry := c.Bool("dry-run")
	var plan *store.SyncPlan
	sopts, err := storeOptions(c, false)
	if err != nil {
		return err
	}
	sopts.Create, sopts.DryRun = true, dry
	changed, err := store.Edit(path, sopts, func(st *store.Store) (bool, error) {
		p, err := st.PlanSync(from, opts)
		if err != nil {
			return false, err
		}
		plan = p
		st.Apply(p)
		return !plan.Empty(), nil
	})
	if err != nil {
		return syncError(storeError(c, err, sopts.Passwords.StoreGiven))
	}
	changed = changed && !dry // "changed" says the file was written
	env := envOf(c)
	if c.Bool("json") {
		return reported(path, changed, render.SyncPlanJSON(env.Stdout, path, plan, dry, changed))
	}
	return reported(path, changed, render.SyncPlan(env.Stdout, path, plan, dry, changed))
}

func syncError(err error) error {
	var nca *store.NoCAError
	switch {
	case errors.Is(err, store.ErrNothingToTrust):
		return withHint(err, "check the SOURCEs; pass --allow-empty if the store is meant to trust nothing")
	case errors.As(err, &nca):
		return withHint(err, "every SOURCE must hold a CA certificate, or the ones it was meant to supply would be removed; pass --allow-empty if a SOURCE may hold none")
	}
	return err
}
