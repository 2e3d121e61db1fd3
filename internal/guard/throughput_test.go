package guard

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// BenchmarkThroughputCPUTime reports MB/s per core from the scanning thread's
// own CPU time, which, unlike wall-clock benchmarks, holds up on a shared
// machine. Run with go test -run '^$' -bench ThroughputCPUTime -v.
func BenchmarkThroughputCPUTime(t *testing.B) {
	e := newTestEngine(t)
	p := loadTestPolicies(t)["bfsi-strict"]
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, size := range []int{1 << 10, 16 << 10, 128 << 10} {
		text := benchText(size)
		n := (64 << 20) / size
		start := threadCPU()
		for i := 0; i < n; i++ {
			e.Apply(text, p, Input)
		}
		cpu := threadCPU() - start
		t.Logf("%4d KB: %6.1f MB/s per core (%v CPU per call)", size>>10,
			float64(size*n)/cpu.Seconds()/1e6, cpu/time.Duration(n))
	}
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
