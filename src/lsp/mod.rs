//! `flexmap lsp`: a Language Server over stdio for rule files and `*.test.yaml`.
//!
//! Built on rust-analyzer's `lsp-server` (a synchronous JSON-RPC connection) and `lsp-types`.
//! One thread runs the loop: messages update the open documents; checking is debounced
//! (`DEBOUNCE` after the last change, or at once before a request that needs the findings)
//! and publishes the findings of every open document of the changed project, so cross-file
//! findings appear and clear in both files. The checks are `flexmap lint`'s, against one
//! project per folder kept in memory and read from disk again only when the disk changed
//! (see `analysis`); positions are converted in the encoding negotiated at `initialize`
//! (`position`).

mod actions;
mod analysis;
mod convert;
mod cursor;
mod features;
pub mod position;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, InitializeParams,
    OneOf, PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, Url,
};

use analysis::Document;
pub use position::Encoding;

/// How long after the last change the buffer is checked.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// An error that ends the server: the connection broke or the client broke the protocol.
#[derive(Debug)]
pub struct ServerError(pub String);

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ServerError {}

impl From<lsp_server::ProtocolError> for ServerError {
    fn from(e: lsp_server::ProtocolError) -> ServerError {
        ServerError(e.to_string())
    }
}

impl<T> From<crossbeam_channel::SendError<T>> for ServerError {
    fn from(_: crossbeam_channel::SendError<T>) -> ServerError {
        ServerError("the client closed the connection".into())
    }
}

/// Runs the server on stdin/stdout until the client sends `exit` (or closes stdin).
///
/// # Errors
/// The connection broke or the client broke the protocol.
pub fn run_stdio() -> Result<(), ServerError> {
    let (connection, io_threads) = Connection::stdio();
    run(&connection)?;
    drop(connection);
    io_threads
        .join()
        .map_err(|e| ServerError(format!("stdio: {e}")))
}

/// Runs the server over `connection`: the handshake, then the loop.
///
/// # Errors
/// The connection broke or the client broke the protocol.
pub fn run(connection: &Connection) -> Result<(), ServerError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|e| ServerError(format!("initialize: {e}")))?;
    let encoding = negotiate(&params);
    let debounce = params
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("debounceMs"))
        .and_then(serde_json::Value::as_u64)
        .map_or(DEBOUNCE, Duration::from_millis);
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo {
            name: "flexmap".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection.initialize_finish(id, result)?;
    let watching = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let mut server = Server {
        connection,
        encoding,
        debounce,
        documents: HashMap::new(),
        cache: analysis::ProjectCache::new(watching),
        dirty: Vec::new(),
        deadline: None,
    };
    if watching {
        server.watch_files()?;
    }
    server.main_loop()
}

/// `utf-8` when the client offers it (no conversion on our side), else UTF-16.
fn negotiate(params: &InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    if offered.is_some_and(|o| o.contains(&PositionEncodingKind::UTF8)) {
        Encoding::Utf8
    } else {
        Encoding::Utf16
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["|".into(), "(".into(), "[".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

struct Server<'a> {
    connection: &'a Connection,
    encoding: Encoding,
    debounce: Duration,
    documents: HashMap<Url, Document>,
    /// The projects of the open documents, read from disk once each.
    cache: analysis::ProjectCache,
    /// Documents changed since the last check.
    dirty: Vec<Url>,
    /// When the pending check runs.
    deadline: Option<Instant>,
}

impl Server<'_> {
    /// Asks the client to report changes of rule files, `flexmap.toml` and `flexmap.lock` on
    /// disk (`workspace/didChangeWatchedFiles`); its answer needs no handling.
    fn watch_files(&self) -> Result<(), ServerError> {
        let watchers: Vec<serde_json::Value> =
            ["**/*.{yaml,yml}", "**/flexmap.toml", "**/flexmap.lock"]
                .iter()
                .map(|glob| serde_json::json!({ "globPattern": glob }))
                .collect();
        let params = lsp_types::RegistrationParams {
            registrations: vec![lsp_types::Registration {
                id: "flexmap-watch".into(),
                method: notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: Some(serde_json::json!({ "watchers": watchers })),
            }],
        };
        self.connection.sender.send(Message::Request(Request::new(
            lsp_server::RequestId::from("flexmap-watch".to_string()),
            request::RegisterCapability::METHOD.to_string(),
            params,
        )))?;
        Ok(())
    }

    /// Marks every open document of the projects holding `path` (and `path`'s own
    /// document) to be checked again, after the cache forgot those projects.
    fn disk_changed(&mut self, path: &std::path::Path) {
        self.cache.invalidate(path);
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let affected: Vec<Url> = self
            .documents
            .values()
            .filter(|d| {
                d.path == path || d.project_root().is_some_and(|root| path.starts_with(&root))
            })
            .map(|d| d.uri.clone())
            .collect();
        for uri in affected {
            self.mark(uri);
        }
    }

    fn main_loop(&mut self) -> Result<(), ServerError> {
        loop {
            let message = match self.deadline {
                Some(deadline) => {
                    let wait = deadline.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => message,
                        Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                            self.flush()?;
                            continue;
                        }
                        Err(crossbeam_channel::RecvTimeoutError::Disconnected) => return Ok(()),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ok(()),
                },
            };
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    self.request(request)?;
                }
                Message::Notification(notification) => self.notification(notification)?,
                Message::Response(_) => {}
            }
        }
    }

    fn notification(&mut self, notification: Notification) -> Result<(), ServerError> {
        match notification.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = parse(notification.params)?;
                let document = params.text_document;
                let uri = document.uri.clone();
                self.documents.insert(
                    uri.clone(),
                    Document::new(document.uri, document.version, document.text),
                );
                // Opening shows findings at once, without the typing delay.
                self.mark(uri);
                self.flush()?;
            }
            notification::DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams = parse(notification.params)?;
                let uri = params.text_document.uri;
                if let Some(document) = self.documents.get_mut(&uri) {
                    let mut text = document.source.text().to_string();
                    for change in params.content_changes {
                        text = match change.range {
                            Some(range) => {
                                let source = crate::SourceFile::new("", text);
                                let span = self.encoding.span(&source, range);
                                let mut edited = source.text().to_string();
                                edited.replace_range(span.range(), &change.text);
                                edited
                            }
                            None => change.text,
                        };
                    }
                    document.set_text(params.text_document.version, text);
                    self.mark(uri);
                    self.deadline = Some(Instant::now() + self.debounce);
                }
            }
            notification::DidSaveTextDocument::METHOD => {
                let params: lsp_types::DidSaveTextDocumentParams = parse(notification.params)?;
                // The project is read from disk again: the saved file and anything written
                // beside it.
                if let Some(document) = self.documents.get(&params.text_document.uri) {
                    let path = document.path.clone();
                    self.disk_changed(&path);
                }
                self.mark(params.text_document.uri);
                self.flush()?;
            }
            notification::DidChangeWatchedFiles::METHOD => {
                let params: lsp_types::DidChangeWatchedFilesParams = parse(notification.params)?;
                for change in params.changes {
                    if let Ok(path) = change.uri.to_file_path() {
                        self.disk_changed(&path);
                    }
                }
                self.flush()?;
            }
            notification::DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = parse(notification.params)?;
                let uri = params.text_document.uri;
                let closed = self.documents.remove(&uri);
                self.dirty.retain(|u| *u != uri);
                self.publish_empty(uri)?;
                // The other open files of its project now see the file as saved on disk.
                if let Some(closed) = closed {
                    let root = closed.project_root();
                    let others: Vec<Url> = self
                        .documents
                        .values()
                        .filter(|d| root.is_some() && d.project_root() == root)
                        .map(|d| d.uri.clone())
                        .collect();
                    for uri in others {
                        self.mark(uri);
                    }
                    self.flush()?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn mark(&mut self, uri: Url) {
        if !self.dirty.contains(&uri) {
            self.dirty.push(uri);
        }
    }

    /// Checks the changed documents (and the rest of their projects) and publishes.
    fn flush(&mut self) -> Result<(), ServerError> {
        self.deadline = None;
        if self.dirty.is_empty() {
            return Ok(());
        }
        let dirty = std::mem::take(&mut self.dirty);
        let checked = analysis::check(&mut self.documents, &mut self.cache, &dirty);
        for uri in checked {
            let Some(document) = self.documents.get(&uri) else {
                continue;
            };
            let diagnostics = document
                .checked
                .as_ref()
                .map(|c| {
                    let own = c
                        .diagnostics
                        .iter()
                        .map(|d| convert::diagnostic(self.encoding, &document.source, d));
                    let mirrored = c.mirrored.iter().map(|d| {
                        let mut converted = convert::diagnostic(self.encoding, &document.source, d);
                        converted.data = Some(serde_json::json!({
                            "name": d.code.name(),
                            "mirrored": true,
                        }));
                        converted
                    });
                    own.chain(mirrored).collect()
                })
                .unwrap_or_default();
            let params = PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics,
                version: Some(document.version),
            };
            self.send_notification::<notification::PublishDiagnostics>(params)?;
        }
        Ok(())
    }

    fn publish_empty(&self, uri: Url) -> Result<(), ServerError> {
        self.send_notification::<notification::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics: Vec::new(),
            version: None,
        })
    }

    fn send_notification<N: lsp_types::notification::Notification>(
        &self,
        params: N::Params,
    ) -> Result<(), ServerError> {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                N::METHOD.to_string(),
                params,
            )))?;
        Ok(())
    }

    fn request(&mut self, request: Request) -> Result<(), ServerError> {
        // Answers read the findings of the current text.
        self.flush()?;
        let id = request.id.clone();
        let encoding = self.encoding;
        let result = match request.method.as_str() {
            request::HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = parse(request.params)?;
                let position = params.text_document_position_params;
                self.documents
                    .get(&position.text_document.uri)
                    .map(|d| features::hover(encoding, d, position.position))
                    .map(|h| serde_json::to_value(h).unwrap_or_default())
            }
            request::Completion::METHOD => {
                let params: lsp_types::CompletionParams = parse(request.params)?;
                let position = params.text_document_position;
                self.documents
                    .get(&position.text_document.uri)
                    .map(|d| features::completion(encoding, d, position.position))
                    .map(|c| serde_json::to_value(c).unwrap_or_default())
            }
            request::CodeActionRequest::METHOD => {
                let params: lsp_types::CodeActionParams = parse(request.params)?;
                self.documents
                    .get(&params.text_document.uri)
                    .map(|d| actions::code_actions(encoding, d, params.range))
                    .map(|a| serde_json::to_value(a).unwrap_or_default())
            }
            request::GotoDefinition::METHOD => {
                let params: lsp_types::GotoDefinitionParams = parse(request.params)?;
                let position = params.text_document_position_params;
                self.documents
                    .get(&position.text_document.uri)
                    .map(|d| features::definition(encoding, d, position.position))
                    .map(|l| serde_json::to_value(l).unwrap_or_default())
            }
            request::DocumentSymbolRequest::METHOD => {
                let params: lsp_types::DocumentSymbolParams = parse(request.params)?;
                self.documents
                    .get(&params.text_document.uri)
                    .map(|d| features::symbols(encoding, d))
                    .map(|s| serde_json::to_value(s).unwrap_or_default())
            }
            method => {
                return self.respond(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("flexmap lsp does not handle {method}"),
                ));
            }
        };
        self.respond(Response::new_ok(
            id,
            result.unwrap_or(serde_json::Value::Null),
        ))
    }

    fn respond(&self, response: Response) -> Result<(), ServerError> {
        self.connection.sender.send(Message::Response(response))?;
        Ok(())
    }
}

fn parse<P: serde::de::DeserializeOwned>(params: serde_json::Value) -> Result<P, ServerError> {
    serde_json::from_value(params).map_err(|e| ServerError(format!("bad parameters: {e}")))
}
