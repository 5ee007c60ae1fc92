package main

import (
	"bytes"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// htmlForm is one <form> as the scripted customer reads it.
type htmlForm struct {
	Action string
	Method string
	Fields []formField
}

// formField is one input or button of a form.
type formField struct {
	Tag     string // "input", "button", "textarea"
	Type    string // lower case; "" for a textarea
	Name    string
	Value   string
	Checked bool
}

// parseForms returns every form in an HTML page, with its controls.
func parseForms(page []byte) ([]htmlForm, error) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil, err
	}
	var forms []htmlForm
	var current *htmlForm
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				forms = append(forms, htmlForm{Action: attr(n, "action"), Method: strings.ToUpper(attr(n, "method"))})
				current = &forms[len(forms)-1]
				defer func() { current = nil }()
			case "input", "button", "textarea":
				if current != nil && attr(n, "name") != "" {
					f := formField{Tag: n.Data, Type: strings.ToLower(attr(n, "type")), Name: attr(n, "name"), Value: attr(n, "value")}
					_, f.Checked = attrOK(n, "checked")
					switch {
					case n.Data == "textarea":
						f.Type, f.Value = "", text(n)
					case n.Data == "button" && f.Type == "":
						f.Type = "submit"
					case n.Data == "input" && f.Type == "":
						f.Type = "text"
					}
					current.Fields = append(current.Fields, f)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return forms, nil
}

// value returns the value of the first field called name.
func (f htmlForm) value(name string) (string, bool) {
	for _, fl := range f.Fields {
		if fl.Name == name {
			return fl.Value, true
		}
	}
	return "", false
}

// options returns the values of the radio buttons called name, in order.
func (f htmlForm) options(name string) []string {
	var out []string
	for _, fl := range f.Fields {
		if fl.Name == name && fl.Type == "radio" {
			out = append(out, fl.Value)
		}
	}
	return out
}

// submission builds what a browser sends when the customer fills in set and
// clicks the submit button button (name=value): every non-button control with
// its current value, checked radios and checkboxes only, then set on top.
func (f htmlForm) submission(set map[string]string, buttonName, buttonValue string) url.Values {
	v := url.Values{}
	for _, fl := range f.Fields {
		switch fl.Type {
		case "submit", "button", "reset", "image", "file":
			continue
		case "radio", "checkbox":
			if !fl.Checked {
				continue
			}
		}
		v.Add(fl.Name, fl.Value)
	}
	for name, value := range set {
		v.Set(name, value)
	}
	if buttonName != "" {
		v.Set(buttonName, buttonValue)
	}
	return v
}

// elementText returns the text inside the element with id, and whether one
// exists.
func elementText(page []byte, id string) (string, bool) {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return "", false
	}
	var found *html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && attr(n, "id") == id {
			found = n
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return "", false
	}
	return strings.TrimSpace(text(found)), true
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// text concatenates the text nodes under n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}
