// Package proto holds the mfspay plugin protocol (mfspay.plugin.v1): the
// protobuf definitions in plugin.proto and the Go code generated from them.
//
// Plugin authors and hosts use package plugins, whose API speaks mfspay types
// only; this package is for tooling and for plugins written in other
// languages, which implement plugin.proto directly.
//
// Regenerate with `go generate ./plugins/...` after installing protoc and
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//	go install google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.2
package proto

//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative plugin.proto
