package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/aigw/aigw/internal/store"
)

const tenantsUsage = `usage:
  aigw-admin tenants create --slug SLUG --name NAME [--rpm N] [--tpm N] [--concurrency N] [--budget USD]
  aigw-admin tenants list
  aigw-admin tenants suspend SLUG
  aigw-admin tenants activate SLUG
  aigw-admin tenants limits SLUG [--rpm N] [--tpm N] [--concurrency N] [--budget USD]   (0 or "" clears)`

func tenants(ctx context.Context, args []string, stdout, _ io.Writer) error {
	sub, rest, err := subcommand(args, tenantsUsage)
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		return tenantsCreate(ctx, rest, stdout)
	case "list":
		return tenantsList(ctx, rest, stdout)
	case "suspend", "activate":
		return tenantsStatus(ctx, sub, rest, stdout)
	case "limits":
		if len(rest) == 0 {
			return usageError{tenantsUsage}
		}
		return tenantsLimits(ctx, rest[0], rest[1:], stdout)
	}
	return usageError{fmt.Sprintf("unknown tenants command %q\n%s", sub, tenantsUsage)}
}

type limitFlags struct {
	rpm, tpm, conc *int
	budget         *string
}

func addLimitFlags(fs *flag.FlagSet) limitFlags {
	return limitFlags{
		rpm:    fs.Int("rpm", 0, "requests per minute (0: the gateway's default)"),
		tpm:    fs.Int("tpm", 0, "tokens per minute (0: the gateway's default)"),
		conc:   fs.Int("concurrency", 0, "requests in flight (0: the gateway's default)"),
		budget: fs.String("budget", "", "monthly budget in US dollars (empty: the gateway's default)"),
	}
}

func (l limitFlags) check(cmd string) error {
	if *l.rpm < 0 || *l.tpm < 0 || *l.conc < 0 {
		return usageError{cmd + ": --rpm, --tpm and --concurrency must not be negative"}
	}
	if *l.budget != "" && !store.ValidUSD(*l.budget) {
		return usageError{fmt.Sprintf("%s: --budget %q: want a dollar amount such as 250 or 99.50", cmd, *l.budget)}
	}
	return nil
}

func tenantsCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tenants create", flag.ContinueOnError)
	slug := fs.String("slug", "", "short unique name: lower-case letters, digits and dashes (required)")
	name := fs.String("name", "", "display name (required)")
	lf := addLimitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *slug == "" || *name == "" {
		return usageError{"tenants create: --slug and --name are required"}
	}
	if err := lf.check("tenants create"); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	t, err := s.CreateTenant(ctx, *slug, *name)
	if err != nil {
		return err
	}
	if err := s.SetTenantLimits(ctx, t.ID, *lf.rpm, *lf.tpm, *lf.conc, *lf.budget); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created tenant %s (id %s).\n", t.Slug, t.ID)
	return nil
}

func tenantsList(ctx context.Context, args []string, stdout io.Writer) error {
	if err := parseFlags(flag.NewFlagSet("tenants list", flag.ContinueOnError), args); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	list, err := s.ListTenants(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSLUG\tNAME\tSTATUS\tRPM\tTPM\tCONC\tBUDGET\tKEYS")
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", t.ID, t.Slug, t.Name, t.Status,
			num(t.RPM), num(t.TPM), num(t.Concurrency), orDash(t.BudgetUSD), t.Keys)
	}
	return tw.Flush()
}

func tenantBySlug(ctx context.Context, s *store.Store, slug string) (*store.Tenant, error) {
	t, err := s.TenantBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("no tenant %q", slug)
	}
	return t, err
}

func tenantsStatus(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return usageError{"tenants " + verb + ": want exactly one tenant slug"}
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	t, err := tenantBySlug(ctx, s, args[0])
	if err != nil {
		return err
	}
	status := map[string]string{"suspend": "suspended", "activate": "active"}[verb]
	if err := s.SetTenantStatus(ctx, t.ID, status); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Tenant %s is %s.\n", t.Slug, status)
	return nil
}

func tenantsLimits(ctx context.Context, slug string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("tenants limits", flag.ContinueOnError)
	lf := addLimitFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := lf.check("tenants limits"); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	t, err := tenantBySlug(ctx, s, slug)
	if err != nil {
		return err
	}
	if err := s.SetTenantLimits(ctx, t.ID, *lf.rpm, *lf.tpm, *lf.conc, *lf.budget); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Limits of tenant %s set.\n", t.Slug)
	return nil
}
