package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/graph"
)

// completionShells lists the shells chainviz writes completion scripts
// for, with how to load the script in each.
var completionShells = []struct {
	name, load string
}{
	{"bash", "  source <(chainviz completion bash)\n" +
		"  # or, for every session: chainviz completion bash > /etc/bash_completion.d/chainviz"},
	{"zsh", "  source <(chainviz completion zsh)\n" +
		"  # or, for every session: chainviz completion zsh > \"${fpath[1]}/_chainviz\""},
	{"fish", "  chainviz completion fish | source\n" +
		"  # or, for every session: chainviz completion fish > ~/.config/fish/completions/chainviz.fish"},
	{"powershell", "  chainviz completion powershell | Out-String | Invoke-Expression"},
}

// newCompletionCmd returns chainviz completion, which prints cobra's
// completion script for a shell. It replaces cobra's default command so
// that the script goes to the command's own output stream.
func newCompletionCmd(s streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print the shell completion script for bash, zsh, fish or PowerShell",
		Long: "completion prints a script that makes the shell complete chainviz's commands, flags\n" +
			"and spec files. Load it in the current shell, or install it for every session.",
		Example: "  source <(chainviz completion bash)\n" +
			"  chainviz completion zsh > \"${fpath[1]}/_chainviz\"\n" +
			"  chainviz completion fish | source",
		Args:      cobra.NoArgs,
		ValidArgs: []string{"bash", "zsh", "fish", "powershell"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return fmt.Errorf("completion needs a shell: bash, zsh, fish or powershell")
		},
	}
	for _, sh := range completionShells {
		noDesc := false
		sub := &cobra.Command{
			Use:               sh.name,
			Short:             "Print the completion script for " + sh.name,
			Long:              "completion " + sh.name + " prints chainviz's completion script for " + sh.name + ".",
			Example:           sh.load,
			Args:              cobra.NoArgs,
			ValidArgsFunction: cobra.NoFileCompletions,
		}
		name := sh.name
		sub.RunE = func(cmd *cobra.Command, _ []string) error {
			root := cmd.Root()
			switch name {
			case "bash":
				return root.GenBashCompletionV2(s.out, !noDesc)
			case "zsh":
				if noDesc {
					return root.GenZshCompletionNoDesc(s.out)
				}
				return root.GenZshCompletion(s.out)
			case "fish":
				return root.GenFishCompletion(s.out, !noDesc)
			default:
				if noDesc {
					return root.GenPowerShellCompletion(s.out)
				}
				return root.GenPowerShellCompletionWithDesc(s.out)
			}
		}
		sub.Flags().BoolVar(&noDesc, "no-descriptions", false, "leave out the descriptions of completions")
		cmd.AddCommand(sub)
	}
	return cmd
}

// completeValues completes a flag with a fixed list of values.
func completeValues(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeWrt completes --wrt with the names of the spec given as the first
// argument: its leaves that have a gradient, then its other nodes,
// including those formulas and block calls make (L.1, h1.z). After a
// comma it completes the next name of the list. A spec that does not load
// completes nothing.
func completeWrt(s streams) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 || args[0] == "-" {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		src, err := os.ReadFile(args[0])
		if err != nil || len(src) > s.limits.MaxFileSize {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		g, err := graph.LoadWithLimits(args[0], src, *s.limits)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		done, prefix := "", toComplete
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			done, prefix = toComplete[:i+1], toComplete[i+1:]
		}
		var leaves, nodes []string
		for _, n := range g.Nodes {
			switch {
			case strings.HasPrefix(n.Name, "#") || !strings.HasPrefix(n.Name, prefix):
			case n.IsLeaf() && !n.NoGrad:
				leaves = append(leaves, done+n.Name)
			case !n.IsLeaf():
				nodes = append(nodes, done+n.Name)
			}
		}
		return append(leaves, nodes...), cobra.ShellCompDirectiveNoFileComp
	}
}

// registerDrawingCompletions completes the values of the drawing flags a
// command has.
func registerDrawingCompletions(cmd *cobra.Command, formats ...string) {
	for flag, values := range map[string][]string{
		"format":     formats,
		"view":       {"full", "forward", "backward"},
		"theme":      {"light", "dark"},
		"rankdir":    {"LR", "TB"},
		"subscripts": subscriptModes,
	} {
		if cmd.Flags().Lookup(flag) != nil {
			cmd.RegisterFlagCompletionFunc(flag, completeValues(values...))
		}
	}
}
