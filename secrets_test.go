package conformance

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// TestFingerprintsDoNotGiveSecretsAway plants a 6-digit IVR PIN and a 6-digit one-time password in the
// mock's fixture and the profile, runs the IVR PIN and OTP grants' scenarios twice, and attacks every
// output of each run (console, cucumber JSON with its attachments, JUnit, exchanges.jsonl, run.json) as a
// reader of the reports would: hashing all 1,000,000 6-digit candidates with SHA-256, SHA-1 and MD5 finds
// no fingerprint, and neither the PIN nor the code appears in clear, in Base64 or as a hex hash. It also
// checks that fingerprints are stable within a run (one value, one fingerprint, in every scenario and
// output) and differ between runs.
func TestFingerprintsDoNotGiveSecretsAway(t *testing.T) {
	const pin, otp = "582047", "690413"
	runs := []secretsRun{runWithPlantedSecrets(t, pin, otp), runWithPlantedSecrets(t, pin, otp)}

	for i, run := range runs {
		for name, planted := range map[string]string{"ivr_pin": pin, "code": otp} {
			fp := run.stableFingerprint(t, name)
			if fp == "" {
				continue
			}
			if i == 1 && fp == runs[0].stableFingerprint(t, name) {
				t.Errorf("the %s has the fingerprint %s in both runs; want a different key per run", name, fp)
			}
			for out, text := range run.outputs {
				// Durations in nanoseconds are numbers that could hold the digits by chance.
				text = durations.ReplaceAllString(text, "")
				for _, form := range clearForms(planted) {
					if form.re.MatchString(text) {
						t.Errorf("run %d: %s shows the planted %s as %s", i+1, out, name, form.name)
					}
				}
			}
		}
		if found := crackSixDigits(run.fingerprints()); len(found) > 0 {
			t.Errorf("run %d: hashing the 6-digit candidates recovers %s", i+1, strings.Join(found, "; "))
		}
	}
}

var durations = regexp.MustCompile(`"duration(?:_ns)?":\s*\d+`)

// secretsRun is what one run of the slice wrote.
type secretsRun struct {
	outputs   map[string]string   // output name -> text (cucumber attachments decoded)
	exchanges []map[string]any    // exchanges.jsonl
	sent      map[string][]sentFP // parameter -> the fingerprints sent for it, with their scenario
}

type sentFP struct{ fp, scenario string }

// runWithPlantedSecrets runs the @ivr-pin and @otp scenarios against the embedded mock whose fixture has
// the given PIN and one-time password, with reports in a temporary directory.
func runWithPlantedSecrets(t *testing.T, pin, otp string) secretsRun {
	t.Helper()
	dir := t.TempDir()
	fx, err := os.ReadFile(filepath.Join("rcmock", "fixtures", "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	planted := strings.Replace(strings.Replace(string(fx), `"ivr_pin": "246810"`, `"ivr_pin": "`+pin+`"`, 1), `"314159"`, `"`+otp+`"`, 1)
	if strings.Count(planted, pin)+strings.Count(planted, otp) != 2 {
		t.Fatal("the default fixture no longer has the IVR PIN 246810 and the one-time password 314159 to replace")
	}
	fixture := filepath.Join(dir, "fixture.json")
	if err := os.WriteFile(fixture, []byte(planted), 0o644); err != nil {
		t.Fatal(err)
	}
	var environ []string
	for _, kv := range runEnviron() {
		if !strings.HasPrefix(kv, "GODOG_") && !strings.HasPrefix(kv, "CONFORMANCE_") {
			environ = append(environ, kv)
		}
	}
	environ = append(environ, "OAUTH_ENV=mock", "RC_MOCK_FIXTURE="+fixture, "RC_IVR_PIN="+pin, "RC_OTP_CODE="+otp, "GODOG_TAGS=@ivr-pin,@otp")
	cfg, opts, err := suiteConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	cfg.ReportsDir, cfg.Out, opts.Output = dir, &console, &console
	opts.Format = "pretty,cucumber:" + filepath.Join(dir, "cucumber.json") + ",junit:" + filepath.Join(dir, "junit.xml")
	runSuite(t, "secrets", cfg, opts)

	run := secretsRun{outputs: map[string]string{"the console": console.String()}, sent: map[string][]sentFP{}}
	for _, name := range []string{"cucumber.json", "junit.xml", "exchanges.jsonl", "run.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		run.outputs[name] = string(b)
	}
	run.outputs["the cucumber attachments"] = cucumberAttachments(t, []byte(run.outputs["cucumber.json"]))
	sentParam := regexp.MustCompile(`(?:^|&)(ivr_pin|code)=(\[redacted:[0-9a-f]+\])`)
	for _, line := range strings.Split(strings.TrimSpace(run.outputs["exchanges.jsonl"]), "\n") {
		var x map[string]any
		if err := json.Unmarshal([]byte(line), &x); err != nil {
			t.Fatalf("exchanges.jsonl: %v", err)
		}
		run.exchanges = append(run.exchanges, x)
		body, _ := x["request_body"].(string)
		scenario, _ := x["scenario"].(string)
		for _, m := range sentParam.FindAllStringSubmatch(body, -1) {
			run.sent[m[1]] = append(run.sent[m[1]], sentFP{m[2], scenario})
		}
	}
	return run
}

// cucumberAttachments decodes the Base64 attachments (each step's exchanges) of a cucumber JSON report.
func cucumberAttachments(t *testing.T, report []byte) string {
	t.Helper()
	var features []struct {
		Elements []struct {
			Steps []struct {
				Embeddings []struct {
					Data string `json:"data"`
				} `json:"embeddings"`
			} `json:"steps"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(report, &features); err != nil {
		t.Fatalf("cucumber.json: %v", err)
	}
	var b strings.Builder
	for _, f := range features {
		for _, e := range f.Elements {
			for _, s := range e.Steps {
				for _, em := range s.Embeddings {
					data, err := base64.StdEncoding.DecodeString(em.Data)
					if err != nil {
						t.Fatalf("cucumber.json: an attachment is not Base64: %v", err)
					}
					b.Write(data)
					b.WriteByte('\n')
				}
			}
		}
	}
	if b.Len() == 0 {
		t.Fatal("cucumber.json has no attachments: the test would prove nothing")
	}
	return b.String()
}

// stableFingerprint returns the fingerprint under which the run sent the planted value of a parameter: the
// one sent most often. It fails the test unless that fingerprint was sent by at least two scenarios (each
// scenario has its own Redactor) and appears in the cucumber attachments too.
func (r secretsRun) stableFingerprint(t *testing.T, param string) string {
	t.Helper()
	scenarios := map[string]map[string]bool{}
	for _, s := range r.sent[param] {
		if scenarios[s.fp] == nil {
			scenarios[s.fp] = map[string]bool{}
		}
		scenarios[s.fp][s.scenario] = true
	}
	best := ""
	for fp, sc := range scenarios {
		if best == "" || len(sc) > len(scenarios[best]) {
			best = fp
		}
	}
	switch {
	case best == "":
		t.Errorf("no request sent %s: the test would prove nothing", param)
	case len(scenarios[best]) < 2:
		t.Errorf("%s was sent under %d fingerprints, none by two scenarios; want one fingerprint per value in a run", param, len(scenarios))
	case !strings.Contains(r.outputs["the cucumber attachments"], best):
		t.Errorf("%s's fingerprint %s is in exchanges.jsonl but not in the cucumber attachments", param, best)
	}
	return best
}

// fingerprints returns the hex digits of every fingerprint in the run's outputs, and of every run of 16 or
// more hex digits (a hash prefix in another format).
func (r secretsRun) fingerprints() []string {
	marked := regexp.MustCompile(`\[redacted:([0-9a-f]+)\]`)
	long := regexp.MustCompile(`[0-9a-fA-F]{16,}`)
	seen := map[string]bool{}
	var out []string
	for _, text := range r.outputs {
		for _, m := range marked.FindAllStringSubmatch(text, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
		for _, m := range long.FindAllString(text, -1) {
			if m = strings.ToLower(m); !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// crackSixDigits hashes every 6-digit candidate with SHA-256, SHA-1 and MD5 and returns the candidates
// whose hex hash begins with one of the fingerprints (8 hex digits or more).
func crackSixDigits(fingerprints []string) []string {
	byPrefix := map[uint32][]string{}
	for _, fp := range fingerprints {
		if len(fp) < 8 {
			continue
		}
		if b, err := hex.DecodeString(fp[:8]); err == nil {
			k := binary.BigEndian.Uint32(b)
			byPrefix[k] = append(byPrefix[k], fp)
		}
	}
	hashes := map[string]func([]byte) []byte{
		"sha256": func(b []byte) []byte { s := sha256.Sum256(b); return s[:] },
		"sha1":   func(b []byte) []byte { s := sha1.Sum(b); return s[:] },
		"md5":    func(b []byte) []byte { s := md5.Sum(b); return s[:] },
	}
	const workers = 4
	var (
		mu    sync.Mutex
		found []string
		wg    sync.WaitGroup
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 0, 6)
			for n := w; n < 1000000; n += workers {
				buf = fmt.Appendf(buf[:0], "%06d", n)
				for name, h := range hashes {
					sum := h(buf)
					for _, fp := range byPrefix[binary.BigEndian.Uint32(sum)] {
						if strings.HasPrefix(hex.EncodeToString(sum), fp) {
							mu.Lock()
							found = append(found, fmt.Sprintf("%s from %s(%s)", string(buf), name, fp))
							mu.Unlock()
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	return found
}

// clearForm is a way a secret may show: in clear, Base64-encoded, or as a hex hash.
type clearForm struct {
	name string
	re   *regexp.Regexp
}

// clearForms lists the forms of a 6-digit secret to look for. The digits count only where they are not
// part of a longer number.
func clearForms(secret string) []clearForm {
	forms := []clearForm{{"itself", regexp.MustCompile(`(?:^|[^0-9])` + secret + `(?:[^0-9]|$)`)}}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		forms = append(forms, clearForm{"Base64", regexp.MustCompile(regexp.QuoteMeta(enc.EncodeToString([]byte(secret))))})
	}
	s256, s1, m5 := sha256.Sum256([]byte(secret)), sha1.Sum([]byte(secret)), md5.Sum([]byte(secret))
	for name, sum := range map[string][]byte{"SHA-256": s256[:], "SHA-1": s1[:], "MD5": m5[:]} {
		h := hex.EncodeToString(sum)
		forms = append(forms, clearForm{name + " hex", regexp.MustCompile(`(?i)(?:^|[^0-9a-f])` + h[:8])})
	}
	return forms
}
