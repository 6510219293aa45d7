package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// memorySampler watches the server's resident memory (Linux /proc/PID/status) while a workload
// runs: the largest VmRSS it saw, and at the end the kernel's own high-water mark VmHWM, which
// catches peaks between samples. With no pid it does nothing.
type memorySampler struct {
	pid     int
	last    atomic.Int64 // kB
	peak    atomic.Int64 // kB
	done    chan struct{}
	stopped sync.WaitGroup
}

func newMemorySampler(pid int) *memorySampler { return &memorySampler{pid: pid} }

func (m *memorySampler) start() {
	if m.pid == 0 {
		return
	}
	m.done = make(chan struct{})
	m.stopped.Add(1)
	go func() {
		defer m.stopped.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			m.sample()
			select {
			case <-m.done:
				return
			case <-t.C:
			}
		}
	}()
}

func (m *memorySampler) stop() {
	if m.pid == 0 {
		return
	}
	close(m.done)
	m.stopped.Wait()
	m.sample()
}

func (m *memorySampler) sample() {
	if rss, err := procStatus(m.pid, "VmRSS"); err == nil {
		m.last.Store(rss)
		if rss > m.peak.Load() {
			m.peak.Store(rss)
		}
	}
}

// current is the last VmRSS sampled, in kB (0 when unknown).
func (m *memorySampler) current() int64 { return m.last.Load() }

// report is the "result" line of the server's memory, or "" without a pid.
func (m *memorySampler) report() (string, string) {
	if m.pid == 0 {
		return "", ""
	}
	hwm, err := procStatus(m.pid, "VmHWM")
	if err != nil {
		return fmt.Sprintf("server memory: could not read /proc/%d/status: %v", m.pid, err), ""
	}
	note := fmt.Sprintf("server memory (pid %d): VmRSS peak sampled %.1f MB, now %.1f MB; VmHWM (peak since the server started) %.1f MB",
		m.pid, float64(m.peak.Load())/1024, float64(m.last.Load())/1024, float64(hwm)/1024)
	line := fmt.Sprintf("op=server_memory pid=%d vmrss_peak_kb=%d vmrss_now_kb=%d vmhwm_kb=%d", m.pid, m.peak.Load(), m.last.Load(), hwm)
	return note, line
}

// procStatus reads one "Name:  1234 kB" field of /proc/PID/status, in kB.
func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
