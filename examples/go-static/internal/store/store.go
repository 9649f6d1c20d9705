// Package store keeps the inventory in memory.
package store

import (
	"sort"
	"sync"
)

// Item is one line of the inventory.
type Item struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// Store is safe for concurrent use.
type Store struct {
	mu    sync.Mutex
	items map[string]int
}

func New() *Store { return &Store{items: map[string]int{}} }

// Add changes an item's count by n.
func (s *Store) Add(name string, n int) Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[name] += n
	return Item{Name: name, Count: s.items[name]}
}

// List returns the items sorted by name.
func (s *Store) List() []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Item, 0, len(s.items))
	for k, v := range s.items {
		out = append(out, Item{Name: k, Count: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
