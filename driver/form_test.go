package driver

import (
	"reflect"
	"testing"
)

func TestFormEncode(t *testing.T) {
	tests := []struct {
		name string
		form Form
		want string
	}{
		{"empty", nil, ""},
		{"order kept", NewForm("grant_type", "password", "username", "+16501234567*101", "password", "p@ss w+rd"),
			"grant_type=password&username=%2B16501234567%2A101&password=p%40ss+w%2Brd"},
		{"duplicates kept", NewForm("grant_type", "password", "grant_type", "refresh_token"),
			"grant_type=password&grant_type=refresh_token"},
		{"empty value", NewForm("state", "", "scope", "a b"), "state=&scope=a+b"},
		{"trailing key", NewForm("grant_type", "password", "state"), "grant_type=password&state="},
		{"reserved characters", NewForm("redirect_uri", "https://app.example/cb?x=1&y=2#f"),
			"redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3D2%23f"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.form.Encode(); got != tt.want {
				t.Errorf("Encode() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestFormEdits(t *testing.T) {
	base := func() Form { return NewForm("a", "1", "b", "2", "a", "3", "c", "4") }
	tests := []struct {
		name string
		edit func(f *Form)
		want Form
	}{
		{"Add appends a duplicate", func(f *Form) { f.Add("b", "5") },
			NewForm("a", "1", "b", "2", "a", "3", "c", "4", "b", "5")},
		{"Set replaces all at the first position", func(f *Form) { f.Set("a", "9") },
			NewForm("a", "9", "b", "2", "c", "4")},
		{"Set appends a new key", func(f *Form) { f.Set("d", "") },
			NewForm("a", "1", "b", "2", "a", "3", "c", "4", "d", "")},
		{"Del removes all", func(f *Form) { f.Del("a") }, NewForm("b", "2", "c", "4")},
		{"Del of a missing key", func(f *Form) { f.Del("z") }, base()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.edit(&f)
			if !reflect.DeepEqual(f, tt.want) {
				t.Errorf("got %v; want %v", f, tt.want)
			}
		})
	}
}

func TestFormReaders(t *testing.T) {
	f := NewForm("a", "1", "b", "", "a", "3")
	if got := f.Get("a"); got != "1" {
		t.Errorf("Get(a) = %q; want 1", got)
	}
	if got := f.Get("z"); got != "" {
		t.Errorf("Get(z) = %q; want empty", got)
	}
	if !f.Has("b") || f.Has("z") {
		t.Errorf("Has(b), Has(z) = %v, %v; want true, false", f.Has("b"), f.Has("z"))
	}
	if got := f.Values("a"); !reflect.DeepEqual(got, []string{"1", "3"}) {
		t.Errorf("Values(a) = %q; want [1 3]", got)
	}
	c := f.Clone()
	c.Set("a", "changed")
	if f.Get("a") != "1" {
		t.Errorf("changing a clone changed the original: %v", f)
	}
	var nilForm Form
	if got := nilForm.Clone(); got == nil || len(got) != 0 {
		t.Errorf("Form(nil).Clone() = %#v; want an empty, non-nil form", got)
	}
}

func TestFormSentInOrderWithDuplicates(t *testing.T) {
	srv := newTestServer(t, respond(200, "application/json", tokenJSON))
	c := newTestClient(t, srv.URL)
	form := NewForm("grant_type", "password", "username", "u", "grant_type", "password", "scope", "")
	if _, err := c.Token(ctx, TokenRequest{Form: form}); err != nil {
		t.Fatal(err)
	}
	got := srv.last(t)
	if want := "grant_type=password&username=u&grant_type=password&scope="; string(got.Body) != want {
		t.Errorf("body = %q; want %q", got.Body, want)
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("Content-Type = %q; want application/x-www-form-urlencoded", ct)
	}
}
