package integration

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The operator tests run the commands a new operator runs: the custom
// Caddy of examples/caddy (what xcaddy builds), started as a process,
// in front of upstreams on loopback.

// operatorRoot is the repository's root folder.
func operatorRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// buildOperatorCaddy builds examples/caddy into a temporary folder and
// returns the binary and an environment that keeps Caddy's config and
// data out of the user's home.
func buildOperatorCaddy(t *testing.T) (bin string, env []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a Caddy binary")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available to build examples/caddy")
	}
	tmp := t.TempDir()
	bin = filepath.Join(tmp, "caddy")
	build := exec.Command(goCmd, "build", "-o", bin, "./examples/caddy")
	build.Dir = operatorRoot()
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/caddy: %v\n%s", err, out)
	}
	env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(tmp, "config"), "XDG_DATA_HOME="+filepath.Join(tmp, "data"))
	return bin, env
}

// operatorPort returns a free port on loopback.
func operatorPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

// syncBuffer is a bytes.Buffer a process writes to while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitListening waits until something accepts connections on addr.
func waitListening(t *testing.T, addr string, exited <-chan struct{}, stderr *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			t.Fatalf("the process ended before listening on %s:\n%s", addr, stderr.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after 60 s:\n%s", addr, stderr.String())
}
