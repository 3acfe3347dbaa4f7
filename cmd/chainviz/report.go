package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// reportCase is one test case of a report: a spec for test, a derivative
// for check.
type reportCase struct {
	// class groups cases (the spec of check's rows); name names the case.
	class, name string
	failed      bool
	// message is the one-line reason of a failure; details its lines.
	message string
	details []string
}

// checkReport rejects a --report value other than text, junit and json.
func checkReport(report string) error {
	switch report {
	case "text", "junit", "json":
		return nil
	}
	return fmt.Errorf("--report %s: the reports are text, junit and json", report)
}

// writeReport writes the cases as JUnit XML or as JSON lines.
func writeReport(w io.Writer, report, suite string, cases []reportCase) error {
	if report == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, c := range cases {
			status := "pass"
			if c.failed {
				status = "fail"
			}
			line := struct {
				Class   string   `json:"class,omitempty"`
				Name    string   `json:"name"`
				Status  string   `json:"status"`
				Message string   `json:"message,omitempty"`
				Details []string `json:"details,omitempty"`
			}{c.class, c.name, status, c.message, c.details}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		return nil
	}
	type failure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name    string   `xml:"name,attr"`
		Class   string   `xml:"classname,attr"`
		Failure *failure `xml:"failure,omitempty"`
	}
	type testsuite struct {
		XMLName  xml.Name   `xml:"testsuite"`
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	ts := testsuite{Name: suite, Tests: len(cases)}
	for _, c := range cases {
		tc := testcase{Name: c.name, Class: c.class}
		if tc.Class == "" {
			tc.Class = suite
		}
		if c.failed {
			ts.Failures++
			tc.Failure = &failure{Message: c.message, Text: strings.Join(c.details, "\n")}
		}
		ts.Cases = append(ts.Cases, tc)
	}
	out, err := xml.MarshalIndent(struct {
		XMLName xml.Name `xml:"testsuites"`
		Suite   testsuite
	}{Suite: ts}, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s%s\n", xml.Header, out)
	return err
}
