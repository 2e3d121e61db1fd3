package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aigw/aigw/internal/store"
)

func init() {
	register("keys", "manage API keys: create, list, revoke", keys)
	register("tenants", "manage tenants: create, list, suspend, activate, limits", tenants)
}

const keysUsage = `usage:
  aigw-admin keys create --tenant SLUG [--user USER_ID] [--name NAME] [--models GLOB,...]
                         [--rpm N] [--tpm N] [--concurrency N] [--budget USD] [--expires DURATION]
  aigw-admin keys list [--tenant SLUG]
  aigw-admin keys revoke ID_OR_PREFIX`

// subcommand splits "keys create ..." into "create" and its arguments.
func subcommand(args []string, usage string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, usageError{usage}
	}
	return args[0], args[1:], nil
}

func keys(ctx context.Context, args []string, stdout, _ io.Writer) error {
	sub, rest, err := subcommand(args, keysUsage)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		return keysCreate(ctx, rest, stdout)
	case "list":
		return keysList(ctx, rest, stdout)
	case "revoke":
		return keysRevoke(ctx, rest, stdout)
	}
	return usageError{fmt.Sprintf("unknown keys command %q\n%s", sub, keysUsage)}
}

func keysCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys create", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant slug (required)")
	user := fs.String("user", "", "user id the key belongs to (default: a tenant-wide key)")
	name := fs.String("name", "", "a name to tell the key apart")
	models := fs.String("models", "", "comma-separated model globs the key may use, such as gpt-4o*,mock-* (default: all)")
	rpm := fs.Int("rpm", 0, "requests per minute (default: the gateway's)")
	tpm := fs.Int("tpm", 0, "tokens per minute (default: the gateway's)")
	conc := fs.Int("concurrency", 0, "requests in flight (default: the gateway's)")
	budget := fs.String("budget", "", "monthly budget in US dollars, such as 250 or 99.50")
	expires := fs.Duration("expires", 0, "lifetime, such as 720h (default: never expires)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *tenant == "" {
		return usageError{"keys create: --tenant is required"}
	}
	if *expires < 0 {
		return usageError{"keys create: --expires must not be negative"}
	}
	nk := store.NewKey{UserID: *user, Name: *name, RPM: *rpm, TPM: *tpm, Concurrency: *conc, BudgetUSD: *budget}
	for _, g := range strings.Split(*models, ",") {
		if g = strings.TrimSpace(g); g != "" {
			nk.AllowedModels = append(nk.AllowedModels, g)
		}
	}
	// The admin API checks keys with the same rules (NewKey.Validate).
	if err := nk.Validate(); err != nil {
		var fe *store.FieldError
		if errors.As(err, &fe) {
			return usageError{fmt.Sprintf("keys create: --%s: %s", fe.Field, fe.Reason)}
		}
		return err
	}
	if *expires > 0 {
		nk.ExpiresAt = time.Now().Add(*expires)
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	t, err := s.TenantBySlug(ctx, *tenant)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no tenant %q", *tenant)
	} else if err != nil {
		return err
	}
	nk.TenantID = t.ID
	key, rec, err := s.CreateKey(ctx, nk)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created key %s (id %s) for tenant %s. The key is shown once, store it now:\n%s\n",
		rec.Prefix, rec.ID, t.Slug, key)
	return nil
}

func keysList(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("keys list", flag.ContinueOnError)
	tenant := fs.String("tenant", "", "tenant slug (default: every tenant)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	list, err := s.ListKeys(ctx, *tenant)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tTENANT\tNAME\tMODELS\tRPM\tTPM\tCONC\tBUDGET\tEXPIRES\tSTATUS")
	now := time.Now()
	for _, k := range list {
		status := "active"
		switch {
		case !k.RevokedAt.IsZero():
			status = "revoked"
		case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
			status = "expired"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.TenantSlug, orDash(k.Name),
			orDash(strings.Join(k.AllowedModels, ",")), num(k.RPM), num(k.TPM), num(k.Concurrency), orDash(k.BudgetUSD),
			date(k.ExpiresAt), status)
	}
	return tw.Flush()
}

func keysRevoke(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usageError{"keys revoke: want exactly one key id or display prefix\n" + keysUsage}
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	k, err := s.RevokeKeyByRef(ctx, args[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Revoked key %s (id %s) of tenant %s.\n", k.Prefix, k.ID, k.TenantSlug)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func num(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

func date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
