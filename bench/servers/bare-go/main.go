// Baseline for the peers benchmark: bare Go net/http doing what a sidecar hit
// must do at minimum, as bench/servers/bare-http.mjs does in Node: a
// constant-time SHA-256 token check, then a container-credentials body the
// size of a real one. Prints {"url","token"} on stdout when listening on
// 127.0.0.1; exits on SIGTERM. Built by bench/peers.mjs into .tools/bin.
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func randomBase64(n int, url bool) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	if url {
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func main() {
	token := randomBase64(32, true)
	digest := sha256.Sum256([]byte(token))
	payload, _ := json.Marshal(map[string]string{
		"AccessKeyId":     "ASIALFCSEMU000000001",
		"SecretAccessKey": randomBase64(30, false),
		"Token":           "IQoJb3JpZ2luX2Vj" + randomBase64(360, false),
		"Expiration":      time.Now().Add(time.Hour).UTC().Format("2006-01-02T15:04:05Z"),
		"AccountId":       "123456789012",
	})
	length := strconv.Itoa(len(payload))

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get("Authorization")))
		ok := r.Header.Get("Authorization") != "" && subtle.ConstantTimeCompare(got[:], digest[:]) == 1
		if !ok || r.Method != http.MethodGet || !strings.HasPrefix(r.URL.Path, "/v1/credentials/") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"code":"Unauthorized"}`))
			return
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", length)
		w.Write(payload)
	})

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	line, _ := json.Marshal(map[string]string{"url": "http://" + listener.Addr().String(), "token": token})
	fmt.Println(string(line))
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		os.Exit(0)
	}()
	http.Serve(listener, handler)
}
