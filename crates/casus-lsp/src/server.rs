//! The loop: messages from the client, analyses from the workers, and the debounce timer.
//!
//! One thread owns every open document and answers every request; analyses of new versions
//! run on worker threads and come back through a channel. A request is answered from the
//! current version's quick analysis, made on the spot if the workers have not delivered it
//! yet (it is cheap by construction, see [`analysis`](crate::analysis)).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, select};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeLens, CodeLensOptions, CodeLensParams, Command,
    CompletionItem, CompletionOptions, CompletionParams, CompletionResponse, CompletionTextEdit,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, ExecuteCommandOptions, ExecuteCommandParams, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeParams, InitializeResult, Location, MarkupContent, MarkupKind, MessageType, OneOf,
    PrepareRenameResponse, PublishDiagnosticsParams, ReferenceParams, RenameOptions, RenameParams,
    ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::analysis::Snapshot;
use crate::text::{LineIndex, apply_change};
use crate::{actions, complete, diagnostics, hover, lens, navigate};

/// How long after a keystroke the analysis starts, so that typing a word runs it once.
const DEBOUNCE: Duration = Duration::from_millis(100);

/// How long `casus.runTests` may take: `casus test`'s default `--timeout`.
const TEST_TIMEOUT_SECONDS: f64 = 60.0;

/// Why the server stopped other than by `shutdown` and `exit`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client broke the protocol (no `initialize` first, a malformed frame).
    #[error("protocol error: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    /// Standard input or output failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A message could not be encoded.
    #[error("cannot encode a message: {0}")]
    Json(#[from] serde_json::Error),
    /// The client stopped reading.
    #[error("the client closed the connection")]
    Disconnected,
}

/// How the server runs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Config {
    /// Worker threads of each full analysis (`casus --threads`); 0 for one per core.
    pub threads: usize,
}

/// Serves one client over standard input and output until it says `exit`.
pub fn run_stdio(config: Config) -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection, config)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// Serves one client on `connection`: the handshake, then requests and notifications until
/// `shutdown` and `exit`.
pub fn serve(connection: &Connection, config: Config) -> Result<(), Error> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "casus".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let lens_refresh = params
        .capabilities
        .workspace
        .and_then(|w| w.code_lens)
        .and_then(|c| c.refresh_support)
        .unwrap_or(false);
    let (results, finished) = crossbeam_channel::unbounded();
    let mut server = Server {
        sender: connection.sender.clone(),
        documents: HashMap::new(),
        results,
        lens_refresh,
        next_id: 0,
        runs: 0,
        config,
    };
    loop {
        let wait = server.next_due().map_or(Duration::from_secs(3600), |due| {
            due.saturating_duration_since(Instant::now())
        });
        select! {
            recv(connection.receiver) -> message => {
                let Ok(message) = message else { return Ok(()) };
                match message {
                    Message::Request(request) => {
                        if connection.handle_shutdown(&request)? {
                            server.cancel_all();
                            return Ok(());
                        }
                        server.request(request)?;
                    }
                    Message::Notification(n) => {
                        if n.method == lsp_types::notification::Exit::METHOD {
                            server.cancel_all();
                            return Ok(());
                        }
                        server.notification(n)?;
                    }
                    Message::Response(_) => {}
                }
            }
            recv(finished) -> done => {
                if let Ok((uri, run, snapshot)) = done {
                    server.finished(&uri, run, snapshot)?;
                }
            }
            default(wait) => {}
        }
        server.start_due();
    }
}

/// What the server offers.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(
                ["'", "\"", "[", ".", "{", ",", " "]
                    .map(str::to_owned)
                    .to_vec(),
            ),
            ..CompletionOptions::default()
        }),
        rename_provider: Some(OneOf::Right(RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_lens_provider: Some(CodeLensOptions {
            resolve_provider: Some(false),
        }),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![lens::RUN_TESTS.to_owned(), lens::SHOW_FORECAST.to_owned()],
            work_done_progress_options: Default::default(),
        }),
        ..ServerCapabilities::default()
    }
}

/// One open buffer.
struct Document {
    uri: Uri,
    text: String,
    version: i32,
    lines: LineIndex,
    /// The quick analysis of the current version, once made.
    quick: Option<Arc<Snapshot>>,
    /// The complete analysis of the current version, once made.
    full: Option<Arc<Snapshot>>,
    /// The latest analysis, of any version, whose file loaded: names for completion while the
    /// buffer is half typed.
    loaded: Option<Arc<Snapshot>>,
    /// Set to stop the analysis running on an older version.
    cancel: Arc<AtomicBool>,
    /// When to start analysing the current version.
    due: Option<Instant>,
    /// The number of the analysis run last started on it: results of any other run are
    /// stale, even of a reopened document whose versions start again at 1.
    run: u64,
}

impl Document {
    fn current(&self, snapshot: &Option<Arc<Snapshot>>) -> Option<Arc<Snapshot>> {
        snapshot
            .as_ref()
            .filter(|s| s.version == self.version)
            .cloned()
    }
}

struct Server {
    sender: Sender<Message>,
    documents: HashMap<String, Document>,
    results: Sender<Finished>,
    lens_refresh: bool,
    next_id: i32,
    /// Analysis runs started so far.
    runs: u64,
    config: Config,
}

/// What a worker sends back: the document, the run, and its analysis.
type Finished = (String, u64, Arc<Snapshot>);

/// A handler's result, or the error to send back.
type Reply<R> = Result<R, (ErrorCode, String)>;

/// A request's answer, encoded.
type Answer = Reply<serde_json::Value>;

impl Server {
    fn send(&self, message: impl Into<Message>) -> Result<(), Error> {
        self.sender
            .send(message.into())
            .map_err(|_| Error::Disconnected)
    }

    fn notify(&self, method: &str, params: impl Serialize) -> Result<(), Error> {
        self.send(Notification::new(method.to_owned(), params))
    }

    fn next_due(&self) -> Option<Instant> {
        self.documents.values().filter_map(|d| d.due).min()
    }

    fn cancel_all(&self) {
        for doc in self.documents.values() {
            doc.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Starts the analyses whose debounce has run out.
    fn start_due(&mut self) {
        let now = Instant::now();
        for (key, doc) in &mut self.documents {
            if doc.due.is_none_or(|due| due > now) {
                continue;
            }
            doc.due = None;
            self.runs += 1;
            doc.run = self.runs;
            let run = self.runs;
            doc.cancel.store(true, Ordering::Relaxed);
            let cancel = Arc::new(AtomicBool::new(false));
            doc.cancel = Arc::clone(&cancel);
            let (key, text, version) = (key.clone(), doc.text.clone(), doc.version);
            let results = self.results.clone();
            let threads = self.config.threads;
            // A thread that cannot be started leaves the document with its quick analysis,
            // made on the spot for the next request.
            let _ = std::thread::Builder::new()
                .name("casus-analysis".to_owned())
                .spawn(move || analyse(&results, (&key, run), &text, (version, threads), &cancel));
        }
    }

    /// An analysis came back: keep it and publish its diagnostics if it is still current.
    fn finished(&mut self, key: &str, run: u64, snapshot: Arc<Snapshot>) -> Result<(), Error> {
        let Some(doc) = self.documents.get_mut(key) else {
            return Ok(());
        };
        if run != doc.run || snapshot.version != doc.version {
            return Ok(());
        }
        if snapshot.complete {
            doc.full = Some(Arc::clone(&snapshot));
        }
        if doc.current(&doc.quick).is_none() || snapshot.complete {
            doc.quick = Some(Arc::clone(&snapshot));
        }
        if snapshot.session.scenario().is_some() {
            doc.loaded = Some(Arc::clone(&snapshot));
        }
        let diagnostics = snapshot
            .diagnostics()
            .map(|d| diagnostics::to_lsp(d, &doc.uri, &doc.text, &doc.lines))
            .collect();
        let params = PublishDiagnosticsParams::new(doc.uri.clone(), diagnostics, Some(doc.version));
        self.notify(lsp_types::notification::PublishDiagnostics::METHOD, params)?;
        if snapshot.complete && self.lens_refresh {
            self.next_id += 1;
            let request = Request::new(
                RequestId::from(self.next_id),
                lsp_types::request::CodeLensRefresh::METHOD.to_owned(),
                (),
            );
            self.send(request)?;
        }
        Ok(())
    }

    fn notification(&mut self, n: Notification) -> Result<(), Error> {
        use lsp_types::notification::{
            DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument,
        };
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let doc = params.text_document;
                let key = doc.uri.as_str().to_owned();
                if let Some(old) = self.documents.get(&key) {
                    old.cancel.store(true, Ordering::Relaxed);
                }
                self.documents.insert(
                    key,
                    Document {
                        uri: doc.uri,
                        lines: LineIndex::new(&doc.text),
                        text: doc.text,
                        version: doc.version,
                        quick: None,
                        full: None,
                        loaded: None,
                        cancel: Arc::new(AtomicBool::new(false)),
                        due: Some(Instant::now()),
                        run: 0,
                    },
                );
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                let Some(doc) = self.documents.get_mut(params.text_document.uri.as_str()) else {
                    return Ok(());
                };
                for change in params.content_changes {
                    apply_change(&mut doc.text, change);
                }
                doc.version = params.text_document.version;
                doc.lines = LineIndex::new(&doc.text);
                doc.cancel.store(true, Ordering::Relaxed);
                doc.due = Some(Instant::now() + DEBOUNCE);
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params)
                else {
                    return Ok(());
                };
                if let Some(doc) = self.documents.remove(params.text_document.uri.as_str()) {
                    doc.cancel.store(true, Ordering::Relaxed);
                    let params = PublishDiagnosticsParams::new(doc.uri, Vec::new(), None);
                    self.notify(lsp_types::notification::PublishDiagnostics::METHOD, params)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn request(&mut self, request: Request) -> Result<(), Error> {
        use lsp_types::request::{
            CodeActionRequest, CodeLensRequest, Completion, ExecuteCommand, Formatting,
            GotoDefinition, HoverRequest, PrepareRenameRequest, References, Rename,
        };
        let id = request.id.clone();
        let answer = match request.method.as_str() {
            HoverRequest::METHOD => self.with(request, Self::hover),
            GotoDefinition::METHOD => self.with(request, Self::definition),
            References::METHOD => self.with(request, Self::references),
            Completion::METHOD => self.with(request, Self::completion),
            PrepareRenameRequest::METHOD => self.with(request, Self::prepare_rename),
            Rename::METHOD => self.with(request, Self::rename),
            CodeActionRequest::METHOD => self.with(request, Self::code_action),
            Formatting::METHOD => self.with(request, Self::formatting),
            CodeLensRequest::METHOD => self.with(request, Self::code_lens),
            ExecuteCommand::METHOD => {
                return match serde_json::from_value(request.params) {
                    Ok(params) => self.execute(id, params),
                    Err(e) => self.send(Response::new_err(
                        id,
                        ErrorCode::InvalidParams as i32,
                        e.to_string(),
                    )),
                };
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("casus lsp does not handle `{other}`"),
            )),
        };
        let response = match answer {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.send(response)
    }

    /// Decodes the parameters and runs `handler`, whose result is encoded.
    fn with<P: DeserializeOwned, R: Serialize>(
        &mut self,
        request: Request,
        handler: fn(&mut Self, P) -> Reply<R>,
    ) -> Answer {
        let params: P = serde_json::from_value(request.params)
            .map_err(|e| (ErrorCode::InvalidParams, e.to_string()))?;
        let result = handler(self, params)?;
        serde_json::to_value(result).map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    /// The document at `uri` with its current quick analysis, made now if not yet there.
    fn snapshot(&mut self, uri: &Uri) -> Option<(&Document, Arc<Snapshot>)> {
        let doc = self.documents.get_mut(uri.as_str())?;
        let snapshot = match doc.current(&doc.quick) {
            Some(s) => s,
            None => {
                let s = Arc::new(Snapshot::quick(uri.as_str(), &doc.text, doc.version));
                doc.quick = Some(Arc::clone(&s));
                if s.complete {
                    doc.full = Some(Arc::clone(&s));
                }
                if s.session.scenario().is_some() {
                    doc.loaded = Some(Arc::clone(&s));
                }
                s
            }
        };
        Some((doc, snapshot))
    }

    fn at(&mut self, p: &TextDocumentPositionParams) -> Option<(&Document, Arc<Snapshot>, usize)> {
        let (doc, snapshot) = self.snapshot(&p.text_document.uri)?;
        let offset = doc.lines.offset(&doc.text, p.position);
        Some((doc, snapshot, offset))
    }

    fn hover(&mut self, params: HoverParams) -> Reply<Option<Hover>> {
        let Some((doc, snapshot, offset)) = self.at(&params.text_document_position_params) else {
            return Ok(None);
        };
        let full = doc.current(&doc.full);
        Ok(
            hover::hover(&snapshot, full.as_deref(), &doc.text, offset).map(|(markdown, span)| {
                Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: markdown,
                    }),
                    range: Some(doc.lines.range(&doc.text, span)),
                }
            }),
        )
    }

    fn definition(
        &mut self,
        params: GotoDefinitionParams,
    ) -> Reply<Option<GotoDefinitionResponse>> {
        let Some((doc, snapshot, offset)) = self.at(&params.text_document_position_params) else {
            return Ok(None);
        };
        Ok(navigate::definition(&snapshot.index, offset).map(|span| {
            GotoDefinitionResponse::Scalar(Location::new(
                doc.uri.clone(),
                doc.lines.range(&doc.text, span),
            ))
        }))
    }

    fn references(&mut self, params: ReferenceParams) -> Reply<Option<Vec<Location>>> {
        let declaration = params.context.include_declaration;
        let Some((doc, snapshot, offset)) = self.at(&params.text_document_position) else {
            return Ok(None);
        };
        let spans = navigate::references(&snapshot.index, offset, declaration);
        Ok(Some(
            spans
                .into_iter()
                .map(|s| Location::new(doc.uri.clone(), doc.lines.range(&doc.text, s)))
                .collect(),
        ))
    }

    fn completion(&mut self, params: CompletionParams) -> Reply<Option<CompletionResponse>> {
        let Some((doc, _, offset)) = self.at(&params.text_document_position) else {
            return Ok(None);
        };
        let loaded = match doc.loaded.clone() {
            Some(loaded) => Some(loaded),
            None => without_line(
                &doc.text,
                offset,
                &params.text_document_position.text_document.uri,
            ),
        };
        let scenario = loaded.as_ref().and_then(|s| s.session.scenario());
        let index = loaded.as_ref().map(|s| &s.index);
        let items = complete::complete(&doc.text, offset, scenario, index)
            .into_iter()
            .map(|item| CompletionItem {
                label: item.label.clone(),
                kind: Some(item.kind),
                detail: Some(item.detail),
                filter_text: Some(item.label.clone()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                    doc.lines.range(&doc.text, item.replace),
                    item.label,
                ))),
                ..CompletionItem::default()
            })
            .collect();
        Ok(Some(CompletionResponse::Array(items)))
    }

    fn prepare_rename(
        &mut self,
        params: TextDocumentPositionParams,
    ) -> Reply<Option<PrepareRenameResponse>> {
        let Some((doc, snapshot, offset)) = self.at(&params) else {
            return Ok(None);
        };
        Ok(navigate::prepare_rename(&snapshot.index, offset)
            .map(|span| PrepareRenameResponse::Range(doc.lines.range(&doc.text, span))))
    }

    fn rename(&mut self, params: RenameParams) -> Reply<Option<WorkspaceEdit>> {
        let Some((doc, snapshot, offset)) = self.at(&params.text_document_position) else {
            return Ok(None);
        };
        let failed = |message: String| (ErrorCode::RequestFailed, message);
        let scenario = snapshot
            .session
            .scenario()
            .ok_or_else(|| failed("the file does not load; fix its errors first".to_owned()))?;
        let spans = navigate::rename(scenario, &snapshot.index, offset, &params.new_name)
            .map_err(|e| failed(e.to_string()))?;
        let edits = spans
            .into_iter()
            .map(|s| TextEdit::new(doc.lines.range(&doc.text, s), params.new_name.clone()))
            .collect();
        Ok(Some(WorkspaceEdit::new(HashMap::from([(
            doc.uri.clone(),
            edits,
        )]))))
    }

    fn code_action(&mut self, params: CodeActionParams) -> Reply<Option<Vec<CodeActionOrCommand>>> {
        let Some((doc, quick)) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let snapshot = doc.current(&doc.full).unwrap_or(quick);
        let wanted = doc.lines.span(&doc.text, params.range);
        let mut actions = Vec::new();
        for d in snapshot.diagnostics() {
            let Some(span) = d.primary_span() else {
                continue;
            };
            if span.end < wanted.start || span.start > wanted.end {
                continue;
            }
            let Some(fix) = actions::fix(d, &doc.text) else {
                continue;
            };
            let edit = TextEdit::new(doc.lines.range(&doc.text, fix.span), fix.new_text);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostics::to_lsp(
                    d, &doc.uri, &doc.text, &doc.lines,
                )]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    doc.uri.clone(),
                    vec![edit],
                )]))),
                is_preferred: Some(true),
                ..CodeAction::default()
            }));
        }
        Ok(Some(actions))
    }

    fn formatting(&mut self, params: DocumentFormattingParams) -> Reply<Option<Vec<TextEdit>>> {
        let Some(doc) = self.documents.get(params.text_document.uri.as_str()) else {
            return Ok(None);
        };
        let Some(formatted) = actions::format(&doc.text) else {
            return Ok(Some(Vec::new()));
        };
        let whole = casus_core::Span::new(0, doc.text.len());
        Ok(Some(vec![TextEdit::new(
            doc.lines.range(&doc.text, whole),
            formatted,
        )]))
    }

    fn code_lens(&mut self, params: CodeLensParams) -> Reply<Option<Vec<CodeLens>>> {
        let Some((doc, quick)) = self.snapshot(&params.text_document.uri) else {
            return Ok(None);
        };
        let full = doc.current(&doc.full);
        let uri = serde_json::Value::String(doc.uri.as_str().to_owned());
        let lenses = lens::lenses(&quick, full.as_deref())
            .into_iter()
            .map(|l| {
                let mut arguments = vec![uri.clone()];
                if let Some(test) = l.test {
                    arguments.push(serde_json::Value::String(test));
                }
                let at = doc.lines.position(&doc.text, l.span.start);
                CodeLens {
                    range: lsp_types::Range::new(at, at),
                    command: Some(Command::new(l.title, l.command.to_owned(), Some(arguments))),
                    data: None,
                }
            })
            .collect();
        Ok(Some(lenses))
    }

    /// `casus.runTests` runs on its own thread (tests may take as long as evaluations) and
    /// answers from there; `casus.showForecast` answers at once.
    fn execute(&mut self, id: RequestId, params: ExecuteCommandParams) -> Result<(), Error> {
        let text_arg = |i: usize| {
            params
                .arguments
                .get(i)
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        };
        let uri = text_arg(0).and_then(|u| u.parse::<Uri>().ok());
        let Some((doc, quick)) = uri.as_ref().and_then(|u| self.snapshot(u)) else {
            return self.send(Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                "the first argument must be the URI of an open document".to_owned(),
            ));
        };
        match params.command.as_str() {
            lens::RUN_TESTS => {
                let only = text_arg(1);
                let sender = self.sender.clone();
                let snapshot = quick;
                let _ = std::thread::Builder::new()
                    .name("casus-tests".to_owned())
                    .spawn(move || {
                        let budget = casus_rules::session::Budget::seconds(TEST_TIMEOUT_SECONDS);
                        let response = match lens::run_tests(&snapshot, only.as_deref(), &budget) {
                            Ok(reports) => {
                                let message = ShowMessageParams {
                                    typ: if reports.iter().all(|r| r.status == "passed") {
                                        MessageType::INFO
                                    } else {
                                        MessageType::WARNING
                                    },
                                    message: lens::summary(&reports),
                                };
                                let _ = sender.send(
                                    Notification::new(
                                        lsp_types::notification::ShowMessage::METHOD.to_owned(),
                                        message,
                                    )
                                    .into(),
                                );
                                Response::new_ok(id, reports)
                            }
                            Err(message) => {
                                Response::new_err(id, ErrorCode::RequestFailed as i32, message)
                            }
                        };
                        let _ = sender.send(response.into());
                    });
                Ok(())
            }
            lens::SHOW_FORECAST => {
                let full = doc.current(&doc.full);
                let message = match full.as_deref().and_then(lens::forecast_summary) {
                    Some(m) => m,
                    None => "the forecast is not known yet: the file has errors or is still being evaluated".to_owned(),
                };
                self.notify(
                    lsp_types::notification::ShowMessage::METHOD,
                    ShowMessageParams {
                        typ: MessageType::INFO,
                        message: message.clone(),
                    },
                )?;
                self.send(Response::new_ok(id, message))
            }
            other => self.send(Response::new_err(
                id,
                ErrorCode::InvalidParams as i32,
                format!("casus lsp has no command `{other}`"),
            )),
        }
    }
}

/// For completion in a buffer that has never loaded (opened half typed): the quick analysis
/// of the text with the line being typed left out, if that loads, for its names.
fn without_line(text: &str, offset: usize, uri: &Uri) -> Option<Arc<Snapshot>> {
    let offset = crate::text::floor_char(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut rest = text.to_owned();
    rest.replace_range(start..end, "");
    let snapshot = Snapshot::quick(uri.as_str(), &rest, 0);
    snapshot
        .session
        .scenario()
        .is_some()
        .then(|| Arc::new(snapshot))
}

/// A worker: the quick analysis, then, if it was cut short, the full one; each sent back
/// unless a newer version cancelled the run.
fn analyse(
    results: &Sender<Finished>,
    (key, run): (&str, u64),
    text: &str,
    (version, threads): (i32, usize),
    cancel: &Arc<AtomicBool>,
) {
    let quick = Snapshot::quick(key, text, version);
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let complete = quick.complete;
    if results
        .send((key.to_owned(), run, Arc::new(quick)))
        .is_err()
        || complete
    {
        return;
    }
    let full = Snapshot::full(key, text, version, threads, Arc::clone(cancel));
    if cancel.load(Ordering::Relaxed) {
        return;
    }
    let _ = results.send((key.to_owned(), run, Arc::new(full)));
}
