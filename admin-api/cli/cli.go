// Package cli implements aigw-admin's commands. Each command reads its flags,
// connects to PostgreSQL (DATABASE_URL) and does one job.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/aigw/aigw/internal/store"
	"github.com/aigw/aigw/schema"
)

// usageError marks a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ExitCode maps an error from Run to a process exit status.
func ExitCode(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return 1
}

// command is one aigw-admin subcommand. Each command's file registers it in
// its init function, so adding a command touches no other file.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, args []string, stdout, stderr io.Writer) error) {
	if _, dup := commands[name]; dup {
		panic("aigw-admin command registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func init() {
	register("migrate", "apply pending database migrations", migrate)
	register("seed", "create the demo tenant, admin user and API key if the database has no tenant", seed)
}

func printUsage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: aigw-admin <command> [flags]\n\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nCommands that use the database read DATABASE_URL. `aigw-admin <command> -h` shows a command's flags.")
}

// Run executes the command named by args[0].
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stderr)
		return usageError{"no command given"}
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		printUsage(stdout)
		return nil
	}
	cmd, ok := commands[name]
	if !ok {
		printUsage(stderr)
		return usageError{fmt.Sprintf("unknown command %q", name)}
	}
	return cmd.run(ctx, rest, stdout, stderr)
}

func databaseURL() (string, error) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return "", usageError{"DATABASE_URL is not set"}
	}
	return url, nil
}

func openStore(ctx context.Context) (*store.Store, func(), error) {
	url, err := databaseURL()
	if err != nil {
		return nil, nil, err
	}
	pool, err := store.Open(ctx, url, "aigw-admin")
	if err != nil {
		return nil, nil, err
	}
	return store.New(pool), pool.Close, nil
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v", fs.Name(), err)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

func migrate(ctx context.Context, args []string, stdout, _ io.Writer) error {
	if err := parseFlags(flag.NewFlagSet("migrate", flag.ContinueOnError), args); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	applied, err := schema.Migrate(ctx, s.Pool())
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database schema is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return nil
}

func seed(ctx context.Context, args []string, stdout, _ io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	gateway := fs.String("gateway-url", "http://127.0.0.1:8080", "gateway URL printed with the demo key")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, closeFn, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer closeFn()
	d, err := s.SeedDemo(ctx)
	if err != nil {
		return err
	}
	if d == nil {
		fmt.Fprintln(stdout, "database already has tenants; nothing seeded (demo keys are shown only once, when created)")
		return nil
	}
	fmt.Fprintf(stdout, `Seeded demo tenant %q.
Admin API / dashboard sign-in (shown once, store it now):
  e-mail:   %s
  password: %s
Demo API key (shown once, store it now):
%s
Call the gateway:
  curl %s/v1/chat/completions -H "Authorization: Bearer $AIGW_KEY" -H "Content-Type: application/json" \
    -d '{"model":"mock-gpt","messages":[{"role":"user","content":"Hello"}]}'
Sign in to the admin API:
  curl %s/api/v1/admin/auth/login -H "Content-Type: application/json" \
    -d '{"email":"%s","password":"<the password above>"}'
`, d.TenantSlug, d.AdminEmail, d.AdminPassword, d.APIKey, *gateway, *gateway, d.AdminEmail)
	return nil
}
