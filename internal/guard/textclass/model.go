package textclass

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
)

// modelMagic starts a serialised model.
const modelMagic = "AIGWTC1\n"

//go:embed model.bin.gz
var embedded []byte

var def struct {
	once sync.Once
	m    *Model
	err  error
}

// Default returns the model embedded in the binary (trained by make guard-train).
func Default() (*Model, error) {
	def.once.Do(func() {
		def.m, def.err = Read(bytes.NewReader(embedded))
		if def.err != nil {
			def.err = fmt.Errorf("loading the embedded guardrail model: %w", def.err)
		}
	})
	return def.m, def.err
}

// Write serialises m, gzip-compressed.
func (m *Model) Write(w io.Writer) error {
	if len(m.W) != tableSize*NumLabels {
		return fmt.Errorf("model table has %d weights, want %d", len(m.W), tableSize*NumLabels)
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	var hdr bytes.Buffer
	hdr.WriteString(modelMagic)
	hdr.WriteByte(TableBits)
	hdr.WriteByte(NumLabels)
	for _, a := range [][NumLabels]float32{m.Scale, m.Bias, m.Strict, m.Standard} {
		if err := binary.Write(&hdr, binary.LittleEndian, a); err != nil {
			return err
		}
	}
	if _, err := zw.Write(hdr.Bytes()); err != nil {
		return err
	}
	b := make([]byte, len(m.W))
	for i, q := range m.W {
		b[i] = byte(q)
	}
	if _, err := zw.Write(b); err != nil {
		return err
	}
	return zw.Close()
}

// Read parses a model written by Write.
func Read(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	hdrLen := len(modelMagic) + 2 + 4*NumLabels*4
	if len(data) < hdrLen || string(data[:len(modelMagic)]) != modelMagic {
		return nil, errors.New("model: not an aigw text classifier")
	}
	if data[len(modelMagic)] != TableBits || data[len(modelMagic)+1] != NumLabels {
		return nil, fmt.Errorf("model: table of 2^%d rows and %d labels, want 2^%d and %d",
			data[len(modelMagic)], data[len(modelMagic)+1], TableBits, NumLabels)
	}
	m := &Model{}
	rd := bytes.NewReader(data[len(modelMagic)+2 : hdrLen])
	for _, a := range []*[NumLabels]float32{&m.Scale, &m.Bias, &m.Strict, &m.Standard} {
		if err := binary.Read(rd, binary.LittleEndian, a); err != nil {
			return nil, fmt.Errorf("model: %w", err)
		}
	}
	w := data[hdrLen:]
	if len(w) != tableSize*NumLabels {
		return nil, fmt.Errorf("model: %d weights, want %d", len(w), tableSize*NumLabels)
	}
	m.W = make([]int8, len(w))
	for i, b := range w {
		m.W[i] = int8(b)
	}
	return m, nil
}
