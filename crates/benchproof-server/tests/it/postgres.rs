//! A real PostgreSQL for the tests: Debian's binaries, a cluster in a temp dir, started once per
//! test process on a free loopback port, running as `nobody` (the tests may run as root, which
//! PostgreSQL refuses). Each test gets its own database.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

struct Cluster {
    port: u16,
    _dir: tempfile::TempDir,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();

fn bin_dir() -> Result<PathBuf, String> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|_| "PostgreSQL is not installed: run scripts/setup (Debian package `postgresql`)".to_owned())?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
        .ok_or_else(|| "no /usr/lib/postgresql/*/bin/initdb: run scripts/setup (Debian package `postgresql`)".into())
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Runs `program` as `nobody` when we are root, else as ourselves.
fn as_user(program: PathBuf) -> Command {
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
    if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start() -> Result<Cluster, String> {
    let bin = bin_dir()?;
    let dir = tempfile::Builder::new().prefix("bp-pg").tempdir().map_err(|e| e.to_string())?;
    let data = dir.path().join("data");
    std::fs::create_dir(&data).map_err(|e| e.to_string())?;
    run(Command::new("chown").args(["-R", "nobody:nogroup"]).arg(dir.path())).ok();
    run(Command::new("chmod").arg("0755").arg(dir.path())).ok();
    run(as_user(bin.join("initdb")).args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"]).arg(&data))?;
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let opts = format!(
        "-c listen_addresses=127.0.0.1 -c port={port} -k {} -c fsync=off -c max_connections=200",
        dir.path().display()
    );
    run(as_user(bin.join("pg_ctl"))
        .args(["-w", "-D"])
        .arg(&data)
        .args(["-l"])
        .arg(dir.path().join("log"))
        .args(["-o", &opts, "start"]))?;
    // Stop the cluster when this test process exits, however it exits.
    let stop = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; setpriv --reuid=nobody --regid=nogroup --clear-groups -- {pg_ctl} -m immediate -D {data} stop >/dev/null 2>&1 || {pg_ctl} -m immediate -D {data} stop >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        pg_ctl = bin.join("pg_ctl").display(),
        data = data.display(),
        dir = dir.path().display()
    );
    Command::new("setsid")
        .args(["sh", "-c", &stop])
        .spawn()
        .map_err(|e| format!("cannot start the cleanup watcher: {e}"))?;
    Ok(Cluster { port, _dir: dir })
}

/// A fresh database's URL, or why PostgreSQL cannot run here.
pub async fn database() -> Result<String, String> {
    let cluster = CLUSTER.get_or_init(start).as_ref().map_err(Clone::clone)?;
    let name = format!("t{}", uuid::Uuid::now_v7().simple());
    let admin = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.map_err(|e| e.to_string())?;
    Ok(format!("postgres://postgres@127.0.0.1:{}/{name}", cluster.port))
}
