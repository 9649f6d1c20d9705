//! `dockopt server`, driven over standard input and output as an editor
//! drives it: JSON-RPC messages with `Content-Length` headers.

// Messages are built inline with `json!` at each call.
#![allow(clippy::needless_pass_by_value)]

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_mins(1);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages read but not yet asked for.
    queue: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start(cwd: &Path, args: &[&str]) -> Self {
        let mut child = Command::new(cargo_bin("dockopt"))
            .arg("server")
            .args(args)
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = channel();
        std::thread::spawn(move || loop {
            let mut len = None;
            loop {
                let mut line = String::new();
                if out.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    len = Some(n.parse::<usize>().unwrap());
                }
            }
            let mut body = vec![0; len.expect("Content-Length")];
            out.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Self {
            child,
            stdin,
            rx,
            queue: VecDeque::new(),
            next_id: 0,
        }
    }

    fn send(&mut self, msg: &Value) {
        let body = msg.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message from the server. Requests from the server (such
    /// as registering file watchers) are answered on the way.
    fn next(&mut self) -> Value {
        loop {
            let msg = self
                .rx
                .recv_timeout(TIMEOUT)
                .expect("the server did not answer in time");
            if msg.get("method").is_some() && msg.get("id").is_some() {
                let id = msg["id"].clone();
                self.send(&json!({"jsonrpc": "2.0", "id": id, "result": null}));
                self.queue.push_back(msg);
                continue;
            }
            return msg;
        }
    }

    /// Sends a request and returns its response. Notifications that come
    /// before it stay queued.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.next();
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return msg;
            }
            self.queue.push_back(msg);
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let resp = self.call(method, params);
        assert!(resp.get("error").is_none(), "{method}: {resp}");
        resp["result"].clone()
    }

    /// The next diagnostics published for `uri`, skipping earlier ones.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let pos = self.queue.iter().position(|m| is_diagnostics_for(m, uri));
        if let Some(i) = pos {
            return self.queue.remove(i).unwrap()["params"].clone();
        }
        loop {
            let msg = self.next();
            if is_diagnostics_for(&msg, uri) {
                return msg["params"].clone();
            }
            self.queue.push_back(msg);
        }
    }

    fn initialize(&mut self, capabilities: Value) -> Value {
        let result = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        );
        self.notify("initialized", json!({}));
        result
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    fn code_actions(&mut self, uri: &str, range: Value, only: Option<&[&str]>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    fn stop(mut self) -> ExitStatus {
        let resp = self.call("shutdown", json!(null));
        assert_eq!(resp["result"], Value::Null, "{resp}");
        self.notify("exit", json!(null));
        self.stdin = None;
        wait(&mut self.child)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait(child: &mut Child) -> ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(start.elapsed() < TIMEOUT, "the server did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn is_diagnostics_for(msg: &Value, uri: &str) -> bool {
    msg["method"] == "textDocument/publishDiagnostics" && msg["params"]["uri"] == uri
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// A project directory whose name needs percent-encoding in a URI.
fn project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my app");
    std::fs::create_dir(&dir).unwrap();
    (tmp, dir.canonicalize().unwrap())
}

fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s
}

fn codes(diags: &Value) -> Vec<String> {
    diags["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Applies LSP text edits (UTF-16 positions) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let (line, ch) = (
            pos["line"].as_u64().unwrap(),
            pos["character"].as_u64().unwrap(),
        );
        let mut at = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i as u64 == line {
                let mut units = 0;
                for (j, c) in l.char_indices() {
                    if units >= ch {
                        return at + j;
                    }
                    units += c.len_utf16() as u64;
                }
                return at + l.len();
            }
            at += l.len();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| s.0);
    let mut out = String::new();
    let mut at = 0;
    for (s, e, t) in spans {
        out.push_str(&text[at..s]);
        out.push_str(t);
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// The text edits of an action's workspace edit for `uri`, in either shape.
fn edits_of(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(changes) = edit.get("changes") {
        return changes[uri].as_array().unwrap().clone();
    }
    edit["documentChanges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["textDocument"]["uri"] == uri)
        .flat_map(|c| c["edits"].as_array().unwrap().clone())
        .collect()
}

fn dockopt(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(cargo_bin("dockopt"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

const APK: &str = "FROM alpine\nRUN apk update && apk add curl\nCMD echo hi\n";

#[test]
fn publishes_findings_on_open_and_change() {
    let (_tmp, dir) = project();
    let path = dir.join("Dockerfile");
    std::fs::write(&path, APK).unwrap();
    let uri = uri(&path);
    let mut c = Client::start(&dir, &[]);
    let init = c.initialize(json!({}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["serverInfo"]["name"], "dockopt");

    c.open(&uri, "dockerfile", APK);
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 1);
    assert_eq!(codes(&d), ["DKR003", "DKR008"]);
    let apk = &d["diagnostics"][0];
    assert_eq!(apk["range"], range(1, 18, 1, 21));
    assert_eq!(apk["severity"], 2);
    assert_eq!(apk["source"], "dockopt");
    assert!(apk["message"].as_str().unwrap().contains("(apk)"), "{apk}");

    // The same findings, at the same places, as `dockopt check`.
    let out = dockopt(&dir, &["check", "--format", "json", "Dockerfile"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_check: Vec<(String, u64)> = report["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().into(),
                f["start"]["offset"].as_u64().unwrap(),
            )
        })
        .collect();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(APK.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let from_server: Vec<(String, u64)> = d["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let line = x["range"]["start"]["line"].as_u64().unwrap() as usize;
            let ch = x["range"]["start"]["character"].as_u64().unwrap();
            (
                x["code"].as_str().unwrap().into(),
                line_starts[line] as u64 + ch,
            )
        })
        .collect();
    assert_eq!(from_server, from_check);

    // An edit by range: the apk finding goes.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": range(1, 4, 1, 29), "text": "apk add --no-cache curl"}],
        }),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 2);
    assert_eq!(codes(&d), ["DKR008"]);

    // The whole text: a syntax error is an error.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 3},
            "contentChanges": [{"text": "FROM alpine\nRUN <<EOF\n"}],
        }),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 3);
    assert_eq!(codes(&d), ["syntax-error"]);
    assert_eq!(d["diagnostics"][0]["severity"], 1);

    // Closing clears the diagnostics.
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["diagnostics"], json!([]));
    assert!(c.stop().success());
}

#[test]
fn positions_count_utf16_units_unless_utf8_is_agreed() {
    let (_tmp, dir) = project();
    // The emoji is 4 bytes and 2 UTF-16 units; `é` is 2 bytes and 1 unit.
    let text = "FROM alpine\nRUN echo 'é😀' && apk add curl\n";
    let uri = uri(&dir.join("Dockerfile"));
    let apk_column = |c: &mut Client| {
        c.open(&uri, "dockerfile", text);
        let d = c.diagnostics(&uri);
        let apk = d["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == "DKR003")
            .cloned()
            .unwrap();
        apk["range"]["start"]["character"].as_u64().unwrap()
    };
    let byte = text.lines().nth(1).unwrap().find("apk").unwrap() as u64;

    let mut c = Client::start(&dir, &[]);
    let init = c.initialize(json!({"general": {"positionEncodings": ["utf-16"]}}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(apk_column(&mut c), byte - 1 - 2);
    assert!(c.stop().success());

    let mut c = Client::start(&dir, &[]);
    let init = c.initialize(json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}}));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(apk_column(&mut c), byte);
    // Changes come in the agreed encoding too: by byte columns, `apk add`
    // becomes `apk add --no-cache`, and the finding goes.
    let at = byte as u32;
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": range(1, at, 1, at + 7), "text": "apk add --no-cache"}],
        }),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(d["version"], 2);
    assert_eq!(codes(&d), Vec::<String>::new());
    assert!(c.stop().success());
}

#[test]
fn offers_each_fix_as_a_code_action() {
    let (_tmp, dir) = project();
    let path = dir.join("Dockerfile");
    std::fs::write(&path, APK).unwrap();
    let uri = uri(&path);
    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({}));
    c.open(&uri, "dockerfile", APK);
    c.diagnostics(&uri);

    // On the RUN line: the safe fixes, preferred.
    let actions = c.code_actions(&uri, range(1, 20, 1, 20), None);
    let quick: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    assert!(!quick.is_empty(), "{actions:?}");
    for a in &quick {
        assert_eq!(a["isPreferred"], true, "{a}");
        assert!(!a["title"].as_str().unwrap().contains("unsafe"), "{a}");
        assert_eq!(a["diagnostics"][0]["code"], "DKR003");
    }
    let add = quick
        .iter()
        .find(|a| a["title"] == "Add --no-cache (DKR003 apk)")
        .expect("the --no-cache fix");
    assert_eq!(
        apply(APK, &edits_of(add, &uri)),
        "FROM alpine\nRUN apk update && apk add --no-cache curl\nCMD echo hi\n"
    );

    // On the CMD line: the unsafe fix, labelled and not preferred.
    let actions = c.code_actions(&uri, range(2, 0, 2, 3), Some(&["quickfix"]));
    assert_eq!(actions.len(), 1, "{actions:?}");
    let exec = &actions[0];
    assert!(exec["title"].as_str().unwrap().contains("unsafe"), "{exec}");
    assert_eq!(exec["isPreferred"], false);
    assert_eq!(
        apply(APK, &edits_of(exec, &uri)),
        "FROM alpine\nRUN apk update && apk add curl\nCMD [\"echo\", \"hi\"]\n"
    );

    // Fix all: what `dockopt fix` writes.
    let all = c.code_actions(&uri, range(0, 0, 0, 0), Some(&["source.fixAll"]));
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["kind"], "source.fixAll.dockopt");
    let fixed = apply(APK, &edits_of(&all[0], &uri));
    let out = dockopt(&dir, &["fix", "Dockerfile"]);
    assert!(out.status.code().is_some(), "{out:?}");
    assert_eq!(fixed, std::fs::read_to_string(&path).unwrap());
    assert!(fixed.contains("apk add --no-cache curl"), "{fixed}");
    assert!(fixed.contains("CMD echo hi"), "only safe fixes: {fixed}");

    // Nothing asked for that dockopt offers.
    let none = c.code_actions(&uri, range(1, 0, 1, 0), Some(&["refactor"]));
    assert_eq!(none, Vec::<Value>::new());
    assert!(c.stop().success());
}

#[test]
fn edits_keep_crlf_and_carry_the_version_when_the_client_can() {
    let (_tmp, dir) = project();
    let text = "FROM alpine\r\nRUN mkdir /data\r\nRUN echo hi\r\n";
    let path = dir.join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    let uri = uri(&path);
    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({"workspace": {"workspaceEdit": {"documentChanges": true}}}));
    c.open(&uri, "dockerfile", text);
    c.diagnostics(&uri);
    let actions = c.code_actions(&uri, range(2, 0, 2, 0), Some(&["quickfix"]));
    let merge = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "DKR001")
        .expect("merge-runs");
    let doc = &merge["edit"]["documentChanges"][0]["textDocument"];
    assert_eq!(doc["version"], 1);
    let fixed = apply(text, &edits_of(merge, &uri));
    assert!(!fixed.replace("\r\n", "").contains('\n'), "{fixed:?}");
    dockopt(&dir, &["fix", "Dockerfile"]);
    assert_eq!(fixed, std::fs::read_to_string(&path).unwrap());
    assert!(c.stop().success());
}

#[test]
fn uses_the_configuration_and_build_context_of_check() {
    let (_tmp, dir) = project();
    let text = "FROM python:3.12-slim\nCOPY . /app\nRUN apk update && apk add curl\n";
    let path = dir.join("Dockerfile");
    std::fs::write(&path, text).unwrap();
    std::fs::write(dir.join("app.py"), "print(1)\n").unwrap();
    std::fs::write(dir.join(".env"), "TOKEN=1\n").unwrap();
    std::fs::write(dir.join(".dockopt.yaml"), "ignore: [apk]\n").unwrap();
    let uri = uri(&path);
    let check_codes = || -> Vec<String> {
        let out = dockopt(&dir, &["check", "--format", "json", "Dockerfile"]);
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        report["files"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_string())
            .collect()
    };

    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({"workspace": {
        "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]},
        "didChangeWatchedFiles": {"dynamicRegistration": true},
    }}));
    c.open(&uri, "dockerfile", text);
    let d = c.diagnostics(&uri);
    // The configuration turns apk off; the context has no .dockerignore.
    assert_eq!(codes(&d), check_codes());
    assert!(!codes(&d).contains(&"DKR003".to_string()), "{d}");
    assert!(codes(&d).contains(&"DKR013".to_string()), "{d}");
    // The server asked to hear of file changes.
    let registered = c
        .queue
        .iter()
        .any(|m| m["method"] == "client/registerCapability");
    assert!(registered, "{:?}", c.queue);

    // The proposed .dockerignore, as a file to create.
    let actions = c.code_actions(&uri, range(1, 0, 1, 0), Some(&["quickfix"]));
    let create = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "DKR013")
        .expect("create .dockerignore");
    let ops = create["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(ops[0]["kind"], "create");
    assert_eq!(ops[0]["uri"], self::uri(&dir.join(".dockerignore")));
    assert_eq!(ops[0]["options"]["overwrite"], false);
    assert!(ops[1]["edits"][0]["newText"]
        .as_str()
        .unwrap()
        .contains(".env"));

    // A .dockerignore appears and the configuration changes: the client
    // says so, and the findings follow.
    std::fs::write(dir.join(".dockerignore"), ".env\n").unwrap();
    std::fs::write(dir.join(".dockopt.yaml"), "ignore: []\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": self::uri(&dir.join(".dockerignore")), "type": 1}]}),
    );
    let d = c.diagnostics(&uri);
    assert_eq!(codes(&d), check_codes());
    assert!(codes(&d).contains(&"DKR003".to_string()), "{d}");
    assert!(!codes(&d).contains(&"DKR013".to_string()), "{d}");

    // A configuration that is wrong is an error on the document, naming it.
    std::fs::write(dir.join(".dockopt.yaml"), "ignroe: [apk]\n").unwrap();
    c.notify("workspace/didChangeWatchedFiles", json!({"changes": []}));
    let d = c.diagnostics(&uri);
    let diags = d["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{d}");
    assert_eq!(diags[0]["severity"], 1);
    assert!(
        diags[0]["message"]
            .as_str()
            .unwrap()
            .contains(".dockopt.yaml"),
        "{d}"
    );
    assert!(c.stop().success());
}

#[test]
fn excluded_files_and_other_documents_get_nothing() {
    let (_tmp, dir) = project();
    std::fs::write(dir.join(".dockopt.yaml"), "exclude: [legacy/**]\n").unwrap();
    std::fs::create_dir(dir.join("legacy")).unwrap();
    let legacy = dir.join("legacy/Dockerfile");
    std::fs::write(&legacy, APK).unwrap();
    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({}));
    let py = uri(&dir.join("main.py"));
    c.open(&py, "python", "print(1)\n");
    c.open(&uri(&legacy), "dockerfile", APK);
    // Published before the answer to a later request, if at all.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": py}, "range": range(0, 0, 0, 0), "context": {"diagnostics": []}}),
    );
    assert_eq!(actions, Value::Null);
    assert!(
        !c.queue.iter().any(|m| is_diagnostics_for(m, &py)),
        "{:?}",
        c.queue
    );
    let d = c.diagnostics(&uri(&legacy));
    assert_eq!(d["diagnostics"], json!([]));

    // A Dockerfile known by its name, and one not saved yet.
    let named = uri(&dir.join("Dockerfile.prod"));
    c.open(&named, "plaintext", APK);
    assert_eq!(codes(&c.diagnostics(&named)), ["DKR003", "DKR008"]);
    c.open("untitled:Untitled-1", "dockerfile", APK);
    assert_eq!(
        codes(&c.diagnostics("untitled:Untitled-1")),
        ["DKR003", "DKR008"]
    );
    assert!(c.stop().success());
}

#[test]
fn answers_the_protocol() {
    let (_tmp, dir) = project();
    let mut c = Client::start(&dir, &["--stdio"]);
    c.initialize(json!({}));
    let resp = c.call("textDocument/hover", json!({}));
    assert_eq!(resp["error"]["code"], -32601, "{resp}");
    let resp = c.call("textDocument/codeAction", json!({"nonsense": true}));
    assert_eq!(resp["error"]["code"], -32602, "{resp}");
    assert!(c.stop().success());

    // `exit` without `shutdown` exits 1, as the protocol says.
    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({}));
    c.notify("exit", json!(null));
    c.stdin = None;
    assert_eq!(wait(&mut c.child).code(), Some(1));

    // A client that goes away ends the server.
    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({}));
    c.stdin = None;
    assert!(wait(&mut c.child).code().is_some());
}

#[test]
fn server_flags_choose_the_configuration() {
    let (_tmp, dir) = project();
    std::fs::write(dir.join(".dockopt.yaml"), "ignore: [apk]\n").unwrap();
    std::fs::write(dir.join("strict.yaml"), "select: [DKR003]\n").unwrap();
    let uri = uri(&dir.join("Dockerfile"));
    for (args, want) in [
        (vec![], vec!["DKR008"]),
        (vec!["--no-config"], vec!["DKR003", "DKR008"]),
        (vec!["--config", "strict.yaml"], vec!["DKR003"]),
    ] {
        let mut c = Client::start(&dir, &args);
        c.initialize(json!({}));
        c.open(&uri, "dockerfile", APK);
        assert_eq!(codes(&c.diagnostics(&uri)), want, "{args:?}");
        assert!(c.stop().success());
    }
}

/// A rewrite refused on purpose marks correct code: information, with why.
#[cfg(unix)]
#[test]
fn refused_rewrites_are_information() {
    let (_tmp, dir) = project();
    std::fs::create_dir(dir.join("d")).unwrap();
    std::fs::write(dir.join("d/x"), "hi\n").unwrap();
    let tar = Command::new("tar")
        .args(["czf", "app.tar.gz", "d"])
        .current_dir(&dir)
        .status()
        .unwrap();
    assert!(tar.success());
    let text = "FROM alpine\nADD app.tar.gz /opt/\n";
    let uri = uri(&dir.join("Dockerfile"));
    let mut c = Client::start(&dir, &[]);
    c.initialize(json!({}));
    c.open(&uri, "dockerfile", text);
    let d = c.diagnostics(&uri);
    let add = &d["diagnostics"][0];
    assert_eq!(add["code"], "DKR009", "{d}");
    assert_eq!(add["severity"], 3, "{d}");
    let message = add["message"].as_str().unwrap();
    assert!(
        message.contains("unpacks the archive app.tar.gz"),
        "{message}"
    );
    let actions = c.code_actions(&uri, range(1, 0, 1, 0), None);
    assert_eq!(actions, Vec::<Value>::new());
    assert!(c.stop().success());
}
