package oai

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Media counts what a message's content holds besides text, for bounding
// the tokens a prompt can cost.
type Media struct {
	// Images is the number of image_url parts, and ImageURLBytes the bytes
	// of their URLs (data URLs included) in the body.
	Images, ImageURLBytes int
	// FileRefs is the number of file parts that name an uploaded file
	// (file_id) instead of carrying its data: their size is unknown.
	FileRefs int
}

// Content part types, as OpenAI names them.
const (
	PartText       = "text"
	PartImageURL   = "image_url"
	PartInputAudio = "input_audio"
	PartFile       = "file"
	PartRefusal    = "refusal"
)

// partTypes are the content part types each role may send, as OpenAI
// accepts them; any known type is accepted for an unknown role (which
// Validate refuses anyway).
var partTypes = map[string][]string{
	"user":      {PartText, PartImageURL, PartInputAudio, PartFile},
	"assistant": {PartText, PartRefusal},
	"system":    {PartText},
	"developer": {PartText},
	"tool":      {PartText},
	"function":  {PartText},
	"":          {PartText, PartImageURL, PartInputAudio, PartFile, PartRefusal},
}

// content is a message's content read and checked: its text (string
// content, or the text parts joined by newlines) and its media.
type content struct {
	text  string
	media Media
}

// readContent reads and checks the content c of a message of role, at p.
func readContent(c json.RawMessage, role string, p path) (content, *ParamError) {
	var out content
	if len(c) == 0 || string(c) == "null" {
		return out, nil
	}
	switch c[0] {
	case '"':
		s, ok := decodeString(c)
		if !ok {
			return out, invalidType(p, kString|kArray, c)
		}
		out.text = s
		return out, nil
	case '[':
	default:
		return out, invalidType(p, kString|kArray, c)
	}
	var b strings.Builder
	n := 0
	err := elements(c, p, func(raw []byte, pp path) *ParamError {
		n++
		text, isText, err := readPart(raw, role, pp, &out.media)
		if isText {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(text)
		}
		return err
	})
	switch {
	case err != nil:
		return out, err
	case n == 0:
		param := p.String()
		return out, &ParamError{Param: param, Code: "empty_array",
			Message: fmt.Sprintf("Invalid '%s': empty array. Expected an array with minimum length 1, but got an empty array instead.", param)}
	}
	out.text = b.String()
	return out, nil
}

// readPart checks one content part and returns its text when it is a text
// part, counting its media in m.
func readPart(raw []byte, role string, p path, m *Media) (string, bool, *ParamError) {
	obj, err := members(raw, p)
	if err != nil {
		return "", false, err
	}
	typ, err := obj.str("type", p, true)
	if err != nil {
		return "", false, err
	}
	allowed := partTypes[role]
	if allowed == nil {
		allowed = partTypes[""]
	}
	if !contains(allowed, typ) {
		return "", false, invalidValue(p.key("type"), typ, allowed)
	}
	switch typ {
	case PartText:
		text, err := obj.str("text", p, true)
		return text, err == nil, err
	case PartRefusal:
		_, err = obj.str("refusal", p, true)
	case PartImageURL:
		err = readImage(&obj, p, m)
	case PartInputAudio:
		err = readAudio(&obj, p)
	case PartFile:
		err = readFile(&obj, p, m)
	}
	return "", false, err
}

func readImage(obj *object, p path, m *Media) *ParamError {
	img, err := obj.object("image_url", p, true)
	if err != nil {
		return err
	}
	p = p.key("image_url")
	url, err := img.strLen("url", p, true)
	if err != nil {
		return err
	}
	if _, err := img.enum("detail", p, "auto", "low", "high"); err != nil {
		return err
	}
	m.Images++
	m.ImageURLBytes += url
	return nil
}

func readAudio(obj *object, p path) *ParamError {
	a, err := obj.object("input_audio", p, true)
	if err != nil {
		return err
	}
	p = p.key("input_audio")
	if _, err := a.strLen("data", p, true); err != nil {
		return err
	}
	if a.raw("format") == nil {
		return missing(p.key("format"))
	}
	_, err = a.enum("format", p, "wav", "mp3")
	return err
}

func readFile(obj *object, p path, m *Media) *ParamError {
	f, err := obj.object("file", p, true)
	if err != nil {
		return err
	}
	p = p.key("file")
	data, err := f.strLen("file_data", p, false)
	if err != nil {
		return err
	}
	id, err := f.strLen("file_id", p, false)
	if err != nil {
		return err
	}
	if _, err := f.str("filename", p, false); err != nil {
		return err
	}
	switch {
	case data == 0 && id == 0:
		param := p.String()
		return &ParamError{Param: param, Code: CodeMissing, Message: fmt.Sprintf("Invalid '%s': a file part needs 'file_data' or 'file_id'.", param)}
	case data == 0:
		m.FileRefs++
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
