package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
)

// softMemoryLimit is the Go heap the GC aims to stay under while the live
// heap is small. With the default GOGC the heap peaks at about twice what
// is live: at 5,000 Applications 45–55 MB live made a 105 MB heap and
// 135 MB of RSS; under this limit the peak RSS is about 96 MB, for about
// 17% more CPU time in the GC (docs/performance.md, History).
const softMemoryLimit = 64 << 20

// setMemoryLimit sets softMemoryLimit unless the user set GOMEMLIMIT. It
// never squeezes a large live heap: after each GC, once the live heap
// passes 7/8 of the limit, the limit moves to twice the live heap (what
// GOGC=100 allows anyway), so a bigger installation pays no GC thrash.
func setMemoryLimit() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	debug.SetMemoryLimit(softMemoryLimit)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	limit := uint64(softMemoryLimit)
	var watch func(*gcSentinel)
	watch = func(s *gcSentinel) {
		metrics.Read(sample)
		if live := sample[0].Value.Uint64(); sample[0].Value.Kind() == metrics.KindUint64 && live > limit/8*7 {
			limit = 2 * live
			debug.SetMemoryLimit(int64(limit))
		}
		runtime.SetFinalizer(&gcSentinel{}, watch) // re-armed for the next cycle
	}
	runtime.SetFinalizer(&gcSentinel{}, watch)
}

// gcSentinel is garbage made to be collected: its finalizer runs once
// after each GC cycle.
type gcSentinel struct{ _ [16]byte }
