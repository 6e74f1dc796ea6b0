//go:build !windows

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"syscall"
)

// notRunning is "the app could not be reached, or its socket is not safe" (exit 3).
type notRunning struct{ message string }

func (e *notRunning) Error() string { return e.message }

// unreadable is an answer this command cannot read (exit 1).
type unreadable struct{}

func (unreadable) Error() string {
	return "Tessera sent an answer this command cannot read. Update the command to the app’s version."
}

// unixSocket is a connected Unix stream socket used with plain blocking system calls. Go's net
// package would add its poller (epoll, a pipe, two more calls per connection) and its packages'
// start-up, for one request and one answer.
type unixSocket struct{ fd int }

func dialUnix(path string) (*unixSocket, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: path})
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return &unixSocket{fd: fd}, nil
}

func (s *unixSocket) Read(buffer []byte) (int, error) {
	for {
		n, err := syscall.Read(s.fd, buffer)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (s *unixSocket) Write(data []byte) (int, error) {
	written := 0
	for written < len(data) {
		n, err := syscall.Write(s.fd, data[written:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

func (s *unixSocket) Close() error { return syscall.Close(s.fd) }

// connectToApp connects to the first endpoint that passes its checks and answers.
func connectToApp(endpoints []endpoint) (*unixSocket, error) {
	uid := os.Getuid()
	var unsafe error
	for _, at := range endpoints {
		if err := checkSocket(at, uid); err != nil {
			var refused *unsafeEndpoint
			if errors.As(err, &refused) && unsafe == nil {
				unsafe = err
			}
			continue // missing: try the next place
		}
		conn, err := dialUnix(at.path)
		if err == nil {
			return conn, nil
		}
		// A socket file nobody listens on (the app crashed): try the next place.
	}
	if unsafe != nil {
		return nil, &notRunning{unsafe.Error()}
	}
	where := "its socket"
	if len(endpoints) > 0 {
		where = endpoints[0].path
	}
	return nil, &notRunning{"Tessera is not running (nothing at " + where + "). Start it (the Tessera app, or npm start) and try again."}
}

// wireError is an error as it crosses the channel.
type wireError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// answerLine is one line from the app: a notice while it waits for a person, or the answer.
type answerLine struct {
	Notice *struct {
		Message string `json:"message"`
	} `json:"notice"`
	Ok    *bool           `json:"ok"`
	Value json.RawMessage `json:"value"`
	Error *wireError      `json:"error"`
}

// maxAnswerBytes bounds one answer line: a token answer is a few kilobytes.
const maxAnswerBytes = 1 << 20

// request sends one request line and reads lines until the answer, passing notices to onNotice.
// It returns the value, or the app's error.
func request(conn io.ReadWriteCloser, line []byte, onNotice func(string)) (json.RawMessage, *wireError, error) {
	defer conn.Close()
	if _, err := conn.Write(line); err != nil {
		return nil, nil, connectionFailed(err)
	}
	reader := bufio.NewReaderSize(conn, 16*1024)
	for {
		text, err := readLine(reader)
		if err != nil {
			return nil, nil, err
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		var message answerLine
		if json.Unmarshal(text, &message) != nil {
			return nil, nil, unreadable{}
		}
		switch {
		case message.Notice != nil:
			onNotice(message.Notice.Message)
		case message.Ok != nil && *message.Ok:
			return message.Value, nil, nil
		case message.Ok != nil && message.Error != nil:
			return nil, message.Error, nil
		}
	}
}

// readLine reads one newline-terminated line of at most maxAnswerBytes.
func readLine(reader *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := reader.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxAnswerBytes {
			return nil, unreadable{}
		}
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, &notRunning{"Tessera closed the connection before answering (did it quit?). Try again."}
		default:
			return nil, connectionFailed(err)
		}
	}
}

// connectionFailed names the system error as the Node client does (ECONNRESET, EPIPE…).
func connectionFailed(err error) error {
	name := "Error"
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.ECONNRESET:
			name = "ECONNRESET"
		case syscall.EPIPE:
			name = "EPIPE"
		case syscall.ECONNREFUSED:
			name = "ECONNREFUSED"
		case syscall.ETIMEDOUT:
			name = "ETIMEDOUT"
		}
	}
	return &notRunning{"The connection to Tessera failed (" + name + "). Try again."}
}
