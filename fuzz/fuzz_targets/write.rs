//! The CLI's one writer (`crates/casus-cli/src/write.rs`, compiled here as it is) against a
//! random folder: regular files (read-only or not), symbolic links to other names, to a victim
//! outside the folder, to nothing and to a folder, hard links, folders and planted temporary
//! names around the target, and random inputs the command "read".
//!
//! After each write: the victim outside and every input are untouched; on success the target
//! (through its link, if it is one) holds exactly the new contents, a link stays a link, hard
//! links stay one file, and the only new name is the target itself; on failure nothing at all
//! changed. No temporary file is ever left behind.
#![no_main]

#[path = "../../crates/casus-cli/src/write.rs"]
#[allow(dead_code, unreachable_pub)]
mod write;

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

/// Names in the folder: targets, planted temporary names (old and new style), an input.
const NAMES: [&str; 7] = [
    "out.md",
    "other.md",
    ".out.md.casus-tmp-1",
    ".casus-planted.tmp",
    "s.toml",
    "sub",
    "sub/inner.md",
];

#[derive(Arbitrary, Debug)]
enum Entry {
    File { content: Vec<u8>, read_only: bool },
    Link(LinkTo),
    HardLink(u8),
    Dir,
}

#[derive(Arbitrary, Debug)]
enum LinkTo {
    Name(u8),
    Victim,
    Nowhere,
    OutsideDir,
}

#[derive(Arbitrary, Debug)]
struct Input {
    entries: Vec<(u8, Entry)>,
    target: u8,
    inputs: Vec<u8>,
    contents: Vec<u8>,
}

fn name(i: u8) -> &'static str {
    NAMES[i as usize % NAMES.len()]
}

/// What a path is, for before/after comparisons: kind, contents or link text, mode, inode.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    File { content: Vec<u8>, mode: u32, inode: (u64, u64) },
    Link(PathBuf),
    Dir,
    Other,
}

fn listing(root: &Path) -> BTreeMap<PathBuf, Seen> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let seen = if meta.file_type().is_symlink() {
                Seen::Link(std::fs::read_link(&path).unwrap_or_default())
            } else if meta.is_dir() {
                stack.push(path.clone());
                Seen::Dir
            } else if meta.is_file() {
                Seen::File {
                    content: std::fs::read(&path).unwrap_or_default(),
                    mode: meta.permissions().mode() & 0o7777,
                    inode: (meta.dev(), meta.ino()),
                }
            } else {
                Seen::Other
            };
            out.insert(path.strip_prefix(root).unwrap_or(&path).to_path_buf(), seen);
        }
    }
    out
}

fuzz_target!(|input: Input| {
    let Ok(root) = tempfile::tempdir() else {
        return;
    };
    let inside = root.path().join("inside");
    let outside = root.path().join("outside");
    let _ = std::fs::create_dir_all(&inside);
    let _ = std::fs::create_dir_all(outside.join("dir"));
    let _ = std::fs::write(outside.join("victim"), b"precious");
    for (i, entry) in input.entries.iter().take(12) {
        let path = inside.join(name(*i));
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        let _ = match entry {
            Entry::File { content, read_only } => std::fs::write(&path, content).and_then(|()| {
                let mode = if *read_only { 0o444 } else { 0o640 };
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))
            }),
            Entry::Link(to) => {
                let target = match to {
                    LinkTo::Name(j) => PathBuf::from(name(*j)),
                    LinkTo::Victim => outside.join("victim"),
                    LinkTo::Nowhere => outside.join("nowhere/planted"),
                    LinkTo::OutsideDir => outside.join("dir"),
                };
                std::os::unix::fs::symlink(target, &path)
            }
            Entry::HardLink(j) => std::fs::hard_link(inside.join(name(*j)), &path),
            Entry::Dir => std::fs::create_dir(&path),
        };
    }
    let inputs: Vec<PathBuf> = input
        .inputs
        .iter()
        .take(3)
        .map(|&i| inside.join(name(i)))
        .collect();
    let input_ids: Vec<(u64, u64)> = inputs
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| (m.dev(), m.ino()))
        .collect();
    let target = inside.join(name(input.target));
    let target_was_link = std::fs::symlink_metadata(&target)
        .is_ok_and(|m| m.file_type().is_symlink());
    // A link the user names as the output is written through, as a shell's `>` would: the
    // file it leads to, and only that one, may change, even outside the folder.
    // So may a new file in a folder reached through a linked folder (`-o linked/out.md`).
    let through = std::fs::canonicalize(&target).ok().or_else(|| {
        let parent = std::fs::canonicalize(target.parent()?).ok()?;
        Some(parent.join(target.file_name()?))
    });
    let outside_real = std::fs::canonicalize(&outside).unwrap_or_else(|_| outside.clone());
    let before_inside = listing(&inside);
    let before_outside = listing(&outside);

    let result = write::write_file(&target, &input.contents, &write::Inputs::new(&inputs));

    let after_inside = listing(&inside);
    let mut after_outside = listing(&outside);
    let mut before_outside = before_outside;
    if result.is_ok()
        && let Some(relative) = through
            .as_ref()
            .and_then(|t| t.strip_prefix(&outside_real).ok())
    {
        let relative = relative.to_path_buf();
        let written = after_outside.remove(&relative);
        assert!(
            matches!(written, Some(Seen::File { ref content, .. }) if *content == input.contents),
            "the file behind the link does not hold the output: {written:?}"
        );
        before_outside.remove(&relative);
    }
    assert_eq!(after_outside, before_outside, "outside changed: {result:?}");
    match result {
        Err(_) => assert_eq!(after_inside, before_inside, "a refused write changed the folder"),
        Ok(()) => {
            let meta = std::fs::metadata(&target).expect("the target exists after a write");
            assert!(meta.is_file(), "the target is not a regular file");
            let id = (meta.dev(), meta.ino());
            assert!(!input_ids.contains(&id), "an input was written");
            assert_eq!(std::fs::read(&target).expect("readable"), input.contents);
            if target_was_link {
                assert!(
                    std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()),
                    "a link was replaced"
                );
            }
            let resolved = std::fs::canonicalize(&target).expect("resolves");
            let resolved = resolved
                .strip_prefix(std::fs::canonicalize(&inside).expect("inside"))
                .map(Path::to_path_buf)
                .ok();
            for (path, seen) in &after_inside {
                match before_inside.get(path) {
                    // Another name of the written file (a hard link) shares its new contents.
                    Some(Seen::File { inode, mode, .. }) if *inode == id => {
                        assert_eq!(*mode & 0o222 != 0, true, "a read-only file was written");
                        assert!(matches!(seen, Seen::File { content, .. } if *content == input.contents));
                    }
                    Some(old) if Some(path) == resolved.as_ref() => {
                        // Replaced whole by a rename: same kind and mode, new inode.
                        match (old, seen) {
                            (Seen::File { mode: a, .. }, Seen::File { mode: b, .. }) => {
                                assert_eq!(a, b, "the mode changed");
                                assert!(a & 0o222 != 0, "a read-only file was replaced");
                            }
                            _ => panic!("{path:?} changed kind: {old:?} -> {seen:?}"),
                        }
                    }
                    Some(old) => assert_eq!(old, seen, "{path:?} changed"),
                    None => assert_eq!(
                        Some(path),
                        resolved.as_ref(),
                        "a new name {path:?} was left behind"
                    ),
                }
            }
            for path in before_inside.keys() {
                assert!(after_inside.contains_key(path), "{path:?} was deleted");
            }
        }
    }
});
