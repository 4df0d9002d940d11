//! A small LSP client that drives the real `casus lsp` binary over its standard input and
//! output, as an editor does: framed JSON-RPC (through `lsp-server`'s reader and writer),
//! typed with `lsp-types`, with the server's own requests (`workspace/codeLens/refresh`)
//! answered and its notifications kept for the test to read.

use std::collections::VecDeque;
use std::io::{BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use lsp_server::{Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::Notification as _;
use lsp_types::{
    ClientCapabilities, DidChangeTextDocumentParams, DidOpenTextDocumentParams, InitializeParams,
    InitializeResult, Position, PublishDiagnosticsParams, Range, TextDocumentContentChangeEvent,
    TextDocumentIdentifier, TextDocumentItem, TextDocumentPositionParams, TextEdit, Uri,
    VersionedTextDocumentIdentifier,
};

/// How long any one answer may take before the test fails: generous, for debug builds on a
/// busy machine; the benchmark measures the real times.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// A running `casus lsp` and what it has sent.
pub(crate) struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Message>,
    next_id: i32,
    /// Notifications received and not yet taken.
    pub(crate) notifications: VecDeque<Notification>,
}

impl Client {
    /// Starts `casus lsp` and completes the handshake.
    pub(crate) fn start() -> (Self, InitializeResult) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casus"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("casus lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Self {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: VecDeque::new(),
        };
        #[expect(
            deprecated,
            reason = "root_uri is still a required field of the struct"
        )]
        let params = InitializeParams {
            process_id: Some(std::process::id()),
            root_uri: None,
            capabilities: ClientCapabilities::default(),
            ..InitializeParams::default()
        };
        let result = client
            .request::<lsp_types::request::Initialize>(params)
            .expect("initialize succeeds");
        client.notify::<lsp_types::notification::Initialized>(lsp_types::InitializedParams {});
        (client, result)
    }

    fn write(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("the server reads");
        self.stdin.flush().expect("flush");
    }

    /// Sends a notification.
    pub(crate) fn notify<N: lsp_types::notification::Notification>(&mut self, params: N::Params) {
        self.write(Notification::new(N::METHOD.to_owned(), params).into());
    }

    /// Sends a request and waits for its answer.
    pub(crate) fn request<R: lsp_types::request::Request>(
        &mut self,
        params: R::Params,
    ) -> Result<R::Result, ResponseError> {
        let value = self.raw_request(R::METHOD, serde_json::to_value(params).expect("encode"))?;
        Ok(serde_json::from_value(value).expect("the answer decodes"))
    }

    /// Sends a request by name with any parameters and waits for its answer.
    pub(crate) fn raw_request(
        &mut self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, ResponseError> {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.write(Request::new(id.clone(), method.to_owned(), params).into());
        let deadline = Instant::now() + PATIENCE;
        loop {
            match self.next(deadline) {
                Message::Response(Response {
                    id: got,
                    response_result,
                }) if got == id => return response_result,
                Message::Response(_) => {}
                Message::Notification(n) => self.notifications.push_back(n),
                Message::Request(r) => self.answer(r),
            }
        }
    }

    /// The server asked something (a lens refresh): say yes.
    fn answer(&mut self, request: Request) {
        self.write(Response::new_ok(request.id, serde_json::Value::Null).into());
    }

    fn next(&mut self, deadline: Instant) -> Message {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.incoming.recv_timeout(left) {
            Ok(message) => message,
            Err(e) => panic!("no message from casus lsp in time: {e}"),
        }
    }

    /// Waits for a notification `method` that `accept` takes, keeping the others.
    pub(crate) fn wait_for<T: serde::de::DeserializeOwned>(
        &mut self,
        method: &str,
        within: Duration,
        mut accept: impl FnMut(&T) -> bool,
    ) -> Option<T> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(at) = self.notifications.iter().position(|n| {
                n.method == method
                    && serde_json::from_value::<T>(n.params.clone()).is_ok_and(|p| accept(&p))
            }) {
                let n = self.notifications.remove(at).expect("present");
                return serde_json::from_value(n.params).ok();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(Message::Notification(n)) => self.notifications.push_back(n),
                Ok(Message::Request(r)) => self.answer(r),
                Ok(Message::Response(_)) => {}
                Err(_) => return None,
            }
        }
    }

    /// The first diagnostics published for `uri` at `version`.
    pub(crate) fn diagnostics(&mut self, uri: &Uri, version: i32) -> Vec<lsp_types::Diagnostic> {
        let want = uri.as_str().to_owned();
        self.wait_for::<PublishDiagnosticsParams>(
            lsp_types::notification::PublishDiagnostics::METHOD,
            PATIENCE,
            |p| p.uri.as_str() == want && p.version == Some(version),
        )
        .unwrap_or_else(|| panic!("no diagnostics for {want} version {version}"))
        .diagnostics
    }

    /// Opens a document at version 1.
    pub(crate) fn open(&mut self, uri: &Uri, text: &str) {
        self.notify::<lsp_types::notification::DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document: TextDocumentItem::new(
                uri.clone(),
                "toml".to_owned(),
                1,
                text.to_owned(),
            ),
        });
    }

    /// Sends changes that make version `version`.
    pub(crate) fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) {
        self.notify::<lsp_types::notification::DidChangeTextDocument>(
            DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
                content_changes: changes,
            },
        );
    }

    /// Replaces the whole text, making version `version`.
    pub(crate) fn replace(&mut self, uri: &Uri, version: i32, text: &str) {
        self.change(
            uri,
            version,
            vec![TextDocumentContentChangeEvent {
                range: None,
                range_length: None,
                text: text.to_owned(),
            }],
        );
    }

    /// Says `shutdown` and `exit`, and waits for the process to end.
    pub(crate) fn shutdown(mut self) -> ExitStatus {
        self.request::<lsp_types::request::Shutdown>(())
            .expect("shutdown succeeds");
        self.notify::<lsp_types::notification::Exit>(());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "casus lsp did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub(crate) fn alive(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A `file://` URI for a test document.
pub(crate) fn uri(name: &str) -> Uri {
    format!("file:///tmp/casus-lsp-tests/{name}")
        .parse()
        .expect("a valid URI")
}

/// Where `needle` (the `nth` occurrence, from 0) starts in `text`, plus `into` characters.
pub(crate) fn position_of(text: &str, needle: &str, nth: usize, into: usize) -> Position {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs {} times", nth + 1))
        .0
        + into;
    position(text, offset)
}

/// The protocol position (UTF-16 columns) of byte `offset`.
pub(crate) fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column: usize = text[start..offset].chars().map(char::len_utf16).sum();
    Position::new(line as u32, column as u32)
}

/// The byte offset of a protocol position.
pub(crate) fn offset(text: &str, p: Position) -> usize {
    let mut start = 0;
    for _ in 0..p.line {
        start += text[start..].find('\n').expect("line exists") + 1;
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= p.character as usize || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies edits to `text` as an editor does: all ranges refer to the text before any edit.
pub(crate) fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(text, e.range.start),
                offset(text, e.range.end),
                e.new_text.as_str(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_owned();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// The text a range covers.
pub(crate) fn text_of(text: &str, range: Range) -> &str {
    &text[offset(text, range.start)..offset(text, range.end)]
}

/// Parameters for a request at a position.
pub(crate) fn at(uri: &Uri, position: Position) -> TextDocumentPositionParams {
    TextDocumentPositionParams::new(TextDocumentIdentifier::new(uri.clone()), position)
}
