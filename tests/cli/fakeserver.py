#!/usr/bin/python3
"""fakeserver.py MODE [CHAIN KEY]: a hostile or odd mail server for tests/cli/t0061-probe-hostile.sh.

Listens on a free port of 127.0.0.1 (and only there), prints the port on
the first line of stdout, serves one connection the way MODE misbehaves
(or, for the odd but correct ones, goes through to TLS with CHAIN and
KEY and prints the client's goodbye on the next line), and exits.  It never runs longer than 30 seconds (SIGALRM), so a test
that goes wrong cannot leave it behind.
"""
import signal
import socket
import sys
import time

MODE = sys.argv[1]
signal.alarm(30)

if MODE == "mute-dns":
    # A name server on 127.0.0.1:53 that reads queries and never answers.
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 53))
    print(53, flush=True)
    while True:
        u.recvfrom(4096)

srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
c, _ = srv.accept()
f = c.makefile("rb")


def send(b):
    c.sendall(b)


def line():
    return f.readline(8192)


def tls_then(goodbye):
    """TLS as a server with the chain and key of argv[2] and argv[3];
    prints what the client says first over it (its goodbye)."""
    import ssl

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    s = ctx.wrap_socket(c, server_side=True)
    got = s.recv(100)
    print(got.decode("ascii", "replace").strip(), flush=True)


def smtp_to_starttls(ehlo=b"250-fake.example\r\n250-SIZE 1000\r\n250 STARTTLS\r\n"):
    """Greeting and EHLO; returns after reading the STARTTLS command."""
    send(b"220 fake.example ESMTP\r\n")
    line()
    send(ehlo)
    return line()


try:
    if MODE == "no-starttls":
        smtp_to_starttls(b"250-fake.example\r\n250 SIZE 1000\r\n")
        time.sleep(2)
    elif MODE == "refuse-starttls":
        smtp_to_starttls()
        send(b"554 5.7.0 no TLS for you\r\n")
        line()
    elif MODE == "huge-line":
        # 1 MB without a line end, then one; certbind must stop reading.
        try:
            send(b"220 " + b"a" * (1 << 20) + b"\r\n")
        except OSError:
            pass
    elif MODE == "silence":
        time.sleep(20)
    elif MODE == "early-close":
        pass
    elif MODE == "close-after-greeting":
        send(b"220 fake.example ESMTP\r\n")
    elif MODE == "plaintext-after-starttls":
        smtp_to_starttls()
        send(b"220 go ahead\r\n")
        time.sleep(0.5)
        send(b"250 this is not TLS at all, just text\r\n")
        time.sleep(2)
    elif MODE == "injected-after-starttls":
        smtp_to_starttls()
        send(b"220 go ahead\r\n250 injected\r\n")
        time.sleep(2)
    elif MODE == "close-in-handshake":
        smtp_to_starttls()
        send(b"220 go ahead\r\n")
        c.recv(5)  # the start of the ClientHello
    elif MODE == "silent-handshake":
        smtp_to_starttls()
        send(b"220 go ahead\r\n")
        c.recv(4096)  # the ClientHello, never answered
        time.sleep(20)
    elif MODE == "tls-banner":
        # A TLS alert record where the greeting should be.
        send(b"\x15\x03\x03\x00\x02\x02\x28")
        time.sleep(2)
    elif MODE == "garbage":
        send(b"\x00\xff\xfe garbage \x01\x02\r\n")
        time.sleep(2)
    elif MODE == "escape-greeting":
        send(b"554 \x1b[31mgo away\x07 \xff\r\n")
        time.sleep(2)
    elif MODE == "endless-reply":
        send(b"220 fake.example ESMTP\r\n")
        line()
        try:
            for i in range(100000):
                send(b"250-line %d\r\n" % i)
        except OSError:
            pass
    elif MODE == "trickle":
        # A greeting line every 0.4 s: each read is quick, the whole is not.
        for i in range(50):
            send(b"220-still here %d\r\n" % i)
            time.sleep(0.4)
    elif MODE in ("edge-smtp", "edge-smtp-long"):
        # The longest greeting line allowed (4094 bytes and CR LF), or one
        # byte more; a STARTTLS keyword in lower case on a middle line.
        n = 4094 if MODE == "edge-smtp" else 4095
        send(b"220-" + b"a" * (n - 4) + b"\r\n220 fake.example ESMTP\r\n")
        line()
        send(b"250-fake.example\r\n250-starttls\r\n250 8BITMIME\r\n")
        line()
        send(b"220 go ahead\r\n")
        tls_then(b"QUIT")
    elif MODE == "imap-noise":
        send(b"* OK [CAPABILITY IMAP4rev1] fake IMAP ready\r\n")
        line()
        send(b"* OK noise\r\n* CAPABILITY IMAP4rev1 starttls LOGINDISABLED\r\n"
             b"* 3 EXISTS\r\na1 OK done\r\n")
        line()
        send(b"* OK still here\r\na2 OK begin TLS\r\n")
        tls_then(b"a3 LOGOUT")
    elif MODE == "pop3-no-capa":
        send(b"+OK fake POP3\r\n")
        line()
        send(b"-ERR what is CAPA\r\n")
        line()
        send(b"+OK begin TLS\r\n")
        tls_then(b"QUIT")
    elif MODE == "imap-no-starttls":
        send(b"* OK fake IMAP ready\r\n")
        line()
        send(b"* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK done\r\n")
        time.sleep(2)
    elif MODE == "imap-refuse":
        send(b"* OK fake IMAP ready\r\n")
        line()
        send(b"* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n")
        line()
        send(b"a2 NO [UNAVAILABLE] not today\r\n")
        time.sleep(2)
    elif MODE == "pop3-refuse":
        send(b"+OK fake POP3\r\n")
        line()
        send(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n")
        line()
        send(b"-ERR no STLS here\r\n")
        time.sleep(2)
    else:
        sys.exit("fakeserver.py: unknown mode " + MODE)
except (BrokenPipeError, ConnectionResetError):
    pass
finally:
    c.close()
