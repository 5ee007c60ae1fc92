package redisstore_test

import (
	"context"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/redisstore"
)

// Every replica makes its own client to the shared Redis and hands the
// store to its webhook handler.
func ExampleNew() {
	client := redis.NewClient(&redis.Options{
		Addr:                  "127.0.0.1:6379",
		ContextTimeoutEnabled: true, // required: a hung Redis must not hold webhook requests
		MaxRetries:            1,    // the handler retries commits; providers retry 503s
		DialerRetries:         1,
	})
	defer client.Close()
	store, err := redisstore.New(client, redisstore.Prefix("shop:webhook:"))
	if err != nil {
		log.Fatal(err)
	}
	gw, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_current"})
	if err != nil {
		log.Fatal(err)
	}
	h := webhook.New(func(context.Context, *mfspay.Event) error { return nil },
		webhook.Route(gw), webhook.WithStore(store))
	_ = h // mux.Handle("/webhooks/{provider}", h)
}
