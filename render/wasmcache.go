package render

import "github.com/chainviz/chainviz/render/internal/wasmcache"

// tempDirRestored puts back the user's TMPDIR, which package wasmcache
// pointed at a private folder while go-graphviz compiled its WebAssembly
// (see there). Package variables are initialized after every imported
// package, go-graphviz included.
var tempDirRestored = wasmcache.Restore()

// CacheDir returns the private folder holding go-graphviz's compiled code,
// or "" and the reason when it runs without a disk cache.
func CacheDir() (string, error) { return wasmcache.Dir() }
