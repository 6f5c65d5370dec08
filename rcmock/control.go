package rcmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The control API (mock-only, enabled by Options.Control) lets a test drive what it cannot drive through
// RingCentral's API: the clock, injected faults, behaviour switches, and device approval. Every call acts on
// the realm named by the ScenarioHeader, so one scenario's clock or faults never reach another's.
//
//	GET    /__mock/health             {"status":"ok"}
//	GET    /__mock/clock              {"now": RFC 3339}
//	POST   /__mock/clock              {"advance_seconds": 3601}            -> {"now": ...}
//	POST   /__mock/faults             {"path","count","kind","bytes","status","delay_ms","body","content_type","headers"}
//	DELETE /__mock/faults
//	GET    /__mock/settings           Settings
//	PATCH  /__mock/settings           partial Settings                     -> Settings
//	POST   /__mock/device/approve     {"user_code","login","deny"}
//	GET    /__mock/state              counts of sessions (all known, and active), tokens, codes, ...
//	GET    /__mock/state/owners       {"owners": [{"extension_id","client_id","active_sessions"}]}
//	POST   /__mock/reset              forget the realm entirely
//
// state/owners breaks active_sessions down by (user, app), the pairs RingCentral limits to five concurrent
// sessions (ringcentral-oauth.md §7.1), so a load test can check the limit from outside. It counts the
// sessions themselves, not the per-pair lists the limit is enforced with, so a bug in those lists shows.
//
// A fault makes the next "count" requests to "path" (or to any path: "*") misbehave. Without a "kind" it
// answers "status" (default 200) with "body", "content_type" and "headers" after "delay_ms". With a kind it
// breaks the answer as a real outage does (faults.go): "truncate" (a body cut to "bytes" with a matching
// Content-Length), "reset_mid_body" (a TCP reset after "bytes" of the body), "hang_after_headers" (headers
// and "bytes" of the body, then silence until the client gives up), "gzip_garbage" (labelled gzip, not
// compressed), "redirect_loop" (a redirect to the request's own URL) and "huge_body" (a body of "bytes",
// default 64 MiB). The first four break the endpoint's real answer unless the fault sets a status or body.
//
// Control errors use the API error shape with CMN- codes; they are never RingCentral behaviour.
func (s *Server) handleControl(w http.ResponseWriter, r *http.Request) {
	id := r.Header.Get(ScenarioHeader)
	route := strings.TrimPrefix(r.URL.Path, PathControl)
	bad := func(format string, args ...any) {
		writeError(w, (&Error{Status: 400, Code: "CMN-101", Message: "Invalid control request"}).withReason(format, args...))
	}
	switch r.Method + " " + route {
	case "GET health":
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})

	case "GET clock":
		writeJSON(w, http.StatusOK, map[string]string{"now": s.realm(id).Now().UTC().Format(time.RFC3339Nano)})

	case "POST clock":
		var req struct {
			AdvanceSeconds *float64 `json:"advance_seconds"`
		}
		if err := decodeControl(r, &req); err != nil || req.AdvanceSeconds == nil {
			bad("body must be {\"advance_seconds\": N}: %v", err)
			return
		}
		if *req.AdvanceSeconds < 0 || *req.AdvanceSeconds > 10*365*24*3600 {
			bad("advance_seconds must be between 0 and ten years; the clock never goes back")
			return
		}
		rl := s.realm(id)
		rl.mu.Lock()
		rl.offset += time.Duration(*req.AdvanceSeconds * float64(time.Second))
		now := rl.now()
		rl.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"now": now.UTC().Format(time.RFC3339Nano)})

	case "POST faults":
		var f fault
		if err := decodeControl(r, &f); err != nil {
			bad("%v", err)
			return
		}
		if err := f.validate(); err != nil {
			bad("%v", err)
			return
		}
		rl := s.realm(id)
		rl.mu.Lock()
		rl.faults = append(rl.faults, &f)
		rl.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)

	case "DELETE faults":
		rl := s.realm(id)
		rl.mu.Lock()
		rl.faults = nil
		rl.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)

	case "GET settings":
		writeJSON(w, http.StatusOK, s.realm(id).currentSettings())

	case "PATCH settings":
		rl := s.realm(id)
		rl.mu.Lock()
		next := rl.settings
		rl.mu.Unlock()
		// Decoding into a copy of the current settings makes the PATCH partial: absent members keep
		// their values.
		if err := decodeControl(r, &next); err != nil {
			bad("%v", err)
			return
		}
		if err := validateSettings(next); err != nil {
			bad("%v", err)
			return
		}
		rl.mu.Lock()
		rl.settings = next
		rl.mu.Unlock()
		writeJSON(w, http.StatusOK, next)

	case "POST device/approve":
		var req struct {
			UserCode string `json:"user_code"`
			Login    string `json:"login"`
			Deny     bool   `json:"deny"`
		}
		if err := decodeControl(r, &req); err != nil {
			bad("%v", err)
			return
		}
		if e := s.approveDevice(s.realm(id), req.UserCode, req.Login, req.Deny); e != nil {
			writeError(w, e)
			return
		}
		w.WriteHeader(http.StatusNoContent)

	case "GET state":
		s.handleState(w, r)

	case "GET state/owners":
		s.handleOwners(w, r)

	case "POST reset":
		s.dropRealm(id)
		w.WriteHeader(http.StatusNoContent)

	default:
		writeError(w, errNotFound())
	}
}

// validate checks a fault as the control API accepts it.
func (f *fault) validate() error {
	switch {
	case f.Path == "" || (f.Path != "*" && !strings.HasPrefix(f.Path, "/")):
		return errors.New("path must be an absolute path or *")
	case f.Count < 1 || f.Count > 1000:
		return errors.New("count must be between 1 and 1000")
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return errors.New("status must be an HTTP status code")
	case f.DelayMS < 0 || f.DelayMS > 120000:
		return errors.New("delay_ms must be between 0 and 120000")
	case !faultKinds[f.Kind]:
		return fmt.Errorf("kind must be one of %s, or absent", faultKindNames())
	case f.Kind != "" && f.DelayMS != 0:
		return errors.New("delay_ms applies only to a fault without a kind")
	case f.Bytes < 0 || f.Bytes > maxFaultBytes:
		return fmt.Errorf("bytes must be between 0 and %d", maxFaultBytes)
	}
	return nil
}

// parseFaults reads a JSON array of faults in the control API's shape (Options.Faults).
func parseFaults(data []byte) ([]*fault, error) {
	if len(data) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var fs []*fault
	if err := dec.Decode(&fs); err != nil {
		return nil, fmt.Errorf("rcmock: faults: want a JSON array of faults as POST /__mock/faults takes them: %w", err)
	}
	for i, f := range fs {
		if err := f.validate(); err != nil {
			return nil, fmt.Errorf("rcmock: faults: fault %d: %w", i+1, err)
		}
	}
	return fs, nil
}

// handleState answers the counts of the request's realm (Options.Inspect serves it alone).
func (s *Server) handleState(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.realm(r.Header.Get(ScenarioHeader)).counts())
}

// handleOwners answers the request's realm's active sessions per (user, app) (Options.Inspect serves it
// too).
func (s *Server) handleOwners(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]ownerCount{"owners": s.realm(r.Header.Get(ScenarioHeader)).activeByOwner()})
}

// decodeControl decodes a small JSON control body strictly.
func decodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
