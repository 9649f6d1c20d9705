//! `dockopt server`: a language server on standard input and output.
//!
//! It publishes the findings `dockopt check` reports as diagnostics when a
//! Dockerfile is opened or changed, and offers each fix as a code action.
//! It is synchronous: a message is handled before the next is read, and
//! diagnostics are published once no message is waiting, so a burst of
//! keystrokes is checked once.

mod actions;
mod analysis;
mod document;
mod lines;

use std::collections::HashMap;
use std::error::Error;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, RegisterCapability, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesRegistrationOptions,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, FileSystemWatcher, GlobPattern,
    InitializeParams, PublishDiagnosticsParams, Registration, RegistrationParams,
    ResourceOperationKind, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};

use crate::args::{Common, ServerArgs};
use crate::Status;

use actions::EditSupport;
use analysis::{Analysis, Env};
use document::Document;
use lines::Encoding;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

pub fn run(args: &ServerArgs) -> Status {
    let common = match defaults(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Status::Error;
        }
    };
    let (conn, io) = Connection::stdio();
    match serve(&conn, common) {
        Ok(shutdown) => {
            drop(conn);
            let _ = io.join();
            // The protocol: exit code 1 when `exit` came without `shutdown`.
            if shutdown {
                Status::Clean
            } else {
                Status::Findings
            }
        }
        Err(e) => {
            eprintln!("dockopt server: {e}");
            Status::Error
        }
    }
}

/// The options of `dockopt check` with no flags, so that configuration and
/// selection are found exactly as the command line finds them.
fn defaults(args: &ServerArgs) -> std::result::Result<Common, clap::Error> {
    use clap::{Args, FromArgMatches};
    let matches = Common::augment_args(clap::Command::new("server")).try_get_matches_from([""])?;
    let mut common = Common::from_arg_matches(&matches)?;
    common.config.clone_from(&args.config);
    common.no_config = args.no_config;
    Ok(common)
}

/// Serves until `exit`; `true` when `shutdown` came first.
fn serve(conn: &Connection, common: Common) -> Result<bool> {
    let (id, params) = conn.initialize_start()?;
    let init: InitializeParams = serde_json::from_value(params)?;
    let caps = &init.capabilities;
    let enc = Encoding::negotiate(
        caps.general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let ws = caps.workspace.as_ref();
    let edits = ws.and_then(|w| w.workspace_edit.as_ref());
    let support = EditSupport {
        versioned: edits.and_then(|e| e.document_changes) == Some(true),
        create: edits
            .and_then(|e| e.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
    };
    let watch = ws
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        == Some(true);
    let result = serde_json::json!({
        "capabilities": capabilities(enc),
        "serverInfo": {"name": "dockopt", "version": env!("CARGO_PKG_VERSION")},
    });
    conn.initialize_finish(id, result)?;
    let mut server = Server {
        conn,
        enc,
        support,
        common,
        docs: HashMap::new(),
    };
    if watch {
        server.watch_files()?;
    }
    server.main_loop()
}

fn capabilities(enc: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(enc.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::FIX_ALL]),
            resolve_provider: Some(false),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// An open Dockerfile and what was found in it.
struct Open {
    doc: Document,
    /// The environment and findings of the text last checked, or why it
    /// could not be checked.
    checked: std::result::Result<(Env, Analysis), String>,
}

struct Server<'c> {
    conn: &'c Connection,
    enc: Encoding,
    support: EditSupport,
    common: Common,
    docs: HashMap<Uri, Open>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<bool> {
        while let Ok(msg) = self.conn.receiver.recv() {
            match msg {
                Message::Request(req) => {
                    if self.conn.handle_shutdown(&req)? {
                        return Ok(true);
                    }
                    // Answers see every change that came before them.
                    self.publish()?;
                    self.request(req)?;
                }
                Message::Notification(n) if n.method == "exit" => return Ok(false),
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
            if self.conn.receiver.is_empty() {
                self.publish()?;
            }
        }
        Ok(false)
    }

    /// Context files and configuration change what is found: any change on
    /// disk checks the open Dockerfiles again.
    fn watch_files(&self) -> Result<()> {
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![FileSystemWatcher {
                glob_pattern: GlobPattern::String("**/*".into()),
                kind: None,
            }],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "dockopt-watch".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(serde_json::to_value(options)?),
            }],
        };
        let req = Request::new(
            RequestId::from("dockopt-watch".to_string()),
            RegisterCapability::METHOD.into(),
            params,
        );
        self.conn.sender.send(req.into())?;
        Ok(())
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(p) = params::<DidOpenTextDocumentParams>(n) else {
                    return;
                };
                let item = p.text_document;
                if document::is_dockerfile(&item.language_id, &item.uri) {
                    let doc = Document::new(&item.uri, item.text, item.version);
                    let open = Open {
                        doc,
                        checked: Err(String::new()),
                    };
                    self.docs.insert(item.uri, open);
                }
            }
            DidChangeTextDocument::METHOD => {
                let Some(p) = params::<DidChangeTextDocumentParams>(n) else {
                    return;
                };
                if let Some(open) = self.docs.get_mut(&p.text_document.uri) {
                    open.doc.apply(p.content_changes, self.enc);
                    open.doc.version = p.text_document.version;
                }
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = params::<DidCloseTextDocumentParams>(n) else {
                    return;
                };
                if self.docs.remove(&p.text_document.uri).is_some() {
                    let _ = self.send_diagnostics(p.text_document.uri, Vec::new(), None);
                }
            }
            DidSaveTextDocument::METHOD
            | DidChangeWatchedFiles::METHOD
            | DidChangeConfiguration::METHOD => {
                for open in self.docs.values_mut() {
                    open.doc.dirty = true;
                }
            }
            _ => {}
        }
    }

    fn request(&mut self, req: Request) -> Result<()> {
        let resp = match req.method.as_str() {
            CodeActionRequest::METHOD => match serde_json::from_value(req.params) {
                Ok(p) => {
                    // Fix all runs the pipeline: a crash in it fails this
                    // request, not the server.
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        self.code_actions(&p)
                    }));
                    match run {
                        Ok(actions) => Response::new_ok(req.id, actions),
                        Err(_) => Response::new_err(
                            req.id,
                            ErrorCode::InternalError as i32,
                            "internal error while computing fixes".into(),
                        ),
                    }
                }
                Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
            },
            _ => Response::new_err(
                req.id,
                ErrorCode::MethodNotFound as i32,
                format!("unsupported request: {}", req.method),
            ),
        };
        self.conn.sender.send(resp.into())?;
        Ok(())
    }

    fn code_actions(&self, p: &CodeActionParams) -> Option<Vec<lsp_types::CodeActionOrCommand>> {
        let uri = &p.text_document.uri;
        let open = self.docs.get(uri)?;
        let (env, analysis) = open.checked.as_ref().ok()?;
        let req = actions::Request {
            uri,
            doc: &open.doc,
            env,
            analysis,
            range: p.range,
            only: p.context.only.as_deref(),
            enc: self.enc,
            support: self.support,
        };
        Some(actions::code_actions(&req))
    }

    /// Checks the documents that changed and publishes their diagnostics.
    fn publish(&mut self) -> Result<()> {
        let mut out = Vec::new();
        for (uri, open) in &mut self.docs {
            if !open.doc.dirty {
                continue;
            }
            open.doc.dirty = false;
            open.checked = check(&self.common, &open.doc);
            let result = match &open.checked {
                Ok((_, analysis)) => Ok(analysis),
                Err(e) => Err(e.as_str()),
            };
            let diags = actions::diagnostics(&open.doc.text, result, self.enc);
            out.push((uri.clone(), diags, open.doc.version));
        }
        for (uri, diags, version) in out {
            self.send_diagnostics(uri, diags, Some(version))?;
        }
        Ok(())
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<()> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        let n = Notification::new(PublishDiagnostics::METHOD.into(), params);
        self.conn.sender.send(n.into())?;
        Ok(())
    }
}

/// One document's findings. A crash in the pipeline is reported on the
/// document and the server goes on.
fn check(common: &Common, doc: &Document) -> std::result::Result<(Env, Analysis), String> {
    let env = Env::load(common, doc.path.as_deref())?;
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| env.check(&doc.text)));
    match run {
        Ok(analysis) => Ok((env, analysis)),
        Err(_) => Err("error: internal error, file not checked".into()),
    }
}

/// A notification's parameters; ones that do not parse are dropped, as the
/// protocol has no way to answer a notification.
fn params<P: serde::de::DeserializeOwned>(n: Notification) -> Option<P> {
    match serde_json::from_value(n.params) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("dockopt server: {}: {e}", n.method);
            None
        }
    }
}
