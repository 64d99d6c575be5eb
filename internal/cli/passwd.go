package cli

import (
	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/render"
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
A store that already has the new password (the old one no longer opens
it) is left as it is, so running the same passwd twice changes nothing.

EXAMPLES:
   trustctl passwd truststore.p12 --password-env OLD_PW --new-password-env NEW_PW
   trustctl passwd --cacerts --new-password-file /run/secrets/cacerts-pw

EXIT CODES:
   0 changed; 2 wrong old password, no new password, unwritable store`,
		Flags:  append(append(storeFlags(true), secretFlags(pwNew, "new store password")...), encryptionFlag, jsonFlag),
		Action: runPasswd,
	}
}

func runPasswd(c *ucli.Context) error {
	path, rest, err := targetArg(c, "STORE")
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
	opts, err := storeOptions(c, false)
	if err != nil {
		return err
	}
	changed, err := store.Passwd(path, opts, newPw)
	if err != nil {
		return storeError(c, err, opts.Passwords.StoreGiven)
	}
	env := envOf(c)
	if c.Bool("json") {
		return reported(path, changed, render.PasswdJSON(env.Stdout, path, changed))
	}
	return reported(path, changed, render.Passwd(env.Stdout, path, changed))
}
