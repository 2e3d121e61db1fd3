package state

import "net/http"

// SetHeaders sets headers from name, value pairs, as http.Header.Set would,
// with one allocation for all of them where Set makes one or two per header:
// one array backs every value slice. Names must be in canonical form
// ("X-Aigw-Model"); every handler of the chain sets a few on each request.
func SetHeaders(h http.Header, pairs ...string) {
	vals := make([]string, len(pairs)/2)
	for i := range vals {
		vals[i] = pairs[2*i+1]
		h[pairs[2*i]] = vals[i : i+1 : i+1]
	}
}
