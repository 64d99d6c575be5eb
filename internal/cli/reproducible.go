package cli

import (
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/trustctl/trustctl/internal/store"
)

// reproducibleFlag asks for a store with a private key to be written
// deterministically; stores without one always are.
var reproducibleFlag = &ucli.BoolFlag{
	Name: "reproducible",
	Usage: "derive the salts of private keys from the entries instead of drawing random ones, so that the same key, " +
		"chain and password give the same file; this reveals that two such files hold the same key under the same " +
		"password (truststores are always written reproducibly)",
}

// sourceDateEpoch returns the time SOURCE_DATE_EPOCH gives new JKS entries,
// zero when it is unset or empty (each entry is then dated by its
// certificate's notBefore). A malformed value is a usage error, reported
// before any file is touched.
func sourceDateEpoch(c *ucli.Context) (time.Time, error) {
	t, err := store.SourceDateEpoch(envOf(c).Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return time.Time{}, usageErrorf("%v", err)
	}
	return t, nil
}
