package graph

// OptionError reports an option value that does not fit a spec, in the
// library's terms: Option names the option as the library's options struct
// does ("Wrt", "Order"), Value is the value given and Msg says what is
// wrong with it without naming any command-line flag. A command line
// words it with its own flag names; a web page with its own controls.
type OptionError struct {
	Option, Value, Msg string
}

// Error writes the option, its value and the message: "Wrt x: …".
func (e *OptionError) Error() string {
	if e.Value == "" {
		return e.Option + ": " + e.Msg
	}
	return e.Option + " " + e.Value + ": " + e.Msg
}
