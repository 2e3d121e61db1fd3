package auth

import (
	"net/http/httptest"
	"testing"
)

func TestPresentedKey(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		want    string
	}{
		{"bearer", map[string]string{"Authorization": "Bearer sk-aigw-x"}, "sk-aigw-x"},
		{"bearer any case", map[string]string{"Authorization": "bearer sk-aigw-x"}, "sk-aigw-x"},
		{"x-api-key", map[string]string{"x-api-key": "sk-aigw-y"}, "sk-aigw-y"},
		{"api-key", map[string]string{"api-key": "sk-aigw-z"}, "sk-aigw-z"},
		{"basic is not a key", map[string]string{"Authorization": "Basic abc", "x-api-key": "sk-aigw-y"}, ""},
		{"none", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/v1/models", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := presentedKey(r); got != tt.want {
				t.Errorf("presentedKey = %q, want %q", got, tt.want)
			}
		})
	}
}
