package redisstore_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/internal/testserver"
	"github.com/mfspay/mfspay/webhook"
	"github.com/mfspay/mfspay/webhook/redisstore"
	"github.com/mfspay/mfspay/webhook/storetest"
)

// newStore returns a store on srv with its own client and a key prefix no
// other store of the test uses.
func newStore(t *testing.T, srv *testserver.RedisServer, prefix string) *redisstore.Store {
	t.Helper()
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	s, err := redisstore.New(client, redisstore.Prefix(prefix))
	require.NoError(t, err)
	return s
}

// TestStoreRules runs the store rules against a real redis-server.
func TestStoreRules(t *testing.T) {
	t.Run("Redis", func(t *testing.T) {
		srv := testserver.Redis(t)
		var stores atomic.Int64
		storetest.Run(t, storetest.Harness{
			NewStore: func(t *testing.T) webhook.Store {
				return newStore(t, srv, "test"+strconv.FormatInt(stores.Add(1), 10)+":")
			},
			Killed: func(t *testing.T) webhook.Store {
				own := testserver.Redis(t)
				s := newStore(t, own, "k:")
				require.NoError(t, own.Kill())
				return s
			},
			Frozen: func(t *testing.T) webhook.Store {
				own := testserver.Redis(t)
				s := newStore(t, own, "f:")
				require.NoError(t, own.Freeze())
				return s
			},
		})
	})
}

func TestNewRefusesAClientThatIgnoresDeadlines(t *testing.T) {
	for name, client := range map[string]redis.UniversalClient{
		"Client":  redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}),
		"Cluster": redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}),
		"Ring":    redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}}),
	} {
		t.Run(name, func(t *testing.T) {
			defer client.Close()
			_, err := redisstore.New(client)
			assert.ErrorIs(t, err, redisstore.ErrContextTimeoutsDisabled)
		})
	}
	_, err := redisstore.New(nil)
	assert.Error(t, err)
}

func TestKeysCarryThePrefix(t *testing.T) {
	srv := testserver.Redis(t)
	s := newStore(t, srv, "shop-a:")
	res, err := s.Reserve(t.Context(), "wezopay/evt_1", 60e9)
	require.NoError(t, err)
	client := redis.NewClient(&redis.Options{Addr: srv.Addr(), ContextTimeoutEnabled: true})
	defer client.Close()
	v, err := client.Get(t.Context(), "shop-a:wezopay/evt_1").Result()
	require.NoError(t, err)
	assert.Equal(t, res.Token, v, "a lease holds its token")
	require.NoError(t, s.Commit(t.Context(), "wezopay/evt_1", res.Token, 3600e9))
	v, err = client.Get(t.Context(), "shop-a:wezopay/evt_1").Result()
	require.NoError(t, err)
	assert.Equal(t, "done:"+res.Token, v)
	other := newStore(t, srv, "shop-b:")
	res, err = other.Reserve(t.Context(), "wezopay/evt_1", 60e9)
	require.NoError(t, err)
	assert.Equal(t, webhook.Acquired, res.State, "another prefix is another namespace")
}
