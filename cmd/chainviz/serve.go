package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/render/live"
)

// serveOptions are the flags of chainviz serve.
type serveOptions struct {
	dir  string
	addr string
	// allowHosts are host names requests may be addressed to besides the
	// machine's own (--allow-host).
	allowHosts []string
}

func newServeCmd(s streams) *cobra.Command {
	opts := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve [DIR]",
		Short: "Serve a live preview of the specs in a folder to the browser",
		Long: "serve starts a local web page that lists the specs under DIR (default: the current\n" +
			"folder) and draws the selected one, redrawing it every time its file is saved. A\n" +
			"broken spec shows its diagnostics with line and column while the last good diagram\n" +
			"stays. Click a node to light up its paths to the output and read the derivation of\n" +
			"its gradient; the slider steps through the forward pass node by node, then the\n" +
			"backward pass edge by edge. The page needs no network: it is built into chainviz.\n" +
			"Only files under DIR are served, and only to this machine unless --addr says otherwise.",
		Example: "  chainviz serve specs/\n" +
			"  chainviz serve --addr 127.0.0.1:9000\n" +
			"  chainviz serve specs/ --addr 127.0.0.1:0   # any free port",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = "."
			if len(args) == 1 {
				opts.dir = args[0]
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runServe(ctx, s, opts)
		},
	}
	cmd.Flags().StringVar(&opts.addr, "addr", "127.0.0.1:7878", "address to listen on (host:port); a host other than the loopback one exposes the specs to the network")
	cmd.Flags().StringSliceVar(&opts.allowHosts, "allow-host", nil, "a host name (or address) requests may be addressed to, besides this machine's own names and addresses; repeat or separate with commas")
	return cmd
}

// runServe serves opts.dir until ctx is done.
func runServe(ctx context.Context, s streams, opts *serveOptions) error {
	info, err := os.Stat(opts.dir)
	if err != nil {
		return fmt.Errorf("%s: %v", opts.dir, unwrapPathError(err))
	}
	if !info.IsDir() {
		return fmt.Errorf("%s is not a folder; serve a folder of specs (chainviz watch follows a single file)", opts.dir)
	}
	host, _, err := net.SplitHostPort(opts.addr)
	if err != nil {
		return fmt.Errorf("--addr %s: %v", opts.addr, err)
	}
	loopback := isLoopback(host)
	allow := opts.allowHosts
	if !loopback {
		// The name --addr gives, if any, is one of the machine's,
		// whatever it resolves to.
		own := ownHosts()
		if host != "" {
			own = append(own, host)
		}
		allow = append(own, allow...)
	}
	srv, err := live.New(opts.dir, live.Options{Limits: *s.limits, AllowHosts: allow, Errors: s.err})
	if err != nil {
		return fmt.Errorf("%s: %v", opts.dir, err)
	}
	ln, err := net.Listen("tcp", opts.addr)
	if err != nil {
		srv.Close()
		return fmt.Errorf("--addr %s: %v", opts.addr, unwrapNetError(err))
	}
	if !loopback {
		warnf(s, "chainviz: warning: listening on %s: every machine that can reach this address can read the specs under %s", ln.Addr(), opts.dir)
	}
	fmt.Fprintf(s.out, "serving %s at http://%s/ (Ctrl-C to stop)\n", opts.dir, ln.Addr())
	return srv.Serve(ctx, ln)
}

// ownHosts returns the machine's own names and addresses: its host name
// and the addresses of its network interfaces. Requests addressed to any
// other name are refused (a DNS rebinding attack would use one).
func ownHosts() []string {
	var hosts []string
	if name, err := os.Hostname(); err == nil && name != "" {
		hosts = append(hosts, name)
		if short, _, ok := strings.Cut(name, "."); ok {
			hosts = append(hosts, short)
		}
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ipnet, ok := a.(*net.IPNet); ok {
			hosts = append(hosts, ipnet.IP.String())
		}
	}
	return hosts
}

// isLoopback reports whether host names only the loopback interface; an
// empty host or an unspecified address listens on every interface.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// unwrapNetError drops the "listen tcp" prefix of a net.OpError.
func unwrapNetError(err error) error {
	if oe, ok := err.(*net.OpError); ok && oe.Err != nil {
		return oe.Err
	}
	return err
}
