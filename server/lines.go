package server

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// lineOf returns the line in the YAML document doc of the value at path
// ("policy.tiers.free.max_file_size", "policy.regions[2].cidrs[0]"): the
// line of the deepest part of the path that the document has, so that a
// missing key points at the section that lacks it. 0 when unknown.
func lineOf(doc *yaml.Node, path string) int {
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, part := range strings.Split(path, ".") {
		key, idx := splitIndex(part)
		next := child(n, key)
		if next == nil {
			return line
		}
		line, n = next.Line, next
		for _, i := range idx {
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		}
	}
	return line
}

// child returns the value of key in mapping n.
func child(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// splitIndex splits "cidrs[1][2]" into "cidrs" and [1 2].
func splitIndex(part string) (string, []int) {
	key, rest, _ := strings.Cut(part, "[")
	var idx []int
	for rest != "" {
		num, tail, _ := strings.Cut(rest, "]")
		i, err := strconv.Atoi(num)
		if err != nil {
			break
		}
		idx = append(idx, i)
		rest = strings.TrimPrefix(tail, "[")
	}
	return key, idx
}
