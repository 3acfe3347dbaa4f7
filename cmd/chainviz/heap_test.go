package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestHeapLimit(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int64
	}{{0, heapFloor}, {heapFloor / 2, heapFloor}, {100 << 20, 150 << 20}, {1 << 30, 3 << 29}} {
		if got := heapLimit(c.live); got != c.want {
			t.Errorf("heapLimit(%d) = %d, want %d", c.live, got, c.want)
		}
	}
}

// TestTightHeapFollowsTheLiveHeap checks that after a collection the
// memory limit is half again the live heap once that is above the floor,
// so that a large graph is never collected over and over.
func TestTightHeapFollowsTheLiveHeap(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		t.Skip("GOMEMLIMIT or GOGC is set: tightHeap leaves the collector alone")
	}
	defer func() {
		heapHookOff.Store(true)
		debug.SetMemoryLimit(math.MaxInt64)
	}()
	tightHeap()
	if got := debug.SetMemoryLimit(-1); got < heapFloor {
		t.Fatalf("memory limit %d after tightHeap, want at least %d", got, heapFloor)
	}
	big := make([]byte, 128<<20)
	big[len(big)-1] = 1
	// The limit is set by a finalizer after a collection: collect until it
	// follows, or give up after a deadline.
	want := int64(len(big)) * 3 / 2
	deadline := time.Now().Add(20 * time.Second)
	for debug.SetMemoryLimit(-1) < want {
		if time.Now().After(deadline) {
			t.Fatalf("memory limit %d with %d bytes live, want at least %d", debug.SetMemoryLimit(-1), len(big), want)
		}
		runtime.GC()
		runtime.Gosched()
	}
	runtime.KeepAlive(big)
}
