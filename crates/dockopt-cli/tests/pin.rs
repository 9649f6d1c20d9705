//! `dockopt pin` against a real registry: Debian's `docker-registry` (the
//! CNCF distribution registry) started on a loopback port, with images
//! pushed by `skopeo` from OCI layouts written here. Tests that need them
//! skip with a message when they are missing, and fail under `CI=true`.
//! The token-auth test runs a small fake registry and always runs.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Proc, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use sha2::Digest;

fn dockopt(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("dockopt").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .env("DOCKER_CONFIG", dir.join(".no-docker-config"))
        .env_remove("DOCKOPT_REGISTRY_MIRROR");
    c
}

fn which(tool: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|d| d.join(tool))
        .find(|p| p.is_file())
}

/// The registry and skopeo, or a visible skip (a failure under CI).
fn tools(test: &str) -> Option<(PathBuf, PathBuf)> {
    if let (Some(r), Some(s)) = (which("docker-registry"), which("skopeo")) {
        Some((r, s))
    } else {
        {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: docker-registry and skopeo are required under CI (apt-get install docker-registry skopeo)"
            );
            eprintln!("SKIPPED {test}: install docker-registry and skopeo to run it");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sha256(bytes: &[u8]) -> String {
    let hex = sha2::Sha256::digest(bytes)
        .iter()
        .fold(String::new(), |mut acc, b| {
            let _ = write!(acc, "{b:02x}");
            acc
        });
    format!("sha256:{hex}")
}

struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    fn start(bin: &Path, tls: Option<(&Path, &Path)>, htpasswd: Option<&Path>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cfg = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
            dir.path().join("data").display()
        );
        if let Some((cert, key)) = tls {
            let _ = write!(
                cfg,
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            );
        }
        if let Some(h) = htpasswd {
            let _ = write!(
                cfg,
                "auth:\n  htpasswd:\n    realm: dockopt-test\n    path: {}\n",
                h.display()
            );
        }
        let cfg_path = dir.path().join("config.yml");
        std::fs::write(&cfg_path, cfg).unwrap();
        let child = Proc::new(bin)
            .arg("serve")
            .arg(&cfg_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let reg = Self {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the registry did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        reg
    }

    fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Writes an OCI layout holding one image per platform (an index when
/// there are several) under `tag`; returns the digest the tag names.
fn layout(dir: &Path, tag: &str, platforms: &[&str], salt: &str) -> String {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    let put = |bytes: &[u8]| {
        let d = sha256(bytes);
        std::fs::write(blobs.join(&d[7..]), bytes).unwrap();
        (d, bytes.len())
    };
    // An empty tar: two zero blocks.
    let layer = vec![0u8; 1024];
    let (layer_d, layer_n) = put(&layer);
    let mut manifests = Vec::new();
    for p in platforms {
        let (os, arch) = p.split_once('/').unwrap();
        let config = format!(
            r#"{{"architecture":"{arch}","os":"{os}","config":{{"Labels":{{"salt":"{salt}"}}}},"rootfs":{{"type":"layers","diff_ids":["{layer_d}"]}}}}"#
        );
        let (cd, cn) = put(config.as_bytes());
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":{cn}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer_d}","size":{layer_n}}}]}}"#
        );
        let (md, mn) = put(manifest.as_bytes());
        manifests.push((md, mn, os.to_string(), arch.to_string()));
    }
    let (top, top_n, media) = if let [(md, mn, _, _)] = manifests.as_slice() {
        (
            md.clone(),
            *mn,
            "application/vnd.oci.image.manifest.v1+json",
        )
    } else {
        let entries: Vec<String> = manifests
            .iter()
            .map(|(d, n, os, arch)| {
                format!(
                    r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d}","size":{n},"platform":{{"architecture":"{arch}","os":"{os}"}}}}"#
                )
            })
            .collect();
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
            entries.join(",")
        );
        let (d, n) = put(index.as_bytes());
        (d, n, "application/vnd.oci.image.index.v1+json")
    };
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    std::fs::write(
        dir.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{media}","digest":"{top}","size":{top_n},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}]}}"#
        ),
    )
    .unwrap();
    top
}

/// Pushes a fresh image to `dest` (`host/name:tag`); returns its digest.
fn push(skopeo: &Path, dest: &str, platforms: &[&str], salt: &str, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let digest = layout(dir.path(), "t", platforms, salt);
    let out = Proc::new(skopeo)
        .args(["copy", "--quiet", "--all", "--preserve-digests"])
        .args(["--dest-tls-verify=false"])
        .args(extra)
        .arg(format!("oci:{}:t", dir.path().display()))
        .arg(format!("docker://{dest}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "skopeo copy to {dest}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    digest
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario, step by step
fn pins_index_and_manifest_digests_and_check_needs_no_network() {
    let Some((registry, skopeo)) = tools("pins_index_and_manifest_digests") else {
        return;
    };
    let reg = Registry::start(&registry, None, None);
    let host = reg.host();
    let single = push(
        &skopeo,
        &format!("{host}/team/app:1"),
        &["linux/amd64"],
        "a",
        &[],
    );
    let multi = push(
        &skopeo,
        &format!("{host}/team/multi:2"),
        &["linux/amd64", "linux/arm64"],
        "b",
        &[],
    );
    let tools_d = push(
        &skopeo,
        &format!("{host}/tools:latest"),
        &["linux/amd64"],
        "c",
        &[],
    );

    let work = tempfile::tempdir().unwrap();
    let df = format!(
        "# syntax=docker/dockerfile:1\n# FROM {host}/team/app:1 stays a comment\nARG PY=3.12\nFROM --platform=linux/arm64 {host}/team/multi:2 AS build\nRUN --mount=type=bind,from={host}/tools,target=/t \\\n    true\n\nFROM {host}/team/app:1\nCOPY --from=build /a /a\nCOPY --from={host}/team/multi:2 /b /b\nFROM python:${{PY}}-slim\nFROM scratch\n"
    );
    std::fs::write(work.path().join("Dockerfile"), &df).unwrap();

    // --diff and --check write nothing.
    let (code, out, _) = run(dockopt(work.path()).args(["pin", "--diff"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("+FROM {host}/team/app:1@{single}")),
        "{out}"
    );
    assert!(!work.path().join("dockopt.lock").exists());
    let (code, out, _) = run(dockopt(work.path()).args(["pin", "--check"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("team/app:1 is not pinned"), "{out}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("Dockerfile")).unwrap(),
        df
    );

    let (code, out, err) = run(dockopt(work.path()).arg("pin"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        err.contains("python:${PY}-slim depends on build arguments")
            && err.contains("left as it is"),
        "{err}"
    );
    let pinned = std::fs::read_to_string(work.path().join("Dockerfile")).unwrap();
    let want = df
        .replace(
            &format!("FROM --platform=linux/arm64 {host}/team/multi:2 AS"),
            &format!("FROM --platform=linux/arm64 {host}/team/multi:2@{multi} AS"),
        )
        .replace(
            &format!("from={host}/tools,"),
            &format!("from={host}/tools:latest@{tools_d},"),
        )
        .replace(
            &format!("\nFROM {host}/team/app:1\n"),
            &format!("\nFROM {host}/team/app:1@{single}\n"),
        )
        .replace(
            &format!("--from={host}/team/multi:2 "),
            &format!("--from={host}/team/multi:2@{multi} "),
        );
    assert_eq!(pinned, want);
    let lock: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(work.path().join("dockopt.lock")).unwrap())
            .unwrap();
    let images = lock["images"].as_array().unwrap();
    assert_eq!(images.len(), 3, "{lock}");
    let multi_entry = images.iter().find(|e| e["tag"] == "2").unwrap();
    assert_eq!(multi_entry["repository"], format!("{host}/team/multi"));
    assert_eq!(multi_entry["digest"], multi.as_str());
    assert_eq!(
        multi_entry["media-type"],
        "application/vnd.oci.image.index.v1+json"
    );
    assert_eq!(multi_entry["resolved"], "2026-01-01T00:00:00Z");
    assert_eq!(
        multi_entry["platforms"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    let single_entry = images.iter().find(|e| e["tag"] == "1").unwrap();
    assert!(single_entry.get("platforms").is_none(), "{single_entry}");
    // A platform the index lacks: a warning from pin, a finding offline.
    let other = tempfile::tempdir().unwrap();
    std::fs::copy(
        work.path().join("dockopt.lock"),
        other.path().join("dockopt.lock"),
    )
    .unwrap();
    std::fs::write(
        other.path().join("Dockerfile"),
        format!("FROM --platform=linux/s390x {host}/team/multi:2\n"),
    )
    .unwrap();
    let (code, _, err) = run(dockopt(other.path()).arg("pin"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("has no linux/s390x image (it has linux/amd64, linux/arm64)"),
        "{err}"
    );
    let (code, out, _) = run(dockopt(other.path()).args(["check", "--select", "base-digest"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("has no linux/s390x image"), "{out}");

    // A second run changes nothing and needs no network.
    let (code, out, _) = run(dockopt(work.path()).args(["pin", "--diff"]));
    assert_eq!((code, out.as_str()), (0, ""));

    // The tag moves: --check sees it, plain pin keeps the lock's digest,
    // --update takes the new one.
    let moved = push(
        &skopeo,
        &format!("{host}/team/app:1"),
        &["linux/amd64"],
        "a2",
        &[],
    );
    let (code, out, _) = run(dockopt(work.path()).args(["pin", "--check"]));
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("but the tag now names {moved}")),
        "{out}"
    );
    let (code, _, _) = run(dockopt(work.path()).arg("pin"));
    assert_eq!(code, 0);
    assert_eq!(
        std::fs::read_to_string(work.path().join("Dockerfile")).unwrap(),
        want
    );
    let (code, out, err) = run(dockopt(work.path()).args(["pin", "--update"]));
    assert_eq!(code, 0, "{out}{err}");
    let updated = std::fs::read_to_string(work.path().join("Dockerfile")).unwrap();
    assert!(updated.contains(&format!("FROM {host}/team/app:1@{moved}\n")));
    let (code, out, _) = run(dockopt(work.path()).args(["pin", "--check"]));
    assert_eq!(code, 0, "{out}");

    // Offline: `check` reads the lock; a hand-edited digest is reported.
    drop(reg);
    let (code, out, _) =
        run(dockopt(work.path()).args(["check", "--select", "base-digest", "--format", "json"]));
    assert_eq!(code, 0, "{out}");
    std::fs::write(
        work.path().join("Dockerfile"),
        updated.replace(&moved, &single),
    )
    .unwrap();
    let (code, out, _) = run(dockopt(work.path()).args(["check", "--select", "base-digest"]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("but dockopt.lock has"), "{out}");
    // An unreachable registry is an error with the place that names it.
    std::fs::write(
        work.path().join("Dockerfile"),
        format!("FROM {host}/team/other:1\n"),
    )
    .unwrap();
    let (code, _, err) = run(dockopt(work.path()).arg("pin"));
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "Dockerfile:1:6: error: cannot resolve {host}/team/other:1"
        )),
        "{err}"
    );
}

#[test]
fn docker_manifest_lists_are_pinned_whole() {
    let Some((registry, skopeo)) = tools("docker_manifest_lists_are_pinned_whole") else {
        return;
    };
    let reg = Registry::start(&registry, None, None);
    let host = reg.host();
    // Pushed as Docker formats: a manifest list of two v2 manifests. A
    // client that did not ask for lists would get the amd64 manifest.
    let dir = tempfile::tempdir().unwrap();
    layout(dir.path(), "t", &["linux/amd64", "linux/arm64"], "docker");
    let dest = format!("docker://{host}/legacy/app:1");
    let out = Proc::new(&skopeo)
        .args(["copy", "--quiet", "--all", "--format", "v2s2"])
        .args(["--dest-tls-verify=false"])
        .arg(format!("oci:{}:t", dir.path().display()))
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = Proc::new(&skopeo)
        .args(["inspect", "--raw", "--tls-verify=false", &dest])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&raw.stdout).into_owned();
    assert!(
        text.contains("application/vnd.docker.distribution.manifest.list.v2+json"),
        "{text}"
    );
    let want = sha256(&raw.stdout);
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("Dockerfile"),
        format!("FROM {host}/legacy/app:1\n"),
    )
    .unwrap();
    let (code, out, err) = run(dockopt(work.path()).arg("pin"));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("Dockerfile")).unwrap(),
        format!("FROM {host}/legacy/app:1@{want}\n")
    );
    let lock = std::fs::read_to_string(work.path().join("dockopt.lock")).unwrap();
    assert!(
        lock.contains(
            "\"media-type\": \"application/vnd.docker.distribution.manifest.list.v2+json\""
        ),
        "{lock}"
    );
}

#[test]
fn examples_pin_through_a_mirror_then_check_offline() {
    let Some((registry, skopeo)) = tools("examples_pin_through_a_mirror") else {
        return;
    };
    let reg = Registry::start(&registry, None, None);
    let host = reg.host();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let work = tempfile::tempdir().unwrap();
    let mut images = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let dir = e.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("Dockerfile")) else {
            continue;
        };
        let dest = work.path().join(dir.file_name().unwrap());
        std::fs::create_dir_all(&dest).unwrap();
        std::fs::write(dest.join("Dockerfile"), &text).unwrap();
        for line in text.lines() {
            if let Some(img) = line.strip_prefix("FROM ") {
                images.insert(img.split_whitespace().next().unwrap().to_string());
            }
        }
    }
    assert!(images.len() >= 4, "{images:?}");
    for img in &images {
        push(
            &skopeo,
            &format!("{host}/library/{img}"),
            &["linux/amd64", "linux/arm64"],
            img,
            &[],
        );
    }
    let (code, out, err) =
        run(dockopt(work.path()).args(["pin", "--registry-mirror", &format!("http://{host}")]));
    assert_eq!(code, 0, "{out}{err}");
    let lock = std::fs::read_to_string(work.path().join("dockopt.lock")).unwrap();
    assert!(
        lock.contains("\"repository\": \"docker.io/library/python\""),
        "{lock}"
    );
    drop(reg);
    let (code, out, _) = run(dockopt(work.path()).args(["check", "--format", "json"]));
    assert!(code <= 1, "{out}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), images.len().max(files.len()));
    for f in files {
        assert!(f["error"].is_null(), "{f}");
        for finding in f["findings"].as_array().unwrap() {
            assert_ne!(finding["name"], "base-digest", "{finding}");
        }
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Proc::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[allow(clippy::too_many_lines)] // one scenario, step by step
fn tls_with_a_throwaway_ca() {
    let Some((registry, skopeo)) = tools("tls_with_a_throwaway_ca") else {
        return;
    };
    if which("openssl").is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "openssl is required under CI"
        );
        eprintln!("SKIPPED tls_with_a_throwaway_ca: openssl is missing");
        return;
    }
    let pki = tempfile::tempdir().unwrap();
    let p = pki.path();
    openssl(
        p,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=dockopt test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ],
    );
    openssl(
        p,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
        ],
    );
    std::fs::write(
        p.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        p,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "srv.crt",
        ],
    );
    let reg = Registry::start(
        &registry,
        Some((&p.join("srv.crt"), &p.join("srv.key"))),
        None,
    );
    let host = reg.host();
    let digest = push(
        &skopeo,
        &format!("{host}/secure/app:1"),
        &["linux/amd64"],
        "tls",
        &[],
    );

    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("Dockerfile"),
        format!("FROM {host}/secure/app:1\n"),
    )
    .unwrap();
    // Without the CA the certificate is not trusted, and the plain-HTTP
    // retry that loopback allows gets no answer from a TLS server.
    let (code, _, err) = run(dockopt(work.path()).args(["pin", "--certs-dir", "/nonexistent"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("https://{host}")) && err.contains(&format!("http://{host}")),
        "{err}"
    );
    let certs = p.join("certs.d");
    std::fs::create_dir_all(certs.join(&host)).unwrap();
    std::fs::copy(p.join("ca.crt"), certs.join(&host).join("ca.crt")).unwrap();
    let (code, out, err) = run(dockopt(work.path())
        .args(["pin", "--certs-dir"])
        .arg(&certs));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(work.path().join("Dockerfile")).unwrap(),
        format!("FROM {host}/secure/app:1@{digest}\n")
    );
}

#[test]
fn basic_auth_from_docker_config_and_a_credential_helper() {
    let Some((registry, skopeo)) = tools("basic_auth_from_docker_config") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hash = bcrypt::hash("s3cret", 4).unwrap();
    let htpasswd = dir.path().join("htpasswd");
    std::fs::write(&htpasswd, format!("ci:{hash}\n")).unwrap();
    let reg = Registry::start(&registry, None, Some(&htpasswd));
    let host = reg.host();
    let digest = push(
        &skopeo,
        &format!("{host}/private/app:1"),
        &["linux/amd64"],
        "auth",
        &["--dest-creds", "ci:s3cret"],
    );
    let work = tempfile::tempdir().unwrap();
    let df = format!("FROM {host}/private/app:1\n");
    std::fs::write(work.path().join("Dockerfile"), &df).unwrap();

    let (code, _, err) = run(dockopt(work.path()).arg("pin"));
    assert_eq!(code, 2);
    assert!(err.contains("docker login"), "{err}");

    // `auths` in config.json, base64 user:password.
    let cfg = dir.path().join("docker");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths": {{"{host}": {{"auth": "Y2k6czNjcmV0"}}}}}}"#),
    )
    .unwrap();
    let (code, out, err) = run(dockopt(work.path()).arg("pin").env("DOCKER_CONFIG", &cfg));
    assert_eq!(code, 0, "{out}{err}");
    assert!(std::fs::read_to_string(work.path().join("Dockerfile"))
        .unwrap()
        .contains(&digest));

    // A credential helper named in credHelpers, run with the host on stdin.
    std::fs::write(work.path().join("Dockerfile"), &df).unwrap();
    std::fs::remove_file(work.path().join("dockopt.lock")).unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let helper = bin.join("docker-credential-dockopttest");
    std::fs::write(
        &helper,
        format!("#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n[ \"$server\" = \"{host}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\necho '{{\"ServerURL\":\"{host}\",\"Username\":\"ci\",\"Secret\":\"s3cret\"}}'\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"credHelpers": {{"{host}": "dockopttest"}}}}"#),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let (code, out, err) = run(dockopt(work.path())
        .arg("pin")
        .env("DOCKER_CONFIG", &cfg)
        .env("PATH", path));
    assert_eq!(code, 0, "{out}{err}");
    assert!(std::fs::read_to_string(work.path().join("Dockerfile"))
        .unwrap()
        .contains(&digest));
}

/// A registry that wants a bearer token from its own `/token`, given for
/// basic credentials, and has no `Docker-Content-Digest` on HEAD until
/// asked with GET (whose body is hashed).
fn fake_token_registry(manifest: &'static str) -> (u16, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        listener.set_nonblocking(false).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        for stream in listener.incoming() {
            if Instant::now() > deadline {
                break;
            }
            let mut stream = stream.unwrap();
            // A TLS handshake (the HTTPS attempt comes first): hang up.
            let mut first = [0u8; 1];
            if stream.peek(&mut first).is_err() || first[0] == 0x16 {
                continue;
            }
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() || request_line.is_empty() {
                continue;
            }
            let mut auth = String::new();
            let mut accept = String::new();
            let mut length = 0usize;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
                let lower = h.to_ascii_lowercase();
                if lower.starts_with("authorization:") {
                    auth = h[14..].trim().to_string();
                }
                if lower.starts_with("accept:") {
                    accept = h[7..].trim().to_string();
                }
                if lower.starts_with("content-length:") {
                    length = h[15..].trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            let body = String::from_utf8_lossy(&body).into_owned();
            let line = request_line.trim().to_string();
            seen.push(format!("{line} | {auth} | {accept} | {body}"));
            let token = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 24\r\nConnection: close\r\n\r\n{\"access_token\":\"tok42\"}";
            let reply = if line.starts_with("POST /token ") {
                // OAuth with an identity token (docker's refresh token).
                if body.contains("grant_type=refresh_token") && body.contains("refresh_token=rt1") {
                    token.to_string()
                } else {
                    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                }
            } else if line.starts_with("GET /token?") {
                if auth == "Basic dTpw" {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{\"token\":\"tok42\"}".to_string()
                } else {
                    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                }
            } else if line.contains("/v2/acme/app/manifests/1 ") {
                if auth == "Bearer tok42" {
                    let body = if line.starts_with("GET") {
                        manifest
                    } else {
                        ""
                    };
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        manifest.len()
                    )
                } else {
                    format!("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fake\",scope=\"repository:acme/app:pull\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                }
            } else if line.starts_with("QUIT") {
                break;
            } else {
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_string()
            };
            let _ = stream.write_all(reply.as_bytes());
            let _ = stream.flush();
            if seen.iter().filter(|s| s.starts_with("GET /v2/")).count() > 0 {
                break;
            }
        }
        seen
    });
    (port, handle)
}

#[test]
fn identity_tokens_are_exchanged_for_an_access_token() {
    const MANIFEST: &str = r#"{"schemaVersion":2,"manifests":[]}"#;
    let (port, server) = fake_token_registry(MANIFEST);
    let work = tempfile::tempdir().unwrap();
    let cfg = work.path().join("docker");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths": {{"127.0.0.1:{port}": {{"identitytoken": "rt1"}}}}}}"#),
    )
    .unwrap();
    std::fs::write(
        work.path().join("Dockerfile"),
        format!("FROM 127.0.0.1:{port}/acme/app:1\n"),
    )
    .unwrap();
    let (code, out, err) = run(dockopt(work.path()).arg("pin").env("DOCKER_CONFIG", &cfg));
    let seen = server.join().unwrap();
    assert_eq!(code, 0, "{out}{err}\n{seen:#?}");
    assert!(
        seen.iter()
            .any(|s| s.starts_with("POST /token ") && s.contains("service=fake")),
        "{seen:#?}"
    );
    assert!(std::fs::read_to_string(work.path().join("Dockerfile"))
        .unwrap()
        .contains(&sha256(MANIFEST.as_bytes())));
}

#[test]
fn token_auth_and_a_registry_without_the_digest_header() {
    const MANIFEST: &str = r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let (port, server) = fake_token_registry(MANIFEST);
    let work = tempfile::tempdir().unwrap();
    let cfg = work.path().join("docker");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(
        cfg.join("config.json"),
        format!(r#"{{"auths": {{"http://127.0.0.1:{port}/v1/": {{"auth": "dTpw"}}}}}}"#),
    )
    .unwrap();
    std::fs::write(
        work.path().join("Dockerfile"),
        format!("FROM 127.0.0.1:{port}/acme/app:1\n"),
    )
    .unwrap();
    let (code, out, err) = run(dockopt(work.path()).arg("pin").env("DOCKER_CONFIG", &cfg));
    let seen = server.join().unwrap();
    assert_eq!(code, 0, "{out}{err}\n{seen:#?}");
    let want = sha256(MANIFEST.as_bytes());
    assert_eq!(
        std::fs::read_to_string(work.path().join("Dockerfile")).unwrap(),
        format!("FROM 127.0.0.1:{port}/acme/app:1@{want}\n")
    );
    let head = seen.iter().find(|s| s.starts_with("HEAD")).unwrap();
    assert!(
        head.contains("application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json"),
        "{head}"
    );
    assert!(
        seen.iter()
            .any(|s| s.starts_with("GET /token?")
                && s.contains("scope=repository%3Aacme%2Fapp%3Apull")),
        "{seen:#?}"
    );
}
