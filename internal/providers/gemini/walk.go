package gemini

import (
	"strconv"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// walk fills r from a streamed chunk by walking its bytes: the common chunk
// (text parts, a finish reason, usage, ids) costs a fraction of a decode.
// It returns false, and r is then decoded, for anything else: an error
// chunk, a function call, a value of an unexpected type.
func (r *streamChunk) walk(data []byte) bool {
	at := jsonwalk.SkipSpace(data, 0)
	if at >= len(data) || data[at] != '{' {
		return false
	}
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		var ok bool
		switch {
		case jsonwalk.KeyIs(key, "candidates"):
			return data[v] == '[' && r.Candidates == nil && jsonwalk.Elements(data, v, func(cv, _ int) bool {
				r.Candidates = append(r.Candidates, streamCandidate{})
				return data[cv] == '{' && r.Candidates[len(r.Candidates)-1].walk(data, cv)
			})
		case jsonwalk.KeyIs(key, "usageMetadata"):
			r.UsageMetadata = new(usageMetadata)
			return data[v] == '{' && r.UsageMetadata.walk(data, v)
		case jsonwalk.KeyIs(key, "modelVersion"):
			r.ModelVersion, ok = walkString(data[v:e])
			return ok
		case jsonwalk.KeyIs(key, "responseId"):
			r.ResponseID, ok = walkString(data[v:e])
			return ok
		case jsonwalk.KeyIs(key, "error"):
			return false
		}
		return true
	})
}

func (c *streamCandidate) walk(data []byte, at int) bool {
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		var ok bool
		switch {
		case jsonwalk.KeyIs(key, "content"):
			return data[v] == '{' && jsonwalk.Members(data, v, func(key []byte, v, _ int) bool {
				if !jsonwalk.KeyIs(key, "parts") {
					return true
				}
				return data[v] == '[' && c.Content.Parts == nil && jsonwalk.Elements(data, v, func(pv, _ int) bool {
					c.Content.Parts = append(c.Content.Parts, streamPart{})
					return data[pv] == '{' && c.Content.Parts[len(c.Content.Parts)-1].walk(data, pv)
				})
			})
		case jsonwalk.KeyIs(key, "finishReason"):
			c.FinishReason, ok = walkString(data[v:e])
			return ok
		}
		return true
	})
}

func (p *streamPart) walk(data []byte, at int) bool {
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		var ok bool
		switch {
		case jsonwalk.KeyIs(key, "text"):
			p.Text, ok = walkString(data[v:e])
			return ok
		case jsonwalk.KeyIs(key, "thought"):
			p.Thought = string(data[v:e]) == "true"
			return p.Thought || string(data[v:e]) == "false"
		case jsonwalk.KeyIs(key, "functionCall"):
			return false // rare: decoded
		}
		return true
	})
}

func (u *usageMetadata) walk(data []byte, at int) bool {
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		var field *int
		switch {
		case jsonwalk.KeyIs(key, "promptTokenCount"):
			field = &u.PromptTokenCount
		case jsonwalk.KeyIs(key, "candidatesTokenCount"):
			field = &u.CandidatesTokenCount
		case jsonwalk.KeyIs(key, "thoughtsTokenCount"):
			field = &u.ThoughtsTokenCount
		case jsonwalk.KeyIs(key, "cachedContentTokenCount"):
			field = &u.CachedContentTokenCount
		case jsonwalk.KeyIs(key, "totalTokenCount"):
			field = &u.TotalTokenCount
		default:
			return true
		}
		n, err := strconv.Atoi(string(data[v:e]))
		*field = n
		return err == nil
	})
}

// walkString reads a JSON string value; null reads as "" (as a decode into a
// string leaves it).
func walkString(raw []byte) (string, bool) {
	if string(raw) == "null" {
		return "", true
	}
	if string(raw) == "null" {
		return "", true
	}
	text, ok := jsonwalk.String(raw)
	return string(text), ok
}
