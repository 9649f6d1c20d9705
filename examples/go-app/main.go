// A tiny HTTP greeter using only the standard library.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	name, _ := os.Hostname()
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from %s\n", name)
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
