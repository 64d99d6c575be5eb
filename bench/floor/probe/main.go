// Command probe handshakes with every ADDR, N at a time, and prints the
// leaf each presents, as trustctl probe does for many targets. With
// -servername it sends that name and makes a second handshake without
// SNI, as trustctl's fallback comparison does.
package main

import (
	"crypto/sha256"
	"crypto/tls"
	"flag"
	"fmt"
	"net"
	"sync"
	"time"
)

func handshake(addr, name string) (string, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: name, InsecureSkipVerify: true})
	if err != nil {
		return "", err
	}
	defer c.Close()
	leaf := c.ConnectionState().PeerCertificates[0]
	return fmt.Sprintf("%s %x", leaf.Subject, sha256.Sum256(leaf.Raw)), nil
}

func main() {
	n := flag.Int("concurrency", 32, "handshakes at once")
	sn := flag.String("servername", "", "name to send; also handshake without SNI")
	flag.Parse()
	addrs := flag.Args()
	out := make([]string, len(addrs))
	sem := make(chan struct{}, *n)
	var wg sync.WaitGroup
	for i, a := range addrs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			leaf, err := handshake(a, *sn)
			if err == nil && *sn != "" {
				var def string
				def, err = handshake(a, "")
				if def == leaf {
					leaf += " (also without SNI)"
				}
			}
			if err != nil {
				out[i] = a + " FAILED " + err.Error()
				return
			}
			out[i] = a + " " + leaf
		}()
	}
	wg.Wait()
	for _, l := range out {
		fmt.Println(l)
	}
}
