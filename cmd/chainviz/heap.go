package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// The commands that hold a whole graph in memory and draw nothing
// (annotate, check, explain) keep the Go heap tight: by default the
// collector lets the heap grow to twice what was live after the last
// collection, which for a 100,000-node graph means some 60 MB of garbage
// on top of 60 MB of graph. tightHeap sets a soft memory limit of
// max(heapFloor, 1.5 × the live heap), updated after every collection:
// small graphs are collected as usual, a large one at most half again its
// size, and a graph that keeps growing is never collected over and over
// (the limit is always half again what is live). A GOMEMLIMIT or GOGC in
// the environment is the user's choice and is left alone.

// heapFloor is the memory limit below which the collector works as usual.
// Of 64, 80 and 96 MiB, 80 gave the 100k-node chain both its lowest peak
// RSS (105-112 MiB) and CPU time as low as without a limit (see README's
// performance section).
const heapFloor = 80 << 20

var (
	tightHeapOnce sync.Once
	// heapHookOff stops the hook (for tests).
	heapHookOff atomic.Bool
)

// tightHeap installs the memory limit described above, once.
func tightHeap() {
	if os.Getenv("GOMEMLIMIT") != "" || os.Getenv("GOGC") != "" {
		return
	}
	tightHeapOnce.Do(func() {
		debug.SetMemoryLimit(heapFloor)
		armHeapHook()
	})
}

// heapLimit is the memory limit for a live heap of live bytes.
func heapLimit(live uint64) int64 {
	return max(heapFloor, int64(live+live/2))
}

// gcSentinel is garbage whose finalizer runs after each collection; it
// holds a pointer so that it is not packed with other small objects.
type gcSentinel struct{ _ *int }

// armHeapHook makes the next collection update the memory limit, and arm
// the hook again.
func armHeapHook() {
	runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
		if heapHookOff.Load() {
			return
		}
		debug.SetMemoryLimit(heapLimit(liveHeap()))
		armHeapHook()
	})
}

// liveHeap returns the bytes of heap objects found live by the last
// collection.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
