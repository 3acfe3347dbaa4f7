package main

import (
	"github.com/spf13/cobra"

	"github.com/chainviz/chainviz/graph"
)

func newSchemaCmd(s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the spec format, for editors",
		Long: "schema prints a JSON Schema (draft 2020-12) of spec format v1. Editors that use\n" +
			"yaml-language-server (VS Code's YAML extension, Neovim, Helix…) complete and check a\n" +
			"spec as it is typed when its first line points at the schema:\n\n" +
			"  # yaml-language-server: $schema=" + graph.SchemaID + "\n\n" +
			"A copy is committed as specs/chainviz.schema.json.",
		Example: "  chainviz schema > chainviz.schema.json\n" +
			"  chainviz schema | jq '.properties | keys'",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := s.out.Write(graph.JSONSchema())
			return err
		},
	}
}
