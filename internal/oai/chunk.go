package oai

import (
	"strconv"

	"github.com/aigw/aigw/internal/jsonwalk"
)

// Chunk is a chat.completion.chunk read in place by one walk of its bytes,
// not decoded: the common event of a stream, which the router reads for its
// usage, generated content and finish, and the guardrail for its text, once.
// When the chunk has exactly one choice (Choices == 1), the choice fields
// describe it, with the byte spans a screen needs to splice new text in.
type Chunk struct {
	// Data is the chunk's JSON, which the spans below refer to.
	Data []byte
	// Choices is the number of choices.
	Choices int
	// Index is the choice's index.
	Index int
	// Content is the choice's delta.content, decoded (it may alias the
	// data); Start and End are the span of its value (a string or null) in
	// the data, and HasContent says the delta has the key.
	Content    []byte
	Start, End int
	HasContent bool
	// Delta is the offset of the delta object's '{' in the data (0 when the
	// choice has no delta).
	Delta int
	// Finish is the choice's finish reason, nil while it is null.
	Finish []byte
	// Shaped reports that the choice has an index, a finish_reason key and a
	// delta object: the shape a screen splices into.
	Shaped bool
	// OnlyText reports that the delta holds nothing but content and the
	// choice no logprobs: once its text is held back, the event says nothing.
	OnlyText bool
	// Args are the tool call arguments the delta carries.
	Args []ArgSpan
	// Usage is the chunk's usage object, when it has one that is not null.
	Usage    Usage
	HasUsage bool
	// Error reports an "error" member: a provider's error event.
	Error bool
}

// ArgSpan is a piece of one tool call's arguments in a chunk.
type ArgSpan struct {
	// Tool is the call's index.
	Tool int
	// Text is the piece, decoded (it may alias the data).
	Text []byte
	// Start and End are the span of the string in the data.
	Start, End int
}

// Generated returns the bytes of text the chunk's choice generated: its
// content and tool-call arguments.
func (c *Chunk) Generated() int {
	n := len(c.Content)
	for _, a := range c.Args {
		n += len(a.Text)
	}
	return n
}

// ReadChunk reads a chunk's data (the JSON of one event) into c, reusing
// c's storage. It reports false when the walk cannot read it — not an object,
// several choices, a member of an unexpected type, an escaped or repeated
// key — and the caller decodes the chunk instead. Keys match regardless of
// case, as a Go client (encoding/json) reads them: text under "Content"
// must not pass a screen.
func ReadChunk(data []byte, c *Chunk) bool {
	args := c.Args[:0]
	*c = Chunk{Data: data, Args: args}
	at := jsonwalk.SkipSpace(data, 0)
	if at >= len(data) || data[at] != '{' {
		return false
	}
	var choices, usage bool
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "choices"):
			if choices || data[v] != '[' && string(data[v:e]) != "null" {
				return false
			}
			choices = true
			return data[v] == 'n' || c.readChoices(data, v)
		case jsonwalk.KeyIs(key, "usage"):
			if usage {
				return false
			}
			usage = true
			if data[v] == 'n' {
				return string(data[v:e]) == "null"
			}
			c.HasUsage = data[v] == '{' && readUsage(data, v, &c.Usage)
			return c.HasUsage
		case jsonwalk.KeyIs(key, "error"):
			c.Error = string(data[v:e]) != "null"
		}
		return true
	})
}

// readChoices reads the choices array at data[at]: its length, and the
// choice when it is the only one.
func (c *Chunk) readChoices(data []byte, at int) bool {
	first := -1
	ok := jsonwalk.Elements(data, at, func(v, _ int) bool {
		c.Choices++
		if first < 0 {
			first = v
		}
		return true
	})
	if !ok || c.Choices != 1 {
		return ok // several choices: the caller decodes
	}
	return data[first] == '{' && c.readChoice(data, first)
}

func (c *Chunk) readChoice(data []byte, at int) bool {
	var hasIndex, hasFinish, hasDelta, logprobs bool
	ok := jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "index"):
			n, err := strconv.Atoi(string(data[v:e]))
			c.Index, hasIndex = n, err == nil && !hasIndex
			return hasIndex
		case jsonwalk.KeyIs(key, "finish_reason"):
			if hasFinish {
				return false
			}
			hasFinish = true
			if data[v] == 'n' {
				return string(data[v:e]) == "null"
			}
			var ok bool
			c.Finish, ok = jsonwalk.String(data[v:e])
			return ok
		case jsonwalk.KeyIs(key, "logprobs"):
			logprobs = data[v] != 'n' // anything but null
		case jsonwalk.KeyIs(key, "delta"):
			if hasDelta || data[v] != '{' {
				return false
			}
			hasDelta, c.Delta = true, v
			return c.readDelta(data, v)
		}
		return true
	})
	c.Shaped = hasIndex && hasFinish && hasDelta
	c.OnlyText = c.OnlyText && !logprobs
	return ok
}

// readDelta reads the delta object at data[at].
func (c *Chunk) readDelta(data []byte, at int) bool {
	others, calls := false, false
	ok := jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		if jsonwalk.KeyIs(key, "tool_calls") {
			others = true
			if calls {
				return false
			}
			calls = true
			return string(data[v:e]) == "null" || data[v] == '[' && jsonwalk.Elements(data, v, func(tv, _ int) bool {
				return data[tv] == '{' && c.readCall(data, tv)
			})
		}
		if !jsonwalk.KeyIs(key, "content") {
			others = true
			return true
		}
		if c.HasContent {
			return false
		}
		raw := data[v:e]
		if string(raw) != "null" {
			var ok bool
			if c.Content, ok = jsonwalk.String(raw); !ok {
				return false
			}
		}
		c.Start, c.End, c.HasContent = v, e, true
		return true
	})
	c.OnlyText = c.HasContent && !others
	return ok
}

// readCall reads one tool call delta at data[at]: its index, and its piece
// of arguments if it carries one.
func (c *Chunk) readCall(data []byte, at int) bool {
	a := ArgSpan{Tool: -1}
	hasIndex, fn := false, false
	ok := jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "index"):
			n, err := strconv.Atoi(string(data[v:e]))
			a.Tool, hasIndex = n, err == nil && n >= 0 && !hasIndex
			return hasIndex
		case jsonwalk.KeyIs(key, "function"):
			if fn || data[v] != '{' {
				return !fn && string(data[v:e]) == "null"
			}
			fn = true
			return readArguments(data, v, &a)
		}
		return true
	})
	if !ok || !hasIndex {
		return false
	}
	if a.End > 0 {
		c.Args = append(c.Args, a)
	}
	return true
}

// readArguments reads the arguments of the function object at data[at].
func readArguments(data []byte, at int, a *ArgSpan) bool {
	seen := false
	return jsonwalk.Members(data, at, func(key []byte, v, e int) bool {
		if !jsonwalk.KeyIs(key, "arguments") {
			return true
		}
		if seen {
			return false
		}
		seen = true
		raw := data[v:e]
		if string(raw) == "null" {
			return true
		}
		var ok bool
		a.Text, ok = jsonwalk.String(raw)
		a.Start, a.End = v, e
		return ok
	})
}

// readUsage reads the usage object at b[at] by walking its bytes; it
// reports false when it is not the plain shape (integers where counts are),
// and the caller decodes.
func readUsage(b []byte, at int, u *Usage) bool {
	count := func(n *int, raw []byte) bool {
		var err error
		*n, err = strconv.Atoi(string(raw))
		return err == nil
	}
	*u = Usage{}
	if at >= len(b) || b[at] != '{' {
		return false
	}
	return jsonwalk.Members(b, at, func(key []byte, v, e int) bool {
		switch {
		case jsonwalk.KeyIs(key, "prompt_tokens"):
			return count(&u.PromptTokens, b[v:e])
		case jsonwalk.KeyIs(key, "completion_tokens"):
			return count(&u.CompletionTokens, b[v:e])
		case jsonwalk.KeyIs(key, "total_tokens"):
			return count(&u.TotalTokens, b[v:e])
		case jsonwalk.KeyIs(key, "prompt_tokens_details"):
			if string(b[v:e]) == "null" {
				return true
			}
			u.PromptTokensDetails = new(PromptTokensDetails)
			return b[v] == '{' && jsonwalk.Members(b, v, func(key []byte, v, e int) bool {
				return !jsonwalk.KeyIs(key, "cached_tokens") || count(&u.PromptTokensDetails.CachedTokens, b[v:e])
			})
		}
		return true
	})
}
