// Package replicastorm holds the multi-replica storm test: webhook
// receivers as separate processes (the test binary started again in replica
// mode), each with its own client to one shared Redis or PostgreSQL store,
// behind a round-robin reverse proxy, flooded with signed WezoPay
// notifications and duplicates while their callbacks fail, the store
// server is killed and restarted, or a replica is killed mid-delivery.
//
// It has no code of its own outside its tests.
package replicastorm
