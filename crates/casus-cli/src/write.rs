//! The one writer of every file the CLI writes: `report -o`, `export -o`, `import -o`, `fmt`
//! and `new` all go through [`write_file`].
//!
//! What it promises, because an output path can be planted or mistyped:
//! - a new or replaced regular file is written to a temporary file in the target's folder,
//!   created with `O_EXCL` under a random name (the `tempfile` crate), then renamed over the
//!   target, so a reader or a crash never sees half a file and a link planted at a guessable
//!   name is never followed. Only that temporary file is ever deleted;
//! - a symbolic link is written through to its target, and the link is kept; a link to
//!   nothing is refused (casus does not create files where a link points);
//! - a regular file keeps its permissions (and, where allowed, its owner); a read-only one is
//!   refused; one with several hard links is written in place, so the links stay one file;
//! - what is not a regular file is never replaced: a character device (`/dev/null`, a
//!   terminal) or a FIFO is written in place, anything else (a folder, a socket, a block
//!   device) is refused;
//! - a file the command read (a scenario, a game) is never an output: the same file, by device
//!   and inode, is refused whatever path names it;
//! - `-` is standard output.
//!
//! The module stands alone (its own error type, no other module of the CLI), so the fuzz
//! target `fuzz/fuzz_targets/write.rs` runs this very file against random folders.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A write refused or failed: `cannot write `PATH`: REASON`, the path escaped for display.
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{path}`: {reason}")]
pub(crate) struct WriteError {
    /// The path as given, escaped.
    pub(crate) path: String,
    /// Why, in lowercase words.
    pub(crate) reason: String,
}

impl WriteError {
    fn io(path: &Path, error: &std::io::Error) -> Self {
        let text = error.to_string();
        let reason = match text.find(" (os error") {
            Some(i) => text[..i].to_lowercase(),
            None => text.to_lowercase(),
        };
        Self {
            path: shown(path),
            reason,
        }
    }
}

/// A path as a person reads it in a message: `/` separators, unsafe characters escaped.
fn shown(path: &Path) -> String {
    casus_report::text::visible(&path.to_string_lossy().replace('\\', "/"))
}

/// The files a command read, which it must not overwrite: identified by device and inode, so
/// that another spelling, a symbolic link or a hard link to one of them is recognised.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    files: Vec<(PathBuf, FileId)>,
}

/// A file's identity on its file system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    device: u64,
    inode: u64,
}

impl FileId {
    #[cfg(unix)]
    fn of(meta: &std::fs::Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt as _;
        Some(Self {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(_meta: &std::fs::Metadata) -> Option<Self> {
        None
    }
}

impl Inputs {
    /// The inputs `paths`; those that cannot be read are left out (the command failed on them
    /// already, or will).
    pub(crate) fn new<P: AsRef<Path>>(paths: &[P]) -> Self {
        let files = paths
            .iter()
            .filter_map(|p| {
                let p = p.as_ref();
                let meta = std::fs::metadata(p).ok()?;
                Some((p.to_path_buf(), FileId::of(&meta)?))
            })
            .collect();
        Self { files }
    }

    /// The input that is the same file as `meta`, if any.
    fn same_as(&self, meta: &std::fs::Metadata) -> Option<&Path> {
        let id = FileId::of(meta)?;
        self.files
            .iter()
            .find(|(_, f)| *f == id)
            .map(|(p, _)| p.as_path())
    }
}

/// Writes `contents` to `path` under the rules of the module documentation.
pub(crate) fn write_file(path: &Path, contents: &[u8], inputs: &Inputs) -> Result<(), WriteError> {
    if path == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`casus report … -o - | head`) is not worth an error.
        let _ = stdout.write_all(contents).and_then(|()| stdout.flush());
        return Ok(());
    }
    let target = resolve(path)?;
    let meta = match std::fs::metadata(&target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if ends_with_separator(path) {
                return Err(refused(
                    path,
                    "the folder does not exist; create it first, or name a file".to_owned(),
                ));
            }
            return create(path, &target, contents);
        }
        Err(e) => return Err(WriteError::io(path, &e)),
    };
    if let Some(input) = inputs.same_as(&meta) {
        let also = if input == path {
            "it is".to_owned()
        } else {
            format!("it is the same file as `{}`,", shown(input))
        };
        return Err(refused(
            path,
            format!("{also} an input of this command; name another output file"),
        ));
    }
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(refused(
            path,
            "it is a folder; name a file to write instead".to_owned(),
        ));
    }
    if kind.is_file() {
        if meta.permissions().readonly() {
            return Err(refused(
                path,
                "the file is read-only; casus does not overwrite it: make it writable first (`chmod u+w`)".to_owned(),
            ));
        }
        if links(&meta) > 1 {
            return in_place(path, &target, &meta, contents);
        }
        return replace(path, &target, &meta, contents);
    }
    if is_char_device_or_fifo(&kind) {
        return in_place(path, &target, &meta, contents);
    }
    Err(refused(
        path,
        "it is not a regular file, a character device or a FIFO; name a file to write instead"
            .to_owned(),
    ))
}

/// An output refused, with the reason.
fn refused(path: &Path, reason: String) -> WriteError {
    WriteError {
        path: shown(path),
        reason,
    }
}

fn ends_with_separator(path: &Path) -> bool {
    let text = path.as_os_str().to_string_lossy();
    text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR)
}

/// Where a write to `path` lands: `path` itself, or the file a symbolic link leads to.
fn resolve(path: &Path) -> Result<PathBuf, WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => match std::fs::canonicalize(path) {
            Ok(target) => Ok(target),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(refused(
                path,
                "it is a symbolic link to nothing; casus does not create files where a link points: remove the link or name another file".to_owned(),
            )),
            Err(e) => Err(WriteError::io(path, &e)),
        },
        _ => Ok(path.to_path_buf()),
    }
}

/// The folder a temporary file for `target` goes in: the target's own, so the rename stays on
/// one file system and is atomic.
fn folder_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A temporary file beside `target`, with `contents` written and synced.
fn temporary(
    target: &Path,
    mode: Option<u32>,
    contents: &[u8],
) -> std::io::Result<tempfile::NamedTempFile> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(".casus-").suffix(".tmp");
    // A new file gets the mode any program would give it (0666 less the umask).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(folder_of(target))?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt as _;
        // On the open file (fchmod), so the umask does not narrow what the user had.
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    file.write_all(contents)?;
    file.as_file().sync_all()?;
    Ok(file)
}

/// A new file: never replaces one that appeared in the meantime.
fn create(shown: &Path, target: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let file = temporary(target, None, contents).map_err(|e| WriteError::io(shown, &e))?;
    // On failure the temporary file is dropped, which deletes it (and only it).
    file.persist_noclobber(target)
        .map_err(|e| WriteError::io(shown, &e.error))?;
    Ok(())
}

/// A regular file with one link: replaced whole by a renamed temporary file, which keeps its
/// permissions and, where the system allows, its owner.
fn replace(
    shown: &Path,
    target: &Path,
    meta: &std::fs::Metadata,
    contents: &[u8],
) -> Result<(), WriteError> {
    let file =
        temporary(target, Some(mode(meta)), contents).map_err(|e| WriteError::io(shown, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        // Only root may give a file away; for anyone else this fails and the file is theirs,
        // as it would be had they written it.
        let _ = std::os::unix::fs::fchown(file.as_file(), Some(meta.uid()), Some(meta.gid()));
    }
    file.persist(target)
        .map_err(|e| WriteError::io(shown, &e.error))?;
    Ok(())
}

/// Writes into the existing file itself: a character device or FIFO (which must not be
/// replaced), or a regular file with several hard links (which must stay one file). The file
/// opened must be the one examined: a link swapped in meanwhile is not followed, and a
/// different file is not written.
fn in_place(
    shown: &Path,
    target: &Path,
    meta: &std::fs::Metadata,
    contents: &[u8],
) -> Result<(), WriteError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options
        .open(target)
        .map_err(|e| WriteError::io(shown, &e))?;
    let opened = file.metadata().map_err(|e| WriteError::io(shown, &e))?;
    if FileId::of(&opened) != FileId::of(meta) {
        return Err(refused(
            shown,
            "the file changed while casus was writing it; run the command again".to_owned(),
        ));
    }
    let regular = opened.file_type().is_file();
    let result = (|| {
        if regular {
            file.set_len(0)?;
        }
        file.write_all(contents)?;
        if regular {
            file.sync_all()?;
        }
        Ok(())
    })();
    result.map_err(|e: std::io::Error| WriteError::io(shown, &e))
}

#[cfg(unix)]
fn mode(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode(_meta: &std::fs::Metadata) -> u32 {
    0o644
}

#[cfg(unix)]
fn links(meta: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    meta.nlink()
}

#[cfg(not(unix))]
fn links(_meta: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(unix)]
fn is_char_device_or_fifo(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt as _;
    kind.is_char_device() || kind.is_fifo()
}

#[cfg(not(unix))]
fn is_char_device_or_fifo(_kind: &std::fs::FileType) -> bool {
    false
}
