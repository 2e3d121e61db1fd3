package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aigw/aigw/internal/guard"
)

func init() {
	register("guard", "screen text with the gateway's guardrail engine: guard test [--policy P] [--direction input|output] [--jsonl]", guardCmd)
}

// guardFinding is a finding as the CLI prints it: where, never what.
type guardFinding struct {
	Type     string   `json:"type"`
	Start    int      `json:"start"`
	End      int      `json:"end"`
	Score    float64  `json:"score"`
	Detector string   `json:"detector"`
	Features []string `json:"features,omitempty"` // a learned detector's top n-grams
}

type guardOutput struct {
	ID       string         `json:"id,omitempty"`
	Action   guard.Action   `json:"action"`
	Shadow   guard.Action   `json:"shadow_action,omitempty"`
	Findings []guardFinding `json:"findings"`
	Text     string         `json:"text"`
}

func guardCmd(ctx context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) == 0 || args[0] != "test" {
		return usageError{"guard: the only subcommand is `guard test`"}
	}
	fs := flag.NewFlagSet("guard test", flag.ContinueOnError)
	policyName := fs.String("policy", "bfsi-standard", "policy of the policies file to apply")
	policies := fs.String("policies", "configs/guardrails.yaml", "guardrail policies file")
	direction := fs.String("direction", "input", "input (a prompt) or output (a model's answer)")
	jsonl := fs.Bool("jsonl", false, `read lines {"id","text","direction"} and write one result line each`)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	dir, err := parseDirection(*direction)
	if err != nil {
		return usageError{err.Error()}
	}
	all, err := guard.LoadPolicies(*policies)
	if err != nil {
		return err
	}
	p, ok := all[*policyName]
	if !ok {
		return usageError{fmt.Sprintf("guard test: policy %q is not in %s", *policyName, *policies)}
	}
	engine, err := guard.NewEngine(guard.Options{})
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	if !*jsonl {
		text, err := io.ReadAll(os.Stdin)
		if err != nil {
			return fmt.Errorf("reading stdin: %w", err)
		}
		return enc.Encode(screen(engine, p, string(text), dir, ""))
	}
	return guardJSONL(engine, p, dir, os.Stdin, enc)
}

func guardJSONL(engine *guard.Engine, p *guard.Policy, def guard.Direction, in io.Reader, enc *json.Encoder) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		if len(sc.Bytes()) == 0 {
			continue
		}
		var line struct {
			ID        string `json:"id"`
			Text      string `json:"text"`
			Direction string `json:"direction"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		dir := def
		if line.Direction != "" {
			d, err := parseDirection(line.Direction)
			if err != nil {
				return fmt.Errorf("line %d: %w", n, err)
			}
			dir = d
		}
		if err := enc.Encode(screen(engine, p, line.Text, dir, line.ID)); err != nil {
			return err
		}
	}
	return sc.Err()
}

func screen(engine *guard.Engine, p *guard.Policy, text string, dir guard.Direction, id string) guardOutput {
	res := engine.Apply(text, p, dir)
	out := guardOutput{ID: id, Action: res.Action, Shadow: res.ShadowAction, Text: res.Text, Findings: []guardFinding{}}
	for _, f := range res.Findings {
		out.Findings = append(out.Findings, guardFinding{Type: f.Type, Start: f.Start, End: f.End, Score: f.Score,
			Detector: f.Detector, Features: f.Features})
	}
	return out
}

func parseDirection(s string) (guard.Direction, error) {
	switch s {
	case "input":
		return guard.Input, nil
	case "output":
		return guard.Output, nil
	}
	return 0, fmt.Errorf("direction %q: want input or output", s)
}
