package main

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/chainviz/chainviz/graph"
)

// ui holds the root command's flags about how chainviz talks to the user.
type ui struct {
	// quiet suppresses warnings and progress (-q, --quiet).
	quiet bool
	// verbose prints every warning on a line of its own (--verbose).
	verbose bool
}

// ANSI escape sequences of the few styles chainviz uses.
const (
	ansiReset  = "\033[0m"
	ansiBold   = "\033[1m"
	ansiRed    = "\033[31m"
	ansiYellow = "\033[33m"
)

// colorEnabled reports whether text written to w may be coloured: only on
// a terminal, and never when NO_COLOR is set to anything (no-color.org) or
// the terminal is dumb.
func colorEnabled(w io.Writer) bool {
	return colorAllowed(isTerminal(w), os.Getenv)
}

// colorAllowed is colorEnabled's decision, given whether the writer is a
// terminal and a way to read the environment.
func colorAllowed(terminal bool, getenv func(string) string) bool {
	return terminal && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb"
}

// diagLine matches a diagnostic as the command line prints it:
// FILE:LINE:COL: message, or FILE: message, with "warning: " before a
// warning's message.
var diagLine = regexp.MustCompile(`^(\S(?:[^:\n]*?):(?:\d+:\d+:)?) (warning: )?(.*)$`)

// colorDiagnostics colours every line of a spec error: the position in
// bold, the message of an error in red and the word "warning" in yellow.
// Detail lines (indented) are left alone.
func colorDiagnostics(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		m := diagLine.FindStringSubmatch(l)
		switch {
		case m == nil || strings.HasPrefix(l, "\t"):
		case m[2] != "":
			lines[i] = ansiBold + m[1] + ansiReset + " " + ansiYellow + ansiBold + "warning:" + ansiReset + " " + m[3]
		default:
			lines[i] = ansiBold + m[1] + ansiReset + " " + ansiRed + m[3] + ansiReset
		}
	}
	return strings.Join(lines, "\n")
}

// colorUsage colours the message of a usage error.
func colorUsage(msg string) string {
	return ansiRed + ansiBold + "chainviz:" + ansiReset + " " + ansiRed + msg + ansiReset
}

// printDiagnostics writes a spec error's text to w, coloured on a terminal.
func printDiagnostics(w io.Writer, text string) {
	text = graph.EscapeControl(text)
	if colorEnabled(w) {
		text = colorDiagnostics(text)
	}
	fmt.Fprintln(w, text)
}

// printUsageError writes "chainviz: msg" to w, coloured on a terminal.
func printUsageError(w io.Writer, msg string) {
	msg = graph.EscapeControl(msg)
	line := "chainviz: " + msg
	if colorEnabled(w) {
		line = colorUsage(msg)
	}
	fmt.Fprintln(w, line)
}

// warnf writes a warning to the error stream unless --quiet is set.
func warnf(s streams, format string, args ...any) {
	if s.ui != nil && s.ui.quiet {
		return
	}
	printDiagnostics(s.err, fmt.Sprintf(format, args...))
}
