//! `benchproof serve` and `benchproof admin-password` through the real binary: an admin whose
//! password the CLI set logs in to the running server's admin pages.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use crate::{bp, code, stderr};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Answers a login form POST: (status line, headers).
fn login(addr: &str, user: &str, password: &str) -> String {
    let body = format!("user={user}&password={}", password.replace(' ', "+"));
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "POST /admin/login HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn an_admin_password_set_by_the_cli_logs_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let env = |c: &mut Command| {
        c.env_remove("BENCHPROOF_HOME").env("BENCHPROOF_DEPT_PASSPHRASE", "department passphrase");
    };

    // No password given, or a short one: a usage error that says what to do, nothing stored.
    let o = bp(d, &["admin-password", "alice"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("--password-file FILE or set BENCHPROOF_ADMIN_PASSWORD"), "{}", stderr(&o));
    let short = d.join("short.txt");
    std::fs::write(&short, "tooshort\n").unwrap();
    let o = bp(d, &["admin-password", "alice", "--password-file", short.to_str().unwrap()]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("shorter than 12 characters"), "{}", stderr(&o));

    let pw = d.join("pw.txt");
    std::fs::write(&pw, "correct horse battery\nignored second line\n").unwrap();
    let o = bp(d, &["admin-password", "alice", "--password-file", pw.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let mut init = Command::new(env!("CARGO_BIN_EXE_benchproof"));
    env(&mut init);
    let o = init.arg("--data-dir").arg(d).args(["dept", "init", "--name", "Dept. of Physics"]).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut serve = Command::new(env!("CARGO_BIN_EXE_benchproof"));
    env(&mut serve);
    let child = serve
        .arg("--data-dir")
        .arg(d)
        .args(["--json", "serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let mut line = String::new();
    BufReader::new(server.0.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).expect("the server prints where it listens");
    let addr = ready["listening"].as_str().unwrap().to_owned();

    let refused = login(&addr, "alice", "wrong password here");
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    let ok = login(&addr, "alice", "correct horse battery");
    assert!(ok.starts_with("HTTP/1.1 303"), "{ok}");
    assert!(ok.to_ascii_lowercase().contains("set-cookie: bp_admin="), "{ok}");

    // Changing it while the server runs takes effect at the next login.
    std::fs::write(&pw, "another long passphrase\n").unwrap();
    let o = bp(d, &["admin-password", "alice", "--password-file", pw.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(login(&addr, "alice", "correct horse battery").starts_with("HTTP/1.1 401"));
    assert!(login(&addr, "alice", "another long passphrase").starts_with("HTTP/1.1 303"));
}
