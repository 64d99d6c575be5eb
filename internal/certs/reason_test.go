package certs

import "testing"

func TestReasonName(t *testing.T) {
	for code, want := range map[int]string{0: "unspecified", 1: "keyCompromise", 6: "certificateHold", 7: "reason 7", 8: "removeFromCRL", 10: "aACompromise", 99: "reason 99", -1: "reason -1"} {
		if got := ReasonName(code); got != want {
			t.Errorf("ReasonName(%d) = %q, want %q", code, got, want)
		}
		if c, ok := ReasonCode(want); ok != (want[0] != 'r' || want == "removeFromCRL") || ok && c != code {
			t.Errorf("ReasonCode(%q) = %d, %v", want, c, ok)
		}
	}
	if _, ok := ReasonCode(""); ok {
		t.Error(`ReasonCode("") is a reason`)
	}
}
