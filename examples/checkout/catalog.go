package main

import "github.com/mfspay/mfspay"

// product is something the shop sells, priced to the poisha.
type product struct {
	ID          string
	Name        string
	Description string
	Price       mfspay.Amount
}

// catalog is the shop's stock. The prices have poisha on purpose: money is
// exact from the product page to the provider and back.
var catalog = []product{
	{ID: "nakshi-kantha", Name: "Nakshi kantha quilt", Description: "Hand-stitched cotton quilt from Jessore.", Price: mfspay.Poisha(125050)},
	{ID: "jamdani-scarf", Name: "Jamdani scarf", Description: "Hand-woven muslin scarf from Rupganj.", Price: mfspay.Poisha(34975)},
}

// findProduct returns the catalog product with id.
func findProduct(id string) (product, bool) {
	for _, p := range catalog {
		if p.ID == id {
			return p, true
		}
	}
	return product{}, false
}
