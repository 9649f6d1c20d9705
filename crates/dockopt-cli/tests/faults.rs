//! Fault injection on the file system: what dockopt reads and how it
//! writes. Non-regular files, endless inputs, read-only places, a full
//! disk, owners, extended attributes, hard links and concurrent edits.
//! Tests that need root (chown, mount) skip with a message elsewhere and
//! fail under `CI=true`, which runs as root.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;

/// Long enough for a slow machine, short enough that a hang fails.
const TIMEOUT: Duration = Duration::from_secs(90);

/// "Text file busy", on Linux and the BSDs.
const ETXTBSY: i32 = 26;

const APP: &str = "FROM python:3.12-slim\nADD app.py /app/\nCMD python app.py\n";
const SHELL_CMD: &[u8] = b"FROM alpine\nCMD run\n";
const EXEC_CMD: &[u8] = b"FROM alpine\nCMD [\"run\"]\n";

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir)
        .env_remove("DOCKOPT_INJECT_PANIC")
        .env_remove("DOCKOPT_INJECT_CONCURRENT_EDIT")
        .env("NO_COLOR", "1")
        .timeout(TIMEOUT);
    c
}

fn write(dir: &Path, rel: &str, content: &[u8]) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, content).unwrap();
    p
}

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(c: &mut Command) -> Output {
    let mut tries = 0;
    let out = loop {
        match c.output() {
            // A binary just copied may still be open in a child forked by
            // another test, until that child execs.
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && tries < 50 => {
                tries += 1;
                std::thread::sleep(Duration::from_millis(20));
            }
            r => break r.unwrap(),
        }
    };
    Output {
        code: out.status.code().expect("dockopt was killed (a hang?)"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// `run` for a command whose standard input is set (assert_cmd replaces it).
fn run_with_stdin(mut c: StdCommand) -> Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipes = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        let (mut out, mut err) = (String::new(), String::new());
        pipes.0.read_to_string(&mut out).unwrap();
        pipes.1.read_to_string(&mut err).unwrap();
        (out, err)
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("dockopt did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (stdout, stderr) = reader.join().unwrap();
    Output {
        code: status.code().expect("dockopt was killed"),
        stdout,
        stderr,
    }
}

fn json(c: &mut Command) -> (i32, Value) {
    let out = run(c.args(["--format", "json"]));
    let v = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", out.stdout, out.stderr));
    (out.code, v)
}

fn file<'a>(json: &'a Value, path: &str) -> &'a Value {
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("{path} missing: {json:#}"))
}

fn error_of(json: &Value, path: &str) -> String {
    file(json, path)["error"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} has no error: {json:#}"))
        .to_string()
}

fn mkfifo(p: &Path) {
    let ok = StdCommand::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

fn is_root() -> bool {
    let probe = tempfile::tempfile().unwrap();
    probe.metadata().unwrap().uid() == 0
}

/// Whether a root-only test can run; if not, says so, and fails in CI.
fn root_or_skip(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test} needs root, as CI has"
    );
    eprintln!("skipped: {test} needs root");
    false
}

/// Names of the files in a directory, sorted: no temporary file is left.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A small tmpfs, unmounted on drop.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(test: &str, size: &str) -> Option<Self> {
        if !root_or_skip(test) {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = StdCommand::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size},mode=0755")])
            .arg("tmpfs")
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: mount -t tmpfs failed"
            );
            eprintln!("skipped: {test}: mount -t tmpfs failed");
            return None;
        }
        Some(Self { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn remount_read_only(&self) {
        let ok = StdCommand::new("mount")
            .args(["-o", "remount,ro"])
            .arg(self.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount read-only");
    }

    /// Fills the file system to the last byte.
    fn fill(&self) {
        use std::io::Write;
        let mut f = fs::File::create(self.path().join("filler")).unwrap();
        let block = vec![b'#'; 4096];
        while f.write_all(&block).is_ok() {}
        while f.write_all(b"#").is_ok() {}
        let _ = f.sync_all();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = StdCommand::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_fifo_never_blocks_a_batch() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "Dockerfile", SHELL_CMD);
    mkfifo(&d.path().join("fifo.Dockerfile"));
    // Named on the command line: a clear error, and the batch goes on.
    let (code, v) = json(dockopt(d.path()).args(["check", "fifo.Dockerfile", "Dockerfile"]));
    assert_eq!(code, 2);
    assert_eq!(
        error_of(&v, "fifo.Dockerfile"),
        "error: not a regular file (a FIFO)"
    );
    assert_eq!(
        file(&v, "Dockerfile")["findings"].as_array().unwrap().len(),
        1
    );
    // Found by the walk: not a Dockerfile, skipped, and so are symlinks to
    // it and to a directory.
    std::os::unix::fs::symlink("fifo.Dockerfile", d.path().join("link.Dockerfile")).unwrap();
    fs::create_dir(d.path().join("dir")).unwrap();
    std::os::unix::fs::symlink("dir", d.path().join("dir.Dockerfile")).unwrap();
    let (code, v) = json(dockopt(d.path()).args(["check"]));
    assert_eq!(code, 1);
    assert_eq!(v["files"].as_array().unwrap().len(), 1, "{v:#}");
    // `parse` reads the same way.
    let out = run(dockopt(d.path()).args(["parse", "fifo.Dockerfile"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("fifo.Dockerfile: error: not a regular file (a FIFO)"),
        "{}",
        out.stderr
    );
}

#[test]
fn fifos_around_a_dockerfile_never_block() {
    let d = tempfile::tempdir().unwrap();
    // A build-context file the transforms read.
    write(d.path(), "Dockerfile", b"FROM alpine\nADD app.py /app/\n");
    mkfifo(&d.path().join("app.py"));
    let out = run(dockopt(d.path()).args(["check", "--format", "github"]));
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("DKR009"), "{}", out.stdout);
    // The ignore file and the configuration: errors, not hangs.
    mkfifo(&d.path().join(".dockerignore"));
    let (code, v) = json(dockopt(d.path()).args(["check"]));
    assert_eq!(code, 2);
    assert!(
        error_of(&v, "Dockerfile").ends_with(".dockerignore: error: not a regular file (a FIFO)"),
        "{v:#}"
    );
    fs::remove_file(d.path().join(".dockerignore")).unwrap();
    // A configuration error stops the run before any file, reported once.
    mkfifo(&d.path().join(".dockopt.yaml"));
    let out = run(dockopt(d.path()).args(["check", "--format", "json"]));
    assert_eq!(out.code, 2);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        ".dockopt.yaml: error: not a regular file (a FIFO)\n"
    );
    let out = run(dockopt(d.path()).args(["check", "--config", ".dockopt.yaml"]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("not a regular file (a FIFO)"),
        "{}",
        out.stderr
    );
}

#[test]
fn devices_and_endless_input_stop_at_the_limit() {
    let d = tempfile::tempdir().unwrap();
    let out = run(dockopt(d.path()).args(["check", "/dev/zero"]));
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "/dev/zero: error: not a regular file (a character device)\n"
    );
    assert!(!out.stdout.contains("All clean"), "{}", out.stdout);
    // Standard input is read up to the limit and no further; under a
    // memory limit, so that reading it whole fails rather than fills memory.
    let bin = assert_cmd::cargo::cargo_bin("dockopt");
    let mut c = StdCommand::new("sh");
    c.arg("-c")
        .arg("ulimit -v 2000000 && exec \"$0\" check -")
        .arg(bin)
        .current_dir(d.path())
        .stdin(fs::File::open("/dev/zero").unwrap());
    let out = run_with_stdin(c);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        "-: error: file too large to be a Dockerfile (larger than 16 MiB)\n"
    );
    // A regular file over the limit is refused from its size.
    let big = fs::File::create(d.path().join("Dockerfile")).unwrap();
    big.set_len(1 << 40).unwrap(); // sparse: a terabyte of nothing
    let (code, v) = json(dockopt(d.path()).args(["check", "Dockerfile"]));
    assert_eq!(code, 2);
    assert_eq!(
        error_of(&v, "Dockerfile"),
        "error: file too large to be a Dockerfile (larger than 16 MiB)"
    );
}

#[test]
fn a_socket_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let _listener = std::os::unix::net::UnixListener::bind(d.path().join("Dockerfile")).unwrap();
    let (code, v) = json(dockopt(d.path()).args(["check", "Dockerfile"]));
    assert_eq!(code, 2);
    assert_eq!(
        error_of(&v, "Dockerfile"),
        "error: not a regular file (a socket)"
    );
    // And skipped by the walk.
    let out = run(dockopt(d.path()).args(["check"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

const NOBODY: u32 = 65534;

/// dockopt run as the user nobody (the caller is root), from a copy of the
/// binary beside `dir`, whose parent nobody may enter: the build directory
/// may be one nobody cannot reach.
fn as_nobody(dir: &Path) -> Command {
    use std::os::unix::process::CommandExt;
    let bin = dir.parent().unwrap().join("dockopt");
    if !bin.exists() {
        fs::copy(assert_cmd::cargo::cargo_bin("dockopt"), &bin).unwrap();
    }
    let mut c = StdCommand::new(bin);
    c.uid(NOBODY)
        .gid(NOBODY)
        .current_dir(dir)
        .env("NO_COLOR", "1");
    let mut c = Command::from_std(c);
    c.timeout(TIMEOUT);
    c
}

/// A scratch directory that nobody may enter and write.
fn nobodys_dir() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let d = root.path().join("work");
    fs::create_dir(&d).unwrap();
    std::os::unix::fs::chown(&d, Some(NOBODY), Some(NOBODY)).unwrap();
    (root, d)
}

#[test]
fn another_users_file_is_not_replaced_without_write_access() {
    if !root_or_skip("another_users_file_is_not_replaced_without_write_access") {
        return;
    }
    let (_root, d) = nobodys_dir();
    // root's file, readable by all, in a directory nobody may write.
    let a = write(&d, "a/Dockerfile", SHELL_CMD);
    std::os::unix::fs::chown(a.parent().unwrap(), Some(NOBODY), Some(NOBODY)).unwrap();
    // root's file that nobody may write through its group: written, with
    // the group kept; the owner cannot be.
    let b = write(&d, "b/Dockerfile", SHELL_CMD);
    std::os::unix::fs::chown(b.parent().unwrap(), Some(NOBODY), Some(NOBODY)).unwrap();
    std::os::unix::fs::chown(&b, Some(0), Some(NOBODY)).unwrap();
    fs::set_permissions(&b, fs::Permissions::from_mode(0o664)).unwrap();
    let out = run(as_nobody(&d).args(["fix", "--unsafe"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(
        out.stderr,
        "a/Dockerfile: error: cannot write: Permission denied (os error 13)\n"
    );
    assert_eq!(fs::read(&a).unwrap(), SHELL_CMD);
    assert_eq!(fs::metadata(&a).unwrap().uid(), 0);
    assert_eq!(fs::read(&b).unwrap(), EXEC_CMD);
    let meta = fs::metadata(&b).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (NOBODY, NOBODY));
    assert_eq!(meta.permissions().mode() & 0o7777, 0o664);
}

#[test]
fn a_read_only_directory_is_not_written() {
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let d = root.path().join("ro");
    fs::create_dir(&d).unwrap();
    let p = write(&d, "Dockerfile", APP.as_bytes());
    write(&d, "app.py", b"print(1)\n");
    fs::set_permissions(&d, fs::Permissions::from_mode(0o555)).unwrap();
    let mut cmd = if is_root() {
        // Root writes anywhere: run as nobody, who owns the files.
        for f in [&d, &p, &d.join("app.py")] {
            std::os::unix::fs::chown(f, Some(NOBODY), Some(NOBODY)).unwrap();
        }
        as_nobody(&d)
    } else {
        dockopt(&d)
    };
    let out = run(cmd.args(["fix"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("Dockerfile: error: cannot write: Permission denied"),
        "{}",
        out.stderr
    );
    assert!(
        out.stdout
            .ends_with("; 2 remain; 1 file(s) could not be fixed.\n"),
        "{}",
        out.stdout
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), APP);
    assert_eq!(names(&d), ["Dockerfile", "app.py"]);
}

#[test]
fn a_read_only_file_system_is_not_written() {
    let Some(fs_) = Tmpfs::mount("a_read_only_file_system_is_not_written", "1m") else {
        return;
    };
    let p = write(fs_.path(), "Dockerfile", APP.as_bytes());
    write(fs_.path(), "app.py", b"print(1)\n");
    fs_.remount_read_only();
    let (code, v) = json(dockopt(fs_.path()).args(["fix"]));
    assert_eq!(code, 2);
    assert!(
        error_of(&v, "Dockerfile").contains("Read-only file system"),
        "{v:#}"
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), APP);
}

#[test]
fn a_full_disk_leaves_every_file_as_it_was() {
    let Some(fs_) = Tmpfs::mount("a_full_disk_leaves_every_file_as_it_was", "256k") else {
        return;
    };
    let d = fs_.path();
    let dockerfile =
        b"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD python app.py\n".as_slice();
    let p = write(d, "Dockerfile", dockerfile);
    write(d, "app.py", b"print(1)\n");
    write(d, ".env", b"SECRET=1\n");
    fs_.fill();
    let out = run(dockopt(d).args(["fix", "--unsafe", "--dockerignore"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert_eq!(fs::read(&p).unwrap(), dockerfile);
    // No empty or partial .dockerignore, and no temporary file.
    assert_eq!(names(d), [".env", "Dockerfile", "app.py", "filler"]);
    assert!(
        out.stderr.contains(
            "Dockerfile: error: cannot write: No space left on device (os error 28)\n\
             error: .dockerignore: cannot write: No space left on device (os error 28)\n"
        ),
        "{}",
        out.stderr
    );
    // Both findings remain: the exec form and the .dockerignore.
    assert!(
        out.stdout.ends_with(
            "Fixed 0 finding(s) in 0 file(s); 2 remain; 1 file(s) could not be fixed.\n"
        ),
        "{}",
        out.stdout
    );
    // The same, in the JSON report.
    let (code, v) = json(dockopt(d).args(["fix", "--unsafe", "--dockerignore"]));
    assert_eq!(code, 2);
    let f = file(&v, "Dockerfile");
    assert_eq!(f["changed"], false);
    assert_eq!(f["findings"].as_array().unwrap().len(), 2, "{v:#}");
    assert!(f["fixed"].as_array().unwrap().is_empty(), "{v:#}");
    assert_eq!(names(d), [".env", "Dockerfile", "app.py", "filler"]);
    // Once there is room, both are written.
    fs::remove_file(d.join("filler")).unwrap();
    let out = run(dockopt(d).args(["fix", "--unsafe", "--dockerignore"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(fs::read_to_string(d.join(".dockerignore"))
        .unwrap()
        .contains(".env\n"));
}

#[test]
fn a_new_dockerignore_gets_an_ordinary_mode() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "Dockerfile",
        b"FROM python:3.12-slim\nCOPY . /app\nCMD [\"python\", \"/app/app.py\"]\n",
    );
    write(d.path(), ".env", b"SECRET=1\n");
    let out = run(dockopt(d.path()).args(["fix", "--dockerignore"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o7777;
    // The mode any new file gets under the umask, not a temporary file's 0600.
    let fresh = write(d.path(), "fresh", b"");
    assert_eq!(mode(&d.path().join(".dockerignore")), mode(&fresh));
}

#[test]
fn owner_group_mode_and_xattrs_are_kept() {
    if !root_or_skip("owner_group_mode_and_xattrs_are_kept") {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let p = write(d.path(), "Dockerfile", SHELL_CMD);
    std::os::unix::fs::chown(&p, Some(1234), Some(5678)).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o664)).unwrap();
    let xattrs = xattr::set(&p, "user.dockopt.test", b"kept").is_ok();
    if !xattrs {
        eprintln!("skipped: user xattrs are not supported here");
    }
    let out = run(dockopt(d.path()).args(["fix", "--unsafe"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(fs::read(&p).unwrap(), EXEC_CMD);
    let meta = fs::metadata(&p).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (1234, 5678));
    assert_eq!(meta.permissions().mode() & 0o7777, 0o664);
    if xattrs {
        assert_eq!(
            xattr::get(&p, "user.dockopt.test").unwrap().as_deref(),
            Some(&b"kept"[..])
        );
    }
}

#[test]
fn hard_links_are_refused_and_kept() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "a/Dockerfile", SHELL_CMD);
    fs::hard_link(&a, d.path().join("a/Dockerfile.orig-link")).unwrap();
    let b = write(d.path(), "b/Dockerfile", SHELL_CMD);
    let out = run(dockopt(d.path()).args(["fix", "--unsafe", "a/Dockerfile", "b/Dockerfile"]));
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "a/Dockerfile: error: not written: the file has 2 hard links, and replacing it \
             would break them (the other names would keep the old text)"
        ),
        "{}",
        out.stderr
    );
    // Still one file under two names, unchanged; the other file is fixed.
    assert_eq!(fs::read(&a).unwrap(), SHELL_CMD);
    assert_eq!(fs::metadata(&a).unwrap().nlink(), 2);
    assert_eq!(fs::read(&b).unwrap(), EXEC_CMD);
    assert!(
        out.stdout.contains("Fixed b/Dockerfile: 1 fix(es)")
            && out.stdout.contains("a/Dockerfile:2:1: DKR008 exec-form")
            && out.stdout.ends_with(
                "Fixed 1 finding(s) in 1 file(s); 1 remain; 1 file(s) could not be fixed.\n"
            ),
        "{}",
        out.stdout
    );
}

#[test]
fn a_file_changed_while_dockopt_runs_is_left_alone() {
    let d = tempfile::tempdir().unwrap();
    let edited_file = write(d.path(), "a/Dockerfile", SHELL_CMD);
    let other = write(d.path(), "b/Dockerfile", SHELL_CMD);
    let (code, v) = json(
        dockopt(d.path())
            .args(["fix", "--unsafe"])
            .env("DOCKOPT_INJECT_CONCURRENT_EDIT", "a/Dockerfile"),
    );
    assert_eq!(code, 2);
    assert_eq!(
        error_of(&v, "a/Dockerfile"),
        "error: not written: the file changed after dockopt read it"
    );
    let edited_report = file(&v, "a/Dockerfile");
    assert_eq!(edited_report["changed"], false);
    assert_eq!(
        edited_report["findings"][0]["not_applied"],
        "fix not applied: not written: the file changed after dockopt read it"
    );
    // The other program's edit is what the file holds.
    let mut edited = SHELL_CMD.to_vec();
    edited.extend_from_slice(b"# edited meanwhile\n");
    assert_eq!(fs::read(&edited_file).unwrap(), edited);
    assert_eq!(names(&d.path().join("a")), ["Dockerfile"]);
    assert_eq!(file(&v, "b/Dockerfile")["changed"], true);
    assert_eq!(fs::read(&other).unwrap(), EXEC_CMD);
}

#[test]
fn a_symlink_is_followed_and_kept() {
    let d = tempfile::tempdir().unwrap();
    let real = write(d.path(), "docker/real.Dockerfile", SHELL_CMD);
    std::os::unix::fs::symlink("docker/real.Dockerfile", d.path().join("Dockerfile")).unwrap();
    let out = run(dockopt(d.path()).args(["fix", "--unsafe", "Dockerfile"]));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(fs::read(&real).unwrap(), EXEC_CMD);
    assert!(fs::symlink_metadata(d.path().join("Dockerfile"))
        .unwrap()
        .file_type()
        .is_symlink());
}
