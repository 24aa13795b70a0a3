//! The watcher of the rules folder. File events under it, debounced, start a reload. Events
//! on the folder itself, seen from its parent (renamed away, removed, created, a symlink
//! swapped), re-arm the watch on whatever the path names now, so a deploy that replaces the
//! whole folder (`mv` swap, or `rm -r` and recreate) is followed, and logged. inotify
//! watches an inode, not a path: without the re-arm, the watcher would follow the old
//! folder wherever it went.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};

use super::AppState;

/// A running watcher; stops when dropped.
pub struct Watching {
    _watcher: Arc<Mutex<RecommendedWatcher>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What an event says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// Something under the folder changed.
    Inside,
    /// The folder itself was created, removed, renamed or swapped.
    Folder,
}

/// Starts watching the rules folder and its parent. `None` (logged) when no watcher can be
/// created or the folder cannot be watched; SIGHUP still reloads.
pub fn start(state: &Arc<AppState>) -> Option<Watching> {
    let folder =
        std::path::absolute(&state.options.rules).unwrap_or_else(|_| state.options.rules.clone());
    let (sender, mut events) = tokio::sync::mpsc::unbounded_channel::<Seen>();
    let path_of_folder = folder.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && let Some(seen) = classify(&event, &path_of_folder)
        {
            let _ = sender.send(seen);
        }
    });
    let mut watcher = match watcher {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!(%error, "cannot watch the rules folder; reload with SIGHUP");
            return None;
        }
    };
    if let Err(error) = watcher.watch(&folder, RecursiveMode::Recursive) {
        tracing::warn!(%error, "cannot watch the rules folder; reload with SIGHUP");
        return None;
    }
    match folder.parent() {
        Some(parent) => {
            if let Err(error) = watcher.watch(parent, RecursiveMode::NonRecursive) {
                tracing::warn!(
                    %error,
                    "cannot watch {}: a replaced rules folder will not be noticed (SIGHUP reloads)",
                    parent.display()
                );
            }
        }
        None => tracing::warn!(
            "the rules folder has no parent to watch: a replaced folder will not be noticed"
        ),
    }
    let watcher = Arc::new(Mutex::new(watcher));
    let rearm = Arc::clone(&watcher);
    let state = Arc::clone(state);
    let task = tokio::spawn(async move {
        let debounce = state.options.debounce;
        while let Some(first) = events.recv().await {
            // Wait until the folder is quiet: editors and deploys write in several steps.
            let mut replaced = first == Seen::Folder;
            loop {
                match tokio::time::timeout(debounce, events.recv()).await {
                    Ok(Some(seen)) => replaced |= seen == Seen::Folder,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            if replaced {
                watch_again(&rearm, &folder);
            }
            super::reload(&state, "file").await;
        }
    });
    Some(Watching {
        _watcher: watcher,
        task,
    })
}

/// The folder path names another folder now (or none): drop the old watch, watch the new.
fn watch_again(watcher: &Mutex<RecommendedWatcher>, folder: &Path) {
    let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
    let _ = watcher.unwatch(folder);
    match watcher.watch(folder, RecursiveMode::Recursive) {
        Ok(()) => tracing::info!(
            "the rules folder {} was replaced; watching the new one",
            folder.display()
        ),
        Err(error) => tracing::warn!(
            "the rules folder {} is gone ({error}); the loaded rulesets keep serving, and the folder is watched again when it comes back",
            folder.display()
        ),
    }
}

/// Sorts an event: about the folder itself, about something under it that can matter, or
/// nothing to do (a sibling in the parent, a read).
fn classify(event: &notify::Event, folder: &Path) -> Option<Seen> {
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return None;
    }
    if event.paths.iter().any(|path| path == folder) {
        return Some(Seen::Folder);
    }
    let inside = event.paths.is_empty() || event.paths.iter().any(|path| path.starts_with(folder));
    (inside && relevant(event)).then_some(Seen::Inside)
}

/// A change that can matter. Creating, removing or renaming anything can (a deploy that
/// swaps a symlinked folder, as a Kubernetes `ConfigMap` does with `..data`, touches no
/// `*.yaml` name); writing only matters to a YAML or TOML file. Reading never does (the
/// reload itself reads every file).
fn relevant(event: &notify::Event) -> bool {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    match event.kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => {
            true
        }
        EventKind::Modify(_) | EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            event.paths.is_empty()
                || event.paths.iter().any(|path| {
                    path.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|ext| {
                            ["yaml", "yml", "toml"]
                                .iter()
                                .any(|known| ext.eq_ignore_ascii_case(known))
                        })
                })
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use notify::event::{
        AccessKind, AccessMode, CreateKind, DataChange, EventKind, ModifyKind, RemoveKind,
        RenameMode,
    };

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(path.into())
    }

    #[test]
    fn events_on_the_folder_itself_rearm_the_watch() {
        use super::{Seen, classify};
        use std::path::Path;
        let folder = Path::new("/srv/rules");
        let cases = [
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                "/srv/rules",
                Some(Seen::Folder),
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                "/srv/rules",
                Some(Seen::Folder),
            ),
            (
                EventKind::Remove(RemoveKind::Folder),
                "/srv/rules",
                Some(Seen::Folder),
            ),
            (
                EventKind::Create(CreateKind::Folder),
                "/srv/rules",
                Some(Seen::Folder),
            ),
            (
                EventKind::Create(CreateKind::Folder),
                "/srv/rules.new",
                None,
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                "/srv/rules.old",
                None,
            ),
            (
                EventKind::Modify(ModifyKind::Data(DataChange::Content)),
                "/srv/rules/voice.yaml",
                Some(Seen::Inside),
            ),
            (
                EventKind::Modify(ModifyKind::Data(DataChange::Content)),
                "/srv/rules/notes.txt",
                None,
            ),
            (
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                "/srv/rules",
                None,
            ),
        ];
        for (kind, path, expected) in cases {
            assert_eq!(
                classify(&event(kind, path), folder),
                expected,
                "{kind:?} {path}"
            );
        }
    }

    #[test]
    fn file_events_that_start_a_reload() {
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        let read = EventKind::Access(AccessKind::Close(AccessMode::Read));
        let opened = EventKind::Access(AccessKind::Open(AccessMode::Any));
        let cases = [
            (write, "rules/voice.yaml", true),
            (write, "rules/voice.YML", true),
            (write, "rules/flexmap.toml", true),
            (closed, "rules/voice.yaml", true),
            (write, "rules/.voice.yaml.swp", false),
            (write, "rules/notes.txt", false),
            (EventKind::Create(CreateKind::File), "rules/4913", true),
            (
                EventKind::Remove(RemoveKind::File),
                "rules/voice.yaml",
                true,
            ),
            (
                EventKind::Modify(ModifyKind::Name(RenameMode::To)),
                "rules/..data",
                true,
            ),
            (read, "rules/voice.yaml", false),
            (opened, "rules/voice.yaml", false),
        ];
        for (kind, path, expected) in cases {
            assert_eq!(
                super::relevant(&event(kind, path)),
                expected,
                "{kind:?} {path}"
            );
        }
    }
}
