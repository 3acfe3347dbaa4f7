package live

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/backward/explain"
	"github.com/chainviz/chainviz/graph"
	"github.com/chainviz/chainviz/render"
)

// writeJSON writes v as the JSON response.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// fail answers a request that names no readable spec, or a bad option.
func fail(w http.ResponseWriter, err error) {
	code := http.StatusBadRequest
	if errors.Is(err, errNotFound) {
		code = http.StatusNotFound
	}
	http.Error(w, err.Error(), code)
}

func (s *Server) handleSpecs(w http.ResponseWriter, r *http.Request) {
	specs, err := s.files.list()
	if err != nil {
		http.Error(w, "cannot list the specs", http.StatusInternalServerError)
		return
	}
	if specs == nil {
		specs = []string{}
	}
	writeJSON(w, map[string]any{"dir": s.files.dir, "specs": specs})
}

// viewParam reads the view parameter; empty means the full view.
func viewParam(r *http.Request) (render.View, error) {
	v := r.URL.Query().Get("view")
	if v == "" {
		return render.ViewFull, nil
	}
	return render.ParseView(v)
}

// foldParams reads the collapse (a comma-separated list of group names, or
// all) and focus (a node name) parameters of the live page.
func foldParams(r *http.Request) (fold, error) {
	q := r.URL.Query()
	f := fold{focus: q.Get("focus")}
	if f.focus != "" && !graph.IsIdentifier(f.focus) {
		return fold{}, fmt.Errorf("focus: %q is not a node name", f.focus)
	}
	if c := q.Get("collapse"); c != "" {
		names := strings.Split(c, ",")
		if len(names) > maxFoldNames {
			return fold{}, fmt.Errorf("collapse: more than %d groups", maxFoldNames)
		}
		for _, n := range names {
			if n != "all" && !graph.IsIdentifier(n) {
				return fold{}, fmt.Errorf("collapse: %q is not a group name", n)
			}
		}
		f.collapse = names
	}
	if f.focus != "" && len(f.collapse) > 0 {
		return fold{}, fmt.Errorf("focus and collapse cannot be combined")
	}
	return f, nil
}

// maxFoldNames bounds the groups one request collapses.
const maxFoldNames = 256

func (s *Server) handleSpec(w http.ResponseWriter, r *http.Request) {
	view, err := viewParam(r)
	if err != nil {
		fail(w, err)
		return
	}
	f, err := foldParams(r)
	if err != nil {
		fail(w, err)
		return
	}
	v, err := s.view(r.URL.Query().Get("path"), view, f)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, v)
}

// handleExplain answers the derivation of the output's gradient with
// respect to one node, as plain text; an error is an answer too, so the
// side panel can say why there is no derivation.
func (s *Server) handleExplain(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a, err := s.load(q.Get("path"))
	if errors.Is(err, errNotFound) {
		fail(w, err)
		return
	}
	res := map[string]string{"node": q.Get("node")}
	if err == nil {
		var e *explain.Explanation
		e, err = explain.New(a, explain.Options{Wrt: []string{q.Get("node")}})
		if err == nil {
			var b strings.Builder
			err = e.Write(&b, "text")
			res["text"] = b.String()
		}
	}
	if err != nil {
		// The page asked for a node, not an option: an option error
		// gives only its message.
		msg := err.Error()
		var oe *graph.OptionError
		if errors.As(err, &oe) {
			msg = oe.Msg
		}
		res["error"] = msg
	}
	writeJSON(w, res)
}

// downloadTypes maps each download format to its content type.
var downloadTypes = map[string]string{
	"svg":  "image/svg+xml",
	"png":  "image/png",
	"json": "application/json",
	"md":   "text/markdown; charset=utf-8",
}

// handleDownload sends a spec's diagram, annotated JSON or Markdown
// derivation as an attachment named after the spec.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := q.Get("format")
	ctype, ok := downloadTypes[format]
	if !ok {
		fail(w, fmt.Errorf("unknown format %q (want svg, png, json or md)", format))
		return
	}
	view, err := viewParam(r)
	if err != nil {
		fail(w, err)
		return
	}
	a, err := s.load(q.Get("path"))
	if errors.Is(err, errNotFound) {
		fail(w, err)
		return
	}
	var data []byte
	if err == nil {
		if format == "md" {
			var e *explain.Explanation
			if e, err = explain.New(a, explain.Options{}); err == nil {
				var b bytes.Buffer
				err = e.Write(&b, "md")
				data = b.Bytes()
			}
		} else if format == "png" {
			data, err = s.renderPNG(r, a, view)
		} else {
			var out [][]byte
			out, err = render.Render(a, []render.Format{render.Format(format)}, render.Options{View: view}, 0)
			if err == nil {
				data = out[0]
			}
		}
	}
	if err != nil {
		// The spec is broken: say so, with its diagnostics, as text.
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	// The spec's name is an identifier, so it is safe in a header.
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", a.Graph.Name+"."+format))
	w.Write(data)
}

// maxPNGRenders is the most PNG downloads rasterized at a time; the others
// wait. A PNG of a large diagram takes tens of megabytes while it is drawn.
const maxPNGRenders = 2

// renderPNG draws a's diagram as a PNG, at most maxPNGRenders at a time,
// and hands the memory back to the system after the last of a burst. It
// fails when the request is cancelled while it waits.
func (s *Server) renderPNG(r *http.Request, a *backward.Annotated, view render.View) ([]byte, error) {
	s.pngWaiting.Add(1)
	select {
	case s.pngSlots <- struct{}{}:
		s.pngWaiting.Add(-1)
	case <-r.Context().Done():
		s.pngWaiting.Add(-1)
		return nil, r.Context().Err()
	}
	defer func() {
		<-s.pngSlots
		if len(s.pngSlots) == 0 && s.pngWaiting.Load() == 0 {
			debug.FreeOSMemory()
		}
	}()
	out, err := s.drawPNG(a, view)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// drawPNG rasterizes a's diagram; tests replace it.
func drawPNG(a *backward.Annotated, view render.View) ([]byte, error) {
	out, err := render.Render(a, []render.Format{render.FormatPNG}, render.Options{View: view}, 0)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// keepAlive is how often an idle event stream sends a comment, so that
// proxies and the browser keep it open.
const keepAlive = 15 * time.Second

// handleEvents streams server-sent events: "hello" once connected, then a
// "change" event with the changed paths after every save.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	ch, unsubscribe := s.events.subscribe()
	defer unsubscribe()
	fmt.Fprint(w, "retry: 1000\nevent: hello\ndata: {}\n\n")
	if rc.Flush() != nil {
		return
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		case <-tick.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case paths := <-ch:
			data, _ := json.Marshal(map[string][]string{"paths": paths})
			fmt.Fprintf(w, "event: change\ndata: %s\n\n", data)
		}
		if rc.Flush() != nil {
			return
		}
	}
}

// broker fans change events out to the open event streams.
type broker struct {
	mu   sync.Mutex
	subs map[chan []string]bool
}

func newBroker() *broker { return &broker{subs: map[chan []string]bool{}} }

func (b *broker) subscribe() (chan []string, func()) {
	ch := make(chan []string, 16)
	b.mu.Lock()
	b.subs[ch] = true
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		delete(b.subs, ch)
		b.mu.Unlock()
	}
}

// publish sends paths to every stream. A stream that is that far behind
// loses the event; the page reloads the selected spec on the next one.
func (b *broker) publish(paths []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs {
		select {
		case ch <- paths:
		default:
		}
	}
}
