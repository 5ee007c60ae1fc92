package simkit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfspay/mfspay/conformance/simctl"
)

// faultServer serves an API whose real answer is 200 {"ok":true} and
// counts how often the real handler ran.
func faultServer(t *testing.T, q *Faults) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var processed atomic.Int32
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		processed.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"ok":true,"padding":"0123456789"}`)
	})
	srv := httptest.NewServer(NewRequestLog(nil).Middleware(q.Middleware(api)))
	t.Cleanup(srv.Close)
	return srv, &processed
}

func get(t *testing.T, client *http.Client, url string) (*http.Response, string, error) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestFaultStatusAnswers(t *testing.T) {
	tests := []struct {
		name        string
		fault       simctl.Fault
		wantStatus  int
		wantBody    string
		wantCT      string
		wantRetry   string
		wantProcess int32
	}{
		{"status with body", simctl.Fault{Status: 503, Body: "<html>down</html>", ContentType: "text/html"}, 503, "<html>down</html>", "text/html", "", 0},
		{"default body", simctl.Fault{Status: 500}, 500, `{"provider":500}`, "application/json", "", 0},
		{"retry after rounds up", simctl.Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, 429, `{"provider":429}`, "application/json", "2", 0},
		{"after processing", simctl.Fault{Status: 500, AfterProcessing: true}, 500, `{"provider":500}`, "application/json", "", 1},
		{"empty fault is a 500", simctl.Fault{}, 500, `{"provider":500}`, "application/json", "", 0},
		{"pure delay lets the answer through", simctl.Fault{Delay: 10 * time.Millisecond}, 201, `{"ok":true,"padding":"0123456789"}`, "application/json", "", 1},
		{"delay after processing replays", simctl.Fault{Delay: 10 * time.Millisecond, AfterProcessing: true}, 201, `{"ok":true,"padding":"0123456789"}`, "application/json", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := NewFaults(func(status int) string { return `{"provider":` + strconv.Itoa(status) + `}` })
			srv, processed := faultServer(t, q)
			q.Add(tt.fault)
			resp, body, err := get(t, srv.Client(), srv.URL)
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, resp.StatusCode)
			assert.Equal(t, tt.wantBody, body)
			assert.Equal(t, tt.wantCT, resp.Header.Get("Content-Type"))
			assert.Equal(t, tt.wantRetry, resp.Header.Get("Retry-After"))
			assert.Equal(t, tt.wantProcess, processed.Load())

			// The fault is used up: the next request gets the real answer.
			resp, _, err = get(t, srv.Client(), srv.URL)
			require.NoError(t, err)
			assert.Equal(t, http.StatusCreated, resp.StatusCode)
		})
	}
}

func TestFaultCountAndOrder(t *testing.T) {
	q := NewFaults(nil)
	srv, processed := faultServer(t, q)
	q.Add(simctl.Fault{Status: 503, Count: 2})
	q.Add(simctl.Fault{Status: 502})
	assert.Equal(t, 3, q.Pending())

	var got []int
	for range 4 {
		resp, _, err := get(t, srv.Client(), srv.URL)
		require.NoError(t, err)
		got = append(got, resp.StatusCode)
	}
	assert.Equal(t, []int{503, 503, 502, 201}, got)
	assert.Equal(t, int32(1), processed.Load())
	assert.Equal(t, 0, q.Pending())
}

func TestFaultClear(t *testing.T) {
	q := NewFaults(nil)
	srv, _ := faultServer(t, q)
	q.Add(simctl.Fault{Status: 500, Count: 5})
	q.Clear()
	resp, _, err := get(t, srv.Client(), srv.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
}

func TestFaultReset(t *testing.T) {
	for _, after := range []bool{false, true} {
		q := NewFaults(nil)
		srv, processed := faultServer(t, q)
		q.Add(simctl.Fault{Reset: true, AfterProcessing: after})
		// A fresh transport: no idle connection for the client to retry on.
		client := &http.Client{Transport: &http.Transport{}}
		_, _, err := get(t, client, srv.URL)
		require.Error(t, err)
		want := int32(0)
		if after {
			want = 1
		}
		assert.Equal(t, want, processed.Load())
	}
}

func TestFaultResetMidBody(t *testing.T) {
	q := NewFaults(nil)
	srv, processed := faultServer(t, q)
	q.Add(simctl.Fault{ResetMidBody: true, AfterProcessing: true})
	resp, err := (&http.Client{Transport: &http.Transport{}}).Get(srv.URL)
	require.NoError(t, err, "the headers arrive")
	defer resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	assert.Equal(t, `{"ok":true,"paddi`, string(b), "half of the real answer")
	assert.Equal(t, int32(1), processed.Load())
}

func TestFaultDelayHonoursClientGoingAway(t *testing.T) {
	q := NewFaults(nil)
	srv, processed := faultServer(t, q)
	q.Add(simctl.Fault{Delay: time.Hour, Status: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, err := srv.Client().Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// srv.Close in Cleanup blocks until the handler has returned, so an
	// hour-long delay that ignored the client would hang the test.
	assert.Equal(t, int32(0), processed.Load())
}

func TestRequestLogRecordsShapeAndStatus(t *testing.T) {
	log := NewRequestLog(nil)
	q := NewFaults(nil)
	srv := httptest.NewServer(log.Middleware(q.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		assert.Equal(t, `{"a":1}`, string(b), "the handler still gets the body")
		w.WriteHeader(http.StatusAccepted)
	}))))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/x?k=v", stringsReader(`{"a":1}`))
	req.Header.Set("X-Test", "yes")
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	q.Add(simctl.Fault{Reset: true})
	_, err = (&http.Client{Transport: &http.Transport{}}).Get(srv.URL + "/api/y")
	require.Error(t, err)

	require.Equal(t, 2, log.Count())
	recs := log.Records()
	assert.Equal(t, http.MethodPost, recs[0].Method)
	assert.Equal(t, "/api/x", recs[0].Path)
	assert.Equal(t, "v", recs[0].Query.Get("k"))
	assert.Equal(t, "yes", recs[0].Header.Get("X-Test"))
	assert.Equal(t, `{"a":1}`, string(recs[0].Body))
	assert.Equal(t, http.StatusAccepted, recs[0].Status)
	assert.Equal(t, 0, recs[1].Status, "a dropped connection has no status")
	last, ok := log.Last()
	require.True(t, ok)
	assert.Equal(t, "/api/y", last.Path)
	log.Reset()
	assert.Equal(t, 0, log.Count())
}
