//! End-to-end tests of `casus lsp`: the real binary, driven over standard input and output
//! by a client that speaks the protocol as an editor does (`lsp/client.rs`).
//!
//! Expected values come from elsewhere than the server: diagnostics from `casus check
//! --format json` on the same file, formatting from `casus fmt`, forecasts computed by hand
//! (`lsp/talks.toml`: P(deal) = 0.675 × 0.6 + 0.325 × 0.25 = 0.48625), and every edit the
//! server proposes (rename, quick fix) is applied to the buffer here and the result sent back
//! for the server, and `casus check`, to find clean.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail loudly on what casus lsp must handle"
)]

#[path = "lsp/client.rs"]
mod client;

use std::path::{Path, PathBuf};
use std::process::Command;

use client::{Client, apply, at, position_of, text_of, uri};
use lsp_types::request::{
    CodeActionRequest, CodeLensRequest, Completion, ExecuteCommand, Formatting, GotoDefinition,
    HoverRequest, PrepareRenameRequest, References, Rename,
};
use lsp_types::{
    CodeActionContext, CodeActionOrCommand, CodeActionParams, CodeLensParams, CompletionItem,
    CompletionParams, CompletionResponse, CompletionTextEdit, DiagnosticSeverity,
    DocumentFormattingParams, ExecuteCommandParams, FormattingOptions, GotoDefinitionParams,
    GotoDefinitionResponse, HoverContents, HoverParams, NumberOrString, Position,
    PrepareRenameResponse, Range, ReferenceContext, ReferenceParams, RenameParams,
    TextDocumentContentChangeEvent, TextDocumentIdentifier, TextEdit, Uri, WorkspaceEdit,
};

const TALKS: &str = include_str!("lsp/talks.toml");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A client with `text` open as `name`, and its first diagnostics.
fn opened(name: &str, text: &str) -> (Client, Uri, Vec<lsp_types::Diagnostic>) {
    let (mut client, _) = Client::start();
    let uri = uri(name);
    client.open(&uri, text);
    let diagnostics = client.diagnostics(&uri, 1);
    (client, uri, diagnostics)
}

fn hover_text(client: &mut Client, uri: &Uri, position: Position) -> Option<String> {
    let hover = client
        .request::<HoverRequest>(HoverParams {
            text_document_position_params: at(uri, position),
            work_done_progress_params: Default::default(),
        })
        .unwrap()?;
    match hover.contents {
        HoverContents::Markup(m) => Some(m.value),
        other => panic!("hover is Markdown, not {other:?}"),
    }
}

fn completion(client: &mut Client, uri: &Uri, position: Position) -> Vec<CompletionItem> {
    match client
        .request::<Completion>(CompletionParams {
            text_document_position: at(uri, position),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: None,
        })
        .unwrap()
    {
        Some(CompletionResponse::Array(items)) => items,
        Some(CompletionResponse::List(list)) => list.items,
        None => Vec::new(),
    }
}

fn labels(items: &[CompletionItem]) -> Vec<String> {
    items.iter().map(|i| i.label.clone()).collect()
}

fn definition(client: &mut Client, uri: &Uri, position: Position) -> Option<Range> {
    match client
        .request::<GotoDefinition>(GotoDefinitionParams {
            text_document_position_params: at(uri, position),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()?
    {
        GotoDefinitionResponse::Scalar(location) => Some(location.range),
        other => panic!("one location, not {other:?}"),
    }
}

fn references(client: &mut Client, uri: &Uri, position: Position, declaration: bool) -> Vec<Range> {
    client
        .request::<References>(ReferenceParams {
            text_document_position: at(uri, position),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
            context: ReferenceContext {
                include_declaration: declaration,
            },
        })
        .unwrap()
        .unwrap_or_default()
        .into_iter()
        .map(|l| l.range)
        .collect()
}

fn rename(
    client: &mut Client,
    uri: &Uri,
    position: Position,
    new_name: &str,
) -> Result<Option<WorkspaceEdit>, lsp_server::ResponseError> {
    client.request::<Rename>(RenameParams {
        text_document_position: at(uri, position),
        new_name: new_name.to_owned(),
        work_done_progress_params: Default::default(),
    })
}

fn edits_for(edit: &WorkspaceEdit, uri: &Uri) -> Vec<TextEdit> {
    edit.changes
        .as_ref()
        .and_then(|c| c.iter().find(|(u, _)| u.as_str() == uri.as_str()))
        .map(|(_, e)| e.clone())
        .unwrap_or_default()
}

fn code_actions(client: &mut Client, uri: &Uri, range: Range) -> Vec<lsp_types::CodeAction> {
    client
        .request::<CodeActionRequest>(CodeActionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            range,
            context: CodeActionContext::default(),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap_or_default()
        .into_iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a,
            CodeActionOrCommand::Command(c) => panic!("a code action, not the command {c:?}"),
        })
        .collect()
}

/// Sends `text` as version `version` and returns its diagnostics.
fn resend(client: &mut Client, uri: &Uri, version: i32, text: &str) -> Vec<lsp_types::Diagnostic> {
    client.replace(uri, version, text);
    client.diagnostics(uri, version)
}

/// `casus check` on `text` written to a file: its diagnostics as JSON, and its exit code.
fn casus_check(text: &str) -> (Vec<serde_json::Value>, i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_casus"))
        .args(["check", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let json: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "casus check prints JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    (json, output.status.code().unwrap_or(-1))
}

/// A `casus check` position (1-based line, 1-based character column) as a protocol position.
fn check_position(text: &str, line: u64, column: u64) -> Position {
    let line_text = text.split('\n').nth(line as usize - 1).unwrap_or("");
    let units: usize = line_text
        .chars()
        .take(column as usize - 1)
        .map(char::len_utf16)
        .sum();
    Position::new(line as u32 - 1, units as u32)
}

fn codes(diagnostics: &[lsp_types::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| match &d.code {
            Some(NumberOrString::String(s)) => s.clone(),
            other => panic!("a string code, not {other:?}"),
        })
        .collect()
}

// --- initialize and shutdown -------------------------------------------------------------

#[test]
fn initialize_advertises_every_feature() {
    let (client, result) = Client::start();
    let c = &result.capabilities;
    assert!(c.hover_provider.is_some());
    assert!(c.definition_provider.is_some());
    assert!(c.references_provider.is_some());
    assert!(c.completion_provider.is_some());
    assert!(c.rename_provider.is_some());
    assert!(c.code_action_provider.is_some());
    assert!(c.document_formatting_provider.is_some());
    assert!(c.code_lens_provider.is_some());
    let commands = &c.execute_command_provider.as_ref().unwrap().commands;
    assert_eq!(commands, &["casus.runTests", "casus.showForecast"]);
    assert_eq!(result.server_info.unwrap().name, "casus");
    assert!(client.shutdown().success());
}

#[test]
fn shutdown_then_exit_ends_the_process_cleanly() {
    let (mut client, uri, _) = opened("shutdown.toml", TALKS);
    assert!(client.alive());
    // A request after open still works; then the server goes away with status 0.
    assert!(hover_text(&mut client, &uri, position_of(TALKS, "sanctions and", 0, 1)).is_some());
    assert!(client.shutdown().success());
}

#[test]
fn an_unknown_method_is_an_error_and_the_server_goes_on() {
    let (mut client, uri, _) = opened("unknown.toml", TALKS);
    let error = client
        .raw_request("casus/nothing", serde_json::Value::Null)
        .unwrap_err();
    assert_eq!(error.code, lsp_server::ErrorCode::MethodNotFound as i32);
    let bad = client
        .raw_request("textDocument/hover", serde_json::json!({"nonsense": 1}))
        .unwrap_err();
    assert_eq!(bad.code, lsp_server::ErrorCode::InvalidParams as i32);
    assert!(hover_text(&mut client, &uri, position_of(TALKS, "sanctions and", 0, 1)).is_some());
    assert!(client.shutdown().success());
}

// --- diagnostics -------------------------------------------------------------------------

#[test]
fn a_clean_scenario_and_every_bundled_one_have_no_errors() {
    let (mut client, _) = Client::start();
    let mut files = vec![("talks.toml".to_owned(), TALKS.to_owned())];
    for entry in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.push((name, std::fs::read_to_string(&path).unwrap()));
    }
    assert!(files.len() >= 6, "the bundled scenarios are found");
    for (name, text) in &files {
        let uri = uri(name);
        client.open(&uri, text);
        let diagnostics = client.diagnostics(&uri, 1);
        let (check, _) = casus_check(text);
        assert_eq!(
            diagnostics.len(),
            check.len(),
            "{name}: as many as casus check"
        );
        assert!(
            diagnostics
                .iter()
                .all(|d| d.severity != Some(DiagnosticSeverity::ERROR)),
            "{name}: {diagnostics:?}"
        );
    }
    assert!(client.shutdown().success());
}

/// Every invalid and lint fixture: the server's diagnostics are `casus check`'s, code for
/// code, at the same positions, with the same severity, and secondary labels become related
/// locations.
#[test]
fn diagnostics_match_casus_check_on_every_invalid_and_lint_fixture() {
    let (mut client, _) = Client::start();
    let dirs = [
        "tests/fixtures/invalid",
        "tests/fixtures/lints/trigger",
        "tests/fixtures/lints/near-miss",
    ];
    let mut paths: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() > 150);
    let mut related = 0;
    for path in &paths {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // not UTF-8: an editor cannot open it as text either
        };
        let folder = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_string_lossy();
        let name = format!("{folder}-{}", path.file_name().unwrap().to_string_lossy());
        let uri = uri(&name);
        client.open(&uri, &text);
        let got = client.diagnostics(&uri, 1);
        let (want, _) = casus_check(&text);
        assert_eq!(
            codes(&got),
            want.iter()
                .map(|d| d["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
            "{name}"
        );
        for (g, w) in got.iter().zip(&want) {
            if w["line"].is_null() {
                // No location (a whole-file finding): the start of the file.
                assert_eq!(g.range, Range::default(), "{name}");
                continue;
            }
            let start = check_position(
                &text,
                w["line"].as_u64().unwrap(),
                w["column"].as_u64().unwrap(),
            );
            let end = check_position(
                &text,
                w["end"]["line"].as_u64().unwrap(),
                w["end"]["column"].as_u64().unwrap(),
            );
            assert_eq!(g.range, Range::new(start, end), "{name}: {}", g.message);
            let severity = match w["severity"].as_str().unwrap() {
                "error" => DiagnosticSeverity::ERROR,
                "warning" => DiagnosticSeverity::WARNING,
                _ => DiagnosticSeverity::INFORMATION,
            };
            assert_eq!(g.severity, Some(severity), "{name}");
            assert!(
                g.message.starts_with(w["message"].as_str().unwrap()),
                "{name}"
            );
            let secondary = w["labels"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["primary"] == false)
                .count();
            let got_related = g.related_information.as_ref().map_or(0, Vec::len);
            assert_eq!(got_related, secondary, "{name}: related locations");
            related += got_related;
        }
        client.notify::<lsp_types::notification::DidCloseTextDocument>(
            lsp_types::DidCloseTextDocumentParams {
                text_document: TextDocumentIdentifier::new(uri.clone()),
            },
        );
    }
    assert!(related > 0, "some fixture has secondary labels");
    assert!(client.shutdown().success());
}

#[test]
fn diagnostics_follow_incremental_changes() {
    let (mut client, uri, first) = opened("change.toml", TALKS);
    assert!(first.is_empty(), "{first:?}");
    // Misspell a fact inside an expression with an incremental edit.
    let at = position_of(TALKS, "sanctions and", 0, 0);
    client.change(
        &uri,
        2,
        vec![TextDocumentContentChangeEvent {
            range: Some(Range::new(at, Position::new(at.line, at.character + 9))),
            range_length: None,
            text: "sanctons".to_owned(),
        }],
    );
    let second = client.diagnostics(&uri, 2);
    assert_eq!(codes(&second), ["E0202"]);
    assert_eq!(second[0].range.start, at);
    assert!(second[0].message.contains("did you mean `sanctions`?"));
    // And back.
    assert!(resend(&mut client, &uri, 3, TALKS).is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn lint_levels_of_the_file_are_honoured() {
    // Dropping the test that overrides `sanctions` makes it always true: W0201, a warning.
    let cut = TALKS.find("[tests.no_pressure_without_sanctions]").unwrap();
    let warned = &TALKS[..cut];
    let (mut client, uri, diagnostics) = opened("lints.toml", warned);
    assert_eq!(codes(&diagnostics), ["W0201"]);
    assert_eq!(diagnostics[0].severity, Some(DiagnosticSeverity::WARNING));
    let name = "constant_condition";
    let denied = format!("{warned}\n[lints]\n{name} = \"deny\"\n");
    let diagnostics = resend(&mut client, &uri, 2, &denied);
    assert_eq!(codes(&diagnostics), ["W0201"]);
    assert_eq!(diagnostics[0].severity, Some(DiagnosticSeverity::ERROR));
    let allowed = format!("{warned}\n[lints]\n{name} = \"allow\"\n");
    assert!(resend(&mut client, &uri, 3, &allowed).is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let broken = TALKS.replace("sanctions and", "sanctons and");
    let (mut client, uri, diagnostics) = opened("close.toml", &broken);
    assert_eq!(codes(&diagnostics), ["E0202"]);
    client.notify::<lsp_types::notification::DidCloseTextDocument>(
        lsp_types::DidCloseTextDocumentParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
        },
    );
    let want = uri.as_str().to_owned();
    let cleared = client
        .wait_for::<lsp_types::PublishDiagnosticsParams>(
            "textDocument/publishDiagnostics",
            client::PATIENCE,
            |p| p.uri.as_str() == want && p.version.is_none(),
        )
        .unwrap();
    assert!(cleared.diagnostics.is_empty());
    assert!(client.shutdown().success());
}

// --- hover -------------------------------------------------------------------------------

#[test]
fn hover_on_a_likelihood_word_shows_its_band() {
    let (mut client, uri, _) = opened("hover-word.toml", TALKS);
    let text = hover_text(&mut client, &uri, position_of(TALKS, "\"unlikely\"", 0, 3)).unwrap();
    assert_eq!(text, "**unlikely**: 20–45 % (ICD 203, likelihood row)");
    let text = hover_text(&mut client, &uri, position_of(TALKS, "\"likely\"", 0, 1)).unwrap();
    assert!(text.starts_with("**likely**: 55–80 %"), "{text}");
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_a_fact_shows_its_doc_type_and_source() {
    let (mut client, uri, _) = opened("hover-fact.toml", TALKS);
    // Inside an expression string.
    let text = hover_text(&mut client, &uri, position_of(TALKS, "sanctions and", 0, 4)).unwrap();
    assert!(
        text.contains("**input fact** `sanctions` = `true`"),
        "{text}"
    );
    assert!(text.contains("type: true or false"), "{text}");
    assert!(text.contains("source: Treasury notice, 2025-03"), "{text}");
    assert!(
        text.contains("sanctions are in force when the offer is made"),
        "{text}"
    );
    let text = hover_text(&mut client, &uri, position_of(TALKS, "pressure = 1", 0, 2)).unwrap();
    assert!(text.contains("**derived fact** `pressure`"), "{text}");
    assert!(text.contains("type: a number; default `0`"), "{text}");
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_a_decision_and_an_option() {
    let (mut client, uri, _) = opened("hover-decision.toml", TALKS);
    let text = hover_text(
        &mut client,
        &uri,
        position_of(TALKS, "russia_answer == 'accept'", 0, 3),
    )
    .unwrap();
    assert!(
        text.contains("**decision of `russia`** `russia_answer`"),
        "{text}"
    );
    assert!(text.contains("How does Moscow answer?"), "{text}");
    assert!(
        text.contains("options: `accept`, `refuse` or `stall`"),
        "{text}"
    );
    let text = hover_text(&mut client, &uri, position_of(TALKS, "'generous'", 0, 2)).unwrap();
    assert!(
        text.contains("**option** `generous` of `us_offer`"),
        "{text}"
    );
    assert!(
        text.contains("likelihood: \"likely\" (band 55–80 %)"),
        "{text}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_an_outcome_shows_condition_payoffs_and_forecast() {
    let (mut client, uri, _) = opened("hover-outcome.toml", TALKS);
    let text = hover_text(
        &mut client,
        &uri,
        position_of(TALKS, "[outcomes.deal]", 0, 11),
    )
    .unwrap();
    assert!(
        text.contains("**outcome** `deal`: A deal is signed"),
        "{text}"
    );
    assert!(text.contains("when: `russia_answer == 'accept'`"), "{text}");
    assert!(text.contains("payoffs: `us` 2, `russia` 1"), "{text}");
    // 0.675 × 0.6 + 0.325 × 0.25 = 0.48625, computed by hand.
    assert!(
        text.contains("forecast: 48.6 % (roughly even chance)"),
        "{text}"
    );
    // The fallback, from the test's `expect`.
    let text = hover_text(
        &mut client,
        &uri,
        position_of(TALKS, "\"escalation\"", 0, 3),
    )
    .unwrap();
    assert!(
        text.contains("when: no other outcome holds (the fallback)"),
        "{text}"
    );
    // 0.675 × 0.2 + 0.325 × 0.5 = 0.2975.
    assert!(text.contains("forecast: 29.8 %"), "{text}");
    assert!(client.shutdown().success());
}

#[test]
fn hover_on_a_rule_shows_its_because() {
    let (mut client, uri, _) = opened("hover-rule.toml", TALKS);
    let text = hover_text(
        &mut client,
        &uri,
        position_of(TALKS, "pressure_mounts", 0, 2),
    )
    .unwrap();
    assert!(text.contains("**rule** `pressure_mounts`"), "{text}");
    assert!(
        text.contains("because: sanctions bite harder once Moscow turns the offer down"),
        "{text}"
    );
    // Nothing named under the cursor: no hover.
    assert_eq!(
        hover_text(&mut client, &uri, position_of(TALKS, "title", 0, 1)),
        None
    );
    assert!(client.shutdown().success());
}

#[test]
fn hover_counts_columns_in_utf16_units() {
    // An emoji (two UTF-16 units, four bytes) before the name on the same line.
    let text = TALKS.replace("when = \"sanctions and", "when = \"/*😀*/ sanctions and");
    let text = text.replace("/*😀*/ ", "");
    let text = text.replace(
        "because = \"sanctions bite",
        "because = \"😀 sanctions bite",
    );
    let (mut client, uri, diagnostics) = opened("utf16.toml", &text);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    // `russia_answer` after the emoji-free `when`; the `because` line has the emoji and no name.
    let line_with_emoji = position_of(&text, "sanctions bite", 0, 0);
    assert_eq!(
        line_with_emoji.character,
        "because = \"😀 ".encode_utf16().count() as u32
    );
    let hovered = hover_text(
        &mut client,
        &uri,
        position_of(&text, "[rules.pressure_mounts]", 0, 8),
    );
    assert!(
        hovered
            .unwrap()
            .contains("because: 😀 sanctions bite harder")
    );
    assert!(client.shutdown().success());
}

// --- definition and references -------------------------------------------------------------

#[test]
fn definition_of_a_name_inside_an_expression() {
    let (mut client, uri, _) = opened("definition.toml", TALKS);
    let range = definition(&mut client, &uri, position_of(TALKS, "sanctions and", 0, 3)).unwrap();
    assert_eq!(range.start, position_of(TALKS, "sanctions = {", 0, 0));
    assert_eq!(text_of(TALKS, range), "sanctions");
    // A decision read by a `likelihood_if.when`.
    let range = definition(&mut client, &uri, position_of(TALKS, "us_offer == ", 0, 2)).unwrap();
    assert_eq!(
        range.start,
        position_of(TALKS, "[decisions.us_offer]", 0, 11)
    );
    assert!(client.shutdown().success());
}

#[test]
fn definition_of_an_option_and_of_test_keys() {
    let (mut client, uri, _) = opened("definition-option.toml", TALKS);
    // `'accept'` in an outcome's `when` goes to the option in `options = [...]`.
    let range = definition(&mut client, &uri, position_of(TALKS, "== 'accept'", 0, 5)).unwrap();
    assert_eq!(
        range.start,
        position_of(TALKS, "\"accept\", \"refuse\"", 0, 1)
    );
    // A test's `given` key goes to the decision; its value to the option.
    let range = definition(
        &mut client,
        &uri,
        position_of(TALKS, "given = { us_offer", 0, 11),
    )
    .unwrap();
    assert_eq!(text_of(TALKS, range), "us_offer");
    assert_eq!(
        range.start,
        position_of(TALKS, "[decisions.us_offer]", 0, 11)
    );
    let range = definition(
        &mut client,
        &uri,
        position_of(TALKS, "russia_answer = \"refuse\"", 0, 17),
    )
    .unwrap();
    assert_eq!(
        range.start,
        position_of(TALKS, "\"refuse\", \"stall\"", 0, 1)
    );
    // `expect = { outcome = "deal" }` goes to the outcome.
    let range = definition(
        &mut client,
        &uri,
        position_of(TALKS, "outcome = \"deal\"", 0, 12),
    )
    .unwrap();
    assert_eq!(range.start, position_of(TALKS, "[outcomes.deal]", 0, 10));
    // Nothing to go to from a title.
    assert_eq!(
        definition(
            &mut client,
            &uri,
            position_of(TALKS, "A deal is signed", 0, 2)
        ),
        None
    );
    assert!(client.shutdown().success());
}

#[test]
fn references_find_every_use_across_the_file() {
    let (mut client, uri, _) = opened("references.toml", TALKS);
    // `russia_answer`: its header, the `likelihood_if` header, three expressions and three
    // tests' `given` (counted by hand).
    let all = references(
        &mut client,
        &uri,
        position_of(TALKS, "russia_answer != ", 0, 1),
        true,
    );
    assert_eq!(all.len(), 8, "{all:?}");
    assert!(all.iter().all(|r| text_of(TALKS, *r) == "russia_answer"));
    let uses = references(
        &mut client,
        &uri,
        position_of(TALKS, "russia_answer != ", 0, 1),
        false,
    );
    assert_eq!(uses.len(), 7);
    // The option `accept`: declared, its two likelihood keys, two expressions, one test.
    let accept = references(
        &mut client,
        &uri,
        position_of(TALKS, "== 'accept'", 0, 5),
        true,
    );
    assert_eq!(accept.len(), 6, "{accept:?}");
    assert!(accept.iter().all(|r| text_of(TALKS, *r) == "accept"));
    // The actor `us`: declared, one decision, three payoffs.
    let us = references(
        &mut client,
        &uri,
        position_of(TALKS, "us = \"United States\"", 0, 0),
        true,
    );
    assert_eq!(us.len(), 5, "{us:?}");
    assert!(client.shutdown().success());
}

// --- completion --------------------------------------------------------------------------

#[test]
fn completion_offers_the_options_after_a_comparison() {
    let text = TALKS.replace(
        "when = \"russia_answer == 'stall'\"",
        "when = \"russia_answer == '",
    );
    let (mut client, uri, _) = opened("complete-options.toml", &text);
    let at = position_of(&text, "russia_answer == '\n", 0, "russia_answer == '".len());
    let items = completion(&mut client, &uri, at);
    assert_eq!(labels(&items), ["accept", "refuse", "stall"]);
    // Each replaces nothing yet: it is inserted at the cursor.
    let Some(CompletionTextEdit::Edit(edit)) = &items[0].text_edit else {
        panic!("a text edit")
    };
    assert_eq!(edit.range, Range::new(at, at));
    assert!(client.shutdown().success());
}

#[test]
fn completion_in_a_list_and_after_a_partial_symbol() {
    let text = TALKS.replace(
        "when = \"russia_answer == 'stall'\"",
        "when = \"us_offer in ['generous', 'to\"",
    );
    let (mut client, uri, _) = opened("complete-in.toml", &text);
    let at = position_of(&text, "'to\"", 0, 3);
    let items = completion(&mut client, &uri, at);
    assert_eq!(labels(&items), ["generous", "tough"]);
    let Some(CompletionTextEdit::Edit(edit)) = &items[1].text_edit else {
        panic!("a text edit")
    };
    assert_eq!(text_of(&text, edit.range), "to");
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_facts_and_decisions_in_expressions() {
    let (mut client, uri, _) = opened("complete-names.toml", TALKS);
    let at = position_of(TALKS, "sanctions and", 0, 3);
    let items = completion(&mut client, &uri, at);
    assert_eq!(
        labels(&items),
        ["sanctions", "pressure", "us_offer", "russia_answer"]
    );
    let Some(CompletionTextEdit::Edit(edit)) = &items[0].text_edit else {
        panic!("a text edit")
    };
    assert_eq!(text_of(TALKS, edit.range), "san");
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_likelihood_words_in_the_files_vocabulary() {
    let (mut client, uri, _) = opened("complete-words.toml", TALKS);
    let at = position_of(TALKS, "tough = \"unlikely\"", 0, "tough = \"".len());
    let items = completion(&mut client, &uri, at);
    // The file writes the likelihood row ("likely", "unlikely"): only that row is offered.
    assert_eq!(
        labels(&items),
        [
            "almost no chance",
            "very unlikely",
            "unlikely",
            "roughly even chance",
            "likely",
            "very likely",
            "almost certain"
        ]
    );
    assert_eq!(items[2].detail.as_deref(), Some("20–45 %"));
    // A file in the probability row gets that row.
    let probable = TALKS
        .replace("\"likely\"", "\"probable\"")
        .replace("\"unlikely\"", "\"improbable\"");
    let diagnostics = resend(&mut client, &uri, 2, &probable);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let at = position_of(&probable, "tough = \"improbable\"", 0, "tough = \"".len());
    let items = completion(&mut client, &uri, at);
    assert!(labels(&items).contains(&"highly improbable".to_owned()));
    assert!(!labels(&items).contains(&"unlikely".to_owned()));
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_the_keys_of_the_table() {
    let text = TALKS.replace(
        "payoff = { us = -1, russia = 0 }",
        "payoff = { us = -1, russia = 0 }\nd",
    );
    let (mut client, uri, _) = opened("complete-keys.toml", &text);
    let at = position_of(&text, "russia = 0 }\nd", 0, "russia = 0 }\nd".len());
    let items = labels(&completion(&mut client, &uri, at));
    // `[outcomes.escalation]` has a title and a payoff already.
    assert_eq!(items, ["when", "doc"], "{items:?}");
    // A header offers the sections.
    let header = TALKS.replace("[tests.refusal_escalates]", "[tests.refusal_escalates]\n[");
    let _ = resend(&mut client, &uri, 2, &header);
    let at = position_of(&header, "\n[\n", 0, 2);
    let items = labels(&completion(&mut client, &uri, at));
    assert!(items.contains(&"decisions".to_owned()) && items.contains(&"signposts".to_owned()));
    assert!(client.shutdown().success());
}

#[test]
fn completion_in_a_half_typed_buffer_uses_the_last_file_that_loaded() {
    let (mut client, uri, _) = opened("complete-broken.toml", TALKS);
    // The analyst has just typed the opening quote: the TOML string is not closed.
    let broken = TALKS.replace(
        "when = \"russia_answer == 'stall'\"",
        "when = \"us_offer != '",
    );
    let diagnostics = resend(&mut client, &uri, 2, &broken);
    assert!(
        codes(&diagnostics).contains(&"E0001".to_owned()),
        "{diagnostics:?}"
    );
    let at = position_of(&broken, "us_offer != '", 0, "us_offer != '".len());
    assert_eq!(
        labels(&completion(&mut client, &uri, at)),
        ["generous", "tough"]
    );
    assert!(client.shutdown().success());
}

#[test]
fn completion_of_actors_given_keys_and_expected_outcomes() {
    let text = TALKS.replace("actor = \"us\"", "actor = \"").replace(
        "given = { russia_answer = \"accept\" }",
        "given = { russia_answer = \"accept\", ",
    );
    let text = text
        .replace("expect = { outcome = \"deal\" }", "expect = { outcome = \"")
        .replace(
            "given = { us_offer = \"generous\", russia_answer = \"refuse\" }",
            "given = { us_offer = \"",
        );
    // The file loaded before the analyst started typing.
    let (mut client, uri, _) = opened("complete-more.toml", TALKS);
    let _ = resend(&mut client, &uri, 2, &text);
    let items = completion(&mut client, &uri, position_of(&text, "actor = \"", 0, 9));
    assert_eq!(labels(&items), ["us", "russia"]);
    let typed = "russia_answer = \"accept\", ";
    let at = position_of(&text, typed, 0, typed.len());
    let items = labels(&completion(&mut client, &uri, at));
    assert_eq!(
        items,
        ["sanctions", "pressure", "us_offer", "russia_answer"]
    );
    let at = position_of(&text, "outcome = \"\n", 0, "outcome = \"".len());
    let items = labels(&completion(&mut client, &uri, at));
    assert_eq!(items, ["deal", "stalemate", "escalation"]);
    // A test's value for a decision: its options.
    let at = position_of(
        &text,
        "given = { us_offer = \"",
        0,
        "given = { us_offer = \"".len(),
    );
    let items = labels(&completion(&mut client, &uri, at));
    assert_eq!(items, ["generous", "tough"]);
    assert!(client.shutdown().success());
}

// --- rename ------------------------------------------------------------------------------

/// Renames the thing at `position` to `new_name`, applies the edits to the buffer, sends it
/// back and checks it clean, in the server and with `casus check`; returns the new text.
fn rename_cleanly(
    client: &mut Client,
    uri: &Uri,
    text: &str,
    version: i32,
    position: Position,
    new_name: &str,
    expected_edits: usize,
) -> String {
    let prepared = client
        .request::<PrepareRenameRequest>(at(uri, position))
        .unwrap();
    let Some(PrepareRenameResponse::Range(range)) = prepared else {
        panic!("a range to rename, not {prepared:?}")
    };
    let old = text_of(text, range).to_owned();
    let edit = rename(client, uri, position, new_name).unwrap().unwrap();
    let edits = edits_for(&edit, uri);
    assert_eq!(edits.len(), expected_edits, "{edits:?}");
    assert!(edits.iter().all(|e| text_of(text, e.range) == old));
    let renamed = apply(text, &edits);
    let diagnostics = resend(client, uri, version, &renamed);
    assert!(diagnostics.is_empty(), "{diagnostics:?}\n{renamed}");
    let (check, code) = casus_check(&renamed);
    assert!(check.is_empty() && code == 0, "{check:?}");
    // Nothing else changed length: each edit swapped the old name for the new one.
    let grown = expected_edits as isize * (new_name.len() as isize - old.len() as isize);
    assert_eq!(
        renamed.len() as isize,
        text.len() as isize + grown,
        "only the name changed"
    );
    renamed
}

#[test]
fn rename_a_decision_everywhere_including_expressions_and_headers() {
    let (mut client, uri, _) = opened("rename-decision.toml", TALKS);
    let renamed = rename_cleanly(
        &mut client,
        &uri,
        TALKS,
        2,
        position_of(TALKS, "russia_answer != ", 0, 2),
        "moscow_reply",
        8,
    );
    assert!(!renamed.contains("russia_answer"));
    assert!(renamed.contains("[[decisions.moscow_reply.likelihood_if]]"));
    assert!(renamed.contains("when = \"moscow_reply == 'accept'\""));
    assert!(client.shutdown().success());
}

#[test]
fn rename_an_option_in_expressions_tables_and_tests() {
    let (mut client, uri, _) = opened("rename-option.toml", TALKS);
    let renamed = rename_cleanly(
        &mut client,
        &uri,
        TALKS,
        2,
        position_of(TALKS, "== 'accept'", 0, 5),
        "agree",
        6,
    );
    assert!(renamed.contains("options = [\"agree\", \"refuse\", \"stall\"]"));
    assert!(renamed.contains("likelihood = { agree = 0.25"));
    assert!(renamed.contains("russia_answer != 'agree'"));
    assert!(renamed.contains("given = { russia_answer = \"agree\" }"));
    assert!(client.shutdown().success());
}

#[test]
fn rename_a_fact_an_outcome_a_rule_and_an_actor() {
    let (mut client, uri, _) = opened("rename-more.toml", TALKS);
    // Each renamed in the text the one before left: where, into, the new name, how many
    // places (counted by hand).
    let steps = [
        ("pressure = 1", 0, "leverage", 4),
        ("outcome = \"escalation\"", 12, "war", 2),
        ("[rules.pressure_mounts]", 8, "squeeze", 1),
        ("us = \"United States\"", 0, "usa", 5),
    ];
    let mut text = TALKS.to_owned();
    for (version, (needle, into, new_name, places)) in (2..).zip(steps) {
        let at = position_of(&text, needle, 0, into);
        text = rename_cleanly(&mut client, &uri, &text, version, at, new_name, places);
    }
    assert!(text.contains("actor = \"usa\""));
    assert!(client.shutdown().success());
}

#[test]
fn rename_refuses_a_taken_name_or_a_non_id() {
    let (mut client, uri, _) = opened("rename-refused.toml", TALKS);
    let at = position_of(TALKS, "sanctions and", 0, 1);
    let taken = rename(&mut client, &uri, at, "us_offer").unwrap_err();
    assert_eq!(
        taken.message,
        "`us_offer` is already a decision in this file"
    );
    let bad = rename(&mut client, &uri, at, "Sanctions").unwrap_err();
    assert!(
        bad.message.starts_with("`Sanctions` is not an id"),
        "{}",
        bad.message
    );
    // Nothing to rename on a title.
    let nothing = client
        .request::<PrepareRenameRequest>(lsp_types::TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(uri.clone()),
            position_of(TALKS, "A deal is signed", 0, 2),
        ))
        .unwrap();
    assert_eq!(nothing, None);
    assert!(client.shutdown().success());
}

// --- code actions and formatting ----------------------------------------------------------

/// Applies the one quick fix offered for the first diagnostic of `broken` and checks the
/// result clean; returns the fix's title.
fn fix_cleanly(name: &str, broken: &str, want: &str) -> String {
    let (mut client, uri, diagnostics) = opened(name, broken);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let actions = code_actions(&mut client, &uri, diagnostics[0].range);
    assert_eq!(actions.len(), 1, "{actions:?}");
    let action = &actions[0];
    assert_eq!(action.kind, Some(lsp_types::CodeActionKind::QUICKFIX));
    let edits = edits_for(action.edit.as_ref().unwrap(), &uri);
    let fixed = apply(broken, &edits);
    assert_eq!(fixed, want, "the fix restores the text exactly");
    assert!(resend(&mut client, &uri, 2, &fixed).is_empty());
    let (check, code) = casus_check(&fixed);
    assert!(check.is_empty() && code == 0, "{check:?}");
    assert!(client.shutdown().success());
    action.title.clone()
}

#[test]
fn quick_fix_an_unknown_name_in_an_expression() {
    let broken = TALKS.replace("sanctions and", "sanctons and");
    assert_eq!(
        fix_cleanly("fix-name.toml", &broken, TALKS),
        "replace with `sanctions`"
    );
}

#[test]
fn quick_fix_a_misspelled_option_in_an_expression() {
    let broken = TALKS.replace("== 'accept'", "== 'acept'");
    assert_eq!(
        fix_cleanly("fix-option.toml", &broken, TALKS),
        "replace with `accept`"
    );
}

#[test]
fn quick_fix_a_misspelled_likelihood_word_and_key() {
    let broken = TALKS.replace("tough = \"unlikely\"", "tough = \"unlikley\"");
    assert_eq!(
        fix_cleanly("fix-word.toml", &broken, TALKS),
        "replace with `unlikely`"
    );
    let broken = TALKS.replace("because = ", "becuase = ");
    assert_eq!(
        fix_cleanly("fix-key.toml", &broken, TALKS),
        "replace with `because`"
    );
}

/// Every "did you mean" among the invalid fixtures becomes a quick fix, and applying it makes
/// that diagnostic go away.
#[test]
fn every_did_you_mean_of_the_fixtures_is_a_working_quick_fix() {
    let (mut client, _) = Client::start();
    let dir = root().join("tests/fixtures/invalid");
    let mut fixed = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let uri = uri(&format!("fix-{name}"));
        client.open(&uri, &text);
        let diagnostics = client.diagnostics(&uri, 1);
        let mut version = 1;
        for d in diagnostics
            .iter()
            .filter(|d| d.message.contains("did you mean `"))
        {
            let actions = code_actions(&mut client, &uri, d.range);
            let action = actions
                .iter()
                .find(|a| {
                    a.diagnostics
                        .as_ref()
                        .is_some_and(|ds| ds[0].range == d.range && ds[0].code == d.code)
                })
                .unwrap_or_else(|| panic!("{name}: a quick fix for {}", d.message));
            let suggested = d
                .message
                .split("did you mean `")
                .nth(1)
                .unwrap()
                .split('`')
                .next()
                .unwrap();
            let edits = edits_for(action.edit.as_ref().unwrap(), &uri);
            assert_eq!(edits.len(), 1);
            assert_eq!(edits[0].new_text, suggested);
            let after = apply(&text, &edits);
            version += 1;
            let again = resend(&mut client, &uri, version, &after);
            assert!(
                !again
                    .iter()
                    .any(|a| a.code == d.code && a.range.start == d.range.start),
                "{name}: the fix for {} left it in place: {again:?}",
                d.message
            );
            // Back to the fixture for the next diagnostic.
            version += 1;
            let _ = resend(&mut client, &uri, version, &text);
            fixed += 1;
        }
    }
    assert!(
        fixed >= 10,
        "only {fixed} did-you-mean fixes among the fixtures"
    );
    assert!(client.shutdown().success());
}

#[test]
fn formatting_gives_what_casus_fmt_writes() {
    let messy = TALKS
        .replace("[actors]\n", "[actors]\n\n\n")
        .replace(
            "actor = \"us\"\nask",
            "ask = \"What does Washington offer?\"\nactor = \"us\"\nask_",
        )
        .replace("ask_ = \"What does Washington offer?\"\n", "");
    assert_ne!(messy, TALKS);
    let (mut client, uri, _) = opened("format.toml", &messy);
    let edits = client
        .request::<Formatting>(DocumentFormattingParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let formatted = apply(&messy, &edits);
    // `casus fmt` on the same text, in a file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messy.toml");
    std::fs::write(&path, &messy).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_casus"))
        .arg("fmt")
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(formatted, std::fs::read_to_string(&path).unwrap());
    // Formatting a formatted buffer changes nothing.
    let _ = resend(&mut client, &uri, 2, &formatted);
    let again = client
        .request::<Formatting>(DocumentFormattingParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            options: FormattingOptions::default(),
            work_done_progress_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    assert!(again.is_empty());
    assert!(client.shutdown().success());
}

// --- code lens ---------------------------------------------------------------------------

#[test]
fn code_lenses_show_forecasts_and_run_tests() {
    let (mut client, uri, _) = opened("lens.toml", TALKS);
    let lenses = client
        .request::<CodeLensRequest>(CodeLensParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .unwrap()
        .unwrap();
    let titles: Vec<String> = lenses
        .iter()
        .map(|l| l.command.as_ref().unwrap().title.clone())
        .collect();
    // Forecasts computed by hand: deal 0.48625, stalemate 0.675 × 0.2 + 0.325 × 0.25 =
    // 0.21625, escalation 0.2975.
    assert_eq!(
        titles,
        [
            "forecast 48.6 % (roughly even chance)",
            "forecast 21.6 % (unlikely)",
            "forecast 29.8 % (unlikely)",
            "▶ run test `refusal_escalates`",
            "▶ run test `acceptance_is_a_deal`",
            "▶ run test `no_pressure_without_sanctions`",
        ]
    );
    assert_eq!(
        lenses[0].range.start.line,
        position_of(TALKS, "[outcomes.deal]", 0, 0).line
    );
    // Run every test, then one, as the lens does.
    let run = |client: &mut Client, arguments: Vec<serde_json::Value>| {
        client
            .request::<ExecuteCommand>(ExecuteCommandParams {
                command: "casus.runTests".to_owned(),
                arguments,
                work_done_progress_params: Default::default(),
            })
            .unwrap()
            .unwrap()
    };
    let all = run(&mut client, vec![uri.as_str().into()]);
    let statuses: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["passed", "passed", "passed"]);
    let one = run(
        &mut client,
        lenses[3]
            .command
            .as_ref()
            .unwrap()
            .arguments
            .clone()
            .unwrap(),
    );
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["test"], "refusal_escalates");
    // A failing test says why.
    let failing = TALKS.replace(
        "expect = { outcome = \"deal\" }",
        "expect = { outcome = \"stalemate\" }",
    );
    let _ = resend(&mut client, &uri, 2, &failing);
    let all = run(&mut client, vec![uri.as_str().into()]);
    assert_eq!(all[1]["status"], "failed");
    assert_eq!(all[1]["failures"][0]["kind"], "expect");
    assert!(client.shutdown().success());
}

// --- robustness --------------------------------------------------------------------------

/// `n` chance decisions of two options, each adding its own power of two to a score that an
/// outcome reads: no two paths reach the same state, so the search cannot merge any of the
/// 2^n paths. `high` needs the last decision at `b` and some other at `b` too:
/// P(`high`) = 1/2 × (1 − 2^−(n−1)).
fn path_space(n: u32) -> String {
    let mut text = String::from(
        "[scenario]\ntitle = \"A path space\"\n\n[actors]\nx = \"X\"\n\n[facts]\nscore = { type = \"number\", default = 0 }\n\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "[decisions.d{i}]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = {{ a = 0.5, b = 0.5 }}\n\n"
        ));
    }
    for i in 0..n {
        text.push_str(&format!(
            "[rules.r{i}]\nwhen = \"d{i} == 'b'\"\nadd = {{ score = {} }}\n\n",
            1u64 << i
        ));
    }
    text.push_str(&format!(
        "[outcomes.high]\ntitle = \"High\"\nwhen = \"score > {}\"\npayoff = {{ x = 1 }}\n\n[outcomes.low]\ntitle = \"Low\"\npayoff = {{ x = 0 }}\n",
        1u64 << (n - 1)
    ));
    text
}

/// A file of 2^24 paths takes a full minute to search (it stops at `--max-paths`); the next
/// keystroke's diagnostics must not wait for it. They come from a fresh analysis while the
/// stale one is cancelled: its result is never published.
#[test]
fn a_huge_path_space_does_not_block_the_next_keystrokes_diagnostics() {
    let huge = path_space(24);
    let (mut client, uri, first) = opened("huge.toml", &huge);
    // The quick analysis is published at once, without the self-imposed time limit.
    assert!(first.is_empty(), "{first:?}");
    // The next keystroke misspells an option; its diagnostics come without waiting.
    let typo = huge.replace("when = \"d3 == 'b'\"", "when = \"d3 == 'bb'\"");
    let sent = std::time::Instant::now();
    client.replace(&uri, 2, &typo);
    let second = client.diagnostics(&uri, 2);
    let waited = sent.elapsed();
    assert_eq!(codes(&second), ["E0203"], "{second:?}");
    assert!(
        waited < std::time::Duration::from_secs(30),
        "the keystroke's diagnostics took {waited:?}"
    );
    // Another keystroke puts it right: clean again, also at once.
    let third = resend(&mut client, &uri, 3, &huge);
    assert!(third.is_empty(), "{third:?}");
    // The run on version 1 was cancelled, never published: no version-1 diagnostics came
    // after the first.
    assert!(
        !client
            .notifications
            .iter()
            .any(|n| n.method == "textDocument/publishDiagnostics" && n.params["version"] == 1),
        "the stale run was published"
    );
    assert!(client.shutdown().success());
}

/// A file too big for the quick analysis (2^14 distinct paths, more nodes than the quick
/// step allows itself) gets its full analysis on a worker: then the forecast is known.
#[test]
fn a_large_file_gets_its_forecast_from_the_full_analysis() {
    let large = path_space(14);
    let (mut client, uri, quick) = opened("large.toml", &large);
    assert!(quick.is_empty(), "{quick:?}");
    // Then the full analysis: `casus check`'s findings.
    let full = client.diagnostics(&uri, 1);
    let (check, _) = casus_check(&large);
    assert_eq!(full.len(), check.len(), "{full:?}");
    // 1/2 × (1 − 2^−13) = 0.49994, by hand.
    let text = hover_text(
        &mut client,
        &uri,
        position_of(&large, "[outcomes.high]", 0, 10),
    )
    .unwrap();
    assert!(
        text.contains("forecast: 50 % (roughly even chance)"),
        "{text}"
    );
    assert!(client.shutdown().success());
}

/// 10,000 random insertions and deletions at random places in the bundled scenarios, with a
/// request of every kind now and then on the garbled text: the server answers every one and
/// never crashes, and ends with diagnostics for the last version.
#[test]
fn ten_thousand_random_edits_never_crash_the_server() {
    const EDITS: usize = 10_000;
    let pieces = [
        "\"",
        "'",
        "[",
        "]",
        "[[",
        "{",
        "}",
        "=",
        "==",
        "\n",
        ".",
        "#",
        " ",
        ",",
        "and ",
        "not ",
        "é",
        "😀",
        "\\",
        "\\u00",
        "0.5",
        "-",
        "%",
        "decisions.",
        "when = \"",
        "likely",
        "x",
        "\r\n",
        "\"\"\"",
        "in [",
        "\t",
    ];
    let mut rng = fastrand::Rng::with_seed(18);
    let mut files: Vec<(String, String)> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files.push(("talks.toml".to_owned(), TALKS.to_owned()));
    let (mut client, _) = Client::start();
    let mut requests = 0;
    let per_file = EDITS / files.len() + 1;
    let mut done = 0;
    for (name, original) in &files {
        let uri = uri(&format!("random-{name}"));
        let mut text = original.clone();
        client.open(&uri, &text);
        let mut version = 1;
        for _ in 0..per_file.min(EDITS - done) {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let start = boundaries[rng.usize(..boundaries.len())];
            let (end, insert) = if rng.bool() || text.is_empty() {
                (start, pieces[rng.usize(..pieces.len())].to_owned())
            } else {
                let later: Vec<usize> = boundaries
                    .iter()
                    .copied()
                    .filter(|&b| b >= start && b <= start + 40)
                    .collect();
                (later[rng.usize(..later.len())], String::new())
            };
            let range = Range::new(client::position(&text, start), client::position(&text, end));
            version += 1;
            client.change(
                &uri,
                version,
                vec![TextDocumentContentChangeEvent {
                    range: Some(range),
                    range_length: None,
                    text: insert.clone(),
                }],
            );
            text.replace_range(start..end, &insert);
            done += 1;
            if done % 40 == 0 {
                let now: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([text.len()])
                    .collect();
                let at = client::position(&text, now[rng.usize(..now.len())]);
                let params = at_params(&uri, at);
                let (method, params) = match (done / 40) % 8 {
                    0 => ("textDocument/hover", params),
                    1 => ("textDocument/completion", params),
                    2 => ("textDocument/definition", params),
                    3 => ("textDocument/references", with_context(params)),
                    4 => ("textDocument/prepareRename", params),
                    5 => ("textDocument/codeAction", code_action_params(&uri, at)),
                    6 => ("textDocument/codeLens", document_params(&uri)),
                    _ => ("textDocument/formatting", formatting_params(&uri)),
                };
                let answer = client.raw_request(method, params);
                assert!(answer.is_ok(), "{method} on {name} v{version}: {answer:?}");
                requests += 1;
            }
        }
        // The server's buffer is the one edited here: its diagnostics for the last version
        // are those of `casus check` on this text.
        let last = client.diagnostics(&uri, version);
        let (check, _) = casus_check(&text);
        assert_eq!(
            codes(&last),
            check
                .iter()
                .map(|d| d["code"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>(),
            "{name}: the server's text drifted from the client's"
        );
        assert!(client.alive());
    }
    assert_eq!(done, EDITS);
    assert!(requests >= 200);
    assert!(client.shutdown().success());
}

fn at_params(uri: &Uri, position: Position) -> serde_json::Value {
    serde_json::to_value(at(uri, position)).unwrap()
}

fn with_context(mut params: serde_json::Value) -> serde_json::Value {
    params["context"] = serde_json::json!({ "includeDeclaration": true });
    params
}

fn document_params(uri: &Uri) -> serde_json::Value {
    serde_json::json!({ "textDocument": { "uri": uri.as_str() } })
}

fn formatting_params(uri: &Uri) -> serde_json::Value {
    serde_json::json!({
        "textDocument": { "uri": uri.as_str() },
        "options": { "tabSize": 4, "insertSpaces": true }
    })
}

fn code_action_params(uri: &Uri, at: Position) -> serde_json::Value {
    serde_json::json!({
        "textDocument": { "uri": uri.as_str() },
        "range": { "start": at, "end": at },
        "context": { "diagnostics": [] }
    })
}

// --- a real editor -----------------------------------------------------------------------

/// Neovim (Debian's `neovim`, headless, its built-in LSP client) opens a scenario with a
/// misspelled fact and reads back the diagnostic `casus lsp` publishes. `.ci/run` installs
/// Neovim and sets `CASUS_REQUIRE_NEOVIM`, so in CI a missing Neovim fails the test; elsewhere
/// it is skipped with a note.
#[test]
fn a_real_neovim_shows_the_diagnostic() {
    let nvim =
        std::env::var_os("CASUS_NEOVIM").map_or_else(|| PathBuf::from("nvim"), PathBuf::from);
    if Command::new(&nvim).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CASUS_REQUIRE_NEOVIM").is_none(),
            "CASUS_REQUIRE_NEOVIM is set but there is no `nvim` to run"
        );
        eprintln!("note: skipping the Neovim test: install Debian's `neovim` to run it");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mistake.toml");
    let broken = TALKS.replace("sanctions and", "sanctons and");
    std::fs::write(&file, &broken).unwrap();
    let out = dir.path().join("diagnostics.txt");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lsp/neovim.lua");
    let mut child = Command::new(&nvim)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-c"])
        .arg(format!("luafile {}", script.display()))
        .env("CASUS_BIN", env!("CARGO_BIN_EXE_casus"))
        .env("CASUS_FILE", &file)
        .env("CASUS_OUT", &out)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("Neovim did not finish");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(status.success(), "Neovim exited with {status}");
    let lines = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = lines.lines().collect();
    // Neovim counts lines and columns from 0, as the protocol does.
    let at = position_of(&broken, "sanctons and", 0, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let expected = format!("{}:{}:casus:E0202:", at.line, at.character);
    assert!(
        lines[0].starts_with(&expected),
        "{lines:?} does not start with {expected}"
    );
    assert!(
        lines[0].contains("help: did you mean `sanctions`?"),
        "{lines:?}"
    );
}
