package live

import (
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
)

// heldHeap returns the bytes of heap memory the process holds from the
// system, used or not: what the heap adds to its resident size.
func heldHeap() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapSys - m.HeapReleased
}

// TestMemoryReturnsAfterPNGBurst downloads a burst of PNGs at once and
// checks that the memory the server holds then falls back to about its
// level before the burst, instead of staying at the burst's peak until
// the collector's background scavenger gets to it.
func TestMemoryReturnsAfterPNGBurst(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector multiplies memory use")
	}
	src, err := os.ReadFile("../../specs/mlp_batch.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, dir, "big.yaml", string(src))
	_, ts := newTestServer(t, dir, Options{})
	download := func() {
		if code, _, body := get(t, ts, "/api/download?path=big.yaml&format=png"); code != http.StatusOK {
			t.Errorf("status %d: %.200s", code, body)
		}
	}
	download() // Fonts, caches and the layout of the spec are made once.
	runtime.GC()
	debug.FreeOSMemory()
	idle := heldHeap()

	const burst = 8
	var peak uint64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range burst {
		wg.Add(1)
		go func() {
			defer wg.Done()
			download()
			mu.Lock()
			peak = max(peak, heldHeap())
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("idle %d MB, peak %d MB, after %d MB", idle>>20, peak>>20, heldHeap()>>20)
	if peak < idle+32<<20 {
		t.Fatalf("the burst held at most %d MB over the idle %d MB: too little to tell", (peak-idle)>>20, idle>>20)
	}
	// The server hands the memory back when the last PNG of a burst is
	// drawn, before that response is written: once every response is in,
	// only the responses' own garbage may remain.
	if held := heldHeap(); held > idle+16<<20 {
		t.Fatalf("after the burst (peak %d MB) the heap still holds %d MB, idle was %d MB", peak>>20, held>>20, idle>>20)
	}
}
