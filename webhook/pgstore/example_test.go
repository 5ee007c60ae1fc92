package pgstore_test

import (
	"context"
	"log"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/mfspay/mfspay"
	"github.com/mfspay/mfspay/providers/eazzpay"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/pgstore"
)

// Every replica opens its own pool to the shared database; New creates the
// table if it is absent, and one or more replicas sweep expired rows.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://shop@127.0.0.1/shop?sslmode=disable")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store, err := pgstore.New(ctx, pool, pgstore.SweepEvery(time.Hour))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	gw, err := eazzpay.New(eazzpay.Config{ClientSecret: "esk_live_current"})
	if err != nil {
		log.Fatal(err)
	}
	h := webhook.New(func(context.Context, *mfspay.Event) error { return nil },
		webhook.Route(gw), webhook.WithStore(store))
	_ = h // mux.Handle("/webhooks/{provider}", h)
}
