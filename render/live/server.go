// Package live serves a folder of specs as a local web page that redraws a
// spec's diagram whenever its file is saved: the authoring loop of
// chainviz serve. It also holds the debounced file watcher that chainviz
// watch uses.
//
// The page and its script are embedded in the binary (no CDN; it works
// offline). The server reads only the spec files under its folder, through
// an os.Root, and never runs anything a spec contains; every string from a
// spec reaches the page as JSON text that the page writes with textContent,
// or inside the SVG that package render escapes.
package live

import (
	"context"
	"crypto/sha256"
	"embed"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

//go:embed assets
var assets embed.FS

// Options configure a Server.
type Options struct {
	// Limits bound the work one spec may ask for; zero fields mean
	// graph.DefaultLimits.
	Limits graph.Limits
	// AllowHosts lists the host names and addresses, besides localhost,
	// 127.0.0.1 and ::1, that requests may be addressed to (their Host
	// header, without the port; names compare without case). Only these
	// are accepted, so that a web site cannot reach the server through a
	// DNS name it rebinds to one of the machine's addresses. List the
	// machine's own names when listening on another interface on purpose.
	AllowHosts []string
	// Debounce is the watcher's quiet period; zero means DefaultDebounce.
	Debounce time.Duration
	// Errors, when not nil, receives a line for each failure of the file
	// watcher.
	Errors io.Writer
}

// Server serves one folder of specs. Create it with New, serve its
// Handler, and run Watch to push changes to the open pages.
type Server struct {
	files   *specFS
	opts    Options
	limits  graph.Limits
	watcher *Watcher
	events  *broker
	done    chan struct{}
	once    sync.Once

	mu sync.Mutex
	// cache holds the last view built for each spec and view, keyed by
	// path and view, with the hash of the source it was built from.
	cache map[string]cached
	// good holds the last view without errors of each spec and view, shown
	// while the file is broken.
	good map[string]*specView
	// folded counts the folded drawings built since the last time they
	// were dropped (see maxFolded).
	folded int
	// building holds the builds under way, by key and source hash.
	building map[string]*building

	// pngSlots holds a token per PNG being drawn (see renderPNG), and
	// pngWaiting counts the requests waiting for one.
	pngSlots   chan struct{}
	pngWaiting atomic.Int64
	// drawPNG draws a PNG download.
	drawPNG func(*backward.Annotated, render.View) ([]byte, error)
}

// building is a view being built, which requests for the same source wait
// for.
type building struct {
	done chan struct{}
	view *specView
}

type cached struct {
	sum  [32]byte
	view *specView
}

// New returns a server for the specs under dir. The folder is watched from
// the moment New returns.
func New(dir string, opts Options) (*Server, error) {
	lim := opts.Limits
	if lim.MaxFileSize <= 0 {
		lim.MaxFileSize = graph.DefaultLimits.MaxFileSize
	}
	files, err := openSpecFS(dir, int64(lim.MaxFileSize))
	if err != nil {
		return nil, err
	}
	w, err := NewWatcher(dir, opts.Debounce)
	if err != nil {
		files.Close()
		return nil, err
	}
	return &Server{files: files, opts: opts, limits: lim, watcher: w, events: newBroker(),
		done: make(chan struct{}), cache: map[string]cached{}, good: map[string]*specView{}, building: map[string]*building{},
		pngSlots: make(chan struct{}, maxPNGRenders), drawPNG: drawPNG}, nil
}

// Watch sends a change event to every open page when specs change, until
// ctx is done or the server is closed.
func (s *Server) Watch(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	return s.watcher.Run(ctx, func(paths []string) {
		var rel []string
		for _, p := range paths {
			if r, ok := s.files.relPath(p); ok {
				rel = append(rel, r)
			}
		}
		if len(rel) > 0 {
			s.events.publish(rel)
		}
	}, func(err error) {
		if s.opts.Errors != nil {
			io.WriteString(s.opts.Errors, "chainviz: watching files: "+err.Error()+"\n")
		}
	})
}

// Close ends the event streams of open pages and releases the folder.
// Requests in flight may still complete.
func (s *Server) Close() error {
	s.once.Do(func() { close(s.done) })
	return s.files.Close()
}

// Serve serves the page on ln until ctx is done, watching the folder
// meanwhile, and then closes the server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	go s.Watch(ctx)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	s.Close()
	shut, stop := context.WithTimeout(context.Background(), 2*time.Second)
	defer stop()
	hs.Shutdown(shut)
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Handler returns the HTTP handler of the page and its API:
//
//	GET /                     the page
//	GET /assets/…             its script and style sheet
//	GET /api/specs            the specs under the folder, as JSON
//	GET /api/spec?path=&view= a spec's diagram, graph and diagnostics
//	GET /api/explain?path=&node=  the derivation of ∂output/∂node, as text
//	GET /api/download?path=&format=svg|png|json|md&view=
//	GET /api/events           server-sent events: "change" with the paths
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /assets/", http.StripPrefix("/assets/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, static, "index.html")
	})
	mux.HandleFunc("GET /api/specs", s.handleSpecs)
	mux.HandleFunc("GET /api/spec", s.handleSpec)
	mux.HandleFunc("GET /api/explain", s.handleExplain)
	mux.HandleFunc("GET /api/download", s.handleDownload)
	mux.HandleFunc("GET /api/events", s.handleEvents)
	return s.guard(mux)
}

// guard sets the security headers of every response and refuses requests
// addressed to another host than the loopback one.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
			"img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if !loopbackHost(r.Host) && !s.allowedHost(r.Host) {
			http.Error(w, "chainviz serves only requests to this machine's names (see --allow-host)", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// allowedHost reports whether a Host header names one of
// Options.AllowHosts.
func (s *Server) allowedHost(hostport string) bool {
	host := hostOf(hostport)
	for _, h := range s.opts.AllowHosts {
		if strings.EqualFold(host, hostOf(h)) {
			return true
		}
	}
	return false
}

// hostOf returns the host of a Host header, without port, brackets or a
// final dot.
func hostOf(hostport string) string {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return strings.TrimSuffix(strings.Trim(host, "[]"), ".")
}

// loopbackHost reports whether a Host header names the loopback interface.
func loopbackHost(hostport string) bool {
	host := hostOf(hostport)
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// load reads, loads and differentiates the spec at rel.
func (s *Server) load(rel string) (*backward.Annotated, error) {
	src, err := s.files.read(rel)
	if err != nil {
		return nil, err
	}
	_, a, err := backward.LoadSpec(rel, src, s.limits)
	return a, err
}

// view returns the page's view of the spec at rel, rendered in the given
// view, from the cache when the file has not changed.
func (s *Server) view(rel string, view render.View, f fold) (*specView, error) {
	src, err := s.files.read(rel)
	if err != nil {
		return nil, err
	}
	key := rel + "\x00" + string(view) + "\x00" + strings.Join(f.collapse, ",") + "\x00" + f.focus
	sum := sha256.Sum256(src)
	s.mu.Lock()
	c, ok := s.cache[key]
	if ok && c.sum == sum {
		s.mu.Unlock()
		return c.view, nil
	}
	// The same source being built for another request: wait for that
	// build (bounded by the layout time limit) rather than run it twice.
	// No lock is held while building.
	bkey := key + "\x00" + string(sum[:])
	if b, ok := s.building[bkey]; ok {
		s.mu.Unlock()
		<-b.done
		if b.view == nil {
			return nil, errors.New("the spec could not be drawn (internal error)")
		}
		return b.view, nil
	}
	b := &building{done: make(chan struct{})}
	s.building[bkey] = b
	s.mu.Unlock()
	// The waiters are released even if build panics.
	defer func() {
		s.mu.Lock()
		delete(s.building, bkey)
		s.mu.Unlock()
		close(b.done)
	}()
	v := s.build(rel, src, view, f)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() { b.view = v }()
	if len(f.collapse) > 0 || f.focus != "" {
		// Folded drawings are keyed by what the page asked for, which
		// has no bound: drop them all once there are many.
		s.folded++
		if s.folded > maxFolded {
			for k := range s.cache {
				if !strings.HasSuffix(k, "\x00\x00") {
					delete(s.cache, k)
					delete(s.good, k)
				}
			}
			s.folded = 0
		}
	}
	s.cache[key] = cached{sum: sum, view: v}
	if v.OK {
		s.good[key] = v
	} else if g := s.good[key]; g != nil {
		// Keep showing the last good diagram, with the new diagnostics.
		stale := *g
		stale.OK, stale.Stale, stale.Diagnostics = false, true, v.Diagnostics
		v = &stale
		s.cache[key] = cached{sum: sum, view: v}
	}
	return v, nil
}

// build loads, differentiates and renders a spec's source.
// maxFolded bounds the folded drawings the server keeps.
const maxFolded = 256

// fold is what the live page asks to fold of a diagram: the groups drawn as
// one box each, or one node's neighbourhood (see render.Options).
type fold struct {
	collapse []string
	focus    string
}

func (s *Server) build(rel string, src []byte, view render.View, f fold) *specView {
	v := &specView{Path: rel, View: string(view), Nodes: []nodeView{}, Edges: []edgeView{}, Steps: []stepView{}, Diagnostics: []diagnostic{}}
	g, a, err := backward.LoadSpec(rel, src, s.limits)
	if err != nil {
		if g != nil {
			v.Name = g.Name
		}
		v.Diagnostics = diagnostics(err, rel)
		return v
	}
	out, err := render.Render(a, []render.Format{render.FormatSVG}, render.Options{View: view, Collapse: f.collapse, Focus: f.focus}, 0)
	if err != nil {
		v.Name = g.Name
		v.Diagnostics = diagnostics(err, rel)
		return v
	}
	buildView(v, a)
	v.OK, v.SVG = true, string(out[0])
	v.Diagnostics = toDiagnostics(a.Warnings)
	return v
}
