package probe

import (
	"errors"
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in, host, port string
		bad            bool
	}{
		{in: "example.com", host: "example.com", port: "443"},
		{in: "example.com:8443", host: "example.com", port: "8443"},
		{in: "127.0.0.1:25", host: "127.0.0.1", port: "25"},
		{in: "127.0.0.1", host: "127.0.0.1", port: "443"},
		{in: "[::1]:443", host: "::1", port: "443"},
		{in: "[::1]", host: "::1", port: "443"},
		{in: "::1", host: "::1", port: "443"},
		{in: "https://example.com:8443/path", host: "example.com", port: "8443"},
		{in: "", bad: true},
		{in: "example.com:0", bad: true},
		{in: "example.com:99999", bad: true},
		{in: "example.com:https", bad: true},
		{in: "exa mple.com", bad: true},
		{in: "[::1", bad: true},
		{in: "a:b:c", bad: true},
		{in: ":443", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseTarget(tt.in)
		if tt.bad {
			var te *TargetError
			if !errors.As(err, &te) {
				t.Errorf("ParseTarget(%q) = %+v, %v; want a *TargetError", tt.in, got, err)
			}
			continue
		}
		if err != nil || got.Host != tt.host || got.Port != tt.port {
			t.Errorf("ParseTarget(%q) = %q %q %v; want %q %q", tt.in, got.Host, got.Port, err, tt.host, tt.port)
		}
	}
}

func TestParseTargets(t *testing.T) {
	in := `# endpoints
primary.example:2560 primary-host
[::1]:443   # loopback

10.0.0.1
`
	ts, err := ParseTargets(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) != 3 || ts[0].ServerName != "primary-host" || ts[1].Host != "::1" || ts[2].Port != "443" {
		t.Errorf("got %+v", ts)
	}
	_, err = ParseTargets(strings.NewReader("ok:1\nbad:port\nx y z\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("error %v should name lines 2 and 3", err)
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"example.com", "[::1]:443", "1.2.3.4:5", "https://x:1/", "::1", "a:b:c", "[", "x:65536"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseTarget(s)
		if err != nil {
			var te *TargetError
			if !errors.As(err, &te) {
				t.Fatalf("error %T is not ours", err)
			}
			return
		}
		// What parses re-parses to the same host and port.
		again, err := ParseTarget(tg.Addr())
		if err != nil || again.Host != tg.Host || again.Port != tg.Port {
			t.Fatalf("%q -> %q -> %+v %v", s, tg.Addr(), again, err)
		}
	})
}

// FuzzParseTargets: a targets file (as probe and expiry read it) never
// panics, and each target it yields re-parses to itself, with a server
// name only when the line gave a valid one.
func FuzzParseTargets(f *testing.F) {
	for _, s := range []string{"# endpoints\n\nexample.com:443 www.example.com\n", "127.0.0.1:1 # note\n", "a b c\n", "x:1\r\n[::1]:8443 name\n", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ParseTargets(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, tg := range ts {
			again, err := ParseTarget(tg.Addr())
			if err != nil || again.Host != tg.Host || again.Port != tg.Port {
				t.Fatalf("%+v -> %q -> %+v %v", tg, tg.Addr(), again, err)
			}
			if tg.ServerName != "" && !validHostname(tg.ServerName) {
				t.Fatalf("server name %q", tg.ServerName)
			}
		}
	})
}
