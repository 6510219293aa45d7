package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"finapp/internal/testdb"
)

var tokenPattern = regexp.MustCompile(`^fa_[a-z2-7]{52}$`)

func TestTokenCreate_PrintsATokenAndNothingElse(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "f.db")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "--db", db}, strings.NewReader(""), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), []string{"token", "create", "--role", "finance", "--db", db}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !tokenPattern.MatchString(strings.TrimSuffix(out.String(), "\n")) || strings.Count(out.String(), "\n") != 1 {
		t.Fatalf("stdout %q is not exactly one token line", out.String())
	}
	if err := run(context.Background(), []string{"token", "create", "--role", "boss", "--db", db}, strings.NewReader(""), &out, &errOut); err == nil {
		t.Fatal("an unknown role was accepted")
	}
}

func TestServe_PrintsURLAndFirstTokenThatWorks(t *testing.T) {
	serveAndCall(t, "sqlite:"+filepath.Join(t.TempDir(), "f.db"))
}

func TestServe_RunsOnPostgres(t *testing.T) {
	serveAndCall(t, testdb.PostgresSchema(t))
}

// serveAndCall runs `finapp serve --db db`, reads the URL and first admin token it prints, calls
// the API with them and shuts the server down gracefully.
func serveAndCall(t *testing.T, db string) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()

	var url, token string
	sc := bufio.NewScanner(pr)
	deadline := time.After(20 * time.Second)
	lines := make(chan string)
	go func() {
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	for url == "" || token == "" {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve stopped early: %v", <-done)
			}
			if i := strings.Index(l, "http://"); i >= 0 && url == "" {
				url = strings.Fields(l[i:])[0]
			}
			if f := strings.TrimSpace(l); tokenPattern.MatchString(f) {
				token = f
			}
		case <-deadline:
			t.Fatal("serve printed no URL and token")
		}
	}
	go func() {
		for range lines {
		}
	}()
	req, _ := http.NewRequest("GET", url+"/v1/payments", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET /v1/payments with the printed token: %d", res.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("graceful shutdown: %v", err)
	}
}
