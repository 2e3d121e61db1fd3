package usage

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aigw/aigw/internal/testdb"
)

// pgServer is a PostgreSQL instance of the test's own, in a temporary
// directory on a loopback port, that the test may kill and restart without
// touching the shared test server.
type pgServer struct {
	bin, data, port string
	asPostgres      bool
}

// startPGServer initdb's and starts a private server, or skips when the
// PostgreSQL binaries are missing (fails under AIGW_REQUIRE_INTEGRATION).
func startPGServer(t *testing.T) *pgServer {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		testdb.Missing(t, "PostgreSQL server binaries not found under /usr/lib/postgresql")
	}
	s := &pgServer{bin: filepath.Dir(bins[len(bins)-1]), port: strconv.Itoa(freePort(t)), asPostgres: os.Geteuid() == 0}
	dir := t.TempDir()
	s.data = filepath.Join(dir, "data")
	if err := os.Mkdir(s.data, 0o700); err != nil {
		t.Fatal(err)
	}
	if s.asPostgres { // the server refuses to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			testdb.Missing(t, "running as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		for d := dir; d != os.TempDir() && d != "/"; d = filepath.Dir(d) {
			os.Chmod(d, 0o711) //nolint:errcheck // traversal for the postgres user
		}
		if err := os.Chown(s.data, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	s.run(t, "initdb", "-D", s.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
	s.start(t)
	t.Cleanup(func() { s.stop(t, "fast") })
	return s
}

func (s *pgServer) run(t *testing.T, tool string, args ...string) {
	t.Helper()
	name, argv := filepath.Join(s.bin, tool), args
	if s.asPostgres {
		name, argv = "runuser", append([]string{"-u", "postgres", "--", filepath.Join(s.bin, tool)}, args...)
	}
	out, err := exec.Command(name, argv...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
}

func (s *pgServer) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %s -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s -c fsync=off -c max_connections=20", s.port, s.data)
	s.run(t, "pg_ctl", "-D", s.data, "-o", opts, "-l", filepath.Join(s.data, "server.log"), "-w", "-t", "60", "start")
}

// stop stops the server: "immediate" is a crash (no checkpoint, connections
// cut), "fast" a clean stop.
func (s *pgServer) stop(t *testing.T, mode string) {
	t.Helper()
	s.run(t, "pg_ctl", "-D", s.data, "-m", mode, "-w", "stop")
}

func (s *pgServer) url() string {
	return "postgres://postgres@127.0.0.1:" + s.port + "/postgres?sslmode=disable&connect_timeout=2"
}

func (s *pgServer) pool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), s.url())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond every 20ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
