// Package all is the registry of the gateway's provider adapters: importing
// it registers every provider type the gateway can call. Adding a provider is
// a package that registers its Type (see internal/providers/openai) and one
// import line here.
package all

import (
	// One line per provider package; each registers its types.
	_ "github.com/aigw/aigw/internal/providers/anthropic"
	_ "github.com/aigw/aigw/internal/providers/gemini"
	_ "github.com/aigw/aigw/internal/providers/mock"
	_ "github.com/aigw/aigw/internal/providers/openai"
)
