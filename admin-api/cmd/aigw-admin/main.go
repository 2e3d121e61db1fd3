// Command aigw-admin is aigw's management plane: the admin API server and the
// operator commands (migrate, seed).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/aigw/aigw/admin-api/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "aigw-admin:", err)
		os.Exit(cli.ExitCode(err))
	}
}
