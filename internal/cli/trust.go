package cli

import (
	"errors"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
	"github.com/trustctl/trustctl/internal/store"
	"github.com/trustctl/trustctl/internal/trust"
)

func trustCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "trust",
		Usage: "make every JDK, the operating system and NSS on this machine trust a CA",
		Description: `Every place on a machine that decides what TLS clients trust: the
truststore of each JDK installed (JAVA_HOME, the java on PATH, /usr/lib/jvm,
/usr/lib64/jvm, /usr/java, /opt, /Library/Java/JavaVirtualMachines, SDKMAN,
~/.jdks, ~/.gradle/jdks, asdf, and --java-home; JDKs sharing one file through
symlinks count once), the operating system's anchors (Debian/Ubuntu, Alpine,
RHEL/Fedora/CentOS, SUSE, Arch) and NSS databases (~/.pki/nssdb, Firefox
profiles; through certutil). No JVM and no keytool is needed.`,
		Subcommands: []*ucli.Command{trustStatusCommand(), trustAddCommand(), trustRemoveCommand()},
	}
}

// trustFlags are the flags of all three subcommands.
func trustFlags() []ucli.Flag {
	fs := []ucli.Flag{
		&ucli.StringSliceFlag{Name: "only", Usage: "only places of this `KIND`: jdk, system or nss (repeatable)"},
		&ucli.StringSliceFlag{Name: "java-home", Usage: "also the JDK at `DIR` (repeatable)"},
		&ucli.StringFlag{Name: "sysroot", Usage: "look at the machine whose / is `DIR` (a container image's root): every path, HOME, JAVA_HOME and PATH included, is looked up inside it, and no refresh tool is run"},
		jsonFlag,
	}
	return append(fs, secretFlags(pwStore, "password of the JDK truststores (default changeit)")...)
}

const trustHelpCommon = `
The places are looked for on this machine, or with --sysroot DIR inside
DIR as a chroot would see it: absolute symlinks resolve within DIR, and
HOME, JAVA_HOME, PATH and --java-home are paths inside DIR, so nothing of
this host is read or written. The JDK truststores open with the password
changeit unless --password* gives another; a store it does not open is
reported, never guessed at.`

func trustStatusCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "status",
		Usage:     "list the places that decide trust, and whether they trust CERTs",
		ArgsUsage: "[CERT...]",
		Description: `One row per place: kind, JDK version, format, entries, whether trustctl
may write it, and its path (with the real file behind symlinks). With CERT
files, one column per certificate says whether each place trusts it: yes,
no, pending (an anchor the refresh tool has not put into the bundle yet),
bundled (in the system bundle without being an anchor), or ? (the place
could not be read). Reads only.` + trustHelpCommon + `

EXAMPLES:
   trustctl trust status
   trustctl trust status acme-root.crt --only jdk
   trustctl trust status --sysroot ./rootfs --json

EXIT CODES:
   0 done (every place trusts every CERT); 1 a CERT is missing from a place;
   2 bad usage or unreadable input`,
		Flags:  trustFlags(),
		Action: runTrustStatus,
	}
}

func trustAddCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "add",
		Usage:     "make every place trust the CA certificates in CERT files",
		ArgsUsage: "CERT...",
		Description: `Adds the CA certificates to every place found: a trusted entry in each
JDK truststore (in its format and mode, through symlinks, atomically), a
PEM file in the system's anchors directory followed by its refresh tool
(update-ca-certificates, update-ca-trust), and a "C,," entry in each NSS
database through certutil. A place that already trusts a certificate is
left byte-identical. A place that cannot be written is reported and the
others go on. Input that is not a CA certificate (a key, garbage, a leaf
without --allow-leaf) writes nothing anywhere.` + trustHelpCommon + `

EXAMPLES:
   # See what would change, then do it
   trustctl trust add acme-root.crt --dry-run
   sudo trustctl trust add acme-root.crt
   # Into a container image's root file system (run update-ca-certificates inside it)
   trustctl trust add acme-root.crt --sysroot ./rootfs --only jdk --only system

EXIT CODES:
   0 every place trusts the certificates; 1 a place was left out (see the
   report); 2 bad input or usage, nothing written anywhere`,
		Flags: append(trustFlags(),
			&ucli.BoolFlag{Name: "dry-run", Usage: "print the plan, change nothing"},
			&ucli.BoolFlag{Name: "allow-leaf", Usage: "also trust certificates that are not CA certificates"}),
		Action: func(c *ucli.Context) error { return runTrustChange(c, trust.OpAdd) },
	}
}

func trustRemoveCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "remove",
		Usage:     "make every place stop trusting certificates",
		ArgsUsage: "CERT-OR-SHA256...",
		Description: `The reverse of add, for what add or anyone else put there: every trusted
entry holding the certificate in each JDK truststore, the anchor files
holding it (a file that holds other certificates too is rewritten without
it), and its NSS entries. A certificate is named by a file or by its
SHA-256 fingerprint (hex, with or without colons, any case). A certificate
that ships in the system bundle without being an anchor is reported, not
removed.` + trustHelpCommon + `

EXAMPLES:
   trustctl trust remove acme-root.crt --dry-run
   trustctl trust remove 5F:0B:...:9A

EXIT CODES:
   0 no place trusts the certificates any more; 1 a place was left out;
   2 bad input or usage, nothing written anywhere`,
		Flags:  append(trustFlags(), &ucli.BoolFlag{Name: "dry-run", Usage: "print the plan, change nothing"}),
		Action: func(c *ucli.Context) error { return runTrustChange(c, trust.OpRemove) },
	}
}

// trustMachine turns the flags into the machine to look at.
func trustMachine(c *ucli.Context) (*trust.Machine, error) {
	root, err := trust.NewRoot(c.String("sysroot"))
	if err != nil {
		return nil, usageErrorf("--sysroot: %v", err)
	}
	var only []trust.Kind
	for _, v := range c.StringSlice("only") {
		for _, s := range strings.Split(v, ",") {
			k, err := trust.ParseKind(strings.TrimSpace(s))
			if err != nil {
				return nil, usageErrorf("--only: %v", err)
			}
			only = append(only, k)
		}
	}
	homes := c.StringSlice("java-home")
	if root.IsHost() {
		for i, h := range homes {
			if abs, err := filepath.Abs(h); err == nil {
				homes[i] = abs
			}
		}
	}
	pw, ok, err := readSecret(c, pwStore)
	if err != nil {
		return nil, err
	}
	if !ok {
		pw = nil
	}
	return &trust.Machine{Root: root, Getenv: envOf(c).Getenv, JavaHomes: homes, Password: pw,
		Refresh: root.IsHost(), Only: only}, nil
}

func runTrustStatus(c *ucli.Context) error {
	m, err := trustMachine(c)
	if err != nil {
		return err
	}
	targets, err := trust.LoadCerts(c.Args().Slice(), true)
	if err != nil {
		return err
	}
	rep, err := trust.Status(envOf(c).Context, m, targets)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		err = render.TrustStatusJSON(envOf(c).Stdout, rep)
	} else {
		err = render.TrustStatus(envOf(c).Stdout, rep)
	}
	if err != nil {
		return err
	}
	if n := rep.Missing(); n > 0 {
		return checkFailed("")
	}
	return nil
}

func runTrustChange(c *ucli.Context, op trust.Op) error {
	usage := "CERT..."
	if op == trust.OpRemove {
		usage = "CERT-OR-SHA256..."
	}
	if c.NArg() == 0 {
		return usageErrorf("usage: trustctl trust %s %s", op, usage)
	}
	m, err := trustMachine(c)
	if err != nil {
		return err
	}
	var targets []trust.Target
	if op == trust.OpAdd {
		targets, err = trust.LoadCerts(c.Args().Slice(), c.Bool("allow-leaf"))
	} else {
		targets, err = trust.ParseTargets(c.Args().Slice())
	}
	if err != nil {
		var nca *store.NotCAError
		if errors.As(err, &nca) {
			return withHint(err, "pass --allow-leaf to trust it anyway")
		}
		return err
	}
	ctx := envOf(c).Context
	plan, err := trust.NewPlan(ctx, m, op, targets)
	if err != nil {
		return err
	}
	dry := c.Bool("dry-run")
	if !dry {
		plan.Apply(ctx, m)
	}
	if c.Bool("json") {
		err = render.TrustPlanJSON(envOf(c).Stdout, plan, dry)
	} else {
		err = render.TrustPlan(envOf(c).Stdout, plan, dry)
	}
	if err != nil {
		return err
	}
	if n := plan.LeftOut(); n > 0 {
		if dry {
			return checkFailed("%d %s would be left out", n, render.TrustPlural(n, "place", "places"))
		}
		return checkFailed("%d %s left out", n, render.TrustPlural(n, "place was", "places were"))
	}
	return nil
}
