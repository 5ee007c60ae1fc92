package kit_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2ResetServer is a real HTTP/2 server (cleartext, prior knowledge) on
// 127.0.0.1, written on the http2 Framer because net/http's server cannot
// reset a stream with PROTOCOL_ERROR from a handler. It hands every
// complete request to handler; a POST's answer is then thrown away and
// the stream reset with RST_STREAM(PROTOCOL_ERROR), after its whole body
// was received and acted on: the case in which Go's HTTP/2 client replays a
// request it can rewind (Request.GetBody). Other methods get handler's
// answer.
type h2ResetServer struct {
	URL     string
	handler http.Handler
	ln      net.Listener
	posts   atomic.Int32
	others  atomic.Int32
	wg      sync.WaitGroup

	mu    sync.Mutex
	conns []net.Conn
}

func newH2ResetServer(t *testing.T, handler http.Handler) *h2ResetServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &h2ResetServer{URL: "http://" + ln.Addr().String(), handler: handler, ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

// h2Client returns a transport that speaks HTTP/2 without TLS to servers
// it knows to, as Go's HTTP/2 client does over TLS after ALPN.
func h2Client() *http.Transport {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Transport{Protocols: &p}
}

func (s *h2ResetServer) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *h2ResetServer) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = s.serve(c)
		}()
	}
}

// h2Stream is a request being received.
type h2Stream struct {
	header http.Header
	method string
	path   string
	host   string
	body   bytes.Buffer
}

// serve runs one connection: preface, settings, then requests, answered
// in the order they complete. All writes happen on this goroutine.
func (s *h2ResetServer) serve(c net.Conn) error {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return errors.New("no HTTP/2 client preface")
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var hbuf bytes.Buffer
	enc := hpack.NewEncoder(&hbuf)
	if err := fr.WriteSettings(); err != nil {
		return err
	}
	streams := map[uint32]*h2Stream{}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return err
		}
		var ended uint32
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				if err := fr.WriteSettingsAck(); err != nil {
					return err
				}
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				if err := fr.WritePing(true, f.Data); err != nil {
					return err
				}
			}
		case *http2.MetaHeadersFrame:
			st := &h2Stream{header: http.Header{}, method: f.PseudoValue("method"),
				path: f.PseudoValue("path"), host: f.PseudoValue("authority")}
			for _, hf := range f.RegularFields() {
				st.header.Add(hf.Name, hf.Value)
			}
			streams[f.StreamID] = st
			if f.StreamEnded() {
				ended = f.StreamID
			}
		case *http2.DataFrame:
			if st := streams[f.StreamID]; st != nil {
				st.body.Write(f.Data())
			}
			if f.StreamEnded() {
				ended = f.StreamID
			}
		case *http2.GoAwayFrame:
			return nil
		}
		st := streams[ended]
		if ended == 0 || st == nil {
			continue
		}
		delete(streams, ended)
		if err := s.answer(fr, enc, &hbuf, ended, st); err != nil {
			return err
		}
	}
}

// answer runs the handler on a complete request and sends its answer, or
// for a POST resets the stream instead.
func (s *h2ResetServer) answer(fr *http2.Framer, enc *hpack.Encoder, hbuf *bytes.Buffer, id uint32, st *h2Stream) error {
	req := httptest.NewRequest(st.method, "http://"+st.host+st.path, bytes.NewReader(st.body.Bytes()))
	req.Header = st.header
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if st.method == http.MethodPost {
		s.posts.Add(1)
		return fr.WriteRSTStream(id, http2.ErrCodeProtocol)
	}
	s.others.Add(1)
	hbuf.Reset()
	_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(rec.Code)})
	body := rec.Body.Bytes()
	for k, vs := range rec.Header() {
		if k == "Content-Length" {
			continue
		}
		for _, v := range vs {
			_ = enc.WriteField(hpack.HeaderField{Name: strings.ToLower(k), Value: v})
		}
	}
	_ = enc.WriteField(hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(body))})
	if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hbuf.Bytes(),
		EndHeaders: true, EndStream: len(body) == 0}); err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	return fr.WriteData(id, true, body) // small answers: within one frame and the initial window
}
