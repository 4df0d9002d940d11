//! Writing to standard output and error, tolerating a closed pipe (`casus eval … | head`).

use std::io::Write;

/// Prints to standard output; a closed pipe is not an error worth a panic.
pub(crate) fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Prints to standard error.
pub(crate) fn eprint(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Writes a file atomically: to a temporary file in the same folder, then renamed over the
/// target, so an interrupted run never leaves a half-written report or scenario behind.
pub(crate) fn write_atomic(
    path: &std::path::Path,
    contents: &[u8],
) -> Result<(), crate::error::CliError> {
    use crate::error::CliError;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "casus".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.casus-tmp-{}", std::process::id()));
    let result = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(contents)?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(CliError::write(path, &e));
    }
    Ok(())
}
