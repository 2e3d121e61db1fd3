package gemini

import (
	"encoding/base64"
	"encoding/binary"
	"math"
)

// encodeBase64 packs v as little-endian float32s in base64, as OpenAI does
// for encoding_format "base64".
func encodeBase64(v []float32) string {
	buf := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
	}
	return base64.StdEncoding.EncodeToString(buf)
}
