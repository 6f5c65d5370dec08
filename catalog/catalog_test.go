package catalog

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	feature := `@area
Feature: a feature
  @one
  Scenario: plain
    When something happens
    Then it is so

  @outline
  Scenario Outline: with <value>
    When it is <value>
    Then it is <value>

    @rows
    Examples:
      | value |
      | 1     |
      | 2     |

  Scenario Outline: no placeholder
    When it is <value>

    Examples:
      | value | other |
      | a     | b     |
`
	if err := os.WriteFile(filepath.Join(dir, "x.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Scenarios) != 4 {
		t.Fatalf("got %d scenarios; want 4: %+v", len(c.Scenarios), c.Scenarios)
	}
	path := filepath.ToSlash(filepath.Join(dir, "x.feature"))
	tests := []struct {
		name    string
		steps   []string
		line    int
		example string
		tags    int
	}{
		{"plain", []string{"something happens", "it is so"}, 4, "", 2},
		{"with 2", []string{"it is 2", "it is 2"}, 17, "2", 3},
		{"no placeholder", []string{"it is a"}, 24, "a | b", 1},
	}
	for _, tt := range tests {
		s, ok := c.Lookup(path, tt.name, tt.steps)
		if !ok {
			t.Errorf("Lookup(%q) found nothing", tt.name)
			continue
		}
		if s.Line != tt.line || s.Example != tt.example || len(s.Tags) != tt.tags {
			t.Errorf("Lookup(%q) = line %d, example %q, tags %v; want line %d, example %q, %d tags", tt.name, s.Line, s.Example, s.Tags, tt.line, tt.example, tt.tags)
		}
	}
	if !c.Has(path, "with 1", "1") || c.Has(path, "with 1", "2") || c.Has(path, "gone", "") {
		t.Error("Has does not tell existing scenarios and rows from missing ones")
	}
}
