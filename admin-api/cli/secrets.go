package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aigw/aigw/internal/secretbox"
	"github.com/aigw/aigw/internal/tenantdb"
)

func init() {
	register("secrets", "stored secrets: reseal them with the current encryption key", secretsCmd)
}

const secretsUsage = `usage:
  aigw-admin secrets reseal

reseal seals again, with AIGW_ENCRYPTION_KEY, every stored secret (SSO client
secrets) that another key sealed. Rotate a key by moving the old one to
AIGW_ENCRYPTION_RETIRED_KEYS, setting the new one in AIGW_ENCRYPTION_KEY,
restarting the admin API, then running this; once it reports nothing left,
the old key can be dropped. Each reseal is audited as sso.secret_reseal.`

func secretsCmd(ctx context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) != 1 || args[0] != "reseal" {
		return usageError{secretsUsage}
	}
	kr, err := secretbox.FromEnv(os.Getenv("AIGW_ENCRYPTION_KEY"), os.Getenv("AIGW_ENCRYPTION_RETIRED_KEYS"))
	if err != nil {
		return usageError{err.Error()}
	}
	if kr == nil {
		return usageError{"AIGW_ENCRYPTION_KEY is not set\n\n" + secretsUsage}
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	n, err := tenantdb.ResealSSOSecrets(ctx, s, kr)
	fmt.Fprintf(stdout, "resealed %d SSO client secrets with key %s\n", n, kr.CurrentKeyID())
	return err
}
