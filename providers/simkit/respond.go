package simkit

import (
	"encoding/json"
	"net/http"
)

// WriteJSON answers v as JSON with status. A simulator's answers are its
// own maps and structs of strings, numbers and verbatim JSON, which always
// encode; one that does not is a bare 500 rather than half an answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
