package cli

import (
	"errors"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
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

SOURCEs without a single CA certificate (only a key, a CSR, a leaf, an
empty directory) would empty the truststore: that is refused unless
--allow-empty says it is meant.

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
			&ucli.BoolFlag{Name: "allow-empty", Usage: "let SOURCEs without a CA certificate remove every trusted entry"},
			encryptionFlag, reproducibleFlag, jsonFlag),
			sourceFlags()...),
		Action: runSync,
	}
}

func runSync(c *ucli.Context) error {
	path, srcs, err := storeArg(c, "STORE SOURCE...")
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
	set, err := loadSources(c, srcs)
	if err != nil {
		return err
	}
	opts := store.SyncOptions{AllowLeaf: c.Bool("allow-leaf"), AllowEmpty: c.Bool("allow-empty"), Epoch: epoch}
	var plan *store.SyncPlan
	changed := false
	if c.Bool("dry-run") {
		sopts, err := storeOptions(c, false)
		if err != nil {
			return err
		}
		sopts.Create = true
		st, err := store.Peek(path, sopts)
		if err != nil {
			return storeError(c, err, sopts.Passwords.StoreGiven)
		}
		if plan, err = st.PlanSync(set.CertList(), opts); err != nil {
			return syncError(err)
		}
	} else {
		changed, err = changeStore(c, path, true, func(st *store.Store) (bool, error) {
			p, err := st.PlanSync(set.CertList(), opts)
			if err != nil {
				return false, err
			}
			plan = p
			st.Apply(p)
			return !plan.Empty(), nil
		})
		if err != nil {
			return syncError(err)
		}
	}
	env := envOf(c)
	if c.Bool("json") {
		return reported(path, changed, render.SyncPlanJSON(env.Stdout, path, plan, c.Bool("dry-run"), changed))
	}
	return reported(path, changed, render.SyncPlan(env.Stdout, path, plan, c.Bool("dry-run"), changed))
}

func syncError(err error) error {
	if errors.Is(err, store.ErrNothingToTrust) {
		return withHint(err, "check the SOURCEs; pass --allow-empty if the store is meant to trust nothing")
	}
	return err
}
