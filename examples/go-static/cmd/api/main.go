// A small inventory API: standard library only, built as a static binary.
package main

import (
	"encoding/json"
	"log"
	"net/http"
	"strconv"

	"example.com/inventory/internal/store"
)

func main() {
	s := store.New()
	http.HandleFunc("/items", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			n, err := strconv.Atoi(r.URL.Query().Get("n"))
			if err != nil {
				http.Error(w, "n must be a number", http.StatusBadRequest)
				return
			}
			_ = json.NewEncoder(w).Encode(s.Add(r.URL.Query().Get("name"), n))
			return
		}
		_ = json.NewEncoder(w).Encode(s.List())
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
