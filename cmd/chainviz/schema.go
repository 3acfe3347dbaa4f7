package main

import (
	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/backward"
	"github.com/chainviz/chainviz/graph"
)

func newSchemaCmd(s streams) *cobra.Command {
	var annotated bool
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec format, for editors",
		Long: "schema prints a JSON Schema (draft 2020-12) of spec format v1. Editors that use\n" +
			"yaml-language-server (VS Code's YAML extension, Neovim, Helix…) complete and check a\n" +
			"spec as it is typed when its first line points at the schema:\n\n" +
			"  # yaml-language-server: $schema=" + graph.SchemaID + "\n\n" +
			"A copy is committed as specs/chainviz.schema.json.\n" +
			"With --annotated it prints the JSON Schema of the annotated JSON that annotate and\n" +
			"render --format json write, committed as specs/annotated.schema.json.",
		Example: "  chainviz schema > chainviz.schema.json\n" +
			"  chainviz schema --annotated > annotated.schema.json\n" +
			"  chainviz schema | jq '.properties | keys'",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			schema := graph.JSONSchema()
			if annotated {
				schema = backward.AnnotatedSchema()
			}
			_, err := s.out.Write(schema)
			return err
		},
	}
	cmd.Flags().BoolVar(&annotated, "annotated", false, "print the schema of the annotated JSON instead of the spec format's")
	return cmd
}
