package cli

import (
	"fmt"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/store"
)

func passwdCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "passwd",
		Usage:     "change a store's password",
		ArgsUsage: "STORE",
		Description: `Changes the store password (keytool -storepasswd). Key entries protected
with the old store password are protected with the new one, so that
applications that use one password for both keep working; a JKS key entry
with a password of its own keeps it. A password-less PKCS#12 store given a
password becomes a protected one (modern, unless --encryption legacy).

EXAMPLES:
   trustctl passwd truststore.p12 --password-env OLD_PW --new-password-env NEW_PW
   trustctl passwd --cacerts --new-password-file /run/secrets/cacerts-pw

EXIT CODES:
   0 changed; 2 wrong old password, no new password, unwritable store`,
		Flags:  append(append(storeFlags(true), secretFlags(pwNew, "new store password")...), encryptionFlag),
		Action: runPasswd,
	}
}

func runPasswd(c *ucli.Context) error {
	path, rest, err := storeArg(c, "STORE")
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageErrorf("usage: trustctl passwd STORE")
	}
	newPw, ok, err := readSecret(c, pwNew)
	if err != nil {
		return err
	}
	if !ok {
		if newPw, err = promptSecret(c, pwNew, "New password for "+path); err != nil {
			return err
		}
		again, err := promptSecret(c, pwNew, "New password again")
		if err != nil {
			return err
		}
		if string(again) != string(newPw) {
			return usageErrorf("the two new passwords differ")
		}
	}
	err = editStore(c, path, func(ed *storeEdit) (bool, error) {
		if !ed.Exists {
			return false, fmt.Errorf("%s does not exist", path)
		}
		if ed.Format == store.FormatPEM {
			return false, fmt.Errorf("%s is a PEM bundle, which has no password", path)
		}
		for _, e := range ed.Entries {
			if e.Kind == store.PrivateKey && e.Key == nil && e.KeyPassword == nil {
				return false, fmt.Errorf("key entry %q cannot be decrypted, so it cannot be protected with the new password", e.Alias)
			}
		}
		if ed.Protection == store.Passwordless && !c.IsSet("encryption") {
			ed.Protection = store.Modern
		}
		ed.Password = newPw
		return true, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(envOf(c).Stdout, "%s: password changed\n", path)
	return nil
}
