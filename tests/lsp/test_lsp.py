"""`flexmap lsp` driven as an editor drives it: pytest-lsp over stdio, JSON-RPC.

Run by tests/it/lsp.rs (`cargo test --test it lsp`) with FLEXMAP_BIN set to the built binary;
by hand: `FLEXMAP_BIN=target/debug/flexmap python3 -m pytest tests/lsp -q`.
"""

import asyncio
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

BIN = os.environ.get("FLEXMAP_BIN", "target/debug/flexmap")

MISSPELT = """flexmap: 1
target: task
conversations:
  ivr_path: ivr.digits | hierarchy
  wrapup_time: task.wrap_seconds | number
"""

SECOND = """flexmap: 1
target: task
conversations:
  ivr_path: ivr.menu
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={"debounceMs": 20},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def project(tmp_path):
    (tmp_path / "flexmap.toml").write_text("")
    (tmp_path / "a.yaml").write_text(MISSPELT)
    return tmp_path


def uri_of(path: pathlib.Path) -> str:
    return path.resolve().as_uri()


def open_file(client, path, text, version=1):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri_of(path), language_id="yaml", version=version, text=text
            )
        )
    )


async def diagnostics_for(client, uri, predicate=lambda ds: True, rounds=20):
    """Waits for publishDiagnostics of `uri` until `predicate` holds (bounded)."""
    for _ in range(rounds):
        if uri in client.diagnostics and predicate(client.diagnostics[uri]):
            return client.diagnostics[uri]
        try:
            await asyncio.wait_for(
                client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 5
            )
        except asyncio.TimeoutError:
            break
    raise AssertionError(f"no matching diagnostics for {uri}: {client.diagnostics.get(uri)}")


def codes(diagnostics):
    return sorted(d.code for d in diagnostics)


def apply_edits(text: str, edits) -> str:
    """Applies LSP TextEdits (UTF-16 positions; the test texts are ASCII)."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def offset(p):
        return offsets[p.line] + p.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


@pytest.mark.asyncio
async def test_misspelt_target_is_fm101_at_its_range_and_clears_on_change(client, project):
    path = project / "a.yaml"
    open_file(client, path, MISSPELT)
    found = await diagnostics_for(client, uri_of(path), lambda ds: len(ds) > 0)
    assert codes(found) == ["FM101"]
    fm101 = found[0]
    assert fm101.range == types.Range(
        start=types.Position(line=4, character=2), end=types.Position(line=4, character=13)
    )
    assert fm101.severity == types.DiagnosticSeverity.Error
    assert "wrap_up_time" in fm101.message
    assert fm101.code_description is not None
    # The unsaved buffer changes (incrementally): `wrapup` becomes `wrap_up`.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=4, character=6),
                        end=types.Position(line=4, character=6),
                    ),
                    text="_",
                )
            ],
        )
    )
    cleared = await diagnostics_for(client, uri_of(path), lambda ds: "FM101" not in codes(ds))
    assert all(d.severity == types.DiagnosticSeverity.Information for d in cleared)
    # The file on disk was never written.
    assert path.read_text() == MISSPELT


@pytest.mark.asyncio
async def test_completion_after_conversations_finds_wrap_up_time(client, project):
    path = project / "a.yaml"
    text = "flexmap: 1\ntarget: task\nconversations:\n  wr"
    open_file(client, path, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            position=types.Position(line=3, character=4),
        )
    )
    labels = [item.label for item in result.items]
    assert "wrap_up_time" in labels
    # Did-you-mean ranking: a misspelling still offers the field, ahead of others.
    text = "flexmap: 1\ntarget: task\nconversations:\n  wrapup_ti"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            position=types.Position(line=3, character=11),
        )
    )
    best = min(result.items, key=lambda i: i.sort_text)
    assert best.label == "wrap_up_time"
    # Filters after `|`, with their signature.
    text = "flexmap: 1\ntarget: task\nconversations:\n  ivr_path: ivr.digits | hie"
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=3),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            position=types.Position(line=3, character=len("  ivr_path: ivr.digits | hie")),
        )
    )
    assert "hierarchy" in [i.label for i in result.items]


@pytest.mark.asyncio
async def test_hover_ivr_path_shows_its_insights_kind(client, project):
    path = project / "a.yaml"
    open_file(client, path, MISSPELT)
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            position=types.Position(line=3, character=4),
        )
    )
    assert hover is not None
    assert "conversations.ivr_path" in hover.contents.value
    assert "hierarchy" in hover.contents.value
    assert hover.range.start == types.Position(line=3, character=2)
    # A filter: signature, doc line, example.
    hover = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            position=types.Position(line=3, character=len("  ivr_path: ivr.digits | hi")),
        )
    )
    assert hover is not None and "Example" in hover.contents.value


@pytest.mark.asyncio
async def test_code_action_applies_the_lint_fix(client, project):
    path = project / "a.yaml"
    open_file(client, path, MISSPELT)
    found = await diagnostics_for(client, uri_of(path), lambda ds: len(ds) > 0)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            range=found[0].range,
            context=types.CodeActionContext(diagnostics=list(found)),
        )
    )
    fixes = [a for a in actions if a.is_preferred]
    assert len(fixes) == 1, [a.title for a in actions]
    fixed = apply_edits(MISSPELT, fixes[0].edit.changes[uri_of(path)])
    # The same text `flexmap lint --fix` writes.
    copy = project / "copy"
    copy.mkdir()
    shutil.copy(path, copy / "a.yaml")
    subprocess.run([BIN, "lint", "--fix", str(copy / "a.yaml")], capture_output=True, check=False)
    assert fixed == (copy / "a.yaml").read_text()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    await diagnostics_for(client, uri_of(path), lambda ds: "FM101" not in codes(ds))


@pytest.mark.asyncio
async def test_second_file_writing_the_same_target_is_fm202_on_both(client, project):
    first = project / "a.yaml"
    fixed = MISSPELT.replace("wrapup_time", "wrap_up_time")
    first.write_text(fixed)
    open_file(client, first, fixed)
    await diagnostics_for(client, uri_of(first), lambda ds: "FM101" not in codes(ds))
    # A second, unsaved file of the project writes `ivr_path` too.
    second = project / "b.yaml"
    second.write_text("flexmap: 1\ntarget: task\n")
    open_file(client, second, SECOND)
    on_second = await diagnostics_for(client, uri_of(second), lambda ds: "FM202" in codes(ds))
    on_first = await diagnostics_for(client, uri_of(first), lambda ds: "FM202" in codes(ds))
    fm202 = [d for d in on_second if d.code == "FM202"][0]
    assert fm202.range.start == types.Position(line=3, character=2)
    assert fm202.related_information[0].location.uri == uri_of(first)
    assert [d for d in on_first if d.code == "FM202"][0].range.start == types.Position(line=3, character=2)
    # Closing the unsaved second file: the project on disk has no conflict.
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri_of(second)))
    )
    await diagnostics_for(client, uri_of(first), lambda ds: "FM202" not in codes(ds))


@pytest.mark.asyncio
async def test_the_server_and_flexmap_lint_agree_on_a_project(client, project):
    """Every file of a project: what the server publishes (its own findings, not the
    mirrored ones) is what `flexmap lint --format json` reports, position for position."""
    (project / "b.yaml").write_text(SECOND)
    (project / "c.yaml").write_text(
        "flexmap: 1\ntarget: task\ncustom:\n  tier:\n    kind: attribute\n    value: crm.tier\n"
        "conversations:\n  conversation_attribute_1: crm.origin\n  language: ivr.lang | lookup(nope)\n"
    )
    report = subprocess.run(
        [BIN, "lint", "--format", "json", str(project)], capture_output=True, text=True, check=False
    )
    expected = sorted(
        (pathlib.Path(d["file"]).resolve().as_uri(), d["code"], d["line"] - 1, d["column"] - 1)
        for d in json.loads(report.stdout)["diagnostics"]
    )
    assert len(expected) >= 3, expected
    files = sorted(project.glob("*.yaml"))
    for path in files:
        open_file(client, path, path.read_text())
    got = []
    for path in files:
        wanted = sum(1 for e in expected if e[0] == uri_of(path))
        found = await diagnostics_for(
            client, uri_of(path), lambda ds, w=wanted: len([d for d in ds if not (d.data or {}).get("mirrored")]) == w
        )
        got += [
            (uri_of(path), d.code, d.range.start.line, d.range.start.character)
            for d in found
            if not (d.data or {}).get("mirrored")
        ]
    assert sorted(got) == expected


@pytest.mark.asyncio
async def test_symbols_and_definition(client, project):
    path = project / "t.yaml"
    text = (
        "flexmap: 1\ntarget: task\ntables:\n  langs: { en: English }\n"
        "conversations:\n  language: ivr.lang | lookup(langs, \"Other\")\n"
    )
    open_file(client, path, text)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri_of(path)))
    )
    names = {s.name: [c.name for c in (s.children or [])] for s in symbols}
    assert names["conversations"] == ["language"]
    assert names["tables"] == ["langs"]
    definition = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri_of(path)),
            position=types.Position(line=5, character=len("  language: ivr.lang | lookup(la")),
        )
    )
    assert definition.range.start == types.Position(line=3, character=2)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BIN, "lsp"]))
async def watching_client(lsp_client: LanguageClient):
    """A client that watches files for the server (`workspace/didChangeWatchedFiles`)."""
    lsp_client.registrations = []

    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams):
        lsp_client.registrations.extend(params.registrations)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(
                    did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                        dynamic_registration=True
                    )
                )
            ),
            initialization_options={"debounceMs": 20},
        )
    )
    yield
    await lsp_client.shutdown_session()


def change_whole(client, path, text, version):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri_of(path), version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def published_version(client, uri, version, rounds=20):
    """Waits for the publishDiagnostics of `uri` at `version` (bounded) and returns it."""
    for _ in range(rounds):
        params = await asyncio.wait_for(
            client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 5
        )
        if params.uri == uri and params.version == version:
            return params.diagnostics
    raise AssertionError(f"no diagnostics of {uri} at version {version}")


FIXED = MISSPELT.replace("wrapup_time", "wrap_up_time")
OTHER_CLEAN = "flexmap: 1\ntarget: task\nconversations:\n  language: ivr.lang\n"


@pytest.mark.asyncio
async def test_an_edit_on_disk_of_another_project_file_is_seen(client, project):
    """A client that does not watch files: the server keeps the project in memory and
    compares the files' stamps before each check, so an edit saved by another program is
    seen at the next change of the buffer."""
    first = project / "a.yaml"
    first.write_text(FIXED)
    other = project / "b.yaml"
    other.write_text(OTHER_CLEAN)
    open_file(client, first, FIXED)
    found = await diagnostics_for(client, uri_of(first), lambda ds: "FM101" not in codes(ds))
    assert "FM202" not in codes(found)
    # Another program writes b.yaml: it now writes `ivr_path` too.
    other.write_text(SECOND)
    change_whole(client, first, FIXED + "\n", 2)
    await diagnostics_for(client, uri_of(first), lambda ds: "FM202" in codes(ds))
    # And back: the conflict clears.
    other.write_text(OTHER_CLEAN)
    change_whole(client, first, FIXED, 3)
    await diagnostics_for(client, uri_of(first), lambda ds: "FM202" not in codes(ds))


@pytest.mark.asyncio
async def test_did_change_watched_files_reloads_the_project(watching_client, project):
    """A client that watches files: the server trusts it and reads the project from disk
    again when it reports a change (and only then)."""
    client = watching_client
    first = project / "a.yaml"
    first.write_text(FIXED)
    other = project / "b.yaml"
    other.write_text(OTHER_CLEAN)
    open_file(client, first, FIXED)
    found = await diagnostics_for(client, uri_of(first), lambda ds: "FM101" not in codes(ds))
    assert "FM202" not in codes(found)
    # The server asked to be told about rule files, flexmap.toml and flexmap.lock.
    assert [r.method for r in client.registrations] == ["workspace/didChangeWatchedFiles"]
    globs = [w["globPattern"] for w in client.registrations[0].register_options["watchers"]]
    assert "**/flexmap.lock" in globs and "**/flexmap.toml" in globs
    other.write_text(SECOND)
    # Not reported yet: the check of the next keystroke uses the project in memory.
    change_whole(client, first, FIXED + "\n", 2)
    found = await published_version(client, uri_of(first), 2)
    assert "FM202" not in codes(found)
    # The client reports the change: the project is read again and the finding appears
    # without another keystroke.
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri_of(other), type=types.FileChangeType.Changed)]
        )
    )
    await diagnostics_for(client, uri_of(first), lambda ds: "FM202" in codes(ds))
    # A new file created on disk is reported and planned with the project.
    other.write_text(OTHER_CLEAN)
    third = project / "c.yaml"
    third.write_text(SECOND)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(uri=uri_of(other), type=types.FileChangeType.Changed),
                types.FileEvent(uri=uri_of(third), type=types.FileChangeType.Created),
            ]
        )
    )
    found = await diagnostics_for(
        client,
        uri_of(first),
        lambda ds: any(d.code == "FM202" and "c.yaml" in str(d.related_information) for d in ds),
    )
