//! How long `casus lsp` takes to answer, on each bundled scenario: the target is 100 ms for
//! every response.
//!
//! The server runs in this process on `lsp_server::Connection::memory()`, so every message
//! still goes through the server's loop and JSON, but not through a pipe (which adds
//! microseconds). Each request is timed in its worst case: right after a change, so the
//! answer includes analysing the new version (a request is answered from the current
//! version's analysis, made on the spot when the worker has not delivered it yet). The
//! diagnostics are timed from `didOpen`, which is not debounced, to `publishDiagnostics`.
//!
//! `cargo bench -p casus-bench --bench lsp` times them; CI runs each once with `-- --test`.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly when the server does not answer"
)]

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

struct Client {
    connection: Connection,
    next: i32,
}

impl Client {
    fn start() -> Self {
        let (server, connection) = Connection::memory();
        std::thread::spawn(move || casus_lsp::serve(&server, casus_lsp::Config::default()));
        let mut client = Self {
            connection,
            next: 0,
        };
        client.request("initialize", json!({ "capabilities": {} }));
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Notification::new(method.to_owned(), params).into())
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.connection
            .sender
            .send(Request::new(id.clone(), method.to_owned(), params).into())
            .unwrap();
        loop {
            match self.connection.receiver.recv().unwrap() {
                Message::Response(r) if r.id == id => return r.response_result.unwrap(),
                _ => {}
            }
        }
    }

    fn diagnostics(&self, version: i64) {
        loop {
            if let Message::Notification(n) = self.connection.receiver.recv().unwrap()
                && n.method == "textDocument/publishDiagnostics"
                && n.params["version"] == version
            {
                return;
            }
        }
    }
}

/// Where a request points in each scenario: the name of its first decision, which hover,
/// definition, references and rename all act on.
fn name_position(text: &str) -> Value {
    let at = text.find("[decisions.").expect("a decision") + "[decisions.".len() + 1;
    let line = text[..at].matches('\n').count();
    let column = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": column })
}

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut client = Client::start();
    for path in paths {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        // The same text with a comment added: a change that makes a new version.
        let edited = format!("{text}\n# edited\n");
        let uri = format!("file:///bench/{name}.toml");
        let doc = json!({ "uri": uri });
        let position = name_position(&text);
        let mut group = c.benchmark_group(format!("lsp/{name}"));
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(300));
        group.measurement_time(Duration::from_secs(1));
        let mut version = 0i64;
        group.bench_function("open → diagnostics", |b| {
            b.iter(|| {
                version += 1;
                client.notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": { "uri": uri, "languageId": "toml", "version": version, "text": text } }),
                );
                client.diagnostics(version);
            });
        });
        let requests: [(&str, &str, Value); 8] = [
            (
                "hover",
                "textDocument/hover",
                json!({ "textDocument": doc, "position": position }),
            ),
            (
                "definition",
                "textDocument/definition",
                json!({ "textDocument": doc, "position": position }),
            ),
            (
                "references",
                "textDocument/references",
                json!({ "textDocument": doc, "position": position, "context": { "includeDeclaration": true } }),
            ),
            (
                "completion",
                "textDocument/completion",
                json!({ "textDocument": doc, "position": position }),
            ),
            (
                "rename",
                "textDocument/rename",
                json!({ "textDocument": doc, "position": position, "newName": "renamed_here" }),
            ),
            (
                "code action",
                "textDocument/codeAction",
                json!({ "textDocument": doc, "range": { "start": position, "end": position }, "context": { "diagnostics": [] } }),
            ),
            (
                "formatting",
                "textDocument/formatting",
                json!({ "textDocument": doc, "options": { "tabSize": 4, "insertSpaces": true } }),
            ),
            (
                "code lens",
                "textDocument/codeLens",
                json!({ "textDocument": doc }),
            ),
        ];
        for (label, method, params) in requests {
            group.bench_function(format!("change + {label}"), |b| {
                b.iter(|| {
                    version += 1;
                    let new = if version % 2 == 0 { &edited } else { &text };
                    client.notify(
                        "textDocument/didChange",
                        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": new }] }),
                    );
                    client.request(method, params.clone())
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
